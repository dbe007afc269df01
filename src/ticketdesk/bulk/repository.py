"""Queries for bulk changes: what a batch of tickets needs, loaded in one query per kind."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import flag_modified

from ticketdesk.models import Label, Team, Ticket, TicketLabel, User


async def users_and_teams(
    session: AsyncSession, user_ids: Collection[uuid.UUID], team_ids: Collection[uuid.UUID]
) -> list[Any]:
    """The users and teams the tickets refer to (hold them: the identity map keeps them weakly)."""
    found: list[Any] = []
    if user_ids:
        found += (await session.scalars(select(User).where(User.id.in_(user_ids)))).all()
    if team_ids:
        found += (await session.scalars(select(Team).where(Team.id.in_(team_ids)))).all()
    return found


async def labels_by_ticket(
    session: AsyncSession, ticket_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, dict[str, uuid.UUID]]:
    """Every ticket's labels (name -> id) in one query."""
    labels: dict[uuid.UUID, dict[str, uuid.UUID]] = {t: {} for t in ticket_ids}
    if ticket_ids:
        for ticket_id, name, label_id in await session.execute(
            select(TicketLabel.ticket_id, Label.name, Label.id)
            .join(Label, Label.id == TicketLabel.label_id)
            .where(TicketLabel.ticket_id.in_(ticket_ids))
        ):
            labels[ticket_id][name] = label_id
    return labels


async def reload(session: AsyncSession, ticket_ids: Sequence[uuid.UUID]) -> None:
    """Reload tickets whose savepoint rolled back (their in-memory state is stale)."""
    await session.execute(
        select(Ticket).where(Ticket.id.in_(ticket_ids)).execution_options(populate_existing=True)
    )


def same_columns(chunk: Sequence[Ticket]) -> None:
    """Mark the union of the chunk's changed columns on each of its tickets: the flush then
    sends one UPDATE shape as one executemany, not a statement for every run of tickets whose
    changes differ (one had a pause to close, another a resolved_at to set)."""
    states = [inspect(ticket) for ticket in chunk]
    columns = inspect(Ticket).column_attrs.keys()
    changed = {key for state in states for key in state.committed_state if key in columns}
    for state in states:
        if not state.committed_state:
            continue  # nothing changed (the change was a no-op for this ticket): no UPDATE
        for key in changed:  # also those set to an equal value, which the flush would skip
            if key not in state.unloaded:
                flag_modified(state.obj(), key)
