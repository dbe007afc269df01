"""Engine, sessions and the unit of work; column types shared by every model."""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, DateTime, MetaData, event
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, Session
from sqlalchemy.pool import NullPool
from sqlalchemy.types import TypeDecorator

from ticketdesk.context import AfterCommit, DeferredWrites, context, open_context

if TYPE_CHECKING:
    from ticketdesk.config import Settings

log = logging.getLogger(__name__)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_id() -> uuid.UUID:
    return uuid.uuid4()


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores them naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


JSONType = JSON().with_variant(JSONB(), "postgresql")


class Database:
    """One engine and session factory per process (API, worker or CLI)."""

    def __init__(self, url: str, *, echo: bool = False, pooled: bool = True) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        kwargs: dict[str, Any] = {"echo": echo}
        if not pooled:  # for callers that hop between event loops (sync test clients)
            kwargs.update(poolclass=NullPool)
        elif not self.is_sqlite:
            # No pre-ping: on asyncpg it costs three round trips (BEGIN, `;`, ROLLBACK) on
            # every checkout. A connection broken by a server restart fails one request, and
            # that disconnect error invalidates the whole pool.
            kwargs.update(pool_size=10, max_overflow=20)
        self.engine: AsyncEngine = create_async_engine(url, **kwargs)
        if self.is_sqlite:
            _configure_sqlite(self.engine)
        self.sessionmaker = async_sessionmaker(self.engine, expire_on_commit=False)
        self.event_listeners: list[Any] = []
        # workspace configuration shared by this process's sessions (see config_cache.py)
        self.config_cache: dict[Any, tuple[int, Any]] = {}
        # set at start-up: the in-process runner or the arq client (see jobs.py)
        self.job_runner: Any = None

    @asynccontextmanager
    async def unit_of_work(self, settings: Settings | None = None) -> AsyncIterator[AsyncSession]:
        """One transaction: commits when the block succeeds, rolls back when it raises; then
        the after-commit work (events announced, jobs enqueued) runs. Requests, jobs and
        commands all go through here (`settings`: the serving app's, for a request)."""
        async with self.sessionmaker() as session:
            open_context(session, self, settings)
            try:
                yield session
                await run_before_commit(session)
                await session.commit()
            except BaseException:
                await session.rollback()
                raise
            finally:
                run_on_end(session)
            await run_after_commit(session)

    async def dispose(self) -> None:
        await self.engine.dispose()


CONFIG_TYPES: list[type] = []  # filled by models: the rows ticketdesk.config_cache serves


def _config_written(session: Session) -> None:
    ctx = context(session)
    ctx.config_written = True
    ctx.config.clear()


@event.listens_for(Session, "before_flush")
def _watch_config_flush(session: Session, _context: Any, _instances: Any) -> None:
    if not CONFIG_TYPES or context(session).config_written:
        return
    types = tuple(CONFIG_TYPES)
    if any(isinstance(obj, types) for obj in (*session.new, *session.dirty, *session.deleted)):
        _config_written(session)


@event.listens_for(Session, "do_orm_execute")
def _watch_config_statements(state: Any) -> None:
    """Core INSERT/UPDATE/DELETE on a configuration table counts as a configuration write."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) in _config_tables():
        _config_written(state.session)


@event.listens_for(Session, "after_transaction_create")
def _savepoint_started(session: Session, transaction: Any) -> None:
    if transaction.nested:
        for watcher in context(session).savepoint_watchers:
            watcher.savepoint_started(transaction)


@event.listens_for(Session, "after_soft_rollback")
def _savepoint_rolled_back(session: Session, transaction: Any) -> None:
    if transaction.nested:
        for watcher in context(session).savepoint_watchers:
            watcher.savepoint_rolled_back(transaction)


@functools.cache
def _config_tables() -> frozenset[str]:
    # first called on a statement, long after the models have filled CONFIG_TYPES
    return frozenset(getattr(t, "__tablename__", "") for t in CONFIG_TYPES)


def deferred(session: AsyncSession) -> DeferredWrites | None:
    """The session's deferred writes while a bulk chunk runs; None: write immediately."""
    return context(session).deferred


def start_deferring(session: AsyncSession) -> None:
    context(session).deferred = DeferredWrites()


def stop_deferring(session: AsyncSession) -> DeferredWrites | None:
    """Write immediately again; returns what was deferred (dropped if the chunk failed)."""
    ctx = context(session)
    writes, ctx.deferred = ctx.deferred, None
    return writes


def after_commit(session: AsyncSession, callback: AfterCommit) -> None:
    """Run `callback` once the session's transaction has committed (never on rollback)."""
    context(session).after_commit.append(callback)


def before_commit(session: AsyncSession, callback: AfterCommit) -> None:
    """Run `callback` inside the transaction just before it commits (its last writes)."""
    context(session).before_commit.append(callback)


async def run_before_commit(session: AsyncSession) -> None:
    ctx = context(session)
    while ctx.before_commit:
        callbacks, ctx.before_commit = ctx.before_commit, []
        for callback in callbacks:
            await callback()


def on_end(session: AsyncSession, callback: Callable[[], None]) -> None:
    """Run `callback` as soon as the session's transaction ends, committed or rolled back."""
    context(session).on_end.append(callback)


def run_on_end(session: AsyncSession) -> None:
    ctx = context(session)
    callbacks, ctx.on_end = ctx.on_end, []
    for callback in callbacks:
        callback()


async def run_after_commit(session: AsyncSession) -> None:
    ctx = context(session)
    callbacks, ctx.after_commit = ctx.after_commit, []
    for callback in callbacks:
        try:
            await callback()
        except Exception:  # the change is committed; the outbox sweep retries the side effect
            log.exception("after-commit callback failed")


def _configure_sqlite(engine: AsyncEngine) -> None:
    # Writers take the lock up front (BEGIN IMMEDIATE) so concurrent requests queue
    # on busy_timeout instead of failing with "database is locked" on upgrade.
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def dialect_name(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


async def insert_ignoring_conflicts(
    session: AsyncSession, model: type[Base], rows: list[dict[str, Any]], conflict: list[str]
) -> None:
    """INSERT … ON CONFLICT DO NOTHING on either backend (for get-or-create upserts)."""
    if not rows:
        return
    if dialect_name(session) == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert  # type: ignore[assignment]
    stmt = dialect_insert(model).values(rows).on_conflict_do_nothing(index_elements=conflict)
    await session.execute(stmt)
