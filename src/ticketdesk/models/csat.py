"""Satisfaction surveys: one per ticket, scheduled when it is first solved."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ticketdesk.db import Base, UTCDateTime
from ticketdesk.models.columns import DefaultNow, UuidPk, WorkspaceId


class CsatSurvey(Base):
    """A ticket's survey: when it is due, when it went out, and the hash of its link's token
    (the token itself is only in the email). The answer lives on the ticket (`csat_*`)."""

    __tablename__ = "csat_surveys"
    __table_args__ = (
        # the sweep: surveys due and not sent yet, oldest first
        Index("ix_csat_surveys_due", "sent_at", "send_after"),
    )

    id: Mapped[UuidPk]
    workspace_id: Mapped[WorkspaceId]
    # one survey per ticket, ever (reopened and solved again: no second survey)
    ticket_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), unique=True
    )
    # when it is due; NULL: not now (reopened before it went out: the next solve sets it again)
    send_after: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # sha256 of the link's token, hex; set when the email is queued
    token_hash: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[DefaultNow]
