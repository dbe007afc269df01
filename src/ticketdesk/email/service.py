"""What the email routes call: inbound mail, notification templates, the channel's settings,
and a ticket's mail log. The mail rules themselves live in inbound.py and outbound.py."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk.auth.principal import Principal
from ticketdesk.config import Settings
from ticketdesk.db import utcnow
from ticketdesk.email import inbound, repository, templates
from ticketdesk.email import settings as channel
from ticketdesk.email.schemas import (
    EmailSettingsRead,
    EmailSettingsUpdate,
    InboundResult,
    TemplatePreview,
    TemplateRead,
    TemplateUpdate,
    TicketEmailRead,
)
from ticketdesk.errors import ValidationFailed
from ticketdesk.models import ChannelSettings, EmailTemplate, Ticket
from ticketdesk.tickets import service as tickets

# switches that may be left out of an update, but never set to null
_NOT_NULL = (
    "brand_color",
    "signature",
    "notify_ticket_opened",
    "notify_agent_reply",
    "notify_resolved",
    "notify_statuses",
)


async def channel_settings(session: AsyncSession, workspace_id: uuid.UUID) -> ChannelSettings:
    """The workspace's channel settings (branding, notifications, the public form's rules),
    or the defaults when it never saved any; cached like all configuration."""
    return await channel.channel_settings(session, workspace_id)


async def update_channel_settings(
    session: AsyncSession, workspace_id: uuid.UUID, changes: dict[str, Any]
) -> ChannelSettings:
    """Store `changes` (column name → value) on the workspace's channel settings."""
    return await channel.update_channel_settings(session, workspace_id, changes)


async def receive_email(
    session: AsyncSession, settings: Settings, principal: Principal, raw: bytes
) -> InboundResult:
    """Raw RFC 5322 mail into the caller's workspace: a new ticket or a reply on one."""
    workspace = await tickets.get_workspace(session, principal)
    return await inbound.receive_email(session, settings, workspace, raw)


def template_read(kind: str, stored: EmailTemplate | None) -> TemplateRead:
    """The workspace's template of `kind`, or the built-in default when it has none."""
    if stored is None:
        source = templates.DEFAULTS[kind]
        return TemplateRead.model_validate(
            {
                "kind": kind,
                "subject": source.subject,
                "text": source.text,
                "html": source.html,
                "is_default": True,
                "updated_at": None,
            }
        )
    return TemplateRead.model_validate(
        {
            "kind": kind,
            "subject": stored.subject,
            "text": stored.text_body,
            "html": stored.html_body,
            "is_default": False,
            "updated_at": stored.updated_at,
        }
    )


async def list_templates(session: AsyncSession, principal: Principal) -> list[TemplateRead]:
    """Every kind, in the order of templates.KINDS."""
    stored = {t.kind: t for t in await repository.stored_templates(session, principal.workspace_id)}
    return [template_read(kind, stored.get(kind)) for kind in templates.KINDS]


async def get_template(session: AsyncSession, principal: Principal, kind: str) -> TemplateRead:
    return template_read(
        kind, await repository.stored_template(session, principal.workspace_id, kind)
    )


def _checked_source(data: TemplateUpdate) -> templates.TemplateSource:
    """The template as sent, refused with a 422 naming the part that does not render."""
    source = templates.TemplateSource(data.subject, data.text, data.html)
    try:
        templates.validate(source)
    except templates.TemplateBroken as exc:
        raise ValidationFailed(exc.message, loc=("body", exc.part)) from exc
    return source


async def save_template(
    session: AsyncSession, principal: Principal, kind: str, data: TemplateUpdate
) -> TemplateRead:
    """Store the workspace's own template of `kind`, once it renders with sample data."""
    _checked_source(data)
    stored = await repository.save_template(
        session,
        principal.workspace_id,
        kind,
        subject=data.subject,
        text=data.text,
        html=data.html,
        now=utcnow(),
    )
    return template_read(kind, stored)


async def reset_template(session: AsyncSession, principal: Principal, kind: str) -> None:
    await repository.delete_template(session, principal.workspace_id, kind)


def preview_template(kind: str, data: TemplateUpdate) -> TemplatePreview:
    """The template rendered with sample data, nothing saved."""
    source = templates.TemplateSource(data.subject, data.text, data.html)
    try:
        rendered = templates.render(source, templates.sample_context())
    except templates.TemplateBroken as exc:
        raise ValidationFailed(exc.message, loc=("body", exc.part)) from exc
    return TemplatePreview.model_validate(
        {"kind": kind, "subject": rendered.subject, "text": rendered.text, "html": rendered.html}
    )


async def email_settings(
    session: AsyncSession, settings: Settings, principal: Principal
) -> EmailSettingsRead:
    workspace = await tickets.get_workspace(session, principal)
    prefs = await channel.channel_settings(session, workspace.id)
    _, address = channel.sender(settings, workspace, prefs)
    return EmailSettingsRead(
        brand_name=prefs.brand_name,
        brand_color=prefs.brand_color,
        signature=prefs.signature,
        from_address=address,
        notify_ticket_opened=prefs.notify_ticket_opened,
        notify_agent_reply=prefs.notify_agent_reply,
        notify_resolved=prefs.notify_resolved,
        notify_statuses=prefs.notify_statuses or [],
        smtp_configured=bool(settings.smtp_url),
    )


async def update_email_settings(
    session: AsyncSession, settings: Settings, principal: Principal, data: EmailSettingsUpdate
) -> EmailSettingsRead:
    """Change what was sent; `notify_statuses` must name the workspace's statuses."""
    changes: dict[str, Any] = data.model_dump(exclude_unset=True)
    for name in _NOT_NULL:
        if name in changes and changes[name] is None:
            raise ValidationFailed(f"`{name}` cannot be null.", loc=("body", name))
    if changes.get("notify_statuses"):
        statuses = await tickets.workspace_statuses(session, principal.workspace_id)
        unknown = sorted(set(changes["notify_statuses"]) - {s.name for s in statuses})
        if unknown:
            raise ValidationFailed(
                f"Unknown statuses {unknown}; see GET /statuses.", loc=("body", "notify_statuses")
            )
        changes["notify_statuses"] = sorted(set(changes["notify_statuses"]))
    await channel.update_channel_settings(session, principal.workspace_id, changes)
    return await email_settings(session, settings, principal)


async def ticket_emails(session: AsyncSession, ticket: Ticket) -> list[TicketEmailRead]:
    """Every email received for or sent about the ticket, oldest first."""
    rows = await repository.ticket_emails(session, ticket.workspace_id, ticket.id)
    return [TicketEmailRead.model_validate(row) for row in rows]
