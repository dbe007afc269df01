from __future__ import annotations

import uuid
from typing import Literal

from pydantic import Field

from ticketdesk.attachments.schemas import AttachmentRead
from ticketdesk.schemas import CommentBody, Input, Output, UtcDateTime
from ticketdesk.tickets.schemas import ActorRead

Visibility = Literal["public", "internal"]


class CommentCreate(Input):
    body: CommentBody
    visibility: Visibility = "public"


class CommentRead(Output):
    id: uuid.UUID
    ticket_id: uuid.UUID
    body: str = Field(description="Markdown as written; never render it as HTML")
    body_html: str = Field(description="The body rendered from Markdown and sanitized")
    attachments: list[AttachmentRead]
    visibility: Visibility
    author: ActorRead
    created_at: UtcDateTime
