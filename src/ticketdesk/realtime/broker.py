"""Fan-out of live updates to the WebSocket clients of every API process.

`Hub` holds this process's connections. A broker carries envelopes between processes: the
in-process `LocalBroker` (embedded default) hands them straight to the hub; `RedisBroker`
publishes them on one Redis channel that every API process subscribes to, and keeps presence
in Redis hashes so viewers on different processes see each other. Each connection has a
bounded queue: a client that cannot keep up is dropped instead of slowing the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Protocol

from redis.asyncio import Redis

from ticketdesk import events
from ticketdesk.config import Settings
from ticketdesk.db import Database
from ticketdesk.models import Event

log = logging.getLogger(__name__)

QUEUE_LIMIT = 256
PRESENCE_TTL_SECONDS = 90
PRESENCE_REFRESH_SECONDS = 30


class Socket(Protocol):
    async def send_text(self, data: str) -> None: ...

    async def close(self, code: int = 1000, reason: str | None = None) -> None: ...


@dataclass(eq=False)
class Connection:
    socket: Socket
    workspace_id: str
    user: dict[str, Any]
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    queue: asyncio.Queue[str] = field(default_factory=lambda: asyncio.Queue(QUEUE_LIMIT))
    viewing: str | None = None
    dropped: bool = False

    def offer(self, text: str) -> bool:
        """Queue a message; False when the client is too slow and must be dropped."""
        try:
            self.queue.put_nowait(text)
        except asyncio.QueueFull:
            return False
        return True

    async def pump(self) -> None:
        while True:
            await self.socket.send_text(await self.queue.get())


class Hub:
    """This process's sockets, by workspace and by the ticket each one is viewing."""

    def __init__(self) -> None:
        self.by_workspace: dict[str, set[Connection]] = defaultdict(set)
        self.viewers: dict[tuple[str, str], set[Connection]] = defaultdict(set)

    def add(self, conn: Connection) -> None:
        self.by_workspace[conn.workspace_id].add(conn)

    def remove(self, conn: Connection) -> None:
        self.by_workspace[conn.workspace_id].discard(conn)
        if not self.by_workspace[conn.workspace_id]:
            del self.by_workspace[conn.workspace_id]
        self.set_viewing(conn, None)

    def set_viewing(self, conn: Connection, ticket: str | None) -> None:
        if conn.viewing is not None:
            key = (conn.workspace_id, conn.viewing)
            self.viewers[key].discard(conn)
            if not self.viewers[key]:
                del self.viewers[key]
        conn.viewing = ticket
        if ticket is not None:
            self.viewers[(conn.workspace_id, ticket)].add(conn)

    def send(self, conns: set[Connection] | list[Connection], text: str) -> None:
        for conn in list(conns):
            if not conn.offer(text):
                self.drop(conn)

    def drop(self, conn: Connection) -> None:
        if conn.dropped:
            return
        conn.dropped = True
        log.info("dropping a slow live-update client (%s)", conn.user.get("name"))
        self.by_workspace.get(conn.workspace_id, set()).discard(conn)
        task = asyncio.create_task(_close(conn.socket, 1013, "too slow; reconnect"))
        _background.add(task)
        task.add_done_callback(_background.discard)


_background: set[asyncio.Task[None]] = set()


async def _close(socket: Socket, code: int, reason: str) -> None:
    with contextlib.suppress(Exception):
        await asyncio.wait_for(socket.close(code=code, reason=reason), 2)


def event_message(event: Event) -> str:
    """The `event` envelope: the event's own data beside its id, ticket, actor and time."""
    body = events.serialise(event)
    data = {**body["data"], **{k: body[k] for k in ("id", "ticket_id", "actor", "created_at")}}
    return json.dumps({"type": body["type"], "data": data}, default=str, separators=(",", ":"))


class Broker:
    """Envelopes: `event` (to a workspace), `presence` (a ticket's viewers changed), `typing`."""

    def __init__(self) -> None:
        self.hub = Hub()
        self.event_listener: events.EventListener | None = None  # set by start_broker

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def connected(self, conn: Connection) -> None:
        self.hub.add(conn)

    async def disconnected(self, conn: Connection) -> None:
        ticket = conn.viewing
        self.hub.remove(conn)
        if ticket is not None:
            await self._presence_changed(conn, ticket, viewing=False)

    async def view(self, conn: Connection, ticket: str | None) -> None:
        before = conn.viewing
        if before == ticket:
            return
        self.hub.set_viewing(conn, ticket)
        if before is not None:
            await self._presence_changed(conn, before, viewing=False)
        if ticket is not None:
            await self._presence_changed(conn, ticket, viewing=True)

    async def typing(self, conn: Connection, ticket: str) -> None:
        text = json.dumps({"type": "typing", "ticket": ticket, "user": conn.user})
        await self.publish(
            {"k": "typing", "ws": conn.workspace_id, "ticket": ticket, "from": conn.id, "t": text}
        )

    async def publish_events(self, events: list[Event]) -> None:
        for event in events:
            await self.publish(
                {"k": "event", "ws": str(event.workspace_id), "t": event_message(event)}
            )

    async def publish(self, envelope: dict[str, Any]) -> None:
        raise NotImplementedError

    async def _presence_changed(self, conn: Connection, ticket: str, *, viewing: bool) -> None:
        raise NotImplementedError

    async def presence_users(self, workspace_id: str, ticket: str) -> list[dict[str, Any]]:
        raise NotImplementedError

    async def handle(self, envelope: dict[str, Any]) -> None:
        """Deliver an envelope to this process's sockets."""
        kind, ws = envelope.get("k"), str(envelope.get("ws"))
        if kind == "event":
            self.hub.send(self.hub.by_workspace.get(ws, set()), envelope["t"])
        elif kind == "presence":
            ticket = envelope["ticket"]
            viewers = self.hub.viewers.get((ws, ticket))
            if viewers:
                users = await self.presence_users(ws, ticket)
                text = json.dumps({"type": "presence", "ticket": ticket, "users": users})
                self.hub.send(viewers, text)
        elif kind == "typing":
            viewers = self.hub.viewers.get((ws, envelope["ticket"]), set())
            self.hub.send([c for c in viewers if c.id != envelope["from"]], envelope["t"])


def _unique_users(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    users: dict[str, dict[str, Any]] = {}
    for user in entries:
        users.setdefault(str(user.get("id")), user)
    return sorted(users.values(), key=lambda u: (str(u.get("name")), str(u.get("id"))))


class LocalBroker(Broker):
    """One process: envelopes go straight to the hub; presence is the hub's own viewers."""

    async def publish(self, envelope: dict[str, Any]) -> None:
        await self.handle(envelope)

    async def _presence_changed(self, conn: Connection, ticket: str, *, viewing: bool) -> None:
        await self.handle({"k": "presence", "ws": conn.workspace_id, "ticket": ticket})

    async def presence_users(self, workspace_id: str, ticket: str) -> list[dict[str, Any]]:
        viewers = self.hub.viewers.get((workspace_id, ticket), set())
        return _unique_users([c.user for c in viewers])


class RedisBroker(Broker):
    """Many processes: one pub/sub channel; presence in a Redis hash per ticket."""

    def __init__(self, redis_url: str, prefix: str) -> None:
        super().__init__()
        self.redis: Redis = Redis.from_url(redis_url)
        self.channel = f"{prefix}:live"
        self.prefix = prefix
        self.listener: asyncio.Task[None] | None = None
        self.refresher: asyncio.Task[None] | None = None
        self.ready = asyncio.Event()

    async def start(self) -> None:
        return None  # subscribe lazily: processes without sockets (workers) only publish

    async def _ensure_listening(self) -> None:
        if self.listener is None:
            self.listener = asyncio.create_task(self._listen())
            self.refresher = asyncio.create_task(self._refresh_presence())
        await asyncio.wait_for(self.ready.wait(), 5)

    async def stop(self) -> None:
        for task in (self.listener, self.refresher):
            if task is not None:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        await self.redis.aclose()

    async def connected(self, conn: Connection) -> None:
        await self._ensure_listening()
        await super().connected(conn)

    async def publish(self, envelope: dict[str, Any]) -> None:
        await self.redis.publish(self.channel, json.dumps(envelope, default=str))

    def _key(self, workspace_id: str, ticket: str) -> str:
        return f"{self.prefix}:presence:{workspace_id}:{ticket}"

    async def _presence_changed(self, conn: Connection, ticket: str, *, viewing: bool) -> None:
        if viewing:
            await self._store_presence(conn, ticket)
        else:
            await self.redis.hdel(self._key(conn.workspace_id, ticket), conn.id)  # type: ignore[misc]
        await self.publish({"k": "presence", "ws": conn.workspace_id, "ticket": ticket})

    async def _store_presence(self, conn: Connection, ticket: str) -> None:
        key = self._key(conn.workspace_id, ticket)
        entry = json.dumps({"user": conn.user, "at": time.time()})
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.hset(key, conn.id, entry)
            pipe.expire(key, PRESENCE_TTL_SECONDS * 2)
            await pipe.execute()

    async def presence_users(self, workspace_id: str, ticket: str) -> list[dict[str, Any]]:
        entries = await self.redis.hgetall(self._key(workspace_id, ticket))  # type: ignore[misc]
        fresh = time.time() - PRESENCE_TTL_SECONDS
        users = []
        for raw in entries.values():
            entry = json.loads(raw)
            if entry.get("at", 0) >= fresh:
                users.append(entry["user"])
        return _unique_users(users)

    async def _listen(self) -> None:
        while True:
            try:
                async with self.redis.pubsub() as pubsub:
                    await pubsub.subscribe(self.channel)
                    self.ready.set()
                    async for message in pubsub.listen():
                        if message.get("type") != "message":
                            continue
                        try:
                            await self.handle(json.loads(message["data"]))
                        except Exception:
                            log.exception("bad live-update envelope")
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("live-update subscription lost; resubscribing")
                self.ready.clear()
                await asyncio.sleep(1)

    async def _refresh_presence(self) -> None:
        while True:
            await asyncio.sleep(PRESENCE_REFRESH_SECONDS)
            try:
                for (_ws, ticket), conns in list(self.hub.viewers.items()):
                    for conn in list(conns):
                        await self._store_presence(conn, ticket)
            except Exception:
                log.exception("presence refresh failed")


async def start_broker(db: Database, settings: Settings) -> Broker:
    """This process's broker, fed every event as its transaction commits."""
    broker: Broker
    if settings.redis_url:
        broker = RedisBroker(settings.redis_url, settings.queue_name)
    else:
        broker = LocalBroker()
    await broker.start()

    async def publish(_db: Database, new_events: list[Event]) -> None:
        await broker.publish_events(new_events)

    broker.event_listener = publish
    events.add_listener(db, publish)
    return broker


async def stop_broker(db: Database, broker: Broker) -> None:
    if broker.event_listener in db.event_listeners:
        db.event_listeners.remove(broker.event_listener)
    await broker.stop()
