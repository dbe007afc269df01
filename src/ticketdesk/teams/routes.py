"""HTTP for a workspace's teams."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from ticketdesk.auth.principal import Admin, Reader
from ticketdesk.deps import SessionDep
from ticketdesk.errors import problems
from ticketdesk.teams import service
from ticketdesk.teams.schemas import TeamCreate, TeamRead, TeamUpdate

router = APIRouter(tags=["teams"])

_WRITE = problems(400, 401, 403, 409, 413, 415, 422)


@router.post("/teams", status_code=201, operation_id="teams:create", responses=_WRITE)
async def create_team(data: TeamCreate, session: SessionDep, principal: Admin) -> TeamRead:
    team = await service.create_team(session, principal, data)
    return await service.team_read(session, team)


@router.get("/teams", operation_id="teams:list", responses=problems(401, 403))
async def list_teams(session: SessionDep, principal: Reader) -> list[TeamRead]:
    return await service.team_reads(session, await service.list_teams(session, principal))


@router.patch(
    "/teams/{team_id}", operation_id="teams:update", responses={**_WRITE, **problems(404)}
)
async def update_team(
    team_id: uuid.UUID, data: TeamUpdate, session: SessionDep, principal: Admin
) -> TeamRead:
    team = await service.update_team(session, principal, team_id, data)
    return await service.team_read(session, team)
