"""The website contact form: rate limits per client IP, a honeypot, CORS for chosen origins."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk import events
from ticketdesk.config import Settings
from ticketdesk.crud import ensure_found
from ticketdesk.db import utcnow
from ticketdesk.email import service as email
from ticketdesk.errors import RateLimited
from ticketdesk.forms import repository
from ticketdesk.forms.schemas import (
    FormReceipt,
    FormSettingsRead,
    FormSettingsUpdate,
    FormSubmission,
)
from ticketdesk.models import ChannelSettings, Ticket, Workspace
from ticketdesk.tickets import service as tickets
from ticketdesk.tickets.schemas import RequesterIn, TicketCreate

COUNTER_RETENTION = timedelta(days=1)


async def workspace_by_slug(session: AsyncSession, slug: str) -> Workspace:
    workspace = await repository.workspace_by_slug(session, slug)
    return ensure_found(workspace, "There is no such help desk.")


async def allowed_origins(session: AsyncSession, slug: str) -> list[str]:
    """The origins (scheme://host[:port], lower case) allowed to post the workspace's form."""
    return await repository.allowed_origins(session, slug)


async def count_hit(
    session: AsyncSession, key: str, *, limit: int, window: timedelta, now: datetime | None = None
) -> None:
    """One more request for `key` in the current fixed window; 429 past `limit`.

    Counters live in the database so every API process shares them. A refused request rolls
    its transaction back, so refusals do not extend the wait.
    """
    now = now or utcnow()
    seconds = int(window.total_seconds())
    epoch = int(now.timestamp())
    window_start = datetime.fromtimestamp(epoch - epoch % seconds, UTC)
    count = await repository.count_hit(session, key, window_start)
    if count == 1:  # first hit of a window: sweep windows nobody needs any more
        await repository.delete_counters_before(session, now - COUNTER_RETENTION)
    if count > limit:
        retry_after = math.ceil((window_start + window - now).total_seconds())
        raise RateLimited(
            "Too many submissions from your network; try again later.", retry_after=retry_after
        )


async def submit(
    session: AsyncSession, workspace: Workspace, data: FormSubmission, *, client_ip: str
) -> Ticket | None:
    """Open a `form` ticket; None (and nothing stored) when the honeypot was filled in."""
    prefs = await email.channel_settings(session, workspace.id)
    await count_hit(
        session,
        f"form:{workspace.id}:{client_ip}",
        limit=prefs.form_rate_limit,
        window=timedelta(minutes=prefs.form_rate_window_minutes),
    )
    if data.website:
        return None
    contact = await tickets.upsert_contact(session, workspace.id, data.email, data.name)
    actor = events.Actor("contact", contact.id, contact.name or contact.email)
    return await tickets.create_ticket(
        session,
        workspace,
        TicketCreate(
            subject=data.subject,
            description=data.description,
            requester=RequesterIn(email=data.email, name=data.name),
            type=data.type,
            category=data.category,
            custom_fields=data.custom_fields,
        ),
        actor=actor,
        channel="form",
    )


async def submit_form(
    session: AsyncSession, workspace: Workspace, data: FormSubmission, *, client_ip: str
) -> FormReceipt:
    """What the website gets back: the new ticket's key, or null for a filled-in honeypot."""
    ticket = await submit(session, workspace, data, client_ip=client_ip)
    return FormReceipt(key=tickets.ticket_key(workspace, ticket) if ticket is not None else None)


def form_settings_read(
    settings: Settings, workspace: Workspace, prefs: ChannelSettings
) -> FormSettingsRead:
    return FormSettingsRead(
        allowed_origins=list(prefs.form_allowed_origins or []),
        rate_limit=prefs.form_rate_limit,
        rate_window_minutes=prefs.form_rate_window_minutes,
        url=f"{settings.public_url.rstrip('/')}/api/v1/public/{workspace.slug}/tickets",
    )


async def form_settings(
    session: AsyncSession, settings: Settings, workspace: Workspace
) -> FormSettingsRead:
    prefs = await email.channel_settings(session, workspace.id)
    return form_settings_read(settings, workspace, prefs)


async def update_form_settings(
    session: AsyncSession, settings: Settings, workspace: Workspace, data: FormSettingsUpdate
) -> FormSettingsRead:
    """Change only what was sent; origins are kept sorted and without repeats."""
    changes: dict[str, Any] = {}
    if data.allowed_origins is not None:
        changes["form_allowed_origins"] = sorted(set(data.allowed_origins))
    if data.rate_limit is not None:
        changes["form_rate_limit"] = data.rate_limit
    if data.rate_window_minutes is not None:
        changes["form_rate_window_minutes"] = data.rate_window_minutes
    prefs = await email.update_channel_settings(session, workspace.id, changes)
    return form_settings_read(settings, workspace, prefs)
