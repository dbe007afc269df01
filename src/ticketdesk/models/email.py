"""Email: every message sent or received (for threading and idempotent sending), templates,
and per-workspace channel settings (branding, which changes notify, the public form)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from ticketdesk.db import Base, JSONType, UTCDateTime
from ticketdesk.models.columns import DefaultNow, UuidPk, WorkspaceId


class EmailMessage(Base):
    """One email in or out. Outbound rows are the send outbox: rendered in the transaction
    that caused them, sent by a job, marked `sent` so a re-run never sends twice."""

    __tablename__ = "email_messages"
    __table_args__ = (
        UniqueConstraint("workspace_id", "message_id"),
        UniqueConstraint("ticket_id", "event_key"),
        Index("ix_email_messages_ticket", "ticket_id", "created_at"),
        Index("ix_email_messages_status", "status", "created_at"),
    )

    id: Mapped[UuidPk]
    workspace_id: Mapped[WorkspaceId]
    ticket_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), nullable=True
    )
    comment_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("comments.id", ondelete="SET NULL"), nullable=True
    )
    direction: Mapped[str] = mapped_column(String(8))  # in | out
    # the Message-ID header, without angle brackets
    message_id: Mapped[str] = mapped_column(String(500))
    # outbound: what caused it (ticket_opened, agent_reply:<comment id>, status:<uuid>)
    event_key: Mapped[str | None] = mapped_column(String(100), nullable=True)
    kind: Mapped[str | None] = mapped_column(String(32), nullable=True)
    from_address: Mapped[str] = mapped_column(String(320), default="")
    to_address: Mapped[str] = mapped_column(String(320), default="")
    subject: Mapped[str] = mapped_column(String(1000), default="")
    text_body: Mapped[str] = mapped_column(Text, default="")
    html_body: Mapped[str | None] = mapped_column(Text, nullable=True)
    headers: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    # out: pending | sending | sent | skipped | failed; in: received | ignored
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[DefaultNow]


class EmailTemplate(Base):
    """A workspace's own version of one notification; absent means the built-in default."""

    __tablename__ = "email_templates"

    workspace_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    subject: Mapped[str] = mapped_column(String(1000))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[DefaultNow]


class ChannelSettings(Base):
    """Per-workspace email branding and notification choices, and the public form's rules."""

    __tablename__ = "channel_settings"

    workspace_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )
    brand_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    brand_color: Mapped[str] = mapped_column(String(16), default="#2563eb")
    signature: Mapped[str] = mapped_column(Text, default="")
    from_address: Mapped[str | None] = mapped_column(String(320), nullable=True)
    notify_ticket_opened: Mapped[bool] = mapped_column(Boolean, default=True)
    notify_agent_reply: Mapped[bool] = mapped_column(Boolean, default=True)
    notify_resolved: Mapped[bool] = mapped_column(Boolean, default=True)
    # the requester is emailed when their ticket arrives in a status (resolved has its own
    # switch), unless the status is opted out; closing is (auto-close and merges say it)
    notify_status_changed: Mapped[bool] = mapped_column(
        Boolean, default=True, server_default=text("true")
    )
    notify_status_opt_out: Mapped[list[str]] = mapped_column(
        JSONType, default=lambda: ["closed"], server_default=text("'[\"closed\"]'")
    )
    # the team's own email about every new ticket, to a workspace address (a list, a channel)
    team_address: Mapped[str | None] = mapped_column(String(320), nullable=True)
    notify_team_new_ticket: Mapped[bool] = mapped_column(
        Boolean, default=True, server_default=text("true")
    )
    form_allowed_origins: Mapped[list[str]] = mapped_column(JSONType, default=list)
    form_rate_limit: Mapped[int] = mapped_column(Integer, default=10)
    form_rate_window_minutes: Mapped[int] = mapped_column(Integer, default=10)
    updated_at: Mapped[DefaultNow]


class RateCounter(Base):
    """Fixed-window request counters in the database, so every API process shares them."""

    __tablename__ = "rate_counters"
    __table_args__ = (Index("ix_rate_counters_window", "window_start"),)

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
