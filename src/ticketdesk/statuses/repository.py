"""Status queries, each scoped to one workspace by _in_workspace(). (The ordered list that
tickets resolve against is cached configuration: tickets.service.workspace_statuses.)"""

from __future__ import annotations

import uuid
from typing import TypeVarTuple

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk.models import Status

Ts = TypeVarTuple("Ts")


def _in_workspace(stmt: Select[*Ts], workspace_id: uuid.UUID) -> Select[*Ts]:
    """The tenant scope: every status query goes through here."""
    return stmt.where(Status.workspace_id == workspace_id)


async def get_status(session: AsyncSession, workspace_id: uuid.UUID, name: str) -> Status | None:
    """The status row itself (not the cached copy), to change it."""
    return await session.scalar(
        _in_workspace(select(Status), workspace_id).where(Status.name == name)
    )


async def name_taken(session: AsyncSession, workspace_id: uuid.UUID, name: str) -> bool:
    stmt = _in_workspace(select(Status.id), workspace_id).where(Status.name == name)
    return bool(await session.scalar(stmt))


async def last_position(session: AsyncSession, workspace_id: uuid.UUID) -> int | None:
    return await session.scalar(_in_workspace(select(func.max(Status.position)), workspace_id))


def add_status(session: AsyncSession, status: Status) -> None:
    """A configuration write, like changing a status: the database trigger moves the
    workspace's config_version, so every process reloads its cached statuses."""
    session.add(status)
