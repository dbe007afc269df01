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
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk import events
from ticketdesk.db import Database, new_id, utcnow
from ticketdesk.models import Event, Ticket, WebhookSubscription
from ticketdesk.tickets import service as tickets
from ticketdesk.webhooks import repository

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


def event_payload(event: Event, ticket: dict[str, Any] | None) -> dict[str, Any]:
    """The webhook body: the contract's `type`, `timestamp`, `data.ticket`, `data.changes`."""
    body = events.serialise(event)
    return {
        "type": body["type"],
        "timestamp": body["created_at"],
        "data": {
            "ticket": ticket,
            "changes": changes_of(event),
            "actor": body["actor"],
            "event": {"id": body["id"], "data": body["data"]},
        },
    }


async def dispatch_events(db: Database, event_ids: Sequence[int]) -> list[uuid.UUID]:
    """Fan undispatched events out into deliveries; returns the new delivery ids."""
    if not event_ids:
        return []
    ids = list(event_ids)
    async with db.unit_of_work() as session:
        if not await repository.anyone_subscribed(session, ids):
            # nobody to deliver to: mark them fanned out without loading a single event
            await repository.skip_unsubscribed(session, ids, utcnow())
            return []
        found = await repository.lock_undispatched(session, ids)
        if not found:
            return []
        workspace_ids = {e.workspace_id for e in found}
        subscriptions: dict[uuid.UUID, list[WebhookSubscription]] = defaultdict(list)
        for sub in await repository.active_subscriptions(session, workspace_ids):
            subscriptions[sub.workspace_id].append(sub)
        wanted = [
            (event, sub)
            for event in found
            for sub in subscriptions.get(event.workspace_id, [])
            if wants(sub.events, event.type)
        ]
        rows: list[dict[str, Any]] = []
        if wanted:
            bodies_of = await _ticket_bodies(
                session, {e.ticket_id for e, _ in wanted if e.ticket_id}
            )
            now = utcnow()
            bodies: dict[int, str] = {}
            for event, sub in wanted:
                if event.id not in bodies:
                    ticket = bodies_of.get(event.ticket_id) if event.ticket_id else None
                    bodies[event.id] = json.dumps(
                        event_payload(event, ticket), separators=(",", ":"), default=str
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
            await repository.insert_deliveries(session, rows)
        await repository.mark_dispatched(session, [e.id for e in found], utcnow())
        # deliveries of later events that a concurrent dispatch wrote first: they waited for
        # these events to be fanned out and go on now (a delivery of these events, if any,
        # comes first in its chain; the claim sends only chain heads)
        ticket_ids = {e.ticket_id for e in found if e.ticket_id is not None}
        waiting: list[uuid.UUID] = []
        if ticket_ids and subscriptions:
            waiting = await repository.pending_later_deliveries(session, ticket_ids, found[0].id)
    return list(dict.fromkeys([row["id"] for row in rows] + waiting))


async def _ticket_bodies(
    session: AsyncSession, ticket_ids: set[uuid.UUID]
) -> dict[uuid.UUID, dict[str, Any]]:
    """Each ticket as GET /tickets/{ticket} shows it, batch-loaded per workspace."""
    if not ticket_ids:
        return {}
    by_workspace: dict[uuid.UUID, list[Ticket]] = defaultdict(list)
    for ticket in await repository.tickets_by_id(session, ticket_ids):
        by_workspace[ticket.workspace_id].append(ticket)
    bodies: dict[uuid.UUID, dict[str, Any]] = {}
    for workspace_id, group in by_workspace.items():
        workspace = await repository.get_workspace(session, workspace_id)
        assert workspace is not None
        for ticket, read in zip(
            group, await tickets.ticket_reads(session, workspace, group), strict=True
        ):
            bodies[ticket.id] = read.model_dump(mode="json")
    return bodies


async def undispatched_event_ids(db: Database, *, older_than: float, limit: int) -> list[int]:
    """Committed events nobody handed to a job (the process died between commit and enqueue)."""
    cutoff = utcnow() - timedelta(seconds=older_than)
    async with db.unit_of_work() as session:
        return await repository.undispatched_event_ids(session, cutoff=cutoff, limit=limit)
