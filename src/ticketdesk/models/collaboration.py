"""How tickets relate to each other and who follows them: links and watchers."""

from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from ticketdesk.db import Base
from ticketdesk.models.columns import DefaultNow, TicketId, UuidPk, WorkspaceId

LINK_KINDS = ("related", "duplicate", "blocks")


class TicketLink(Base):
    """`ticket` → `other`: related, `ticket` duplicates `other`, or `ticket` blocks `other`."""

    __tablename__ = "ticket_links"
    __table_args__ = (
        UniqueConstraint("ticket_id", "other_id", "kind"),
        Index("ix_ticket_links_other", "other_id"),
    )

    id: Mapped[UuidPk]
    workspace_id: Mapped[WorkspaceId]
    ticket_id: Mapped[TicketId]
    other_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    created_by_kind: Mapped[str] = mapped_column(String(16))
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    created_at: Mapped[DefaultNow]


class TicketWatcher(Base):
    __tablename__ = "ticket_watchers"
    __table_args__ = (Index("ix_ticket_watchers_user", "user_id"),)

    ticket_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    workspace_id: Mapped[WorkspaceId]
    created_at: Mapped[DefaultNow]
