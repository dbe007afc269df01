"""Storing attachments on tickets and comments (uploads, inbound email, chat transcripts)."""

from __future__ import annotations

import re
import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk import events
from ticketdesk.attachments.storage import LocalStorage, Storage
from ticketdesk.config import Settings
from ticketdesk.db import new_id, utcnow
from ticketdesk.errors import PayloadTooLarge, ValidationFailed
from ticketdesk.models import Attachment, Ticket, Workspace

_UNSAFE = re.compile(r"[^\w.\- ()+,]+", re.UNICODE)


def storage_for(settings: Settings) -> Storage:
    return LocalStorage(settings.data_dir / "attachments")


def safe_filename(name: str | None) -> str:
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1].replace("\x00", "")
    base = _UNSAFE.sub("_", base).strip(" .")[:200]
    return base or "attachment"


async def add_attachment(
    session: AsyncSession,
    settings: Settings,
    workspace: Workspace,
    ticket: Ticket,
    *,
    filename: str | None,
    content_type: str | None,
    data: bytes,
    actor: dict[str, Any],
    comment_id: uuid.UUID | None = None,
) -> Attachment:
    if len(data) > settings.attachment_max_bytes:
        raise PayloadTooLarge(f"Attachments can be at most {settings.attachment_max_bytes} bytes.")
    content_type = (content_type or "application/octet-stream").split(";")[0].strip().lower()
    if not re.fullmatch(r"[\w.+-]+/[\w.+-]+", content_type):
        raise ValidationFailed("Not a valid content type.", loc=("body", "file"))
    sha256 = await storage_for(settings).put(data)
    attachment = Attachment(
        id=new_id(),
        workspace_id=workspace.id,
        ticket_id=ticket.id,
        comment_id=comment_id,
        filename=safe_filename(filename),
        content_type=content_type,
        size=len(data),
        sha256=sha256,
        uploaded_by_kind=actor["kind"],
        uploaded_by_id=actor.get("id"),
        created_at=utcnow(),
    )
    session.add(attachment)
    events.record(
        session,
        workspace_id=workspace.id,
        ticket_id=ticket.id,
        type="ticket.attachment_added",
        actor=actor,
        data={
            "ticket": f"{workspace.ticket_prefix}-{ticket.number}",
            "attachment_id": attachment.id,
            "filename": attachment.filename,
            "size": attachment.size,
            "comment_id": comment_id,
        },
    )
    await session.flush()
    return attachment
