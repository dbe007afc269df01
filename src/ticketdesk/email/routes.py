"""HTTP for email: the inbound endpoint, notification templates, channel settings."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from ticketdesk.auth.principal import Admin, Principal, get_principal
from ticketdesk.config import Settings
from ticketdesk.deps import SessionDep
from ticketdesk.email import service
from ticketdesk.email.parsing import (
    MAX_CONTENT_HEADER,
    MAX_DECODED_BYTES,
    MAX_DEPTH,
    MAX_HEADER,
    MAX_PARTS,
)
from ticketdesk.email.schemas import (
    EmailSettingsRead,
    EmailSettingsUpdate,
    InboundResult,
    TemplateKind,
    TemplatePreview,
    TemplateRead,
    TemplateUpdate,
    TicketEmailRead,
)
from ticketdesk.errors import Forbidden, UnsupportedMediaType, problems
from ticketdesk.responses import SerializedJSON, model_response
from ticketdesk.tickets.deps import TicketDep

router = APIRouter(tags=["email"])


async def inbound_sender(principal: Principal = Depends(get_principal)) -> Principal:
    """API tokens with the `email:inbound` (or `admin`) scope, or agents and admins: mail opens
    tickets, which a viewer may not do."""
    if principal.kind == "api_token":
        if not principal.scopes & {"email:inbound", "admin"}:
            raise Forbidden("This API token lacks the `email:inbound` scope.")
    elif not principal.has_role("agent"):
        raise Forbidden("Receiving email opens tickets: this needs the agent role.")
    return principal


Inbound = Annotated[Principal, Depends(inbound_sender)]

_RAW_MEDIA_TYPES = ("message/rfc822",)
_INBOUND_STATUS = {"created": 201, "appended": 200, "duplicate": 200, "ignored": 202}
_INBOUND_LIMITS = (
    f"at most {MAX_PARTS} MIME parts nested at most {MAX_DEPTH} deep, {MAX_DECODED_BYTES} bytes of "
    f"decoded content, headers of at most {MAX_HEADER} characters ({MAX_CONTENT_HEADER} for "
    "`Content-*` headers)"
)
_WRITE = problems(400, 401, 403, 413, 415, 422)
_BY_KIND = problems(401, 403, 422)
_AUTH = problems(401, 403)


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


@router.post(
    "/inbound/email",
    response_model=InboundResult,
    status_code=201,
    operation_id="email:inbound",
    responses={
        **problems(400, 401, 403, 404, 409, 413, 415, 422),
        403: {
            **problems(403)[403],
            "description": "A viewer, or an API token without the `email:inbound` scope",
        },
        413: {
            **problems(413)[413],
            "description": f"Over the limits ({_INBOUND_LIMITS}): nothing is stored",
        },
        200: {"model": InboundResult, "description": "A reply added to its ticket, or a repeat"},
        202: {"model": InboundResult, "description": "An auto-reply or bounce: recorded, ignored"},
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"message/rfc822": {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
async def receive_email(
    request: Request, session: SessionDep, principal: Inbound
) -> SerializedJSON:
    """Raw RFC 5322 mail (from Postmark, Mailgun or an MTA pipe): a new ticket or a reply.

    Needs an API token with the `email:inbound` scope, or an agent's or admin's session.
    Mail over the limits of the 413 response is refused whole (nothing is stored); mail the
    parser cannot read is a 422."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in _RAW_MEDIA_TYPES:
        raise UnsupportedMediaType("Send the raw email as `Content-Type: message/rfc822`.")
    raw = await request.body()
    result = await service.receive_email(session, _settings(request), principal, raw)
    return model_response(result, _INBOUND_STATUS[result.status])


@router.get("/email/templates", operation_id="email:list_templates", responses=_AUTH)
async def list_templates(session: SessionDep, principal: Admin) -> list[TemplateRead]:
    """Every notification template: the workspace's own or the built-in default."""
    return await service.list_templates(session, principal)


@router.get("/email/templates/{kind}", operation_id="email:get_template", responses=_BY_KIND)
async def get_template(kind: TemplateKind, session: SessionDep, principal: Admin) -> TemplateRead:
    return await service.get_template(session, principal, kind)


@router.put("/email/templates/{kind}", operation_id="email:put_template", responses=_WRITE)
async def put_template(
    kind: TemplateKind, data: TemplateUpdate, session: SessionDep, principal: Admin
) -> TemplateRead:
    """Save the workspace's template (sandboxed Jinja2 with limits: no recursion, at most
    100,000 loop iterations or calls and 200,000 characters per part). One that does not render
    with sample data, or exceeds the limits, is a 422 naming the part. A saved template that
    fails later on a ticket's data is logged as a `failed` email with the reason (see
    `GET /tickets/{ticket}/emails`), never sent half-rendered."""
    return await service.save_template(session, principal, kind, data)


@router.delete(
    "/email/templates/{kind}",
    status_code=204,
    operation_id="email:reset_template",
    responses=_BY_KIND,
)
async def reset_template(kind: TemplateKind, session: SessionDep, principal: Admin) -> Response:
    """Go back to the built-in default."""
    await service.reset_template(session, principal, kind)
    return Response(status_code=204)


@router.post(
    "/email/templates/{kind}/preview", operation_id="email:preview_template", responses=_WRITE
)
async def preview_template(
    kind: TemplateKind, data: TemplateUpdate, principal: Admin
) -> TemplatePreview:
    """Render a template with sample data without saving it (the limits of saving apply:
    a 422 names the part that fails)."""
    return await service.preview_template(kind, data)


@router.get(
    "/settings/email", operation_id="email:get_settings", tags=["configuration"], responses=_AUTH
)
async def get_email_settings(
    request: Request, session: SessionDep, principal: Admin
) -> EmailSettingsRead:
    return await service.email_settings(session, _settings(request), principal)


@router.put(
    "/settings/email", operation_id="email:put_settings", tags=["configuration"], responses=_WRITE
)
async def put_email_settings(
    data: EmailSettingsUpdate, request: Request, session: SessionDep, principal: Admin
) -> EmailSettingsRead:
    """Branding (name, colour, signature), the sender address, and which changes email the
    requester (`notify_statuses`: statuses whose arrival is announced)."""
    return await service.update_email_settings(session, _settings(request), principal, data)


@router.get(
    "/tickets/{ticket}/emails",
    operation_id="tickets:emails",
    tags=["tickets"],
    responses=problems(401, 403, 404, 422),
)
async def ticket_emails(ticket: TicketDep, session: SessionDep) -> list[TicketEmailRead]:
    """Every email received for or sent about the ticket, oldest first, with delivery state."""
    return await service.ticket_emails(session, ticket)
