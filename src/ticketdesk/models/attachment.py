"""Files attached to tickets and comments; bytes live in content-addressed storage."""

from __future__ import annotations

import uuid

from sqlalchemy import BigInteger, ForeignKey, Index, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from ticketdesk.db import Base
from ticketdesk.models.columns import DefaultNow, TicketId, UuidPk, WorkspaceId


class Attachment(Base):
    __tablename__ = "attachments"
    __table_args__ = (Index("ix_attachments_ticket", "ticket_id", "created_at"),)

    id: Mapped[UuidPk]
    workspace_id: Mapped[WorkspaceId]
    ticket_id: Mapped[TicketId]
    comment_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("comments.id", ondelete="SET NULL"), nullable=True
    )
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_kind: Mapped[str] = mapped_column(String(16))
    uploaded_by_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    created_at: Mapped[DefaultNow]
