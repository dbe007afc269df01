"""The website contact form: rate limits per client IP, a honeypot, CORS for chosen origins."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk.db import dialect_name, utcnow
from ticketdesk.email import settings as channel
from ticketdesk.errors import NotFound, RateLimited
from ticketdesk.forms.schemas import FormSubmission
from ticketdesk.models import ChannelSettings, RateCounter, Ticket, Workspace
from ticketdesk.tickets import service as tickets
from ticketdesk.tickets.schemas import RequesterIn, TicketCreate

COUNTER_RETENTION = timedelta(days=1)


async def workspace_by_slug(session: AsyncSession, slug: str) -> Workspace:
    workspace: Workspace | None = await session.scalar(
        select(Workspace).where(Workspace.slug == slug)
    )
    if workspace is None:
        raise NotFound("There is no such help desk.")
    return workspace


async def allowed_origins(session: AsyncSession, slug: str) -> list[str]:
    origins = await session.scalar(
        select(ChannelSettings.form_allowed_origins)
        .join(Workspace, Workspace.id == ChannelSettings.workspace_id)
        .where(Workspace.slug == slug)
    )
    return list(origins or [])


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
    if dialect_name(session) == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
    stmt = (
        insert(RateCounter)
        .values(key=key, window_start=window_start, count=1)
        .on_conflict_do_update(
            index_elements=["key", "window_start"], set_={"count": RateCounter.count + 1}
        )
        .returning(RateCounter.count)
    )
    count = int((await session.execute(stmt)).scalar_one())
    if count == 1:  # first hit of a window: sweep windows nobody needs any more
        await session.execute(
            delete(RateCounter).where(RateCounter.window_start < now - COUNTER_RETENTION)
        )
    if count > limit:
        retry_after = math.ceil((window_start + window - now).total_seconds())
        raise RateLimited(
            "Too many submissions from your network; try again later.", retry_after=retry_after
        )


async def submit(
    session: AsyncSession, workspace: Workspace, data: FormSubmission, *, client_ip: str
) -> Ticket | None:
    """Open a `form` ticket; None (and nothing stored) when the honeypot was filled in."""
    prefs = await channel.channel_settings(session, workspace.id)
    await count_hit(
        session,
        f"form:{workspace.id}:{client_ip}",
        limit=prefs.form_rate_limit,
        window=timedelta(minutes=prefs.form_rate_window_minutes),
    )
    if data.website:
        return None
    contact = await tickets.upsert_contact(session, workspace.id, data.email, data.name)
    actor = {"kind": "contact", "id": contact.id, "name": contact.name or contact.email}
    return await tickets.create_ticket(
        session,
        workspace,
        TicketCreate(
            subject=data.subject,
            description=data.description,
            requester=RequesterIn(email=data.email, name=data.name),
        ),
        actor=actor,
        channel="form",
    )
