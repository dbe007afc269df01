"""The rules of workspace statuses: unique names, each in one category, placed in an order."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk.auth.principal import Principal
from ticketdesk.crud import ensure_found, set_values
from ticketdesk.db import new_id
from ticketdesk.errors import Conflict
from ticketdesk.models import Status
from ticketdesk.models.ticket import DEFAULT_STATUSES
from ticketdesk.statuses import repository
from ticketdesk.statuses.schemas import StatusCreate, StatusUpdate
from ticketdesk.tickets import service as tickets


async def list_statuses(session: AsyncSession, principal: Principal) -> Sequence[Status]:
    """The workspace's statuses in their order: the cached configuration tickets use too."""
    return await tickets.workspace_statuses(session, principal.workspace_id)


def add_default_statuses(session: AsyncSession, workspace_id: uuid.UUID) -> None:
    """A new workspace's statuses: open, in progress, waiting, resolved, closed."""
    for position, (name, label, category) in enumerate(DEFAULT_STATUSES):
        repository.add_status(
            session,
            Status(
                workspace_id=workspace_id,
                name=name,
                label=label,
                category=category,
                position=position,
            ),
        )


async def create_status(session: AsyncSession, principal: Principal, data: StatusCreate) -> Status:
    """A new status, last in the order unless given a position."""
    if await repository.name_taken(session, principal.workspace_id, data.name):
        raise Conflict(f"The status {data.name!r} exists already.")
    position = data.position
    if position is None:
        last = await repository.last_position(session, principal.workspace_id)
        position = (last or 0) + 1
    status = Status(
        id=new_id(),
        workspace_id=principal.workspace_id,
        name=data.name,
        label=data.label,
        category=data.category,
        position=position,
    )
    repository.add_status(session, status)
    await session.flush()
    return status


async def update_status(
    session: AsyncSession, principal: Principal, name: str, data: StatusUpdate
) -> Status:
    """Relabel or move a status; its name and category stay (tickets and clocks go by them)."""
    found = await repository.get_status(session, principal.workspace_id, name)
    status = ensure_found(found, f"No status {name!r} in this workspace.")
    set_values(status, data.model_dump(exclude_none=True))
    await session.flush()
    return status
