"""Logging in and out: throttled attempts, session tokens, who the caller is."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk.api_tokens.schemas import ApiTokenRead
from ticketdesk.auth.passwords import verify_password_off_loop
from ticketdesk.auth.principal import Principal
from ticketdesk.auth.tokens import hash_token, new_session_token
from ticketdesk.config import Settings
from ticketdesk.db import Database, new_id, utcnow
from ticketdesk.errors import NotAuthenticated
from ticketdesk.models import ApiToken, AuthSession, User, Workspace
from ticketdesk.sessions import repository
from ticketdesk.sessions.schemas import LoginResponse, MeRead
from ticketdesk.sessions.throttle import LoginThrottle
from ticketdesk.users.schemas import UserRead
from ticketdesk.workspaces.schemas import WorkspaceRead

UNKNOWN_CLIENT = "unknown"


async def login(
    db: Database,
    session: AsyncSession,
    settings: Settings,
    throttle: LoginThrottle,
    *,
    email: str,
    password: str,
    workspace_slug: str | None,
    client_ip: str | None,
) -> LoginResponse:
    """A new session token for the active user whose password matches (attempts throttled)."""
    email = email.strip().lower()
    client = client_ip or UNKNOWN_CLIENT
    await throttle.reserve(email, client)  # counted as a failure unless the password matches
    # Read in a transaction of its own, so none is open while the password is checked (on
    # SQLite an open transaction holds the one write lock).
    async with db.unit_of_work() as reading:
        candidates = await repository.login_candidates(reading, email, workspace_slug)
    match = None
    for candidate in candidates:
        if await verify_password_off_loop(candidate[0].password_hash, password):
            match = candidate
            break
    if not candidates:
        await verify_password_off_loop(None, password)  # same cost whether or not it exists
    if match is None:
        raise NotAuthenticated("Wrong email or password.")
    await throttle.succeeded(session, email, client)
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


async def me(session: AsyncSession, principal: Principal, *, email_sending: bool) -> MeRead:
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
        email_sending=email_sending,
    )
