"""HTTP for attachments: multipart uploads on tickets and comments, safe downloads."""

from __future__ import annotations

import uuid
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse
from python_multipart.exceptions import MultipartParseError
from sqlalchemy import select
from starlette.datastructures import UploadFile as StarletteUploadFile
from starlette.formparsers import MultiPartException

from ticketdesk.attachments import service
from ticketdesk.attachments.schemas import AttachmentRead
from ticketdesk.auth.principal import Principal, agent, reader
from ticketdesk.comments.service import merged_family
from ticketdesk.config import Settings
from ticketdesk.deps import SessionDep
from ticketdesk.errors import (
    NotFound,
    PayloadTooLarge,
    TransitionNotAllowed,
    ValidationFailed,
    problems,
)
from ticketdesk.models import Attachment, Comment, Ticket
from ticketdesk.notifications import observers
from ticketdesk.tickets import service as tickets

router = APIRouter(tags=["attachments"])

Reader = Annotated[Principal, Depends(reader)]
Agent = Annotated[Principal, Depends(agent)]
# the body is parsed by hand (exactly one `file` part), so its schema is declared here
UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "the file",
                        }
                    },
                    "required": ["file"],
                }
            }
        },
    }
}
_UPLOAD = problems(400, 401, 403, 404, 409, 413, 422)
# types a browser would render or run; they are always downloaded as opaque bytes
_ACTIVE_TYPES = ("html", "xml", "svg", "javascript", "ecmascript", "xhtml", "pdf", "x-shockwave")


async def _read_file(request: Request) -> StarletteUploadFile:
    """The multipart `file` part (other parts are ignored, as browsers may add their own)."""
    try:
        form = await request.form(max_files=1, max_fields=10)
    except (MultiPartException, MultipartParseError, ValueError) as exc:
        raise ValidationFailed(f"Not a valid multipart upload: {exc}", loc=("body",)) from exc
    file = form.get("file")
    if not isinstance(file, StarletteUploadFile):
        raise ValidationFailed(
            "Send the file as multipart/form-data field `file`.", loc=("body", "file")
        )
    return file


async def _upload(
    request: Request,
    session: SessionDep,
    principal: Principal,
    ticket_ref: str,
    comment_id: uuid.UUID | None = None,
) -> dict[str, Any]:
    settings: Settings = request.app.state.settings
    file = await _read_file(request)
    workspace = await tickets.get_workspace(session, principal)
    ticket = await tickets.get_ticket(session, principal, workspace, ticket_ref, for_update=True)
    if ticket.merged_into_id is not None:
        raise TransitionNotAllowed(
            "This ticket was merged; attach files to the ticket it was merged into."
        )
    if comment_id is not None:
        comment = await session.scalar(
            select(Comment.id).where(Comment.id == comment_id, Comment.ticket_id == ticket.id)
        )
        if comment is None:
            raise NotFound("No such comment on this ticket.")
    if file.size is not None and file.size > settings.attachment_max_bytes:
        raise PayloadTooLarge(f"Attachments can be at most {settings.attachment_max_bytes} bytes.")
    data = await file.read(settings.attachment_max_bytes + 1)
    attachment = await service.add_attachment(
        session,
        settings,
        workspace,
        ticket,
        filename=file.filename,
        content_type=file.content_type,
        data=data,
        actor=principal.actor(),
        comment_id=comment_id,
    )
    tickets.touch(ticket)
    key = tickets.ticket_key(workspace, ticket)
    await observers.notify_watchers(
        session,
        workspace.id,
        ticket.id,
        actor=principal.actor(),
        data=observers.watched_change_data(
            key,
            ticket.subject,
            principal.actor(),
            {
                "attachment": {
                    "from": None,
                    "to": {"id": attachment.id, "filename": attachment.filename},
                }
            },
        ),
    )
    return service.attachment_view(attachment)


@router.post(
    "/tickets/{ticket}/attachments",
    status_code=201,
    response_model=AttachmentRead,
    operation_id="attachments:upload",
    responses=_UPLOAD,
    openapi_extra=UPLOAD_BODY,
)
async def upload_to_ticket(
    ticket: str, request: Request, session: SessionDep, principal: Agent
) -> dict[str, Any]:
    """Attach a file to the ticket (size limit from settings, 25 MB by default; larger: 413)."""
    return await _upload(request, session, principal, ticket)


@router.post(
    "/tickets/{ticket}/comments/{comment_id}/attachments",
    status_code=201,
    response_model=AttachmentRead,
    operation_id="attachments:upload_to_comment",
    responses=_UPLOAD,
    openapi_extra=UPLOAD_BODY,
)
async def upload_to_comment(
    ticket: str,
    comment_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    principal: Agent,
) -> dict[str, Any]:
    """Attach a file to one comment of the ticket."""
    return await _upload(request, session, principal, ticket, comment_id)


@router.get(
    "/tickets/{ticket}/attachments",
    response_model=list[AttachmentRead],
    operation_id="attachments:list",
    responses=problems(401, 403, 404, 422),
)
async def list_attachments(
    ticket: str, session: SessionDep, principal: Reader
) -> list[dict[str, Any]]:
    """The ticket's files, including those of tickets merged into it, oldest first."""
    workspace = await tickets.get_workspace(session, principal)
    found = await tickets.get_ticket(session, principal, workspace, ticket)
    rows = await service.list_attachments(session, await merged_family(session, found))
    return [service.attachment_view(a) for a in rows]


def _disposition(filename: str) -> str:
    ascii_name = filename.encode("ascii", "replace").decode().replace('"', "_").replace("?", "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _served_type(content_type: str) -> str:
    if any(marker in content_type for marker in _ACTIVE_TYPES) or content_type.startswith("text/"):
        return (
            "text/plain; charset=utf-8"
            if content_type == "text/plain"
            else "application/octet-stream"
        )
    return content_type


@router.get(
    "/attachments/{attachment_id}",
    response_class=StreamingResponse,
    operation_id="attachments:download",
    responses={
        200: {
            "content": {
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
            },
            "description": "The file",
        },
        **problems(401, 403, 404, 422),
    },
)
async def download(
    attachment_id: uuid.UUID, request: Request, session: SessionDep, principal: Reader
) -> StreamingResponse:
    """The file's bytes, always as a download (never rendered inline by a browser)."""
    row = await session.scalar(
        select(Attachment)
        .join(Ticket, Ticket.id == Attachment.ticket_id)
        .where(
            Attachment.id == attachment_id,
            Attachment.workspace_id == principal.workspace_id,
            Ticket.workspace_id == principal.workspace_id,
        )
    )
    if row is None:
        raise NotFound("No such attachment.")
    storage = service.storage_for(request.app.state.settings)
    if not await storage.exists(row.sha256):
        raise NotFound("The attachment's file is missing from storage.")
    return StreamingResponse(
        storage.open(row.sha256),
        media_type=_served_type(row.content_type),
        headers={
            "Content-Disposition": _disposition(row.filename),
            "Content-Length": str(row.size),
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "Cache-Control": "private, no-store",
        },
    )
