"""Automation rules, their schedule bookkeeping and round-robin cursors."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from ticketdesk.db import Base, JSONType, UTCDateTime
from ticketdesk.models.columns import DefaultNow, UuidPk, WorkspaceId


class Automation(Base):
    __tablename__ = "automations"
    __table_args__ = (
        Index("ix_automations_ws_trigger", "workspace_id", "trigger", "active", "position"),
        Index("ix_automations_trigger_active", "trigger", "active"),
    )

    id: Mapped[UuidPk]
    workspace_id: Mapped[WorkspaceId]
    name: Mapped[str] = mapped_column(String(100))
    trigger: Mapped[str] = mapped_column(String(32))
    conditions: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    actions: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    # set by the auto-assignment settings endpoint; such rules are managed there
    managed_by: Mapped[str | None] = mapped_column(String(32), nullable=True)
    created_at: Mapped[DefaultNow]
    updated_at: Mapped[DefaultNow]


class AutomationFiring(Base):
    """A schedule rule fired on a ticket; it fires again only after the ticket changes."""

    __tablename__ = "automation_firings"

    automation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("automations.id", ondelete="CASCADE"), primary_key=True
    )
    ticket_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    ticket_updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    fired_at: Mapped[DefaultNow]


class AssignmentCursor(Base):
    """Who got the last round-robin ticket of a team (scope = team id, or `*`)."""

    __tablename__ = "assignment_cursors"

    workspace_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )
    scope: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
