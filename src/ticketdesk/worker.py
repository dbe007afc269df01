"""arq on Redis: the runner the API enqueues through, and the `ticketdesk worker` process.

Every job and cron registered with `ticketdesk.jobs` becomes an arq function; the worker enters
the app's lifespan so the rooms' start-up hooks (event listeners, brokers) run there as well.

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
import uuid
from datetime import timedelta
from typing import Any

from arq import create_pool
from arq.connections import ArqRedis, RedisSettings
from arq.cron import CronJob, cron
from arq.worker import Function, Worker, func
from arq.worker import Retry as ArqRetry

from ticketdesk.app import create_app
from ticketdesk.config import Settings
from ticketdesk.db import Database
from ticketdesk.jobs import CRONS, JOBS, CronSpec, JobContext, JobSpec, Retry

log = logging.getLogger(__name__)


def redis_settings(settings: Settings) -> RedisSettings:
    assert settings.redis_url, "the arq runner needs TICKETDESK_REDIS_URL"
    return RedisSettings.from_dsn(settings.redis_url)


def arq_job_id(settings: Settings, job_id: str) -> str:
    return f"{settings.queue_name}:{job_id}"


class ArqRunner:
    """Enqueues jobs into Redis for `ticketdesk worker`; runs nothing itself."""

    runs_here = False  # the worker process runs the jobs, with its own settings

    def __init__(self, db: Database, settings: Settings) -> None:
        self.db = db
        self.settings = settings
        self.pool: ArqRedis | None = None

    async def enqueue(
        self,
        name: str,
        kwargs: dict[str, Any],
        *,
        job_id: str | None = None,
        defer_seconds: float | None = None,
    ) -> str:
        if name not in JOBS:
            raise KeyError(f"unknown job {name!r}")
        if self.pool is None:
            await self.start()
        assert self.pool is not None
        job_id = job_id or uuid.uuid4().hex
        job = await self.pool.enqueue_job(
            name,
            _job_id=arq_job_id(self.settings, job_id),
            _queue_name=self.settings.queue_name,
            _defer_by=timedelta(seconds=defer_seconds) if defer_seconds else None,
            **kwargs,
        )
        if job is None:  # one live job per id, as with the in-process runner
            log.debug("job %s (%s) is already queued or running", name, job_id)
        return job_id

    async def start(self) -> None:
        if self.pool is None:
            self.pool = await create_pool(
                redis_settings(self.settings), default_queue_name=self.settings.queue_name
            )

    async def stop(self) -> None:
        if self.pool is not None:
            await self.pool.aclose()
            self.pool = None


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
    """The arq `WorkerSettings`, built from the job registry (importing the app registers it)."""
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
    """Run an arq worker until SIGINT/SIGTERM, with the app's start-up hooks active."""
    db = Database(settings.resolved_database_url, echo=settings.sql_echo)
    app = create_app(settings, database=db)
    async with app.router.lifespan_context(app):

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
