"""reports: per-ticket metrics and daily rollups

Revision ID: 0013
Revises: 0012

`ticket_metrics` holds one row per ticket (first response, resolution, requester wait,
reopens, replies, CSAT, the report dimensions), kept current by the reports room in the
transaction of each change; `report_daily` and `report_histograms` are the per-day rollups
(counts, and log-bucketed durations) that long ranges read. Existing tickets get their rows
from `ticketdesk reports rebuild`.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import ticketdesk.db

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def _json() -> sa.types.TypeEngine[object]:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def _at(name: str, nullable: bool = True) -> sa.Column[datetime]:
    return sa.Column(name, ticketdesk.db.UTCDateTime(timezone=True), nullable=nullable)


def _workspace_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["workspace_id"],
        ["workspaces.id"],
        name=op.f(f"fk_{table}_workspace_id_workspaces"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "ticket_metrics",
        sa.Column("ticket_id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        _at("created_at", nullable=False),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.Column("status_category", sa.String(length=16), nullable=False),
        sa.Column("priority", sa.String(length=16), nullable=False),
        sa.Column("type", sa.String(length=50), nullable=True),
        sa.Column("category", sa.String(length=50), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("assignee_id", sa.Uuid(), nullable=True),
        sa.Column("team_id", sa.Uuid(), nullable=True),
        sa.Column("labels", _json(), nullable=False),
        _at("first_response_at"),
        sa.Column("first_response_seconds", sa.Integer(), nullable=True),
        sa.Column("first_response_business_seconds", sa.Integer(), nullable=True),
        _at("solved_at"),
        sa.Column("resolution_seconds", sa.Integer(), nullable=True),
        sa.Column("resolution_business_seconds", sa.Integer(), nullable=True),
        sa.Column("requester_wait_seconds", sa.Integer(), nullable=True),
        sa.Column("requester_wait_business_seconds", sa.Integer(), nullable=True),
        sa.Column("solves", sa.Integer(), nullable=False),
        sa.Column("reopens", sa.Integer(), nullable=False),
        sa.Column("agent_replies", sa.Integer(), nullable=False),
        sa.Column("one_touch", sa.Boolean(), nullable=False),
        _at("merged_at"),
        sa.Column("open_periods", _json(), nullable=False),
        sa.Column("done_periods", _json(), nullable=False),
        sa.Column("sla_policy_id", sa.Uuid(), nullable=True),
        sa.Column("sla_first_response_target_seconds", sa.Integer(), nullable=True),
        sa.Column("sla_resolution_target_seconds", sa.Integer(), nullable=True),
        _at("sla_first_response_due_at"),
        _at("sla_resolution_due_at"),
        _at("csat_sent_at"),
        sa.Column("csat_rating", sa.String(length=8), nullable=True),
        sa.Column("csat_good", sa.Boolean(), nullable=True),
        _at("csat_answered_at"),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name=op.f("fk_ticket_metrics_ticket_id_tickets"),
            ondelete="CASCADE",
        ),
        _workspace_fk("ticket_metrics"),
        sa.PrimaryKeyConstraint("ticket_id", name=op.f("pk_ticket_metrics")),
    )
    op.create_index(
        "ix_ticket_metrics_ws_created", "ticket_metrics", ["workspace_id", "created_at"]
    )
    op.create_index("ix_ticket_metrics_ws_solved", "ticket_metrics", ["workspace_id", "solved_at"])
    op.create_table(
        "report_daily",
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("dimension", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("created", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("solved", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("backlog_change", sa.Integer(), server_default=sa.text("0"), nullable=False),
        _workspace_fk("report_daily"),
        sa.PrimaryKeyConstraint(
            "workspace_id", "dimension", "value", "day", name=op.f("pk_report_daily")
        ),
    )
    op.create_table(
        "report_histograms",
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("dimension", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=64), nullable=False),
        sa.Column("metric", sa.String(length=32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("bucket", sa.Integer(), nullable=False),
        sa.Column("tickets", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("total_seconds", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        _workspace_fk("report_histograms"),
        sa.PrimaryKeyConstraint(
            "workspace_id",
            "dimension",
            "value",
            "metric",
            "day",
            "bucket",
            name=op.f("pk_report_histograms"),
        ),
    )


def downgrade() -> None:
    op.drop_table("report_histograms")
    op.drop_table("report_daily")
    op.drop_index("ix_ticket_metrics_ws_solved", table_name="ticket_metrics")
    op.drop_index("ix_ticket_metrics_ws_created", table_name="ticket_metrics")
    op.drop_table("ticket_metrics")
