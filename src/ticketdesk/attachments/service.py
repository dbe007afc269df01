"""Storing attachments on tickets and comments (uploads, inbound email, chat transcripts)."""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk import events
from ticketdesk.attachments.storage import LocalStorage, Storage
from ticketdesk.config import Settings
from ticketdesk.db import new_id, utcnow
from ticketdesk.errors import PayloadTooLarge, ValidationFailed
from ticketdesk.models import Attachment, Ticket, Workspace

_UNSAFE = re.compile(r"[^\w.\- ()+,]+", re.UNICODE)


StorageFactory = Callable[[Settings], Storage]
_storages: dict[str, StorageFactory] = {
    "local": lambda settings: LocalStorage(settings.data_dir / "attachments"),
}


def register_storage(name: str, factory: StorageFactory) -> None:
    """Make another backend (an S3-compatible store, say) selectable by `attachment_storage`."""
    _storages[name] = factory


def storage_for(settings: Settings) -> Storage:
    return _storages[settings.attachment_storage](settings)


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


def attachment_view(attachment: Attachment) -> dict[str, Any]:
    return {
        "id": attachment.id,
        "filename": attachment.filename,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "sha256": attachment.sha256,
        "ticket_id": attachment.ticket_id,
        "comment_id": attachment.comment_id,
        "created_at": attachment.created_at,
    }


async def list_attachments(
    session: AsyncSession, ticket_ids: Sequence[uuid.UUID]
) -> Sequence[Attachment]:
    stmt = select(Attachment).where(Attachment.ticket_id.in_(ticket_ids))
    return (await session.scalars(stmt.order_by(Attachment.created_at, Attachment.id))).all()


async def attachments_by_comment(
    session: AsyncSession, comment_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[dict[str, Any]]]:
    """The attachments of each comment, in one query."""
    found: dict[uuid.UUID, list[dict[str, Any]]] = defaultdict(list)
    if comment_ids:
        rows = await session.scalars(
            select(Attachment)
            .where(Attachment.comment_id.in_(comment_ids))
            .order_by(Attachment.created_at, Attachment.id)
        )
        for attachment in rows:
            assert attachment.comment_id is not None
            found[attachment.comment_id].append(attachment_view(attachment))
    return found
