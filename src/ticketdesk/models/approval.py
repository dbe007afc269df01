"""Approvals: a ticket change held back until an approver decides on it."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Index, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from ticketdesk.db import Base, JSONType, UTCDateTime
from ticketdesk.models.columns import DefaultNow, TicketId, UuidPk, WorkspaceId

APPROVAL_STATES = ("pending", "approved", "rejected")


class Approval(Base):
    __tablename__ = "approvals"
    __table_args__ = (
        Index("ix_approvals_ws_state_created", "workspace_id", "state", "created_at", "id"),
        Index("ix_approvals_ticket_state", "ticket_id", "state"),
    )

    id: Mapped[UuidPk]
    workspace_id: Mapped[WorkspaceId]
    ticket_id: Mapped[TicketId]
    state: Mapped[str] = mapped_column(String(16), default="pending")
    # the change as a PATCH body, applied when approved
    changes: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    # what the ticket held when it was asked (status, type and the fields the rule and the
    # change look at): a different value at decision time is a conflicting change
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    # the gate that asked for it: {"to", "when", "approver_roles"}
    rule: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    requested_by_kind: Mapped[str] = mapped_column(String(16))
    requested_by_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    requested_by_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    requested_role: Mapped[str | None] = mapped_column(String(16), nullable=True)
    decided_by_kind: Mapped[str | None] = mapped_column(String(16), nullable=True)
    decided_by_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    decided_by_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[DefaultNow]
