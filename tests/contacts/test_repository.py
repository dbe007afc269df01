"""The contact queries use the indexes migration 0016 made (the plans, on both databases),
with a workspace of a few thousand contacts and fresh statistics."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

import pytest
from sqlalchemy import insert, select

from tests.support import Tenant
from ticketdesk.contacts.repository import contacts_statement
from ticketdesk.db import Database, new_id, utcnow
from ticketdesk.models import Contact
from ticketdesk.models.ticket import contact_domain


def _word(n: int, salt: str) -> str:
    return hashlib.sha256(f"{salt}{n}".encode()).hexdigest()[:10]


async def _seed(db: Database, workspace_id: uuid.UUID, count: int = 5_000) -> None:
    now = utcnow()
    rows = [
        {
            "id": new_id(),
            "workspace_id": workspace_id,
            "email": f"{_word(n, 'e')}@company{n % 500}.example",
            "name": f"{_word(n, 'n').title()} {_word(n, 's')}",
            "created_at": now,
        }
        for n in range(count)
    ]
    async with db.unit_of_work() as session:
        await session.execute(insert(Contact), rows)
    async with db.unit_of_work() as session:
        conn = await session.connection()
        if conn.dialect.name == "postgresql":  # as autovacuum would: the GIN's pending rows in
            await conn.exec_driver_sql("SELECT gin_clean_pending_list('ix_contacts_search_trgm')")
        await conn.exec_driver_sql("ANALYZE")


async def _plan(db: Database, stmt: Any) -> str:
    async with db.unit_of_work() as session:
        conn = await session.connection()
        sql = str(stmt.compile(conn.engine, compile_kwargs={"literal_binds": True}))
        if conn.dialect.name == "postgresql":
            rows = await conn.exec_driver_sql(f"EXPLAIN {sql}")
        else:
            rows = await conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}")
        return "\n".join(str(row[-1]) for row in rows)


@pytest.mark.parametrize(
    ("q", "index"),
    [
        ("ab", {"postgresql": "Index", "sqlite": "ix_contacts_ws_name"}),
        ("abc1", {"postgresql": "ix_contacts_search_trgm", "sqlite": "contacts_fts"}),
        ("company29.ex", {"postgresql": "ix_contacts_search_trgm", "sqlite": "contacts_fts"}),
    ],
)
async def test_search_uses_an_index(
    db: Database, backend: str, tenant: Tenant, q: str, index: dict[str, str]
) -> None:
    workspace_id = uuid.UUID(tenant.workspace_id)
    await _seed(db, workspace_id)
    stmt = contacts_statement(
        backend, workspace_id, q=q, organization=None, after_email=None, limit=26
    )
    plan = await _plan(db, stmt)
    assert index[backend] in plan, plan
    assert "Seq Scan" not in plan, plan


async def test_the_organisation_filter_uses_the_domain_index(
    db: Database, backend: str, tenant: Tenant
) -> None:
    workspace_id = uuid.UUID(tenant.workspace_id)
    await _seed(db, workspace_id)
    contacts = select(Contact.id).where(
        Contact.workspace_id == workspace_id, contact_domain(backend) == "company7.example"
    )
    plan = await _plan(db, contacts)
    assert "ix_contacts_ws_domain" in plan, plan
