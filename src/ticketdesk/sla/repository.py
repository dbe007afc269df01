"""SLA queries: policies in order, calendars, and the set-based breach/warning sweeps."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk.db import dialect_name
from ticketdesk.models import BusinessHours, Event, SlaPolicy, Ticket, Workspace


async def active_policies(session: AsyncSession, workspace_id: uuid.UUID) -> Sequence[SlaPolicy]:
    stmt = (
        select(SlaPolicy)
        .where(SlaPolicy.workspace_id == workspace_id, SlaPolicy.active.is_(True))
        .order_by(SlaPolicy.position, SlaPolicy.created_at, SlaPolicy.id)
    )
    return (await session.scalars(stmt)).all()


async def business_hours(session: AsyncSession, hours_id: uuid.UUID | None) -> BusinessHours | None:
    if hours_id is None:
        return None
    return await session.get(BusinessHours, hours_id)


def _skip_locked(session: AsyncSession, ids: Any) -> Any:
    """Lock candidate rows, skipping those another worker holds (PostgreSQL)."""
    if dialect_name(session) == "postgresql":
        return ids.with_for_update(skip_locked=True)
    return ids


async def mark_breached(session: AsyncSession, now: datetime, limit: int) -> list[Any]:
    """Tickets whose earliest due time has passed, each marked once; returns their rows."""
    candidates = _skip_locked(
        session,
        select(Ticket.id)
        .where(Ticket.due_at <= now, Ticket.due_at.is_not(None), Ticket.sla_breached_at.is_(None))
        .order_by(Ticket.due_at)
        .limit(limit),
    )
    stmt = (
        update(Ticket)
        .where(Ticket.id.in_(candidates.scalar_subquery()))
        .values(sla_breached_at=now, sla_state="breached")
        .returning(*_returned())
        .execution_options(synchronize_session=False)
    )
    return list((await session.execute(stmt)).all())


async def mark_warned(session: AsyncSession, now: datetime, limit: int) -> list[Any]:
    """Tickets past 80 % of their earliest target but not yet due, each marked once."""
    candidates = _skip_locked(
        session,
        select(Ticket.id)
        .where(
            Ticket.sla_warn_at <= now,
            Ticket.sla_warn_at.is_not(None),
            Ticket.sla_warned_at.is_(None),
            and_(Ticket.due_at.is_not(None), Ticket.due_at > now),
        )
        .order_by(Ticket.sla_warn_at)
        .limit(limit),
    )
    stmt = (
        update(Ticket)
        .where(Ticket.id.in_(candidates.scalar_subquery()))
        .values(
            sla_warned_at=now,
            sla_state=case((Ticket.sla_state == "breached", "breached"), else_="at_risk"),
        )
        .returning(*_returned())
        .execution_options(synchronize_session=False)
    )
    return list((await session.execute(stmt)).all())


def _returned() -> list[Any]:
    return [
        Ticket.id,
        Ticket.workspace_id,
        Ticket.number,
        Ticket.due_at,
        Ticket.first_response_due_at,
        Ticket.next_response_due_at,
        Ticket.resolution_due_at,
        Ticket.first_responded_at,
        Ticket.sla_policy_id,
        Ticket.assignee_id,
        Ticket.team_id,
    ]


async def ticket_prefixes(
    session: AsyncSession, workspace_ids: set[uuid.UUID]
) -> dict[uuid.UUID, str]:
    rows = await session.execute(
        select(Workspace.id, Workspace.ticket_prefix).where(Workspace.id.in_(workspace_ids))
    )
    return dict(rows.tuples().all())


async def policies_by_id(session: AsyncSession, ids: set[uuid.UUID]) -> dict[uuid.UUID, SlaPolicy]:
    if not ids:
        return {}
    return {p.id: p for p in await session.scalars(select(SlaPolicy).where(SlaPolicy.id.in_(ids)))}


async def insert_events(session: AsyncSession, rows: list[dict[str, Any]]) -> list[Event]:
    """Many events in a few multi-row INSERTs; returned as Event objects for the listeners."""
    result = await session.execute(insert(Event).returning(Event.id), rows)
    written = []
    for row, (event_id,) in zip(rows, result.all(), strict=True):
        written.append(Event(id=event_id, dispatched_at=None, **row))
    return written
