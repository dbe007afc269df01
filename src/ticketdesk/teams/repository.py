"""Team queries, each scoped to one workspace by _in_workspace() (members go by team id)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from typing import TypeVarTuple

from sqlalchemy import Select, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk.models import Team, TeamMember

Ts = TypeVarTuple("Ts")


def _in_workspace(stmt: Select[*Ts], workspace_id: uuid.UUID) -> Select[*Ts]:
    """The tenant scope: every team query goes through here."""
    return stmt.where(Team.workspace_id == workspace_id)


async def list_teams(session: AsyncSession, workspace_id: uuid.UUID) -> Sequence[Team]:
    return (
        await session.scalars(_in_workspace(select(Team), workspace_id).order_by(Team.name))
    ).all()


async def get_team(
    session: AsyncSession, workspace_id: uuid.UUID, team_id: uuid.UUID
) -> Team | None:
    return await session.scalar(_in_workspace(select(Team), workspace_id).where(Team.id == team_id))


async def name_taken(session: AsyncSession, workspace_id: uuid.UUID, name: str) -> bool:
    stmt = _in_workspace(select(Team.id), workspace_id).where(Team.name == name)
    return bool(await session.scalar(stmt))


def add_team(session: AsyncSession, team: Team) -> None:
    session.add(team)


async def members(
    session: AsyncSession, team_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[uuid.UUID]]:
    """The member ids of each team (teams already known to be the caller's)."""
    found: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    if team_ids:
        rows = await session.execute(
            select(TeamMember.team_id, TeamMember.user_id).where(TeamMember.team_id.in_(team_ids))
        )
        for team_id, user_id in rows:
            found[team_id].append(user_id)
    return found


def add_members(session: AsyncSession, team_id: uuid.UUID, user_ids: Sequence[uuid.UUID]) -> None:
    for user_id in user_ids:
        session.add(TeamMember(team_id=team_id, user_id=user_id))


async def remove_members(session: AsyncSession, team_id: uuid.UUID) -> None:
    await session.execute(delete(TeamMember).where(TeamMember.team_id == team_id))
