"""One linear Alembic history that goes up, down and up again, and matches the models."""

from __future__ import annotations

import asyncio

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import create_async_engine

from tests.conftest import create_pg_database, drop_pg_database
from ticketdesk.config import Settings
from ticketdesk.migrate import alembic_config


def test_history_is_linear(tmp_path):
    script = ScriptDirectory.from_config(alembic_config(Settings(data_dir=tmp_path)))
    assert len(script.get_heads()) == 1, "more than one head: re-chain the migrations"
    revisions = list(script.walk_revisions())
    assert revisions[-1].down_revision is None
    for revision in revisions:
        assert not isinstance(revision.down_revision, tuple), f"{revision.revision} merges branches"


async def _tables(url: str) -> set[str]:
    engine = create_async_engine(url)
    async with engine.connect() as conn:
        names = await conn.run_sync(lambda sync: set(inspect(sync).get_table_names()))
    await engine.dispose()
    return names - {"alembic_version"}


def _cycle(url: str, tmp_path) -> tuple[set[str], set[str], set[str]]:
    cfg = alembic_config(Settings(data_dir=tmp_path), url)
    command.upgrade(cfg, "head")
    up = asyncio.run(_tables(url))
    command.check(cfg)  # the models and the migrations agree
    command.downgrade(cfg, "base")
    down = asyncio.run(_tables(url))
    command.upgrade(cfg, "head")
    again = asyncio.run(_tables(url))
    return up, down, again


@pytest.mark.parametrize("backend_name", ["sqlite", "postgresql"])
def test_upgrade_downgrade_upgrade(backend_name, tmp_path):
    if backend_name == "postgresql":
        name, url = asyncio.run(create_pg_database())
    else:
        name, url = "", f"sqlite+aiosqlite:///{tmp_path / 'm.db'}"
    try:
        up, down, again = _cycle(url, tmp_path)
    finally:
        if name:
            asyncio.run(drop_pg_database(name))
    assert {"tickets", "events", "workspaces", "users", "comments"} <= up
    assert (
        down <= {"tickets_fts_data", "tickets_fts_idx", "tickets_fts_docsize", "tickets_fts_config"}
        or not down
    )
    assert again == up
