"""SLA queries: calendars and policies in a workspace, the clock rows, and the set-based
breach/warning sweeps."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import ColumnElement, and_, bindparam, case, func, null, or_, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk.config_cache import config_cached
from ticketdesk.db import UTCDateTime, dialect_name
from ticketdesk.models import BusinessHours, SlaClock, SlaPolicy, Ticket, Workspace

_POLICY_ORDER = (SlaPolicy.position, SlaPolicy.created_at, SlaPolicy.id)


def _in_workspace(
    model: type[BusinessHours] | type[SlaPolicy], workspace_id: uuid.UUID
) -> ColumnElement[bool]:
    """The tenant scope of every calendar and policy query."""
    return model.workspace_id == workspace_id


Config = TypeVar("Config", BusinessHours, SlaPolicy)


async def find(
    session: AsyncSession, model: type[Config], workspace_id: uuid.UUID, row_id: uuid.UUID
) -> Config | None:
    """A calendar or policy of this workspace by id."""
    return await session.scalar(
        select(model).where(model.id == row_id, _in_workspace(model, workspace_id))
    )


def add(session: AsyncSession, row: BusinessHours | SlaPolicy) -> None:
    session.add(row)


async def delete(session: AsyncSession, row: BusinessHours | SlaPolicy) -> None:
    await session.delete(row)


# -- business hours --------------------------------------------------------------------------


async def business_hours_named(
    session: AsyncSession, workspace_id: uuid.UUID, name: str
) -> uuid.UUID | None:
    return await session.scalar(
        select(BusinessHours.id).where(
            _in_workspace(BusinessHours, workspace_id), BusinessHours.name == name
        )
    )


async def list_business_hours(
    session: AsyncSession, workspace_id: uuid.UUID
) -> Sequence[BusinessHours]:
    stmt = select(BusinessHours).where(_in_workspace(BusinessHours, workspace_id))
    return (await session.scalars(stmt.order_by(BusinessHours.name))).all()


async def business_hours(
    session: AsyncSession, workspace_id: uuid.UUID, hours_id: uuid.UUID | None
) -> BusinessHours | None:
    """The calendar a policy counts in, cached with the workspace's configuration."""
    if hours_id is None:
        return None

    async def load() -> BusinessHours | None:
        return await find(session, BusinessHours, workspace_id, hours_id)

    return await config_cached(session, workspace_id, ("business_hours", hours_id), load)


# -- policies --------------------------------------------------------------------------------


async def list_policies(session: AsyncSession, workspace_id: uuid.UUID) -> Sequence[SlaPolicy]:
    stmt = select(SlaPolicy).where(_in_workspace(SlaPolicy, workspace_id))
    return (await session.scalars(stmt.order_by(*_POLICY_ORDER))).all()


async def last_policy_position(session: AsyncSession, workspace_id: uuid.UUID) -> int | None:
    stmt = select(func.max(SlaPolicy.position)).where(_in_workspace(SlaPolicy, workspace_id))
    return await session.scalar(stmt)


async def active_policies(session: AsyncSession, workspace_id: uuid.UUID) -> Sequence[SlaPolicy]:
    async def load() -> Sequence[SlaPolicy]:
        stmt = (
            select(SlaPolicy)
            .where(_in_workspace(SlaPolicy, workspace_id), SlaPolicy.active.is_(True))
            .order_by(*_POLICY_ORDER)
        )
        return (await session.scalars(stmt)).all()

    return await config_cached(session, workspace_id, "sla_policies", load)


# -- clocks and the sweep --------------------------------------------------------------------


async def store_clock(
    session: AsyncSession,
    ticket_id: uuid.UUID,
    due_at: datetime | None,
    warn_at: datetime | None,
    *,
    target: str | None,
) -> None:
    """Upsert the ticket's sweep row. Its warning and breach markers belong to a target: a
    new target re-arms them, a new due time of the same target (or none: paused, solved)
    keeps them, so each target is warned and breached once."""
    await session.execute(
        _clock_upsert(dialect_name(session)),
        {"ticket_id": ticket_id, "due_at": due_at, "warn_at": warn_at, "target": target},
    )


@functools.cache
def _clock_upsert(dialect: str) -> Any:
    """The upsert, built once per dialect (every ticket change runs it: no statement is
    constructed per request)."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    columns = SlaClock.__table__.c
    stmt = insert(SlaClock).values(
        {name: bindparam(name, type_=columns[name].type) for name in _CLOCK_VALUES}
    )
    return stmt.on_conflict_do_update(index_elements=["ticket_id"], set_=_kept(stmt.excluded))


_CLOCK_VALUES = ("ticket_id", "due_at", "warn_at", "target")


def _kept(new: Any) -> dict[str, Any]:
    """The upsert's new values: the markers survive while the target stays the same."""
    same = or_(
        new.target.is_(None),
        new.target == SlaClock.target,
        # a row from before targets were recorded: a moved due time re-arms, as it used to
        and_(SlaClock.target.is_(None), SlaClock.due_at == new.due_at),
    )
    return {
        "due_at": new.due_at,
        "warn_at": new.warn_at,
        "target": func.coalesce(new.target, SlaClock.target),
        "warned_at": case((same, SlaClock.warned_at), else_=null()),
        "breached_at": case((same, SlaClock.breached_at), else_=null()),
    }


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
_MARKED_COLUMNS = (  # the ticket columns of a MarkedTicket, as _RETURNED names them
    Ticket.id,
    Ticket.workspace_id,
    Ticket.number,
    Ticket.due_at,
    Ticket.assignee_id,
    Ticket.team_id,
    Ticket.sla_policy_id,
)


async def mark_due(session: AsyncSession, kind: str, now: datetime, limit: int) -> list[Any]:
    """Mark up to `limit` tickets newly warned/breached, in one set-based statement on
    PostgreSQL (candidates locked with SKIP LOCKED, so concurrent
    sweepers never mark a ticket twice). The locked rows are updated by their ctid, which
    cannot move while we hold the lock: a TID scan instead of 20,000 primary-key probes.
    Rows: ticket columns, `metric` and `ticket_prefix` (MarkedTicket)."""
    where, marker = _MARKS[kind]
    params = {"now": now, "limit": limit}
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
            )
            SELECT r.id, r.workspace_id, r.number, r.due_at, r.assignee_id, r.team_id,
                   r.sla_policy_id, r.metric, r.ticket_prefix
            FROM rows r
            """
            )
            .bindparams(_NOW)
            .columns(*_MARKED_COLUMNS)
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
                    *_MARKED_COLUMNS,
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
    return [
        MarkedTicket(
            r.id,
            r.workspace_id,
            r.number,
            r.due_at,
            r.assignee_id,
            r.team_id,
            r.sla_policy_id,
            metric,
            prefixes[r.workspace_id],
        )
        for r, metric in rows
    ]


class MarkedTicket(NamedTuple):
    id: uuid.UUID
    workspace_id: uuid.UUID
    number: int
    due_at: datetime
    assignee_id: uuid.UUID | None
    team_id: uuid.UUID | None
    sla_policy_id: uuid.UUID | None
    metric: str
    ticket_prefix: str


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


async def ticket(session: AsyncSession, ticket_id: uuid.UUID) -> Ticket | None:
    """A swept ticket (already in the session when the sweep touched it)."""
    return await session.get(Ticket, ticket_id)


async def workspace(session: AsyncSession, workspace_id: uuid.UUID) -> Workspace | None:
    return await session.get(Workspace, workspace_id)


async def refresh(session: AsyncSession, row: Ticket) -> None:
    """Reload a ticket whose escalation was rolled back to its savepoint."""
    await session.refresh(row)
