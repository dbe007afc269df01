"""Attachment shapes."""

from __future__ import annotations

import uuid

from ticketdesk.schemas import Output, UtcDateTime


class AttachmentRead(Output):
    id: uuid.UUID
    filename: str
    content_type: str
    size: int
    sha256: str
    ticket_id: uuid.UUID
    comment_id: uuid.UUID | None
    created_at: UtcDateTime
