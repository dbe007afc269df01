"""HTTP for the people of a workspace: login, me, users, teams, API tokens."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response

from ticketdesk.auth.principal import Principal, admin, get_principal, reader
from ticketdesk.config import Settings
from ticketdesk.deps import SessionDep
from ticketdesk.errors import problems
from ticketdesk.models import ApiToken, User, Workspace
from ticketdesk.people import service
from ticketdesk.people.schemas import (
    ApiTokenCreate,
    ApiTokenCreated,
    ApiTokenRead,
    LoginRequest,
    LoginResponse,
    MeRead,
    TeamCreate,
    TeamRead,
    TeamUpdate,
    UserCreate,
    UserRead,
    UserUpdate,
)

router = APIRouter()

Admin = Annotated[Principal, Depends(admin)]
Reader = Annotated[Principal, Depends(reader)]
Authenticated = Annotated[Principal, Depends(get_principal)]

_WRITE = problems(400, 401, 403, 409, 413, 415, 422)


def _user(user: User) -> dict[str, Any]:
    return UserRead.model_validate(user).model_dump()


def _workspace(workspace: Workspace) -> dict[str, Any]:
    return {
        "id": workspace.id,
        "slug": workspace.slug,
        "name": workspace.name,
        "ticket_prefix": workspace.ticket_prefix,
        "timezone": workspace.timezone,
    }


def _token(api_token: ApiToken) -> dict[str, Any]:
    return ApiTokenRead.model_validate(api_token).model_dump()


@router.post(
    "/auth/login",
    response_model=LoginResponse,
    operation_id="auth:login",
    tags=["auth"],
    responses=problems(400, 401, 413, 415, 422, 429),
)
async def login(data: LoginRequest, request: Request, session: SessionDep) -> dict[str, Any]:
    """Exchange email and password for an opaque session token (failed logins are rate limited)."""
    settings: Settings = request.app.state.settings
    token, auth_session, user, workspace = await service.login(
        request.app.state.db,
        session,
        settings,
        email=data.email,
        password=data.password,
        workspace_slug=data.workspace,
        client_ip=request.client.host if request.client else None,
    )
    return {
        "access_token": token,
        "token_type": "bearer",
        "expires_at": auth_session.expires_at,
        "user": _user(user),
        "workspace": _workspace(workspace),
    }


@router.post(
    "/auth/logout",
    status_code=204,
    operation_id="auth:logout",
    tags=["auth"],
    responses=problems(401),
)
async def logout(session: SessionDep, principal: Authenticated) -> Response:
    """Revoke the session token used for this request."""
    await service.logout(session, principal)
    return Response(status_code=204)


@router.get(
    "/me", response_model=MeRead, operation_id="me:get", tags=["auth"], responses=problems(401)
)
async def me(session: SessionDep, principal: Authenticated) -> dict[str, Any]:
    workspace = await session.get(Workspace, principal.workspace_id)
    assert workspace is not None
    user = await session.get(User, principal.id) if principal.kind == "user" else None
    api_token = await session.get(ApiToken, principal.id) if principal.kind == "api_token" else None
    return {
        "kind": principal.kind,
        "user": _user(user) if user else None,
        "api_token": _token(api_token) if api_token else None,
        "role": principal.role,
        "scopes": sorted(principal.scopes),
        "workspace": _workspace(workspace),
    }


@router.post(
    "/users",
    status_code=201,
    response_model=UserRead,
    operation_id="users:create",
    tags=["users"],
    responses=_WRITE,
)
async def create_user(data: UserCreate, session: SessionDep, principal: Admin) -> dict[str, Any]:
    return _user(await service.create_user(session, principal, data))


@router.get(
    "/users",
    response_model=list[UserRead],
    operation_id="users:list",
    tags=["users"],
    responses=problems(401, 403),
)
async def list_users(session: SessionDep, principal: Reader) -> list[dict[str, Any]]:
    return [_user(u) for u in await service.list_users(session, principal)]


@router.get(
    "/users/{user_id}",
    response_model=UserRead,
    operation_id="users:get",
    tags=["users"],
    responses=problems(401, 403, 404, 422),
)
async def get_user(user_id: uuid.UUID, session: SessionDep, principal: Reader) -> dict[str, Any]:
    return _user(await service.get_user(session, principal, user_id))


@router.patch(
    "/users/{user_id}",
    response_model=UserRead,
    operation_id="users:update",
    tags=["users"],
    responses={**_WRITE, **problems(404)},
)
async def update_user(
    user_id: uuid.UUID, data: UserUpdate, session: SessionDep, principal: Admin
) -> dict[str, Any]:
    """Rename, change role, (de)activate or set a password; the last two end the user's sessions."""
    return _user(await service.update_user(session, principal, user_id, data))


@router.post(
    "/teams",
    status_code=201,
    response_model=TeamRead,
    operation_id="teams:create",
    tags=["teams"],
    responses=_WRITE,
)
async def create_team(data: TeamCreate, session: SessionDep, principal: Admin) -> dict[str, Any]:
    team = await service.create_team(session, principal, data)
    return service.team_view(team, await service.team_members(session, [team.id]))


@router.get(
    "/teams",
    response_model=list[TeamRead],
    operation_id="teams:list",
    tags=["teams"],
    responses=problems(401, 403),
)
async def list_teams(session: SessionDep, principal: Reader) -> list[dict[str, Any]]:
    teams = await service.list_teams(session, principal)
    members = await service.team_members(session, [t.id for t in teams])
    return [service.team_view(t, members) for t in teams]


@router.patch(
    "/teams/{team_id}",
    response_model=TeamRead,
    operation_id="teams:update",
    tags=["teams"],
    responses={**_WRITE, **problems(404)},
)
async def update_team(
    team_id: uuid.UUID, data: TeamUpdate, session: SessionDep, principal: Admin
) -> dict[str, Any]:
    team = await service.update_team(session, principal, team_id, data)
    return service.team_view(team, await service.team_members(session, [team.id]))


@router.post(
    "/api-tokens",
    status_code=201,
    response_model=ApiTokenCreated,
    operation_id="api_tokens:create",
    tags=["api-tokens"],
    responses=_WRITE,
)
async def create_api_token(
    data: ApiTokenCreate, session: SessionDep, principal: Admin
) -> dict[str, Any]:
    """A new `td_…` token; the token itself is in this response only."""
    token, api_token = await service.create_api_token(session, principal, data)
    return {**_token(api_token), "token": token}


@router.get(
    "/api-tokens",
    response_model=list[ApiTokenRead],
    operation_id="api_tokens:list",
    tags=["api-tokens"],
    responses=problems(401, 403),
)
async def list_api_tokens(session: SessionDep, principal: Admin) -> list[dict[str, Any]]:
    return [_token(t) for t in await service.list_api_tokens(session, principal)]


@router.delete(
    "/api-tokens/{token_id}",
    status_code=204,
    operation_id="api_tokens:revoke",
    tags=["api-tokens"],
    responses=problems(401, 403, 404, 422),
)
async def revoke_api_token(token_id: uuid.UUID, session: SessionDep, principal: Admin) -> Response:
    await service.revoke_api_token(session, principal, token_id)
    return Response(status_code=204)
