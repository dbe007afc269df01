"""Custom field definitions: the typed shape of a ticket's `custom_fields` values."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ticketdesk.db import Base, JSONType, UTCDateTime
from ticketdesk.models.columns import Archivable, DefaultNow, UuidPk, WorkspaceId


class CustomField(Archivable, Base):
    __tablename__ = "custom_fields"
    __table_args__ = (UniqueConstraint("workspace_id", "key"),)

    id: Mapped[UuidPk]
    workspace_id: Mapped[WorkspaceId]
    key: Mapped[str] = mapped_column(String(63))
    label: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    kind: Mapped[str] = mapped_column(String(16))
    # [{"value", "label"}] for dropdown and multi_select
    options: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    # {"min", "max", "pattern", "max_length"}, each optional
    validation: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    # the ticket types using the field; NULL: every ticket
    ticket_types: Mapped[list[str] | None] = mapped_column(JSONType, nullable=True)
    # {"field", "op", "value"}: the field shows (and takes a value) only when it holds
    visible_when: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)
    autofill: Mapped[str | None] = mapped_column(String(32), nullable=True)
    filterable: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    # archived: stored values stay readable, no new writes
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[DefaultNow]
    updated_at: Mapped[DefaultNow]
