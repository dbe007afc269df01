"""Shapes of a workspace's users."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import StringConstraints

from ticketdesk.schemas import Email, Flag, Input, Name200, Output, UtcDateTime

Role = Literal["admin", "agent", "viewer"]
Password = Annotated[str, StringConstraints(min_length=8, max_length=200)]


class UserCreate(Input):
    email: Email
    name: Name200
    role: Role = "agent"
    password: Password | None = None


class UserUpdate(Input):
    name: Name200 | None = None
    role: Role | None = None
    active: Flag | None = None
    password: Password | None = None


class UserRead(Output):
    id: uuid.UUID
    email: str
    name: str
    role: Role
    active: bool
    created_at: UtcDateTime
