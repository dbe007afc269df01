"""Who is calling: the Principal every route and repository is scoped by."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Annotated, Any, Literal

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk.auth import repository
from ticketdesk.auth.tokens import API_TOKEN_PREFIX, hash_token
from ticketdesk.context import context
from ticketdesk.db import utcnow
from ticketdesk.deps import SessionDep
from ticketdesk.errors import Forbidden, NotAuthenticated
from ticketdesk.events import Actor
from ticketdesk.models import Workspace

ROLES = ("admin", "agent", "viewer")
ROLE_RANK = {"viewer": 0, "agent": 1, "admin": 2}
SCOPES = (
    "tickets:read",
    "tickets:write",
    "conversations:write",
    "email:inbound",
    "webhooks:manage",
    "admin",
)
LAST_USED_RESOLUTION = timedelta(seconds=60)


@dataclass(frozen=True)
class Principal:
    workspace_id: uuid.UUID
    kind: Literal["user", "api_token"]
    id: uuid.UUID
    name: str
    role: str
    email: str | None = None
    scopes: frozenset[str] = field(default_factory=frozenset)
    session_id: uuid.UUID | None = None

    @property
    def user_id(self) -> uuid.UUID | None:
        return self.id if self.kind == "user" else None

    def actor(self) -> Actor:
        return Actor(self.kind, self.id, self.name)

    def has_role(self, role: str) -> bool:
        return ROLE_RANK[self.role] >= ROLE_RANK[role]


def role_for_scopes(scopes: list[str]) -> str:
    if "admin" in scopes:
        return "admin"
    if "tickets:write" in scopes or "conversations:write" in scopes:
        return "agent"
    return "viewer"


def _bearer(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthenticated("Send `Authorization: Bearer <token>`.")
    return token.strip()


def _keep_workspace(session: AsyncSession, workspace: Workspace) -> None:
    # The identity map holds objects weakly: this reference keeps the caller's workspace
    # there for the request, so get_workspace()'s session.get() costs no query.
    context(session).workspace = workspace


async def principal_from_token(session: AsyncSession, token: str) -> Principal | None:
    """Resolve a bearer token to its principal, or None when unknown, expired or revoked."""
    now = utcnow()
    digest = hash_token(token)
    if token.startswith(API_TOKEN_PREFIX):
        # the workspace rides along so that get_workspace() finds it in the identity map
        found = await repository.api_token_by_digest(session, digest)
        if found is None:
            return None
        api_token, workspace = found
        _keep_workspace(session, workspace)
        if api_token.revoked_at is not None:
            return None
        if api_token.expires_at is not None and api_token.expires_at <= now:
            return None
        if api_token.last_used_at is None or now - api_token.last_used_at > LAST_USED_RESOLUTION:
            await repository.touch_api_token(session, api_token.id, now)
        return Principal(
            workspace_id=api_token.workspace_id,
            kind="api_token",
            id=api_token.id,
            name=api_token.name,
            role=role_for_scopes(api_token.scopes),
            scopes=frozenset(api_token.scopes),
        )
    row = await repository.session_by_digest(session, digest)
    if row is None:
        return None
    _keep_workspace(session, row.Workspace)
    if row.revoked_at is not None or row.expires_at <= now or not row.active:
        return None
    if row.last_used_at is None or now - row.last_used_at > LAST_USED_RESOLUTION:
        await repository.touch_session(session, row.session_id, now)
    return Principal(
        workspace_id=row.workspace_id,
        kind="user",
        id=row.user_id,
        name=row.name,
        role=row.role,
        email=row.email,
        scopes=frozenset(SCOPES),
        session_id=row.session_id,
    )


async def get_principal(request: Request, session: SessionDep) -> Principal:
    principal = await principal_from_token(session, _bearer(request))
    if principal is None:
        raise NotAuthenticated("The token is unknown, expired or revoked.")
    request.state.principal = principal
    return principal


def _requires(role: str, scope: str | None = None) -> Any:
    async def dependency(principal: Principal = Depends(get_principal)) -> Principal:
        if not principal.has_role(role):
            raise Forbidden(f"This needs the {role} role.")
        if scope is not None and principal.kind == "api_token" and scope not in principal.scopes:
            if "admin" not in principal.scopes:
                raise Forbidden(f"This API token lacks the `{scope}` scope.")
        return principal

    return dependency


def requires_scope(scope: str, role: str = "viewer") -> Any:
    return _requires(role, scope)


reader = _requires("viewer", "tickets:read")
agent = _requires("agent", "tickets:write")
admin = _requires("admin", "admin")

# The callers routes declare: anyone who may read tickets, work them, or run the workspace.
Reader = Annotated[Principal, Depends(reader)]
Agent = Annotated[Principal, Depends(agent)]
Admin = Annotated[Principal, Depends(admin)]


async def current_workspace(session: AsyncSession, principal: Principal) -> Workspace:
    workspace = await session.get(Workspace, principal.workspace_id)
    assert workspace is not None
    return workspace


async def caller_workspace(
    session: SessionDep, principal: Principal = Depends(get_principal)
) -> Workspace:
    """The caller's workspace (in the identity map since the token lookup: no query)."""
    return await current_workspace(session, principal)


# The caller's workspace, for routes; their role is checked by their Reader/Agent/Admin.
WorkspaceDep = Annotated[Workspace, Depends(caller_workspace)]
