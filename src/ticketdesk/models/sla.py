"""Business-hours calendars and SLA policies."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from ticketdesk.db import Base, JSONType, UTCDateTime
from ticketdesk.models.columns import DefaultNow, IndexedWorkspaceId, UuidPk, WorkspaceId


class BusinessHours(Base):
    """A weekly schedule in one IANA zone, plus holidays (ISO dates)."""

    __tablename__ = "business_hours"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)

    id: Mapped[UuidPk]
    workspace_id: Mapped[IndexedWorkspaceId]
    name: Mapped[str] = mapped_column(String(100))
    timezone: Mapped[str] = mapped_column(String(64))
    # {"mon": [["09:00", "17:00"]], ...}
    weekly: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    holidays: Mapped[list[str]] = mapped_column(JSONType, default=list)
    created_at: Mapped[DefaultNow]
    updated_at: Mapped[DefaultNow]


class SlaPolicy(Base):
    """Targets per priority for the tickets it matches; the lowest position matches first."""

    __tablename__ = "sla_policies"
    __table_args__ = (Index("ix_sla_policies_ws_position", "workspace_id", "position"),)

    id: Mapped[UuidPk]
    workspace_id: Mapped[WorkspaceId]
    name: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer, default=0)
    # {"priority": [...], "type": [...], "labels": [...], "channel": [...]}
    match: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    # {"urgent": {"first_response_minutes": 60, ...}, ...}
    targets: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    business_hours_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("business_hours.id", ondelete="SET NULL"), nullable=True
    )
    # [{"on": "warning"|"breach", "type": "notify", "value": [...]}, ...]
    escalation: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[DefaultNow]
    updated_at: Mapped[DefaultNow]


class SlaClock(Base):
    """A ticket's earliest due time and 80 % instant, with the sweep's once-each markers.

    Kept apart from `tickets` so the sweep's writes touch a narrow row with two small
    partial indexes, not the ticket's dozen indexes."""

    __tablename__ = "sla_clocks"
    __table_args__ = (
        Index(
            "ix_sla_clocks_breach",
            "due_at",
            postgresql_where=text("breached_at IS NULL AND due_at IS NOT NULL"),
            sqlite_where=text("breached_at IS NULL AND due_at IS NOT NULL"),
        ),
        Index(
            "ix_sla_clocks_warn",
            "warn_at",
            postgresql_where=text("warned_at IS NULL AND warn_at IS NOT NULL"),
            sqlite_where=text("warned_at IS NULL AND warn_at IS NOT NULL"),
        ),
    )

    ticket_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True
    )
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    warn_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # the target due_at belongs to (first_response, resolution, next_response@<start>): a
    # recomputed due time of the same target keeps the markers (warned and breached once)
    target: Mapped[str | None] = mapped_column(String(80), nullable=True)
    warned_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    breached_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
