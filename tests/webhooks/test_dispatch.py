"""The outbox fan-out: committed events become deliveries, in order, none lost, none extra."""

from __future__ import annotations

import json
import re
import uuid
from datetime import timedelta

from sqlalchemy import insert, select

from tests.webhooks.conftest import signed_by, subscribe
from ticketdesk.db import utcnow
from ticketdesk.jobs import InProcessRunner, JobContext
from ticketdesk.models import Event, WebhookDelivery
from ticketdesk.webhooks.delivery import deliver
from ticketdesk.webhooks.dispatch import dispatch_events
from ticketdesk.webhooks.tasks import DISPATCH_JOB, dispatch_job, on_events, sweep_outbox


async def test_a_ticket_keeps_its_order_when_dispatch_jobs_finish_out_of_order(
    tenant, receiver, db, settings
):
    everything = await subscribe(tenant, receiver, ["*"])
    status_only = await subscribe(tenant, receiver, ["ticket.status_changed"])
    db.event_listeners.remove(on_events)  # hold the after-commit hand-off: we run it ourselves
    try:
        ticket = await tenant.create_ticket()
        await tenant.patch(f"/tickets/{ticket['key']}", json={"status": "in_progress"})
    finally:
        db.event_listeners.append(on_events)
    async with db.unit_of_work() as session:
        created_id, changed_id = await session.scalars(
            select(Event.id).where(Event.ticket_id == uuid.UUID(ticket["id"])).order_by(Event.id)
        )
    ctx = JobContext(db, settings, "test-dispatch")

    await dispatch_job(ctx, [changed_id])  # the later event's job wins the race
    assert receiver.requests == []  # neither hook may see the change before the creation

    await dispatch_job(ctx, [created_id])
    requests = await receiver.wait_for(3)

    def seen_by(hook):
        return [r.json["type"] for r in requests if signed_by(hook["secret"], r)]

    assert seen_by(everything) == ["ticket.created", "ticket.status_changed"]
    assert seen_by(status_only) == ["ticket.status_changed"]


async def test_an_event_never_handed_to_a_job_is_swept_up(tenant, receiver, db, settings):
    await subscribe(tenant, receiver, ["ticket.merged"])
    async with db.unit_of_work() as session:  # as if the process died right after commit
        await session.execute(
            insert(Event).values(
                workspace_id=uuid.UUID(tenant.workspace_id),
                ticket_id=None,
                type="ticket.merged",
                actor_kind="system",
                data={"note": "orphan"},
                created_at=utcnow() - timedelta(seconds=30),
            )
        )
    await sweep_outbox(JobContext(db, settings, "test-sweep"))
    await db.job_runner.drain()
    (request,) = await receiver.wait_for(1)
    assert request.json["data"]["event"]["data"] == {"note": "orphan"}
    assert request.json["data"]["ticket"] is None
    # and a second sweep finds nothing left to send
    await sweep_outbox(JobContext(db, settings, "test-sweep"))
    await db.job_runner.drain()
    assert len(receiver.requests) == 1


async def test_commits_while_a_dispatch_waits_ride_along_in_it(tenant, receiver, db, settings):
    """Under load the in-process queue folds later commits' events into a dispatch job that
    has not started yet: one job, and every event delivered."""
    await subscribe(tenant, receiver, ["ticket.created"])
    db.event_listeners.remove(on_events)  # collect the ids instead of dispatching at once
    try:
        tickets = [await tenant.create_ticket(subject=f"burst {i}") for i in range(5)]
    finally:
        db.event_listeners.append(on_events)
    async with db.unit_of_work() as session:
        ids = list(
            await session.scalars(
                select(Event.id)
                .where(Event.workspace_id == uuid.UUID(tenant.workspace_id))
                .order_by(Event.id)
            )
        )
    runner = InProcessRunner(db, settings, concurrency=1)
    for event_id in ids:  # five commits' hand-offs before the runner's worker gets a turn
        await runner.enqueue(DISPATCH_JOB, {"event_ids": [event_id]})
    assert runner.queue.qsize() == 1
    await runner.start()
    try:
        requests = await receiver.wait_for(5)
    finally:
        await runner.stop()
    assert sorted(r.json["data"]["ticket"]["key"] for r in requests) == sorted(
        t["key"] for t in tickets
    )


async def test_events_nobody_subscribed_to_are_marked_dispatched(tenant, db):
    ticket = await tenant.create_ticket()
    await db.job_runner.drain()
    async with db.unit_of_work() as session:
        pending = await session.scalars(
            select(Event.id).where(
                Event.ticket_id == uuid.UUID(ticket["id"]), Event.dispatched_at.is_(None)
            )
        )
        assert list(pending) == []


async def test_one_delivery_per_subscription_that_wants_the_event_and_none_else(
    tenant, other_tenant, receiver, db, settings
):
    prefix = await subscribe(tenant, receiver, ["ticket.*"])
    everything = await subscribe(tenant, receiver, ["*"])
    comments_only = await subscribe(tenant, receiver, ["conversation.created"])
    paused = await subscribe(tenant, receiver, ["ticket.created"], active=False)
    elsewhere = await subscribe(other_tenant, receiver, ["*"])
    db.event_listeners.remove(on_events)  # hold the after-commit hand-off: we run it ourselves
    try:
        ticket = await tenant.create_ticket(subject="Fan me out", priority="high")
    finally:
        db.event_listeners.append(on_events)
    async with db.unit_of_work() as session:
        (created_id,) = await session.scalars(
            select(Event.id).where(
                Event.ticket_id == uuid.UUID(ticket["id"]), Event.type == "ticket.created"
            )
        )

    created = await dispatch_events(db, [created_id])
    assert await dispatch_events(db, [created_id]) == []  # fanned out once, never twice

    async with db.unit_of_work() as session:
        rows = (
            await session.scalars(
                select(WebhookDelivery).where(WebhookDelivery.event_id == created_id)
            )
        ).all()
    assert sorted(str(r.id) for r in rows) == sorted(str(i) for i in created)
    assert sorted(str(r.subscription_id) for r in rows) == sorted([prefix["id"], everything["id"]])
    for hook in (comments_only, paused, elsewhere):
        assert str(hook["id"]) not in {str(r.subscription_id) for r in rows}
    # one body for the event, whichever subscription gets it; its ticket is GET /tickets/{key}
    (payload,) = {r.payload for r in rows}
    body = json.loads(payload)
    assert body["type"] == "ticket.created"
    assert body["data"]["ticket"] == (await tenant.get(f"/tickets/{ticket['key']}")).json()
    assert body["data"]["event"]["id"] == created_id
    assert set(body) == {"type", "timestamp", "data"}
    assert set(body["data"]) == {"ticket", "changes", "actor", "event"}
    # RFC 3339 in UTC, the very time the timeline shows for this event
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", body["timestamp"])
    timeline = (await tenant.get(f"/tickets/{ticket['key']}/activity")).json()["items"]
    assert body["timestamp"] == next(e for e in timeline if e["id"] == created_id)["created_at"]
    admin = tenant.users["admin"]
    assert body["data"]["actor"] == {"kind": "user", "id": admin["id"], "name": admin["name"]}

    assert await deliver(db, settings, created) == 2
    requests = await receiver.wait_for(2)
    assert sorted(r.headers["webhook-id"] for r in requests) == sorted(
        f"msg_{r.id.hex}" for r in rows
    )
    assert [signed_by(prefix["secret"], r) for r in requests].count(True) == 1
    assert [signed_by(everything["secret"], r) for r in requests].count(True) == 1
