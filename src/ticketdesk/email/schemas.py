"""Email shapes: the inbound result, templates, channel settings, the per-ticket mail log."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StringConstraints

from ticketdesk.schemas import Email, Input, Name200, Output, UtcDateTime, no_nul

TemplateKind = Literal[
    "ticket_opened",
    "agent_reply",
    "status_changed",
    "ticket_resolved",
    "auto_close_reminder",
    "auto_close_closed",
]


Color = Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$")]
StatusName = Annotated[str, StringConstraints(min_length=1, max_length=40)]
Signature = Annotated[str, StringConstraints(max_length=2000), AfterValidator(no_nul)]


InboundStatus = Literal["created", "appended", "duplicate", "ignored"]


class InboundResult(Output):
    status: InboundStatus
    ticket: str | None = Field(description="the ticket key, e.g. TKT-42")
    ticket_id: uuid.UUID | None
    comment_id: uuid.UUID | None
    reason: str | None = Field(description="why an ignored message was ignored")


class TemplateUpdate(Input):
    subject: Annotated[
        str, StringConstraints(min_length=1, max_length=1000), AfterValidator(no_nul)
    ]
    text: Annotated[str, StringConstraints(min_length=1, max_length=50_000), AfterValidator(no_nul)]
    html: Annotated[
        str, StringConstraints(min_length=1, max_length=100_000), AfterValidator(no_nul)
    ]


class TemplateRead(Output):
    kind: TemplateKind
    subject: str
    text: str
    html: str
    is_default: bool
    updated_at: UtcDateTime | None


class TemplatePreview(Output):
    kind: TemplateKind
    subject: str
    text: str
    html: str


class EmailSettingsUpdate(Input):
    brand_name: Name200 | None = None
    brand_color: Color | None = None
    signature: Signature | None = None
    from_address: Email | None = None
    notify_ticket_opened: bool | None = None
    notify_agent_reply: bool | None = None
    notify_resolved: bool | None = None
    notify_statuses: Annotated[list[StatusName], Field(max_length=50)] | None = None


class EmailSettingsRead(Output):
    brand_name: str | None
    brand_color: str
    signature: str
    from_address: str = Field(description="the address mail is sent from (and replies go to)")
    notify_ticket_opened: bool
    notify_agent_reply: bool
    notify_resolved: bool
    notify_statuses: list[str]
    smtp_configured: bool


class TicketEmailRead(Output):
    id: uuid.UUID
    direction: Literal["in", "out"]
    kind: str | None
    message_id: str
    from_address: str
    to_address: str
    subject: str
    status: str
    attempts: int
    last_error: str | None
    created_at: UtcDateTime
    sent_at: UtcDateTime | None
