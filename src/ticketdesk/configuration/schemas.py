from __future__ import annotations

import uuid
from typing import Annotated, Literal
from zoneinfo import available_timezones

from pydantic import AfterValidator, Field, StringConstraints

from ticketdesk.schemas import Input, Name80, Name200, Output
from ticketdesk.tickets.schemas import LabelName, Slug

Category = Literal["open", "pending", "solved", "closed"]
_ZONES = available_timezones()


def _zone(value: str) -> str:
    if value not in _ZONES:
        raise ValueError("is not an IANA time zone such as Europe/Berlin")
    return value


TimeZone = Annotated[str, StringConstraints(max_length=64), AfterValidator(_zone)]
Color = Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$")]


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


class LabelCreate(Input):
    name: LabelName
    color: Color | None = None


class LabelRead(Output):
    id: uuid.UUID
    name: str
    color: str | None


class WorkspaceUpdate(Input):
    name: Name200 | None = None
    timezone: TimeZone | None = None


class WorkspaceSettingsRead(Output):
    id: uuid.UUID
    slug: str
    name: str
    ticket_prefix: str
    timezone: str
