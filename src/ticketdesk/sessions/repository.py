"""Queries of logging in: login failures, the matching users, sessions, who the caller is."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import TypeVar

from sqlalchemy import Row, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk.models import ApiToken, AuthSession, LoginFailure, User, Workspace

# Every request runs one of these two: built once, at import. The session lookup reads only
# the columns it needs (the workspace whole, for the identity map); the API token lookup
# brings its workspace along for the same reason.


async def count_login_failures(session: AsyncSession, email: str, since: datetime) -> int:
    failures = await session.scalar(
        select(func.count()).where(LoginFailure.email == email, LoginFailure.created_at >= since)
    )
    return failures or 0


def add_login_failure(session: AsyncSession, email: str, client_ip: str | None) -> None:
    session.add(LoginFailure(email=email, client_ip=client_ip))


async def clear_login_failures(session: AsyncSession, email: str) -> None:
    await session.execute(delete(LoginFailure).where(LoginFailure.email == email))


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
