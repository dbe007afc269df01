"""Email shapes: the inbound result, templates, channel settings, the per-ticket mail log."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StringConstraints

from ticketdesk.schemas import Email, Flag, Input, Name200, NotNullable, Output, UtcDateTime, no_nul

TemplateKind = Literal[
    "ticket_opened",
    "agent_reply",
    "status_changed",
    "ticket_resolved",
    "auto_close_reminder",
    "auto_close_closed",
    "team_new_ticket",
    "csat_survey",
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


StatusNames = Annotated[list[StatusName], Field(max_length=50)]


class EmailSettingsUpdate(Input):
    brand_name: Name200 | None = None
    brand_color: Annotated[Color | None, NotNullable] = None
    signature: Annotated[Signature | None, NotNullable] = None
    from_address: Email | None = None
    notify_ticket_opened: Annotated[Flag | None, NotNullable] = None
    notify_agent_reply: Annotated[Flag | None, NotNullable] = None
    notify_resolved: Annotated[Flag | None, NotNullable] = None
    notify_status_changed: Annotated[Flag | None, NotNullable] = Field(
        default=None, description="email the requester when their ticket changes status"
    )
    notify_status_opt_out: Annotated[StatusNames | None, NotNullable] = Field(
        default=None,
        description="statuses whose arrival is not emailed (names from GET /statuses)",
    )
    notify_statuses: Annotated[StatusNames | None, NotNullable] = Field(
        default=None,
        description="Deprecated: the statuses to announce; every other status is opted out. "
        "Send `notify_status_opt_out` instead (not both).",
        deprecated=True,
    )
    team_address: Email | None = Field(
        default=None,
        description="the team's address for new-ticket emails (a list or a shared inbox); "
        "null: none. It must differ from the address the desk sends from",
    )
    notify_team_new_ticket: Annotated[Flag | None, NotNullable] = Field(
        default=None, description="email `team_address` about every new ticket"
    )


class EmailSettingsRead(Output):
    brand_name: str | None
    brand_color: str
    signature: str
    from_address: str = Field(description="the address mail is sent from (and replies go to)")
    notify_ticket_opened: bool
    notify_agent_reply: bool
    notify_resolved: bool = Field(
        description="email the requester when their ticket is solved (template "
        "`ticket_resolved`), whatever the status-change settings say"
    )
    notify_status_changed: bool = Field(
        description="email the requester (template `status_changed`) when their ticket moves "
        "to another status, except to a solved one (see `notify_resolved`) or one opted out; "
        "on by default. Changes the requester makes themselves (a reply reopening the ticket) "
        "send nothing"
    )
    notify_status_opt_out: list[str] = Field(
        description="statuses whose arrival is not emailed; by default `closed` (auto-close "
        "sends its own notice)"
    )
    notify_statuses: list[str] = Field(
        description="Deprecated, a view: the statuses whose arrival is emailed",
        deprecated=True,
    )
    team_address: str | None = Field(
        description="where the team's new-ticket email goes (template `team_new_ticket`)"
    )
    notify_team_new_ticket: bool = Field(
        description="whether every new ticket is emailed to `team_address` (when one is set)"
    )
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
