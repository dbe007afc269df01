"""Queue benchmarks on PostgreSQL: bulk update of 1,000 tickets, and export memory growth.

    .venv/bin/python bench/queue_ops.py [--tickets 1000000] [--reuse] [--database NAME]

Seeds a scratch database (`td_queue_bench`) with `seed_demo`, runs `ticketdesk serve` in a
child process, and measures through HTTP: the wall time of `POST /tickets/bulk` for 1,000
tickets, and the server's resident memory while it streams `GET /tickets/export.csv`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import asyncpg
import httpx

from ticketdesk.config import Settings
from ticketdesk.migrate import upgrade_async
from ticketdesk.seed import seed_demo

ROOT = Path(__file__).resolve().parents[1]
ADMIN_DSN = os.environ.get("TICKETDESK_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
SLUG, EMAIL, PASSWORD = "bench", "admin@bench.test", "bench-password"


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def prepare(name: str, tickets: int, reuse: bool, data_dir: Path) -> str:
    base = ADMIN_DSN.rsplit("/", 1)[0]
    conn = await asyncpg.connect(ADMIN_DSN)
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if exists and not reuse:
            await conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        if not exists or not reuse:
            await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    url = f"{base.replace('postgresql://', 'postgresql+asyncpg://')}/{name}"
    settings = Settings(database_url=url, data_dir=data_dir)
    await upgrade_async(settings, url)
    seeded = await asyncpg.connect(f"{base}/{name}")
    try:
        have = await seeded.fetchval("SELECT count(*) FROM tickets") or 0
    finally:
        await seeded.close()
    if have and have < tickets:
        # seed_demo cannot top a workspace up (its contacts would collide): use what is there
        print(f"reusing {have:,} tickets (fewer than {tickets:,}; drop the database to reseed)")
    elif have < tickets:
        started = time.perf_counter()
        await seed_demo(
            settings,
            slug=SLUG,
            tickets=tickets - have,
            admin_email=EMAIL,
            admin_password=PASSWORD,
            quiet=True,
        )
        print(f"seeded {tickets - have:,} tickets in {time.perf_counter() - started:.0f} s")
    return url


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def bench(url: str, data_dir: Path, *, export: bool = True) -> None:
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT / "src"),
        "TICKETDESK_DATABASE_URL": url,
        "TICKETDESK_DATA_DIR": str(data_dir),
        "TICKETDESK_SECRET_KEY": "bench",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "ticketdesk", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=600) as client:
            for _ in range(300):
                try:
                    if (await client.get("/healthz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.2)
            login = await client.post(
                "/api/v1/auth/login",
                json={"email": EMAIL, "password": PASSWORD, "workspace": SLUG},
            )
            login.raise_for_status()
            client.headers["Authorization"] = f"Bearer {login.json()['access_token']}"
            await run_bulk(client)
            if export:
                await run_export(client, server.pid)
    finally:
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()  # never leave a server (and its crons) running under later benchmarks
            server.wait()


async def run_bulk(client: httpx.AsyncClient) -> None:
    users = (await client.get("/api/v1/users")).json()
    agent = next(
        u for u in (users["items"] if isinstance(users, dict) else users) if u["role"] == "agent"
    )
    change_sets = [
        {"status": "in_progress", "priority": "high"},
        {"assignee_id": agent["id"], "add_labels": ["bench"], "remove_labels": ["vip"]},
        {
            "status": "waiting",
            "priority": "urgent",
            "assignee_id": agent["id"],
            "add_labels": ["bench-2"],
        },
    ]
    total = (await client.get("/api/v1/tickets/stats")).json()["total"]
    base = random.randrange(0, max(1, total - 3000))  # fresh tickets on every --reuse run
    for run, changes in enumerate(change_sets):
        first = base + run * 1000 + 1
        keys = [f"TKT-{n}" for n in range(first, first + 1000)]
        started = time.perf_counter()
        response = await client.post(
            "/api/v1/tickets/bulk", json={"tickets": keys, "changes": changes}
        )
        elapsed = time.perf_counter() - started
        response.raise_for_status()
        ok = sum(r["ok"] for r in response.json()["results"])
        print(f"bulk 1000 tickets {sorted(changes)}: {elapsed:.2f} s ({ok} ok)")


async def run_export(client: httpx.AsyncClient, pid: int) -> None:
    total = (await client.get("/api/v1/tickets/stats")).json()["total"]
    before = rss_mb(pid)
    peak = before
    rows = -1
    started = time.perf_counter()
    async with client.stream("GET", "/api/v1/tickets/export.csv") as response:
        response.raise_for_status()
        last_sample = 0.0
        async for _line in response.aiter_lines():
            rows += 1
            now = time.perf_counter()
            if now - last_sample > 0.25:
                peak, last_sample = max(peak, rss_mb(pid)), now
    elapsed = time.perf_counter() - started
    peak = max(peak, rss_mb(pid))
    print(
        f"export {rows:,} rows (stats total {total:,}) in {elapsed:.0f} s; "
        f"server RSS {before:.0f} MB -> peak {peak:.0f} MB (growth {peak - before:.0f} MB)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--database", default="td_queue_bench")
    parser.add_argument("--reuse", action="store_true", help="keep an already seeded database")
    parser.add_argument("--skip-export", action="store_true", help="only the bulk figures")
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="td-queue-bench-"))

    async def run() -> None:
        url = await prepare(args.database, args.tickets, args.reuse, data_dir)
        await bench(url, data_dir, export=not args.skip_export)

    asyncio.run(run())


if __name__ == "__main__":
    main()
