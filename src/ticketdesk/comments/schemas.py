from __future__ import annotations

import uuid
from typing import Literal

from ticketdesk.schemas import CommentBody, Input, Output, UtcDateTime
from ticketdesk.tickets.schemas import ActorRead

Visibility = Literal["public", "internal"]


class CommentCreate(Input):
    body: CommentBody
    visibility: Visibility = "public"


class CommentRead(Output):
    id: uuid.UUID
    ticket_id: uuid.UUID
    body: str
    visibility: Visibility
    author: ActorRead
    created_at: UtcDateTime
