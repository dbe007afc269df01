"""HTTP for workspace statuses."""

from __future__ import annotations

from fastapi import APIRouter

from ticketdesk.auth.principal import Admin, Reader
from ticketdesk.deps import SessionDep
from ticketdesk.errors import problems
from ticketdesk.statuses import service
from ticketdesk.statuses.schemas import StatusCreate, StatusRead, StatusUpdate

router = APIRouter(tags=["configuration"])

_WRITE = problems(400, 401, 403, 409, 413, 415, 422)


@router.get("/statuses", operation_id="statuses:list", responses=problems(401, 403))
async def list_statuses(session: SessionDep, principal: Reader) -> list[StatusRead]:
    return [StatusRead.model_validate(s) for s in await service.list_statuses(session, principal)]


@router.post("/statuses", status_code=201, operation_id="statuses:create", responses=_WRITE)
async def create_status(data: StatusCreate, session: SessionDep, principal: Admin) -> StatusRead:
    """Add a workspace status; its category decides how SLA clocks and reports treat it."""
    return StatusRead.model_validate(await service.create_status(session, principal, data))


@router.patch(
    "/statuses/{name}", operation_id="statuses:update", responses={**_WRITE, **problems(404)}
)
async def update_status(
    name: str, data: StatusUpdate, session: SessionDep, principal: Admin
) -> StatusRead:
    return StatusRead.model_validate(await service.update_status(session, principal, name, data))
