"""notify(): the one way any room tells agents something (mentions, assignment, SLA, …), and
a user's reading of what they were told."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk import events
from ticketdesk.context import context
from ticketdesk.crud import ensure_found
from ticketdesk.db import deferred, new_id, utcnow
from ticketdesk.errors import ValidationFailed
from ticketdesk.events import jsonable
from ticketdesk.models import Notification, Ticket
from ticketdesk.notifications import repository
from ticketdesk.notifications.schemas import MarkedRead, NotificationPage, NotificationRead
from ticketdesk.pagination import decode_cursor, keyset_page
from ticketdesk.watchers import service as watchers


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
    known = context(session).active_users
    unknown: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    for n in notices:
        if (n.workspace_id, n.user_id) not in known:
            unknown[n.workspace_id].add(n.user_id)
    for workspace_id, users in unknown.items():
        active = await repository.active_user_ids(session, workspace_id, list(users))
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
                "data": jsonable(n.data),
                "created_at": now,
                "read_at": None,
            }
            for n in written
        ]
        writes = deferred(session)
        if writes is not None:
            writes.inserts[Notification] += rows
        else:
            await repository.insert_notifications(session, rows)
    return written


# -- watchers: told of every public change to the tickets they watch ---------------------------


async def preload_watchers(session: AsyncSession, ticket_ids: Sequence[uuid.UUID]) -> None:
    """Load these tickets' watchers in one query, for the rest of a bulk change."""
    context(session).preloaded_watchers = await watchers.watcher_ids_by_ticket(session, ticket_ids)


def forget_preloaded_watchers(session: AsyncSession) -> None:
    context(session).preloaded_watchers = None


async def watchers_of(session: AsyncSession, ticket_id: uuid.UUID) -> set[uuid.UUID]:
    """The ticket's watchers (preloaded ones when a bulk change loaded them)."""
    preloaded = context(session).preloaded_watchers
    if preloaded is not None and ticket_id in preloaded:
        return preloaded[ticket_id]
    return await watchers.watcher_ids(session, ticket_id)


def watched_change_data(
    key: str, subject: str, actor: events.Actor, changes: dict[str, Any]
) -> dict[str, Any]:
    return {
        "ticket": key,
        "subject": subject,
        "by": actor.name,
        "fields": sorted(changes),
        "changes": changes,
    }


async def notify_watchers(
    session: AsyncSession,
    ticket: Ticket,
    key: str,
    *,
    actor: events.Actor,
    changes: dict[str, Any],
    told: Iterable[uuid.UUID] = (),
) -> None:
    """Tell a ticket's watchers about a change, except its author and those already `told`."""
    recipients = await watchers_of(session, ticket.id) - {actor.id, *told}
    if recipients:
        await notify(
            session,
            workspace_id=ticket.workspace_id,
            user_ids=recipients,
            kind="watched_change",
            ticket_id=ticket.id,
            data=watched_change_data(key, ticket.subject, actor, changes),
        )


# -- a user's notifications ---------------------------------------------------------------------


def _notification_read(
    notification: Notification, number: int | None, prefix: str
) -> NotificationRead:
    return NotificationRead(
        id=notification.id,
        kind=notification.kind,
        ticket=f"{prefix}-{number}" if number is not None else None,
        ticket_id=notification.ticket_id,
        data=notification.data,
        read=notification.read_at is not None,
        created_at=notification.created_at,
        read_at=notification.read_at,
    )


async def list_notifications(
    session: AsyncSession,
    user_id: uuid.UUID,
    *,
    unread_only: bool,
    limit: int,
    cursor: str | None,
) -> NotificationPage:
    """Unread first, then newest first; keyset pages over (unread, created_at, id)."""
    after: tuple[int, datetime, uuid.UUID] | None = None
    if cursor:
        last_flag, created_at, last_id = decode_cursor(cursor, 3)
        if (
            last_flag not in (0, 1)
            or not isinstance(created_at, datetime)
            or not isinstance(last_id, uuid.UUID)
        ):
            raise ValidationFailed("The cursor is not valid.", loc=("query", "cursor"))
        after = (last_flag, created_at, last_id)
    rows = await repository.page_of_notifications(
        session, user_id, unread_only=unread_only, limit=limit, after=after
    )
    rows, next_cursor = keyset_page(rows, limit, _page_key)
    return NotificationPage(
        items=[_notification_read(n, number, prefix) for n, number, prefix in rows],
        next_cursor=next_cursor,
        unread_count=await repository.unread_count(session, user_id),
    )


def _page_key(row: repository.NotificationRow) -> list[Any]:
    notification = row[0]
    return [0 if notification.read_at is None else 1, notification.created_at, notification.id]


async def mark_read(
    session: AsyncSession, user_id: uuid.UUID, notification_id: uuid.UUID
) -> NotificationRead:
    row = await repository.find_notification(session, user_id, notification_id)
    notification, number, prefix = ensure_found(row, "No such notification.")
    if notification.read_at is None:
        notification.read_at = utcnow()
        await session.flush()
    return _notification_read(notification, number, prefix)


async def mark_all_read(session: AsyncSession, user_id: uuid.UUID) -> MarkedRead:
    updated = await repository.mark_all_read(session, user_id, utcnow())
    return MarkedRead(updated=updated, unread_count=0)
