"""CSAT surveys

Revision ID: 0014
Revises: 0013

`csat_surveys`: one row per ticket, made when the ticket is first solved with CSAT on (or by
an automation's `send_survey`); it holds when the email is due, when it went out and the
sha256 of the link's token. The answer is on the ticket (`tickets.csat_*`), so the ticket's
read model needs no join.

Plain ADD COLUMN on both backends (SQLite's batch mode would rebuild `tickets` and drop its
full-text triggers).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import ticketdesk.db

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "csat_surveys",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("ticket_id", sa.Uuid(), nullable=False),
        sa.Column("send_after", ticketdesk.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("sent_at", ticketdesk.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=True),
        sa.Column("expires_at", ticketdesk.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", ticketdesk.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name=op.f("fk_csat_surveys_ticket_id_tickets"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_csat_surveys_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_csat_surveys")),
        sa.UniqueConstraint("ticket_id", name=op.f("uq_csat_surveys_ticket_id")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_csat_surveys_token_hash")),
    )
    op.create_index("ix_csat_surveys_due", "csat_surveys", ["sent_at", "send_after"], unique=False)
    op.add_column("tickets", sa.Column("csat_rating", sa.String(length=8), nullable=True))
    op.add_column("tickets", sa.Column("csat_comment", sa.Text(), nullable=True))
    op.add_column(
        "tickets",
        sa.Column("csat_answered_at", ticketdesk.db.UTCDateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    for column in ("csat_answered_at", "csat_comment", "csat_rating"):
        _drop_column("tickets", column)
    op.drop_index("ix_csat_surveys_due", table_name="csat_surveys")
    op.drop_table("csat_surveys")


def _drop_column(table: str, column: str) -> None:
    # SQLite (3.35+) drops a column in place; batch mode would rebuild the table and lose
    # its triggers
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    else:
        op.drop_column(table, column)
