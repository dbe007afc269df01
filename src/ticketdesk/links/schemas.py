"""Link shapes, and the reference to another ticket that bodies carry."""

from __future__ import annotations

import uuid
from typing import Literal

from ticketdesk.schemas import Input, Output, UtcDateTime
from ticketdesk.tickets.schemas import TicketRefIn

LinkKind = Literal["related", "duplicate", "blocks"]
Direction = Literal["outbound", "inbound"]
Relation = Literal["related", "duplicate_of", "duplicated_by", "blocks", "blocked_by"]


class LinkCreate(Input):
    ticket: TicketRefIn
    kind: LinkKind = "related"


class LinkedTicket(Output):
    id: uuid.UUID
    key: str
    subject: str
    status: str


class LinkRead(Output):
    id: uuid.UUID
    kind: LinkKind
    direction: Direction
    relation: Relation
    ticket: LinkedTicket
    created_at: UtcDateTime
