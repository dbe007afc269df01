"""Shapes of webhook subscriptions and their delivery log."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from pydantic import AfterValidator, Field, StringConstraints

from ticketdesk.schemas import Input, Output, UtcDateTime, no_nul

WebhookUrl = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=2048),
    AfterValidator(no_nul),
    Field(examples=["https://example.com/hooks/ticketdesk"]),
]
EventPattern = Annotated[
    str,
    StringConstraints(
        min_length=1,
        max_length=64,
        pattern=r"^(\*|[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*(\.\*)?)$",
    ),
    Field(examples=["ticket.status_changed", "ticket.*", "*"]),
]
Description = Annotated[str, StringConstraints(max_length=500), AfterValidator(no_nul)]


class WebhookCreate(Input):
    url: WebhookUrl
    events: list[EventPattern] = Field(min_length=1, max_length=100)
    description: Description | None = None
    active: bool = True


class WebhookUpdate(Input):
    url: WebhookUrl | None = None
    events: list[EventPattern] | None = Field(default=None, min_length=1, max_length=100)
    description: Description | None = None
    active: bool | None = None


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
