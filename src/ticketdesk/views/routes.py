"""HTTP for saved views (the SPA shows pinned ones in its sidebar)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from ticketdesk.auth.principal import Reader
from ticketdesk.deps import SessionDep
from ticketdesk.errors import problems
from ticketdesk.views import service
from ticketdesk.views.schemas import ViewCreate, ViewRead, ViewUpdate

router = APIRouter(prefix="/views", tags=["views"])

# a view changes no ticket, so a viewer (Reader) may keep personal ones; sharing needs an agent
_WRITE = problems(400, 401, 403, 404, 409, 413, 415, 422)
_LOOKUP = problems(401, 403, 404, 422)


@router.get("", operation_id="views:list", responses=problems(401, 403))
async def list_views(session: SessionDep, principal: Reader) -> list[ViewRead]:
    """Your views and the workspace's shared ones: pinned first, then by position."""
    return await service.list_views(session, principal)


@router.post("", status_code=201, operation_id="views:create", responses=_WRITE)
async def create_view(data: ViewCreate, session: SessionDep, principal: Reader) -> ViewRead:
    """Save list filters and a sort under a name; `shared` shows it to the whole workspace."""
    return await service.create_view(session, principal, data)


@router.get("/{view_id}", operation_id="views:get", responses=_LOOKUP)
async def get_view(view_id: uuid.UUID, session: SessionDep, principal: Reader) -> ViewRead:
    return await service.get_view(session, principal, view_id)


@router.patch("/{view_id}", operation_id="views:update", responses=_WRITE)
async def update_view(
    view_id: uuid.UUID, data: ViewUpdate, session: SessionDep, principal: Reader
) -> ViewRead:
    """Rename, refilter, share, pin or reorder a view (its owner, or an admin for shared ones)."""
    return await service.update_view(session, principal, view_id, data)


@router.delete("/{view_id}", status_code=204, operation_id="views:delete", responses=_LOOKUP)
async def delete_view(view_id: uuid.UUID, session: SessionDep, principal: Reader) -> Response:
    await service.delete_view(session, principal, view_id)
    return Response(status_code=204)
