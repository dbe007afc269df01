"""HTTP for business hours, SLA policies and clock explanations."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from ticketdesk.auth.principal import Admin, Reader, WorkspaceDep
from ticketdesk.deps import SessionDep
from ticketdesk.errors import problems
from ticketdesk.sla import service
from ticketdesk.sla.schemas import (
    BusinessHoursCreate,
    BusinessHoursRead,
    BusinessHoursUpdate,
    HolidayImport,
    SlaExplanation,
    SlaPolicyCreate,
    SlaPolicyRead,
    SlaPolicyUpdate,
)
from ticketdesk.tickets.deps import TicketDep

router = APIRouter(tags=["sla"])
_WRITE = problems(400, 401, 403, 404, 409, 413, 415, 422)
_LOOKUP = problems(401, 403, 404, 422)
_AUTH = problems(401, 403)


@router.post(
    "/business-hours", status_code=201, operation_id="business_hours:create", responses=_WRITE
)
async def create_business_hours(
    data: BusinessHoursCreate, session: SessionDep, principal: Admin
) -> BusinessHoursRead:
    """A weekly schedule in an IANA zone with holidays; SLA policies may count in it."""
    return await service.create_business_hours(session, principal.workspace_id, data)


@router.get("/business-hours", operation_id="business_hours:list", responses=_AUTH)
async def list_business_hours(session: SessionDep, principal: Reader) -> list[BusinessHoursRead]:
    return await service.list_business_hours(session, principal.workspace_id)


@router.get("/business-hours/{hours_id}", operation_id="business_hours:get", responses=_LOOKUP)
async def get_business_hours(
    hours_id: uuid.UUID, session: SessionDep, principal: Reader
) -> BusinessHoursRead:
    return await service.get_business_hours(session, principal.workspace_id, hours_id)


@router.patch("/business-hours/{hours_id}", operation_id="business_hours:update", responses=_WRITE)
async def update_business_hours(
    hours_id: uuid.UUID, data: BusinessHoursUpdate, session: SessionDep, principal: Admin
) -> BusinessHoursRead:
    """Change the schedule; the open tickets' due times follow, by a background job."""
    return await service.update_business_hours(session, principal.workspace_id, hours_id, data)


@router.delete(
    "/business-hours/{hours_id}",
    status_code=204,
    operation_id="business_hours:delete",
    responses=_LOOKUP,
)
async def delete_business_hours(
    hours_id: uuid.UUID, session: SessionDep, principal: Admin
) -> Response:
    """Policies counting in these hours fall back to calendar time."""
    await service.delete_business_hours(session, principal.workspace_id, hours_id)
    return Response(status_code=204)


@router.post(
    "/business-hours/{hours_id}/holidays/import",
    operation_id="business_hours:import_holidays",
    responses=_WRITE,
)
async def import_holidays(
    hours_id: uuid.UUID, data: HolidayImport, session: SessionDep, principal: Admin
) -> BusinessHoursRead:
    """Add a country's (and optionally a region's) public holidays for the given years."""
    return await service.import_holidays(session, principal.workspace_id, hours_id, data)


# -- policies --------------------------------------------------------------------------------


@router.post("/sla-policies", status_code=201, operation_id="sla_policies:create", responses=_WRITE)
async def create_policy(
    data: SlaPolicyCreate, session: SessionDep, principal: Admin
) -> SlaPolicyRead:
    """Targets per priority for the tickets it matches; the first match by position applies."""
    return await service.create_policy(session, principal.workspace_id, data)


@router.get("/sla-policies", operation_id="sla_policies:list", responses=_AUTH)
async def list_policies(session: SessionDep, principal: Reader) -> list[SlaPolicyRead]:
    """Every policy in the order they are tried."""
    return await service.list_policies(session, principal.workspace_id)


@router.get("/sla-policies/{policy_id}", operation_id="sla_policies:get", responses=_LOOKUP)
async def get_policy(policy_id: uuid.UUID, session: SessionDep, principal: Reader) -> SlaPolicyRead:
    return await service.get_policy(session, principal.workspace_id, policy_id)


@router.patch("/sla-policies/{policy_id}", operation_id="sla_policies:update", responses=_WRITE)
async def update_policy(
    policy_id: uuid.UUID, data: SlaPolicyUpdate, session: SessionDep, principal: Admin
) -> SlaPolicyRead:
    """Change a policy; the open tickets' due times follow, by a background job."""
    return await service.update_policy(session, principal.workspace_id, policy_id, data)


@router.delete(
    "/sla-policies/{policy_id}",
    status_code=204,
    operation_id="sla_policies:delete",
    responses=_LOOKUP,
)
async def delete_policy(policy_id: uuid.UUID, session: SessionDep, principal: Admin) -> Response:
    await service.delete_policy(session, principal.workspace_id, policy_id)
    return Response(status_code=204)


# -- tickets ---------------------------------------------------------------------------------


@router.get("/tickets/{ticket}/sla", operation_id="tickets:sla", responses=_LOOKUP)
async def explain_ticket_sla(
    found: TicketDep, session: SessionDep, principal: Reader, workspace: WorkspaceDep
) -> SlaExplanation:
    """Why each due time is what it is: the matching policy and every clock's segments."""
    return await service.explain(session, workspace, found)
