"""Comment queries, always scoped to one workspace."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import TypeVarTuple

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk.models import Comment

Ts = TypeVarTuple("Ts")


def _in_workspace(stmt: Select[*Ts], workspace_id: uuid.UUID) -> Select[*Ts]:
    """The one place a query here is limited to the caller's workspace."""
    return stmt.where(Comment.workspace_id == workspace_id)


async def of_tickets(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    ticket_ids: Sequence[uuid.UUID],
    *,
    visibility: str | None = None,
) -> Sequence[Comment]:
    """Oldest first."""
    stmt = _in_workspace(select(Comment).where(Comment.ticket_id.in_(ticket_ids)), workspace_id)
    if visibility:
        stmt = stmt.where(Comment.visibility == visibility)
    return (await session.scalars(stmt.order_by(Comment.created_at, Comment.id))).all()
