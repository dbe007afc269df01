"""HTTP for the caller's workspace settings."""

from __future__ import annotations

from fastapi import APIRouter

from ticketdesk.auth.principal import Admin, Reader
from ticketdesk.deps import SessionDep
from ticketdesk.errors import problems
from ticketdesk.workspaces import service
from ticketdesk.workspaces.schemas import WorkspaceSettingsRead, WorkspaceUpdate

router = APIRouter(tags=["configuration"])

_WRITE = problems(400, 401, 403, 409, 413, 415, 422)


@router.get(
    "/workspace",
    response_model=WorkspaceSettingsRead,
    operation_id="workspace:get",
    responses=problems(401, 403),
)
async def get_workspace(session: SessionDep, principal: Reader) -> WorkspaceSettingsRead:
    return WorkspaceSettingsRead.model_validate(await service.get_workspace(session, principal))


@router.patch(
    "/workspace",
    response_model=WorkspaceSettingsRead,
    operation_id="workspace:update",
    responses=_WRITE,
)
async def update_workspace(
    data: WorkspaceUpdate, session: SessionDep, principal: Admin
) -> WorkspaceSettingsRead:
    workspace = await service.update_workspace(session, principal, data)
    return WorkspaceSettingsRead.model_validate(workspace)
