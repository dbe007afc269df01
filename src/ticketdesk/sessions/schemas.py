"""Shapes of logging in and of GET /me."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from ticketdesk.api_tokens.schemas import ApiTokenRead
from ticketdesk.schemas import Input, Output, ShortText, UtcDateTime
from ticketdesk.users.schemas import Role, UserRead
from ticketdesk.workspaces.schemas import WorkspaceRead


class LoginRequest(Input):
    email: Annotated[str, StringConstraints(min_length=1, max_length=320)]
    password: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    workspace: ShortText | None = None


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
    email_sending: bool = Field(
        description="whether this server sends email (an SMTP relay is configured); when false, "
        "replies are saved on the ticket but nobody is emailed"
    )
