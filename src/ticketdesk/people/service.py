"""Users, teams and API tokens of a workspace; logging in and out."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk.auth.passwords import hash_password, verify_password
from ticketdesk.auth.principal import Principal
from ticketdesk.auth.tokens import hash_token, new_api_token, new_session_token
from ticketdesk.config import Settings
from ticketdesk.db import Database, new_id, utcnow
from ticketdesk.errors import Conflict, NotAuthenticated, NotFound, RateLimited, ValidationFailed
from ticketdesk.models import ApiToken, AuthSession, LoginFailure, Team, TeamMember, User, Workspace
from ticketdesk.people.schemas import ApiTokenCreate, TeamCreate, TeamUpdate, UserCreate, UserUpdate


async def login(
    db: Database,
    session: AsyncSession,
    settings: Settings,
    *,
    email: str,
    password: str,
    workspace_slug: str | None,
    client_ip: str | None,
) -> tuple[str, AuthSession, User, Workspace]:
    email = email.strip().lower()
    window_start = utcnow() - timedelta(minutes=settings.login_failure_window_minutes)
    failures = await session.scalar(
        select(func.count()).where(
            LoginFailure.email == email, LoginFailure.created_at >= window_start
        )
    )
    if (failures or 0) >= settings.login_max_failures:
        raise RateLimited(
            "Too many failed logins for this email; try again later.",
            retry_after=settings.login_failure_window_minutes * 60,
        )
    stmt = (
        select(User, Workspace)
        .join(Workspace, Workspace.id == User.workspace_id)
        .where(User.email == email, User.active.is_(True))
    )
    if workspace_slug:
        stmt = stmt.where(Workspace.slug == workspace_slug)
    candidates = (await session.execute(stmt.order_by(Workspace.created_at))).all()
    match = next((c for c in candidates if verify_password(c[0].password_hash, password)), None)
    if not candidates:
        verify_password(None, password)  # same cost whether or not the email exists
    if match is None:
        # Recorded in a transaction of its own, since the 401 rolls the request's back; end the
        # request's first so SQLite's single writer lock is free for it.
        await session.rollback()
        async with db.unit_of_work() as separate:
            separate.add(LoginFailure(email=email, client_ip=client_ip))
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
    session.add(auth_session)
    await session.execute(delete(LoginFailure).where(LoginFailure.email == email))
    await session.flush()
    return token, auth_session, user, workspace


async def logout(session: AsyncSession, principal: Principal) -> None:
    if principal.session_id is not None:
        auth_session = await session.get(AuthSession, principal.session_id)
        if auth_session is not None:
            auth_session.revoked_at = utcnow()


async def list_users(session: AsyncSession, principal: Principal) -> Sequence[User]:
    return (
        await session.scalars(
            select(User)
            .where(User.workspace_id == principal.workspace_id)
            .order_by(User.name, User.id)
        )
    ).all()


async def get_user(session: AsyncSession, principal: Principal, user_id: uuid.UUID) -> User:
    user = await session.scalar(
        select(User).where(User.id == user_id, User.workspace_id == principal.workspace_id)
    )
    if user is None:
        raise NotFound("No such user in this workspace.")
    return user


async def create_user(session: AsyncSession, principal: Principal, data: UserCreate) -> User:
    exists = await session.scalar(
        select(User.id).where(User.workspace_id == principal.workspace_id, User.email == data.email)
    )
    if exists:
        raise Conflict("A user with this email exists in the workspace already.")
    user = User(
        id=new_id(),
        workspace_id=principal.workspace_id,
        email=data.email,
        name=data.name,
        role=data.role,
        password_hash=hash_password(data.password) if data.password else None,
        active=True,
        created_at=utcnow(),
    )
    session.add(user)
    await session.flush()
    return user


async def update_user(
    session: AsyncSession, principal: Principal, user_id: uuid.UUID, data: UserUpdate
) -> User:
    user = await get_user(session, principal, user_id)
    fields = data.model_fields_set
    if user.id == principal.user_id and (
        ("role" in fields and data.role != "admin") or ("active" in fields and data.active is False)
    ):
        raise Conflict("You cannot demote or deactivate yourself; ask another admin.")
    if "name" in fields and data.name:
        user.name = data.name
    if "role" in fields and data.role:
        user.role = data.role
    if "active" in fields and data.active is not None:
        user.active = data.active
        if not data.active:
            await _revoke_sessions(session, user.id)
    if "password" in fields and data.password:
        user.password_hash = hash_password(data.password)
        await _revoke_sessions(session, user.id)
    await session.flush()
    return user


async def _revoke_sessions(session: AsyncSession, user_id: uuid.UUID) -> None:
    now = utcnow()
    for auth_session in await session.scalars(
        select(AuthSession).where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
    ):
        auth_session.revoked_at = now


async def _check_members(
    session: AsyncSession, principal: Principal, member_ids: list[uuid.UUID]
) -> list[uuid.UUID]:
    unique = list(dict.fromkeys(member_ids))
    if not unique:
        return []
    found = set(
        (
            await session.scalars(
                select(User.id).where(
                    User.workspace_id == principal.workspace_id, User.id.in_(unique)
                )
            )
        ).all()
    )
    missing = [str(m) for m in unique if m not in found]
    if missing:
        raise ValidationFailed(f"Unknown user {missing[0]}.", loc=("body", "member_ids"))
    return unique


async def team_members(
    session: AsyncSession, team_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[uuid.UUID]]:
    members: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    if team_ids:
        rows = await session.execute(
            select(TeamMember.team_id, TeamMember.user_id).where(TeamMember.team_id.in_(team_ids))
        )
        for team_id, user_id in rows:
            members[team_id].append(user_id)
    return members


def team_view(team: Team, members: dict[uuid.UUID, list[uuid.UUID]]) -> dict[str, Any]:
    return {
        "id": team.id,
        "name": team.name,
        "member_ids": members.get(team.id, []),
        "created_at": team.created_at,
    }


async def create_team(session: AsyncSession, principal: Principal, data: TeamCreate) -> Team:
    if await session.scalar(
        select(Team.id).where(Team.workspace_id == principal.workspace_id, Team.name == data.name)
    ):
        raise Conflict("A team with this name exists already.")
    members = await _check_members(session, principal, data.member_ids)
    team = Team(
        id=new_id(), workspace_id=principal.workspace_id, name=data.name, created_at=utcnow()
    )
    session.add(team)
    await session.flush()
    for user_id in members:
        session.add(TeamMember(team_id=team.id, user_id=user_id))
    await session.flush()
    return team


async def get_team(session: AsyncSession, principal: Principal, team_id: uuid.UUID) -> Team:
    team = await session.scalar(
        select(Team).where(Team.id == team_id, Team.workspace_id == principal.workspace_id)
    )
    if team is None:
        raise NotFound("No such team in this workspace.")
    return team


async def update_team(
    session: AsyncSession, principal: Principal, team_id: uuid.UUID, data: TeamUpdate
) -> Team:
    team = await get_team(session, principal, team_id)
    if data.name and data.name != team.name:
        if await session.scalar(
            select(Team.id).where(
                Team.workspace_id == principal.workspace_id, Team.name == data.name
            )
        ):
            raise Conflict("A team with this name exists already.")
        team.name = data.name
    if data.member_ids is not None:
        members = await _check_members(session, principal, data.member_ids)
        await session.execute(delete(TeamMember).where(TeamMember.team_id == team.id))
        for user_id in members:
            session.add(TeamMember(team_id=team.id, user_id=user_id))
    await session.flush()
    return team


async def list_teams(session: AsyncSession, principal: Principal) -> Sequence[Team]:
    return (
        await session.scalars(
            select(Team).where(Team.workspace_id == principal.workspace_id).order_by(Team.name)
        )
    ).all()


async def create_api_token(
    session: AsyncSession, principal: Principal, data: ApiTokenCreate
) -> tuple[str, ApiToken]:
    if data.expires_at is not None and data.expires_at <= utcnow():
        raise ValidationFailed("`expires_at` must be in the future.", loc=("body", "expires_at"))
    token = new_api_token()
    api_token = ApiToken(
        id=new_id(),
        workspace_id=principal.workspace_id,
        name=data.name,
        token_prefix=token[:10],
        token_hash=hash_token(token),
        scopes=sorted(set(data.scopes)),
        created_by_id=principal.user_id,
        created_at=utcnow(),
        expires_at=data.expires_at,
    )
    session.add(api_token)
    await session.flush()
    return token, api_token


async def list_api_tokens(session: AsyncSession, principal: Principal) -> Sequence[ApiToken]:
    return (
        await session.scalars(
            select(ApiToken)
            .where(ApiToken.workspace_id == principal.workspace_id)
            .order_by(ApiToken.created_at.desc(), ApiToken.id)
        )
    ).all()


async def revoke_api_token(
    session: AsyncSession, principal: Principal, token_id: uuid.UUID
) -> None:
    api_token = await session.scalar(
        select(ApiToken).where(
            ApiToken.id == token_id, ApiToken.workspace_id == principal.workspace_id
        )
    )
    if api_token is None:
        raise NotFound("No such API token in this workspace.")
    if api_token.revoked_at is None:
        api_token.revoked_at = utcnow()
