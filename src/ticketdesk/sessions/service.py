"""Logging in and out: the rate limit on failures, session tokens, who the caller is."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk.api_tokens.schemas import ApiTokenRead
from ticketdesk.auth.passwords import verify_password
from ticketdesk.auth.principal import Principal
from ticketdesk.auth.tokens import hash_token, new_session_token
from ticketdesk.config import Settings
from ticketdesk.db import Database, new_id, utcnow
from ticketdesk.errors import NotAuthenticated, RateLimited
from ticketdesk.models import ApiToken, AuthSession, User, Workspace
from ticketdesk.sessions import repository
from ticketdesk.sessions.schemas import LoginResponse, MeRead
from ticketdesk.users.schemas import UserRead
from ticketdesk.workspaces.schemas import WorkspaceRead


async def login(
    db: Database,
    session: AsyncSession,
    settings: Settings,
    *,
    email: str,
    password: str,
    workspace_slug: str | None,
    client_ip: str | None,
) -> LoginResponse:
    """A new session token for the active user whose password matches (failures rate-limited)."""
    email = email.strip().lower()
    window_start = utcnow() - timedelta(minutes=settings.login_failure_window_minutes)
    if await repository.count_login_failures(session, email, window_start) >= (
        settings.login_max_failures
    ):
        raise RateLimited(
            "Too many failed logins for this email; try again later.",
            retry_after=settings.login_failure_window_minutes * 60,
        )
    candidates = await repository.login_candidates(session, email, workspace_slug)
    match = next((c for c in candidates if verify_password(c[0].password_hash, password)), None)
    if not candidates:
        verify_password(None, password)  # same cost whether or not the email exists
    if match is None:
        # Recorded in a transaction of its own, since the 401 rolls the request's back; end the
        # request's first so SQLite's single writer lock is free for it.
        await session.rollback()
        async with db.unit_of_work() as separate:
            repository.add_login_failure(separate, email, client_ip)
        raise NotAuthenticated("Wrong email or password.")
    user, workspace = match
    token = new_session_token()
    auth_session = AuthSession(
        id=new_id(),
        token_hash=hash_token(token),
        user_id=user.id,
        workspace_id=workspace.id,
        expires_at=utcnow() + timedelta(hours=settings.session_ttl_hours),
    )
    repository.add_auth_session(session, auth_session)
    await repository.clear_login_failures(session, email)
    await session.flush()
    return LoginResponse(
        access_token=token,
        token_type="bearer",
        expires_at=auth_session.expires_at,
        user=UserRead.model_validate(user),
        workspace=WorkspaceRead.model_validate(workspace),
    )


async def logout(session: AsyncSession, principal: Principal) -> None:
    """End the session the caller's token belongs to (an API token is revoked elsewhere)."""
    if principal.session_id is not None:
        auth_session = await repository.by_id(session, AuthSession, principal.session_id)
        if auth_session is not None:
            auth_session.revoked_at = utcnow()


async def me(session: AsyncSession, principal: Principal) -> MeRead:
    """Who the caller is: their user or API token, role, scopes and workspace."""
    workspace = await repository.by_id(session, Workspace, principal.workspace_id)
    assert workspace is not None
    user = await repository.by_id(session, User, principal.id) if principal.kind == "user" else None
    api_token = (
        await repository.by_id(session, ApiToken, principal.id)
        if principal.kind == "api_token"
        else None
    )
    return MeRead(
        kind=principal.kind,
        user=UserRead.model_validate(user) if user else None,
        api_token=ApiTokenRead.model_validate(api_token) if api_token else None,
        role=principal.role,
        scopes=sorted(principal.scopes),
        workspace=WorkspaceRead.model_validate(workspace),
    )
