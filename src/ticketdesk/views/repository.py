"""Queries for saved views."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import TypeVarTuple

from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk.models import SavedView, User

Ts = TypeVarTuple("Ts")


def _visible(stmt: Select[*Ts], workspace_id: uuid.UUID, user_id: uuid.UUID) -> Select[*Ts]:
    """The scope of every view query: the workspace's shared views and the user's own."""
    return stmt.where(
        (SavedView.workspace_id == workspace_id)
        & or_(SavedView.owner_id == user_id, SavedView.shared.is_(True))
    )


def _with_owner() -> Select[SavedView, str]:
    return select(SavedView, User.name).join(User, User.id == SavedView.owner_id)


async def visible_views(
    session: AsyncSession, workspace_id: uuid.UUID, user_id: uuid.UUID
) -> Sequence[tuple[SavedView, str]]:
    """Pinned first, then by position, each with its owner's name."""
    rows = await session.execute(
        _visible(_with_owner(), workspace_id, user_id).order_by(
            SavedView.pinned.desc(),
            SavedView.position,
            SavedView.created_at,
            SavedView.id,
        )
    )
    return [(view, owner) for view, owner in rows.all()]


async def find_view(
    session: AsyncSession, workspace_id: uuid.UUID, user_id: uuid.UUID, view_id: uuid.UUID
) -> tuple[SavedView, str] | None:
    stmt = _with_owner().where(SavedView.id == view_id)
    row = (await session.execute(_visible(stmt, workspace_id, user_id))).first()
    return (row[0], row[1]) if row is not None else None


async def count_owned(session: AsyncSession, user_id: uuid.UUID) -> int:
    count = await session.scalar(
        select(func.count()).select_from(SavedView).where(SavedView.owner_id == user_id)
    )
    return count or 0


async def last_position(
    session: AsyncSession, workspace_id: uuid.UUID, user_id: uuid.UUID
) -> int | None:
    """The highest position among the views the user sees."""
    stmt = select(func.max(SavedView.position))
    position: int | None = await session.scalar(_visible(stmt, workspace_id, user_id))
    return position


def add(session: AsyncSession, view: SavedView) -> None:
    session.add(view)


async def delete(session: AsyncSession, view: SavedView) -> None:
    await session.delete(view)
