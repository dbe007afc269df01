"""Background jobs: one registry of job functions, two runners with the same behaviour.

- `InProcessRunner` (the embedded default, no Redis): an asyncio queue inside `ticketdesk serve`.
- `ArqRunner` (`TICKETDESK_REDIS_URL` set): jobs go to Redis, `ticketdesk worker` runs them.

Jobs and crons are registered by `ticketdesk.wiring`, never as a side effect of an import.

Jobs take ids, never ORM objects, and are enqueued only after the transaction that caused them
commits (`enqueue_after_commit`). Jobs must be idempotent: any runner may run one twice.
A job asks to run again later by raising `Retry(defer_seconds)`.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from arq import create_pool
from arq.connections import ArqRedis, RedisSettings
from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk.config import Settings
from ticketdesk.context import context
from ticketdesk.db import Database, after_commit

log = logging.getLogger(__name__)

JobFunction = Callable[..., Awaitable[Any]]


@dataclass
class JobContext:
    db: Database
    settings: Settings
    job_id: str
    attempt: int = 1
    extra: dict[str, Any] = field(default_factory=dict)


class Retry(Exception):  # noqa: N818 - reads as an instruction, like arq's
    """Raised by a job to be run again after `defer_seconds`."""

    def __init__(self, defer_seconds: float = 5.0) -> None:
        super().__init__(f"retry in {defer_seconds}s")
        self.defer_seconds = defer_seconds


@dataclass(frozen=True)
class JobSpec:
    """`func(ctx: JobContext, **kwargs)`, the job called `name`.

    With `merge`, jobs of this name that wait in the in-process queue take later calls' items
    of that list argument (up to `merge_limit`): under load, one job serves many commits.
    """

    name: str
    func: JobFunction
    timeout_seconds: float = 60
    max_tries: int = 5
    merge: str | None = None
    merge_limit: int = 100


@dataclass(frozen=True)
class CronSpec:
    name: str
    func: JobFunction
    every_seconds: int
    timeout_seconds: float = 60


JOBS: dict[str, JobSpec] = {}
CRONS: dict[str, CronSpec] = {}


def register_job(spec: JobSpec) -> None:
    JOBS[spec.name] = spec


def register_cron(spec: CronSpec) -> None:
    CRONS[spec.name] = spec


def cron_spec(
    name: str, func: JobFunction, *, every_seconds: int = 60, timeout_seconds: float | None = None
) -> CronSpec:
    """`func(ctx: JobContext)` every `every_seconds` (once across workers).

    The timeout defaults to the period, between 30 s and 5 min: arq keeps a killed worker's
    jobs locked for the longest timeout of any function, so long timeouts slow crash recovery.
    """
    timeout = timeout_seconds or min(max(every_seconds, 30), 300)
    return CronSpec(name, func, every_seconds, timeout)


class JobRunner(ABC):
    """Where queued jobs go: run in this process, or sent to Redis for the worker. Either way
    an unknown name is refused, and an id already queued or running is not queued again."""

    runs_here: bool  # whether jobs run in this process, with this process's settings

    async def enqueue(
        self,
        name: str,
        kwargs: dict[str, Any],
        *,
        job_id: str | None = None,
        defer_seconds: float | None = None,
    ) -> str:
        """Queue job `name` (`defer_seconds` later if given); the job's id."""
        spec = JOBS.get(name)
        if spec is None:
            raise KeyError(f"unknown job {name!r}")
        return await self._submit(spec, kwargs, job_id, defer_seconds)

    @abstractmethod
    async def _submit(
        self, spec: JobSpec, kwargs: dict[str, Any], job_id: str | None, defer: float | None
    ) -> str: ...

    @abstractmethod
    async def start(self) -> None: ...

    @abstractmethod
    async def stop(self) -> None: ...


def enqueue_after_commit(
    session: AsyncSession,
    name: str,
    *,
    job_id: str | None = None,
    defer_seconds: float | None = None,
    **kwargs: Any,
) -> None:
    """Queue job `name` once this session's transaction commits (never if it rolls back),
    to run `defer_seconds` later if given."""
    db = context(session).db
    if db is None:
        raise RuntimeError("the session was not opened through Database/get_session")

    async def _enqueue() -> None:
        runner = db.job_runner
        if runner is None:
            log.warning("no job runner; job %s dropped (the outbox sweep will catch up)", name)
            return
        await runner.enqueue(name, kwargs, job_id=job_id, defer_seconds=defer_seconds)

    after_commit(session, _enqueue)


async def run_job(spec: JobSpec, ctx: JobContext, kwargs: dict[str, Any]) -> None:
    await asyncio.wait_for(spec.func(ctx, **kwargs), timeout=spec.timeout_seconds)


class InProcessRunner(JobRunner):
    """Runs jobs and crons inside the API process: the embedded default."""

    runs_here = True

    def __init__(self, db: Database, settings: Settings, *, concurrency: int = 4) -> None:
        self.db = db
        self.settings = settings
        self.concurrency = concurrency
        self.queue: asyncio.Queue[tuple[str, str, dict[str, Any], int]] = asyncio.Queue()
        self.tasks: list[asyncio.Task[None]] = []
        self.pending: set[str] = set()
        self.not_before: dict[str, float] = {}  # deferred jobs: loop time they become due
        self.delayed: set[asyncio.Task[None]] = set()
        self.waiting: dict[str, tuple[str, str, dict[str, Any], int]] = {}  # mergeable, queued

    async def _submit(
        self, spec: JobSpec, kwargs: dict[str, Any], job_id: str | None, defer: float | None
    ) -> str:
        name = spec.name
        merge = spec.merge if job_id is None and not defer else None
        if merge is not None and name in self.waiting:
            queued = self.waiting[name]
            items: list[Any] = queued[2][merge]
            if len(items) + len(kwargs[merge]) <= spec.merge_limit:
                items.extend(kwargs[merge])
                return queued[1]
        job_id = job_id or uuid.uuid4().hex
        if job_id in self.pending:  # same semantics as arq: one live job per id
            return job_id
        self.pending.add(job_id)
        if defer:
            self._later(defer, (name, job_id, kwargs, 1))
            return job_id
        item = (name, job_id, kwargs, 1)
        if merge is not None:
            item = (name, job_id, {**kwargs, merge: list(kwargs[merge])}, 1)
            self.waiting[name] = item
        self.queue.put_nowait(item)
        return job_id

    def _later(self, delay: float, item: tuple[str, str, dict[str, Any], int]) -> None:
        self.not_before[item[1]] = asyncio.get_running_loop().time() + delay

        async def put() -> None:
            await asyncio.sleep(delay)
            self.not_before.pop(item[1], None)
            self.queue.put_nowait(item)

        task = asyncio.create_task(put())
        self.delayed.add(task)
        task.add_done_callback(self.delayed.discard)

    async def start(self) -> None:
        self.tasks = [asyncio.create_task(self._work()) for _ in range(self.concurrency)]
        self.tasks += [asyncio.create_task(self._cron(spec)) for spec in CRONS.values()]

    async def stop(self) -> None:
        for task in [*self.tasks, *self.delayed]:
            task.cancel()
        await asyncio.gather(*self.tasks, *self.delayed, return_exceptions=True)
        self.tasks = []

    async def drain(self, timeout: float = 10.0) -> None:
        """Wait until every job due before the timeout has run (tests use this, not sleeps)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout

        def waiting() -> bool:
            return any(self.not_before.get(job_id, 0) < deadline for job_id in self.pending)

        while waiting() and loop.time() < deadline:
            await asyncio.sleep(0.01)

    async def _work(self) -> None:
        while True:
            item = await self.queue.get()
            name, job_id, kwargs, attempt = item
            if self.waiting.get(name) is item:
                del self.waiting[name]  # started: later calls open a new job
            spec = JOBS[name]
            ctx = JobContext(self.db, self.settings, job_id, attempt)
            try:
                await run_job(spec, ctx, kwargs)
            except Retry as retry:
                if attempt < spec.max_tries:
                    self._later(retry.defer_seconds, (name, job_id, kwargs, attempt + 1))
                    continue
                log.warning("job %s (%s) gave up after %d tries", name, job_id, attempt)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("job %s (%s) failed", name, job_id)
            self.pending.discard(job_id)

    async def _cron(self, spec: CronSpec) -> None:
        while True:
            await asyncio.sleep(spec.every_seconds)
            ctx = JobContext(self.db, self.settings, f"cron:{spec.name}")
            try:
                await asyncio.wait_for(spec.func(ctx), timeout=spec.timeout_seconds)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("cron %s failed", spec.name)


def redis_settings(settings: Settings) -> RedisSettings:
    assert settings.redis_url, "the arq runner needs TICKETDESK_REDIS_URL"
    return RedisSettings.from_dsn(settings.redis_url)


def arq_job_id(settings: Settings, job_id: str) -> str:
    return f"{settings.queue_name}:{job_id}"


class ArqRunner(JobRunner):
    """Enqueues jobs into Redis for `ticketdesk worker`; runs nothing itself."""

    runs_here = False  # the worker process runs the jobs, with its own settings

    def __init__(self, db: Database, settings: Settings) -> None:
        self.db = db
        self.settings = settings
        self.pool: ArqRedis | None = None

    async def _submit(
        self, spec: JobSpec, kwargs: dict[str, Any], job_id: str | None, defer: float | None
    ) -> str:
        if self.pool is None:
            await self.start()
        assert self.pool is not None
        job_id = job_id or uuid.uuid4().hex
        job = await self.pool.enqueue_job(
            spec.name,
            _job_id=arq_job_id(self.settings, job_id),
            _queue_name=self.settings.queue_name,
            _defer_by=timedelta(seconds=defer) if defer else None,
            **kwargs,
        )
        if job is None:  # one live job per id, as with the in-process runner
            log.debug("job %s (%s) is already queued or running", spec.name, job_id)
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


async def start_runner(db: Database, settings: Settings) -> None:
    """Jobs run in this process unless Redis is configured (then `ticketdesk worker` runs them)."""
    if db.job_runner is not None:
        return
    if settings.redis_url:
        db.job_runner = ArqRunner(db, settings)
    elif settings.embedded_jobs:
        db.job_runner = InProcessRunner(db, settings)
    else:
        return
    await db.job_runner.start()


async def stop_runner(db: Database) -> None:
    if db.job_runner is not None:
        await db.job_runner.stop()
        db.job_runner = None
