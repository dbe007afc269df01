"""Saved views: a named set of list filters and a sort, personal or shared."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ticketdesk.db import Base, JSONType
from ticketdesk.models.columns import DefaultNow, UuidPk, WorkspaceId


class SavedView(Base):
    __tablename__ = "saved_views"
    __table_args__ = (
        Index("ix_saved_views_owner", "workspace_id", "owner_id", "position"),
        Index("ix_saved_views_shared", "workspace_id", "shared", "position"),
    )

    id: Mapped[UuidPk]
    workspace_id: Mapped[WorkspaceId]
    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    filters: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    sort: Mapped[str] = mapped_column(String(20), default="-created_at")
    shared: Mapped[bool] = mapped_column(Boolean, default=False)
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[DefaultNow]
    updated_at: Mapped[DefaultNow]
