"""contacts: search and organisation (email domain) indexes

Revision ID: 0016
Revises: 0012

The customers view searches contacts by name and email (a prefix for one or two characters,
anywhere in them from three) and groups them into organisations by their email's domain,
which the queue can filter by. No column is added: the domain is the text after the email's
`@`, indexed as an expression (the repository writes the very same expression per dialect).

- PostgreSQL: one trigram GIN index (pg_trgm) on `lower(name || newline || email)` serves
  `LIKE 'ab%'` (a name's start), `LIKE '%<newline>ab%'` (an email's start) and `LIKE '%abc%'`
  (names are one line, so nothing matches across the two); without the extension (not
  allowed to install it) search still works, unindexed. `(workspace_id, substring(email from strpos(email, '@') + 1))` for the domain.
- SQLite: an FTS5 trigram table `contacts_fts` (external content, kept by triggers) for
  three characters and more, `(workspace_id, lower(name))` and the unique
  `(workspace_id, email)` for prefixes, and `(workspace_id, substr(email, instr(email, '@') + 1))`.

All of these are left alone by autogenerate (migrations/env.py).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute(
            "CREATE INDEX ix_contacts_ws_domain ON contacts "
            "(workspace_id, (substring(email from strpos(email, '@') + 1)))"
        )
        try:
            with bind.begin_nested():
                bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except sa.exc.DBAPIError:  # not allowed to install it: search goes unindexed
            return
        op.execute(
            "CREATE INDEX ix_contacts_search_trgm ON contacts USING gin "
            "((lower(coalesce(name, '') || E'\\n' || email)) gin_trgm_ops)"
        )
        return
    op.execute(
        "CREATE INDEX ix_contacts_ws_domain ON contacts "
        "(workspace_id, substr(email, instr(email, '@') + 1))"
    )
    op.execute("CREATE INDEX ix_contacts_ws_name ON contacts (workspace_id, lower(name))")
    op.execute(
        "CREATE VIRTUAL TABLE contacts_fts USING fts5(name, email, "
        "content='contacts', content_rowid='rowid', tokenize='trigram')"
    )
    op.execute(
        "CREATE TRIGGER contacts_fts_insert AFTER INSERT ON contacts BEGIN "
        "INSERT INTO contacts_fts(rowid, name, email) VALUES (new.rowid, new.name, new.email); END"
    )
    op.execute(
        "CREATE TRIGGER contacts_fts_delete AFTER DELETE ON contacts BEGIN "
        "INSERT INTO contacts_fts(contacts_fts, rowid, name, email) "
        "VALUES ('delete', old.rowid, old.name, old.email); END"
    )
    op.execute(
        "CREATE TRIGGER contacts_fts_update AFTER UPDATE OF name, email ON contacts BEGIN "
        "INSERT INTO contacts_fts(contacts_fts, rowid, name, email) "
        "VALUES ('delete', old.rowid, old.name, old.email); "
        "INSERT INTO contacts_fts(rowid, name, email) VALUES (new.rowid, new.name, new.email); END"
    )
    op.execute("INSERT INTO contacts_fts(contacts_fts) VALUES ('rebuild')")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for index in ("ix_contacts_search_trgm", "ix_contacts_ws_domain"):
            op.execute(f"DROP INDEX IF EXISTS {index}")
        return
    for trigger in ("contacts_fts_insert", "contacts_fts_delete", "contacts_fts_update"):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS contacts_fts")
    op.execute("DROP INDEX IF EXISTS ix_contacts_ws_name")
    op.execute("DROP INDEX IF EXISTS ix_contacts_ws_domain")
