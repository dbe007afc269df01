"""Filterable number and date fields get the expression index their range filters use (built
after the definition commits, concurrently on PostgreSQL); equality uses the GIN index."""

from __future__ import annotations

from sqlalchemy import text

from tests.fields.helpers import define
from tests.support import eventually
from ticketdesk.fields.repository import index_name


async def _index_names(db) -> set[str]:
    async with db.engine.connect() as conn:
        if db.engine.dialect.name == "postgresql":
            rows = await conn.execute(text("SELECT indexname FROM pg_indexes"))
        else:
            rows = await conn.execute(text("SELECT name FROM sqlite_master WHERE type='index'"))
        return {row[0] for row in rows}


async def test_a_range_field_gets_its_index_and_the_values_a_gin_index(tenant, db, backend):
    await define(tenant, key="weight_kg", label="Weight", kind="decimal")
    await define(tenant, key="note_only", label="Note", kind="long_text", filterable=True)
    await define(tenant, key="hidden_count", label="Count", kind="integer", filterable=False)
    wanted = index_name("weight_kg", "num")

    async def built() -> bool:
        return wanted in await _index_names(db)

    await eventually(built, f"the index {wanted}")
    names = await _index_names(db)
    assert index_name("hidden_count", "num") not in names
    if backend == "postgresql":
        assert "ix_tickets_cf_gin" in names
    await tenant.create_ticket(custom_fields={"weight_kg": "2.5"})
    found = await tenant.get("/tickets", params={"cf.weight_kg.gte": "2"})
    assert [t["custom_fields"]["weight_kg"] for t in found.json()["items"]] == ["2.5"]
