"""ticket types, typed custom fields, approvals

Revision ID: 0012
Revises: 0011

Field definitions and ticket types are configuration (config_version triggers, as in 0007).
Every workspace gets the built-in types question, incident, problem and task, unrestricted,
plus one unrestricted type for each other `type` its tickets already carry, so existing
tickets keep working. Their free-form custom field values stay as they are.

On PostgreSQL the values get a GIN index over (workspace_id, custom_fields) for the `cf.*`
filters (btree_gin puts the workspace in it; without that extension, custom_fields alone).
Range indexes per number or date field are created when such a field is defined
(ticketdesk.fields.indexes); all of these are named `ix_tickets_cf_*` and left alone by
autogenerate (migrations/env.py).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import ticketdesk.db

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

CONFIG_TABLES = ("custom_fields", "ticket_types")
BUILTIN_TYPES = (
    ("question", "Question"),
    ("incident", "Incident"),
    ("problem", "Problem"),
    ("task", "Task"),
)


def _json() -> sa.types.TypeEngine[object]:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def _when() -> sa.Column[datetime]:
    return sa.Column("created_at", ticketdesk.db.UTCDateTime(timezone=True), nullable=False)


def _workspace_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["workspace_id"],
        ["workspaces.id"],
        name=op.f(f"fk_{table}_workspace_id_workspaces"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "custom_fields",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=63), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("description", sa.String(length=1000), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("options", _json(), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("validation", _json(), nullable=False),
        sa.Column("ticket_types", _json(), nullable=True),
        sa.Column("visible_when", _json(), nullable=True),
        sa.Column("autofill", sa.String(length=32), nullable=True),
        sa.Column("filterable", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("archived_at", ticketdesk.db.UTCDateTime(timezone=True), nullable=True),
        _when(),
        sa.Column("updated_at", ticketdesk.db.UTCDateTime(timezone=True), nullable=False),
        _workspace_fk("custom_fields"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_custom_fields")),
        sa.UniqueConstraint("workspace_id", "key", name=op.f("uq_custom_fields_workspace_id")),
    )
    op.create_table(
        "ticket_types",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=50), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("description", sa.String(length=1000), nullable=True),
        sa.Column("statuses", _json(), nullable=True),
        sa.Column("initial_status", sa.String(length=40), nullable=True),
        sa.Column("transitions", _json(), nullable=True),
        sa.Column("required_fields", _json(), nullable=False),
        sa.Column("approvals", _json(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("archived_at", ticketdesk.db.UTCDateTime(timezone=True), nullable=True),
        _when(),
        sa.Column("updated_at", ticketdesk.db.UTCDateTime(timezone=True), nullable=False),
        _workspace_fk("ticket_types"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_types")),
        sa.UniqueConstraint("workspace_id", "key", name=op.f("uq_ticket_types_workspace_id")),
    )
    op.create_table(
        "approvals",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("ticket_id", sa.Uuid(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("changes", _json(), nullable=False),
        sa.Column("snapshot", _json(), nullable=False),
        sa.Column("rule", _json(), nullable=False),
        sa.Column("requested_by_kind", sa.String(length=16), nullable=False),
        sa.Column("requested_by_id", sa.Uuid(), nullable=True),
        sa.Column("requested_by_name", sa.String(length=200), nullable=True),
        sa.Column("requested_role", sa.String(length=16), nullable=True),
        sa.Column("decided_by_kind", sa.String(length=16), nullable=True),
        sa.Column("decided_by_id", sa.Uuid(), nullable=True),
        sa.Column("decided_by_name", sa.String(length=200), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("decided_at", ticketdesk.db.UTCDateTime(timezone=True), nullable=True),
        _when(),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name=op.f("fk_approvals_ticket_id_tickets"),
            ondelete="CASCADE",
        ),
        _workspace_fk("approvals"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approvals")),
    )
    op.create_index(
        "ix_approvals_ws_state_created",
        "approvals",
        ["workspace_id", "state", "created_at", "id"],
        unique=False,
    )
    op.create_index("ix_approvals_ticket_state", "approvals", ["ticket_id", "state"], unique=False)

    _add_builtin_types()
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for table in CONFIG_TABLES:
            op.execute(
                f"CREATE TRIGGER config_version_{table} AFTER INSERT OR UPDATE OR DELETE "
                f"ON {table} FOR EACH ROW EXECUTE FUNCTION bump_config_version()"
            )
        _add_gin_index()
        return
    for table in CONFIG_TABLES:
        for when, row in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")):
            op.execute(
                f"CREATE TRIGGER config_version_{table}_{when.lower()} AFTER {when} ON {table} "
                f"BEGIN UPDATE workspaces SET config_version = config_version + 1 "
                f"WHERE id = {row}.workspace_id; END"
            )


def _add_builtin_types() -> None:
    """Every workspace's built-in types, and one per other type its tickets already use."""
    bind = op.get_bind()
    types = sa.table(
        "ticket_types",
        sa.column("id", sa.Uuid()),
        sa.column("workspace_id", sa.Uuid()),
        sa.column("key", sa.String()),
        sa.column("name", sa.String()),
        sa.column("required_fields", sa.JSON()),
        sa.column("approvals", sa.JSON()),
        sa.column("position", sa.Integer()),
        sa.column("created_at", ticketdesk.db.UTCDateTime(timezone=True)),
        sa.column("updated_at", ticketdesk.db.UTCDateTime(timezone=True)),
    )
    workspaces = sa.table("workspaces", sa.column("id", sa.Uuid()))
    tickets = sa.table(
        "tickets", sa.column("workspace_id", sa.Uuid()), sa.column("type", sa.String())
    )
    in_use: dict[uuid.UUID, list[str]] = {}
    for workspace_id, key in bind.execute(
        sa.select(tickets.c.workspace_id, tickets.c.type)
        .where(tickets.c.type.is_not(None))
        .distinct()
    ):
        in_use.setdefault(workspace_id, []).append(key)
    now = datetime.now(UTC)
    rows = []
    for (workspace_id,) in bind.execute(sa.select(workspaces.c.id)):
        keys = [(key, name) for key, name in BUILTIN_TYPES]
        builtin = {key for key, _ in BUILTIN_TYPES}
        keys += [
            (key, key.replace("_", " ").replace("-", " ").capitalize()[:100])
            for key in sorted(in_use.get(workspace_id, []))
            if key not in builtin
        ]
        for position, (key, name) in enumerate(keys):
            rows.append(
                {
                    "id": uuid.uuid4(),
                    "workspace_id": workspace_id,
                    "key": key,
                    "name": name,
                    "required_fields": {},
                    "approvals": [],
                    "position": position,
                    "created_at": now,
                    "updated_at": now,
                }
            )
    for start in range(0, len(rows), 1000):
        op.bulk_insert(types, rows[start : start + 1000])


def _add_gin_index() -> None:
    bind = op.get_bind()
    try:
        with bind.begin_nested():
            bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS btree_gin")
        columns = "workspace_id, custom_fields"
    except sa.exc.DBAPIError:  # not allowed to install it: the values alone
        columns = "custom_fields"
    op.execute(f"CREATE INDEX ix_tickets_cf_gin ON tickets USING gin ({columns})")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_tickets_cf_gin")
        for (name,) in bind.execute(
            sa.text("SELECT indexname FROM pg_indexes WHERE indexname LIKE 'ix_tickets_cf_%'")
        ):
            op.execute(f'DROP INDEX IF EXISTS "{name}"')
        for table in CONFIG_TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS config_version_{table} ON {table}")
    else:
        for (name,) in bind.execute(
            sa.text(
                "SELECT name FROM sqlite_master WHERE type = 'index' "
                "AND name LIKE 'ix_tickets_cf_%'"
            )
        ):
            op.execute(f'DROP INDEX IF EXISTS "{name}"')
        for table in CONFIG_TABLES:
            for when in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS config_version_{table}_{when}")
    op.drop_index("ix_approvals_ticket_state", table_name="approvals")
    op.drop_index("ix_approvals_ws_state_created", table_name="approvals")
    op.drop_table("approvals")
    op.drop_table("ticket_types")
    op.drop_table("custom_fields")
