"""Shapes for merging and splitting tickets."""

from __future__ import annotations

import uuid
from typing import Annotated

from pydantic import Field

from ticketdesk.schemas import Input, Subject
from ticketdesk.tickets.schemas import TicketRefIn


class MergeRequest(Input):
    into: TicketRefIn


class SplitRequest(Input):
    comment_ids: Annotated[list[uuid.UUID], Field(min_length=1, max_length=100)]
    subject: Subject
