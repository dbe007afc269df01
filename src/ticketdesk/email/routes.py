"""HTTP for email: the inbound endpoint, notification templates, channel settings."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from ticketdesk.auth.principal import Admin, Principal, requires_scope
from ticketdesk.config import Settings
from ticketdesk.deps import SessionDep
from ticketdesk.email import service
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
from ticketdesk.errors import UnsupportedMediaType, problems
from ticketdesk.responses import SerializedJSON, model_response
from ticketdesk.tickets.deps import TicketDep

router = APIRouter(tags=["email"])
Inbound = Annotated[Principal, Depends(requires_scope("email:inbound", "viewer"))]

_RAW_MEDIA_TYPES = ("message/rfc822",)
_INBOUND_STATUS = {"created": 201, "appended": 200, "duplicate": 200, "ignored": 202}
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
    """Raw RFC 5322 mail (from Postmark, Mailgun or an MTA pipe): a new ticket or a reply."""
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
    """Save the workspace's template (sandboxed Jinja2); one that does not render is a 422."""
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
    """Render a template with sample data without saving it."""
    return service.preview_template(kind, data)


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
