"""Activity events: the timeline, and the outbox that webhooks and live updates read."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Index, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from ticketdesk.db import Base, JSONType, UTCDateTime
from ticketdesk.models.columns import DefaultNow, WorkspaceId

BigId = BigInteger().with_variant(Integer(), "sqlite")


class Event(Base):
    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_ticket_id", "ticket_id", "id"),
        Index("ix_events_workspace_id", "workspace_id", "id"),
        Index("ix_events_undispatched", "dispatched_at", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    workspace_id: Mapped[WorkspaceId]
    # No foreign key to tickets: the log is append-only, a ticket goes only with its workspace
    # (whose cascade removes its events), and the per-row check was a quarter of the SLA sweep.
    ticket_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    type: Mapped[str] = mapped_column(String(64))
    actor_kind: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    actor_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    created_at: Mapped[DefaultNow]
    # set once the event has been handed to the job system (the outbox sweep reads NULLs)
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class IdempotencyRecord(Base):
    """The first response to a POST carrying an Idempotency-Key, replayed on retries."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (Index("ix_idempotency_created", "created_at"),)

    scope: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(32))
    response_status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    response_headers: Mapped[list[Any] | None] = mapped_column(JSONType, nullable=True)
    response_body: Mapped[str | None] = mapped_column(String, nullable=True)
    created_at: Mapped[DefaultNow]
