"""Shapes of API tokens; the token itself appears in the create response only."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import Field

from ticketdesk.auth.principal import SCOPES
from ticketdesk.schemas import Input, Name100, Output, Timestamp, UtcDateTime

Scope = Literal[SCOPES]  # type: ignore[valid-type]


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
