"""Benchmark of custom fields on PostgreSQL with a million seeded tickets (prints figures).

    TICKETDESK_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1/td_bench \\
        .venv/bin/python bench/fields.py --reuse

The demo workspace of bench/core.py (seeded the same way) gets 10 fields defined and values
on every ticket. Measured: `GET /tickets` p50/p99 for an equality, a range and a set filter
(first page and page 200), create with 10 fields validated against create with none, and a
bulk change of 1,000 tickets that validates every rule (a lifecycle and the fields).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from pathlib import Path
from typing import Any

import asyncpg
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from core import (  # noqa: E402  (bench/ is no package)
    ROOT,
    TARGET_LIST_P99_MS,
    Api,
    asyncpg_dsn,
    free_port,
    percentile,
    prepare,
    simple_latency,
)

DEFAULT_URL = "postgresql+asyncpg://postgres@127.0.0.1/td_bench"
TARGET_CREATE_OVERHEAD = 0.10
REASONS = ["damaged", "lost", "unwanted", "late", "wrong_item"]
REGIONS = ["eu", "us", "apac", "latam"]
TAGS = ["fragile", "gift", "bulk", "express"]
FIELDS: list[dict[str, Any]] = [
    {"key": "reason", "label": "Reason", "kind": "dropdown", "options": REASONS},
    {"key": "region", "label": "Region", "kind": "dropdown", "options": REGIONS},
    {"key": "tags", "label": "Tags", "kind": "multi_select", "options": TAGS},
    {"key": "amount", "label": "Amount", "kind": "decimal", "validation": {"min": 0}},
    {"key": "units", "label": "Units", "kind": "integer", "validation": {"min": 1, "max": 1000}},
    {"key": "due", "label": "Due", "kind": "date"},
    {"key": "vip", "label": "VIP", "kind": "checkbox"},
    {"key": "order_id", "label": "Order", "kind": "text", "validation": {"max_length": 40}},
    {"key": "contact_email", "label": "Contact", "kind": "email"},
    {"key": "note", "label": "Note", "kind": "long_text"},
]
# every ticket gets these, drawn per row in SQL (the due date only on one ticket in twenty)
FILL = """
UPDATE tickets SET custom_fields = jsonb_strip_nulls(jsonb_build_object(
    'reason', (ARRAY['damaged','lost','unwanted','late','wrong_item'])[1 + (number % 5)],
    'region', (ARRAY['eu','us','apac','latam'])[1 + (number % 4)],
    'tags', to_jsonb(ARRAY[(ARRAY['fragile','gift','bulk','express'])[1 + (number % 4)]]),
    'amount', to_char((number::bigint * 7919 % 100000) / 100.0, 'FM99990.00'),
    'units', 1 + number % 50,
    'due', CASE WHEN number % 20 = 0
        THEN to_char(DATE '2026-01-01' + (number % 365), 'YYYY-MM-DD') END,
    'vip', number % 10 = 0,
    'order_id', 'A-' || number
)) WHERE workspace_id = (SELECT id FROM workspaces WHERE slug = 'demo')
"""


def _body(field: dict[str, Any]) -> dict[str, Any]:
    body = dict(field)
    if "options" in body:
        body["options"] = [{"value": v, "label": v.title()} for v in body["options"]]
    return body


async def fill_values(dsn: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        filled = await conn.fetchval(
            "SELECT count(*) FROM (SELECT 1 FROM tickets WHERE custom_fields ? 'reason' "
            "LIMIT 1000) AS t"
        )
        if filled >= 1000:
            print("values already filled in")
            return
        started = time.perf_counter()
        await conn.execute(FILL)
        await conn.execute("VACUUM ANALYZE tickets")
        print(f"filled in the values in {time.perf_counter() - started:.0f} s")
    finally:
        await conn.close()


async def define_fields(api: Api) -> None:
    for field in FIELDS:
        response = await api.client.post("/custom-fields", json=_body(field), headers=api.headers())
        if response.status_code == 409:  # defined by an earlier run: (re)build its indexes
            response = await api.client.patch(
                f"/custom-fields/{field['key']}", json={"filterable": True}, headers=api.headers()
            )
        if response.status_code not in (200, 201):
            raise SystemExit(f"defining {field['key']}: {response.status_code} {response.text}")
    await api.client.post(
        "/ticket-types",
        json={"key": "claim", "name": "Claim"},
        headers=api.headers(),
    )
    response = await api.client.patch(
        "/ticket-types/claim",
        json={
            "transitions": [{"from": "*", "to": ["open", "in_progress", "waiting", "resolved"]}],
            "required_fields": {"resolved": ["reason", "amount"]},
        },
        headers=api.headers(),
    )
    response.raise_for_status()


async def wait_for_indexes(dsn: str, timeout: float = 1800) -> None:
    """The range indexes are built after the definitions commit (CONCURRENTLY, in the API
    process's job runner): wait until they are valid, then analyze."""
    conn = await asyncpg.connect(dsn)
    try:
        deadline = time.monotonic() + timeout
        started = time.monotonic()
        while True:
            ready = await conn.fetchval(
                "SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                "WHERE c.relname LIKE 'ix_tickets_cf_%' AND i.indisvalid"
            )
            # GIN (0012) + amount, units (numbers) + due (text)
            if ready >= 4:
                break
            if time.monotonic() > deadline:
                raise SystemExit("the field indexes were not built in time")
            await asyncio.sleep(2)
        await conn.execute("ANALYZE tickets")
        print(f"indexes ready after {time.monotonic() - started:.0f} s ({ready} valid)")
    finally:
        await conn.close()


async def page_cursor(api: Api, params: dict[str, str], page: int) -> str | None:
    cursor = None
    for _ in range(page - 1):
        query = {**params, **({"cursor": cursor} if cursor else {})}
        response = await api.client.get("/tickets", params=query, headers=api.headers())
        response.raise_for_status()
        cursor = response.json()["next_cursor"]
        if cursor is None:
            return None
    return cursor


async def list_figures(api: Api, repeat: int) -> list[tuple[str, float, float, bool]]:
    filters = [
        ("equality cf.reason=damaged", {"cf.reason": "damaged"}),
        ("equality cf.region=eu,apac", {"cf.region": "eu,apac"}),
        ("range cf.amount.gte=990", {"cf.amount.gte": "990"}),
        (
            "range cf.due 2026-03-01..03-31",
            {"cf.due.gte": "2026-03-01", "cf.due.lte": "2026-03-31"},
        ),
        ("set cf.due.set=true", {"cf.due.set": "true"}),
    ]
    figures = []
    for name, params in filters:
        for page in (1, 200):
            cursor = await page_cursor(api, params, page) if page > 1 else None
            if page > 1 and cursor is None:
                figures.append((f"{name} (page {page}: fewer pages)", 0.0, 0.0, True))
                continue
            query = {**params, **({"cursor": cursor} if cursor else {})}
            for _ in range(3):  # warm
                await api.client.get("/tickets", params=query, headers=api.headers())

            def call(_: int, query: dict[str, str] = query) -> Any:
                return api.client.get("/tickets", params=query, headers=api.headers())

            p50, p99, _worst = await simple_latency(repeat, call)
            figures.append((f"{name} (page {page})", p50, p99, p99 < TARGET_LIST_P99_MS))
    return figures


def create_body(i: int, with_fields: bool) -> dict[str, Any]:
    """The i-th claim of a create figure: with every field filled in, or none."""
    body: dict[str, Any] = {"subject": f"Return {i}", "type": "claim"}
    if with_fields:
        body["custom_fields"] = {
            "reason": REASONS[i % 5],
            "region": REGIONS[i % 4],
            "tags": [TAGS[i % 4]],
            "amount": f"{i % 1000}.{i % 100:02d}",
            "units": 1 + i % 50,
            "due": "2026-06-01",
            "vip": i % 2 == 0,
            "order_id": f"B-{i}",
            "contact_email": f"c{i}@example.com",
            "note": "Parcel arrived dented.",
        }
    return body


async def create_latency(api: Api, count: int, with_fields: bool) -> tuple[float, float]:
    """p50 of `count` sequential creates, and the API's CPU per create (ms): what the database
    adds is the rest."""
    samples: list[float] = []
    cpu = api.cpu_seconds()
    for i in range(count):
        body = create_body(i, with_fields)
        started = time.perf_counter()
        response = await api.client.post("/tickets", json=body, headers=api.headers())
        samples.append((time.perf_counter() - started) * 1000)
        if response.status_code != 201:
            raise SystemExit(f"create: {response.status_code} {response.text}")
    return percentile(samples, 50), (api.cpu_seconds() - cpu) / count * 1000


async def bulk_figure(api: Api, dsn: str) -> tuple[float, int]:
    conn = await asyncpg.connect(dsn)
    try:
        numbers = await conn.fetch(
            "SELECT number FROM tickets WHERE workspace_id = (SELECT id FROM workspaces "
            "WHERE slug = 'demo') AND status = 'open' AND merged_into_id IS NULL "
            "ORDER BY created_at DESC LIMIT 1000"
        )
    finally:
        await conn.close()
    refs = [f"TKT-{row['number']}" for row in numbers]
    # claims need a lifecycle check; everyone's values are checked against the definitions
    await api.client.post(
        "/tickets/bulk",
        json={"tickets": refs[:10], "changes": {"priority": "high"}},
        headers=api.headers(),
    )
    started = time.perf_counter()
    response = await api.client.post(
        "/tickets/bulk",
        json={
            "tickets": refs,
            "changes": {"status": "in_progress", "custom_fields": {"units": 7, "vip": True}},
        },
        headers=api.headers(),
        timeout=300,
    )
    elapsed = (time.perf_counter() - started) * 1000
    response.raise_for_status()
    applied = sum(1 for r in response.json()["results"] if r["ok"])
    return elapsed, applied


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reuse", action="store_true", help="use the seeded database as it is")
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=200, help="requests per latency figure")
    parser.add_argument("--creates", type=int, default=300, help="creates per create figure")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    url = os.environ.get("TICKETDESK_DATABASE_URL", DEFAULT_URL)
    if not url.startswith("postgresql"):
        raise SystemExit("the benchmark needs PostgreSQL (TICKETDESK_DATABASE_URL)")
    (ROOT / "data").mkdir(exist_ok=True)
    dsn = asyncpg_dsn(url)
    await prepare(url, args.tickets, args.reuse)
    await fill_values(dsn)
    print(f"load before: {os.getloadavg()[0]:.2f} (1 min) on {os.cpu_count()} cores")
    api = Api(url, args.port or free_port())
    try:
        await api.start()
        await define_fields(api)
        await wait_for_indexes(dsn)
        print(f"\n{'GET /tickets':<48} {'p50 ms':>8} {'p99 ms':>8}")
        for name, p50, p99, ok in await list_figures(api, args.repeat):
            flag = "" if ok else f"  (over {TARGET_LIST_P99_MS:.0f} ms)"
            print(f"{name:<48} {p50:8.1f} {p99:8.1f}{flag}")
        rounds = []
        for _ in range(3):  # alternate, so that a busy moment does not favour one side
            none = await create_latency(api, args.creates // 3, with_fields=False)
            ten = await create_latency(api, args.creates // 3, with_fields=True)
            rounds.append((none, ten))
        none_p50, none_cpu = sorted(r[0] for r in rounds)[1]
        ten_p50, ten_cpu = sorted(r[1] for r in rounds)[1]
        overhead = ten_p50 / none_p50 - 1
        verdict = "ok" if overhead <= TARGET_CREATE_OVERHEAD else "over the +10 % target"
        print(
            f"\ncreate p50: no fields {none_p50:.1f} ms, 10 fields validated {ten_p50:.1f} ms "
            f"({overhead:+.1%}, {verdict}); API cpu per create {none_cpu:.1f} / {ten_cpu:.1f} ms"
        )
        elapsed, applied = await bulk_figure(api, dsn)
        print(f"bulk of 1,000 (lifecycle + fields checked): {elapsed:.0f} ms, {applied} applied")
    except httpx.HTTPError as exc:
        raise SystemExit(f"the API failed: {exc}") from exc
    finally:
        await api.client.aclose()
        api.process.terminate()
        api.process.wait(timeout=30)


if __name__ == "__main__":
    asyncio.run(main())
