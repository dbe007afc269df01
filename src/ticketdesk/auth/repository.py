"""Auth queries: the bearer-token lookups every request runs, login sessions, failed logins."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk.models import ApiToken, AuthSession, User, Workspace

# Every request runs one of these two: built once, at import. The session lookup reads only
# the columns it needs (the workspace whole, for the identity map); the API token lookup
# brings its workspace along for the same reason.
_SESSION_LOOKUP = (
    select(
        AuthSession.id.label("session_id"),
        AuthSession.revoked_at,
        AuthSession.expires_at,
        AuthSession.last_used_at,
        User.id.label("user_id"),
        User.workspace_id,
        User.name,
        User.role,
        User.email,
        User.active,
        Workspace,
    )
    .join(User, User.id == AuthSession.user_id)
    .join(Workspace, Workspace.id == User.workspace_id)
    .where(AuthSession.token_hash == bindparam("digest"))
)
_API_TOKEN_LOOKUP = (
    select(ApiToken, Workspace)
    .join(Workspace, Workspace.id == ApiToken.workspace_id)
    .where(ApiToken.token_hash == bindparam("digest"))
)


async def session_by_digest(session: AsyncSession, digest: str) -> Row[*tuple[Any, ...]] | None:
    """The login session with this token hash, its user's columns and workspace, or None."""
    return (await session.execute(_SESSION_LOOKUP, {"digest": digest})).first()


async def api_token_by_digest(
    session: AsyncSession, digest: str
) -> Row[ApiToken, Workspace] | None:
    return (await session.execute(_API_TOKEN_LOOKUP, {"digest": digest})).first()


async def touch_session(session: AsyncSession, session_id: uuid.UUID, now: datetime) -> None:
    await session.execute(
        update(AuthSession).where(AuthSession.id == session_id).values(last_used_at=now)
    )


async def touch_api_token(session: AsyncSession, token_id: uuid.UUID, now: datetime) -> None:
    await session.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now))


async def open_sessions(session: AsyncSession, user_id: uuid.UUID) -> Sequence[AuthSession]:
    return (
        await session.scalars(
            select(AuthSession).where(
                AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None)
            )
        )
    ).all()
