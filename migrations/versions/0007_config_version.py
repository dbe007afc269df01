"""config version, events without a ticket foreign key

Revision ID: 0007
Revises: 0006

`workspaces.config_version` is bumped by a trigger on every write to a configuration table,
whoever writes it (ORM, Core or SQL), so every process can keep the configuration it read and
trust it while the version holds (ticketdesk.config_cache). Events lose their foreign key to
tickets: the log is append-only and a ticket is only ever removed with its workspace.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# every table whose rows ticketdesk.config_cache serves (all have a workspace_id)
CONFIG_TABLES = (
    "statuses",
    "sla_policies",
    "business_hours",
    "automations",
    "channel_settings",
    "email_templates",
)

_PG_FUNCTION = """
CREATE FUNCTION bump_config_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE workspaces SET config_version = config_version + 1
    WHERE id = COALESCE(NEW.workspace_id, OLD.workspace_id);
    RETURN NULL;
END
$$
"""


def upgrade() -> None:
    op.add_column(
        "workspaces",
        sa.Column("config_version", sa.Integer(), server_default="0", nullable=False),
    )
    with op.batch_alter_table("events") as batch:
        batch.drop_constraint("fk_events_ticket_id_tickets", type_="foreignkey")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_FUNCTION)
        for table in CONFIG_TABLES:
            op.execute(
                f"CREATE TRIGGER config_version_{table} AFTER INSERT OR UPDATE OR DELETE "
                f"ON {table} FOR EACH ROW EXECUTE FUNCTION bump_config_version()"
            )
        return
    for table in CONFIG_TABLES:
        for when, row in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")):
            op.execute(
                f"CREATE TRIGGER config_version_{table}_{when.lower()} AFTER {when} ON {table} "
                f"BEGIN UPDATE workspaces SET config_version = config_version + 1 "
                f"WHERE id = {row}.workspace_id; END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in CONFIG_TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS config_version_{table} ON {table}")
        op.execute("DROP FUNCTION IF EXISTS bump_config_version()")
    else:
        for table in CONFIG_TABLES:
            for when in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS config_version_{table}_{when}")
    with op.batch_alter_table("events") as batch:
        batch.create_foreign_key(
            "fk_events_ticket_id_tickets", "tickets", ["ticket_id"], ["id"], ondelete="CASCADE"
        )
    with op.batch_alter_table("workspaces") as batch:
        batch.drop_column("config_version")
