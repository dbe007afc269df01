"""Migration 0010 keeps what a workspace chose: the old opt-in list becomes the opt-out of every
other status, a workspace that never opted in gets the new default, and down again restores
the list. Run on SQLite and PostgreSQL, on a database of its own."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy.ext.asyncio import create_async_engine

from tests.conftest import create_pg_database, drop_pg_database
from ticketdesk.config import Settings
from ticketdesk.migrate import alembic_config

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
STATUSES = [("open", "open"), ("in_progress", "open"), ("waiting", "pending"),
            ("resolved", "solved"), ("closed", "closed")]  # fmt: skip

workspaces = sa.table(
    "workspaces",
    *(sa.column(name) for name in ("slug", "name", "ticket_prefix", "timezone")),
    sa.column("id", sa.Uuid()),
    sa.column("next_ticket_number", sa.Integer()),
    sa.column("settings", sa.JSON()),
    sa.column("created_at", sa.DateTime(timezone=True)),
)
statuses = sa.table(
    "statuses",
    sa.column("id", sa.Uuid()),
    sa.column("workspace_id", sa.Uuid()),
    *(sa.column(name) for name in ("name", "label", "category")),
    sa.column("position", sa.Integer()),
)
channel_settings = sa.table(
    "channel_settings",
    sa.column("workspace_id", sa.Uuid()),
    sa.column("brand_color"),
    sa.column("signature"),
    *(
        sa.column(name, sa.Boolean())
        for name in ("notify_ticket_opened", "notify_agent_reply", "notify_resolved")
    ),  # fmt: skip
    sa.column("notify_statuses", sa.JSON()),
    sa.column("notify_status_opt_out", sa.JSON()),
    sa.column("form_allowed_origins", sa.JSON()),
    sa.column("form_rate_limit", sa.Integer()),
    sa.column("form_rate_window_minutes", sa.Integer()),
    sa.column("updated_at", sa.DateTime(timezone=True)),
)


async def _seed(url: str, opted_in: dict[uuid.UUID, list[str]]) -> None:
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        for workspace_id, chosen in opted_in.items():
            slug = workspace_id.hex[:12]
            await conn.execute(
                workspaces.insert().values(
                    id=workspace_id, slug=slug, name=slug, ticket_prefix="TKT",
                    timezone="UTC", next_ticket_number=1, settings={}, created_at=NOW,
                )
            )  # fmt: skip
            for position, (name, category) in enumerate(STATUSES):
                await conn.execute(
                    statuses.insert().values(
                        id=uuid.uuid4(), workspace_id=workspace_id, name=name, label=name,
                        category=category, position=position,
                    )
                )  # fmt: skip
            await conn.execute(
                channel_settings.insert().values(
                    workspace_id=workspace_id, brand_color="#2563eb", signature="",
                    notify_ticket_opened=True, notify_agent_reply=True, notify_resolved=True,
                    notify_statuses=chosen, form_allowed_origins=[], form_rate_limit=10,
                    form_rate_window_minutes=10, updated_at=NOW,
                )
            )  # fmt: skip
    await engine.dispose()


async def _column(url: str, name: str) -> dict[uuid.UUID, Any]:
    engine = create_async_engine(url)
    async with engine.connect() as conn:
        column = channel_settings.c[name]
        rows = (await conn.execute(sa.select(channel_settings.c.workspace_id, column))).all()
    await engine.dispose()
    return dict(rows)  # type: ignore[arg-type]


@pytest.mark.parametrize("backend_name", ["sqlite", "postgresql"])
def test_the_opt_in_list_becomes_an_opt_out_and_back(backend_name: str, tmp_path: Path) -> None:
    if backend_name == "postgresql":
        name, url = asyncio.run(create_pg_database())
    else:
        name, url = "", f"sqlite+aiosqlite:///{tmp_path / 'm.db'}"
    chose, never = uuid.uuid4(), uuid.uuid4()
    try:
        cfg = alembic_config(Settings(data_dir=tmp_path), url)
        command.upgrade(cfg, "0009")
        asyncio.run(_seed(url, {chose: ["waiting", "open"], never: []}))
        command.upgrade(cfg, "0010")
        assert asyncio.run(_column(url, "notify_status_opt_out")) == {
            chose: ["closed", "in_progress", "resolved"],
            never: ["closed"],  # the new default: every status change but closing is mailed
        }
        command.downgrade(cfg, "0009")
        restored = asyncio.run(_column(url, "notify_statuses"))
        assert restored[chose] == ["open", "waiting"]
    finally:
        if name:
            asyncio.run(drop_pg_database(name))
