"""Alembic environment: async engine, the URL from settings (or the caller)."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from ticketdesk import models  # noqa: F401  (registers every table)
from ticketdesk.config import get_settings
from ticketdesk.db import Base

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    return config.attributes.get("url") or get_settings().resolved_database_url


# Full-text search objects are created by hand in 0001, the custom field indexes by 0012 and
# ticketdesk.fields.indexes (`ix_tickets_cf_*`), the contact search and domain expression
# indexes by 0016; autogenerate must leave them alone.
_UNMANAGED = {
    "search_vector",
    "ix_tickets_search",
    "tickets_fts",
    "contacts_fts",
    "ix_contacts_ws_domain",
    "ix_contacts_ws_name",
    "ix_contacts_search_trgm",
}
_UNMANAGED_PREFIXES = ("tickets_fts", "ix_tickets_cf_", "contacts_fts")


def _include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    return not (name in _UNMANAGED or (name or "").startswith(_UNMANAGED_PREFIXES))


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_object=_include_object,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_async() -> None:
    engine = create_async_engine(_url(), poolclass=pool.NullPool)
    async with engine.connect() as connection:
        await connection.run_sync(_run)
        await connection.commit()
    await engine.dispose()


if context.is_offline_mode():
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
    else:
        asyncio.run(_run_async())
