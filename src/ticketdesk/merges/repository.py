"""Queries for merging and splitting tickets."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import TypeVar, TypeVarTuple

from sqlalchemy import Select, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk.models import Attachment, Comment, Contact, Status, Ticket, User

Ts = TypeVarTuple("Ts")


def _in_workspace(stmt: Select[*Ts], workspace_id: uuid.UUID) -> Select[*Ts]:
    """The tenant scope of the workspace-wide queries here (statuses)."""
    return stmt.where(Status.workspace_id == workspace_id)


async def lock_tickets(session: AsyncSession, ticket_ids: Sequence[uuid.UUID]) -> None:
    """Lock tickets in id order, so two merges of the same pair cannot deadlock."""
    await session.execute(
        select(Ticket.id).where(Ticket.id.in_(ticket_ids)).order_by(Ticket.id).with_for_update()
    )


async def first_closed_status(session: AsyncSession, workspace_id: uuid.UUID) -> Status | None:
    stmt = _in_workspace(select(Status), workspace_id).where(Status.category == "closed")
    status: Status | None = await session.scalar(stmt.order_by(Status.position).limit(1))
    return status


Found = TypeVar("Found", Ticket, Contact, User)


async def by_id(session: AsyncSession, model: type[Found], row_id: uuid.UUID) -> Found | None:
    """A ticket, contact or user by id (from the identity map when the session has it)."""
    return await session.get(model, row_id)


async def comments_on(
    session: AsyncSession, ticket_id: uuid.UUID, comment_ids: Sequence[uuid.UUID]
) -> list[Comment]:
    """Those of these comments that are on the ticket, oldest first."""
    return list(
        await session.scalars(
            select(Comment)
            .where(Comment.id.in_(comment_ids), Comment.ticket_id == ticket_id)
            .order_by(Comment.created_at, Comment.id)
        )
    )


async def move_comments(
    session: AsyncSession, comments: Sequence[Comment], ticket_id: uuid.UUID
) -> None:
    """Move comments, with their files, to another ticket (two statements)."""
    comment_ids = [c.id for c in comments]
    await session.execute(
        update(Comment)
        .where(Comment.id.in_(comment_ids))
        .values(ticket_id=ticket_id)
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        update(Attachment)
        .where(Attachment.comment_id.in_(comment_ids))
        .values(ticket_id=ticket_id)
        .execution_options(synchronize_session=False)
    )
    for comment in comments:
        comment.ticket_id = ticket_id
