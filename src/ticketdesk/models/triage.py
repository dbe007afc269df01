"""Triage models: what a workspace's tickets taught the desk, one row per training run."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, Integer, LargeBinary, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from ticketdesk.db import Base, JSONType, UTCDateTime
from ticketdesk.models.columns import DefaultNow, UuidPk, WorkspaceId

TRIAGE_STATES = ("training", "ready", "retired", "failed")


class TriageModel(Base):
    """A training run and, once `ready`, the model it made (at most one `ready` per workspace;
    the swap retires the previous one in the same transaction)."""

    __tablename__ = "triage_models"
    __table_args__ = (
        UniqueConstraint("workspace_id", "version"),
        Index(
            "ux_triage_models_one_ready",
            "workspace_id",
            unique=True,
            sqlite_where=text("state = 'ready'"),
            postgresql_where=text("state = 'ready'"),
        ),
    )

    id: Mapped[UuidPk]
    workspace_id: Mapped[WorkspaceId]
    version: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16))
    # the fitted bundle, compressed; written only by the training job (see triage.learning)
    blob: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    blob_bytes: Mapped[int] = mapped_column(Integer, default=0)
    examples: Mapped[int] = mapped_column(Integer, default=0)
    # per field: accuracy, macro_f1, support, baseline_accuracy, classes (held-out newest 20 %)
    metrics: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    # solved tickets in the workspace when the run started: the "N newly solved" trigger
    solved_seen: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    duration_ms: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # the fit's own CPU time (on a shared machine the wall time says more about the neighbours)
    cpu_ms: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[DefaultNow]
    trained_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
