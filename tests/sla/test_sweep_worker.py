"""The breach sweep run by a real arq worker on Redis, and by concurrent sweepers."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

from arq import Worker, create_pool
from arq.connections import RedisSettings
from arq.worker import func
from sqlalchemy import func as sql_func
from sqlalchemy import select

from tests.conftest import service_missing
from tests.sla.conftest import open_ticket, workspace_of
from ticketdesk.db import utcnow
from ticketdesk.jobs import CRONS, JobContext
from ticketdesk.models import Event

REDIS = RedisSettings(host="127.0.0.1", port=6379)


async def policy(tenant) -> None:
    response = await tenant.post(
        "/sla-policies",
        json={"name": "Fast", "targets": {"urgent": {"first_response_minutes": 5}}},
    )
    assert response.status_code == 201


async def overdue_tickets(db, tenant, count: int) -> list[uuid.UUID]:
    created = utcnow() - timedelta(minutes=30)
    async with db.unit_of_work() as session:
        workspace = await workspace_of(session, tenant)
        return [
            (await open_ticket(session, workspace, created, priority="urgent")).id
            for _ in range(count)
        ]


async def breach_events(db, ticket_ids) -> int:
    async with db.unit_of_work() as session:
        return int(
            await session.scalar(
                select(sql_func.count()).where(
                    Event.ticket_id.in_(ticket_ids), Event.type == "ticket.sla_breached"
                )
            )
        )


async def test_sweep_through_a_real_arq_worker(db, settings, tenant):
    await policy(tenant)
    ids = await overdue_tickets(db, tenant, 3)
    spec = CRONS["sla.sweep"]

    async def sla_sweep(ctx):
        return await spec.func(JobContext(ctx["db"], ctx["settings"], ctx["job_id"]))

    queue = f"td-test-sla-{uuid.uuid4().hex}"
    try:
        pool = await create_pool(REDIS, default_queue_name=queue)
    except OSError as exc:
        service_missing("Redis", exc)
    try:
        for _ in range(2):  # twice: the second run finds nothing new (once each)
            await pool.enqueue_job("sla_sweep", _queue_name=queue)
            worker = Worker(
                functions=[func(sla_sweep, name="sla_sweep")],
                redis_pool=pool,
                queue_name=queue,
                burst=True,
                ctx={"db": db, "settings": settings},
                handle_signals=False,
                poll_delay=0.05,
            )
            await worker.main()
            assert worker.jobs_complete == 1
            assert worker.jobs_failed == 0
            await worker.close()
    finally:
        await pool.delete(queue)
        await pool.aclose()
    assert await breach_events(db, ids) == 3
    state = (await tenant.get(f"/tickets/{ids[0]}")).json()["sla"]["state"]
    assert state == "breached"


async def test_concurrent_sweepers_mark_each_ticket_once(db, tenant):
    await policy(tenant)
    ids = await overdue_tickets(db, tenant, 20)
    spec = CRONS["sla.sweep"]

    async def sweeper() -> None:
        await spec.func(JobContext(db, None, "test"))  # type: ignore[arg-type]

    await asyncio.gather(*(sweeper() for _ in range(4)))
    assert await breach_events(db, ids) == 20
