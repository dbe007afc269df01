"""SLA queries: policies in order, calendars, and the set-based breach/warning sweeps."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple, cast

from sqlalchemy import Table, bindparam, insert, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk.config_cache import config_cached
from ticketdesk.db import UTCDateTime, dialect_name
from ticketdesk.models import BusinessHours, Event, SlaClock, SlaPolicy, Ticket, Workspace


async def active_policies(session: AsyncSession, workspace_id: uuid.UUID) -> Sequence[SlaPolicy]:
    async def load() -> Sequence[SlaPolicy]:
        stmt = (
            select(SlaPolicy)
            .where(SlaPolicy.workspace_id == workspace_id, SlaPolicy.active.is_(True))
            .order_by(SlaPolicy.position, SlaPolicy.created_at, SlaPolicy.id)
        )
        return (await session.scalars(stmt)).all()

    return await config_cached(session, workspace_id, "sla_policies", load)


async def business_hours(
    session: AsyncSession, workspace_id: uuid.UUID, hours_id: uuid.UUID | None
) -> BusinessHours | None:
    if hours_id is None:
        return None

    async def load() -> BusinessHours | None:
        return await session.scalar(
            select(BusinessHours).where(
                BusinessHours.id == hours_id, BusinessHours.workspace_id == workspace_id
            )
        )

    return await config_cached(session, workspace_id, ("business_hours", hours_id), load)


async def store_clock(
    session: AsyncSession,
    ticket_id: uuid.UUID,
    due_at: datetime | None,
    warn_at: datetime | None,
    *,
    rearm: bool,
) -> None:
    """Upsert the ticket's sweep row; a new due time re-arms its warning and breach."""
    values: dict[str, Any] = {"due_at": due_at, "warn_at": warn_at}
    if rearm:
        values.update(warned_at=None, breached_at=None)
    if dialect_name(session) == "postgresql":
        pg = postgresql.insert(SlaClock).values(ticket_id=ticket_id, **values)
        await session.execute(pg.on_conflict_do_update(index_elements=["ticket_id"], set_=values))
    else:
        lite = sqlite.insert(SlaClock).values(ticket_id=ticket_id, **values)
        await session.execute(lite.on_conflict_do_update(index_elements=["ticket_id"], set_=values))


_NOW = bindparam("now", type_=UTCDateTime())
_MARKS = {
    # kind: (candidate condition on sla_clocks c, marker column). The ticket row is only
    # read: its shown state follows from due_at / sla_warn_at (tickets.repository.sla_state).
    "breach": (
        "c.due_at <= :now AND c.due_at IS NOT NULL AND c.breached_at IS NULL",
        "breached_at",
    ),
    "warning": (
        "c.warn_at <= :now AND c.warn_at IS NOT NULL AND c.warned_at IS NULL"
        " AND c.due_at IS NOT NULL AND c.due_at > :now",
        "warned_at",
    ),
}
_ORDER = {"breach": "c.due_at", "warning": "c.warn_at"}
_METRIC = (
    "CASE WHEN m.first_responded_at IS NULL AND m.due_at = m.first_response_due_at"
    " THEN 'first_response' WHEN m.due_at = m.next_response_due_at THEN 'next_response'"
    " ELSE 'resolution' END"
)
_RETURNED = "m.id, m.workspace_id, m.number, m.due_at, m.assignee_id, m.team_id, m.sla_policy_id"


async def mark_and_record(
    session: AsyncSession, kind: str, event_type: str, now: datetime, limit: int
) -> list[Any]:
    """Mark up to `limit` tickets newly warned/breached and write one event for each, in one
    set-based statement on PostgreSQL (candidates locked with SKIP LOCKED, so concurrent
    sweepers never mark a ticket twice). The locked rows are updated by their ctid, which
    cannot move while we hold the lock: a TID scan instead of 20,000 primary-key probes.
    Rows: ticket columns, `metric` and `event_id`."""
    where, marker = _MARKS[kind]
    params = {"now": now, "limit": limit, "type": event_type}
    if dialect_name(session) == "postgresql":
        stmt = (
            text(
                f"""
            WITH candidates AS (
                SELECT c.ctid AS row_id FROM sla_clocks c WHERE {where}
                ORDER BY {_ORDER[kind]} LIMIT :limit FOR UPDATE SKIP LOCKED
            ), clocks AS (
                UPDATE sla_clocks SET {marker} = :now
                WHERE ctid = ANY(ARRAY(SELECT row_id FROM candidates))
                RETURNING ticket_id
            ), rows AS (
                SELECT {_RETURNED}, {_METRIC} AS metric, w.ticket_prefix
                FROM tickets m JOIN workspaces w ON w.id = m.workspace_id
                WHERE m.id = ANY(ARRAY(SELECT ticket_id FROM clocks))
            ), written AS (
                INSERT INTO events (workspace_id, ticket_id, type, actor_kind, actor_name,
                                    data, created_at)
                SELECT r.workspace_id, r.id, :type, 'system', 'SLA',
                    jsonb_build_object(
                        'ticket', r.ticket_prefix || '-' || r.number,
                        'metric', r.metric,
                        'due_at', to_char(r.due_at AT TIME ZONE 'UTC',
                                          'YYYY-MM-DD"T"HH24:MI:SS"Z"')),
                    :now
                FROM rows r
                RETURNING id AS event_id, ticket_id
            )
            SELECT r.id, r.workspace_id, r.number, r.due_at, r.assignee_id, r.team_id,
                   r.sla_policy_id, r.metric, w.event_id
            FROM rows r JOIN written w ON w.ticket_id = r.id
            """
            )
            .bindparams(_NOW)
            .columns(
                Ticket.id,
                Ticket.workspace_id,
                Ticket.number,
                Ticket.due_at,
                Ticket.assignee_id,
                Ticket.team_id,
                Ticket.sla_policy_id,
            )
        )
        return list((await session.execute(stmt, params)).all())
    # SQLite: one writer at a time (BEGIN IMMEDIATE), so no locking; the same in steps
    ids = list(
        await session.scalars(
            text(
                f"UPDATE sla_clocks SET {marker} = :now WHERE ticket_id IN (SELECT c.ticket_id"
                f" FROM sla_clocks c WHERE {where} ORDER BY {_ORDER[kind]} LIMIT :limit)"
                " RETURNING ticket_id"
            )
            .bindparams(_NOW)
            .columns(SlaClock.ticket_id),
            params,
        )
    )
    marked: list[Any] = []
    for start in range(0, len(ids), 500):
        marked += (
            await session.execute(
                select(
                    Ticket.id,
                    Ticket.workspace_id,
                    Ticket.number,
                    Ticket.due_at,
                    Ticket.assignee_id,
                    Ticket.team_id,
                    Ticket.sla_policy_id,
                    Ticket.first_responded_at,
                    Ticket.first_response_due_at,
                    Ticket.next_response_due_at,
                ).where(Ticket.id.in_(ids[start : start + 500]))
            )
        ).all()
    if not marked:
        return []
    prefixes = await ticket_prefixes(session, {r.workspace_id for r in marked})
    rows = []
    for r in marked:
        metric = (
            "first_response"
            if r.first_responded_at is None and r.due_at == r.first_response_due_at
            else "next_response"
            if r.due_at == r.next_response_due_at
            else "resolution"
        )
        rows.append((r, metric))
    table = cast(Table, Event.__table__)
    result = await session.execute(
        insert(table).returning(table.c.id),
        [
            {
                "workspace_id": r.workspace_id,
                "ticket_id": r.id,
                "type": event_type,
                "actor_kind": "system",
                "actor_id": None,
                "actor_name": "SLA",
                "data": {
                    "ticket": f"{prefixes[r.workspace_id]}-{r.number}",
                    "metric": metric,
                    "due_at": r.due_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                },
                "created_at": now,
            }
            for r, metric in rows
        ],
    )
    event_ids = [event_id for (event_id,) in result.all()]
    return [
        SweptTicket(
            r.id,
            r.workspace_id,
            r.number,
            r.due_at,
            r.assignee_id,
            r.team_id,
            r.sla_policy_id,
            metric,
            event_id,
        )
        for (r, metric), event_id in zip(rows, event_ids, strict=True)
    ]


class SweptTicket(NamedTuple):
    id: uuid.UUID
    workspace_id: uuid.UUID
    number: int
    due_at: datetime
    assignee_id: uuid.UUID | None
    team_id: uuid.UUID | None
    sla_policy_id: uuid.UUID | None
    metric: str
    event_id: int


async def ticket_prefixes(
    session: AsyncSession, workspace_ids: set[uuid.UUID]
) -> dict[uuid.UUID, str]:
    rows = await session.execute(
        select(Workspace.id, Workspace.ticket_prefix).where(Workspace.id.in_(workspace_ids))
    )
    return dict(rows.all())


async def policies_by_id(session: AsyncSession, ids: set[uuid.UUID]) -> dict[uuid.UUID, SlaPolicy]:
    if not ids:
        return {}
    return {p.id: p for p in await session.scalars(select(SlaPolicy).where(SlaPolicy.id.in_(ids)))}


async def events_by_id(session: AsyncSession, ids: list[int]) -> list[Event]:
    return list(await session.scalars(select(Event).where(Event.id.in_(ids)).order_by(Event.id)))
