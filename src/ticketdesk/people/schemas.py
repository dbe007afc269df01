from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from ticketdesk.auth.principal import SCOPES
from ticketdesk.schemas import (
    Email,
    Input,
    Name100,
    Name200,
    Output,
    ShortText,
    Timestamp,
    UtcDateTime,
)

Role = Literal["admin", "agent", "viewer"]
Scope = Literal[SCOPES]  # type: ignore[valid-type]
Password = Annotated[str, StringConstraints(min_length=8, max_length=200)]


class UserCreate(Input):
    email: Email
    name: Name200
    role: Role = "agent"
    password: Password | None = None


class UserUpdate(Input):
    name: Name200 | None = None
    role: Role | None = None
    active: bool | None = None
    password: Password | None = None


class UserRead(Output):
    id: uuid.UUID
    email: str
    name: str
    role: Role
    active: bool
    created_at: UtcDateTime


class TeamCreate(Input):
    name: Name100
    member_ids: Annotated[list[uuid.UUID], Field(max_length=500)] = []


class TeamUpdate(Input):
    name: Name100 | None = None
    member_ids: Annotated[list[uuid.UUID], Field(max_length=500)] | None = None


class TeamRead(Output):
    id: uuid.UUID
    name: str
    member_ids: list[uuid.UUID]
    created_at: UtcDateTime


class ApiTokenCreate(Input):
    name: Name100
    scopes: Annotated[list[Scope], Field(min_length=1, max_length=len(SCOPES))]
    expires_at: Timestamp | None = None


class ApiTokenRead(Output):
    id: uuid.UUID
    name: str
    token_prefix: str
    scopes: list[str]
    created_at: UtcDateTime
    last_used_at: UtcDateTime | None
    expires_at: UtcDateTime | None
    revoked_at: UtcDateTime | None


class ApiTokenCreated(ApiTokenRead):
    token: str = Field(description="Shown once; only its hash is stored.")


class LoginRequest(Input):
    email: Annotated[str, StringConstraints(min_length=1, max_length=320)]
    password: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    workspace: ShortText | None = None


class WorkspaceRead(Output):
    id: uuid.UUID
    slug: str
    name: str
    ticket_prefix: str
    timezone: str


class LoginResponse(Output):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_at: UtcDateTime
    user: UserRead
    workspace: WorkspaceRead


class MeRead(Output):
    kind: Literal["user", "api_token"]
    user: UserRead | None
    api_token: ApiTokenRead | None
    role: Role
    scopes: list[str]
    workspace: WorkspaceRead
