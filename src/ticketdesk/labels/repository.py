"""Label queries, each scoped to one workspace by _in_workspace()."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import TypeVarTuple

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk.models import Label

Ts = TypeVarTuple("Ts")


def _in_workspace(stmt: Select[*Ts], workspace_id: uuid.UUID) -> Select[*Ts]:
    """The tenant scope: every label query goes through here."""
    return stmt.where(Label.workspace_id == workspace_id)


async def list_labels(
    session: AsyncSession, workspace_id: uuid.UUID, *, prefix: str | None, limit: int
) -> Sequence[Label]:
    """Labels by name; `prefix` (lowercase) is matched literally, `%` and `_` included."""
    stmt = _in_workspace(select(Label), workspace_id)
    if prefix:
        stmt = stmt.where(Label.name.startswith(prefix, autoescape=True))
    return (await session.scalars(stmt.order_by(Label.name).limit(limit))).all()


async def name_taken(session: AsyncSession, workspace_id: uuid.UUID, name: str) -> bool:
    stmt = _in_workspace(select(Label.id), workspace_id).where(Label.name == name)
    return bool(await session.scalar(stmt))


def add_label(session: AsyncSession, label: Label) -> None:
    session.add(label)
