"""HTTP for tickets: parse, call the service, shape the answer."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query
from fastapi.responses import JSONResponse

from ticketdesk.auth.principal import Agent, Reader, WorkspaceDep
from ticketdesk.deps import SessionDep
from ticketdesk.errors import problems
from ticketdesk.pagination import CURSOR_PATTERN, DEFAULT_LIMIT, MAX_LIMIT
from ticketdesk.responses import model_response
from ticketdesk.schemas import Page, Timestamp
from ticketdesk.ticket_types.schemas import ApprovalRequested
from ticketdesk.tickets import service
from ticketdesk.tickets.deps import LockedTicketDep, TicketDep
from ticketdesk.tickets.filters import TicketFilters, ticket_filters_of_request
from ticketdesk.tickets.responses import ticket_response
from ticketdesk.tickets.schemas import (
    ActivityRead,
    TicketCreate,
    TicketRead,
    TicketStats,
    TicketUpdate,
    TransitionsRead,
)

router = APIRouter(prefix="/tickets", tags=["tickets"])

Filters = Annotated[TicketFilters, Depends(ticket_filters_of_request)]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]
Cursor = Annotated[
    str | None,
    Query(max_length=500, pattern=CURSOR_PATTERN, description="`next_cursor` of the previous page"),
]
IfMatch = Annotated[str | None, Header(max_length=200)]

_LOOKUP = problems(401, 403, 404, 422)
_LIST = problems(401, 403, 422)
_WRITE = problems(400, 401, 403, 404, 409, 413, 415, 422)
_WRITE_IF_MATCH = {**_WRITE, **problems(412)}
_GATED = {
    **_WRITE_IF_MATCH,
    202: {
        "model": ApprovalRequested,
        "description": "The change needs an approver: it waits, the ticket is as it was",
    },
}


def _changed_or_waiting(change: service.TicketChange, read: TicketRead | None) -> JSONResponse:
    if change.approval is not None:
        return model_response(ApprovalRequested(approval=change.approval), 202)
    assert read is not None
    return ticket_response(read)


@router.post(
    "", status_code=201, response_model=TicketRead, operation_id="tickets:create", responses=_WRITE
)
async def create_ticket(
    data: TicketCreate, session: SessionDep, principal: Agent, workspace: WorkspaceDep
) -> JSONResponse:
    """Open a ticket. Unknown labels are created; the requester is found or created by email.

    An agent signed in (a session, as in the agent app) who leaves `assignee_id` out is the
    ticket's assignee; `"assignee_id": null` files it unassigned. Tickets created with an API
    token stay unassigned unless `assignee_id` is given (auto-assignment rules still apply).
    """
    channel = data.channel or ("agent" if principal.kind == "user" else "api")
    if principal.user_id is not None and "assignee_id" not in data.model_fields_set:
        data = data.model_copy(update={"assignee_id": principal.user_id})
    ticket = await service.create_ticket(
        session, workspace, data, actor=principal.actor(), channel=channel
    )
    read = await service.ticket_read(session, workspace, ticket)
    return ticket_response(read, 201, Location=f"/api/v1/tickets/{read.key}")


@router.get("", response_model=Page[TicketRead], operation_id="tickets:list", responses=_LIST)
async def list_tickets(
    session: SessionDep,
    principal: Reader,
    workspace: WorkspaceDep,
    filters: Filters,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> JSONResponse:
    """Tickets matching every filter given, newest first by default, one keyset page at a time."""
    stmt = await service.filtered_tickets(session, principal, workspace, filters)
    rows, next_cursor = await service.page_of_tickets(session, stmt, filters.sort, limit, cursor)
    items = await service.ticket_reads(session, workspace, rows)
    return model_response(Page[TicketRead](items=items, next_cursor=next_cursor))


@router.get("/stats", operation_id="tickets:stats", responses=_LIST)
async def ticket_stats(
    session: SessionDep, principal: Reader, workspace: WorkspaceDep, filters: Filters
) -> TicketStats:
    """Counts by status and priority over the same filters as the list."""
    return await service.ticket_stats(session, principal, workspace, filters)


@router.get("/{ticket}", response_model=TicketRead, operation_id="tickets:get", responses=_LOOKUP)
async def get_ticket(
    found: TicketDep, session: SessionDep, principal: Reader, workspace: WorkspaceDep
) -> JSONResponse:
    return ticket_response(await service.ticket_read(session, workspace, found))


@router.patch(
    "/{ticket}", response_model=TicketRead, operation_id="tickets:update", responses=_GATED
)
async def update_ticket(
    data: TicketUpdate,
    found: LockedTicketDep,
    session: SessionDep,
    principal: Agent,
    workspace: WorkspaceDep,
    if_match: IfMatch = None,
) -> JSONResponse:
    """Change any fields; with `If-Match: "<version>"` a stale version answers 412.

    `custom_fields` merges into the ticket's (`null` clears a field); values are checked
    against the field definitions (422 naming the field). A status change follows the ticket
    type's lifecycle: a move it lacks is a 409 with `allowed`, a role that may not take it a
    403, missing required fields a 422; a move behind an approval gate answers 202 with the
    pending approval and changes nothing."""
    change = await service.update_ticket(
        session,
        workspace,
        found,
        data,
        actor=principal.actor(),
        if_match=if_match,
        role=principal.role,
    )
    read = None if change.approval else await service.ticket_read(session, workspace, found)
    return _changed_or_waiting(change, read)


@router.post(
    "/{ticket}/reopen",
    response_model=TicketRead,
    operation_id="tickets:reopen",
    responses=_GATED,
)
async def reopen_ticket(
    found: LockedTicketDep,
    session: SessionDep,
    principal: Agent,
    workspace: WorkspaceDep,
    if_match: IfMatch = None,
) -> JSONResponse:
    """Move a resolved or closed ticket back to its type's initial status (else the
    workspace's first open status), as its lifecycle allows."""
    change = await service.reopen_ticket(
        session, workspace, found, actor=principal.actor(), if_match=if_match, role=principal.role
    )
    read = None if change.approval else await service.ticket_read(session, workspace, found)
    return _changed_or_waiting(change, read)


@router.get("/{ticket}/transitions", operation_id="tickets:transitions", responses=_LOOKUP)
async def ticket_transitions(
    found: TicketDep, session: SessionDep, principal: Reader, workspace: WorkspaceDep
) -> TransitionsRead:
    """The statuses the caller may move this ticket to, by its type's lifecycle, with the
    fields each still needs and whether an approver must agree (a viewer: none)."""
    if not principal.has_role("agent"):
        return TransitionsRead(
            ticket=service.ticket_key(workspace, found),
            status=found.status,
            type=found.type,
            transitions=[],
        )
    return await service.available_transitions(
        session, workspace, found, actor=principal.actor(), role=principal.role
    )


@router.get("/{ticket}/activity", operation_id="tickets:activity", responses=_LOOKUP)
async def ticket_activity(
    found: TicketDep,
    session: SessionDep,
    type: Annotated[  # noqa: A002
        str | None, Query(max_length=2000, description="event types, comma = any of")
    ] = None,
    since: Timestamp | None = None,
    until: Timestamp | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
    cursor: Cursor = None,
) -> Page[ActivityRead]:
    """The ticket's timeline, oldest first: every change with its actor and `{from, to}`."""
    types = [t.strip() for t in type.split(",") if t.strip()] if type else []
    return await service.ticket_activity(
        session, found, types=types, since=since, until=until, limit=limit, cursor=cursor
    )
