"""Queries for ticket links."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import TypeVarTuple

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk.models import Ticket, TicketLink

Ts = TypeVarTuple("Ts")


def _in_workspace(stmt: Select[*Ts], workspace_id: uuid.UUID) -> Select[*Ts]:
    """The tenant scope of every link query: links of this one workspace."""
    return stmt.where(TicketLink.workspace_id == workspace_id)


async def links_of(
    session: AsyncSession, workspace_id: uuid.UUID, ticket_id: uuid.UUID
) -> Sequence[tuple[TicketLink, Ticket]]:
    """Links from and to the ticket, each with the ticket at its other end, oldest first."""
    stmt = select(TicketLink, Ticket).join(
        Ticket,
        or_(
            and_(TicketLink.ticket_id == ticket_id, Ticket.id == TicketLink.other_id),
            and_(TicketLink.other_id == ticket_id, Ticket.id == TicketLink.ticket_id),
        ),
    )
    rows = await session.execute(
        _in_workspace(stmt, workspace_id).order_by(TicketLink.created_at, TicketLink.id)
    )
    return [(row[0], row[1]) for row in rows.all()]


async def link_exists(
    session: AsyncSession, ticket_id: uuid.UUID, other_id: uuid.UUID, kind: str
) -> bool:
    """A link of this kind from ticket to other, or either way for the symmetric `related`."""
    same = and_(TicketLink.ticket_id == ticket_id, TicketLink.other_id == other_id)
    if kind == "related":
        same = or_(same, and_(TicketLink.ticket_id == other_id, TicketLink.other_id == ticket_id))
    found = await session.scalar(select(TicketLink.id).where(same, TicketLink.kind == kind))
    return found is not None


async def find_link(
    session: AsyncSession, workspace_id: uuid.UUID, ticket_id: uuid.UUID, link_id: uuid.UUID
) -> TicketLink | None:
    """The link with this id that has the ticket at either end."""
    stmt = select(TicketLink).where(
        TicketLink.id == link_id,
        or_(TicketLink.ticket_id == ticket_id, TicketLink.other_id == ticket_id),
    )
    return await session.scalar(_in_workspace(stmt, workspace_id))


async def ticket_by_id(session: AsyncSession, ticket_id: uuid.UUID) -> Ticket | None:
    return await session.get(Ticket, ticket_id)


def add(session: AsyncSession, link: TicketLink) -> None:
    session.add(link)


async def delete(session: AsyncSession, link: TicketLink) -> None:
    await session.delete(link)
