"""HTTP for queue operations: bulk, export, merge, split, links and watchers.

Registered before the tickets router, so `/tickets/bulk` and `/tickets/export.csv` are not
taken for ticket keys.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse, StreamingResponse

from ticketdesk.auth.principal import Principal, agent, reader
from ticketdesk.db import Database, utcnow
from ticketdesk.deps import SessionDep
from ticketdesk.errors import problems
from ticketdesk.queue import export, service
from ticketdesk.queue.schemas import (
    BulkRequest,
    BulkResponse,
    LinkCreate,
    LinkRead,
    MergeRequest,
    SplitRequest,
    WatcherRead,
)
from ticketdesk.tickets import repository
from ticketdesk.tickets import service as tickets
from ticketdesk.tickets.filters import TicketFilters, ticket_filters
from ticketdesk.tickets.routes import ticket_response
from ticketdesk.tickets.schemas import TicketRead

router = APIRouter(prefix="/tickets", tags=["tickets"])

Reader = Annotated[Principal, Depends(reader)]
Agent = Annotated[Principal, Depends(agent)]
Filters = Annotated[TicketFilters, Depends(ticket_filters)]
TicketRef = Annotated[str, "TKT-42 or the ticket's id"]

_WRITE = problems(400, 401, 403, 404, 409, 413, 415, 422)


@router.post(
    "/bulk",
    response_model=BulkResponse,
    operation_id="tickets:bulk",
    responses=problems(400, 401, 403, 409, 413, 415, 422),
)
async def bulk_update(data: BulkRequest, session: SessionDep, principal: Agent) -> dict[str, Any]:
    """Apply one set of changes to up to 1,000 tickets; each is applied whole or not at all."""
    workspace = await tickets.get_workspace(session, principal)
    return {"results": await service.bulk_update(session, principal, workspace, data)}


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
    workspace = await tickets.get_workspace(session, principal)
    stmt = await repository.apply_filters(
        session, repository.readable_statement(principal), filters, principal, workspace
    )
    custom_keys = await export.custom_field_keys(session, stmt)
    db: Database = request.app.state.db
    filename = f"tickets-{utcnow():%Y%m%d-%H%M%S}.csv"
    return StreamingResponse(
        export.export_csv(db, workspace, stmt, filters.sort, custom_keys),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
        },
    )


@router.post(
    "/{ticket}/merge",
    response_model=TicketRead,
    operation_id="tickets:merge",
    responses=_WRITE,
)
async def merge_ticket(
    ticket: TicketRef, data: MergeRequest, session: SessionDep, principal: Agent
) -> JSONResponse:
    """Merge this ticket into another: it is closed with `merged_into`; answers the target."""
    workspace = await tickets.get_workspace(session, principal)
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
    ticket: TicketRef, data: SplitRequest, session: SessionDep, principal: Agent
) -> JSONResponse:
    """Move the chosen comments to a new ticket, linked to this one."""
    workspace = await tickets.get_workspace(session, principal)
    created = await service.split_ticket(session, principal, workspace, ticket, data)
    body = await tickets.ticket_read(session, workspace, created)
    return ticket_response(body, 201, Location=f"/api/v1/tickets/{body['key']}")


@router.get(
    "/{ticket}/links",
    response_model=list[LinkRead],
    operation_id="tickets:links",
    responses=problems(401, 403, 404, 422),
)
async def list_links(ticket: TicketRef, session: SessionDep, principal: Reader) -> Any:
    """Links from and to this ticket, each seen from this ticket's side."""
    workspace = await tickets.get_workspace(session, principal)
    found = await tickets.get_ticket(session, principal, workspace, ticket)
    return await service.list_links(session, workspace, found)


@router.post(
    "/{ticket}/links",
    status_code=201,
    response_model=LinkRead,
    operation_id="tickets:link",
    responses=_WRITE,
)
async def add_link(
    ticket: TicketRef, data: LinkCreate, session: SessionDep, principal: Agent
) -> Any:
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


@router.get(
    "/{ticket}/watchers",
    response_model=list[WatcherRead],
    operation_id="tickets:watchers",
    responses=problems(401, 403, 404, 422),
)
async def list_watchers(ticket: TicketRef, session: SessionDep, principal: Reader) -> Any:
    """The users notified of every public change to this ticket."""
    workspace = await tickets.get_workspace(session, principal)
    found = await tickets.get_ticket(session, principal, workspace, ticket)
    return await service.list_watchers(session, found)


@router.put(
    "/{ticket}/watchers/{user_id}",
    status_code=204,
    operation_id="tickets:watch",
    responses=problems(400, 401, 403, 404, 409, 415, 422),
)
async def add_watcher(
    ticket: TicketRef, user_id: uuid.UUID, session: SessionDep, principal: Agent
) -> Response:
    """Make a user of this workspace watch the ticket (idempotent)."""
    workspace = await tickets.get_workspace(session, principal)
    found = await tickets.get_ticket(session, principal, workspace, ticket)
    await service.add_watcher(session, principal, workspace, found, user_id)
    return Response(status_code=204)


@router.delete(
    "/{ticket}/watchers/{user_id}",
    status_code=204,
    operation_id="tickets:unwatch",
    responses=problems(401, 403, 404, 422),
)
async def remove_watcher(
    ticket: TicketRef, user_id: uuid.UUID, session: SessionDep, principal: Agent
) -> Response:
    """Stop a user watching the ticket (idempotent)."""
    workspace = await tickets.get_workspace(session, principal)
    found = await tickets.get_ticket(session, principal, workspace, ticket)
    await service.remove_watcher(session, principal, workspace, found, user_id)
    return Response(status_code=204)
