"""HTTP for saved views (the SPA shows pinned ones in its sidebar)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Response

from ticketdesk.auth.principal import Principal, reader
from ticketdesk.deps import SessionDep
from ticketdesk.errors import problems
from ticketdesk.views import service
from ticketdesk.views.schemas import ViewCreate, ViewRead, ViewUpdate

router = APIRouter(prefix="/views", tags=["views"])

# a view changes no ticket, so a viewer may keep personal ones; sharing needs an agent
User = Annotated[Principal, Depends(reader)]
_WRITE = problems(400, 401, 403, 404, 409, 413, 415, 422)


@router.get(
    "",
    response_model=list[ViewRead],
    operation_id="views:list",
    responses=problems(401, 403),
)
async def list_views(session: SessionDep, principal: User) -> list[dict[str, Any]]:
    """Your views and the workspace's shared ones: pinned first, then by position."""
    rows = await service.list_views(session, principal)
    return [service.view_read(view, owner, principal) for view, owner in rows]


@router.post(
    "",
    status_code=201,
    response_model=ViewRead,
    operation_id="views:create",
    responses=_WRITE,
)
async def create_view(data: ViewCreate, session: SessionDep, principal: User) -> dict[str, Any]:
    """Save list filters and a sort under a name; `shared` shows it to the whole workspace."""
    view = await service.create_view(session, principal, data)
    return service.view_read(view, principal.name, principal)


@router.get(
    "/{view_id}",
    response_model=ViewRead,
    operation_id="views:get",
    responses=problems(401, 403, 404, 422),
)
async def get_view(view_id: uuid.UUID, session: SessionDep, principal: User) -> dict[str, Any]:
    view, owner = await service.get_view(session, principal, view_id)
    return service.view_read(view, owner, principal)


@router.patch(
    "/{view_id}",
    response_model=ViewRead,
    operation_id="views:update",
    responses=_WRITE,
)
async def update_view(
    view_id: uuid.UUID, data: ViewUpdate, session: SessionDep, principal: User
) -> dict[str, Any]:
    """Rename, refilter, share, pin or reorder a view (its owner, or an admin for shared ones)."""
    view, owner = await service.update_view(session, principal, view_id, data)
    return service.view_read(view, owner, principal)


@router.delete(
    "/{view_id}",
    status_code=204,
    operation_id="views:delete",
    responses=problems(401, 403, 404, 422),
)
async def delete_view(view_id: uuid.UUID, session: SessionDep, principal: User) -> Response:
    await service.delete_view(session, principal, view_id)
    return Response(status_code=204)
