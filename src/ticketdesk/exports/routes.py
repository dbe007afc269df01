"""HTTP for the CSV export of the queue."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse

from ticketdesk.auth.principal import Reader
from ticketdesk.deps import SessionDep
from ticketdesk.errors import problems
from ticketdesk.exports import service
from ticketdesk.tickets.filters import TicketFilters, ticket_filters_of_request

router = APIRouter(prefix="/tickets", tags=["tickets"])

Filters = Annotated[TicketFilters, Depends(ticket_filters_of_request)]


@router.get(
    "/export.csv",
    response_class=StreamingResponse,
    operation_id="tickets:export",
    responses={
        200: {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "CSV"},
        **problems(401, 403, 422),
    },
)
async def export_tickets(
    request: Request, session: SessionDep, principal: Reader, filters: Filters
) -> StreamingResponse:
    """Every ticket matching the list filters as CSV, in list order, streamed."""
    export = await service.export_tickets(session, request.app.state.db, principal, filters)
    return StreamingResponse(
        export.chunks,
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{export.filename}"',
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
        },
    )
