"""Ticket shapes by role: create, update, read."""

from __future__ import annotations

import re
import uuid
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, StringConstraints

from ticketdesk.schemas import (
    Email,
    Input,
    JsonObject,
    LongText,
    Name200,
    Output,
    Subject,
    UtcDateTime,
)

Priority = Literal["low", "normal", "high", "urgent"]
Channel = Literal["chat", "email", "form", "api", "agent"]
SlaState = Literal["none", "ok", "at_risk", "breached", "paused", "met"]

_LABEL_RE = re.compile(r"^[\w][\w .:/+-]*$", re.UNICODE)


def _label(value: str) -> str:
    value = value.strip().lower()
    if not _LABEL_RE.match(value):
        raise ValueError(
            "labels are letters, digits and ` _.:/+-`, starting with a letter or digit"
        )
    return value


LabelName = Annotated[str, StringConstraints(min_length=1, max_length=50), AfterValidator(_label)]
Slug = Annotated[
    str, StringConstraints(min_length=1, max_length=50, pattern=r"^[a-z0-9][a-z0-9_-]*$")
]
Labels = Annotated[list[LabelName], Field(max_length=50)]


class RequesterIn(Input):
    email: Email
    name: Name200 | None = None


class TicketCreate(Input):
    subject: Subject
    description: LongText = ""
    status: Slug | None = None
    priority: Priority = "normal"
    type: Slug | None = None
    category: Slug | None = None
    labels: Labels = []
    requester: RequesterIn | None = None
    assignee_id: uuid.UUID | None = None
    team_id: uuid.UUID | None = None
    custom_fields: JsonObject = {}
    channel: Channel | None = None


class TicketUpdate(Input):
    subject: Subject | None = None
    description: LongText | None = None
    status: Slug | None = None
    priority: Priority | None = None
    type: Slug | None = None
    category: Slug | None = None
    assignee_id: uuid.UUID | None = None
    team_id: uuid.UUID | None = None
    labels: Labels | None = None
    custom_fields: JsonObject | None = None


class ContactRead(Output):
    id: uuid.UUID
    email: str
    name: str | None


class UserRef(Output):
    id: uuid.UUID
    name: str
    email: str


class TeamRef(Output):
    id: uuid.UUID
    name: str


class SlaRead(Output):
    first_response_due_at: UtcDateTime | None
    next_response_due_at: UtcDateTime | None
    resolution_due_at: UtcDateTime | None
    first_responded_at: UtcDateTime | None
    state: SlaState


class TicketRead(Output):
    id: uuid.UUID
    key: str = Field(examples=["TKT-42"])
    number: int
    subject: str
    description: str
    status: str
    status_category: Literal["open", "pending", "solved", "closed"]
    priority: Priority
    type: str | None
    category: str | None
    channel: Channel
    requester: ContactRead | None
    assignee: UserRef | None
    team: TeamRef | None
    labels: list[str]
    custom_fields: dict[str, Any]
    conversation_id: uuid.UUID | None
    merged_into: str | None
    sla: SlaRead
    created_at: UtcDateTime
    updated_at: UtcDateTime
    resolved_at: UtcDateTime | None
    closed_at: UtcDateTime | None
    version: int


class TicketStats(Output):
    total: int
    by_status: dict[str, int]
    by_priority: dict[str, int]


class ActorRead(Output):
    kind: Literal["user", "api_token", "contact", "system"]
    id: uuid.UUID | None
    name: str | None


class ActivityRead(Output):
    id: int
    type: str
    actor: ActorRead
    data: dict[str, Any]
    created_at: UtcDateTime
