"""report rollups: per-day counts for the agents and CSAT reports

Revision ID: 0017
Revises: 0016

`report_counts` holds, per workspace, dimension value, metric and local day, how many tickets
count: `solved`, `reopened`, `one_touch`, `csat_good`, `csat_bad` by the ticket's created day
(the agents report), and `survey_sent`, `survey_good`, `survey_bad` by the survey's day (sent,
or answered without a sent survey: the CSAT report). Kept like `report_daily`; existing
workspaces get theirs from `ticketdesk reports rebuild`.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_counts",
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("dimension", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=64), nullable=False),
        sa.Column("metric", sa.String(length=32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("tickets", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_report_counts_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "workspace_id", "dimension", "value", "metric", "day", name=op.f("pk_report_counts")
        ),
    )


def downgrade() -> None:
    op.drop_table("report_counts")
