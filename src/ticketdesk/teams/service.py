"""The rules of teams: unique names in a workspace, members who are its users."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk.auth.principal import Principal
from ticketdesk.crud import ensure_found
from ticketdesk.db import new_id, utcnow
from ticketdesk.errors import Conflict, ValidationFailed
from ticketdesk.models import Team
from ticketdesk.teams import repository
from ticketdesk.teams.schemas import TeamCreate, TeamRead, TeamUpdate
from ticketdesk.users import service as users


async def team_reads(session: AsyncSession, teams: Sequence[Team]) -> list[TeamRead]:
    """Teams as the API shows them, their members read in one query."""
    members = await repository.members(session, [t.id for t in teams])
    return [
        TeamRead(
            id=team.id,
            name=team.name,
            member_ids=members.get(team.id, []),
            created_at=team.created_at,
        )
        for team in teams
    ]


async def team_read(session: AsyncSession, team: Team) -> TeamRead:
    return (await team_reads(session, [team]))[0]


async def _check_members(
    session: AsyncSession, principal: Principal, member_ids: list[uuid.UUID]
) -> list[uuid.UUID]:
    """`member_ids` once each, in order; a 422 on the first one not in the workspace."""
    unique = list(dict.fromkeys(member_ids))
    if not unique:
        return []
    found = await users.existing_user_ids(session, principal.workspace_id, unique)
    missing = [str(m) for m in unique if m not in found]
    if missing:
        raise ValidationFailed(f"Unknown user {missing[0]}.", loc=("body", "member_ids"))
    return unique


async def list_teams(session: AsyncSession, principal: Principal) -> Sequence[Team]:
    return await repository.list_teams(session, principal.workspace_id)


async def get_team(session: AsyncSession, principal: Principal, team_id: uuid.UUID) -> Team:
    team = await repository.get_team(session, principal.workspace_id, team_id)
    return ensure_found(team, "No such team in this workspace.")


async def create_team(session: AsyncSession, principal: Principal, data: TeamCreate) -> Team:
    if await repository.name_taken(session, principal.workspace_id, data.name):
        raise Conflict("A team with this name exists already.")
    members = await _check_members(session, principal, data.member_ids)
    team = Team(
        id=new_id(), workspace_id=principal.workspace_id, name=data.name, created_at=utcnow()
    )
    repository.add_team(session, team)
    await session.flush()
    repository.add_members(session, team.id, members)
    await session.flush()
    return team


async def update_team(
    session: AsyncSession, principal: Principal, team_id: uuid.UUID, data: TeamUpdate
) -> Team:
    """Rename the team and/or replace its members (the list given is the new membership)."""
    team = await get_team(session, principal, team_id)
    if data.name and data.name != team.name:
        if await repository.name_taken(session, principal.workspace_id, data.name):
            raise Conflict("A team with this name exists already.")
        team.name = data.name
    if data.member_ids is not None:
        members = await _check_members(session, principal, data.member_ids)
        await repository.remove_members(session, team.id)
        repository.add_members(session, team.id, members)
    await session.flush()
    return team
