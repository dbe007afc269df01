"""HTTP for links between tickets."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from ticketdesk.auth.principal import Agent, Reader
from ticketdesk.deps import SessionDep
from ticketdesk.errors import problems
from ticketdesk.links import service
from ticketdesk.links.schemas import LinkCreate, LinkRead
from ticketdesk.tickets import service as tickets
from ticketdesk.tickets.deps import TicketDep, TicketRef

router = APIRouter(prefix="/tickets", tags=["tickets"])

_WRITE = problems(400, 401, 403, 404, 409, 413, 415, 422)


@router.get(
    "/{ticket}/links",
    response_model=list[LinkRead],
    operation_id="tickets:links",
    responses=problems(401, 403, 404, 422),
)
async def list_links(ticket: TicketDep, session: SessionDep, principal: Reader) -> list[LinkRead]:
    """Links from and to this ticket, each seen from this ticket's side."""
    workspace = await tickets.get_workspace(session, principal)
    return await service.list_links(session, workspace, ticket)


@router.post(
    "/{ticket}/links",
    status_code=201,
    response_model=LinkRead,
    operation_id="tickets:link",
    responses=_WRITE,
)
async def add_link(
    ticket: TicketRef, data: LinkCreate, session: SessionDep, principal: Agent
) -> LinkRead:
    """Link two tickets (related, duplicate or blocks); the link shows on both."""
    workspace = await tickets.get_workspace(session, principal)
    found = await tickets.get_ticket(session, principal, workspace, ticket)
    return await service.add_link(session, principal, workspace, found, data)


@router.delete(
    "/{ticket}/links/{link_id}",
    status_code=204,
    operation_id="tickets:unlink",
    responses=problems(401, 403, 404, 422),
)
async def remove_link(
    ticket: TicketRef, link_id: uuid.UUID, session: SessionDep, principal: Agent
) -> Response:
    """Remove a link (from either of its tickets)."""
    workspace = await tickets.get_workspace(session, principal)
    found = await tickets.get_ticket(session, principal, workspace, ticket)
    await service.remove_link(session, principal, workspace, found, link_id)
    return Response(status_code=204)
