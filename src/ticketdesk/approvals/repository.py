"""Approval queries, each scoped to one workspace by _in_workspace()."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypeVarTuple

from sqlalchemy import Row, Select, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk.models import Approval, Ticket

Ts = TypeVarTuple("Ts")
MAX_COUNTED = 10_000


def _in_workspace(stmt: Select[*Ts], workspace_id: uuid.UUID) -> Select[*Ts]:
    """The tenant scope: every approval query goes through here."""
    return stmt.where(Approval.workspace_id == workspace_id)


async def page(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    *,
    state: str,
    ticket_id: uuid.UUID | None,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> Sequence[Row[Approval, int]]:
    """Approvals in a state with their ticket's number: pending ones oldest first (a queue),
    decided ones newest first; keyset-paged on (created_at, id)."""
    stmt = _in_workspace(select(Approval, Ticket.number), workspace_id).join(
        Ticket, Ticket.id == Approval.ticket_id
    )
    stmt = stmt.where(Approval.state == state)
    if ticket_id is not None:
        stmt = stmt.where(Approval.ticket_id == ticket_id)
    key = tuple_(Approval.created_at, Approval.id)
    oldest_first = state == "pending"
    if after is not None:
        stmt = stmt.where(key > tuple_(*after) if oldest_first else key < tuple_(*after))
    order: list[Any] = (
        [Approval.created_at, Approval.id]
        if oldest_first
        else [Approval.created_at.desc(), Approval.id.desc()]
    )
    return (await session.execute(stmt.order_by(*order).limit(limit))).all()


async def find(
    session: AsyncSession, workspace_id: uuid.UUID, approval_id: uuid.UUID, *, lock: bool = False
) -> Approval | None:
    stmt = _in_workspace(select(Approval), workspace_id).where(Approval.id == approval_id)
    if lock:
        stmt = stmt.with_for_update()
    found: Approval | None = await session.scalar(stmt)
    return found


async def pending_rules(
    session: AsyncSession, workspace_id: uuid.UUID
) -> Sequence[Row[dict[str, Any], str, uuid.UUID | None]]:
    """Each pending approval's gate and requester (to count the caller's share)."""
    stmt = (
        _in_workspace(
            select(Approval.rule, Approval.requested_by_kind, Approval.requested_by_id),
            workspace_id,
        )
        .where(Approval.state == "pending")
        .limit(MAX_COUNTED)
    )
    return (await session.execute(stmt)).all()
