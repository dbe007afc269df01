"""Shapes of workspace statuses."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import Field

from ticketdesk.schemas import Flag, Input, JsonInt, Name80, NotNullable, Output
from ticketdesk.tickets.schemas import Slug

Category = Literal["open", "pending", "solved", "closed"]
WAITS_ON_CUSTOMER = (
    "the ticket waits on the customer: auto-close reminds, then closes, tickets in it (only "
    "a `pending` status may; on for the built-in `waiting`)"
)


class StatusCreate(Input):
    name: Slug
    label: Name80
    category: Category
    position: Annotated[JsonInt, Field(ge=0, le=1000)] | None = None
    waits_on_customer: Flag = Field(default=False, description=WAITS_ON_CUSTOMER)


class StatusUpdate(Input):
    label: Name80 | None = None
    position: Annotated[JsonInt, Field(ge=0, le=1000)] | None = None
    waits_on_customer: Annotated[Flag | None, NotNullable] = Field(
        default=None, description=WAITS_ON_CUSTOMER
    )


class StatusRead(Output):
    id: uuid.UUID
    name: str
    label: str
    category: Category
    position: int
    waits_on_customer: bool = Field(description=WAITS_ON_CUSTOMER)
