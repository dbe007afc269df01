"""Python opcodes per request (a deterministic count, unaffected by machine load).

    PYTHONPATH=src .venv/bin/python bench/opcodes.py [--without-reports] [--tickets 300]

One process, in-process ASGI (httpx.ASGITransport), a fresh PostgreSQL database migrated by
Alembic (dropped at the end), `TICKETDESK_EMBEDDED_JOBS=false` (no crons run inside a
request). After `--tickets` tickets are created and two warm-up rounds, each request is run
`--repeat` times under `sys.settrace` with opcode events, and the median count is printed:
the server's work and the client's together (the client's part is the same on both sides of
a comparison). `--without-reports` leaves the reports observer out of the wiring, the build a
write-cost target is measured against. `--fields` defines bench/fields.py's ten custom fields
and its `claim` type, and counts a claim's create with none of them and with all ten (the
fields room's +10 % target, on the Python side alone).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from types import FrameType
from typing import Any

os.environ["TICKETDESK_EMBEDDED_JOBS"] = "false"
os.environ.setdefault("TICKETDESK_INSECURE_FAST_PASSWORD_HASHING", "1")

import asyncpg  # noqa: E402
import httpx  # noqa: E402

from ticketdesk import wiring  # noqa: E402
from ticketdesk.app import create_app  # noqa: E402
from ticketdesk.config import Settings  # noqa: E402
from ticketdesk.db import Database  # noqa: E402
from ticketdesk.migrate import upgrade_async  # noqa: E402
from ticketdesk.workspaces.service import create_workspace  # noqa: E402

ADMIN_DSN = os.environ.get("TICKETDESK_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


class Counter:
    """Counts opcode events of every frame while active."""

    def __init__(self) -> None:
        self.count = 0

    def _trace(self, frame: FrameType, event: str, arg: Any) -> Any:
        frame.f_trace_opcodes = True
        if event == "opcode":
            self.count += 1
        return self._trace

    def start(self) -> None:
        self.count = 0
        sys.settrace(self._trace)

    def stop(self) -> int:
        sys.settrace(None)
        return self.count


async def counted(request: Callable[[], Awaitable[httpx.Response]], repeat: int) -> int:
    samples = []
    counter = Counter()
    for _ in range(repeat):
        counter.start()
        response = await request()
        samples.append(counter.stop())
        if response.status_code >= 400:
            raise SystemExit(f"{response.request.url}: {response.status_code} {response.text}")
    return int(statistics.median(samples))


async def run(args: argparse.Namespace) -> dict[str, int]:
    if args.without_reports:
        wiring.TICKET_OBSERVERS = tuple(
            o for o in wiring.TICKET_OBSERVERS if o.__module__ != "ticketdesk.reports.service"
        )
    name = f"td_opcodes_{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(ADMIN_DSN)
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    url = f"{ADMIN_DSN.rsplit('/', 1)[0].replace('postgresql://', 'postgresql+asyncpg://')}/{name}"
    try:
        with tempfile.TemporaryDirectory(prefix="td-opcodes-") as data:
            settings = Settings(
                data_dir=Path(data), database_url=url, secret_key="bench", embedded_jobs=False
            )
            await upgrade_async(settings, url)
            db = Database(url)
            try:
                return await measure(settings, db, args)
            finally:
                await db.dispose()
    finally:
        conn = await asyncpg.connect(ADMIN_DSN)
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()


async def measure(settings: Settings, db: Database, args: argparse.Namespace) -> dict[str, int]:
    async with db.unit_of_work() as session:
        await create_workspace(
            session,
            name="Bench",
            slug="bench",
            admin_email="admin@bench.test",
            admin_password="admin-password",
            admin_name="Alice Admin",
        )
    app = create_app(settings, database=db)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://testserver/api/v1"
        ) as client:
            login = await client.post(
                "/auth/login",
                json={
                    "email": "admin@bench.test",
                    "password": "admin-password",
                    "workspace": "bench",
                },
            )
            headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
            keys = []
            for n in range(args.tickets):
                made = await client.post(
                    "/tickets",
                    json={"subject": f"Printer {n} on fire", "priority": "normal"},
                    headers=headers,
                )
                keys.append(made.json()["key"])
            key = keys[len(keys) // 2]
            priorities = iter(["high", "normal"] * 1000)

            def create() -> Awaitable[httpx.Response]:
                body = {"subject": "Printer on fire", "assignee_id": None}
                return client.post("/tickets", json=body, headers=headers)

            def patch() -> Awaitable[httpx.Response]:
                body = {"priority": next(priorities)}
                return client.patch(f"/tickets/{key}", json=body, headers=headers)

            requests: dict[str, Callable[[], Awaitable[httpx.Response]]] = {
                "GET /tickets?status=open&limit=25": lambda: client.get(
                    "/tickets", params={"status": "open", "limit": 25}, headers=headers
                ),
                "GET /tickets/{key}": lambda: client.get(f"/tickets/{key}", headers=headers),
                "POST /tickets": create,
                "PATCH /tickets/{key} (priority)": patch,
            }
            if args.fields:
                requests.update(await claim_creates(client, headers))
            for request in requests.values():  # warm-up: caches, compiled statements
                for _ in range(2):
                    await request()
            return {name: await counted(request, args.repeat) for name, request in requests.items()}


async def claim_creates(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> dict[str, Callable[[], Awaitable[httpx.Response]]]:
    """bench/fields.py's fields and claim type defined; its two creates, as requests."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import fields  # bench/ is no package

    for field in fields.FIELDS:
        made = await client.post("/custom-fields", json=fields._body(field), headers=headers)
        made.raise_for_status()
    await client.post("/ticket-types", json={"key": "claim", "name": "Claim"}, headers=headers)
    numbers = iter(range(1_000_000))

    def claim(with_fields: bool) -> Awaitable[httpx.Response]:
        return client.post(
            "/tickets", json=fields.create_body(next(numbers), with_fields), headers=headers
        )

    return {
        "POST /tickets (claim, no fields)": lambda: claim(False),
        "POST /tickets (claim, 10 fields)": lambda: claim(True),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--without-reports", action="store_true", help="no reports observer")
    parser.add_argument("--tickets", type=int, default=300, help="tickets created first")
    parser.add_argument("--repeat", type=int, default=5, help="measured requests (median)")
    parser.add_argument("--fields", action="store_true", help="also a claim with ten fields")
    args = parser.parse_args()
    figures = asyncio.run(run(args))
    shape = "without the reports observer" if args.without_reports else "with reports"
    print(f"Python opcodes per request ({shape}, median of {args.repeat})")
    for name, count in figures.items():
        print(f"{name:<40} {count:>10,}")


if __name__ == "__main__":
    main()
