"""ticket counts: exact per-status, per-priority counters for unfiltered stats

Revision ID: 0018
Revises: 0017

`ticket_counts` holds, per workspace, status and priority, how many tickets there are, kept by
triggers on `tickets` in the writing statement's own transaction, whoever writes (ORM, Core,
the numbered-insert CTE, COPY). Unfiltered `GET /tickets/stats` sums these rows instead of
counting a million tickets. Every ticket of a workspace counts: the queue hides none (merged
tickets stay, closed), and a ticket is only removed with its workspace.

PostgreSQL spreads a workspace's counts over 64 shards so that concurrent writers never wait
on one hot row: a transaction writes only to shards it holds a transaction-scoped advisory
lock on (the one its backend starts at, or the next free one), so two transactions never
update the same counter row at once, and cannot deadlock over them. Only more than 64
transactions writing one workspace at once (more connections than two API processes' pools
hold) make one share a shard, and maybe wait. Inserts and deletes are
counted per statement from transition tables (one grouped upsert for a COPY of thousands);
updates per row, behind a WHEN that lets every update that moves no count (SLA clocks,
`updated_at`, …) through without calling the function. SQLite has one writer: one row per key,
row-level triggers.

A batch_alter_table on `tickets` in a later migration recreates the table on SQLite and drops
these triggers with it: such a migration must create them again.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

SHARDS = 64
KEY = "workspace_id, status, priority, shard"

# A few hot rows updated thousands of times a minute: room on each page keeps the updates HOT
# (dead versions pruned on the page, no index entry each), and vacuum comes by the count of
# dead rows, not by a fraction of a table that stays small.
_PG_STORAGE = (
    "ALTER TABLE ticket_counts SET (fillfactor = 20, autovacuum_vacuum_scale_factor = 0, "
    "autovacuum_vacuum_threshold = 1000, autovacuum_vacuum_cost_delay = 0)"
)
_PG_FUNCTIONS = (
    f"""
CREATE FUNCTION ticket_counts_shard(workspace uuid) RETURNS smallint
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    start integer := pg_backend_pid() % {SHARDS};
    space integer := hashtext(workspace::text);
BEGIN
    FOR step IN 0..{SHARDS - 1} LOOP
        IF pg_try_advisory_xact_lock(space, (start + step) % {SHARDS}) THEN
            RETURN (start + step) % {SHARDS};
        END IF;
    END LOOP;
    RETURN start;  -- every shard taken: share this one (and wait on its rows)
END
$$
""",
    f"""
CREATE FUNCTION ticket_counts_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO ticket_counts AS c ({KEY}, n)
    SELECT workspace_id, status, priority, ticket_counts_shard(workspace_id), count(*)
    FROM new_tickets GROUP BY workspace_id, status, priority ORDER BY 1, 2, 3
    ON CONFLICT ({KEY}) DO UPDATE SET n = c.n + excluded.n;
    RETURN NULL;
END
$$
""",
    # a workspace's deletion cascades to its tickets after its counts are gone: skip it
    f"""
CREATE FUNCTION ticket_counts_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO ticket_counts AS c ({KEY}, n)
    SELECT workspace_id, status, priority, ticket_counts_shard(workspace_id), -count(*)
    FROM old_tickets WHERE workspace_id IN (SELECT id FROM workspaces)
    GROUP BY workspace_id, status, priority ORDER BY 1, 2, 3
    ON CONFLICT ({KEY}) DO UPDATE SET n = c.n + excluded.n;
    RETURN NULL;
END
$$
""",
    f"""
CREATE FUNCTION ticket_counts_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO ticket_counts AS c ({KEY}, n)
    VALUES (OLD.workspace_id, OLD.status, OLD.priority, ticket_counts_shard(OLD.workspace_id), -1)
    ON CONFLICT ({KEY}) DO UPDATE SET n = c.n + excluded.n;
    INSERT INTO ticket_counts AS c ({KEY}, n)
    VALUES (NEW.workspace_id, NEW.status, NEW.priority, ticket_counts_shard(NEW.workspace_id), 1)
    ON CONFLICT ({KEY}) DO UPDATE SET n = c.n + excluded.n;
    RETURN NULL;
END
$$
""",
)
_MOVES = (
    "OLD.status IS DISTINCT FROM NEW.status OR OLD.priority IS DISTINCT FROM NEW.priority "
    "OR OLD.workspace_id IS DISTINCT FROM NEW.workspace_id"
)
_PG_TRIGGERS = (
    "CREATE TRIGGER ticket_counts_insert AFTER INSERT ON tickets "
    "REFERENCING NEW TABLE AS new_tickets FOR EACH STATEMENT "
    "EXECUTE FUNCTION ticket_counts_inserted()",
    "CREATE TRIGGER ticket_counts_delete AFTER DELETE ON tickets "
    "REFERENCING OLD TABLE AS old_tickets FOR EACH STATEMENT "
    "EXECUTE FUNCTION ticket_counts_deleted()",
    "CREATE TRIGGER ticket_counts_update AFTER UPDATE OF workspace_id, status, priority "
    f"ON tickets FOR EACH ROW WHEN ({_MOVES}) EXECUTE FUNCTION ticket_counts_moved()",
)
_SQLITE_TRIGGERS = (
    "CREATE TRIGGER ticket_counts_insert AFTER INSERT ON tickets BEGIN "
    f"INSERT INTO ticket_counts ({KEY}, n) "
    "VALUES (new.workspace_id, new.status, new.priority, 0, 1) "
    f"ON CONFLICT ({KEY}) DO UPDATE SET n = n + 1; END",
    "CREATE TRIGGER ticket_counts_delete AFTER DELETE ON tickets BEGIN "
    "UPDATE ticket_counts SET n = n - 1 WHERE workspace_id = old.workspace_id "
    "AND status = old.status AND priority = old.priority AND shard = 0; END",
    "CREATE TRIGGER ticket_counts_update AFTER UPDATE OF workspace_id, status, priority "
    "ON tickets WHEN old.status IS NOT new.status OR old.priority IS NOT new.priority "
    "OR old.workspace_id IS NOT new.workspace_id BEGIN "
    "UPDATE ticket_counts SET n = n - 1 WHERE workspace_id = old.workspace_id "
    "AND status = old.status AND priority = old.priority AND shard = 0; "
    f"INSERT INTO ticket_counts ({KEY}, n) "
    "VALUES (new.workspace_id, new.status, new.priority, 0, 1) "
    f"ON CONFLICT ({KEY}) DO UPDATE SET n = n + 1; END",
)
_TRIGGERS = ("ticket_counts_insert", "ticket_counts_delete", "ticket_counts_update")
_PG_FUNCTION_NAMES = (
    "ticket_counts_inserted()",
    "ticket_counts_deleted()",
    "ticket_counts_moved()",
    "ticket_counts_shard(uuid)",
)


def upgrade() -> None:
    op.create_table(
        "ticket_counts",
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.Column("priority", sa.String(length=16), nullable=False),
        sa.Column("shard", sa.SmallInteger(), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_ticket_counts_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "workspace_id", "status", "priority", "shard", name=op.f("pk_ticket_counts")
        ),
    )
    # triggers first: on PostgreSQL CREATE TRIGGER holds off ticket writes until this
    # migration commits, so the backfill below misses none and counts none twice
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_STORAGE)
        for statement in (*_PG_FUNCTIONS, *_PG_TRIGGERS):
            op.execute(statement)
    else:
        for statement in _SQLITE_TRIGGERS:
            op.execute(statement)
    op.execute(
        f"INSERT INTO ticket_counts ({KEY}, n) "
        "SELECT workspace_id, status, priority, 0, count(*) FROM tickets "
        "GROUP BY workspace_id, status, priority"
    )


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for trigger in _TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}" + (" ON tickets" if postgresql else ""))
    if postgresql:
        for function in _PG_FUNCTION_NAMES:
            op.execute(f"DROP FUNCTION IF EXISTS {function}")
    op.drop_table("ticket_counts")
