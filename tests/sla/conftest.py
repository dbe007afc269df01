"""Helpers for SLA tests: drive the ticket services with a controllable clock."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk.comments import service as comments
from ticketdesk.events import Actor
from ticketdesk.models import Event, Ticket, Workspace
from ticketdesk.tickets import service as tickets
from ticketdesk.tickets.schemas import TicketCreate

AGENT = Actor("user", None, "Clock Agent")
CUSTOMER = Actor("contact", None, "customer")
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
HIGH = {"first_response_minutes": 60, "next_response_minutes": 120, "resolution_minutes": 240}


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


async def make_policy(tenant: Any, **body: Any) -> dict[str, Any]:
    payload = {"name": "Standard", "targets": {"high": HIGH}, **body}
    response = await tenant.post("/sla-policies", json=payload)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


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
    actor: Actor = AGENT,
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
