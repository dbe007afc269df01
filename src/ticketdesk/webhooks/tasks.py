"""The jobs and sweeps that carry events from the outbox to webhook receivers.

After a commit, the event listener enqueues `events.dispatch` with the new event ids; the job
writes the deliveries and sends them right away. Two sweeps make that path lossless: one finds
events whose dispatch never happened (the process died between commit and enqueue), the other
finds deliveries that are due (retries, or a worker that died holding a lease).
"""

from __future__ import annotations

import uuid
from typing import Any

from ticketdesk.db import Database
from ticketdesk.jobs import CronSpec, JobContext, JobSpec, cron_spec
from ticketdesk.models import Event
from ticketdesk.webhooks.delivery import (
    DELIVER_JOB,
    deliver,
    due_delivery_ids,
    enqueue_deliveries,
)
from ticketdesk.webhooks.dispatch import dispatch_events, undispatched_event_ids

DISPATCH_JOB = "events.dispatch"
DISPATCH_CHUNK = 100
SWEEP_EVERY_SECONDS = 5
# the after-commit path normally dispatches within milliseconds; the sweep leaves it that long
SWEEP_GRACE_SECONDS = 3.0


async def dispatch_job(ctx: JobContext, event_ids: list[int]) -> None:
    created = await dispatch_events(ctx.db, event_ids)
    await deliver(ctx.db, ctx.settings, created)


async def deliver_job(ctx: JobContext, delivery_ids: list[str]) -> None:
    await deliver(ctx.db, ctx.settings, [uuid.UUID(i) for i in delivery_ids])


async def sweep_outbox(ctx: JobContext) -> None:
    ids = await undispatched_event_ids(ctx.db, older_than=SWEEP_GRACE_SECONDS, limit=2000)
    for start in range(0, len(ids), DISPATCH_CHUNK):
        created = await dispatch_events(ctx.db, ids[start : start + DISPATCH_CHUNK])
        await enqueue_deliveries(ctx.db, created)


async def sweep_deliveries(ctx: JobContext) -> None:
    ids = await due_delivery_ids(ctx.db, grace_seconds=1.0, limit=2000)
    await enqueue_deliveries(ctx.db, ids)


async def on_events(db: Database, events: list[Event]) -> None:
    """Event listener: hand freshly committed events to the dispatch job."""
    if db.job_runner is None:
        return
    ids = [e.id for e in events]
    for start in range(0, len(ids), DISPATCH_CHUNK):
        kwargs: dict[str, Any] = {"event_ids": ids[start : start + DISPATCH_CHUNK]}
        await db.job_runner.enqueue(DISPATCH_JOB, kwargs)


JOBS = (
    JobSpec(DISPATCH_JOB, dispatch_job, max_tries=3, merge="event_ids", merge_limit=DISPATCH_CHUNK),
    JobSpec(DELIVER_JOB, deliver_job, max_tries=1),
)
CRONS: tuple[CronSpec, ...] = (
    cron_spec("events.sweep_outbox", sweep_outbox, every_seconds=SWEEP_EVERY_SECONDS),
    cron_spec("webhooks.sweep_deliveries", sweep_deliveries, every_seconds=SWEEP_EVERY_SECONDS),
)
