"""Shapes of custom field definitions."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from ticketdesk.schemas import (
    Flag,
    Input,
    JsonInt,
    JsonValue,
    Name200,
    NotNullable,
    Output,
    UtcDateTime,
)

FieldKind = Literal[
    "text",
    "long_text",
    "integer",
    "decimal",
    "dropdown",
    "multi_select",
    "date",
    "checkbox",
    "user",
    "email",
    "url",
]
Autofill = Literal[
    "visitor.country", "visitor.device", "visitor.page_url", "channel", "requester.domain"
]
FIELD_KEY_PATTERN = r"^[a-z][a-z0-9_]{0,62}$"
FieldKey = Annotated[
    str,
    StringConstraints(min_length=1, max_length=63, pattern=FIELD_KEY_PATTERN),
    Field(examples=["refund_amount"]),
]
# option values are filter values too (`cf.reason=damaged,lost`): no commas, one line
OptionValue = Annotated[
    str, StringConstraints(min_length=1, max_length=100, pattern=r"^[^,\x00-\x1f\x7f]+$")
]
# a ticket type's key, as tickets carry it in `type`
TypeKey = Annotated[
    str, StringConstraints(min_length=1, max_length=50, pattern=r"^[a-z0-9][a-z0-9_-]*$")
]
Position = Annotated[JsonInt, Field(ge=0, le=10_000)]
Description = Annotated[str, StringConstraints(max_length=1000, pattern=r"^[^\x00]*$")]


class OptionIn(Input):
    value: OptionValue
    label: Name200


class Validation(Input):
    """`min`/`max`: bounds of an integer, decimal (a number or a decimal string) or date
    (`YYYY-MM-DD`), or how many options a multi-select takes; `pattern`: a regular expression
    a text, email or URL must match in full; `max_length`: the longest text."""

    min: JsonValue = None
    max: JsonValue = None
    pattern: Annotated[str, StringConstraints(min_length=1, max_length=500)] | None = None
    max_length: Annotated[JsonInt, Field(ge=1, le=10_000)] | None = None


class VisibleWhen(Input):
    """The field shows (and takes a value) only while this holds."""

    field: Annotated[
        str,
        StringConstraints(min_length=1, max_length=63),
        Field(
            description="`category`, `type`, `priority`, `channel`, `status` or another field's key"
        ),
    ]
    op: Literal["is", "is_not", "in"]
    value: JsonValue = None


class FieldCreate(Input):
    key: FieldKey
    label: Name200
    kind: FieldKind
    description: Description | None = None
    options: Annotated[list[OptionIn], Field(max_length=500)] = Field(
        default=[],
        description="dropdown and multi_select: at least one, values unique; other kinds: none",
    )
    required: Flag = False
    validation: Validation = Field(
        default=Validation(),
        description="`min`/`max`: integer, decimal, date and multi_select fields (min <= max); "
        "`pattern` (a valid regular expression) and `max_length`: text, long_text, email, url",
    )
    ticket_types: Annotated[list[TypeKey], Field(max_length=100)] | None = Field(
        default=None, description="the ticket types that use the field; null: every ticket"
    )
    visible_when: VisibleWhen | None = None
    autofill: Autofill | None = Field(
        default=None,
        description="filled at creation from the conversation or requester when left empty "
        "(text, long_text, dropdown and url fields)",
    )
    filterable: Flag = True
    position: Position | None = None


class FieldUpdate(Input):
    """Only what is sent changes; `kind` and `key` cannot change (send the same kind or none)."""

    label: Annotated[Name200 | None, NotNullable] = None
    kind: Annotated[FieldKind | None, NotNullable] = None
    description: Description | None = None
    options: Annotated[list[OptionIn] | None, NotNullable, Field(max_length=500)] = None
    required: Annotated[Flag | None, NotNullable] = None
    validation: Annotated[Validation | None, NotNullable] = None
    ticket_types: Annotated[list[TypeKey], Field(max_length=100)] | None = None
    visible_when: VisibleWhen | None = None
    autofill: Autofill | None = None
    filterable: Annotated[Flag | None, NotNullable] = None
    position: Annotated[Position | None, NotNullable] = None
    archived: Annotated[Flag | None, NotNullable] = Field(
        default=None, description="false brings an archived field back"
    )


class OptionRead(Output):
    value: str
    label: str


class FieldRead(Output):
    id: uuid.UUID
    key: str
    label: str
    kind: FieldKind
    description: str | None
    options: list[OptionRead]
    required: bool
    validation: dict[str, Any]
    ticket_types: list[str] | None
    visible_when: dict[str, Any] | None
    autofill: Autofill | None
    filterable: bool
    position: int
    archived: bool
    archived_at: UtcDateTime | None
    created_at: UtcDateTime
    updated_at: UtcDateTime
