"""Tickets and what hangs off them: statuses, labels, requesters, comments."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from ticketdesk.db import Base, JSONType, UTCDateTime
from ticketdesk.models.columns import DefaultNow, IndexedWorkspaceId, TicketId, UuidPk, WorkspaceId

STATUS_CATEGORIES = ("open", "pending", "solved", "closed")
PRIORITIES = ("low", "normal", "high", "urgent")
PRIORITY_RANK = {name: rank for rank, name in enumerate(PRIORITIES)}
CHANNELS = ("chat", "email", "form", "api", "agent")
DEFAULT_STATUSES = (
    ("open", "Open", "open"),
    ("in_progress", "In progress", "open"),
    ("waiting", "Waiting", "pending"),
    ("resolved", "Resolved", "solved"),
    ("closed", "Closed", "closed"),
)


class Status(Base):
    __tablename__ = "statuses"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)

    id: Mapped[UuidPk]
    workspace_id: Mapped[IndexedWorkspaceId]
    name: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(80))
    category: Mapped[str] = mapped_column(String(16))
    position: Mapped[int] = mapped_column(Integer, default=0)
    # auto-close reminds and closes only tickets in a status that waits on the customer
    waits_on_customer: Mapped[bool] = mapped_column(default=False, server_default=text("false"))


class Contact(Base):
    """A requester: someone outside the team, deduplicated by email per workspace."""

    __tablename__ = "contacts"
    __table_args__ = (UniqueConstraint("workspace_id", "email"),)

    id: Mapped[UuidPk]
    workspace_id: Mapped[WorkspaceId]
    email: Mapped[str] = mapped_column(String(320))
    name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[DefaultNow]


class Label(Base):
    __tablename__ = "labels"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)

    id: Mapped[UuidPk]
    workspace_id: Mapped[WorkspaceId]
    name: Mapped[str] = mapped_column(String(50))
    color: Mapped[str | None] = mapped_column(String(16), nullable=True)
    created_at: Mapped[DefaultNow]


class TicketLabel(Base):
    __tablename__ = "ticket_labels"
    __table_args__ = (Index("ix_ticket_labels_label_ticket", "label_id", "ticket_id"),)

    ticket_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True
    )
    label_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("labels.id", ondelete="CASCADE"), primary_key=True
    )


class Ticket(Base):
    __tablename__ = "tickets"
    __table_args__ = (
        UniqueConstraint("workspace_id", "number"),
        Index("ix_tickets_ws_created", "workspace_id", "created_at", "id"),
        Index("ix_tickets_ws_updated", "workspace_id", "updated_at", "id"),
        Index("ix_tickets_ws_status_created", "workspace_id", "status", "created_at", "id"),
        Index(
            "ix_tickets_ws_category_created",
            "workspace_id",
            "status_category",
            "created_at",
            "id",
        ),
        Index("ix_tickets_ws_assignee_created", "workspace_id", "assignee_id", "created_at", "id"),
        Index("ix_tickets_ws_team_created", "workspace_id", "team_id", "created_at", "id"),
        Index(
            "ix_tickets_ws_priority_created", "workspace_id", "priority_rank", "created_at", "id"
        ),
        Index("ix_tickets_ws_requester", "workspace_id", "requester_id", "created_at"),
        Index("ix_tickets_ws_due", "workspace_id", "due_at", "id"),
        Index("ix_tickets_category_status_changed", "status_category", "status_changed_at"),
        Index("ix_tickets_merged_into", "merged_into_id"),
    )

    id: Mapped[UuidPk]
    workspace_id: Mapped[WorkspaceId]
    number: Mapped[int] = mapped_column(Integer)
    subject: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(40))
    status_category: Mapped[str] = mapped_column(String(16))
    status_changed_at: Mapped[DefaultNow]
    priority: Mapped[str] = mapped_column(String(16), default="normal")
    priority_rank: Mapped[int] = mapped_column(SmallInteger, default=1)
    type: Mapped[str | None] = mapped_column(String(50), nullable=True)
    category: Mapped[str | None] = mapped_column(String(50), nullable=True)
    channel: Mapped[str] = mapped_column(String(16))
    requester_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL"), nullable=True
    )
    assignee_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    team_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("teams.id", ondelete="SET NULL"), nullable=True
    )
    custom_fields: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    conversation_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    merged_into_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("tickets.id", ondelete="SET NULL"), nullable=True
    )
    # SLA clock (computed by the sla room; null/"none" until a policy applies)
    first_response_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    next_response_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    resolution_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    first_responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    sla_state: Mapped[str] = mapped_column(String(16), default="none")
    # the earliest unmet due time: what `sort=due` and the sla filters use
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # the sla room's bookkeeping: matched policy, pauses [[start, end|null, status]], the
    # customer message awaiting a reply, and the 80 % instant of due_at (the sweep's markers
    # live in the narrow sla_clocks table, so marking never rewrites a wide ticket row's indexes)
    sla_policy_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    sla_pauses: Mapped[list[Any]] = mapped_column(
        JSONType, default=list, server_default=text("'[]'")
    )
    next_response_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    sla_warn_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    auto_close_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # the requester's satisfaction answer (the csat room): `good`/`bad` or `1`..`5`
    csat_rating: Mapped[str | None] = mapped_column(String(8), nullable=True)
    csat_comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    csat_answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[DefaultNow]
    updated_at: Mapped[DefaultNow]
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # bumped once per change (tickets.service.touch); rows are locked while changing, so
    # comparing it with If-Match after the lock is race-free
    version: Mapped[int] = mapped_column(Integer, default=1)


class Comment(Base):
    __tablename__ = "comments"
    __table_args__ = (Index("ix_comments_ticket_created", "ticket_id", "created_at", "id"),)

    id: Mapped[UuidPk]
    workspace_id: Mapped[WorkspaceId]
    ticket_id: Mapped[TicketId]
    author_kind: Mapped[str] = mapped_column(String(16))
    author_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    author_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    body: Mapped[str] = mapped_column(Text)
    visibility: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[DefaultNow]
