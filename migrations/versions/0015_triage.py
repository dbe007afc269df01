"""triage models: one row per training run, the fitted model as a blob

Revision ID: 0015
Revises: 0012

At most one `ready` model per workspace (a partial unique index): training writes a new row
and retires the old one in one transaction, so readers see either model, never none or two.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import ticketdesk.db

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def _json() -> sa.types.TypeEngine[object]:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "triage_models",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("blob", sa.LargeBinary(), nullable=True),
        sa.Column("blob_bytes", sa.Integer(), nullable=False),
        sa.Column("examples", sa.Integer(), nullable=False),
        sa.Column("metrics", _json(), nullable=False),
        sa.Column("solved_seen", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("duration_ms", sa.Integer(), nullable=True),
        sa.Column("cpu_ms", sa.Integer(), nullable=True),
        sa.Column("created_at", ticketdesk.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("trained_at", ticketdesk.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_triage_models_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_triage_models")),
        sa.UniqueConstraint("workspace_id", "version", name=op.f("uq_triage_models_workspace_id")),
    )
    op.create_index(
        "ux_triage_models_one_ready",
        "triage_models",
        ["workspace_id"],
        unique=True,
        sqlite_where=sa.text("state = 'ready'"),
        postgresql_where=sa.text("state = 'ready'"),
    )


def downgrade() -> None:
    op.drop_index("ux_triage_models_one_ready", table_name="triage_models")
    op.drop_table("triage_models")
