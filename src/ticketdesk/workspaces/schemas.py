"""Shapes of a workspace: as login and /me show it, its settings, the CLI's summary."""

from __future__ import annotations

import uuid
from typing import Annotated
from zoneinfo import available_timezones

from pydantic import AfterValidator, Field, StringConstraints

from ticketdesk.schemas import Input, Name200, Output

_ZONES = available_timezones()


def _zone(value: str) -> str:
    if value not in _ZONES:
        raise ValueError("is not an IANA time zone such as Europe/Berlin")
    return value


TimeZone = Annotated[
    str,
    StringConstraints(max_length=64, pattern=r"^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+){0,2}$"),
    AfterValidator(_zone),
    Field(
        description="an IANA time zone name known to the server's tz database",
        examples=["Europe/Berlin"],
    ),
]


class WorkspaceRead(Output):
    id: uuid.UUID
    slug: str
    name: str
    ticket_prefix: str
    timezone: str


class WorkspaceUpdate(Input):
    name: Name200 | None = None
    timezone: TimeZone | None = None


class WorkspaceSettingsRead(WorkspaceRead):  # the same fields, its own name in the API
    pass


class WorkspaceSummary(Output):
    """What `ticketdesk workspace create` prints of the new workspace."""

    id: uuid.UUID
    slug: str
    name: str
    ticket_prefix: str


class AdminSummary(Output):
    """What `ticketdesk workspace create` prints of its first admin."""

    id: uuid.UUID
    email: str
