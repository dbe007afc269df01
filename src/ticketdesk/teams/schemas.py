"""Shapes of a workspace's teams."""

from __future__ import annotations

import uuid
from typing import Annotated

from pydantic import Field

from ticketdesk.schemas import Input, Name100, Output, UtcDateTime


class TeamCreate(Input):
    name: Name100
    member_ids: Annotated[list[uuid.UUID], Field(max_length=500)] = []


class TeamUpdate(Input):
    name: Name100 | None = None
    member_ids: Annotated[list[uuid.UUID], Field(max_length=500)] | None = None


class TeamRead(Output):
    id: uuid.UUID
    name: str
    member_ids: list[uuid.UUID]
    created_at: UtcDateTime
