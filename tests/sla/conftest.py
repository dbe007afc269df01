"""Helpers for SLA tests: drive the ticket services with a controllable clock."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk.comments import service as comments
from ticketdesk.models import Event, Ticket, Workspace
from ticketdesk.tickets import service as tickets
from ticketdesk.tickets.schemas import TicketCreate

AGENT = {"kind": "user", "id": None, "name": "Clock Agent"}
CUSTOMER = {"kind": "contact", "id": None, "name": "customer"}


async def workspace_of(session: AsyncSession, tenant: Any) -> Workspace:
    workspace = await session.get(Workspace, uuid.UUID(tenant.workspace_id))
    assert workspace is not None
    return workspace


async def open_ticket(
    session: AsyncSession, workspace: Workspace, at: datetime, **fields: Any
) -> Ticket:
    data = TicketCreate.model_validate({"subject": "Clocked", **fields})
    return await tickets.create_ticket(
        session, workspace, data, actor=AGENT, channel="api", created_at=at
    )


async def set_status(
    session: AsyncSession, workspace: Workspace, ticket: Ticket, status: str, at: datetime
) -> None:
    """What PATCH status does, at a chosen instant."""
    change = await tickets.change_status(session, workspace, ticket, status, actor=AGENT, now=at)
    assert change is not None
    ticket.updated_at = at
    await tickets.notify_observers(
        session,
        tickets.TicketChange(ticket, workspace, AGENT, changes={"status": change}),
    )
    await session.flush()


async def reply(
    session: AsyncSession,
    workspace: Workspace,
    ticket: Ticket,
    at: datetime,
    *,
    actor: dict[str, Any] = AGENT,
    visibility: str = "public",
) -> None:
    await comments.add_comment(
        session, workspace, ticket, body="Hello", visibility=visibility, actor=actor, created_at=at
    )
    await session.flush()


async def event_types(session: AsyncSession, ticket_id: uuid.UUID, prefix: str) -> list[str]:
    rows = await session.scalars(
        select(Event.type)
        .where(Event.ticket_id == ticket_id, Event.type.startswith(prefix))
        .order_by(Event.id)
    )
    return list(rows)
