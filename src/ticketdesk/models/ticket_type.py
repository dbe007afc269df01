"""Ticket types with their lifecycle: statuses, transitions, required fields, approval gates."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ticketdesk.db import Base, JSONType, UTCDateTime
from ticketdesk.models.columns import Archivable, DefaultNow, UuidPk, WorkspaceId

# every workspace has these, unrestricted
BUILTIN_TYPES = (
    ("question", "Question"),
    ("incident", "Incident"),
    ("problem", "Problem"),
    ("task", "Task"),
)


class TicketType(Archivable, Base):
    __tablename__ = "ticket_types"
    __table_args__ = (UniqueConstraint("workspace_id", "key"),)

    id: Mapped[UuidPk]
    workspace_id: Mapped[WorkspaceId]
    key: Mapped[str] = mapped_column(String(50))
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    # the statuses a ticket of this type may be in; NULL: all of the workspace's
    statuses: Mapped[list[str] | None] = mapped_column(JSONType, nullable=True)
    initial_status: Mapped[str | None] = mapped_column(String(40), nullable=True)
    # [{"from", "to": [...], "roles": [...] | null}]; NULL: any status to any other
    transitions: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONType, nullable=True)
    # {"<status>": ["category", "assignee", "<custom key>", ...]}
    required_fields: Mapped[dict[str, list[str]]] = mapped_column(JSONType, default=dict)
    # [{"to", "when": {"field", "op", "value"} | null, "approver_roles": [...]}]
    approvals: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    position: Mapped[int] = mapped_column(Integer, default=0)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[DefaultNow]
    updated_at: Mapped[DefaultNow]
