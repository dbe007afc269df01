"""Ticket shapes by role: create, update, read."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, StringConstraints, model_validator

from ticketdesk.schemas import (
    NON_BLANK_PATTERN,
    STRIP,
    Email,
    Input,
    JsonObject,
    LongText,
    Name200,
    NotNullable,
    Output,
    Subject,
    UtcDateTime,
)

Priority = Literal["low", "normal", "high", "urgent"]
Channel = Literal["chat", "email", "form", "api", "agent"]
SlaState = Literal["none", "ok", "at_risk", "breached", "paused", "met"]


def _label(value: str) -> str:
    return value.strip().lower()


# Labels are case-insensitive and comma-free (the list filter uses commas); no control chars.
LabelName = Annotated[
    str,
    StringConstraints(
        min_length=1, max_length=50, pattern=r"^[^\s,\x00-\x1f\x7f][^,\x00-\x1f\x7f]*$"
    ),
    AfterValidator(_label),
]
Slug = Annotated[
    str, StringConstraints(min_length=1, max_length=50, pattern=r"^[a-z0-9][a-z0-9_-]*$")
]
Labels = Annotated[list[LabelName], Field(max_length=50)]

# another ticket named in a request body (a link's other end, a merge target, a bulk list)
TicketRefIn = Annotated[
    str,
    StringConstraints(min_length=1, max_length=64, pattern=NON_BLANK_PATTERN),
    STRIP,
    Field(examples=["TKT-42"]),
]


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
    """Only the fields sent change; `null` clears type, category, assignee_id and team_id."""

    subject: Annotated[Subject | None, NotNullable] = None
    description: Annotated[LongText | None, NotNullable] = None
    status: Annotated[Slug | None, NotNullable] = None
    priority: Annotated[Priority | None, NotNullable] = None
    type: Slug | None = None
    category: Slug | None = None
    assignee_id: uuid.UUID | None = None
    team_id: uuid.UUID | None = None
    labels: Annotated[Labels | None, NotNullable] = None
    custom_fields: Annotated[JsonObject | None, NotNullable] = None

    @model_validator(mode="after")
    def _not_null(self) -> TicketUpdate:
        for name in ("subject", "description", "status", "priority", "labels", "custom_fields"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"`{name}` cannot be null")
        return self


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


class TicketCsatRead(Output):
    """The requester's answer to the ticket's satisfaction survey (the csat room)."""

    rating: Literal["good", "bad"] | int = Field(description="`good`/`bad`, or 1 to 5")
    comment: str | None
    answered_at: UtcDateTime


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
    csat: TicketCsatRead | None = Field(
        description="the requester's satisfaction answer; null until they answer"
    )
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


class TransitionOption(Output):
    status: str
    label: str
    category: Literal["open", "pending", "solved", "closed"]
    required_fields: list[str] = Field(description="what must be filled in to enter it")
    missing_fields: list[str] = Field(description="of those, what the ticket lacks now")
    needs_approval: bool = Field(description="the move waits for an approver (202)")
    approver_roles: list[str]


class TransitionsRead(Output):
    """The statuses this caller may move the ticket to now, by its type's lifecycle."""

    ticket: str
    status: str
    type: str | None
    transitions: list[TransitionOption]
