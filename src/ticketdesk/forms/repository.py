"""The public form's queries: the workspace a form posts to (by slug), its allowed origins, and
the per-IP rate counters every API process shares."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk.db import dialect_name
from ticketdesk.models import ChannelSettings, RateCounter, Workspace


def _by_slug(slug: str) -> ColumnElement[bool]:
    """The tenant condition: a public form names its workspace by slug, never by token."""
    return Workspace.slug == slug


async def workspace_by_slug(session: AsyncSession, slug: str) -> Workspace | None:
    found: Workspace | None = await session.scalar(select(Workspace).where(_by_slug(slug)))
    return found


async def allowed_origins(session: AsyncSession, slug: str) -> list[str]:
    origins = await session.scalar(
        select(ChannelSettings.form_allowed_origins)
        .join(Workspace, Workspace.id == ChannelSettings.workspace_id)
        .where(_by_slug(slug))
    )
    return list(origins or [])


async def count_hit(session: AsyncSession, key: str, window_start: datetime) -> int:
    """One more hit on `key` in the window starting at `window_start`; the window's count."""
    insert = pg_insert if dialect_name(session) == "postgresql" else sqlite_insert
    stmt = (
        insert(RateCounter)
        .values(key=key, window_start=window_start, count=1)
        .on_conflict_do_update(
            index_elements=["key", "window_start"], set_={"count": RateCounter.count + 1}
        )
        .returning(RateCounter.count)
    )
    return int((await session.execute(stmt)).scalar_one())


async def delete_counters_before(session: AsyncSession, cutoff: datetime) -> None:
    await session.execute(delete(RateCounter).where(RateCounter.window_start < cutoff))
