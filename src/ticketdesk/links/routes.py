"""HTTP for links between tickets."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from ticketdesk.auth.principal import Agent, Reader, WorkspaceDep
from ticketdesk.deps import SessionDep
from ticketdesk.errors import problems
from ticketdesk.links import service
from ticketdesk.links.schemas import LinkCreate, LinkRead
from ticketdesk.tickets import service as tickets
from ticketdesk.tickets.deps import TicketDep, TicketRef

router = APIRouter(prefix="/tickets", tags=["tickets"])

_WRITE = problems(400, 401, 403, 404, 409, 413, 415, 422)
_LOOKUP = problems(401, 403, 404, 422)


@router.get("/{ticket}/links", operation_id="tickets:links", responses=_LOOKUP)
async def list_links(
    ticket: TicketDep, session: SessionDep, principal: Reader, workspace: WorkspaceDep
) -> list[LinkRead]:
    """Links from and to this ticket, each seen from this ticket's side."""
    return await service.list_links(session, workspace, ticket)


@router.post("/{ticket}/links", status_code=201, operation_id="tickets:link", responses=_WRITE)
async def add_link(
    ticket: TicketRef,
    data: LinkCreate,
    session: SessionDep,
    principal: Agent,
    workspace: WorkspaceDep,
) -> LinkRead:
    """Link two tickets (related, duplicate or blocks); the link shows on both."""
    found = await tickets.get_ticket(session, principal, workspace, ticket)
    return await service.add_link(session, principal, workspace, found, data)


@router.delete(
    "/{ticket}/links/{link_id}", status_code=204, operation_id="tickets:unlink", responses=_LOOKUP
)
async def remove_link(
    ticket: TicketRef,
    link_id: uuid.UUID,
    session: SessionDep,
    principal: Agent,
    workspace: WorkspaceDep,
) -> Response:
    """Remove a link (from either of its tickets)."""
    found = await tickets.get_ticket(session, principal, workspace, ticket)
    await service.remove_link(session, principal, workspace, found, link_id)
    return Response(status_code=204)
