"""status flags for auto-close, the SLA target each breach marker belongs to

Revision ID: 0009
Revises: 0008

`statuses.waits_on_customer`: auto-close reminds and closes only tickets in a status that
waits on the customer (on for the built-in `waiting`; a custom pending status such as
`awaiting_supplier` stays off until an admin turns it on).

`sla_clocks.target`: which target (`first_response`, `resolution`, `next_response@<start>`)
the due time belongs to, so a recomputed due time of the same target (a priority raised by
an escalation, a pause and resume) keeps its warning and breach markers: once per target.

Plain ADD COLUMN on both backends (SQLite's batch mode would rebuild `statuses` and drop its
configuration-version triggers).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "statuses",
        sa.Column("waits_on_customer", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.execute("UPDATE statuses SET waits_on_customer = true WHERE name = 'waiting'")
    op.add_column("sla_clocks", sa.Column("target", sa.String(length=80), nullable=True))


def downgrade() -> None:
    _drop_column("sla_clocks", "target")
    _drop_column("statuses", "waits_on_customer")


def _drop_column(table: str, column: str) -> None:
    # SQLite (3.35+) drops a column in place; batch mode would rebuild the table and lose
    # its triggers
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    else:
        op.drop_column(table, column)
