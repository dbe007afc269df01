"""Shapes of ticket types, their lifecycle rules, and approvals."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from pydantic import AliasChoices, ConfigDict, Field, StringConstraints

from ticketdesk.fields.schemas import Description, TypeKey
from ticketdesk.schemas import (
    Flag,
    Input,
    JsonInt,
    JsonValue,
    Name100,
    NotNullable,
    Output,
    UtcDateTime,
)

Role = Literal["admin", "agent"]
StatusName = Annotated[
    str, StringConstraints(min_length=1, max_length=40, pattern=r"^[a-z0-9][a-z0-9_-]*$")
]
# what required_fields and an approval's `when` may name besides custom field keys
RequiredName = Annotated[
    str, StringConstraints(min_length=1, max_length=63, pattern=r"^[a-z][a-z0-9_]{0,62}$")
]
Position = Annotated[JsonInt, Field(ge=0, le=10_000)]


class Transition(Input):
    """From one status (`*`: any) to these; `roles`: who may (null: any agent or admin)."""

    from_: Annotated[
        str,
        StringConstraints(min_length=1, max_length=40, pattern=r"^(\*|[a-z0-9][a-z0-9_-]*)$"),
        Field(alias="from"),
    ]
    to: Annotated[list[StatusName], Field(min_length=1, max_length=100)]
    roles: Annotated[list[Role], Field(min_length=1, max_length=2)] | None = None

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Condition(Input):
    field: RequiredName = Field(
        description="`priority`, `category`, `channel` or a custom field's key"
    )
    op: Literal["gt", "gte", "lt", "lte", "is", "in"]
    value: JsonValue = None


class ApprovalRule(Input):
    """Moving a ticket to `to` (while `when` holds) needs an approver's yes, unless the
    caller has one of `approver_roles` already."""

    to: StatusName
    when: Condition | None = None
    approver_roles: Annotated[list[Role], Field(min_length=1, max_length=2)] = ["admin"]


RequiredFields = Annotated[
    dict[StatusName, Annotated[list[RequiredName], Field(max_length=100)]],
    Field(
        max_length=100,
        description="per target status, what must be filled in to enter it: `category`, "
        "`assignee`, `team`, `description` or a custom field's key",
    ),
]


class TicketTypeCreate(Input):
    key: TypeKey
    name: Name100
    description: Description | None = None
    statuses: Annotated[list[StatusName], Field(min_length=1, max_length=100)] | None = Field(
        default=None, description="the statuses its tickets may be in; null: all"
    )
    initial_status: StatusName | None = None
    transitions: Annotated[list[Transition], Field(max_length=500)] | None = Field(
        default=None, description="the moves allowed; null: any status to any other"
    )
    required_fields: RequiredFields = {}
    approvals: Annotated[list[ApprovalRule], Field(max_length=50)] = []
    position: Position | None = None


class TicketTypeUpdate(Input):
    """Only what is sent changes; null `statuses` or `transitions` lifts the restriction."""

    name: Annotated[Name100 | None, NotNullable] = None
    description: Description | None = None
    statuses: Annotated[list[StatusName], Field(min_length=1, max_length=100)] | None = None
    initial_status: StatusName | None = None
    transitions: Annotated[list[Transition], Field(max_length=500)] | None = None
    required_fields: Annotated[RequiredFields | None, NotNullable] = None
    approvals: Annotated[list[ApprovalRule] | None, NotNullable, Field(max_length=50)] = None
    position: Annotated[Position | None, NotNullable] = None
    archived: Annotated[Flag | None, NotNullable] = Field(
        default=None, description="false brings an archived type back"
    )


class TransitionRead(Output):
    # stored as {"from", "to", "roles"}; "from" is a Python keyword
    from_: str = Field(validation_alias=AliasChoices("from", "from_"), serialization_alias="from")
    to: list[str]
    roles: list[str] | None


class TicketTypeRead(Output):
    id: uuid.UUID
    key: str
    name: str
    description: str | None
    statuses: list[str] | None
    initial_status: str | None
    transitions: list[TransitionRead] | None
    required_fields: dict[str, list[str]]
    approvals: list[dict[str, Any]]
    position: int
    archived: bool
    archived_at: UtcDateTime | None
    created_at: UtcDateTime
    updated_at: UtcDateTime


class ActorRef(Output):
    kind: Literal["user", "api_token", "contact", "system"]
    id: uuid.UUID | None
    name: str | None


ApprovalState = Literal["pending", "approved", "rejected"]


class ApprovalRead(Output):
    id: uuid.UUID
    state: ApprovalState
    ticket: str = Field(examples=["TKT-42"])
    ticket_id: uuid.UUID
    requested_by: ActorRef
    changes: dict[str, Any] = Field(description="the change as a PATCH body")
    approver_roles: list[str]
    rule: dict[str, Any] = Field(description="the gate that asked: {to, when, approver_roles}")
    decided_by: ActorRef | None
    comment: str | None
    decided_at: UtcDateTime | None
    created_at: UtcDateTime


class ApprovalRequested(Output):
    """A 202: the change waits for an approver; the ticket is as it was."""

    approval: ApprovalRead
