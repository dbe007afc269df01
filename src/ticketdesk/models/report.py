"""Reporting: one metrics row per ticket, and daily rollups per workspace and dimension."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, Date, ForeignKey, Index, Integer, String, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from ticketdesk.db import Base, JSONType, UTCDateTime
from ticketdesk.models.columns import WorkspaceId


class TicketMetrics(Base):
    """What reports count about one ticket, kept current from its events (reports room).

    Durations are whole seconds (minutes in the API), in calendar time and in the business
    hours of the ticket's SLA policy (equal to calendar time without one)."""

    __tablename__ = "ticket_metrics"
    __table_args__ = (
        Index("ix_ticket_metrics_ws_created", "workspace_id", "created_at"),
        Index("ix_ticket_metrics_ws_solved", "workspace_id", "solved_at"),
    )

    ticket_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True
    )
    workspace_id: Mapped[WorkspaceId]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # the report dimensions, as the ticket stands
    status: Mapped[str] = mapped_column(String(40))
    status_category: Mapped[str] = mapped_column(String(16))
    priority: Mapped[str] = mapped_column(String(16))
    type: Mapped[str | None] = mapped_column(String(50), nullable=True)
    category: Mapped[str | None] = mapped_column(String(50), nullable=True)
    channel: Mapped[str] = mapped_column(String(16))
    assignee_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    team_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    labels: Mapped[list[Any]] = mapped_column(JSONType, default=list)
    # first response: the first public reply by a person of the team
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    first_response_seconds: Mapped[int | None] = mapped_column(Integer, nullable=True)
    first_response_business_seconds: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # resolution: created -> the last solve, while the ticket stays solved
    solved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    resolution_seconds: Mapped[int | None] = mapped_column(Integer, nullable=True)
    resolution_business_seconds: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # requester wait: time in `open`-category statuses, once solved
    requester_wait_seconds: Mapped[int | None] = mapped_column(Integer, nullable=True)
    requester_wait_business_seconds: Mapped[int | None] = mapped_column(Integer, nullable=True)
    solves: Mapped[int] = mapped_column(Integer, default=0)
    reopens: Mapped[int] = mapped_column(Integer, default=0)
    agent_replies: Mapped[int] = mapped_column(Integer, default=0)
    one_touch: Mapped[bool] = mapped_column(Boolean, default=False)
    merged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # [[start, end | null], ...]: open-category spells, and solved-or-closed spells
    open_periods: Mapped[list[Any]] = mapped_column(JSONType, default=list)
    done_periods: Mapped[list[Any]] = mapped_column(JSONType, default=list)
    # SLA: the policy, its targets for the ticket's priority, and the due times it keeps
    sla_policy_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    sla_first_response_target_seconds: Mapped[int | None] = mapped_column(Integer, nullable=True)
    sla_resolution_target_seconds: Mapped[int | None] = mapped_column(Integer, nullable=True)
    sla_first_response_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    sla_resolution_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # CSAT (the csat room's events)
    csat_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    csat_rating: Mapped[str | None] = mapped_column(String(8), nullable=True)
    csat_good: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    csat_answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class ReportDaily(Base):
    """Per workspace, local day (the workspace's time zone) and dimension value: counts."""

    __tablename__ = "report_daily"

    workspace_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )
    dimension: Mapped[str] = mapped_column(String(16), primary_key=True)
    value: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    created: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    solved: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    # +1 created or reopened, -1 solved or closed: backlog at a day's end is the running sum
    backlog_change: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))


class ReportHistogram(Base):
    """Durations of tickets created on a local day, per dimension value, in log buckets."""

    __tablename__ = "report_histograms"

    workspace_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )
    dimension: Mapped[str] = mapped_column(String(16), primary_key=True)
    value: Mapped[str] = mapped_column(String(64), primary_key=True)
    metric: Mapped[str] = mapped_column(String(32), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    bucket: Mapped[int] = mapped_column(Integer, primary_key=True)
    tickets: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    total_seconds: Mapped[int] = mapped_column(BigInteger, default=0, server_default=text("0"))


class ReportCount(Base):
    """Per workspace, local day, dimension value and metric: how many tickets of that day have
    the property the metric names (agents: solved, reopened, one-touch, CSAT good or bad, by
    created day; CSAT report: surveys sent and answers, by the survey's day)."""

    __tablename__ = "report_counts"

    workspace_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )
    dimension: Mapped[str] = mapped_column(String(16), primary_key=True)
    value: Mapped[str] = mapped_column(String(64), primary_key=True)
    metric: Mapped[str] = mapped_column(String(32), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    tickets: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
