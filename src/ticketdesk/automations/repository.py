"""Automation queries: rules in a workspace, schedule candidates and firings, assignment
candidates and cursors, and the tickets auto-close waits on."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk.config_cache import config_cached
from ticketdesk.db import insert_ignoring_conflicts
from ticketdesk.models import (
    AssignmentCursor,
    Automation,
    AutomationFiring,
    Contact,
    Status,
    Team,
    TeamMember,
    Ticket,
    User,
    Workspace,
)

_RULE_ORDER = (Automation.position, Automation.created_at, Automation.id)
Scoped = (
    type[Automation]
    | type[Ticket]
    | type[Status]
    | type[User]
    | type[Team]
    | type[AssignmentCursor]
)


def _in_workspace(model: Scoped, workspace_id: uuid.UUID) -> ColumnElement[bool]:
    """The tenant scope of every query here."""
    return model.workspace_id == workspace_id


# -- rules -----------------------------------------------------------------------------------


def add(session: AsyncSession, rule: Automation) -> None:
    session.add(rule)


async def delete(session: AsyncSession, rule: Automation) -> None:
    await session.delete(rule)


async def last_position(session: AsyncSession, workspace_id: uuid.UUID) -> int | None:
    stmt = select(func.max(Automation.position)).where(_in_workspace(Automation, workspace_id))
    return await session.scalar(stmt)


async def find_rule(
    session: AsyncSession, workspace_id: uuid.UUID, rule_id: uuid.UUID
) -> Automation | None:
    return await session.scalar(
        select(Automation).where(Automation.id == rule_id, _in_workspace(Automation, workspace_id))
    )


async def list_rules(session: AsyncSession, workspace_id: uuid.UUID) -> Sequence[Automation]:
    stmt = select(Automation).where(_in_workspace(Automation, workspace_id))
    return (await session.scalars(stmt.order_by(*_RULE_ORDER))).all()


async def active_rules(
    session: AsyncSession, workspace_id: uuid.UUID, trigger: str
) -> Sequence[Automation]:
    async def load() -> Sequence[Automation]:
        stmt = (
            select(Automation)
            .where(
                _in_workspace(Automation, workspace_id),
                Automation.trigger == trigger,
                Automation.active.is_(True),
            )
            .order_by(*_RULE_ORDER)
        )
        return (await session.scalars(stmt)).all()

    return await config_cached(session, workspace_id, ("automations", trigger), load)


async def managed_rules(
    session: AsyncSession, workspace_id: uuid.UUID, managed_by: str
) -> Sequence[Automation]:
    stmt = select(Automation).where(
        _in_workspace(Automation, workspace_id), Automation.managed_by == managed_by
    )
    return (await session.scalars(stmt)).all()


async def users_by_id(
    session: AsyncSession, workspace_id: uuid.UUID, user_ids: set[uuid.UUID]
) -> Sequence[User]:
    """The workspace's users among these ids (another workspace's ids find nothing)."""
    if not user_ids:
        return []
    stmt = select(User).where(_in_workspace(User, workspace_id), User.id.in_(user_ids))
    return (await session.scalars(stmt)).all()


async def team_ids(
    session: AsyncSession, workspace_id: uuid.UUID, ids: set[uuid.UUID]
) -> set[uuid.UUID]:
    """The workspace's teams among these ids."""
    if not ids:
        return set()
    stmt = select(Team.id).where(_in_workspace(Team, workspace_id), Team.id.in_(ids))
    return set(await session.scalars(stmt))


async def requester_email(session: AsyncSession, contact_id: uuid.UUID) -> str | None:
    return await session.scalar(select(Contact.email).where(Contact.id == contact_id))


async def workspace(session: AsyncSession, workspace_id: uuid.UUID) -> Workspace | None:
    return await session.get(Workspace, workspace_id)


async def refresh(session: AsyncSession, ticket: Ticket) -> None:
    """Reload a ticket whose rule was rolled back to its savepoint."""
    await session.refresh(ticket)


# -- schedule rules --------------------------------------------------------------------------

_SQL_CHOICE = {
    "status": Ticket.status,
    "status_category": Ticket.status_category,
    "priority": Ticket.priority,
    "channel": Ticket.channel,
    "type": Ticket.type,
    "category": Ticket.category,
}
_SQL_HOURS = {
    "hours_since_created": Ticket.created_at,
    "hours_since_updated": Ticket.updated_at,
    "hours_in_status": Ticket.status_changed_at,
}


def _sql_condition(item: dict[str, Any], now: datetime) -> Any | None:
    """The SQL form of a simple condition (narrows candidates; Python re-checks them all)."""
    field, op, value = item.get("field"), item.get("op"), item.get("value")
    column = _SQL_CHOICE.get(str(field))
    if column is not None and isinstance(value, str) and op == "is":
        return column == value
    if (
        column is not None
        and op == "in"
        and isinstance(value, list)
        and all(isinstance(v, str) for v in value)
    ):
        return column.in_(value)
    moment = _SQL_HOURS.get(str(field))
    if moment is not None and isinstance(value, int | float) and abs(value) < 1e6:
        cutoff = now - timedelta(hours=float(value))
        # hours since X >= v  <=>  X <= now - v
        return {
            "gt": moment < cutoff,
            "gte": moment <= cutoff,
            "lt": moment > cutoff,
            "lte": moment >= cutoff,
        }.get(str(op))
    return None


async def schedule_candidates(
    session: AsyncSession, rule: Automation, now: datetime, limit: int
) -> Sequence[Ticket]:
    """Tickets the rule may fire on: not fired on since their last change, narrowed in SQL by
    the rule's simple `all` conditions (or, with none, every ticket not closed)."""
    already = exists().where(
        AutomationFiring.automation_id == rule.id,
        AutomationFiring.ticket_id == Ticket.id,
        AutomationFiring.ticket_updated_at >= Ticket.updated_at,
    )
    stmt = select(Ticket).where(
        _in_workspace(Ticket, rule.workspace_id),
        Ticket.merged_into_id.is_(None),
        ~already,
    )
    narrowed = [
        c
        for c in (_sql_condition(i, now) for i in (rule.conditions or {}).get("all", []))
        if c is not None
    ]
    if narrowed:
        stmt = stmt.where(and_(*narrowed))
    else:
        stmt = stmt.where(Ticket.status_category != "closed")
    return (await session.scalars(stmt.order_by(Ticket.updated_at).limit(limit))).all()


async def record_firing(
    session: AsyncSession, rule_id: uuid.UUID, ticket: Ticket, now: datetime
) -> None:
    """Remember the ticket's version the rule fired on (it fires again once the ticket changes)."""
    await insert_ignoring_conflicts(
        session,
        AutomationFiring,
        [
            {
                "automation_id": rule_id,
                "ticket_id": ticket.id,
                "ticket_updated_at": ticket.updated_at,
                "fired_at": now,
            }
        ],
        ["automation_id", "ticket_id"],
    )
    await session.execute(
        update(AutomationFiring)
        .where(
            AutomationFiring.automation_id == rule_id,
            AutomationFiring.ticket_id == ticket.id,
        )
        .values(ticket_updated_at=ticket.updated_at, fired_at=now)
    )


async def schedule_rule_ids(session: AsyncSession) -> list[uuid.UUID]:
    """Every active schedule rule of every workspace (the cron's work list)."""
    return list(
        await session.scalars(
            select(Automation.id)
            .where(Automation.trigger == "schedule", Automation.active.is_(True))
            .order_by(Automation.workspace_id, Automation.position, Automation.id)
        )
    )


async def rule_by_id(session: AsyncSession, rule_id: uuid.UUID) -> Automation | None:
    return await session.get(Automation, rule_id)


# -- assignment ------------------------------------------------------------------------------


async def team_member_ids(session: AsyncSession, team_id: uuid.UUID) -> Sequence[uuid.UUID]:
    return (
        await session.scalars(select(TeamMember.user_id).where(TeamMember.team_id == team_id))
    ).all()


async def assignable_agents(
    session: AsyncSession, workspace_id: uuid.UUID, team_id: uuid.UUID | None
) -> list[uuid.UUID]:
    """Active agents and admins (of the team, when given), by id."""
    stmt = select(User.id).where(
        _in_workspace(User, workspace_id),
        User.active.is_(True),
        User.role.in_(("agent", "admin")),
    )
    if team_id is not None:
        stmt = stmt.join(TeamMember, TeamMember.user_id == User.id).where(
            TeamMember.team_id == team_id
        )
    return list(await session.scalars(stmt.order_by(User.id)))


async def open_loads(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    user_ids: Sequence[uuid.UUID],
    categories: Sequence[str],
) -> dict[uuid.UUID, int]:
    """How many tickets in these status categories each user has."""
    rows = await session.execute(
        select(Ticket.assignee_id, func.count())
        .where(
            _in_workspace(Ticket, workspace_id),
            Ticket.assignee_id.in_(user_ids),
            Ticket.status_category.in_(categories),
        )
        .group_by(Ticket.assignee_id)
    )
    return {user_id: count for user_id, count in rows.all() if user_id is not None}


async def locked_cursor(
    session: AsyncSession, workspace_id: uuid.UUID, scope: str
) -> AssignmentCursor:
    """The round-robin cursor of a scope, created if missing, locked for the transaction."""
    await insert_ignoring_conflicts(
        session,
        AssignmentCursor,
        [{"workspace_id": workspace_id, "scope": scope, "last_user_id": None}],
        ["workspace_id", "scope"],
    )
    cursor = await session.scalar(
        select(AssignmentCursor)
        .where(_in_workspace(AssignmentCursor, workspace_id), AssignmentCursor.scope == scope)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert cursor is not None
    return cursor


# -- auto-close ------------------------------------------------------------------------------


async def all_workspaces(session: AsyncSession) -> Sequence[Workspace]:
    return (await session.scalars(select(Workspace))).all()


def _waiting_in(workspace_id: uuid.UUID, statuses: Sequence[str]) -> list[ColumnElement[bool]]:
    """Tickets in one of these statuses (pending ones: the category narrows by its index)."""
    return [
        _in_workspace(Ticket, workspace_id),
        Ticket.status_category == "pending",
        Ticket.status.in_(statuses),
        Ticket.merged_into_id.is_(None),
    ]


async def tickets_to_remind(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    statuses: Sequence[str],
    waiting_since: datetime,
    limit: int,
) -> Sequence[Ticket]:
    """Tickets in these statuses since `waiting_since` or earlier, not reminded in this wait."""
    stmt = select(Ticket).where(
        *_waiting_in(workspace_id, statuses),
        Ticket.status_changed_at <= waiting_since,
        or_(
            Ticket.auto_close_reminded_at.is_(None),
            Ticket.auto_close_reminded_at < Ticket.status_changed_at,
        ),
    )
    return (await session.scalars(stmt.order_by(Ticket.status_changed_at).limit(limit))).all()


async def tickets_to_close(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    statuses: Sequence[str],
    *,
    waiting_since: datetime,
    reminded_by: datetime,
    limit: int,
) -> Sequence[Ticket]:
    """Tickets in these statuses since `waiting_since`, reminded in this wait by `reminded_by`."""
    stmt = select(Ticket).where(
        *_waiting_in(workspace_id, statuses),
        Ticket.status_changed_at <= waiting_since,
        Ticket.auto_close_reminded_at >= Ticket.status_changed_at,
        Ticket.auto_close_reminded_at <= reminded_by,
    )
    return (await session.scalars(stmt.order_by(Ticket.status_changed_at).limit(limit))).all()


async def first_closed_status(session: AsyncSession, workspace_id: uuid.UUID) -> str | None:
    return await session.scalar(
        select(Status.name)
        .where(_in_workspace(Status, workspace_id), Status.category == "closed")
        .order_by(Status.position)
        .limit(1)
    )
