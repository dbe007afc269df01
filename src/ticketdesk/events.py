"""record(): the single writer of activity events, in the caller's transaction (the outbox).

The timeline, webhooks and live updates all read these rows. Listeners registered on the
Database hear about new events after their transaction commits; if the process dies first,
the outbox sweep finds the undispatched rows instead.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk.db import Database, after_commit, deferred, utcnow
from ticketdesk.models import Event

EventListener = Callable[[Database, list[Event]], Awaitable[None]]

SYSTEM_ACTOR: dict[str, Any] = {"kind": "system", "id": None, "name": "ticketdesk"}


def record(
    session: AsyncSession,
    *,
    workspace_id: uuid.UUID,
    ticket_id: uuid.UUID | None,
    type: str,  # noqa: A002 - the event's type, as in the contract
    actor: dict[str, Any],
    data: dict[str, Any],
) -> Event:
    event = prepare(
        session, workspace_id=workspace_id, ticket_id=ticket_id, type=type, actor=actor, data=data
    )
    writes = deferred(session)
    if writes is not None:
        writes.events.append(event)  # a bulk chunk inserts its events at once (db.deferred)
    else:
        session.add(event)
    return event


def prepare(
    session: AsyncSession,
    *,
    workspace_id: uuid.UUID,
    ticket_id: uuid.UUID | None,
    type: str,  # noqa: A002
    actor: dict[str, Any],
    data: dict[str, Any],
) -> Event:
    """The event, announced to the listeners once the transaction commits, for a caller that
    writes it itself in the same transaction (ticket creation on PostgreSQL writes it in the
    statement that numbers the ticket); everyone else calls record()."""
    event = Event(
        workspace_id=workspace_id,
        ticket_id=ticket_id,
        type=type,
        actor_kind=actor["kind"],
        actor_id=actor.get("id"),
        actor_name=actor.get("name"),
        data=_jsonable(data),
        created_at=utcnow(),
    )
    pending: list[Event] | None = session.info.get("new_events")
    if pending is None:
        pending = session.info["new_events"] = []
        after_commit(session, lambda: _notify(session))
    pending.append(event)
    return event


async def _notify(session: AsyncSession) -> None:
    events: list[Event] = session.info.pop("new_events", [])
    db: Database | None = session.info.get("db")
    if not events or db is None:
        return
    for listener in db.event_listeners:
        await listener(db, events)


def add_listener(db: Database, listener: EventListener) -> None:
    db.event_listeners.append(listener)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, uuid.UUID):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
