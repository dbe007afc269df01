"""Attachment queries, always scoped to one workspace."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import TypeVarTuple

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk.models import Attachment, Comment, Ticket

Ts = TypeVarTuple("Ts")
_Scoped = type[Attachment] | type[Comment] | type[Ticket]


def _in_workspace(
    stmt: Select[*Ts], workspace_id: uuid.UUID, model: _Scoped = Attachment
) -> Select[*Ts]:
    """The one place a query here is limited to the caller's workspace."""
    return stmt.where(model.workspace_id == workspace_id)


async def find_attachment(
    session: AsyncSession, workspace_id: uuid.UUID, attachment_id: uuid.UUID
) -> Attachment | None:
    """The attachment, when it and its ticket are in this workspace."""
    stmt = select(Attachment).join(Ticket, Ticket.id == Attachment.ticket_id)
    stmt = _in_workspace(stmt.where(Attachment.id == attachment_id), workspace_id)
    found: Attachment | None = await session.scalar(_in_workspace(stmt, workspace_id, Ticket))
    return found


async def comment_on_ticket(
    session: AsyncSession, workspace_id: uuid.UUID, ticket_id: uuid.UUID, comment_id: uuid.UUID
) -> bool:
    stmt = select(Comment.id).where(Comment.id == comment_id, Comment.ticket_id == ticket_id)
    return await session.scalar(_in_workspace(stmt, workspace_id, Comment)) is not None


async def of_tickets(
    session: AsyncSession, workspace_id: uuid.UUID, ticket_ids: Sequence[uuid.UUID]
) -> Sequence[Attachment]:
    return await _oldest_first(session, workspace_id, Attachment.ticket_id.in_(ticket_ids))


async def of_comments(
    session: AsyncSession, workspace_id: uuid.UUID, comment_ids: Sequence[uuid.UUID]
) -> Sequence[Attachment]:
    return await _oldest_first(session, workspace_id, Attachment.comment_id.in_(comment_ids))


async def _oldest_first(
    session: AsyncSession, workspace_id: uuid.UUID, where: ColumnElement[bool]
) -> Sequence[Attachment]:
    stmt = _in_workspace(select(Attachment).where(where), workspace_id)
    return (await session.scalars(stmt.order_by(Attachment.created_at, Attachment.id))).all()
