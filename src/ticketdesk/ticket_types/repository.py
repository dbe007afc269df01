"""Ticket type and approval queries, each scoped to one workspace."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import TypeVarTuple

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk.models import Approval, Status, TicketType

Ts = TypeVarTuple("Ts")


def _in_workspace(stmt: Select[*Ts], workspace_id: uuid.UUID) -> Select[*Ts]:
    """The tenant scope: every ticket type query goes through here."""
    return stmt.where(TicketType.workspace_id == workspace_id)


async def types_in_order(session: AsyncSession, workspace_id: uuid.UUID) -> Sequence[TicketType]:
    stmt = _in_workspace(select(TicketType), workspace_id).order_by(
        TicketType.position, TicketType.key
    )
    return (await session.scalars(stmt)).all()


async def get_type(session: AsyncSession, workspace_id: uuid.UUID, key: str) -> TicketType | None:
    found: TicketType | None = await session.scalar(
        _in_workspace(select(TicketType), workspace_id).where(TicketType.key == key)
    )
    return found


async def last_position(session: AsyncSession, workspace_id: uuid.UUID) -> int | None:
    return await session.scalar(_in_workspace(select(func.max(TicketType.position)), workspace_id))


def add_type(session: AsyncSession, ticket_type: TicketType) -> None:
    """A configuration write: the trigger moves the workspace's config_version."""
    session.add(ticket_type)


async def status_names(session: AsyncSession, workspace_id: uuid.UUID) -> list[str]:
    """The workspace's status names in order (a lifecycle must name them)."""
    rows = await session.scalars(
        select(Status.name)
        .where(Status.workspace_id == workspace_id)
        .order_by(Status.position, Status.name)
    )
    return list(rows)


def add_approval(session: AsyncSession, approval: Approval) -> None:
    session.add(approval)


async def pending_approval(
    session: AsyncSession, workspace_id: uuid.UUID, ticket_id: uuid.UUID
) -> Approval | None:
    found: Approval | None = await session.scalar(
        select(Approval).where(
            Approval.workspace_id == workspace_id,
            Approval.ticket_id == ticket_id,
            Approval.state == "pending",
        )
    )
    return found
