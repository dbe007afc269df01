"""Running Alembic from code: `ticketdesk migrate`, `serve` on start, and the tests."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import pool
from sqlalchemy.ext.asyncio import create_async_engine

from ticketdesk.config import Settings


def alembic_config(settings: Settings, url: str | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(Path(settings.migrations_dir)))
    cfg.attributes["url"] = url or settings.resolved_database_url
    return cfg


def upgrade(settings: Settings, url: str | None = None, revision: str = "head") -> None:
    url = url or settings.resolved_database_url
    if url.startswith("sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(settings, url), revision)


def downgrade(settings: Settings, url: str | None = None, revision: str = "base") -> None:
    command.downgrade(alembic_config(settings, url), revision)


async def upgrade_async(settings: Settings, url: str | None = None) -> None:
    """Migrate from inside a running event loop (alembic's env runs its own loop otherwise)."""
    url = url or settings.resolved_database_url
    if url.startswith("sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(url, poolclass=pool.NullPool)
    cfg = alembic_config(settings, url)

    def run(connection: object) -> None:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "head")

    async with engine.begin() as connection:
        await connection.run_sync(run)
    await engine.dispose()


def run_upgrade_in_thread(settings: Settings, url: str | None = None) -> None:
    asyncio.run(upgrade_async(settings, url))
