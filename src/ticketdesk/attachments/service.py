"""Storing attachments on tickets and comments (uploads, inbound email, chat transcripts)."""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk import events
from ticketdesk.attachments import repository
from ticketdesk.attachments.schemas import AttachmentRead
from ticketdesk.attachments.storage import LocalStorage, Storage
from ticketdesk.auth.principal import Principal
from ticketdesk.config import Settings
from ticketdesk.crud import ensure_found
from ticketdesk.db import new_id, utcnow
from ticketdesk.errors import NotFound, PayloadTooLarge, TransitionNotAllowed, ValidationFailed
from ticketdesk.models import Attachment, Ticket, Workspace
from ticketdesk.notifications import service as notifications
from ticketdesk.tickets import service as tickets

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
    actor: events.Actor,
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
        uploaded_by_kind=actor.kind,
        uploaded_by_id=actor.id,
        created_at=utcnow(),
    )
    session.add(attachment)
    added = {
        "ticket": f"{workspace.ticket_prefix}-{ticket.number}",
        "attachment_id": attachment.id,
        "filename": attachment.filename,
        "size": attachment.size,
        "comment_id": comment_id,
    }
    events.record_ticket_event(session, ticket, "ticket.attachment_added", actor, added)
    await session.flush()
    return attachment


class Upload(Protocol):
    """An uploaded file as the HTTP layer hands it over (Starlette's `UploadFile` is one)."""

    @property
    def filename(self) -> str | None: ...

    @property
    def content_type(self) -> str | None: ...

    @property
    def size(self) -> int | None: ...

    async def read(self, size: int = -1) -> bytes: ...


async def upload(
    session: AsyncSession,
    settings: Settings,
    principal: Principal,
    ticket_ref: str,
    file: Upload,
    *,
    comment_id: uuid.UUID | None = None,
) -> AttachmentRead:
    """A person attaches a file to a ticket (or one of its comments); its watchers hear of it.

    The ticket is locked only now, once the request body has arrived.
    """
    workspace = await tickets.get_workspace(session, principal)
    ticket = await tickets.get_ticket(session, principal, workspace, ticket_ref, for_update=True)
    if ticket.merged_into_id is not None:
        raise TransitionNotAllowed(
            "This ticket was merged; attach files to the ticket it was merged into."
        )
    if comment_id is not None and not await repository.comment_on_ticket(
        session, workspace.id, ticket.id, comment_id
    ):
        raise NotFound("No such comment on this ticket.")
    if file.size is not None and file.size > settings.attachment_max_bytes:
        raise PayloadTooLarge(f"Attachments can be at most {settings.attachment_max_bytes} bytes.")
    data = await file.read(settings.attachment_max_bytes + 1)
    actor = principal.actor()
    attachment = await add_attachment(
        session,
        settings,
        workspace,
        ticket,
        filename=file.filename,
        content_type=file.content_type,
        data=data,
        actor=actor,
        comment_id=comment_id,
    )
    tickets.touch(ticket)
    added = {"from": None, "to": {"id": attachment.id, "filename": attachment.filename}}
    key = tickets.ticket_key(workspace, ticket)
    await notifications.notify_watchers(
        session, ticket, key, actor=actor, changes={"attachment": added}
    )
    return AttachmentRead.model_validate(attachment)


async def ticket_attachments(session: AsyncSession, ticket: Ticket) -> list[AttachmentRead]:
    """The ticket's files, including those of tickets merged into it, oldest first."""
    family = await tickets.merged_family(session, ticket)
    rows = await repository.of_tickets(session, ticket.workspace_id, family)
    return [AttachmentRead.model_validate(a) for a in rows]


async def attachments_by_comment(
    session: AsyncSession, workspace_id: uuid.UUID, comment_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[AttachmentRead]]:
    """The attachments of each comment, in one query."""
    found: dict[uuid.UUID, list[AttachmentRead]] = defaultdict(list)
    if comment_ids:
        for attachment in await repository.of_comments(session, workspace_id, comment_ids):
            assert attachment.comment_id is not None
            found[attachment.comment_id].append(AttachmentRead.model_validate(attachment))
    return found


@dataclass(frozen=True)
class Download:
    """A stored file on its way out: what it is called and claims to be, and its bytes."""

    filename: str
    content_type: str
    size: int
    chunks: AsyncIterator[bytes]


async def download(
    session: AsyncSession, settings: Settings, principal: Principal, attachment_id: uuid.UUID
) -> Download:
    found = await repository.find_attachment(session, principal.workspace_id, attachment_id)
    attachment = ensure_found(found, "No such attachment.")
    storage = storage_for(settings)
    if not await storage.exists(attachment.sha256):
        raise NotFound("The attachment's file is missing from storage.")
    return Download(
        filename=attachment.filename,
        content_type=attachment.content_type,
        size=attachment.size,
        chunks=storage.open(attachment.sha256),
    )
