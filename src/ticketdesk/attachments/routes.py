"""HTTP for attachments: multipart uploads on tickets and comments, safe downloads."""

from __future__ import annotations

import uuid
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from python_multipart.exceptions import MultipartParseError
from starlette.datastructures import UploadFile as StarletteUploadFile
from starlette.formparsers import MultiPartException

from ticketdesk.attachments import service
from ticketdesk.attachments.schemas import AttachmentRead
from ticketdesk.auth.principal import Agent, Principal, Reader
from ticketdesk.config import Settings
from ticketdesk.deps import SessionDep
from ticketdesk.errors import ValidationFailed, problems
from ticketdesk.tickets.deps import TicketDep, TicketRef

router = APIRouter(tags=["attachments"])

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
_LOOKUP = problems(401, 403, 404, 422)
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
) -> AttachmentRead:
    settings: Settings = request.app.state.settings
    file = await _read_file(request)
    return await service.upload(
        session, settings, principal, ticket_ref, file, comment_id=comment_id
    )


@router.post(
    "/tickets/{ticket}/attachments",
    status_code=201,
    operation_id="attachments:upload",
    responses=_UPLOAD,
    openapi_extra=UPLOAD_BODY,
)
async def upload_to_ticket(
    ticket: TicketRef, request: Request, session: SessionDep, principal: Agent
) -> AttachmentRead:
    """Attach a file to the ticket (size limit from settings, 25 MB by default; larger: 413)."""
    return await _upload(request, session, principal, ticket)


@router.post(
    "/tickets/{ticket}/comments/{comment_id}/attachments",
    status_code=201,
    operation_id="attachments:upload_to_comment",
    responses=_UPLOAD,
    openapi_extra=UPLOAD_BODY,
)
async def upload_to_comment(
    ticket: TicketRef,
    comment_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    principal: Agent,
) -> AttachmentRead:
    """Attach a file to one comment of the ticket."""
    return await _upload(request, session, principal, ticket, comment_id)


@router.get("/tickets/{ticket}/attachments", operation_id="attachments:list", responses=_LOOKUP)
async def list_attachments(found: TicketDep, session: SessionDep) -> list[AttachmentRead]:
    """The ticket's files, including those of tickets merged into it, oldest first."""
    return await service.ticket_attachments(session, found)


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
        **_LOOKUP,
    },
)
async def download(
    attachment_id: uuid.UUID, request: Request, session: SessionDep, principal: Reader
) -> StreamingResponse:
    """The file's bytes, always as a download (never rendered inline by a browser)."""
    file = await service.download(session, request.app.state.settings, principal, attachment_id)
    return StreamingResponse(
        file.chunks,
        media_type=_served_type(file.content_type),
        headers={
            "Content-Disposition": _disposition(file.filename),
            "Content-Length": str(file.size),
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "Cache-Control": "private, no-store",
        },
    )
