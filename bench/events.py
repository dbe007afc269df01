"""Event backbone benchmark: webhook throughput and latency with arq workers, WebSocket fan-out.

Needs PostgreSQL and Redis (as the tests: TICKETDESK_TEST_PG, TICKETDESK_TEST_REDIS). Spawns
`ticketdesk worker` / `ticketdesk serve` processes against a scratch database and a unique
queue name, a local HTTP receiver in this process, then prints a table:

    .venv/bin/python bench/events.py [--events 2000] [--changes 200] [--sockets 500]

- deliveries/s: N committed events handed to the dispatch job (as the after-commit listener
  does), until the receiver has all N; with 1 and with 4 workers.
- event-to-delivery: PATCHes through the API at a steady pace; receiver arrival minus the
  event's `created_at` (same clock), p50/p99.
- fan-out: one change reaching S connected sockets (on one API process, Redis broker);
  arrival minus when its PATCH was sent (the PATCH's own time included), p50/p99 over
  several changes.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import uvicorn
from redis.asyncio import Redis
from sqlalchemy import select
from websockets.asyncio.client import connect

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from ticketdesk import wiring  # noqa: E402
from ticketdesk.auth.principal import Principal  # noqa: E402
from ticketdesk.config import Settings  # noqa: E402
from ticketdesk.db import Database  # noqa: E402
from ticketdesk.events import SYSTEM_ACTOR  # noqa: E402
from ticketdesk.jobs import ArqRunner  # noqa: E402
from ticketdesk.migrate import upgrade_async  # noqa: E402
from ticketdesk.models import Event, Workspace  # noqa: E402
from ticketdesk.tickets.schemas import TicketCreate, TicketUpdate  # noqa: E402
from ticketdesk.tickets.service import create_ticket, update_ticket  # noqa: E402
from ticketdesk.webhooks.schemas import WebhookCreate  # noqa: E402
from ticketdesk.webhooks.service import create_subscription  # noqa: E402
from ticketdesk.workspaces.service import create_workspace  # noqa: E402

wiring.register()  # the jobs and listeners this bench enqueues into

PG = os.environ.get("TICKETDESK_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
REDIS = os.environ.get("TICKETDESK_TEST_REDIS", "redis://127.0.0.1:6379/0")


class Receiver:
    def __init__(self) -> None:
        self.arrivals: dict[int, float] = {}
        self.count = 0
        self.port = 0

    async def app(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        now = time.time()
        self.count += 1
        self.arrivals.setdefault(json.loads(body)["data"]["event"]["id"], now)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    async def start(self) -> None:
        config = uvicorn.Config(
            self.app,
            host="127.0.0.1",
            port=0,
            log_level="error",
            lifespan="off",
            interface="asgi3",
            backlog=4096,
        )
        server = uvicorn.Server(config)
        self.task = asyncio.create_task(server.serve())
        while not server.started:
            await asyncio.sleep(0.01)
        self.port = server.servers[0].sockets[0].getsockname()[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.queue = f"td-bench-{uuid.uuid4().hex[:10]}"
        self.tmp = Path(tempfile.mkdtemp(prefix="td-bench-"))
        self.procs: list[subprocess.Popen[bytes]] = []

    async def setup(self) -> None:
        self.dbname = f"td_bench_{uuid.uuid4().hex[:8]}"
        conn = await asyncpg.connect(PG)
        await conn.execute(f'CREATE DATABASE "{self.dbname}"')
        await conn.close()
        base = PG.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
        self.url = f"{base}/{self.dbname}"
        self.settings = Settings(
            data_dir=self.tmp,
            database_url=self.url,
            redis_url=REDIS,
            queue_name=self.queue,
            secret_key="bench-secret",
            webhook_allow_private=True,
        )
        await upgrade_async(self.settings, self.url)
        self.db = Database(self.url)
        self.env = {
            **os.environ,
            "PYTHONPATH": str(ROOT / "src"),
            "TICKETDESK_DATABASE_URL": self.url,
            "TICKETDESK_REDIS_URL": REDIS,
            "TICKETDESK_QUEUE_NAME": self.queue,
            "TICKETDESK_WEBHOOK_ALLOW_PRIVATE": "true",
            "TICKETDESK_SECRET_KEY": "bench-secret",
            "TICKETDESK_DATA_DIR": str(self.tmp),
        }
        self.receiver = Receiver()
        await self.receiver.start()
        async with self.db.unit_of_work() as session:
            created = await create_workspace(
                session,
                name="Bench",
                slug="bench",
                admin_email="admin@bench.test",
                admin_password="admin-password",
                admin_name="Bench Admin",
            )
        self.workspace_id = created.workspace.id
        principal = Principal(
            workspace_id=created.workspace.id,
            kind="user",
            id=created.admin.id,
            name="Bench Admin",
            role="admin",
        )
        async with self.db.unit_of_work() as session:
            await create_subscription(
                session,
                principal,
                self.settings,
                WebhookCreate(url=f"http://127.0.0.1:{self.receiver.port}/hook", events=["*"]),
            )
        self.runner = ArqRunner(self.db, self.settings)
        await self.runner.start()

    def spawn(self, *args: str) -> subprocess.Popen[bytes]:
        log = open(self.tmp / f"{args[0]}-{len(self.procs)}.log", "wb")  # noqa: SIM115
        proc = subprocess.Popen(
            [sys.executable, "-m", "ticketdesk", *args],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.procs.append(proc)
        return proc

    def stop(self, procs: list[subprocess.Popen[bytes]]) -> None:
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()

    async def workers(self, n: int) -> list[subprocess.Popen[bytes]]:
        procs = [self.spawn("worker") for _ in range(n)]
        redis = Redis.from_url(REDIS)
        for _ in range(300):  # each worker writes its health-check key when polling
            if await redis.exists(f"{self.queue}:health-check"):
                break
            await asyncio.sleep(0.1)
        await redis.aclose()
        await asyncio.sleep(2.0)  # let the others import and start polling too
        return procs

    async def make_events(self, count: int) -> list[int]:
        """Commit `count` events (tickets created, then updated) that nobody has enqueued."""
        tickets = max(1, count // 2)
        async with self.db.unit_of_work() as session:
            workspace = await session.get(Workspace, self.workspace_id)
            assert workspace is not None
            made = []
            for i in range(tickets):
                made.append(
                    await create_ticket(
                        session,
                        workspace,
                        TicketCreate(subject=f"Bench {i}"),
                        actor=SYSTEM_ACTOR,
                        channel="api",
                    )
                )
            for i, ticket in enumerate(made[: count - tickets]):
                await update_ticket(
                    session,
                    workspace,
                    ticket,
                    TicketUpdate(subject=f"Bench {i} again"),
                    actor=SYSTEM_ACTOR,
                )
        async with self.db.unit_of_work() as session:
            return list(
                await session.scalars(
                    select(Event.id)
                    .where(Event.dispatched_at.is_(None), Event.workspace_id == self.workspace_id)
                    .order_by(Event.id)
                )
            )

    async def throughput(self, workers: int) -> float:
        # workers first, then the events: committed events left waiting while workers start
        # would be found by their outbox sweep (3 s grace) before the timer starts
        procs = await self.workers(workers)
        ids = await self.make_events(self.args.events)
        start = time.monotonic()
        for i in range(0, len(ids), 100):  # what the after-commit listener does
            await self.runner.enqueue("events.dispatch", {"event_ids": ids[i : i + 100]})
        wanted = set(ids)
        while not wanted <= self.receiver.arrivals.keys():
            await asyncio.sleep(0.02)
            if time.monotonic() - start > 300:
                raise SystemExit("throughput run did not finish in 5 minutes")
        elapsed = time.monotonic() - start
        self.stop(procs)
        return len(ids) / elapsed

    async def latency(self, workers: int) -> tuple[float, float]:
        procs = await self.workers(workers)
        port = free_port()
        procs.append(self.spawn("serve", "--port", str(port)))
        api = f"http://127.0.0.1:{port}"
        async with httpx.AsyncClient(base_url=f"{api}/api/v1", timeout=30) as client:
            await self._wait_healthy(client, api)
            token = await self._login(client)
            headers = {"Authorization": f"Bearer {token}"}
            ticket = (await client.post("/tickets", json={"subject": "L"}, headers=headers)).json()
            await asyncio.sleep(1)
            start_id = await self._max_event_id()
            for i in range(self.args.changes):
                await client.patch(
                    f"/tickets/{ticket['key']}", json={"subject": f"L{i}"}, headers=headers
                )
                await asyncio.sleep(0.05)
            await asyncio.sleep(2)
        async with self.db.unit_of_work() as session:
            rows = (
                await session.execute(select(Event.id, Event.created_at).where(Event.id > start_id))
            ).all()
        lat = [
            (self.receiver.arrivals[i] - created.timestamp()) * 1000
            for i, created in rows
            if i in self.receiver.arrivals
        ]
        self.stop(procs)
        return pct(lat, 0.5), pct(lat, 0.99)

    async def fanout(self) -> tuple[float, float, int]:
        port = free_port()
        procs = [self.spawn("serve", "--port", str(port))]
        api = f"http://127.0.0.1:{port}"
        arrivals: list[float] = []
        async with httpx.AsyncClient(base_url=f"{api}/api/v1", timeout=30) as client:
            await self._wait_healthy(client, api)
            token = await self._login(client)
            headers = {"Authorization": f"Bearer {token}"}
            ticket = (await client.post("/tickets", json={"subject": "F"}, headers=headers)).json()
            url = f"ws://127.0.0.1:{port}/api/v1/ws?token={token}"
            sockets = []
            for _ in range(self.args.sockets):
                sockets.append(await connect(url, max_queue=None))
            await asyncio.sleep(1)
            rounds = 5

            # when each change was sent: events carry whole-second times (as every response
            # does), too coarse for this, so a round is timed from its PATCH leaving here
            started: list[float] = []

            async def listen(ws: Any) -> None:
                seen = 0
                while seen < rounds:
                    message = json.loads(await ws.recv())
                    if message["type"] == "ticket.subject_changed":
                        arrivals.append((time.perf_counter() - started[seen]) * 1000)
                        seen += 1

            listeners = [asyncio.create_task(listen(ws)) for ws in sockets]
            for i in range(rounds):
                started.append(time.perf_counter())
                await client.patch(
                    f"/tickets/{ticket['key']}", json={"subject": f"F{i}"}, headers=headers
                )
                await asyncio.sleep(1.0)
            await asyncio.wait_for(asyncio.gather(*listeners), 30)
            for ws in sockets:
                await ws.close()
        self.stop(procs)
        return pct(arrivals, 0.5), pct(arrivals, 0.99), len(arrivals)

    async def _wait_healthy(self, client: httpx.AsyncClient, api: str) -> None:
        for _ in range(300):
            try:
                if (await client.get(f"{api}/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
        raise SystemExit("ticketdesk serve did not start")

    async def _login(self, client: httpx.AsyncClient) -> str:
        response = await client.post(
            "/auth/login",
            json={"email": "admin@bench.test", "password": "admin-password", "workspace": "bench"},
        )
        token: str = response.json()["access_token"]
        return token

    async def _max_event_id(self) -> int:
        async with self.db.unit_of_work() as session:
            rows = list(await session.scalars(select(Event.id).order_by(Event.id.desc()).limit(1)))
        return rows[0] if rows else 0

    async def teardown(self) -> None:
        self.stop(self.procs)
        await self.runner.stop()
        await self.db.dispose()
        conn = await asyncpg.connect(PG)
        await conn.execute(f'DROP DATABASE IF EXISTS "{self.dbname}" WITH (FORCE)')
        await conn.close()
        redis = Redis.from_url(REDIS)
        for pattern in (f"{self.queue}*", f"arq:*:{self.queue}:*"):
            async for key in redis.scan_iter(match=pattern, count=1000):
                await redis.delete(key)
        await redis.aclose()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--changes", type=int, default=200)
    parser.add_argument("--sockets", type=int, default=500)
    args = parser.parse_args()
    bench = Bench(args)
    await bench.setup()
    rows: list[tuple[str, str]] = []
    try:
        for workers in (1, 4):
            rate = await bench.throughput(workers)
            rows.append((f"deliveries/s, {workers} worker(s), {args.events} events", f"{rate:.0f}"))
            print(rows[-1], flush=True)
        for workers in (1, 4):
            p50, p99 = await bench.latency(workers)
            rows.append(
                (f"event-to-delivery, {workers} worker(s), p50 / p99", f"{p50:.0f} / {p99:.0f} ms")
            )
            print(rows[-1], flush=True)
        p50, p99, n = await bench.fanout()
        rows.append(
            (
                f"fan-out to {args.sockets} sockets ({n} arrivals), p50 / p99",
                f"{p50:.0f} / {p99:.0f} ms",
            )
        )
    finally:
        await bench.teardown()
    width = max(len(name) for name, _ in rows)
    print()
    print(f"{'measure'.ljust(width)}  result")
    for name, value in rows:
        print(f"{name.ljust(width)}  {value}")
    print(f"(one run each, {os.cpu_count()} CPUs shared with whatever else runs)")


if __name__ == "__main__":
    asyncio.run(main())
