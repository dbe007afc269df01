"""Benchmark: the SLA breach sweep over 1,000,000 tickets, and ticket create with 0 vs 20 rules.

Seeds a scratch PostgreSQL database (`td_bench_sla`, dropped afterwards) with one million
tickets by `INSERT … SELECT generate_series`, 20,000 of them due within each of the next
three minutes (and 20,000 reaching 80 % of their target in each minute), then times three
sweeps. Then times `POST /tickets` through the ASGI app with no automation rules and with
20 active `ticket.created` rules, interleaved in rounds to even out noise.

    python bench/sla.py [--tickets 1000000] [--due 20000] [--creates 200]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import asyncpg
import httpx
from sqlalchemy import text, update

from ticketdesk.app import create_app
from ticketdesk.config import Settings
from ticketdesk.db import Database, utcnow
from ticketdesk.migrate import upgrade_async
from ticketdesk.models import Automation
from ticketdesk.sla import service as sla
from ticketdesk.workspaces.service import create_workspace

ADMIN_DSN = os.environ.get("TICKETDESK_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
NAME = "td_bench_sla"


async def seed(db: Database, workspace_id: uuid.UUID, total: int, due: int, warn: int) -> datetime:
    now = utcnow()
    async with db.engine.begin() as conn:
        # `due` tickets due in each of minutes 1, 2, 3 (warned by earlier sweeps); `warn`
        # tickets reaching 80 % spread over those minutes; then `due` tickets due tomorrow;
        # the rest due hours to weeks from now, a tenth without any SLA
        await conn.execute(
            text(
                """
                INSERT INTO tickets (id, workspace_id, number, subject, description, status,
                    status_category, status_changed_at, priority, priority_rank, channel,
                    custom_fields, sla_state, due_at, sla_warn_at, first_response_due_at,
                    created_at, updated_at, version, sla_pauses)
                SELECT gen_random_uuid(), :ws, n, 'Ticket ' || n, '', 'open', 'open', p.t0,
                    'normal', 1, 'api', '{}'::jsonb,
                    CASE WHEN n % 10 = 0 THEN 'none' ELSE 'ok' END,
                    d.due, d.warn, d.due, p.t0, p.t0, 1, '[]'::jsonb
                FROM (SELECT CAST(:now AS timestamptz) AS t0, CAST(:due AS integer) AS k) AS p
                CROSS JOIN generate_series(1, CAST(:total AS integer)) AS n
                CROSS JOIN LATERAL (
                    SELECT
                        CASE
                            WHEN n <= 3 * p.k THEN
                                p.t0 + ((n - 1) / p.k) * interval '1 minute'
                                     + (n % 60) * interval '1 second'
                            WHEN n <= 6 * p.k THEN p.t0 + interval '1 day'
                            WHEN n % 10 = 0 THEN NULL
                            ELSE p.t0 + (n % 20000) * interval '1 minute' + interval '1 hour'
                        END AS due,
                        CASE
                            WHEN n <= 3 * p.k THEN p.t0 - interval '10 minutes'
                            WHEN n <= 3 * p.k + CAST(:warn AS integer) THEN
                                p.t0 + ((n - 3 * p.k - 1) * 3 / GREATEST(CAST(:warn AS integer), 1))
                                     * interval '1 minute' + (n % 60) * interval '1 second'
                            WHEN n % 10 = 0 THEN NULL
                            ELSE p.t0 + (n % 20000) * interval '1 minute'
                        END AS warn
                ) AS d
                """
            ),
            {"ws": workspace_id, "now": now, "total": total, "due": due, "warn": warn},
        )
        await conn.execute(
            text("UPDATE workspaces SET next_ticket_number = :n WHERE id = :ws"),
            {"n": total + 1, "ws": workspace_id},
        )
        # the sweep's rows; the tickets due in the next minutes were warned by earlier sweeps
        await conn.execute(
            text(
                "INSERT INTO sla_clocks (ticket_id, due_at, warn_at, warned_at) "
                "SELECT id, due_at, sla_warn_at, "
                "CASE WHEN number <= CAST(:n AS integer) THEN CAST(:now AS timestamptz) END "
                "FROM tickets WHERE due_at IS NOT NULL"
            ),
            {"now": now, "n": 3 * due},
        )
    async with db.engine.connect() as conn:
        await conn.execute(text("COMMIT"))
        await conn.execute(text("VACUUM ANALYZE tickets"))
        await conn.execute(text("VACUUM ANALYZE sla_clocks"))
    return now


async def time_sweeps(db: Database, start: datetime) -> list[tuple[float, dict[str, int]]]:
    results = []
    for minute in (1, 2, 3):
        began = time.perf_counter()
        async with db.unit_of_work() as session:
            counts = await sla.sweep(session, now=start + timedelta(minutes=minute))
        results.append((time.perf_counter() - began, counts))
    return results


async def time_creates(
    db: Database, settings: Settings, creates: int, slug: str
) -> dict[str, float]:
    app = create_app(settings, database=db)
    timings: dict[str, list[float]] = {"0 rules": [], "20 rules": []}
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://b/api/v1") as client:
            login = await client.post(
                "/auth/login",
                json={"email": f"admin@{slug}.test", "password": "bench-password"},
            )
            headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
            for i in range(20):
                conditions = {
                    "all": [
                        {"field": "subject", "op": "contains", "value": f"never-{i}"},
                        {"field": "priority", "op": "in", "value": ["high", "urgent"]},
                    ],
                    "any": [{"field": "channel", "op": "is", "value": "email"}],
                }
                response = await client.post(
                    "/automations",
                    headers=headers,
                    json={
                        "name": f"Rule {i}",
                        "trigger": "ticket.created",
                        "conditions": conditions,
                        "actions": [{"type": "set_priority", "value": "high"}],
                        "active": False,
                    },
                )
                assert response.status_code == 201, response.text
            body = {
                "subject": "Bench ticket",
                "description": "Hello",
                "labels": ["bench"],
                "requester": {"email": "someone@example.com"},
            }
            for _ in range(5):  # warm-up
                await client.post("/tickets", headers=headers, json=body)
            rounds = 10
            for round_no in range(rounds * 2):
                active = round_no % 2 == 1
                async with db.unit_of_work() as session:
                    await session.execute(update(Automation).values(active=active))
                key = "20 rules" if active else "0 rules"
                began = time.perf_counter()
                for _ in range(creates // rounds):
                    response = await client.post("/tickets", headers=headers, json=body)
                    assert response.status_code == 201, response.text
                timings[key].append((time.perf_counter() - began) / (creates // rounds))
    return {k: statistics.median(v) * 1000 for k, v in timings.items()}


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--due", type=int, default=20_000)
    parser.add_argument("--creates", type=int, default=200)
    parser.add_argument(
        "--warn", type=int, default=0, help="tickets reaching 80 %% over the three minutes"
    )
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args()
    admin = await asyncpg.connect(ADMIN_DSN)
    await admin.execute(f'DROP DATABASE IF EXISTS "{NAME}" WITH (FORCE)')
    await admin.execute(f'CREATE DATABASE "{NAME}"')
    base = ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    url = f"{base}/{NAME}"
    try:
        data_dir = Path(tempfile.mkdtemp(prefix="td-bench-"))
        settings = Settings(data_dir=data_dir, database_url=url, secret_key="bench")
        await upgrade_async(settings, url)
        db = Database(url)
        slug = "bench"
        async with db.unit_of_work() as session:
            created = await create_workspace(
                session,
                name="Bench",
                slug=slug,
                admin_email=f"admin@{slug}.test",
                admin_password="bench-password",
                admin_name="Bench Admin",
            )
            workspace_id = created.workspace.id
        began = time.perf_counter()
        seeded_at = await seed(db, workspace_id, args.tickets, args.due, args.warn)
        print(f"seeded {args.tickets:,} tickets in {time.perf_counter() - began:.1f} s")
        if os.environ.get("BENCH_SEED_ONLY"):
            return
        if os.environ.get("BENCH_PROFILE"):
            import cProfile
            import pstats

            profile = cProfile.Profile()
            profile.enable()
            await time_sweeps(db, seeded_at)
            profile.disable()
            pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
            return
        for elapsed, counts in await time_sweeps(db, seeded_at):
            print(
                f"sweep: {elapsed * 1000:7.1f} ms  "
                f"({counts['breach']:,} breached, {counts['warning']:,} warned)"
            )
        creates = await time_creates(db, settings, args.creates, slug)
        slower = (creates["20 rules"] / creates["0 rules"] - 1) * 100
        print(
            f"ticket create (median per request): {creates['0 rules']:.2f} ms with 0 rules, "
            f"{creates['20 rules']:.2f} ms with 20 active rules ({slower:+.1f} %)"
        )
        await db.dispose()
    finally:
        if not args.keep:
            await admin.execute(f'DROP DATABASE IF EXISTS "{NAME}" WITH (FORCE)')
        await admin.close()


if __name__ == "__main__":
    asyncio.run(main())
