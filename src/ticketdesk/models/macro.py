"""Macros: canned replies with ticket changes, an agent's own or shared with the workspace."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ticketdesk.db import Base, JSONType
from ticketdesk.models.columns import DefaultNow, UuidPk, WorkspaceId


class Macro(Base):
    __tablename__ = "macros"
    __table_args__ = (
        # the list: by name, keyset-paged, searched by name
        Index("ix_macros_workspace_name", "workspace_id", "name_key", "id"),
        Index("ix_macros_owner", "owner_id"),
    )

    id: Mapped[UuidPk]
    workspace_id: Mapped[WorkspaceId]
    # the agent whose personal macro this is; NULL: shared with the workspace (admins manage it)
    owner_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=True
    )
    name: Mapped[str] = mapped_column(String(100))
    # the name lower-cased in Python and compared byte by byte (SQLite's way; "C" on
    # PostgreSQL), so search and order agree on both databases whatever their locale
    name_key: Mapped[str] = mapped_column(
        String(300).with_variant(String(300, collation="C"), "postgresql")
    )
    body: Mapped[str | None] = mapped_column(Text, nullable=True)
    visibility: Mapped[str] = mapped_column(String(16), default="public")
    actions: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    created_at: Mapped[DefaultNow]
    updated_at: Mapped[DefaultNow]

    @property
    def shared(self) -> bool:
        return self.owner_id is None
