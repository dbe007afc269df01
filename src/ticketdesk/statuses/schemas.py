"""Shapes of workspace statuses."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import Field

from ticketdesk.schemas import Input, Name80, Output
from ticketdesk.tickets.schemas import Slug

Category = Literal["open", "pending", "solved", "closed"]


class StatusCreate(Input):
    name: Slug
    label: Name80
    category: Category
    position: Annotated[int, Field(ge=0, le=1000)] | None = None


class StatusUpdate(Input):
    label: Name80 | None = None
    position: Annotated[int, Field(ge=0, le=1000)] | None = None


class StatusRead(Output):
    id: uuid.UUID
    name: str
    label: str
    category: Category
    position: int
