"""The activity log: one writer, one announcement, one JSON shape."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import select

from ticketdesk import events
from ticketdesk.models import Event


async def test_a_batch_of_rows_keeps_its_order_and_is_announced_after_commit(db, tenant):
    workspace_id = uuid.UUID(tenant.workspace_id)
    heard: list[Event] = []

    async def listener(_db, new_events):
        heard.extend(new_events)

    at = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    rows = [
        events.event_row(
            workspace_id=workspace_id,
            ticket_id=None,
            type="test.batch",
            actor=events.system_actor("bench"),
            data={"n": n, "when": at},
            created_at=at,
        )
        for n in range(250)
    ]
    db.event_listeners.append(listener)
    try:
        async with db.unit_of_work() as session:
            ids = await events.record_rows(session, rows)
            assert heard == []  # nothing is announced before the commit
    finally:
        db.event_listeners.remove(listener)
    assert len(ids) == 250 and ids == sorted(ids)
    async with db.unit_of_work() as session:
        stored = {e.id: e for e in await session.scalars(select(Event).where(Event.id.in_(ids)))}
    assert [stored[i].data["n"] for i in ids] == list(range(250))
    assert stored[ids[0]].data["when"] == "2026-03-01T09:30:00+00:00"
    assert (stored[ids[0]].actor_kind, stored[ids[0]].actor_name) == ("system", "bench")
    assert sorted(e.id for e in heard) == ids


async def test_every_consumer_gets_the_same_shape(db, tenant):
    actor = events.Actor("user", uuid.uuid4(), "Ada")
    async with db.unit_of_work() as session:
        event = events.record(
            session,
            workspace_id=uuid.UUID(tenant.workspace_id),
            ticket_id=None,
            type="test.shape",
            actor=actor,
            data={"ticket": "TKT-1"},
        )
    body = events.serialise(event)
    assert body["actor"] == {"kind": "user", "id": str(actor.id), "name": "Ada"}
    assert body["created_at"] == event.created_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert body["data"] == {"ticket": "TKT-1"}
    assert isinstance(body["id"], int)
    assert events.timestamp(datetime(2026, 11, 21, 9, 30, tzinfo=UTC)) == "2026-11-21T09:30:00Z"
