"""Workspace configuration (statuses, SLA policies, calendars, rules, channel settings,
templates) read once per process instead of on every request.

Every write to a configuration table bumps `workspaces.config_version` in the same
transaction, by a database trigger (migration 0007), so no writer can forget it. A request
already has its workspace row (the principal's query brings it), hence the version; an entry
loaded at that version or later is served as long as the version stands. A session that
writes configuration itself stops using the shared entries until it ends: the version it
holds no longer describes what it sees.

Shared entries are detached copies: nothing a request does to its own objects reaches them.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, TypeVar

from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk.context import context
from ticketdesk.db import Base
from ticketdesk.models import Workspace

T = TypeVar("T")

MAX_ENTRIES = 20_000  # a few per workspace; past this the process starts afresh


async def config_cached(
    session: AsyncSession, workspace_id: uuid.UUID, name: Hashable, load: Callable[[], Awaitable[T]]
) -> T:
    """`load()`'s result for this workspace, from the session, the process, or the database."""
    key = (workspace_id, name)
    ctx = context(session)
    mine = ctx.config
    if key in mine:
        return mine[key]  # type: ignore[no-any-return]
    db = ctx.db
    written_before = ctx.config_written
    version = None
    if db is not None and not written_before:
        workspace = await session.get(Workspace, workspace_id)  # in the identity map: no SQL
        version = workspace.config_version if workspace is not None else None
        shared = db.config_cache.get(key)
        if version is not None and shared is not None and shared[0] == version:
            mine[key] = shared[1]
            return shared[1]  # type: ignore[no-any-return]
    value = await load()
    if ctx.config_written and not written_before:  # the load itself wrote configuration
        return value
    mine[key] = value
    if db is not None and version is not None:
        if len(db.config_cache) >= MAX_ENTRIES:
            db.config_cache.clear()
        db.config_cache[key] = (version, detached_copy(value))
    return value


def detached_copy(value: Any) -> Any:
    """A copy no session knows: ORM rows as fresh transient objects, containers deep."""
    if isinstance(value, Base):
        mapper = inspect(type(value))
        columns = {
            attr.key: copy.deepcopy(getattr(value, attr.key)) for attr in mapper.column_attrs
        }
        return type(value)(**columns)
    if isinstance(value, list | tuple):
        return tuple(detached_copy(item) for item in value)
    if isinstance(value, dict):
        return {k: detached_copy(v) for k, v in value.items()}
    return copy.deepcopy(value)
