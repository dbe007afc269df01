"""Helpers for reports tests: moves at chosen instants, metrics rows, and a rebuild."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select

from ticketdesk import events
from ticketdesk.db import Database
from ticketdesk.models import Ticket, TicketMetrics, Workspace
from ticketdesk.reports import service as reports
from ticketdesk.tickets import service as tickets

RULE = events.system_actor("Rule")


def z(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


async def move(db: Database, key: str, workspace_id: str, status: str, at: datetime) -> None:
    """A status change at a chosen instant (as a rule or an import replays it), in its own
    transaction, with every observer."""
    async with db.unit_of_work() as session:
        workspace = await session.get(Workspace, uuid.UUID(workspace_id))
        assert workspace is not None
        number = int(key.split("-")[1])
        ticket = await session.scalar(
            select(Ticket).where(Ticket.workspace_id == workspace.id, Ticket.number == number)
        )
        assert ticket is not None
        change = await tickets.change_status(session, workspace, ticket, status, actor=RULE, now=at)
        assert change is not None
        tickets.touch(ticket, at)
        await tickets.notify_observers(
            session, tickets.TicketChange(ticket, workspace, RULE, changes={"status": change})
        )


async def metrics_of(db: Database, ticket_id: str) -> dict[str, Any]:
    async with db.unit_of_work() as session:
        row = await session.get(TicketMetrics, uuid.UUID(ticket_id))
        assert row is not None, "no metrics row"
        return reports.metrics_of(row)


def minutes(seconds: int | None) -> float | None:
    return None if seconds is None else seconds / 60


async def snapshot(db: Database, workspace_id: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    async with db.unit_of_work() as session:
        return await reports.metrics_snapshot(session, uuid.UUID(workspace_id))


async def rebuild(db: Database, workspace_id: str) -> None:
    async with db.unit_of_work() as session:
        workspace = await session.get(Workspace, uuid.UUID(workspace_id))
        assert workspace is not None
        await reports.rebuild_workspace(session, workspace, batch_size=3)
