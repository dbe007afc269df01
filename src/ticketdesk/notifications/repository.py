"""Queries for notifications: who may receive one, the rows, a user's pages of them."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, insert, or_, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk.models import Notification, Ticket, User, Workspace

NotificationRow = tuple[Notification, int | None, str]  # with its ticket's number and prefix


def _active_users(workspace_id: uuid.UUID, *columns: Any) -> Select[Any]:
    """The tenant scope of every user query here: the active users of one workspace."""
    return select(*columns).where(User.workspace_id == workspace_id, User.active.is_(True))


def _of_user(user_id: uuid.UUID) -> Select[Notification, int | None, str]:
    """A user's own notifications (a user belongs to one workspace), with their ticket keys."""
    return (
        select(Notification, Ticket.number, Workspace.ticket_prefix)
        .outerjoin(Ticket, Ticket.id == Notification.ticket_id)
        .join(Workspace, Workspace.id == Notification.workspace_id)
        .where(Notification.user_id == user_id)
    )


async def active_user_ids(
    session: AsyncSession, workspace_id: uuid.UUID, user_ids: Sequence[uuid.UUID]
) -> set[uuid.UUID]:
    """Which of these users are active members of the workspace (in batches of 1,000)."""
    active: set[uuid.UUID] = set()
    for start in range(0, len(user_ids), 1000):
        active.update(
            await session.scalars(
                _active_users(workspace_id, User.id).where(
                    User.id.in_(user_ids[start : start + 1000])
                )
            )
        )
    return active


async def active_users(
    session: AsyncSession, workspace_id: uuid.UUID
) -> Sequence[tuple[uuid.UUID, str, str]]:
    """Every active user of the workspace as (id, name, email): who a mention may name."""
    rows = await session.execute(_active_users(workspace_id, User.id, User.name, User.email))
    return [(user_id, name, email) for user_id, name, email in rows.all()]


async def insert_notifications(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    await session.execute(insert(Notification), rows)


def _unread_first() -> ColumnElement[int]:
    return case((Notification.read_at.is_(None), 0), else_=1)


async def page_of_notifications(
    session: AsyncSession,
    user_id: uuid.UUID,
    *,
    unread_only: bool,
    limit: int,
    after: tuple[int, datetime, uuid.UUID] | None,
) -> Sequence[NotificationRow]:
    """Up to `limit + 1` rows, unread first then newest first, strictly after the `after` key."""
    flag = _unread_first()
    stmt = _of_user(user_id)
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    if after is not None:
        last_flag, created_at, last_id = after
        stmt = stmt.where(
            or_(
                flag > last_flag,
                and_(
                    flag == last_flag,
                    tuple_(Notification.created_at, Notification.id) < tuple_(created_at, last_id),
                ),
            )
        )
    stmt = stmt.order_by(flag, Notification.created_at.desc(), Notification.id.desc())
    rows = await session.execute(stmt.limit(limit + 1))
    return [(n, number, prefix) for n, number, prefix in rows.all()]


async def find_notification(
    session: AsyncSession, user_id: uuid.UUID, notification_id: uuid.UUID
) -> NotificationRow | None:
    row = (
        await session.execute(_of_user(user_id).where(Notification.id == notification_id))
    ).first()
    if row is None:
        return None
    notification, number, prefix = row
    return notification, number, prefix


async def unread_count(session: AsyncSession, user_id: uuid.UUID) -> int:
    count = await session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
    )
    return int(count or 0)


async def mark_all_read(session: AsyncSession, user_id: uuid.UUID, read_at: datetime) -> int:
    result = await session.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=read_at)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
