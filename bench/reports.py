"""Benchmark of reports on PostgreSQL with seeded tickets (prints figures, not a test).

    TICKETDESK_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1/td_bench \\
        .venv/bin/python bench/reports.py --reuse

The demo workspace of bench/core.py (seeded the same way; `--reuse` keeps it) first gets its
metrics and rollups from `ticketdesk reports rebuild` (timed, and extrapolated to 1,000,000
tickets). Measured then, against `ticketdesk serve`: p50/p99 of every report (the 30-day
default, and 90 days, where the rollups answer), and what keeping the metrics costs: create
throughput and a bulk change of 1,000 tickets with the reports observer and without it
(a server whose wiring leaves it out), in alternating rounds, medians compared.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parent))

import core  # noqa: E402  (bench/ is no package)
from core import (  # noqa: E402
    WORKSPACE,
    Api,
    api_creates,
    asyncpg_dsn,
    free_port,
    percentile,
    prepare,
    timed,
)

DEFAULT_URL = "postgresql+asyncpg://postgres@127.0.0.1/td_bench"
TARGET_REPORT_P99_MS = 200.0
TARGET_KEEPING_OVERHEAD = 0.10
TARGET_REBUILD_SECONDS_AT_1M = 600.0
# a server without the reports observer: the same code, its wiring minus one entry
WITHOUT_REPORTS = """
from ticketdesk import wiring
wiring.TICKET_OBSERVERS = tuple(
    o for o in wiring.TICKET_OBSERVERS if o.__module__ != "ticketdesk.reports.service"
)
"""


def reports(now: datetime) -> list[tuple[str, str, dict[str, str]]]:
    last90 = {"from": (now - timedelta(days=90)).isoformat(), "to": now.isoformat()}
    return [
        ("volume created 30 d (day)", "/reports/volume", {}),
        ("volume created 90 d by priority", "/reports/volume", {**last90, "group_by": "priority"}),
        ("volume solved 90 d (week)", "/reports/volume", {**last90, "metric": "solved"}),
        ("volume backlog 90 d", "/reports/volume", {**last90, "metric": "backlog"}),
        ("volume created 30 d, priority=high", "/reports/volume", {"priority": "high"}),
        ("response-times 30 d", "/reports/response-times", {}),
        (
            "response-times 90 d by agent",
            "/reports/response-times",
            {**last90, "group_by": "agent"},
        ),
        ("response-times 30 d by label", "/reports/response-times", {"group_by": "label"}),
        ("agents 30 d", "/reports/agents", {}),
        ("sla 30 d", "/reports/sla", {}),
        ("sla 90 d", "/reports/sla", last90),
        ("csat 30 d", "/reports/csat", {}),
        # bench/fields.py's fields (when it has defined them): exact, from the raw rows
        ("fields cf.reason counts 30 d", "/reports/fields", {"field": "cf.reason"}),
        (
            "fields cf.amount sum 30 d by priority",
            "/reports/fields",
            {"field": "cf.amount", "agg": "sum", "group_by": "priority"},
        ),
        (
            "fields cf.units avg 90 d by cf.region",
            "/reports/fields",
            {**last90, "field": "cf.units", "agg": "avg", "group_by": "cf.region"},
        ),
        ("volume 30 d as CSV", "/reports/volume", {"csv": "1"}),
    ]


def rebuild(url: str) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds of the rebuild process (load-independent), tickets."""
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "ticketdesk", "reports", "rebuild", "--workspace", WORKSPACE],
        env=core.child_env(url),
        check=True,
        capture_output=True,
        text=True,
    )
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_seconds = after.ru_utime + after.ru_stime - cpu.ru_utime - cpu.ru_stime
    return time.perf_counter() - started, cpu_seconds, int(summary["tickets"])


async def report_latency(api: Api, repeat: int) -> list[tuple[str, float, float, str]]:
    rows = []
    now = datetime.now(UTC)
    for name, path, params in reports(now):
        headers = api.headers("admin")
        if params.pop("csv", None):
            headers = {**headers, "Accept": "text/csv"}
        samples: list[float] = []
        source = ""
        if path == "/reports/fields":
            probe = await api.client.get(path, params=params, headers=headers)
            if probe.status_code == 422:  # no such field: bench/fields.py has not run here
                print(f"{name}: skipped ({probe.json().get('detail', '')})")
                continue
        for _ in range(repeat):
            response = await timed(samples, api.client.get(path, params=params, headers=headers))
            if not source and response.headers["content-type"].startswith("application/json"):
                source = response.json().get("source", "")
        rows.append((name, percentile(samples, 50), percentile(samples, 99), source or "csv"))
    return rows


async def bulk_seconds(api: Api, keys: list[str], status: str) -> float:
    started = time.perf_counter()
    response = await api.client.post(
        "/tickets/bulk",
        json={"tickets": keys, "changes": {"status": status}},
        headers=api.headers("admin"),
        timeout=600,
    )
    if response.status_code != 200:
        raise SystemExit(f"bulk failed: {response.status_code} {response.text[:300]}")
    failed = [r for r in response.json()["results"] if not r["ok"]]
    if failed:
        raise SystemExit(f"bulk refused {len(failed)} tickets: {failed[0]}")
    return time.perf_counter() - started


async def open_keys(dsn: str, count: int) -> list[str]:
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch(
            "SELECT w.ticket_prefix || '-' || t.number AS key FROM tickets t"
            " JOIN workspaces w ON w.id = t.workspace_id"
            " WHERE w.slug = $1 AND t.status = 'open' AND t.merged_into_id IS NULL"
            # tickets that have metrics (not those a round without the observer created): the
            # cost compared is keeping a row current, not building a missing one
            " AND EXISTS (SELECT 1 FROM ticket_metrics m WHERE m.ticket_id = t.id)"
            " ORDER BY t.created_at DESC LIMIT $2",
            WORKSPACE,
            count,
        )
        return [r["key"] for r in rows]
    finally:
        await conn.close()


class Shape:
    """Start the API with the reports observer (`with`) or without it."""

    def __init__(self, url: str, port: int, keeping: bool) -> None:
        self.url, self.port, self.keeping = url, port, keeping
        self.dir = tempfile.TemporaryDirectory(prefix="td-bench-reports-")
        if not keeping:
            Path(self.dir.name, "sitecustomize.py").write_text(WITHOUT_REPORTS)

    async def __aenter__(self) -> Api:
        original = core.child_env

        def env(url: str) -> dict[str, str]:
            values = original(url)
            if not self.keeping:
                values["PYTHONPATH"] = os.pathsep.join([self.dir.name, values["PYTHONPATH"]])
            return values

        core.child_env = env
        try:
            self.api = Api(self.url, self.port)
        finally:
            core.child_env = original
        await self.api.start()
        return self.api

    async def __aexit__(self, *exc: object) -> None:
        await self.api.stop()
        self.dir.cleanup()


async def keeping_cost(
    url: str, rounds: int, creates: int, concurrency: int, bulk: int
) -> dict[str, Any]:
    dsn = asyncpg_dsn(url)
    per_shape: dict[bool, dict[str, list[float]]] = {
        True: {"create": [], "bulk": []},
        False: {"create": [], "bulk": []},
    }
    for round_number in range(rounds):
        for keeping in (True, False) if round_number % 2 == 0 else (False, True):
            async with Shape(url, free_port(), keeping) as api:
                per_shape[keeping]["create"].append(
                    await api_creates(api, creates // rounds, concurrency)
                )
                keys = await open_keys(dsn, bulk)
                if len(keys) == bulk:
                    per_shape[keeping]["bulk"].append(await bulk_seconds(api, keys, "waiting"))
                    await bulk_seconds(api, keys, "open")  # as they were
    out: dict[str, Any] = {}
    for name in ("create", "bulk"):
        with_it = statistics.median(per_shape[True][name]) if per_shape[True][name] else None
        without = statistics.median(per_shape[False][name]) if per_shape[False][name] else None
        out[name] = (with_it, without)
    return out


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reuse", action="store_true", help="use the seeded database as it is")
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=100, help="requests per latency figure")
    parser.add_argument("--rounds", type=int, default=4, help="alternating with/without rounds")
    parser.add_argument("--creates", type=int, default=2000, help="in all, over the rounds")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--bulk", type=int, default=1000, help="tickets per bulk change")
    parser.add_argument("--skip-rebuild", action="store_true", help="metrics are already built")
    parser.add_argument("--skip-cost", action="store_true", help="only the report latencies")
    args = parser.parse_args()
    url = os.environ.get("TICKETDESK_DATABASE_URL", DEFAULT_URL)
    (core.ROOT / "data").mkdir(exist_ok=True)
    await prepare(url, args.tickets, args.reuse)
    if not args.skip_rebuild:
        seconds, cpu_seconds, tickets = rebuild(url)
        at_1m = seconds / max(tickets, 1) * 1_000_000
        verdict = "ok" if at_1m < TARGET_REBUILD_SECONDS_AT_1M else "OVER TARGET"
        print(
            f"rebuild: {tickets:,} tickets in {seconds:.1f} s, {cpu_seconds:.1f} s CPU in its "
            f"process ({tickets / seconds:,.0f} tickets/s; 1,000,000 in ~{at_1m / 60:.1f} min "
            f"at this rate) {verdict}"
        )
    async with Shape(url, free_port(), keeping=True) as api:
        print(f"\n{'report':<40} {'p50 ms':>8} {'p99 ms':>8}  source")
        for name, p50, p99, source in await report_latency(api, args.repeat):
            flag = "" if p99 < TARGET_REPORT_P99_MS else "  OVER TARGET"
            print(f"{name:<40} {p50:8.1f} {p99:8.1f}  {source}{flag}")
    if args.skip_cost:
        return
    cost = await keeping_cost(url, args.rounds, args.creates, args.concurrency, args.bulk)
    print("\nkeeping the metrics (medians of alternating rounds)")
    creates_with, creates_without = cost["create"]
    overhead = creates_without / creates_with - 1
    print(
        f"create: {creates_with:.0f}/s with, {creates_without:.0f}/s without "
        f"(+{overhead:.1%} time per create; target <= {TARGET_KEEPING_OVERHEAD:.0%})"
    )
    bulk_with, bulk_without = cost["bulk"]
    if bulk_with is not None and bulk_without is not None:
        print(
            f"bulk of {args.bulk}: {bulk_with:.2f} s with, {bulk_without:.2f} s without "
            f"(+{bulk_with / bulk_without - 1:.1%})"
        )


if __name__ == "__main__":
    asyncio.run(main())
