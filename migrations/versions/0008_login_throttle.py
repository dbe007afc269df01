"""login throttle counters

Revision ID: 0008
Revises: 0007

Failed logins were rows counted per email (`login_failures`): a count read before the password
check let concurrent attempts all pass, and any caller could lock any email out. They become
atomic counters per client IP and per email from an IP (`login_counters`, see
ticketdesk.sessions.throttle); the old rows are dropped, they only ever held 15 minutes.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import ticketdesk.db

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_counters",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("window_ends_at", sa.BigInteger(), nullable=False),
        sa.Column("hold_until", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_login_counters")),
    )
    op.create_index(
        "ix_login_counters_window_ends_at", "login_counters", ["window_ends_at"], unique=False
    )
    op.drop_index("ix_login_failures_email_at", table_name="login_failures")
    op.drop_table("login_failures")


def downgrade() -> None:
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("client_ip", sa.String(length=64), nullable=True),
        sa.Column("created_at", ticketdesk.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failures")),
    )
    op.create_index(
        "ix_login_failures_email_at", "login_failures", ["email", "created_at"], unique=False
    )
    op.drop_index("ix_login_counters_window_ends_at", table_name="login_counters")
    op.drop_table("login_counters")
