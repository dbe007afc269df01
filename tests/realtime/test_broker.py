"""The broker and its hub without a socket: fan-out to a workspace, slow clients dropped,
the broker fed by the database's commits between start_broker and stop_broker."""

from __future__ import annotations

import asyncio
import json
import uuid

from tests.support import eventually
from ticketdesk.config import Settings
from ticketdesk.db import Database, utcnow
from ticketdesk.models import Event
from ticketdesk.realtime.broker import (
    QUEUE_LIMIT,
    Connection,
    Hub,
    LocalBroker,
    start_broker,
    stop_broker,
)


class StuckSocket:
    """A network peer that stopped reading: every send blocks."""

    def __init__(self) -> None:
        self.closed_with: int | None = None

    async def send_text(self, data: str) -> None:
        await asyncio.Event().wait()

    async def close(self, code: int = 1000, reason: str | None = None) -> None:
        self.closed_with = code


class FastSocket:
    def __init__(self) -> None:
        self.received: list[str] = []

    async def send_text(self, data: str) -> None:
        self.received.append(data)

    async def close(self, code: int = 1000, reason: str | None = None) -> None:
        pass


async def test_a_slow_client_is_dropped_and_the_others_keep_up():
    hub = Hub()
    stuck, fast = StuckSocket(), FastSocket()
    slow_conn = Connection(stuck, "ws", {"id": "1", "name": "slow"})
    fast_conn = Connection(fast, "ws", {"id": "2", "name": "fast"})
    hub.add(slow_conn)
    hub.add(fast_conn)
    pumps = [asyncio.create_task(c.pump()) for c in (slow_conn, fast_conn)]
    for i in range(QUEUE_LIMIT + 10):
        hub.send(hub.by_workspace["ws"], str(i))
        await asyncio.sleep(0)

    async def settled() -> bool:  # the pumps have done their work
        return slow_conn.dropped and len(fast.received) == QUEUE_LIMIT + 10

    await eventually(settled, "the slow client dropped and the fast one served")
    assert slow_conn.dropped
    assert stuck.closed_with == 1013
    assert hub.by_workspace["ws"] == {fast_conn}
    assert len(fast.received) == QUEUE_LIMIT + 10
    for pump in pumps:
        pump.cancel()


async def test_a_started_broker_hears_commits_for_its_workspace_until_stopped() -> None:
    db = Database("sqlite+aiosqlite:///:memory:")
    try:
        broker = await start_broker(
            db, Settings(database_url="sqlite+aiosqlite:///:memory:", redis_url=None)
        )
        assert isinstance(broker, LocalBroker)
        assert broker.event_listener in db.event_listeners
        ours, theirs = FastSocket(), FastSocket()
        workspace = uuid.uuid4()
        mine = Connection(ours, str(workspace), {"id": "1", "name": "Ada"})
        other = Connection(theirs, str(uuid.uuid4()), {"id": "2", "name": "Eve"})
        for conn in (mine, other):
            await broker.connected(conn)
        pumps = [asyncio.create_task(c.pump()) for c in (mine, other)]
        event = Event(
            id=7,
            workspace_id=workspace,
            ticket_id=None,
            type="ticket.note",
            actor_kind="system",
            actor_id=None,
            actor_name="Ticketdesk",
            data={"note": "hi"},
            created_at=utcnow(),
        )
        for listener in list(db.event_listeners):  # what a commit does with its new events
            await listener(db, [event])

        async def pumped() -> list[str]:
            return ours.received

        await eventually(pumped, "the event on our socket")
        (received,) = [json.loads(text) for text in ours.received]
        assert received["type"] == "ticket.note"
        assert received["data"]["note"] == "hi"
        assert (received["data"]["id"], received["data"]["ticket_id"]) == (7, None)
        assert received["data"]["actor"] == {"kind": "system", "id": None, "name": "Ticketdesk"}
        assert received["data"]["created_at"].endswith("Z")
        assert theirs.received == []

        await stop_broker(db, broker)
        assert broker.event_listener not in db.event_listeners
        for pump in pumps:
            pump.cancel()
    finally:
        await db.dispose()
