"""HTTP for ticket types and their lifecycles."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from ticketdesk.auth.principal import Admin, Reader
from ticketdesk.deps import SessionDep
from ticketdesk.errors import problems
from ticketdesk.ticket_types import service
from ticketdesk.ticket_types.schemas import TicketTypeCreate, TicketTypeRead, TicketTypeUpdate

router = APIRouter(tags=["configuration"])

TypeKeyPath = Annotated[str, Path(max_length=50, pattern=r"^[a-z0-9][a-z0-9_-]*$")]
_WRITE = problems(400, 401, 403, 409, 413, 415, 422)
_LOOKUP = problems(401, 403, 404, 422)


@router.get("/ticket-types", operation_id="ticket_types:list", responses=problems(401, 403))
async def list_types(session: SessionDep, principal: Reader) -> list[TicketTypeRead]:
    """Every type in order; archived ones too (flagged), since their tickets keep them."""
    return await service.list_types(session, principal.workspace_id)


@router.post("/ticket-types", status_code=201, operation_id="ticket_types:create", responses=_WRITE)
async def create_type(
    data: TicketTypeCreate, session: SessionDep, principal: Admin
) -> TicketTypeRead:
    """A type with its lifecycle: allowed statuses, initial status, transitions by role,
    required fields per status, approval gates. `null` lists mean unrestricted."""
    return await service.create_type(session, principal.workspace_id, data)


@router.get("/ticket-types/{type_key}", operation_id="ticket_types:get", responses=_LOOKUP)
async def get_type(type_key: TypeKeyPath, session: SessionDep, principal: Reader) -> TicketTypeRead:
    return await service.get_type(session, principal.workspace_id, type_key)


@router.patch(
    "/ticket-types/{type_key}",
    operation_id="ticket_types:update",
    responses={**_WRITE, **problems(404)},
)
async def update_type(
    type_key: TypeKeyPath, data: TicketTypeUpdate, session: SessionDep, principal: Admin
) -> TicketTypeRead:
    """Change what is sent; `"archived": false` restores an archived type."""
    return await service.update_type(session, principal.workspace_id, type_key, data)


@router.delete(
    "/ticket-types/{type_key}",
    status_code=204,
    operation_id="ticket_types:delete",
    responses=_LOOKUP,
)
async def archive_type(type_key: TypeKeyPath, session: SessionDep, principal: Admin) -> Response:
    """Archive the type: its tickets keep it and its rules; new tickets cannot get it."""
    await service.archive_type(session, principal.workspace_id, type_key)
    return Response(status_code=204)
