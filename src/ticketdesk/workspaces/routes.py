"""HTTP for the caller's workspace settings."""

from __future__ import annotations

from fastapi import APIRouter

from ticketdesk.auth.principal import Admin, Reader, WorkspaceDep
from ticketdesk.deps import SessionDep
from ticketdesk.errors import problems
from ticketdesk.workspaces import service
from ticketdesk.workspaces.schemas import WorkspaceSettingsRead, WorkspaceUpdate

router = APIRouter(tags=["configuration"])

_WRITE = problems(400, 401, 403, 409, 413, 415, 422)


@router.get("/workspace", operation_id="workspace:get", responses=problems(401, 403))
async def get_workspace(principal: Reader, workspace: WorkspaceDep) -> WorkspaceSettingsRead:
    return WorkspaceSettingsRead.model_validate(workspace)


@router.patch("/workspace", operation_id="workspace:update", responses=_WRITE)
async def update_workspace(
    data: WorkspaceUpdate, session: SessionDep, principal: Admin
) -> WorkspaceSettingsRead:
    workspace = await service.update_workspace(session, principal, data)
    return WorkspaceSettingsRead.model_validate(workspace)
