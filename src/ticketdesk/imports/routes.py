"""HTTP for ticket import."""

from __future__ import annotations

from fastapi import APIRouter

from ticketdesk.auth.principal import Admin
from ticketdesk.deps import SessionDep
from ticketdesk.errors import problems
from ticketdesk.imports import service
from ticketdesk.imports.schemas import TicketImport
from ticketdesk.responses import SerializedJSON
from ticketdesk.tickets.responses import ticket_response
from ticketdesk.tickets.schemas import TicketRead

# tagged `sla` as when it lived there, so the OpenAPI document (and its clients) stay the same
router = APIRouter(tags=["sla"])
_WRITE = problems(400, 401, 403, 404, 409, 413, 415, 422)


@router.post(
    "/tickets/import",
    status_code=201,
    response_model=TicketRead,
    operation_id="tickets:import",
    responses=_WRITE,
)
async def import_ticket(
    data: TicketImport, session: SessionDep, principal: Admin
) -> SerializedJSON:
    """Move a ticket over from another help desk with its history; SLA clocks start at
    `created_at`. Comments by an email of a workspace user count as agent replies."""
    ticket = await service.import_ticket(session, principal, data)
    return ticket_response(ticket, 201, Location=f"/api/v1/tickets/{ticket.key}")
