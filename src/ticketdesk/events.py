"""The activity log and outbox: the only writer of `events` rows, their one announcement and
their one JSON shape.

Every change writes its event in the caller's transaction (`record`, or `record_many` for a
batch). The timeline, webhooks and live updates all read these rows: listeners registered on
the Database hear about new events after their transaction commits, and if the process dies
first, the outbox sweep finds the undispatched rows instead.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import BigInteger, DateTime, String, Text, bindparam, insert, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import Uuid

from ticketdesk.context import context
from ticketdesk.db import Database, after_commit, deferred, dialect_name, utcnow
from ticketdesk.models import Event, Ticket
from ticketdesk.schemas import rfc3339

EventListener = Callable[[Database, list[Event]], Awaitable[None]]

ActorKind = Literal["user", "api_token", "contact", "system"]


@dataclass(frozen=True, slots=True)
class Actor:
    """Who made a change: an agent, an API token, a customer, or ticketdesk itself (a rule,
    the SLA clock, an import)."""

    kind: ActorKind
    id: uuid.UUID | None = None
    name: str | None = None

    @property
    def is_agent(self) -> bool:
        """A person or integration working the desk, as opposed to the customer or a rule."""
        return self.kind in ("user", "api_token")

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "id": self.id, "name": self.name}


SYSTEM = Actor("system", None, "ticketdesk")
SYSTEM_ACTOR = SYSTEM


def system_actor(name: str) -> Actor:
    """ticketdesk acting under a name the timeline shows (a rule's, "SLA", "import")."""
    return Actor("system", None, name)


def new_event(
    *,
    workspace_id: uuid.UUID,
    ticket_id: uuid.UUID | None,
    type: str,  # noqa: A002 - the event's type, as in the contract
    actor: Actor,
    data: dict[str, Any],
    created_at: datetime | None = None,
) -> Event:
    """An event row, not yet written or announced."""
    return Event(
        workspace_id=workspace_id,
        ticket_id=ticket_id,
        type=type,
        actor_kind=actor.kind,
        actor_id=actor.id,
        actor_name=actor.name,
        data=jsonable(data),
        created_at=created_at or utcnow(),
    )


def record(
    session: AsyncSession,
    *,
    workspace_id: uuid.UUID,
    ticket_id: uuid.UUID | None,
    type: str,  # noqa: A002
    actor: Actor,
    data: dict[str, Any],
    created_at: datetime | None = None,
) -> Event:
    """Write one event in the session's transaction; announced once it commits.

    `created_at`: when it happened, if not now (imported history keeps its own times)."""
    event = new_event(
        workspace_id=workspace_id,
        ticket_id=ticket_id,
        type=type,
        actor=actor,
        data=data,
        created_at=created_at,
    )
    writes = deferred(session)
    if writes is not None:
        writes.events.append(event)  # a bulk chunk writes its events at once (record_many)
    else:
        session.add(event)
    announce_after_commit(session, [event])
    return event


def record_ticket_event(
    session: AsyncSession,
    ticket: Ticket,
    type: str,  # noqa: A002
    actor: Actor,
    data: dict[str, Any],
    created_at: datetime | None = None,
) -> Event:
    """`record` for an event about one ticket, in the ticket's workspace."""
    return record(
        session,
        workspace_id=ticket.workspace_id,
        ticket_id=ticket.id,
        type=type,
        actor=actor,
        data=data,
        created_at=created_at,
    )


async def record_many(session: AsyncSession, events: Sequence[Event]) -> None:
    """Write events that `record` deferred (a bulk chunk), in as few statements as the
    database allows; their ids are set on the very objects `record` returned and announced."""
    if not events:
        return
    ids = await _insert_rows(
        session, [{name: getattr(e, name) for name in COLUMNS} for e in events]
    )
    for event, event_id in zip(events, ids, strict=True):
        event.id = event_id


async def record_rows(session: AsyncSession, rows: list[dict[str, Any]]) -> list[int]:
    """Write a large batch of events given as column values (`event_row`), without building
    objects for them (the SLA sweep writes tens of thousands); announced once committed, read
    back only if this process has listeners. Returns their ids in the order given."""
    ids = await _insert_rows(session, rows)
    db = context(session).db
    if ids and db is not None:

        async def announce_written() -> None:
            if not db.event_listeners:
                return
            for start in range(0, len(ids), 1000):
                async with db.sessionmaker() as reader:
                    loaded = list(
                        await reader.scalars(
                            select(Event)
                            .where(Event.id.in_(ids[start : start + 1000]))
                            .order_by(Event.id)
                        )
                    )
                await announce(db, loaded)

        after_commit(session, announce_written)
    return ids


def event_row(
    *,
    workspace_id: uuid.UUID,
    ticket_id: uuid.UUID | None,
    type: str,  # noqa: A002
    actor: Actor,
    data: dict[str, Any],
    created_at: datetime,
) -> dict[str, Any]:
    """One event's column values, for `record_rows`."""
    return {
        "workspace_id": workspace_id,
        "ticket_id": ticket_id,
        "type": type,
        "actor_kind": actor.kind,
        "actor_id": actor.id,
        "actor_name": actor.name,
        "data": jsonable(data),
        "created_at": created_at,
    }


COLUMNS = (
    "workspace_id",
    "ticket_id",
    "type",
    "actor_kind",
    "actor_id",
    "actor_name",
    "data",
    "created_at",
)

# PostgreSQL: the whole batch as one array per column, one statement and one round trip.
# The ids come from the sequence in the order unnest produces the rows, so sorted they
# match the rows given.
_UNNEST_INSERT = (
    text(
        f"INSERT INTO events ({', '.join(COLUMNS)})"
        " SELECT w, t, ty, ak, ai, an, CAST(d AS jsonb), c"
        " FROM unnest(:w, :t, :ty, :ak, :ai, :an, :d, :c) AS u(w, t, ty, ak, ai, an, d, c)"
        " RETURNING id"
    )
    .bindparams(
        bindparam("w", type_=ARRAY(Uuid())),
        bindparam("t", type_=ARRAY(Uuid())),
        bindparam("ty", type_=ARRAY(String())),
        bindparam("ak", type_=ARRAY(String())),
        bindparam("ai", type_=ARRAY(Uuid())),
        bindparam("an", type_=ARRAY(String())),
        bindparam("d", type_=ARRAY(Text())),
        bindparam("c", type_=ARRAY(DateTime(timezone=True))),
    )
    .columns(id=BigInteger())
)


async def _insert_rows(session: AsyncSession, rows: list[dict[str, Any]]) -> list[int]:
    if not rows:
        return []
    if dialect_name(session) == "postgresql":
        params = {
            key: [row[column] for row in rows]
            for key, column in zip(
                ("w", "t", "ty", "ak", "ai", "an", "d", "c"), COLUMNS, strict=True
            )
        }
        params["d"] = [json.dumps(value, separators=(",", ":")) for value in params["d"]]
        return sorted(await session.scalars(_UNNEST_INSERT, params))
    ids = await session.scalars(
        insert(Event).returning(Event.id, sort_by_parameter_order=True), rows
    )
    return list(ids)


def announce_after_commit(session: AsyncSession, events: Sequence[Event]) -> None:
    """Hand `events` to the listeners once the transaction commits (never on rollback).

    A savepoint that rolls back truncates `new_events` and the after-commit callbacks to
    where they were, so the announcement is queued whenever the pending list starts empty.
    """
    pending = context(session).new_events
    if not pending:
        after_commit(session, lambda: _announce_pending(session))
    pending.extend(events)


async def _announce_pending(session: AsyncSession) -> None:
    ctx = context(session)
    events, ctx.new_events = ctx.new_events, []
    if events and ctx.db is not None:
        await announce(ctx.db, events)


async def announce(db: Database, events: list[Event]) -> None:
    """Tell this process's listeners (webhook dispatch, live updates) about committed events."""
    for listener in list(db.event_listeners):
        await listener(db, events)


def add_listener(db: Database, listener: EventListener) -> None:
    db.event_listeners.append(listener)


def actor_of(event: Event) -> dict[str, Any]:
    return {"kind": event.actor_kind, "id": event.actor_id, "name": event.actor_name}


def timestamp(value: datetime) -> str:
    """RFC 3339 in UTC, as every response writes its times (schemas.UtcDateTime)."""
    return rfc3339(value)


def serialise(event: Event) -> dict[str, Any]:
    """The one JSON shape of an event: the timeline, live updates and webhooks all send it."""
    return {
        "id": event.id,
        "type": event.type,
        "ticket_id": str(event.ticket_id) if event.ticket_id is not None else None,
        "actor": {
            "kind": event.actor_kind,
            "id": str(event.actor_id) if event.actor_id is not None else None,
            "name": event.actor_name,
        },
        "data": event.data or {},
        "created_at": timestamp(event.created_at),
    }


def jsonable(value: Any) -> Any:
    """`value` with ids and times as strings, as the JSON columns store them."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, uuid.UUID):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
