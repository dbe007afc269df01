"""Queries for macros, each scoped to what the caller may see: the workspace's shared macros
and their own."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import TypeVarTuple

from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk.models import Macro

Ts = TypeVarTuple("Ts")


def _visible(stmt: Select[*Ts], workspace_id: uuid.UUID, user_id: uuid.UUID | None) -> Select[*Ts]:
    """The scope of every macro query: shared ones, and the user's own (an API token has none)."""
    shared = Macro.owner_id.is_(None)
    seen = shared if user_id is None else or_(shared, Macro.owner_id == user_id)
    return stmt.where(Macro.workspace_id == workspace_id, seen)


async def visible_macros(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    user_id: uuid.UUID | None,
    *,
    name_contains: str | None,
    after: tuple[str, uuid.UUID] | None,
    limit: int,
) -> Sequence[Macro]:
    """By name, keyset-paged on (name_key, id): up to `limit` after `after`."""
    stmt = _visible(select(Macro), workspace_id, user_id)
    if name_contains:
        stmt = stmt.where(Macro.name_key.contains(name_contains, autoescape=True))
    if after is not None:
        name_key, last_id = after
        stmt = stmt.where(
            (Macro.name_key > name_key) | ((Macro.name_key == name_key) & (Macro.id > last_id))
        )
    stmt = stmt.order_by(Macro.name_key, Macro.id).limit(limit)
    return (await session.scalars(stmt)).all()


async def find_macro(
    session: AsyncSession, workspace_id: uuid.UUID, user_id: uuid.UUID | None, macro_id: uuid.UUID
) -> Macro | None:
    stmt = _visible(select(Macro).where(Macro.id == macro_id), workspace_id, user_id)
    return (await session.scalars(stmt)).first()


async def count_owned(
    session: AsyncSession, workspace_id: uuid.UUID, owner_id: uuid.UUID | None
) -> int:
    """How many personal macros the user has (None: how many shared ones the workspace has)."""
    owner = Macro.owner_id.is_(None) if owner_id is None else Macro.owner_id == owner_id
    stmt = select(func.count()).select_from(Macro).where(Macro.workspace_id == workspace_id, owner)
    return (await session.scalar(stmt)) or 0


def add(session: AsyncSession, macro: Macro) -> None:
    session.add(macro)


async def delete(session: AsyncSession, macro: Macro) -> None:
    await session.delete(macro)
