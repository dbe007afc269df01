"""The rules of workspace statuses: unique names, each in one category, placed in an order."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk.auth.principal import Principal
from ticketdesk.crud import ensure_found, refuse_nulls, set_values
from ticketdesk.db import new_id
from ticketdesk.errors import Conflict, ValidationFailed
from ticketdesk.models import Status
from ticketdesk.models.ticket import DEFAULT_STATUSES
from ticketdesk.statuses import repository
from ticketdesk.statuses.schemas import StatusCreate, StatusUpdate
from ticketdesk.tickets import service as tickets

# the built-in statuses that wait on the customer (auto-close reminds and closes them)
WAITING_ON_CUSTOMER = ("waiting",)


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
                waits_on_customer=name in WAITING_ON_CUSTOMER,
            ),
        )


def _check_waits_on_customer(category: str, waits_on_customer: bool | None) -> None:
    if waits_on_customer and category != "pending":
        raise ValidationFailed(
            f"Only a pending status can wait on the customer (this one is {category!r}).",
            loc=("body", "waits_on_customer"),
        )


async def create_status(session: AsyncSession, principal: Principal, data: StatusCreate) -> Status:
    """A new status, last in the order unless given a position."""
    _check_waits_on_customer(data.category, data.waits_on_customer)
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
        waits_on_customer=data.waits_on_customer,
    )
    repository.add_status(session, status)
    await session.flush()
    return status


async def update_status(
    session: AsyncSession, principal: Principal, name: str, data: StatusUpdate
) -> Status:
    """Relabel or move a status, or say whether it waits on the customer; its name and
    category stay (tickets and clocks go by them)."""
    found = await repository.get_status(session, principal.workspace_id, name)
    status = ensure_found(found, f"No status {name!r} in this workspace.")
    refuse_nulls(data, ("waits_on_customer",))
    _check_waits_on_customer(status.category, data.waits_on_customer)
    set_values(status, data.model_dump(exclude_none=True))
    await session.flush()
    return status
