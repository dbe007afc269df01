"""HTTP for business hours, SLA policies, clock explanations and ticket import."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Annotated, Any

import holidays as holiday_calendars
from fastapi import APIRouter, Depends, Response
from fastapi.responses import JSONResponse
from sqlalchemy import select

from ticketdesk.auth.principal import Principal, admin, reader
from ticketdesk.automations.routes import router as automations_router
from ticketdesk.comments import service as comments
from ticketdesk.db import new_id, utcnow
from ticketdesk.deps import SessionDep
from ticketdesk.errors import Conflict, NotFound, ValidationFailed, problems
from ticketdesk.models import BusinessHours, SlaPolicy
from ticketdesk.sla import jobs as _jobs  # noqa: F401 - registers the crons
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
    TicketImport,
)
from ticketdesk.tickets import service as tickets
from ticketdesk.tickets.routes import ticket_response
from ticketdesk.tickets.schemas import TicketCreate, TicketRead

router = APIRouter(tags=["sla"])
__all__ = ["automations_router", "router"]
Admin = Annotated[Principal, Depends(admin)]
Reader = Annotated[Principal, Depends(reader)]
_WRITE = problems(400, 401, 403, 404, 409, 413, 415, 422)
_READ = problems(401, 403, 404, 422)


def _hours_values(data: BusinessHoursCreate | BusinessHoursUpdate) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in ("name", "timezone"):
        if getattr(data, name) is not None:
            values[name] = getattr(data, name)
    if data.weekly is not None:
        values["weekly"] = {day: [list(iv) for iv in ivs] for day, ivs in data.weekly.items()}
    if data.holidays is not None:
        values["holidays"] = sorted({d.isoformat() for d in data.holidays})
    return values


async def _hours(session: SessionDep, principal: Principal, hours_id: uuid.UUID) -> BusinessHours:
    found = await session.scalar(
        select(BusinessHours).where(
            BusinessHours.id == hours_id, BusinessHours.workspace_id == principal.workspace_id
        )
    )
    if found is None:
        raise NotFound("No such business hours in this workspace.")
    return found


async def _unique_name(
    session: SessionDep, principal: Principal, name: str, exclude: uuid.UUID | None = None
) -> None:
    stmt = select(BusinessHours.id).where(
        BusinessHours.workspace_id == principal.workspace_id, BusinessHours.name == name
    )
    existing = await session.scalar(stmt)
    if existing is not None and existing != exclude:
        raise Conflict(f"Business hours named {name!r} exist already.")


@router.post(
    "/business-hours",
    status_code=201,
    response_model=BusinessHoursRead,
    operation_id="business_hours:create",
    responses=_WRITE,
)
async def create_business_hours(
    data: BusinessHoursCreate, session: SessionDep, principal: Admin
) -> BusinessHours:
    """A weekly schedule in an IANA zone with holidays; SLA policies may count in it."""
    await _unique_name(session, principal, data.name)
    now = utcnow()
    hours = BusinessHours(
        id=new_id(),
        workspace_id=principal.workspace_id,
        created_at=now,
        updated_at=now,
        **_hours_values(data),
    )
    session.add(hours)
    await session.flush()
    return hours


@router.get(
    "/business-hours",
    response_model=list[BusinessHoursRead],
    operation_id="business_hours:list",
    responses=problems(401, 403),
)
async def list_business_hours(session: SessionDep, principal: Reader) -> list[BusinessHours]:
    stmt = select(BusinessHours).where(BusinessHours.workspace_id == principal.workspace_id)
    return list(await session.scalars(stmt.order_by(BusinessHours.name)))


@router.get(
    "/business-hours/{hours_id}",
    response_model=BusinessHoursRead,
    operation_id="business_hours:get",
    responses=_READ,
)
async def get_business_hours(
    hours_id: uuid.UUID, session: SessionDep, principal: Reader
) -> BusinessHours:
    return await _hours(session, principal, hours_id)


@router.patch(
    "/business-hours/{hours_id}",
    response_model=BusinessHoursRead,
    operation_id="business_hours:update",
    responses=_WRITE,
)
async def update_business_hours(
    hours_id: uuid.UUID, data: BusinessHoursUpdate, session: SessionDep, principal: Admin
) -> BusinessHours:
    """Change the schedule; tickets pick up new due times at their next change."""
    hours = await _hours(session, principal, hours_id)
    values = _hours_values(data)
    if "name" in values:
        await _unique_name(session, principal, values["name"], exclude=hours.id)
    for name, value in values.items():
        setattr(hours, name, value)
    hours.updated_at = utcnow()
    await session.flush()
    return hours


@router.delete(
    "/business-hours/{hours_id}",
    status_code=204,
    operation_id="business_hours:delete",
    responses=problems(401, 403, 404, 422),
)
async def delete_business_hours(
    hours_id: uuid.UUID, session: SessionDep, principal: Admin
) -> Response:
    """Policies counting in these hours fall back to calendar time."""
    await session.delete(await _hours(session, principal, hours_id))
    await session.flush()
    return Response(status_code=204)


@router.post(
    "/business-hours/{hours_id}/holidays/import",
    response_model=BusinessHoursRead,
    operation_id="business_hours:import_holidays",
    responses=_WRITE,
)
async def import_holidays(
    hours_id: uuid.UUID, data: HolidayImport, session: SessionDep, principal: Admin
) -> BusinessHours:
    """Add a country's (and optionally a region's) public holidays for the given years."""
    hours = await _hours(session, principal, hours_id)
    try:
        found = holiday_calendars.country_holidays(
            data.country, subdiv=data.subdivision, years=data.years
        )
    except (NotImplementedError, KeyError, ValueError) as exc:
        raise ValidationFailed(
            f"No holiday calendar for {data.country!r}"
            + (f" / {data.subdivision!r}" if data.subdivision else ""),
            loc=("body", "country"),
        ) from exc
    days: set[str] = set(hours.holidays or [])
    days.update(d.isoformat() for d in found if isinstance(d, date))
    hours.holidays = sorted(days)
    hours.updated_at = utcnow()
    await session.flush()
    return hours


# -- policies --------------------------------------------------------------------------------


async def _policy(session: SessionDep, principal: Principal, policy_id: uuid.UUID) -> SlaPolicy:
    found = await session.scalar(
        select(SlaPolicy).where(
            SlaPolicy.id == policy_id, SlaPolicy.workspace_id == principal.workspace_id
        )
    )
    if found is None:
        raise NotFound("No such SLA policy in this workspace.")
    return found


def _policy_values(data: SlaPolicyCreate | SlaPolicyUpdate) -> dict[str, Any]:
    fields = data.model_fields_set
    values: dict[str, Any] = {}
    for name in ("name", "position", "active", "business_hours_id"):
        if name in fields and (getattr(data, name) is not None or name == "business_hours_id"):
            values[name] = getattr(data, name)
    if data.match is not None and "match" in fields:
        values["match"] = data.match.model_dump(exclude_none=True)
    if data.targets is not None:
        values["targets"] = {
            priority: target.model_dump(exclude_none=True)
            for priority, target in data.targets.items()
        }
    if data.escalation is not None and "escalation" in fields:
        values["escalation"] = [step.model_dump() for step in data.escalation]
    return values


@router.post(
    "/sla-policies",
    status_code=201,
    response_model=SlaPolicyRead,
    operation_id="sla_policies:create",
    responses=_WRITE,
)
async def create_policy(data: SlaPolicyCreate, session: SessionDep, principal: Admin) -> SlaPolicy:
    """Targets per priority for the tickets it matches; the first match by position applies."""
    values = _policy_values(data)
    if data.business_hours_id is not None:
        await _hours(session, principal, data.business_hours_id)
    if "position" not in values:
        last = await session.scalar(
            select(SlaPolicy.position)
            .where(SlaPolicy.workspace_id == principal.workspace_id)
            .order_by(SlaPolicy.position.desc())
            .limit(1)
        )
        values["position"] = 0 if last is None else last + 1
    now = utcnow()
    policy = SlaPolicy(
        id=new_id(),
        workspace_id=principal.workspace_id,
        created_at=now,
        updated_at=now,
        **{"match": {}, "escalation": [], **values},
    )
    session.add(policy)
    await session.flush()
    return policy


@router.get(
    "/sla-policies",
    response_model=list[SlaPolicyRead],
    operation_id="sla_policies:list",
    responses=problems(401, 403),
)
async def list_policies(session: SessionDep, principal: Reader) -> list[SlaPolicy]:
    """Every policy in the order they are tried."""
    stmt = select(SlaPolicy).where(SlaPolicy.workspace_id == principal.workspace_id)
    return list(
        await session.scalars(stmt.order_by(SlaPolicy.position, SlaPolicy.created_at, SlaPolicy.id))
    )


@router.get(
    "/sla-policies/{policy_id}",
    response_model=SlaPolicyRead,
    operation_id="sla_policies:get",
    responses=_READ,
)
async def get_policy(policy_id: uuid.UUID, session: SessionDep, principal: Reader) -> SlaPolicy:
    return await _policy(session, principal, policy_id)


@router.patch(
    "/sla-policies/{policy_id}",
    response_model=SlaPolicyRead,
    operation_id="sla_policies:update",
    responses=_WRITE,
)
async def update_policy(
    policy_id: uuid.UUID, data: SlaPolicyUpdate, session: SessionDep, principal: Admin
) -> SlaPolicy:
    """Change a policy; tickets pick up new due times at their next change."""
    policy = await _policy(session, principal, policy_id)
    values = _policy_values(data)
    if values.get("business_hours_id") is not None:
        await _hours(session, principal, values["business_hours_id"])
    for name, value in values.items():
        setattr(policy, name, value)
    policy.updated_at = utcnow()
    await session.flush()
    return policy


@router.delete(
    "/sla-policies/{policy_id}",
    status_code=204,
    operation_id="sla_policies:delete",
    responses=problems(401, 403, 404, 422),
)
async def delete_policy(policy_id: uuid.UUID, session: SessionDep, principal: Admin) -> Response:
    await session.delete(await _policy(session, principal, policy_id))
    await session.flush()
    return Response(status_code=204)


# -- tickets ---------------------------------------------------------------------------------


@router.get(
    "/tickets/{ticket}/sla",
    response_model=SlaExplanation,
    operation_id="tickets:sla",
    responses=_READ,
)
async def explain_ticket_sla(ticket: str, session: SessionDep, principal: Reader) -> dict[str, Any]:
    """Why each due time is what it is: the matching policy and every clock's segments."""
    workspace = await tickets.get_workspace(session, principal)
    found = await tickets.get_ticket(session, principal, workspace, ticket)
    return await service.explain(session, workspace, found)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@router.post(
    "/tickets/import",
    status_code=201,
    response_model=TicketRead,
    operation_id="tickets:import",
    responses=_WRITE,
)
async def import_ticket(data: TicketImport, session: SessionDep, principal: Admin) -> JSONResponse:
    """Move a ticket over from another help desk with its history; SLA clocks start at
    `created_at`. Comments by an email of a workspace user count as agent replies."""
    workspace = await tickets.get_workspace(session, principal)
    created_at = _aware(data.created_at)
    now = utcnow()
    if created_at > now:
        raise ValidationFailed("created_at lies in the future.", loc=("body", "created_at"))
    history = sorted(data.comments, key=lambda c: _aware(c.created_at))
    for index, comment in enumerate(data.comments):
        if not created_at <= _aware(comment.created_at) <= now:
            raise ValidationFailed(
                "A comment's created_at lies between the ticket's created_at and now.",
                loc=("body", "comments", index, "created_at"),
            )
    fields = data.model_dump(exclude={"created_at", "comments"}, exclude_unset=True)
    channel = data.channel or "api"
    ticket = await tickets.create_ticket(
        session,
        workspace,
        TicketCreate.model_validate(fields),
        actor=principal.actor(),
        channel=channel,
        created_at=created_at,
    )
    authors = await service.import_authors(
        session, workspace, [c.author_email for c in history if c.author_email]
    )
    requester_email = data.requester.email if data.requester else None
    for comment in history:
        actor = service.import_actor(authors, comment.author_email, requester_email)
        await comments.add_comment(
            session,
            workspace,
            ticket,
            body=comment.body,
            visibility=comment.visibility,
            actor=actor,
            created_at=_aware(comment.created_at),
        )
    await service.recompute(session, ticket)
    await session.flush()
    body = await tickets.ticket_read(session, workspace, ticket)
    return ticket_response(body, 201, Location=f"/api/v1/tickets/{body['key']}")
