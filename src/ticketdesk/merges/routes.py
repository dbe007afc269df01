"""HTTP for merging and splitting tickets."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from ticketdesk.auth.principal import Agent, WorkspaceDep
from ticketdesk.deps import SessionDep
from ticketdesk.errors import problems
from ticketdesk.merges import service
from ticketdesk.merges.schemas import MergeRequest, SplitRequest
from ticketdesk.tickets import service as tickets
from ticketdesk.tickets.deps import TicketRef
from ticketdesk.tickets.responses import ticket_response
from ticketdesk.tickets.schemas import TicketRead

router = APIRouter(prefix="/tickets", tags=["tickets"])

_WRITE = problems(400, 401, 403, 404, 409, 413, 415, 422)


@router.post(
    "/{ticket}/merge", response_model=TicketRead, operation_id="tickets:merge", responses=_WRITE
)
async def merge_ticket(
    ticket: TicketRef,
    data: MergeRequest,
    session: SessionDep,
    principal: Agent,
    workspace: WorkspaceDep,
) -> JSONResponse:
    """Merge this ticket into another: it is closed with `merged_into`; answers the target."""
    target = await service.merge_tickets(session, principal, workspace, ticket, data.into)
    return ticket_response(await tickets.ticket_read(session, workspace, target))


@router.post(
    "/{ticket}/split",
    status_code=201,
    response_model=TicketRead,
    operation_id="tickets:split",
    responses=_WRITE,
)
async def split_ticket(
    ticket: TicketRef,
    data: SplitRequest,
    session: SessionDep,
    principal: Agent,
    workspace: WorkspaceDep,
) -> JSONResponse:
    """Move the chosen comments to a new ticket, linked to this one."""
    created = await service.split_ticket(session, principal, workspace, ticket, data)
    read = await tickets.ticket_read(session, workspace, created)
    return ticket_response(read, 201, Location=f"/api/v1/tickets/{read.key}")
