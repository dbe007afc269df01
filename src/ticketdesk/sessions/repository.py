"""Queries of logging in: the login counters, the matching users, sessions, who the caller is."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import TypeVar

from sqlalchemy import ColumnElement, Row, case, delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk.db import dialect_name
from ticketdesk.models import ApiToken, AuthSession, LoginCounter, User, Workspace


def _hold_after(
    attempts: ColumnElement[int], now: int, limit: int, holds: Sequence[int]
) -> ColumnElement[int]:
    """hold_until once `attempts` are counted: none below `limit`, then now + holds[0], …[1]…"""
    steps = [(attempts == limit + i, now + hold) for i, hold in enumerate(holds[:-1])]
    return case((attempts < limit, 0), *steps, else_=now + holds[-1])


async def reserve_attempt(
    session: AsyncSession, key: str, *, now: int, limit: int, window: int, holds: Sequence[int]
) -> int | None:
    """Count one attempt for `key` in one statement (INSERT … ON CONFLICT DO UPDATE), unless
    the key is held: the attempt's number in its window, or None while held. Times in ms."""
    insert = pg_insert if dialect_name(session) == "postgresql" else sqlite_insert
    expired = LoginCounter.window_ends_at <= now
    attempts = case((expired, 1), else_=LoginCounter.attempts + 1)
    stmt = (
        insert(LoginCounter)
        .values(
            key=key,
            attempts=1,
            window_ends_at=now + window,
            hold_until=now + holds[0] if limit <= 1 else 0,
        )
        .on_conflict_do_update(
            index_elements=["key"],
            set_={
                "attempts": attempts,
                "window_ends_at": case((expired, now + window), else_=LoginCounter.window_ends_at),
                "hold_until": _hold_after(attempts, now, limit, holds),
            },
            where=LoginCounter.hold_until <= now,
        )
        .returning(LoginCounter.attempts)
    )
    counted = (await session.execute(stmt)).scalar_one_or_none()
    return None if counted is None else int(counted)


async def hold_until(session: AsyncSession, key: str) -> int | None:
    held = await session.scalar(select(LoginCounter.hold_until).where(LoginCounter.key == key))
    return None if held is None else int(held)


async def release_attempt(session: AsyncSession, key: str, *, now: int) -> None:
    """Give back one counted attempt of the current window (and lift its hold)."""
    await session.execute(
        update(LoginCounter)
        .where(
            LoginCounter.key == key,
            LoginCounter.attempts > 0,
            LoginCounter.window_ends_at > now,
        )
        .values(attempts=LoginCounter.attempts - 1, hold_until=0)
    )


async def clear_attempts(session: AsyncSession, key: str) -> None:
    await session.execute(delete(LoginCounter).where(LoginCounter.key == key))


async def delete_expired_counters(session: AsyncSession, *, now: int) -> None:
    await session.execute(
        delete(LoginCounter).where(LoginCounter.window_ends_at < now, LoginCounter.hold_until < now)
    )


async def login_candidates(
    session: AsyncSession, email: str, workspace_slug: str | None
) -> Sequence[Row[User, Workspace]]:
    """The active users with this email, oldest workspace first (or in that one workspace)."""
    stmt = (
        select(User, Workspace)
        .join(Workspace, Workspace.id == User.workspace_id)
        .where(User.email == email, User.active.is_(True))
    )
    if workspace_slug:
        stmt = stmt.where(Workspace.slug == workspace_slug)
    return (await session.execute(stmt.order_by(Workspace.created_at))).all()


def add_auth_session(session: AsyncSession, auth_session: AuthSession) -> None:
    session.add(auth_session)


Found = TypeVar("Found", AuthSession, User, ApiToken, Workspace)


async def by_id(session: AsyncSession, model: type[Found], row_id: uuid.UUID) -> Found | None:
    """A session, user, API token or workspace by id (the caller's workspace is in the
    identity map since the principal's lookup, so that one costs no SQL)."""
    return await session.get(model, row_id)
