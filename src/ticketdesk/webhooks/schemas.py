"""Shapes of webhook subscriptions and their delivery log."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from pydantic import AfterValidator, Field, StringConstraints, WithJsonSchema
from pydantic_core import PydanticCustomError

from ticketdesk.schemas import (
    SPACE,
    STRIP,
    Flag,
    Input,
    NotNullable,
    Output,
    UtcDateTime,
    no_nul,
)

WebhookUrl = Annotated[
    str,
    StringConstraints(
        min_length=1, max_length=2048, pattern=rf"^[{SPACE}\r\n]*[Hh][Tt][Tt][Pp][Ss]?://[^\x00]+$"
    ),
    AfterValidator(no_nul),
    STRIP,
    Field(
        examples=["https://example.com/hooks/ticketdesk"],
        description="an http or https URL whose host resolves to a public address (private, "
        "loopback and link-local ones only when the server allows them)",
    ),
]
# Every event type the desk writes (the activity log's `type`, the webhook body's `type`).
EVENT_TYPES: tuple[str, ...] = (
    "ticket.created",
    "ticket.subject_changed",
    "ticket.description_changed",
    "ticket.type_changed",
    "ticket.category_changed",
    "ticket.custom_fields_changed",
    "ticket.status_changed",
    "ticket.reopened",
    "ticket.priority_changed",
    "ticket.assigned",
    "ticket.team_changed",
    "ticket.labels_changed",
    "ticket.comment_added",
    "ticket.attachment_added",
    "ticket.merged",
    "ticket.split",
    "ticket.link_added",
    "ticket.link_removed",
    "ticket.watched",
    "ticket.unwatched",
    "ticket.sla_warning",
    "ticket.sla_breached",
    "ticket.automation_failed",
    "ticket.macro_applied",
    "ticket.approval_requested",
    "ticket.approval_decided",
    "ticket.survey_sent",
    "ticket.csat_received",
    "conversation.created",
    "conversation.messages_added",
    "conversation.deleted",
)
# `*` is every event, `ticket.*` every event of a family
EVENT_PATTERNS: tuple[str, ...] = (
    "*",
    *sorted({f"{name.split('.', 1)[0]}.*" for name in EVENT_TYPES}),
)
SUBSCRIBABLE = frozenset(EVENT_TYPES + EVENT_PATTERNS)


def _known_event(value: str) -> str:
    if value not in SUBSCRIBABLE:
        raise PydanticCustomError(
            "unknown_event_type",
            "unknown event type {value}; use one of: {known}",
            {"value": repr(value)[:80], "known": ", ".join(EVENT_TYPES + EVENT_PATTERNS)},
        )
    return value


EventPattern = Annotated[
    str,
    AfterValidator(_known_event),
    WithJsonSchema(
        {
            "type": "string",
            "enum": [*EVENT_TYPES, *EVENT_PATTERNS],
            "description": "an event type, `<family>.*` for every event of a family "
            "(`ticket.*`, `conversation.*`), or `*` for every event",
            "examples": ["ticket.status_changed", "ticket.*", "*"],
        }
    ),
]
Description = Annotated[str, StringConstraints(max_length=500), AfterValidator(no_nul)]


class WebhookCreate(Input):
    url: WebhookUrl
    events: list[EventPattern] = Field(min_length=1, max_length=100)
    description: Description | None = None
    active: Flag = True


class WebhookUpdate(Input):
    url: Annotated[WebhookUrl | None, NotNullable] = None
    events: Annotated[list[EventPattern] | None, NotNullable] = Field(
        default=None, min_length=1, max_length=100
    )
    description: Description | None = None
    active: Annotated[Flag | None, NotNullable] = None


class WebhookRead(Output):
    id: uuid.UUID
    url: str
    events: list[str]
    description: str | None
    active: bool
    failing_since: UtcDateTime | None
    disabled_at: UtcDateTime | None
    disabled_reason: str | None
    previous_secret_expires_at: UtcDateTime | None
    created_at: UtcDateTime
    updated_at: UtcDateTime


class WebhookWithSecret(WebhookRead):
    secret: str = Field(description="`whsec_…`: shown only now; sign-checks every delivery.")


class DeliveryRead(Output):
    id: uuid.UUID
    webhook_id: uuid.UUID
    message_id: str = Field(description="The `webhook-id` header, the same on every retry.")
    event_id: int
    event_type: str
    ticket_id: uuid.UUID | None
    status: str = Field(description="pending | delivered | failed")
    attempts: int
    next_attempt_at: UtcDateTime | None
    last_attempt_at: UtcDateTime | None
    last_status_code: int | None
    last_latency_ms: int | None
    last_response_body: str | None
    last_error: str | None
    delivered_at: UtcDateTime | None
    created_at: UtcDateTime


class AttemptRead(Output):
    attempt: int
    started_at: UtcDateTime
    outcome: str = Field(description="delivered | retry | failed | gone")
    status_code: int | None
    latency_ms: int
    response_body: str | None
    error: str | None


class DeliveryDetail(DeliveryRead):
    payload: dict[str, Any]
    attempt_log: list[AttemptRead]
