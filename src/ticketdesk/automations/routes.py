"""HTTP for automation rules, auto-assignment and auto-close settings."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from ticketdesk.auth.principal import Admin, Reader, WorkspaceDep
from ticketdesk.automations import service
from ticketdesk.automations.schemas import (
    AutoAssignRead,
    AutoAssignSettings,
    AutoCloseRead,
    AutoCloseSettings,
    AutomationCreate,
    AutomationRead,
    AutomationUpdate,
)
from ticketdesk.deps import SessionDep
from ticketdesk.errors import problems

router = APIRouter(tags=["automations"])
_WRITE = problems(400, 401, 403, 404, 409, 413, 415, 422)
_LOOKUP = problems(401, 403, 404, 422)
_AUTH = problems(401, 403)


@router.post("/automations", status_code=201, operation_id="automations:create", responses=_WRITE)
async def create_automation(
    data: AutomationCreate, session: SessionDep, principal: Admin
) -> AutomationRead:
    """A rule: when the trigger fires and the conditions hold, the actions run, in order."""
    return await service.create_automation(session, principal.workspace_id, data)


@router.get("/automations", operation_id="automations:list", responses=_AUTH)
async def list_automations(session: SessionDep, principal: Reader) -> list[AutomationRead]:
    """Every rule in the order it runs."""
    return await service.list_automations(session, principal.workspace_id)


@router.get("/automations/{rule_id}", operation_id="automations:get", responses=_LOOKUP)
async def get_automation(
    rule_id: uuid.UUID, session: SessionDep, principal: Reader
) -> AutomationRead:
    return await service.get_automation(session, principal.workspace_id, rule_id)


@router.patch("/automations/{rule_id}", operation_id="automations:update", responses=_WRITE)
async def update_automation(
    rule_id: uuid.UUID, data: AutomationUpdate, session: SessionDep, principal: Admin
) -> AutomationRead:
    return await service.update_automation(session, principal.workspace_id, rule_id, data)


@router.delete(
    "/automations/{rule_id}", status_code=204, operation_id="automations:delete", responses=_LOOKUP
)
async def delete_automation(rule_id: uuid.UUID, session: SessionDep, principal: Admin) -> Response:
    await service.delete_rule(session, principal.workspace_id, rule_id)
    return Response(status_code=204)


@router.get("/settings/auto-assign", operation_id="settings:get_auto_assign", responses=_AUTH)
async def get_auto_assign(principal: Reader, workspace: WorkspaceDep) -> AutoAssignRead:
    return service.auto_assign_settings(workspace)


@router.put("/settings/auto-assign", operation_id="settings:put_auto_assign", responses=_WRITE)
async def put_auto_assign(
    data: AutoAssignSettings, session: SessionDep, principal: Admin, workspace: WorkspaceDep
) -> AutoAssignRead:
    """New tickets with this category / label / requester domain / subject keyword go to a
    team and/or agent (a user id, `round_robin` or `least_loaded`). Kept as automations."""
    return await service.set_auto_assign(session, workspace, data)


@router.get("/settings/auto-close", operation_id="settings:get_auto_close", responses=_AUTH)
async def get_auto_close(principal: Reader, workspace: WorkspaceDep) -> AutoCloseRead:
    return service.auto_close_settings(workspace)


@router.post("/settings/auto-close", operation_id="settings:set_auto_close", responses=_WRITE)
async def set_auto_close(
    data: AutoCloseSettings, session: SessionDep, principal: Admin, workspace: WorkspaceDep
) -> AutoCloseRead:
    """Tickets in a status that waits on the customer get a reminder after N days (always
    before any close) and close after M days."""
    return await service.set_auto_close(session, workspace, data)


@router.delete(
    "/settings/auto-close",
    operation_id="settings:disable_auto_close",
    responses=problems(401, 403, 422),
)
async def disable_auto_close(
    session: SessionDep, principal: Admin, workspace: WorkspaceDep
) -> AutoCloseRead:
    return await service.set_auto_close(session, workspace, None)
