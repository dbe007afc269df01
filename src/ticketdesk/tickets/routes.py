"""HTTP for tickets: parse, call the service, shape the answer."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query
from fastapi.responses import JSONResponse
from sqlalchemy import select

from ticketdesk.auth.principal import Principal, agent, reader
from ticketdesk.deps import SessionDep
from ticketdesk.errors import problems
from ticketdesk.models import Event
from ticketdesk.pagination import (
    CURSOR_PATTERN,
    DEFAULT_LIMIT,
    MAX_LIMIT,
    decode_cursor,
    encode_cursor,
)
from ticketdesk.schemas import Page, Timestamp
from ticketdesk.tickets import repository, service
from ticketdesk.tickets.filters import TicketFilters, ticket_filters
from ticketdesk.tickets.schemas import (
    ActivityRead,
    TicketCreate,
    TicketRead,
    TicketStats,
    TicketUpdate,
)

router = APIRouter(prefix="/tickets", tags=["tickets"])

Reader = Annotated[Principal, Depends(reader)]
Agent = Annotated[Principal, Depends(agent)]
Filters = Annotated[TicketFilters, Depends(ticket_filters)]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]
Cursor = Annotated[
    str | None,
    Query(max_length=500, pattern=CURSOR_PATTERN, description="`next_cursor` of the previous page"),
]
TicketRef = Annotated[str, "TKT-42 or the ticket's id"]

_READ = problems(401, 403, 404, 422)
_WRITE = problems(400, 401, 403, 404, 409, 413, 415, 422)


class _SerializedJSON(JSONResponse):
    """A JSON response whose body pydantic-core has already serialized."""

    def render(self, content: Any) -> bytes:
        return content if isinstance(content, bytes) else super().render(content)


def ticket_response(body: dict[str, Any], status_code: int = 200, **headers: str) -> JSONResponse:
    """A ticket with its ETag, like every ticket response."""
    return _SerializedJSON(
        TicketRead.model_validate(body).model_dump_json().encode(),
        status_code=status_code,
        headers={"ETag": f'"{body["version"]}"', **headers},
    )


@router.post(
    "",
    status_code=201,
    response_model=TicketRead,
    operation_id="tickets:create",
    responses=_WRITE,
)
async def create_ticket(data: TicketCreate, session: SessionDep, principal: Agent) -> JSONResponse:
    """Open a ticket. Unknown labels are created; the requester is found or created by email."""
    workspace = await service.get_workspace(session, principal)
    channel = data.channel or ("agent" if principal.kind == "user" else "api")
    ticket = await service.create_ticket(
        session, workspace, data, actor=principal.actor(), channel=channel
    )
    body = await service.ticket_read(session, workspace, ticket)
    return ticket_response(body, 201, Location=f"/api/v1/tickets/{body['key']}")


@router.get(
    "",
    response_model=Page[TicketRead],
    operation_id="tickets:list",
    responses=problems(401, 403, 422),
)
async def list_tickets(
    session: SessionDep,
    principal: Reader,
    filters: Filters,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> dict[str, Any]:
    """Tickets matching every filter given, newest first by default, one keyset page at a time."""
    workspace = await service.get_workspace(session, principal)
    stmt = await repository.apply_filters(
        session, repository.readable_statement(principal), filters, principal, workspace
    )
    rows, next_cursor = await repository.page_of_tickets(session, stmt, filters.sort, limit, cursor)
    ctx = await repository.load_context(session, workspace, rows)
    return {"items": [repository.ticket_view(t, ctx) for t in rows], "next_cursor": next_cursor}


@router.get(
    "/stats",
    response_model=TicketStats,
    operation_id="tickets:stats",
    responses=problems(401, 403, 422),
)
async def ticket_stats(session: SessionDep, principal: Reader, filters: Filters) -> dict[str, Any]:
    """Counts by status and priority over the same filters as the list."""
    workspace = await service.get_workspace(session, principal)
    stmt = await repository.apply_filters(
        session, repository.readable_statement(principal), filters, principal, workspace
    )
    return await repository.ticket_stats(session, stmt)


@router.get("/{ticket}", response_model=TicketRead, operation_id="tickets:get", responses=_READ)
async def get_ticket(ticket: TicketRef, session: SessionDep, principal: Reader) -> JSONResponse:
    workspace = await service.get_workspace(session, principal)
    found = await service.get_ticket(session, principal, workspace, ticket)
    return ticket_response(await service.ticket_read(session, workspace, found))


@router.patch(
    "/{ticket}",
    response_model=TicketRead,
    operation_id="tickets:update",
    responses={**_WRITE, **problems(412)},
)
async def update_ticket(
    ticket: TicketRef,
    data: TicketUpdate,
    session: SessionDep,
    principal: Agent,
    if_match: Annotated[str | None, Header(max_length=200)] = None,
) -> JSONResponse:
    """Change any fields; with `If-Match: "<version>"` a stale version answers 412."""
    workspace = await service.get_workspace(session, principal)
    found = await service.get_ticket(session, principal, workspace, ticket, for_update=True)
    await service.update_ticket(
        session, workspace, found, data, actor=principal.actor(), if_match=if_match
    )
    return ticket_response(await service.ticket_read(session, workspace, found))


@router.post(
    "/{ticket}/reopen",
    response_model=TicketRead,
    operation_id="tickets:reopen",
    responses={**_WRITE, **problems(412)},
)
async def reopen_ticket(
    ticket: TicketRef,
    session: SessionDep,
    principal: Agent,
    if_match: Annotated[str | None, Header(max_length=200)] = None,
) -> JSONResponse:
    """Move a resolved or closed ticket back to the workspace's first open status."""
    workspace = await service.get_workspace(session, principal)
    found = await service.get_ticket(session, principal, workspace, ticket, for_update=True)
    await service.reopen_ticket(
        session, workspace, found, actor=principal.actor(), if_match=if_match
    )
    return ticket_response(await service.ticket_read(session, workspace, found))


@router.get(
    "/{ticket}/activity",
    response_model=Page[ActivityRead],
    operation_id="tickets:activity",
    responses=_READ,
)
async def ticket_activity(
    ticket: TicketRef,
    session: SessionDep,
    principal: Reader,
    type: Annotated[  # noqa: A002
        str | None, Query(max_length=2000, description="event types, comma = any of")
    ] = None,
    since: Timestamp | None = None,
    until: Timestamp | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
    cursor: Cursor = None,
) -> dict[str, Any]:
    """The ticket's timeline, oldest first: every change with its actor and `{from, to}`."""
    workspace = await service.get_workspace(session, principal)
    found = await service.get_ticket(session, principal, workspace, ticket)
    stmt = select(Event).where(Event.ticket_id == found.id, Event.workspace_id == workspace.id)
    if type:
        stmt = stmt.where(Event.type.in_([t.strip() for t in type.split(",") if t.strip()]))
    if since:
        stmt = stmt.where(Event.created_at >= since)
    if until:
        stmt = stmt.where(Event.created_at < until)
    if cursor:
        (after_id,) = decode_cursor(cursor, 1)
        if not isinstance(after_id, int):
            after_id = 0
        stmt = stmt.where(Event.id > after_id)
    rows = (await session.scalars(stmt.order_by(Event.id).limit(limit + 1))).all()
    next_cursor = encode_cursor([rows[limit - 1].id]) if len(rows) > limit else None
    return {
        "items": [
            {
                "id": e.id,
                "type": e.type,
                "actor": {"kind": e.actor_kind, "id": e.actor_id, "name": e.actor_name},
                "data": e.data,
                "created_at": e.created_at,
            }
            for e in rows[:limit]
        ],
        "next_cursor": next_cursor,
    }
