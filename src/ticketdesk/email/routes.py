"""HTTP for email: the inbound endpoint, notification templates, channel settings."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy import delete, select

from ticketdesk.auth.principal import Principal, admin, reader, requires_scope
from ticketdesk.config import Settings
from ticketdesk.db import insert_ignoring_conflicts, utcnow
from ticketdesk.deps import SessionDep
from ticketdesk.email import inbound, templates
from ticketdesk.email import settings as channel
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
from ticketdesk.errors import UnsupportedMediaType, ValidationFailed, problems
from ticketdesk.models import EmailMessage, EmailTemplate, Status
from ticketdesk.tickets import service as tickets

router = APIRouter(tags=["email"])
Admin = Annotated[Principal, Depends(admin)]
Reader = Annotated[Principal, Depends(reader)]
Inbound = Annotated[Principal, Depends(requires_scope("email:inbound", "viewer"))]

_RAW_MEDIA_TYPES = ("message/rfc822",)


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
async def receive_email(request: Request, session: SessionDep, principal: Inbound) -> JSONResponse:
    """Raw RFC 5322 mail (from Postmark, Mailgun or an MTA pipe): a new ticket or a reply."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in _RAW_MEDIA_TYPES:
        raise UnsupportedMediaType("Send the raw email as `Content-Type: message/rfc822`.")
    raw = await request.body()
    settings: Settings = request.app.state.settings
    workspace = await tickets.get_workspace(session, principal)
    result = await inbound.receive_email(session, settings, workspace, raw)
    status_code = {"created": 201, "appended": 200, "duplicate": 200, "ignored": 202}[
        result["status"]
    ]
    return JSONResponse(InboundResult.model_validate(result).model_dump(mode="json"), status_code)


def _template_view(kind: str, stored: EmailTemplate | None) -> dict[str, Any]:
    if stored is None:
        source = templates.DEFAULTS[kind]
        return {
            "kind": kind,
            "subject": source.subject,
            "text": source.text,
            "html": source.html,
            "is_default": True,
            "updated_at": None,
        }
    return {
        "kind": kind,
        "subject": stored.subject,
        "text": stored.text_body,
        "html": stored.html_body,
        "is_default": False,
        "updated_at": stored.updated_at,
    }


@router.get(
    "/email/templates",
    response_model=list[TemplateRead],
    operation_id="email:list_templates",
    responses=problems(401, 403),
)
async def list_templates(session: SessionDep, principal: Admin) -> list[dict[str, Any]]:
    """Every notification template: the workspace's own or the built-in default."""
    stored = {
        t.kind: t
        for t in await session.scalars(
            select(EmailTemplate).where(EmailTemplate.workspace_id == principal.workspace_id)
        )
    }
    return [_template_view(kind, stored.get(kind)) for kind in templates.KINDS]


@router.get(
    "/email/templates/{kind}",
    response_model=TemplateRead,
    operation_id="email:get_template",
    responses=problems(401, 403, 422),
)
async def get_template(kind: TemplateKind, session: SessionDep, principal: Admin) -> dict[str, Any]:
    stored = await session.get(EmailTemplate, (principal.workspace_id, kind))
    return _template_view(kind, stored)


@router.put(
    "/email/templates/{kind}",
    response_model=TemplateRead,
    operation_id="email:put_template",
    responses=problems(400, 401, 403, 413, 415, 422),
)
async def put_template(
    kind: TemplateKind, data: TemplateUpdate, session: SessionDep, principal: Admin
) -> dict[str, Any]:
    """Save the workspace's template (sandboxed Jinja2); one that does not render is a 422."""
    source = templates.TemplateSource(data.subject, data.text, data.html)
    try:
        templates.validate(source)
    except templates.TemplateBroken as exc:
        raise ValidationFailed(exc.message, loc=("body", exc.part)) from exc
    now = utcnow()
    await insert_ignoring_conflicts(
        session,
        EmailTemplate,
        [
            {
                "workspace_id": principal.workspace_id,
                "kind": kind,
                "subject": data.subject,
                "text_body": data.text,
                "html_body": data.html,
                "updated_at": now,
            }
        ],
        ["workspace_id", "kind"],
    )
    stored = await session.get(EmailTemplate, (principal.workspace_id, kind), with_for_update=True)
    assert stored is not None
    stored.subject, stored.text_body, stored.html_body, stored.updated_at = (
        data.subject,
        data.text,
        data.html,
        now,
    )
    await session.flush()
    return _template_view(kind, stored)


@router.delete(
    "/email/templates/{kind}",
    status_code=204,
    operation_id="email:reset_template",
    responses=problems(401, 403, 422),
)
async def reset_template(kind: TemplateKind, session: SessionDep, principal: Admin) -> Response:
    """Go back to the built-in default."""
    await session.execute(
        delete(EmailTemplate).where(
            EmailTemplate.workspace_id == principal.workspace_id, EmailTemplate.kind == kind
        )
    )
    return Response(status_code=204)


@router.post(
    "/email/templates/{kind}/preview",
    response_model=TemplatePreview,
    operation_id="email:preview_template",
    responses=problems(400, 401, 403, 413, 415, 422),
)
async def preview_template(
    kind: TemplateKind, data: TemplateUpdate, principal: Admin
) -> dict[str, Any]:
    """Render a template with sample data without saving it."""
    try:
        rendered = templates.render(
            templates.TemplateSource(data.subject, data.text, data.html),
            templates.sample_context(),
        )
    except templates.TemplateBroken as exc:
        raise ValidationFailed(exc.message, loc=("body", exc.part)) from exc
    return {"kind": kind, "subject": rendered.subject, "text": rendered.text, "html": rendered.html}


async def _settings_view(
    request: Request, session: SessionDep, principal: Principal
) -> dict[str, Any]:
    settings: Settings = request.app.state.settings
    workspace = await tickets.get_workspace(session, principal)
    prefs = await channel.channel_settings(session, workspace.id)
    _, address = channel.sender(settings, workspace, prefs)
    return {
        "brand_name": prefs.brand_name,
        "brand_color": prefs.brand_color,
        "signature": prefs.signature,
        "from_address": address,
        "notify_ticket_opened": prefs.notify_ticket_opened,
        "notify_agent_reply": prefs.notify_agent_reply,
        "notify_resolved": prefs.notify_resolved,
        "notify_statuses": prefs.notify_statuses or [],
        "smtp_configured": bool(settings.smtp_url),
    }


@router.get(
    "/settings/email",
    response_model=EmailSettingsRead,
    operation_id="email:get_settings",
    tags=["configuration"],
    responses=problems(401, 403),
)
async def get_email_settings(
    request: Request, session: SessionDep, principal: Admin
) -> dict[str, Any]:
    return await _settings_view(request, session, principal)


@router.put(
    "/settings/email",
    response_model=EmailSettingsRead,
    operation_id="email:put_settings",
    tags=["configuration"],
    responses=problems(400, 401, 403, 413, 415, 422),
)
async def put_email_settings(
    data: EmailSettingsUpdate, request: Request, session: SessionDep, principal: Admin
) -> dict[str, Any]:
    """Branding (name, colour, signature), the sender address, and which changes email the
    requester (`notify_statuses`: statuses whose arrival is announced)."""
    changes = data.model_dump(exclude_unset=True)
    for name in ("brand_color", "signature", "notify_ticket_opened", "notify_agent_reply"):
        if name in changes and changes[name] is None:
            raise ValidationFailed(f"`{name}` cannot be null.", loc=("body", name))
    for name in ("notify_resolved", "notify_statuses"):
        if name in changes and changes[name] is None:
            raise ValidationFailed(f"`{name}` cannot be null.", loc=("body", name))
    if changes.get("notify_statuses"):
        known = set(
            await session.scalars(
                select(Status.name).where(Status.workspace_id == principal.workspace_id)
            )
        )
        unknown = sorted(set(changes["notify_statuses"]) - known)
        if unknown:
            raise ValidationFailed(
                f"Unknown statuses {unknown}; see GET /statuses.", loc=("body", "notify_statuses")
            )
        changes["notify_statuses"] = sorted(set(changes["notify_statuses"]))
    await channel.update_channel_settings(session, principal.workspace_id, changes)
    return await _settings_view(request, session, principal)


@router.get(
    "/tickets/{ticket}/emails",
    response_model=list[TicketEmailRead],
    operation_id="tickets:emails",
    tags=["tickets"],
    responses=problems(401, 403, 404, 422),
)
async def ticket_emails(ticket: str, session: SessionDep, principal: Reader) -> list[EmailMessage]:
    """Every email received for or sent about the ticket, oldest first, with delivery state."""
    workspace = await tickets.get_workspace(session, principal)
    found = await tickets.get_ticket(session, principal, workspace, ticket)
    return list(
        await session.scalars(
            select(EmailMessage)
            .where(EmailMessage.ticket_id == found.id, EmailMessage.workspace_id == workspace.id)
            .order_by(EmailMessage.created_at, EmailMessage.id)
            .limit(500)
        )
    )
