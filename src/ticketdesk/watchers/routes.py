"""HTTP for a ticket's watchers."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from ticketdesk.auth.principal import Agent, Reader, WorkspaceDep
from ticketdesk.deps import SessionDep
from ticketdesk.errors import problems
from ticketdesk.tickets import service as tickets
from ticketdesk.tickets.deps import TicketDep, TicketRef
from ticketdesk.watchers import service
from ticketdesk.watchers.schemas import WatcherRead

router = APIRouter(prefix="/tickets", tags=["tickets"])

_LOOKUP = problems(401, 403, 404, 422)


@router.get("/{ticket}/watchers", operation_id="tickets:watchers", responses=_LOOKUP)
async def list_watchers(
    ticket: TicketDep, session: SessionDep, principal: Reader
) -> list[WatcherRead]:
    """The users notified of every public change to this ticket."""
    return await service.list_watchers(session, ticket)


@router.put(
    "/{ticket}/watchers/{user_id}",
    status_code=204,
    operation_id="tickets:watch",
    responses=problems(400, 401, 403, 404, 409, 415, 422),
)
async def add_watcher(
    ticket: TicketRef,
    user_id: uuid.UUID,
    session: SessionDep,
    principal: Agent,
    workspace: WorkspaceDep,
) -> Response:
    """Make a user of this workspace watch the ticket (idempotent)."""
    found = await tickets.get_ticket(session, principal, workspace, ticket)
    await service.set_watching(session, principal, workspace, found, user_id, watching=True)
    return Response(status_code=204)


@router.delete(
    "/{ticket}/watchers/{user_id}",
    status_code=204,
    operation_id="tickets:unwatch",
    responses=_LOOKUP,
)
async def remove_watcher(
    ticket: TicketRef,
    user_id: uuid.UUID,
    session: SessionDep,
    principal: Agent,
    workspace: WorkspaceDep,
) -> Response:
    """Stop a user watching the ticket (idempotent)."""
    found = await tickets.get_ticket(session, principal, workspace, ticket)
    await service.set_watching(session, principal, workspace, found, user_id, watching=False)
    return Response(status_code=204)
