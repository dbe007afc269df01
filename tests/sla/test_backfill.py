"""A new or changed SLA policy reaches the tickets that are already open, by a job: both
runners (in-process, and arq on Redis), calendar time (computed in SQL) and business hours
(through the clock computation), idempotent, resumable, and without events of its own."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from arq import Worker, create_pool
from arq.connections import RedisSettings
from sqlalchemy import func, select

from tests.conftest import service_missing
from tests.sla.conftest import open_ticket, reply, set_status, workspace_of
from ticketdesk.config import Settings
from ticketdesk.db import Database, utcnow
from ticketdesk.jobs import JOBS, ArqRunner, JobContext
from ticketdesk.models import Event, SlaClock, Ticket
from ticketdesk.sla import backfill, repository, service
from ticketdesk.sla import jobs as sla_jobs
from ticketdesk.sla.business_hours import Calendar
from ticketdesk.sla.schemas import SlaPolicyCreate
from ticketdesk.tickets import service as tickets
from ticketdesk.worker import _job_function

URGENT = {"first_response_minutes": 60, "resolution_minutes": 480}
HIGH = {"first_response_minutes": 120, "resolution_minutes": 960}
EVERY_DAY = {day: [["00:00", "24:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


async def _tickets(db: Database, tenant: Any) -> dict[str, uuid.UUID]:
    """Open tickets created before any policy, in every shape the clocks care about."""
    now = utcnow().replace(microsecond=999_999)  # SQLite's date functions round to ms
    ago = lambda minutes: now - timedelta(minutes=minutes)  # noqa: E731
    async with db.unit_of_work() as session:
        workspace = await workspace_of(session, tenant)
        made = {
            # urgent, no reply after 3 h: the first response (60 min) is overdue
            "overdue": await open_ticket(session, workspace, ago(180), priority="urgent"),
            # 52 of 60 minutes gone: at risk (80 % is 48 min) for 8 more minutes
            "at_risk": await open_ticket(session, workspace, ago(52), priority="urgent"),
            # answered, resolution due in 8 h: ok
            "ok": await open_ticket(session, workspace, ago(30), priority="urgent"),
            # waiting on the customer since it was answered: the resolution clock is paused
            "paused": await open_ticket(session, workspace, ago(40), priority="urgent"),
            # solved before the policy: its clocks are history, untouched
            "solved": await open_ticket(session, workspace, ago(600), priority="urgent"),
            # high: the business-hours policy, computed by the clock code, not the SQL
            "high": await open_ticket(session, workspace, ago(60), priority="high"),
            # low: no policy matches
            "low": await open_ticket(session, workspace, ago(60), priority="low"),
        }
        await reply(session, workspace, made["ok"], ago(25))
        await reply(session, workspace, made["paused"], ago(35))
        await set_status(session, workspace, made["paused"], "waiting", ago(34))
        await reply(session, workspace, made["solved"], ago(590))
        await set_status(session, workspace, made["solved"], "resolved", ago(500))
        for ticket in made.values():
            assert ticket.sla_state == "none"  # no policy yet
        return {name: ticket.id for name, ticket in made.items()}


async def _policies(tenant: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    hours = await tenant.post(
        "/business-hours",
        json={"name": "Office", "timezone": "Europe/Berlin", "weekly": EVERY_DAY},
    )
    assert hours.status_code == 201, hours.text
    urgent = await tenant.post(
        "/sla-policies",
        json={
            "name": "Urgent 24/7",
            "match": {"priority": ["urgent"]},
            "targets": {"urgent": URGENT},
        },
    )
    assert urgent.status_code == 201, urgent.text
    high = await tenant.post(
        "/sla-policies",
        json={
            "name": "High, office hours",
            "match": {"priority": ["high"]},
            "targets": {"high": HIGH},
            "business_hours_id": hours.json()["id"],
        },
    )
    assert high.status_code == 201, high.text
    return urgent.json(), hours.json()


async def _keys(tenant: Any, sla: str) -> set[str]:
    response = await tenant.get("/tickets", params={"sla": sla, "limit": "100"})
    assert response.status_code == 200, response.text
    return {t["id"] for t in response.json()["items"]}


async def _rows(db: Database, ids: dict[str, uuid.UUID]) -> dict[str, Ticket]:
    async with db.unit_of_work() as session:
        rows = await session.scalars(select(Ticket).where(Ticket.id.in_(ids.values())))
        by_id = {t.id: t for t in rows}
    return {name: by_id[ticket_id] for name, ticket_id in ids.items()}


async def _sla_events(db: Database, ids: dict[str, uuid.UUID]) -> list[tuple[uuid.UUID, str]]:
    async with db.unit_of_work() as session:
        rows = await session.execute(
            select(Event.ticket_id, Event.type)
            .where(Event.ticket_id.in_(ids.values()), Event.type.startswith("ticket.sla_"))
            .order_by(Event.id)
        )
        return [(r[0], r[1]) for r in rows]


def _sla_fields(ticket: Ticket) -> tuple[Any, ...]:
    return (
        ticket.sla_policy_id,
        ticket.first_response_due_at,
        ticket.next_response_due_at,
        ticket.resolution_due_at,
        ticket.due_at,
        ticket.sla_warn_at,
        ticket.sla_state,
    )


async def _as_the_observer_computes(db: Database, ticket_id: uuid.UUID) -> service.SlaResult:
    """What `service.recompute` would store for the ticket now (it is not written)."""
    async with db.unit_of_work() as session:
        ticket = await session.get(Ticket, ticket_id)
        assert ticket is not None
        labels = list(await tickets.ticket_labels(session, ticket.id))
        policies = await backfill.active_policies(session, ticket.workspace_id)
        policy, _ = service.match_policy(policies, ticket, labels)
        hours = await repository.business_hours(
            session, ticket.workspace_id, policy.business_hours_id if policy else None
        )
        result = service.compute(ticket, policy, service.calendar_of(hours), utcnow())
        await session.rollback()
        return result


async def test_a_new_policy_reaches_open_tickets_by_a_job(db, tenant):
    ids = await _tickets(db, tenant)
    before = await _rows(db, ids)
    assert await _keys(tenant, "overdue") == set()

    urgent, _ = await _policies(tenant)  # answered at once: the job runs after the commit
    await db.job_runner.drain()

    assert await _keys(tenant, "overdue") == {str(ids["overdue"])}
    assert await _keys(tenant, "at_risk") == {str(ids["at_risk"])}
    after = await _rows(db, ids)
    assert after["ok"].sla_state == "ok"
    assert after["paused"].sla_state == "paused"
    assert after["paused"].due_at is None
    assert after["high"].sla_state == "ok"
    assert after["high"].due_at == after["high"].created_at + timedelta(minutes=120)
    assert after["low"].sla_state == "none"
    assert after["overdue"].sla_policy_id == uuid.UUID(urgent["id"])
    assert after["overdue"].first_response_due_at == after["overdue"].created_at + timedelta(
        minutes=60
    )
    # the solved ticket is history: not a field, not its version, not its sweep row changed
    assert _sla_fields(after["solved"]) == _sla_fields(before["solved"])
    assert after["solved"].version == before["solved"].version
    for name in ("overdue", "at_risk", "ok", "high"):
        assert after[name].version == before[name].version  # not a change of the ticket
    # the same due times, to the microsecond, as the observer computes (SQL and Python paths)
    for name in ("overdue", "at_risk", "ok", "paused", "high", "low"):
        expected = await _as_the_observer_computes(db, ids[name])
        assert after[name].due_at == expected.due_at, name
        assert after[name].sla_warn_at == expected.warn_at, name
        assert after[name].sla_state == expected.state, name
    async with db.unit_of_work() as session:
        clocks = {
            c.ticket_id: c
            for c in await session.scalars(
                select(SlaClock).where(SlaClock.ticket_id.in_(ids.values()))
            )
        }
    assert ids["solved"] not in clocks
    assert clocks[ids["overdue"]].due_at == after["overdue"].due_at
    assert clocks[ids["overdue"]].target == "first_response"
    assert clocks[ids["ok"]].target == "resolution"

    # no event from the job itself; the sweep warns and breaches once each, as always
    assert await _sla_events(db, ids) == []
    async with db.unit_of_work() as session:
        await service.sweep(session)
    marked = await _sla_events(db, ids)
    assert (ids["overdue"], "ticket.sla_breached") in marked
    assert (ids["at_risk"], "ticket.sla_warning") in marked
    assert len(marked) == 2

    # run again (any runner may): nothing is written, nothing is marked twice
    async with db.unit_of_work() as session:
        fingerprint = await backfill.fingerprint(session, uuid.UUID(tenant.workspace_id))
    ctx = JobContext(db, None, "again")  # type: ignore[arg-type]
    assert await sla_jobs.apply_policies(ctx, tenant.workspace_id, fingerprint) == 0
    async with db.unit_of_work() as session:
        await service.sweep(session)
    assert await _sla_events(db, ids) == marked

    # switched off: the open tickets lose the policy's clocks, the same way
    off = await tenant.patch(f"/sla-policies/{urgent['id']}", json={"active": False})
    assert off.status_code == 200, off.text
    await db.job_runner.drain()
    assert await _keys(tenant, "overdue") == set()
    cleared = await _rows(db, ids)
    assert cleared["overdue"].sla_state == "none"
    assert cleared["overdue"].due_at is None
    assert cleared["high"].sla_state == "ok"  # the other policy still holds it
    assert _sla_fields(cleared["solved"]) == _sla_fields(before["solved"])


async def test_changed_business_hours_move_the_due_times_of_open_tickets(db, tenant):
    ids = await _tickets(db, tenant)
    _, hours = await _policies(tenant)
    await db.job_runner.drain()
    high = (await _rows(db, ids))["high"]
    assert high.due_at == high.created_at + timedelta(minutes=120)

    # the office is now shut on every day but one a week away: the first response moves there
    weekday = (utcnow() + timedelta(days=3)).strftime("%a").lower()
    changed = await tenant.patch(
        f"/business-hours/{hours['id']}", json={"weekly": {weekday: [["09:00", "17:00"]]}}
    )
    assert changed.status_code == 200, changed.text
    await db.job_runner.drain()
    moved = (await _rows(db, ids))["high"]
    assert moved.due_at is not None
    assert moved.due_at > utcnow() + timedelta(days=1)
    expected = await _as_the_observer_computes(db, ids["high"])
    assert moved.due_at == expected.due_at
    assert await _keys(tenant, "overdue") == {str(ids["overdue"])}  # calendar time: as it was


async def test_a_job_overtaken_by_a_newer_change_stops(db, settings, tenant):
    ids = await _tickets(db, tenant)
    quiet = Database(settings.resolved_database_url)  # no job runner: its job is not queued
    try:
        async with quiet.unit_of_work() as session:
            await service.create_policy(
                session,
                uuid.UUID(tenant.workspace_id),
                SlaPolicyCreate.model_validate({"name": "Late", "targets": {"urgent": URGENT}}),
            )
    finally:
        await quiet.dispose()
    ctx = JobContext(db, None, "stale")  # type: ignore[arg-type]
    # the fingerprint of an older set of policies: a newer job is (or was) on its way
    assert await sla_jobs.apply_policies(ctx, tenant.workspace_id, "0" * 16) == 0
    assert all(t.sla_state == "none" for t in (await _rows(db, ids)).values())


def test_a_cursor_survives_the_trip_through_a_queue():
    cursor = backfill.Cursor("pending", utcnow(), uuid.uuid4())
    assert backfill.Cursor.from_list(cursor.as_list()) == cursor
    with pytest.raises(ValueError, match="open status category"):
        backfill.Cursor.from_list(["solved", None, None])


def test_the_calendar_of_a_policy_without_hours_counts_every_minute():
    start = utcnow()
    assert Calendar.twenty_four_seven().add(start, 3600) == start + timedelta(hours=1)


async def test_the_backfill_through_a_real_arq_worker_one_page_per_job(
    db, settings, tenant, monkeypatch
):
    """Each job does one page and hands its cursor on (the budget is spent at once): the
    queue carries the backfill through, and every ticket ends up done exactly once."""
    ids = await _tickets(db, tenant)
    queue = f"td-test-backfill-{uuid.uuid4().hex}"
    worker_settings = Settings(
        data_dir=settings.data_dir,
        database_url=settings.database_url,
        secret_key="test-secret",
        redis_url="redis://127.0.0.1:6379",
        queue_name=queue,
    )
    worker_db = Database(settings.resolved_database_url)
    worker_db.job_runner = ArqRunner(worker_db, worker_settings)
    try:
        pool = await create_pool(
            RedisSettings(host="127.0.0.1", port=6379), default_queue_name=queue
        )
    except OSError as exc:
        service_missing("Redis", exc)
    monkeypatch.setattr(sla_jobs, "PAGE_SIZE", 2)
    monkeypatch.setattr(sla_jobs, "TIME_BUDGET_SECONDS", -1.0)
    try:
        # the policy is saved by a process whose runner is arq: the job goes to Redis
        async with worker_db.unit_of_work() as session:
            await service.create_policy(
                session,
                uuid.UUID(tenant.workspace_id),
                SlaPolicyCreate.model_validate(
                    {
                        "name": "Urgent",
                        "match": {"priority": ["urgent"]},
                        "targets": {"urgent": URGENT},
                    }
                ),
            )
        assert await pool.zcard(queue) == 1
        worker = Worker(
            functions=[_job_function(JOBS[service.APPLY_POLICIES_JOB])],
            redis_pool=pool,
            queue_name=queue,
            burst=True,
            ctx={"db": worker_db, "settings": worker_settings},
            handle_signals=False,
            poll_delay=0.05,
        )
        await worker.main()
        assert worker.jobs_failed == 0
        # 5 open-category tickets in pages of 2 (3 jobs), 1 pending (1), one finding the end
        assert worker.jobs_complete == 5
        await worker.close()
    finally:
        await pool.delete(queue)
        await pool.aclose()
        assert worker_db.job_runner is not None
        await worker_db.job_runner.stop()
        await worker_db.dispose()
    rows = await _rows(db, ids)
    assert rows["overdue"].sla_state == "breached"
    assert rows["at_risk"].sla_state == "at_risk"
    assert rows["paused"].sla_state == "paused"
    assert rows["high"].sla_state == "none"  # only the urgent policy here
    assert rows["solved"].sla_state == "none"
    async with db.unit_of_work() as session:
        count = await session.scalar(
            select(func.count()).where(SlaClock.ticket_id.in_(ids.values()))
        )
    assert count == 4  # overdue, at_risk, ok, paused (a sweep row each); none for the rest
