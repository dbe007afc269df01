"""User queries, each scoped to one workspace by _in_workspace()."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import TypeVarTuple

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk.models import User

Ts = TypeVarTuple("Ts")


def _in_workspace(stmt: Select[*Ts], workspace_id: uuid.UUID) -> Select[*Ts]:
    """The tenant scope: every user query goes through here."""
    return stmt.where(User.workspace_id == workspace_id)


async def list_users(session: AsyncSession, workspace_id: uuid.UUID) -> Sequence[User]:
    stmt = _in_workspace(select(User), workspace_id).order_by(User.name, User.id)
    return (await session.scalars(stmt)).all()


async def get_user(
    session: AsyncSession, workspace_id: uuid.UUID, user_id: uuid.UUID
) -> User | None:
    return await session.scalar(_in_workspace(select(User), workspace_id).where(User.id == user_id))


async def email_taken(session: AsyncSession, workspace_id: uuid.UUID, email: str) -> bool:
    stmt = _in_workspace(select(User.id), workspace_id).where(User.email == email)
    return bool(await session.scalar(stmt))


async def existing_ids(
    session: AsyncSession, workspace_id: uuid.UUID, user_ids: Sequence[uuid.UUID]
) -> set[uuid.UUID]:
    stmt = _in_workspace(select(User.id), workspace_id).where(User.id.in_(user_ids))
    return set((await session.scalars(stmt)).all())


def add_user(session: AsyncSession, user: User) -> None:
    session.add(user)
