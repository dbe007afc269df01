"""The outbox: committed events become one delivery row per subscription that wants them.

`dispatch_events` is idempotent and safe under many workers: it locks the undispatched events
it takes (`FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite has a single writer), writes the
deliveries (unique per subscription and event) and sets `dispatched_at` in one transaction.
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ticketdesk.db import Database, dialect_name, new_id, utcnow
from ticketdesk.models import Event, Ticket, WebhookDelivery, WebhookSubscription, Workspace
from ticketdesk.tickets import repository as tickets_repository
from ticketdesk.tickets.schemas import TicketRead

# event type → the ticket field its {"from","to"} describes, where the name does not say it
_CHANGED_FIELD = {"ticket.assigned": "assignee", "ticket.reopened": "status"}


def wants(patterns: Sequence[str], event_type: str) -> bool:
    """`*` is everything, `ticket.*` a prefix, anything else an exact event type."""
    for pattern in patterns:
        if pattern == "*" or pattern == event_type:
            return True
        if pattern.endswith(".*") and event_type.startswith(pattern[:-1]):
            return True
    return False


def changes_of(event: Event) -> dict[str, Any]:
    data = event.data or {}
    if "from" not in data and "to" not in data:
        return {}
    name = _CHANGED_FIELD.get(event.type)
    if name is None:
        name = event.type.split(".", 1)[-1].removesuffix("_changed")
    return {name: {"from": data.get("from"), "to": data.get("to")}}


def rfc3339(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def event_payload(event: Event, ticket: dict[str, Any] | None) -> dict[str, Any]:
    """The webhook body: the contract's `type`, `timestamp`, `data.ticket`, `data.changes`."""
    return {
        "type": event.type,
        "timestamp": rfc3339(event.created_at),
        "data": {
            "ticket": ticket,
            "changes": changes_of(event),
            "actor": {"kind": event.actor_kind, "id": event.actor_id, "name": event.actor_name},
            "event": {"id": event.id, "data": event.data},
        },
    }


async def dispatch_events(db: Database, event_ids: Sequence[int]) -> list[uuid.UUID]:
    """Fan undispatched events out into deliveries; returns the new delivery ids."""
    if not event_ids:
        return []
    ids = list(event_ids)
    async with db.unit_of_work() as session:
        if not await _anyone_subscribed(session, ids):
            # nobody to deliver to: mark them fanned out without loading a single event
            await session.execute(
                update(Event)
                .where(Event.id.in_(ids), Event.dispatched_at.is_(None))
                .values(dispatched_at=utcnow())
                .execution_options(synchronize_session=False)
            )
            return []
        found = (
            await session.scalars(
                select(Event)
                .where(Event.id.in_(ids), Event.dispatched_at.is_(None))
                .order_by(Event.id)
                .with_for_update(skip_locked=True)
            )
        ).all()
        if not found:
            return []
        workspace_ids = {e.workspace_id for e in found}
        subscriptions: dict[uuid.UUID, list[WebhookSubscription]] = defaultdict(list)
        for sub in await session.scalars(
            select(WebhookSubscription).where(
                WebhookSubscription.workspace_id.in_(workspace_ids),
                WebhookSubscription.active.is_(True),
            )
        ):
            subscriptions[sub.workspace_id].append(sub)
        wanted = [
            (event, sub)
            for event in found
            for sub in subscriptions.get(event.workspace_id, [])
            if wants(sub.events, event.type)
        ]
        rows: list[dict[str, Any]] = []
        if wanted:
            views = await _ticket_views(session, {e.ticket_id for e, _ in wanted if e.ticket_id})
            now = utcnow()
            bodies: dict[int, str] = {}
            for event, sub in wanted:
                if event.id not in bodies:
                    view = views.get(event.ticket_id) if event.ticket_id else None
                    bodies[event.id] = json.dumps(
                        event_payload(event, view), separators=(",", ":"), default=str
                    )
                rows.append(
                    {
                        "id": new_id(),
                        "workspace_id": event.workspace_id,
                        "subscription_id": sub.id,
                        "event_id": event.id,
                        "ticket_id": event.ticket_id,
                        "event_type": event.type,
                        "payload": bodies[event.id],
                        "status": "pending",
                        "attempts": 0,
                        "retry_step": 0,
                        "next_attempt_at": now,
                        "created_at": now,
                    }
                )
            # one cached statement, many parameter sets (a VALUES list recompiles each time)
            insert = pg_insert if dialect_name(session) == "postgresql" else sqlite_insert
            await session.execute(
                insert(WebhookDelivery).on_conflict_do_nothing(
                    index_elements=["subscription_id", "event_id"]
                ),
                rows,
            )
        await session.execute(
            update(Event).where(Event.id.in_([e.id for e in found])).values(dispatched_at=utcnow())
        )
        # deliveries of later events that a concurrent dispatch wrote first: they waited for
        # these events to be fanned out and go on now (a delivery of these events, if any,
        # comes first in its chain; the claim sends only chain heads)
        ticket_ids = {e.ticket_id for e in found if e.ticket_id is not None}
        waiting: list[uuid.UUID] = []
        if ticket_ids and subscriptions:
            waiting = list(
                await session.scalars(
                    select(WebhookDelivery.id).where(
                        WebhookDelivery.status == "pending",
                        WebhookDelivery.ticket_id.in_(ticket_ids),
                        WebhookDelivery.event_id > found[0].id,
                    )
                )
            )
    return list(dict.fromkeys([row["id"] for row in rows] + waiting))


async def _anyone_subscribed(session: Any, event_ids: list[int]) -> bool:
    """Whether an active subscription exists in any workspace these events belong to."""
    workspaces = select(Event.workspace_id).where(Event.id.in_(event_ids))
    found = await session.scalar(
        select(WebhookSubscription.id)
        .where(
            WebhookSubscription.workspace_id.in_(workspaces),
            WebhookSubscription.active.is_(True),
        )
        .limit(1)
    )
    return found is not None


async def _ticket_views(session: Any, ticket_ids: set[uuid.UUID]) -> dict[uuid.UUID, Any]:
    """Each ticket as GET /tickets/{ticket} shows it, batch-loaded per workspace."""
    if not ticket_ids:
        return {}
    tickets = (await session.scalars(select(Ticket).where(Ticket.id.in_(ticket_ids)))).all()
    by_workspace: dict[uuid.UUID, list[Ticket]] = defaultdict(list)
    for ticket in tickets:
        by_workspace[ticket.workspace_id].append(ticket)
    views: dict[uuid.UUID, Any] = {}
    for workspace_id, group in by_workspace.items():
        workspace = await session.get(Workspace, workspace_id)
        ctx = await tickets_repository.load_context(session, workspace, group)
        for ticket in group:
            view = tickets_repository.ticket_view(ticket, ctx)
            views[ticket.id] = TicketRead.model_validate(view).model_dump(mode="json")
    return views


async def undispatched_event_ids(db: Database, *, older_than: float, limit: int) -> list[int]:
    """Committed events nobody handed to a job (the process died between commit and enqueue)."""
    cutoff = utcnow() - timedelta(seconds=older_than)
    async with db.unit_of_work() as session:
        return list(
            await session.scalars(
                select(Event.id)
                .where(Event.dispatched_at.is_(None), Event.created_at <= cutoff)
                .order_by(Event.id)
                .limit(limit)
            )
        )
