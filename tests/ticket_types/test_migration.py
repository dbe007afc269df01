"""Migration 0012 on a desk with history: every workspace gets the built-in types plus one for
each other type its tickets carry; free-form custom field values stay as they were."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from alembic import command
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import create_async_engine

from tests.conftest import create_pg_database, drop_pg_database
from ticketdesk.config import Settings
from ticketdesk.db import utcnow
from ticketdesk.migrate import alembic_config
from ticketdesk.models import Ticket, TicketType, Workspace


async def _seed_old_desk(url: str) -> uuid.UUID:
    engine = create_async_engine(url)
    workspace_id = uuid.uuid4()
    now = utcnow()
    async with engine.begin() as conn:
        await conn.execute(
            insert(Workspace.__table__).values(
                id=workspace_id,
                slug=f"old-{workspace_id.hex[:8]}",
                name="Old desk",
                ticket_prefix="TKT",
                timezone="UTC",
                next_ticket_number=3,
                config_version=0,
                settings={},
                created_at=now,
            )
        )
        for number, ticket_type, values in [
            (1, "bug", {"legacy_id": "Z-1", "nested": {"a": [1, 2]}}),
            (2, "question", {}),
        ]:
            await conn.execute(
                insert(Ticket.__table__).values(
                    id=uuid.uuid4(),
                    workspace_id=workspace_id,
                    number=number,
                    subject=f"old {number}",
                    description="",
                    status="open",
                    status_category="open",
                    status_changed_at=now,
                    priority="normal",
                    priority_rank=1,
                    type=ticket_type,
                    channel="api",
                    custom_fields=values,
                    sla_pauses=[],
                    sla_state="none",
                    created_at=now,
                    updated_at=now,
                    version=1,
                )
            )
    await engine.dispose()
    return workspace_id


async def _after(url: str, workspace_id: uuid.UUID) -> tuple[list[str], dict[int, object]]:
    engine = create_async_engine(url)
    async with engine.connect() as conn:
        types = (
            await conn.execute(
                select(TicketType.key)
                .where(TicketType.workspace_id == workspace_id)
                .order_by(TicketType.position)
            )
        ).scalars()
        keys = list(types)
        rows = await conn.execute(
            select(Ticket.number, Ticket.custom_fields).where(Ticket.workspace_id == workspace_id)
        )
        values = {number: custom for number, custom in rows}
    await engine.dispose()
    return keys, values


@pytest.mark.parametrize("backend_name", ["sqlite", "postgresql"])
def test_existing_tickets_keep_their_types_and_values(backend_name, tmp_path):
    if backend_name == "postgresql":
        name, url = asyncio.run(create_pg_database())
    else:
        name, url = "", f"sqlite+aiosqlite:///{tmp_path / 'm.db'}"
    try:
        cfg = alembic_config(Settings(data_dir=tmp_path), url)
        command.upgrade(cfg, "0011")
        workspace_id = asyncio.run(_seed_old_desk(url))
        command.upgrade(cfg, "head")
        keys, values = asyncio.run(_after(url, workspace_id))
    finally:
        if name:
            asyncio.run(drop_pg_database(name))
    assert keys == ["question", "incident", "problem", "task", "bug"]
    assert values == {1: {"legacy_id": "Z-1", "nested": {"a": [1, 2]}}, 2: {}}
