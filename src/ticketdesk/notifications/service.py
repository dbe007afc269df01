"""notify(): the one way any room tells agents something (mentions, assignment, SLA, …)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, and_, case, func, insert, or_, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk.db import deferred, new_id, utcnow
from ticketdesk.errors import NotFound, ValidationFailed
from ticketdesk.events import _jsonable
from ticketdesk.models import Notification, Ticket, User, Workspace
from ticketdesk.pagination import decode_cursor, encode_cursor


class Notice(NamedTuple):
    """One notification to write: to whom, about what."""

    workspace_id: uuid.UUID
    user_id: uuid.UUID
    data: dict[str, Any]
    ticket_id: uuid.UUID | None = None


async def notify(
    session: AsyncSession,
    *,
    workspace_id: uuid.UUID,
    user_ids: Iterable[uuid.UUID],
    kind: str,
    data: dict[str, Any],
    ticket_id: uuid.UUID | None = None,
    exclude: uuid.UUID | None = None,
) -> list[uuid.UUID]:
    """Notify active users of this workspace (others are ignored); returns who was notified."""
    wanted = sorted({u for u in user_ids if u != exclude})
    written = await notify_each(
        session, kind, [Notice(workspace_id, u, data, ticket_id) for u in wanted]
    )
    return [n.user_id for n in written]


async def notify_each(session: AsyncSession, kind: str, notices: Sequence[Notice]) -> list[Notice]:
    """Write many notifications of one kind in one statement (a sweep notifies thousands);
    notices to users who are not active members of that workspace are dropped."""
    if not notices:
        return []
    # who is an active user where, remembered for the session (bulk changes notify per ticket)
    known: dict[tuple[uuid.UUID, uuid.UUID], bool] = session.info.setdefault("active_users", {})
    unknown: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    for n in notices:
        if (n.workspace_id, n.user_id) not in known:
            unknown[n.workspace_id].add(n.user_id)
    for workspace_id, users in unknown.items():
        active: set[uuid.UUID] = set()
        listed = list(users)
        for start in range(0, len(listed), 1000):
            active.update(
                await session.scalars(
                    select(User.id).where(
                        User.workspace_id == workspace_id,
                        User.id.in_(listed[start : start + 1000]),
                        User.active.is_(True),
                    )
                )
            )
        known.update({(workspace_id, u): u in active for u in users})
    written = [n for n in notices if known[(n.workspace_id, n.user_id)]]
    if written:
        now = utcnow()
        rows = [
            {
                "id": new_id(),
                "workspace_id": n.workspace_id,
                "user_id": n.user_id,
                "ticket_id": n.ticket_id,
                "kind": kind,
                "data": _jsonable(n.data),
                "created_at": now,
                "read_at": None,
            }
            for n in written
        ]
        writes = deferred(session)
        if writes is not None:
            writes.inserts[Notification] += rows
        else:
            await session.execute(insert(Notification), rows)
    return written


def _unread_first() -> ColumnElement[int]:
    return case((Notification.read_at.is_(None), 0), else_=1)


async def list_notifications(
    session: AsyncSession,
    user_id: uuid.UUID,
    *,
    unread_only: bool,
    limit: int,
    cursor: str | None,
) -> tuple[list[dict[str, Any]], str | None]:
    """Unread first, then newest first; keyset pages over (unread, created_at, id)."""
    flag = _unread_first()
    stmt = (
        select(Notification, Ticket.number, Workspace.ticket_prefix)
        .outerjoin(Ticket, Ticket.id == Notification.ticket_id)
        .join(Workspace, Workspace.id == Notification.workspace_id)
        .where(Notification.user_id == user_id)
    )
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    if cursor:
        last_flag, created_at, last_id = decode_cursor(cursor, 3)
        if (
            last_flag not in (0, 1)
            or not isinstance(created_at, datetime)
            or not isinstance(last_id, uuid.UUID)
        ):
            raise ValidationFailed("The cursor is not valid.", loc=("query", "cursor"))
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
    rows = (await session.execute(stmt.limit(limit + 1))).all()
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1][0]
        next_cursor = encode_cursor([0 if last.read_at is None else 1, last.created_at, last.id])
    return [notification_view(n, number, prefix) for n, number, prefix in rows], next_cursor


def notification_view(
    notification: Notification, number: int | None, prefix: str
) -> dict[str, Any]:
    return {
        "id": notification.id,
        "kind": notification.kind,
        "ticket": f"{prefix}-{number}" if number is not None else None,
        "ticket_id": notification.ticket_id,
        "data": notification.data,
        "read": notification.read_at is not None,
        "created_at": notification.created_at,
        "read_at": notification.read_at,
    }


async def unread_count(session: AsyncSession, user_id: uuid.UUID) -> int:
    count = await session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
    )
    return int(count or 0)


async def mark_read(
    session: AsyncSession, user_id: uuid.UUID, notification_id: uuid.UUID
) -> dict[str, Any]:
    row = (
        await session.execute(
            select(Notification, Ticket.number, Workspace.ticket_prefix)
            .outerjoin(Ticket, Ticket.id == Notification.ticket_id)
            .join(Workspace, Workspace.id == Notification.workspace_id)
            .where(Notification.id == notification_id, Notification.user_id == user_id)
        )
    ).first()
    if row is None:
        raise NotFound("No such notification.")
    notification, number, prefix = row
    if notification.read_at is None:
        notification.read_at = utcnow()
        await session.flush()
    return notification_view(notification, number, prefix)


async def mark_all_read(session: AsyncSession, user_id: uuid.UUID) -> int:
    result = await session.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
