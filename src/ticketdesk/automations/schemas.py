"""Automation rules (triggers, conditions in all/any groups, actions) and the auto-assign and
auto-close settings."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

import regex
from pydantic import Field, model_validator

from ticketdesk.schemas import (
    CommentBody,
    Flag,
    Input,
    JsonInt,
    JsonValue,
    Name100,
    Output,
    UtcDateTime,
)
from ticketdesk.tickets.schemas import LabelName, Priority, Slug

Trigger = Literal["ticket.created", "ticket.updated", "schedule"]
Operator = Literal[
    "is",
    "is_not",
    "contains",
    "not_contains",
    "starts_with",
    "matches",
    "in",
    "gt",
    "gte",
    "lt",
    "lte",
    "is_empty",
]
TEXT_FIELDS = ("subject", "description", "requester_email", "requester_domain")
CHOICE_FIELDS = ("channel", "status", "status_category", "priority", "type", "category")
ID_FIELDS = ("assignee", "team")
NUMBER_FIELDS = ("hours_since_created", "hours_since_updated", "hours_in_status")
# what the workspace's triage model predicts for the ticket, and how sure it is (0..1); empty
# without a model (triage.team is a team id, triage.labels a list like labels)
TRIAGE_FIELDS = (
    *(f"triage.{name}" for name in ("type", "category", "priority", "team", "labels")),
    *(f"triage.{name}_confidence" for name in ("type", "category", "priority", "team")),
)
FIELDS = (*TEXT_FIELDS, *CHOICE_FIELDS, *ID_FIELDS, "labels", *NUMBER_FIELDS, *TRIAGE_FIELDS)
CUSTOM_PREFIX = "custom_fields."
# the actions that change a ticket's fields (macros run these too)
FieldActionType = Literal[
    "set_status",
    "set_priority",
    "set_type",
    "set_category",
    "set_team",
    "assign",
    "add_labels",
    "remove_labels",
    "set_custom_field",
]
ActionType = Literal[
    FieldActionType,
    "add_comment",
    "send_email",
    "notify",
    "send_survey",
]
MAX_PATTERN = 200
MAX_DEPTH = 3


class Condition(Input):
    field: Annotated[str, Field(max_length=80)]
    op: Operator
    value: JsonValue = None

    @model_validator(mode="after")
    def _check(self) -> Condition:
        field, op, value = self.field, self.op, self.value
        if field not in FIELDS and not (
            field.startswith(CUSTOM_PREFIX) and 0 < len(field) - len(CUSTOM_PREFIX) <= 64
        ):
            raise ValueError(
                f"unknown field {field!r}; use one of {', '.join(FIELDS)} or custom_fields.<key>"
            )
        if op == "is_empty":
            return self
        if value is None and op not in ("is", "is_not"):
            raise ValueError(f"`{op}` needs a value")
        if op in ("gt", "gte", "lt", "lte"):
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"`{op}` compares numbers")
            if not -1e9 <= value <= 1e9:
                raise ValueError("the number is out of range")
        elif op == "in":
            if not isinstance(value, list) or not 1 <= len(value) <= 100:
                raise ValueError("`in` takes a list of 1 to 100 values")
            if not all(isinstance(v, str | int | float) and not isinstance(v, bool) for v in value):
                raise ValueError("`in` takes strings or numbers")
            if any(isinstance(v, str) and (len(v) > 500 or "\x00" in v) for v in value):
                raise ValueError("values are at most 500 characters, without NUL")
        elif value is not None:
            if not isinstance(value, str | int | float) or isinstance(value, bool):
                raise ValueError("the value is a string or a number")
            if isinstance(value, str) and (len(value) > 500 or "\x00" in value):
                raise ValueError("the value is at most 500 characters, without NUL")
        if op == "matches":
            if not isinstance(value, str) or len(value) > MAX_PATTERN:
                raise ValueError(f"`matches` takes a pattern of at most {MAX_PATTERN} characters")
            try:
                regex.compile(value)
            except regex.error as exc:
                raise ValueError(f"invalid pattern: {exc}") from exc
        return self


def _check_group(node: Any, depth: int) -> None:
    if not isinstance(node, dict):
        raise ValueError("a condition group is an object with `all` and/or `any`")
    if set(node) - {"all", "any"}:
        raise ValueError("a condition group has only `all` and `any`")
    for key in ("all", "any"):
        items = node.get(key, [])
        if not isinstance(items, list) or len(items) > 50:
            raise ValueError(f"`{key}` is a list of at most 50 conditions")
        for item in items:
            if isinstance(item, dict) and ("all" in item or "any" in item):
                if depth >= MAX_DEPTH:
                    raise ValueError(f"groups nest at most {MAX_DEPTH} levels")
                _check_group(item, depth + 1)
            else:
                Condition.model_validate(item)


class Conditions(Input):
    all: list[dict[str, Any]] = Field(default=[], max_length=50)
    any: list[dict[str, Any]] = Field(default=[], max_length=50)

    @model_validator(mode="after")
    def _check(self) -> Conditions:
        _check_group({"all": self.all, "any": self.any}, 1)
        return self


def _uuid(value: Any) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError as exc:
        raise ValueError("expected an id (UUID)") from exc


def _text(value: Any, limit: int) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > limit or "\x00" in value:
        raise ValueError(f"expected a non-empty text of at most {limit} characters")
    return value


def check_action_value(kind: str, value: Any) -> None:
    """Raise ValueError when `value` does not fit the action `kind`."""
    if kind == "set_priority":
        if value not in ("low", "normal", "high", "urgent"):
            raise ValueError("set_priority takes low, normal, high or urgent")
    elif kind in ("set_status", "set_type", "set_category"):
        if value is None and kind != "set_status":
            return
        _text(value, 50)
    elif kind == "set_team":
        if value is not None:
            _uuid(value)
    elif kind == "assign":
        if value not in (None, "round_robin", "least_loaded"):
            _uuid(value)
    elif kind in ("add_labels", "remove_labels"):
        if not isinstance(value, list) or not 1 <= len(value) <= 50:
            raise ValueError(f"{kind} takes a list of 1 to 50 labels")
        for item in value:
            _text(item, 50)
    elif kind == "set_custom_field":
        if not isinstance(value, dict) or set(value) != {"key", "value"}:
            raise ValueError('set_custom_field takes {"key": ..., "value": ...}')
        _text(value["key"], 64)
        if isinstance(value["value"], str) and len(value["value"]) > 2000:
            raise ValueError("the custom field value is at most 2000 characters")
        item = value["value"]
        if isinstance(item, list):  # a multi-select's options
            if len(item) > 100 or not all(isinstance(v, str) and len(v) <= 100 for v in item):
                raise ValueError("a list value holds at most 100 texts of 100 characters")
        elif isinstance(item, dict):
            raise ValueError(
                "the custom field value is a string, number, boolean, list of texts or null"
            )
    elif kind == "add_comment":
        if isinstance(value, str):
            _text(value, 10_000)
        elif isinstance(value, dict) and set(value) <= {"body", "visibility"}:
            _text(value.get("body"), 10_000)
            if value.get("visibility", "internal") not in ("public", "internal"):
                raise ValueError("visibility is public or internal")
        else:
            raise ValueError('add_comment takes a text or {"body", "visibility"}')
    elif kind == "send_email":
        if not isinstance(value, dict) or not set(value) <= {"template", "to"}:
            raise ValueError('send_email takes {"template": name, "to"?: "requester"|email}')
        _text(value.get("template"), 100)
        if "to" in value:
            _text(value["to"], 320)
    elif kind == "send_survey":
        if value is not None:
            raise ValueError("send_survey takes no value")
    elif kind == "notify":
        targets = value if isinstance(value, list) else [value]
        if not 1 <= len(targets) <= 50:
            raise ValueError("notify takes 1 to 50 recipients")
        for target in targets:
            if target not in ("assignee", "team"):
                _uuid(target)


class Action(Input):
    """`value` by `type`: set_priority: low, normal, high or urgent; set_status, set_type,
    set_category: a name (null clears type and category); set_team: a team id or null; assign:
    a user id, round_robin, least_loaded or null; add_labels, remove_labels: 1 to 50 labels;
    set_custom_field: {"key", "value"}; add_comment: a text or {"body", "visibility"};
    send_email: {"template", "to"?}; notify: 1 to 50 of user ids, `assignee`, `team`;
    send_survey: no value (the ticket's CSAT survey goes to its requester now, whatever the
    CSAT settings; never a second survey for a ticket).
    Statuses, users (assignees: active agents or admins), teams and email templates must be
    this workspace's when the rule is saved; anything else is a 422 at its `loc`."""

    type: ActionType
    value: JsonValue = None

    @model_validator(mode="after")
    def _check(self) -> Action:
        check_action_value(self.type, self.value)
        return self


class AutomationCreate(Input):
    name: Name100
    trigger: Trigger
    conditions: Conditions = Conditions()
    actions: Annotated[list[Action], Field(min_length=1, max_length=20)]
    active: Flag = True
    position: Annotated[JsonInt, Field(ge=0, le=10_000)] | None = None


class AutomationUpdate(Input):
    name: Name100 | None = None
    trigger: Trigger | None = None
    conditions: Conditions | None = None
    actions: Annotated[list[Action], Field(min_length=1, max_length=20)] | None = None
    active: Flag | None = None
    position: Annotated[JsonInt, Field(ge=0, le=10_000)] | None = None


class AutomationRead(Output):
    id: uuid.UUID
    name: str
    trigger: Trigger
    conditions: dict[str, Any]
    actions: list[dict[str, Any]]
    active: bool
    position: int
    managed_by: str | None
    created_at: UtcDateTime
    updated_at: UtcDateTime


AssignTo = Annotated[
    str,
    Field(
        max_length=40,
        pattern=r"^(round_robin|least_loaded|[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?"
        r"[0-9a-fA-F]{4}-?[0-9a-fA-F]{12})$",
        description="a user id, round_robin or least_loaded",
    ),
]


class AutoAssignRule(Input):
    """One common case: tickets with this category / label / domain / keyword go to …"""

    category: Slug | None = None
    label: LabelName | None = None
    email_domain: Annotated[str, Field(max_length=255, pattern=r"^[A-Za-z0-9.-]+$")] | None = None
    subject_keywords: (
        Annotated[list[Annotated[str, Field(min_length=1, max_length=100)]], Field(max_length=20)]
        | None
    ) = None
    team_id: uuid.UUID | None = None
    assign: AssignTo | None = None
    priority: Priority | None = None

    @model_validator(mode="after")
    def _check(self) -> AutoAssignRule:
        if not (self.category or self.label or self.email_domain or self.subject_keywords):
            raise ValueError("give a category, label, email_domain or subject_keywords")
        if not (self.team_id or self.assign):
            raise ValueError("give a team_id and/or assign")
        if self.assign is not None:
            check_action_value("assign", self.assign)
        return self


class AutoAssignSettings(Input):
    rules: Annotated[list[AutoAssignRule], Field(max_length=100)]


class AutoAssignRead(Output):
    rules: list[dict[str, Any]]


class AutoCloseSettings(Input):
    """Close tickets in a status that waits on the customer (`waits_on_customer` on the
    status: on for `waiting`) after `close_after_days`. A reminder always goes first: after
    `reminder_after_days` (fewer days than the close), or one day before the close when not
    given (half way for a one-day close). A ticket already past the limit gets its reminder
    now and closes only once the time between reminder and close has passed as well."""

    reminder_after_days: Annotated[JsonInt, Field(ge=1, le=365)] | None = None
    close_after_days: Annotated[JsonInt, Field(ge=1, le=365)]
    reminder_message: CommentBody | None = None
    close_message: CommentBody | None = None

    @model_validator(mode="after")
    def _order(self) -> AutoCloseSettings:
        if (
            self.reminder_after_days is not None
            and self.reminder_after_days >= self.close_after_days
        ):
            raise ValueError(
                "the reminder must come before the close (reminder_after_days < close_after_days)"
            )
        return self


class AutoCloseRead(Output):
    enabled: bool
    reminder_after_days: int | None
    close_after_days: int | None
    reminder_message: str
    close_message: str
