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
from ticketdesk.email.offload import run_off_loop
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
    "notify_status_changed",
    "notify_status_opt_out",
    "notify_statuses",
    "notify_team_new_ticket",
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


async def _rendered_sample(kind: str, data: TemplateUpdate) -> templates.Rendered:
    """The template as sent, rendered with sample data (in the room's thread pool: compiling
    and rendering are CPU work, bounded by the render limits); refused with a 422 naming the
    part that does not render or exceeds the limits."""
    source = templates.TemplateSource(data.subject, data.text, data.html)
    try:
        return await run_off_loop(templates.validate, source)
    except templates.TemplateBroken as exc:
        raise ValidationFailed(exc.message, loc=("body", exc.part)) from exc


async def save_template(
    session: AsyncSession, principal: Principal, kind: str, data: TemplateUpdate
) -> TemplateRead:
    """Store the workspace's own template of `kind`, once it renders with sample data."""
    await _rendered_sample(kind, data)
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


async def preview_template(kind: str, data: TemplateUpdate) -> TemplatePreview:
    """The template rendered with sample data, nothing saved."""
    rendered = await _rendered_sample(kind, data)
    return TemplatePreview.model_validate(
        {"kind": kind, "subject": rendered.subject, "text": rendered.text, "html": rendered.html}
    )


async def email_settings(
    session: AsyncSession, settings: Settings, principal: Principal
) -> EmailSettingsRead:
    workspace = await tickets.get_workspace(session, principal)
    prefs = await channel.channel_settings(session, workspace.id)
    _, address = channel.sender(settings, workspace, prefs)
    statuses = await tickets.workspace_statuses(session, workspace.id)
    opt_out = set(prefs.notify_status_opt_out or [])
    announced = [
        s.name
        for s in statuses
        if prefs.notify_status_changed and s.category != "solved" and s.name not in opt_out
    ]
    return EmailSettingsRead(
        brand_name=prefs.brand_name,
        brand_color=prefs.brand_color,
        signature=prefs.signature,
        from_address=address,
        notify_ticket_opened=prefs.notify_ticket_opened,
        notify_agent_reply=prefs.notify_agent_reply,
        notify_resolved=prefs.notify_resolved,
        notify_status_changed=prefs.notify_status_changed,
        notify_status_opt_out=sorted(opt_out),
        notify_statuses=sorted(announced),
        team_address=prefs.team_address,
        notify_team_new_ticket=prefs.notify_team_new_ticket,
        smtp_configured=bool(settings.smtp_url),
    )


async def update_email_settings(
    session: AsyncSession, settings: Settings, principal: Principal, data: EmailSettingsUpdate
) -> EmailSettingsRead:
    """Change what was sent; status lists must name the workspace's statuses, and the team's
    address must not be the desk's own (its mail would come back as a new ticket)."""
    changes: dict[str, Any] = data.model_dump(exclude_unset=True)
    for name in _NOT_NULL:
        if name in changes and changes[name] is None:
            raise ValidationFailed(f"`{name}` cannot be null.", loc=("body", name))
    if "notify_statuses" in changes and "notify_status_opt_out" in changes:
        raise ValidationFailed(
            "Send `notify_status_opt_out` or the deprecated `notify_statuses`, not both.",
            loc=("body", "notify_statuses"),
        )
    names = {s.name for s in await tickets.workspace_statuses(session, principal.workspace_id)}
    for field in ("notify_status_opt_out", "notify_statuses"):
        unknown = sorted(set(changes.get(field) or []) - names)
        if unknown:
            raise ValidationFailed(
                f"Unknown statuses {unknown}; see GET /statuses.", loc=("body", field)
            )
    if "notify_statuses" in changes:  # the old opt-in list: every other status is opted out
        changes["notify_status_opt_out"] = names - set(changes.pop("notify_statuses"))
    if "notify_status_opt_out" in changes:
        changes["notify_status_opt_out"] = sorted(set(changes["notify_status_opt_out"]))
    if changes.get("team_address") or changes.get("from_address"):
        workspace = await tickets.get_workspace(session, principal)
        prefs = await channel.channel_settings(session, workspace.id)
        team = changes.get("team_address", prefs.team_address)
        own = channel.own_address(
            settings, workspace, changes.get("from_address", prefs.from_address)
        )
        if team and team.lower() == own.lower():
            field = "team_address" if changes.get("team_address") else "from_address"
            raise ValidationFailed(
                "The team address must differ from the address the desk sends from (its "
                "mail would come back as a new ticket).",
                loc=("body", field),
            )
    await channel.update_channel_settings(session, principal.workspace_id, changes)
    return await email_settings(session, settings, principal)


async def ticket_emails(session: AsyncSession, ticket: Ticket) -> list[TicketEmailRead]:
    """Every email received for or sent about the ticket, oldest first."""
    rows = await repository.ticket_emails(session, ticket.workspace_id, ticket.id)
    return [TicketEmailRead.model_validate(row) for row in rows]
