"""Benchmark of the ticket core on PostgreSQL with a million seeded tickets (prints figures).

    TICKETDESK_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1/td_bench \\
        .venv/bin/python bench/core.py --reuse

The API runs as `ticketdesk serve` in a subprocess; the load comes from this process (httpx
on asyncio). Measured: create throughput at concurrency 32 against the same transaction in
raw asyncpg (the ceiling), `GET /tickets` latency for page 1 and page 200 under five filters,
`/tickets/stats` (unfiltered, from the counters; and with 3 filters next to the same filter's
first list page), PATCH of the status, and the API process's RSS afterwards.

Without `--reuse` the scratch database (its name must start with `td_bench`) is dropped,
created and seeded; with `--reuse` an existing seeded workspace is used as it is (seeding a
million tickets takes minutes).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_URL = "postgresql+asyncpg://postgres@127.0.0.1/td_bench"
WORKSPACE = "demo"
ADMIN = ("admin@demo.test", "demo-password")
AGENT = "ada@demo.test"  # an agent of the seeded demo workspace who owns tickets
TARGET_LIST_P99_MS = 25.0
TARGET_CREATE_RATIO = 0.40
TARGET_RSS_MB = 200.0
TARGET_STATS_P99_MS = 25.0  # unfiltered stats (counters)
TARGET_FILTERED_STATS_RATIO = 3.0  # filtered stats vs the same filter's first list page
THREE_FILTERS = {"status": "open", "priority": "urgent,high", "assignee": "me"}
SUBJECTS = [
    "Refund for order {n}",
    "Cannot log in after password reset",
    "App crashes when uploading a photo",
    "Invoice {n} shows the wrong VAT number",
    "Dashboard is very slow since this morning",
]
LABEL_SETS = [["refund", "billing"], ["bug"], ["login", "security"], [], ["vip"]]


def percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def asyncpg_dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def child_env(url: str) -> dict[str, str]:
    env = dict(os.environ)
    env["TICKETDESK_DATABASE_URL"] = url
    env["PYTHONPATH"] = str(ROOT / "src")
    env.setdefault("TICKETDESK_DATA_DIR", str(ROOT / "data" / "bench"))
    return env


async def seeded_tickets(dsn: str) -> int:
    conn = await asyncpg.connect(dsn)
    try:
        exists = await conn.fetchval("SELECT to_regclass('workspaces') IS NOT NULL")
        if not exists:
            return 0
        counter = await conn.fetchval(
            "SELECT next_ticket_number FROM workspaces WHERE slug = $1", WORKSPACE
        )
        return int(counter) - 1 if counter else 0
    finally:
        await conn.close()


async def recreate_database(dsn: str) -> None:
    base, name = dsn.rsplit("/", 1)
    if not name.startswith("td_bench"):
        raise SystemExit(f"refusing to drop {name!r}: the bench database must be named td_bench*")
    conn = await asyncpg.connect(f"{base}/postgres")
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


async def prepare(url: str, tickets: int, reuse: bool) -> None:
    dsn = asyncpg_dsn(url)
    if reuse:
        try:
            have = await seeded_tickets(dsn)
        except asyncpg.InvalidCatalogNameError:
            have = 0
        if have >= tickets:
            print(f"reusing {have:,} seeded tickets in workspace {WORKSPACE!r}")
            return
        print(f"only {have:,} tickets seeded; seeding")
    if not reuse or have == 0:
        await recreate_database(dsn)
        have = 0
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "ticketdesk",
            "seed",
            "--tickets",
            str(tickets - have),
            "--no-reports",
        ],
        env=child_env(url),
        check=True,
    )
    print(f"seeded {tickets - have:,} tickets in {time.perf_counter() - started:.0f} s")
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("VACUUM ANALYZE")
    finally:
        await conn.close()


class Api:
    """The `ticketdesk serve` subprocess and an httpx client logged in to it."""

    def __init__(self, url: str, port: int, *, workers: int = 1, redis: str | None = None) -> None:
        self.port = port
        self.base = f"http://127.0.0.1:{port}/api/v1"
        env = child_env(url)
        if redis:  # the scaled-out shape: jobs go to an arq worker, the API only serves
            env["TICKETDESK_REDIS_URL"] = redis
            env["TICKETDESK_QUEUE_NAME"] = f"td-bench:{port}"
        self.log = open(ROOT / "data" / "bench-serve.log", "wb")  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "-m", "ticketdesk", "serve", "--port", str(port)]
            + ["--workers", str(workers)],
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self.worker = (
            subprocess.Popen(
                [sys.executable, "-m", "ticketdesk", "worker"],
                env=env,
                stdout=self.log,
                stderr=subprocess.STDOUT,
            )
            if redis
            else None
        )
        limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
        self.client = httpx.AsyncClient(base_url=self.base, limits=limits, timeout=60)
        self.tokens: dict[str, str] = {}

    async def start(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit("ticketdesk serve exited; see data/bench-serve.log")
            try:
                if (await self.client.get(f"http://127.0.0.1:{self.port}/healthz")).is_success:
                    break
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
        else:
            raise SystemExit("ticketdesk serve did not come up in 60 s")
        for who, email in (("admin", ADMIN[0]), ("agent", AGENT)):
            response = await self.client.post(
                "/auth/login",
                json={"email": email, "password": ADMIN[1], "workspace": WORKSPACE},
            )
            response.raise_for_status()
            self.tokens[who] = response.json()["access_token"]

    def headers(self, who: str = "admin") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    def pids(self) -> list[int]:
        """The API processes: `serve`, and its children when it runs several workers."""
        pids = [self.process.pid]
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:
                pids.append(int(stat.parent.name))
        return pids

    def cpu_seconds(self) -> float:
        """User + system CPU time the API processes have used (load-independent service time)."""
        total = 0
        for pid in self.pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])
        return total / os.sysconf("SC_CLK_TCK")

    def rss_mb(self) -> float:
        """The largest resident size among the API processes."""
        sizes = []
        for pid in self.pids():
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    sizes.append(int(line.split()[1]) / 1024)
        return max(sizes, default=float("nan"))

    async def stop(self) -> None:
        await self.client.aclose()
        for process in (self.process, self.worker):
            if process is None:
                continue
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        self.log.close()


async def timed(samples: list[float], call: Awaitable[httpx.Response]) -> httpx.Response:
    started = time.perf_counter()
    response = await call
    samples.append((time.perf_counter() - started) * 1000)
    if response.status_code >= 400:
        raise SystemExit(f"{response.request.method} {response.request.url}: {response.text}")
    return response


async def list_latency(
    api: Api, name: str, params: dict[str, str], who: str, repeat: int
) -> list[tuple[str, float, float, float]]:
    """p50/p99 of page 1, and of page 200 fetched again and again with its cursor."""
    rows = []
    headers = api.headers(who)
    first: list[float] = []
    cpu = api.cpu_seconds()
    for _ in range(repeat):
        await timed(first, api.client.get("/tickets", params=params, headers=headers))
    cpu_ms = (api.cpu_seconds() - cpu) / repeat * 1000
    rows.append((f"{name} page 1", percentile(first, 50), percentile(first, 99), cpu_ms))
    cursor = None
    walk: list[float] = []
    for _ in range(199):
        response = await timed(
            walk,
            api.client.get("/tickets", params={**params, "cursor": cursor or ""}, headers=headers)
            if cursor
            else api.client.get("/tickets", params=params, headers=headers),
        )
        cursor = response.json()["next_cursor"]
        if cursor is None:
            rows.append((f"{name} page 200", float("nan"), float("nan"), float("nan")))
            return rows
    page200: list[float] = []
    cpu = api.cpu_seconds()
    for _ in range(repeat):
        response = await timed(
            page200,
            api.client.get("/tickets", params={**params, "cursor": cursor}, headers=headers),
        )
    assert response.json()["items"], "page 200 is empty"
    cpu_ms = (api.cpu_seconds() - cpu) / repeat * 1000
    rows.append((f"{name} page 200", percentile(page200, 50), percentile(page200, 99), cpu_ms))
    return rows


async def run_concurrently(
    total: int, concurrency: int, work: Callable[[int], Awaitable[None]]
) -> float:
    """Run `work(i)` for i in range(total) with `concurrency` workers; returns seconds taken."""
    counter = iter(range(total))

    async def worker() -> None:
        for i in counter:
            await work(i)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - started


def create_body(i: int, rng: random.Random) -> dict[str, Any]:
    return {
        "subject": rng.choice(SUBJECTS).format(n=i),
        "description": "Created by the benchmark.",
        "priority": rng.choice(["low", "normal", "high", "urgent"]),
        "labels": rng.choice(LABEL_SETS),
        "requester": {"email": f"bench{rng.randrange(2000)}@example.com", "name": "Bench User"},
    }


async def api_creates(api: Api, total: int, concurrency: int) -> float:
    rng = random.Random(7)
    headers = api.headers("admin")

    async def create(i: int) -> None:
        response = await api.client.post("/tickets", json=create_body(i, rng), headers=headers)
        if response.status_code != 201:
            raise SystemExit(f"create failed: {response.status_code} {response.text}")

    return total / await run_concurrently(total, concurrency, create)


async def raw_creates(dsn: str, total: int, concurrency: int) -> float:
    """The API's create transaction as bare SQL on asyncpg: the ceiling for the API."""
    conn = await asyncpg.connect(dsn)
    workspace_id = await conn.fetchval("SELECT id FROM workspaces WHERE slug = $1", WORKSPACE)
    await conn.close()
    rng = random.Random(8)
    pool = await asyncpg.create_pool(dsn, min_size=concurrency, max_size=concurrency)

    async def create(i: int) -> None:
        body = create_body(i, rng)
        now = datetime.now(UTC)
        async with pool.acquire() as conn, conn.transaction():
            await conn.execute(
                "INSERT INTO contacts (id, workspace_id, email, name, created_at) "
                "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (workspace_id, email) DO NOTHING",
                uuid.uuid4(),
                workspace_id,
                body["requester"]["email"],
                body["requester"]["name"],
                now,
            )
            contact_id = await conn.fetchval(
                "SELECT id FROM contacts WHERE workspace_id = $1 AND email = $2",
                workspace_id,
                body["requester"]["email"],
            )
            labels: list[Any] = []
            if body["labels"]:
                names = sorted(body["labels"])
                await conn.execute(
                    "INSERT INTO labels (id, workspace_id, name, created_at) "
                    "SELECT gen_random_uuid(), $1, n, $3 FROM unnest($2::text[]) AS n "
                    "ON CONFLICT (workspace_id, name) DO NOTHING",
                    workspace_id,
                    names,
                    now,
                )
                labels = await conn.fetch(
                    "SELECT id, name FROM labels WHERE workspace_id = $1 AND name = ANY($2)",
                    workspace_id,
                    names,
                )
            number = await conn.fetchval(
                "UPDATE workspaces SET next_ticket_number = next_ticket_number + 1 "
                "WHERE id = $1 RETURNING next_ticket_number - 1",
                workspace_id,
            )
            ticket_id = uuid.uuid4()
            await conn.execute(
                "INSERT INTO tickets (id, workspace_id, number, subject, description, status, "
                "status_category, status_changed_at, priority, priority_rank, type, category, "
                "channel, requester_id, custom_fields, sla_state, created_at, updated_at, "
                "version) VALUES ($1, $2, $3, $4, $5, 'open', 'open', $6, $7, $8, NULL, NULL, "
                "'api', $9, '{}', 'none', $6, $6, 1)",
                ticket_id,
                workspace_id,
                number,
                body["subject"],
                body["description"],
                now,
                body["priority"],
                ["low", "normal", "high", "urgent"].index(body["priority"]),
                contact_id,
            )
            if labels:
                await conn.executemany(
                    "INSERT INTO ticket_labels (ticket_id, label_id) VALUES ($1, $2)",
                    [(ticket_id, row["id"]) for row in labels],
                )
            await conn.execute(
                "INSERT INTO events (workspace_id, ticket_id, type, actor_kind, actor_id, "
                "actor_name, data, created_at) VALUES ($1, $2, 'ticket.created', 'system', "
                "NULL, 'bench', $3::jsonb, $4)",
                workspace_id,
                ticket_id,
                json.dumps({"ticket": f"TKT-{number}", "subject": body["subject"]}),
                now,
            )

    try:
        return total / await run_concurrently(total, concurrency, create)
    finally:
        await pool.close()


async def simple_latency(
    repeat: int, call: Callable[[int], Awaitable[httpx.Response]]
) -> tuple[float, float, float]:
    samples: list[float] = []
    for i in range(repeat):
        await timed(samples, call(i))
    return percentile(samples, 50), percentile(samples, 99), max(samples)


async def three_filter_stats(api: Api, repeat: int) -> tuple[str, str, str]:
    """Stats with status, priority and assignee filters against the same filter's first list
    page, interleaved so that both see the same machine; judged on the p50s."""
    headers = api.headers("agent")
    stats: list[float] = []
    page: list[float] = []
    for _ in range(repeat):
        await timed(stats, api.client.get("/tickets/stats", params=THREE_FILTERS, headers=headers))
        await timed(page, api.client.get("/tickets", params=THREE_FILTERS, headers=headers))
    ratio = percentile(stats, 50) / percentile(page, 50)
    for name, samples in (("stats with 3 filters", stats), ("list page 1, same 3 filters", page)):
        p50, p99 = percentile(samples, 50), percentile(samples, 99)
        print(f"{name:44} {p50:8.1f} {p99:8.1f} {max(samples):8.1f}")
    print(f"{'stats/list p50 with 3 filters':44} {ratio:8.1f}x")
    verdict = "ok" if ratio <= TARGET_FILTERED_STATS_RATIO else "MISSED"
    figure = f"p50 {percentile(stats, 50):.1f} ms = {ratio:.1f}x list p50"
    return ("stats with 3 filters", figure, verdict)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reuse", action="store_true", help="use the seeded database as it is")
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=200, help="requests per latency figure")
    parser.add_argument("--creates", type=int, default=6000, help="in all, over the rounds")
    parser.add_argument("--rounds", type=int, default=5, help="alternating API/ceiling rounds")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    parser.add_argument("--q", default="invoice", help="the full-text word for the q= figure")
    parser.add_argument("--skip-create", action="store_true")
    parser.add_argument("--only-create", action="store_true", help="skip the latency figures")
    parser.add_argument("--workers", type=int, default=1, help="API processes (>1 needs --redis)")
    parser.add_argument(
        "--redis",
        help="scaled out: jobs go through arq on this Redis to a `ticketdesk worker` process",
    )
    args = parser.parse_args()
    url = os.environ.get("TICKETDESK_DATABASE_URL", DEFAULT_URL)
    if not url.startswith("postgresql"):
        raise SystemExit("the benchmark needs PostgreSQL (TICKETDESK_DATABASE_URL)")
    (ROOT / "data").mkdir(exist_ok=True)
    await prepare(url, args.tickets, args.reuse)
    print(f"load before: {os.getloadavg()[0]:.2f} (1 min) on {os.cpu_count()} cores")

    if args.workers > 1 and not args.redis:
        raise SystemExit("--workers > 1 needs --redis")
    api = Api(url, args.port or free_port(), workers=args.workers, redis=args.redis)
    shape = f"{args.workers} API process(es)" + (", arq worker on Redis" if args.redis else "")
    print(f"shape: {shape}")
    results: list[tuple[str, str, str]] = []
    try:
        await api.start()
        if not args.only_create:
            lists = [
                ("(a) no filter", {}, "admin"),
                ("(b) status=open", {"status": "open"}, "admin"),
                (
                    "(c) assignee=me&priority=urgent,high",
                    {"assignee": "me", "priority": "urgent,high"},
                    "agent",
                ),
                ("(d) label=refund", {"label": "refund"}, "admin"),
                (f"(e) q={args.q}", {"q": args.q}, "admin"),
            ]
            # warm the API (first requests compile statements) and the database cache
            for _, params, who in lists:
                for _ in range(3):
                    await api.client.get("/tickets", params=params, headers=api.headers(who))
            print(f"\n{'GET /tickets':44} {'p50 ms':>8} {'p99 ms':>8} {'API cpu':>8}")
            for name, params, who in lists:
                figures = await list_latency(api, name, params, who, args.repeat)
                for label, p50, p99, cpu_ms in figures:
                    print(f"{label:44} {p50:8.1f} {p99:8.1f} {cpu_ms:8.1f}")
                    ok = p99 < TARGET_LIST_P99_MS
                    results.append((label, f"p99 {p99:.1f} ms", "ok" if ok else "MISSED"))

            stats_rows = [
                ("stats (no filter)", {}, "admin"),
                ("stats status=open", {"status": "open"}, "admin"),
                ("stats assignee=me", {"assignee": "me"}, "agent"),
                ("stats label=refund", {"label": "refund"}, "admin"),
                (f"stats q={args.q}", {"q": args.q}, "admin"),
            ]
            print(f"\n{'GET /tickets/stats':44} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
            for name, params, who in stats_rows:
                p50, p99, worst = await simple_latency(
                    max(10, args.repeat // 4),
                    lambda _i, params=params, who=who: api.client.get(
                        "/tickets/stats", params=params, headers=api.headers(who)
                    ),
                )
                print(f"{name:44} {p50:8.1f} {p99:8.1f} {worst:8.1f}")
                verdict = "-"
                if not params:
                    verdict = "ok" if p99 < TARGET_STATS_P99_MS else "MISSED"
                results.append((name, f"p99 {p99:.1f} ms", verdict))
            results.append(await three_filter_stats(api, max(10, args.repeat // 4)))

            rng = random.Random(3)
            numbers = [rng.randrange(1, args.tickets) for _ in range(args.repeat)]
            statuses = ["open", "in_progress", "waiting", "resolved"]
            p50, p99, worst = await simple_latency(
                args.repeat,
                lambda i: api.client.patch(
                    f"/tickets/TKT-{numbers[i]}",
                    json={"status": statuses[i % len(statuses)]},
                    headers=api.headers("admin"),
                ),
            )
            print(f"\n{'PATCH /tickets/{key} status':44} {p50:8.1f} {p99:8.1f} {worst:8.1f}")
            results.append(("PATCH status", f"p99 {p99:.1f} ms", "-"))

        if not args.skip_create:
            await api_creates(api, 200, args.concurrency)  # warm-up
            # API and ceiling alternate, so that the machine's drift (checkpoints, autovacuum,
            # the disk's fsync latency) reaches both alike; the verdict is the median round
            print(f"\ncreate at concurrency {args.concurrency}, {args.rounds} alternating rounds")
            rounds = []
            per_round = max(1, args.creates // args.rounds)
            for number in range(1, args.rounds + 1):
                cpu = api.cpu_seconds()
                api_rate = await api_creates(api, per_round, args.concurrency)
                create_cpu_ms = (api.cpu_seconds() - cpu) / per_round * 1000
                raw_rate = await raw_creates(asyncpg_dsn(url), per_round, args.concurrency)
                rounds.append((api_rate / raw_rate, api_rate, raw_rate))
                print(
                    f"  round {number}: API {api_rate:.0f}/s, raw asyncpg ceiling "
                    f"{raw_rate:.0f}/s, API/ceiling {api_rate / raw_rate:.0%}; "
                    f"API cpu {create_cpu_ms:.1f} ms per create"
                )
            ratio, api_rate, raw_rate = sorted(rounds)[len(rounds) // 2]
            results.append(
                (
                    "create API/ceiling (median round)",
                    f"{api_rate:.0f}/s vs {raw_rate:.0f}/s = {ratio:.0%}",
                    "ok" if ratio >= TARGET_CREATE_RATIO else "MISSED",
                )
            )
        rss = api.rss_mb()
        print(f"\nAPI process RSS after the run: {rss:.0f} MB")
        results.append(("API RSS", f"{rss:.0f} MB", "ok" if rss < TARGET_RSS_MB else "MISSED"))
    finally:
        await api.stop()
    print(f"load after: {os.getloadavg()[0]:.2f} (1 min)")
    print("\nsummary")
    for name, figure, verdict in results:
        print(f"  {name:44} {figure:32} {verdict}")


if __name__ == "__main__":
    asyncio.run(main())
