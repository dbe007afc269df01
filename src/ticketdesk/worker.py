"""The `ticketdesk worker` process: arq's WorkerSettings, built from the jobs and crons that
`ticketdesk.wiring` registers, and nothing else (the API's side of arq, `jobs.ArqRunner`,
enqueues into it).

The worker starts the same process wiring as the API (its job runner, event listeners and
live-update broker: a job's changes reach webhooks and open sockets too), without the app.

arq details this module is built around:
- arq keys (`arq:job:<id>`, `arq:in-progress:<id>`, …) are global, not per queue, so every job
  id is prefixed with the queue name; separate deployments (and test runs) share one Redis.
- `enqueue_job(_job_id=…)` answers None while a job (or its kept result) with that id exists;
  results are never kept, so an id is free again once its job has finished.
- Only `Retry` is retried; our `jobs.Retry` is translated to arq's.
- A job killed with `kill -9` reruns only after the longest function timeout + 10 s, so webhook
  deliveries do not rely on it: their schedule and leases live in the database.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from typing import Any

from arq.cron import CronJob, cron
from arq.worker import Function, Worker, func
from arq.worker import Retry as ArqRetry

from ticketdesk import wiring
from ticketdesk.config import Settings
from ticketdesk.db import Database
from ticketdesk.jobs import CRONS, JOBS, CronSpec, JobContext, JobSpec, Retry, redis_settings

log = logging.getLogger(__name__)


def _job_function(spec: JobSpec) -> Function:
    async def run(ctx: dict[str, Any], **kwargs: Any) -> None:
        job_ctx = JobContext(ctx["db"], ctx["settings"], ctx["job_id"], ctx["job_try"], ctx)
        try:
            await spec.func(job_ctx, **kwargs)
        except Retry as retry:
            raise ArqRetry(defer=retry.defer_seconds) from retry

    run.__qualname__ = spec.name
    return func(
        run,
        name=spec.name,
        timeout=spec.timeout_seconds,
        max_tries=spec.max_tries,
        keep_result=0,
    )


def cron_schedule(every_seconds: int) -> dict[str, Any]:
    """arq crons are calendar-based: turn a period into second/minute/hour sets."""
    if every_seconds < 60:
        return {"second": set(range(0, 60, max(every_seconds, 1)))}
    if every_seconds < 3600:
        return {"minute": set(range(0, 60, every_seconds // 60)), "second": 0}
    return {"hour": set(range(0, 24, min(every_seconds // 3600, 24))), "minute": 0, "second": 0}


def _cron_job(spec: CronSpec, settings: Settings) -> CronJob:
    async def run(ctx: dict[str, Any]) -> None:
        await spec.func(JobContext(ctx["db"], ctx["settings"], ctx["job_id"], 1, ctx))

    run.__qualname__ = spec.name
    # the name makes the unique cron job id, and arq's keys are global: scope it to the queue
    return cron(
        run,
        name=f"{settings.queue_name}:cron:{spec.name}",
        timeout=spec.timeout_seconds,
        unique=True,
        max_tries=1,
        keep_result=0,
        **cron_schedule(spec.every_seconds),
    )


def worker_settings(settings: Settings) -> dict[str, Any]:
    """The arq `WorkerSettings`, built from the job registry (filled by `wiring.register`)."""
    return {
        "functions": [_job_function(spec) for spec in JOBS.values()],
        "cron_jobs": [_cron_job(spec, settings) for spec in CRONS.values()],
        "queue_name": settings.queue_name,
        "redis_settings": redis_settings(settings),
        "max_jobs": settings.worker_max_jobs,
        "poll_delay": settings.worker_poll_delay_seconds,
        "keep_result": 0,
        "health_check_key": f"{settings.queue_name}:health-check",
    }


async def run_worker_async(settings: Settings) -> None:
    """Run an arq worker until SIGINT/SIGTERM, with the process wiring started."""
    db = Database(settings.resolved_database_url, echo=settings.sql_echo)
    async with wiring.running(db, settings):

        async def startup(ctx: dict[str, Any]) -> None:
            ctx["db"] = db
            ctx["settings"] = settings

        worker = Worker(**worker_settings(settings), on_startup=startup, handle_signals=False)
        loop = asyncio.get_running_loop()
        stop = asyncio.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        main = asyncio.create_task(worker.async_run())
        stopper = asyncio.create_task(stop.wait())
        try:
            await asyncio.wait({main, stopper}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopper.cancel()
            await worker.close()
            main.cancel()
            await asyncio.gather(main, return_exceptions=True)
    await db.dispose()


def run_worker(settings: Settings) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per webhook is too many
    asyncio.run(run_worker_async(settings))
