"""Helpers for automation tests: rules, teams and a ticket's activity through the API."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk.events import Actor
from ticketdesk.models import Ticket, Workspace
from ticketdesk.tickets import service as tickets
from ticketdesk.tickets.schemas import TicketCreate


async def rule(tenant, trigger="ticket.created", conditions=None, **body):
    payload = {
        "name": body.pop("name", "Rule"),
        "trigger": trigger,
        "conditions": conditions or {},
        **body,
    }
    response = await tenant.post("/automations", json=payload)
    assert response.status_code == 201, response.text
    return response.json()


async def activity(tenant, key):
    return (await tenant.get(f"/tickets/{key}/activity")).json()["items"]


async def team(tenant, name, member_ids):
    response = await tenant.post("/teams", json={"name": name, "member_ids": member_ids})
    assert response.status_code == 201, response.text
    return response.json()


AGENT = Actor("user", None, "Rule Tester")


async def workspace_of(session: AsyncSession, tenant: Any) -> Workspace:
    workspace = await session.get(Workspace, uuid.UUID(tenant.workspace_id))
    assert workspace is not None
    return workspace


async def new_ticket(session: AsyncSession, workspace: Workspace, **fields: Any) -> Ticket:
    """A ticket created through the ticket service: the rules' observers run as in the API."""
    data = TicketCreate.model_validate({"subject": "Ruled", **fields})
    return await tickets.create_ticket(session, workspace, data, actor=AGENT, channel="api")
