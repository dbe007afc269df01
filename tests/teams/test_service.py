"""Team rules called directly: unique names, members who are users of the workspace, and the
members listing."""

from __future__ import annotations

import uuid

import pytest

from ticketdesk.auth.principal import principal_from_token
from ticketdesk.errors import Conflict, NotFound, ValidationFailed
from ticketdesk.teams import service as teams
from ticketdesk.teams.schemas import TeamCreate, TeamUpdate


async def admin_of(session, tenant):
    principal = await principal_from_token(session, tenant.tokens["admin"])
    assert principal is not None
    return principal


async def test_a_teams_members_are_listed_once_each(tenant, db):
    agent = uuid.UUID(tenant.users["agent"]["id"])
    viewer = uuid.UUID(tenant.users["viewer"]["id"])
    async with db.unit_of_work() as session:
        admin = await admin_of(session, tenant)
        first = await teams.create_team(
            session, admin, TeamCreate(name="Tier 1", member_ids=[agent, viewer, agent])
        )
        await teams.create_team(session, admin, TeamCreate(name="Empty"))
    async with db.unit_of_work() as session:
        admin = await admin_of(session, tenant)
        reads = await teams.team_reads(session, await teams.list_teams(session, admin))
    assert [t.name for t in reads] == ["Empty", "Tier 1"]
    assert reads[0].member_ids == []
    assert reads[1].id == first.id and sorted(reads[1].member_ids) == sorted([agent, viewer])


async def test_members_must_be_users_of_the_workspace(tenant, other_tenant, db):
    foreign = uuid.UUID(other_tenant.users["agent"]["id"])
    async with db.unit_of_work() as session:
        admin = await admin_of(session, tenant)
        with pytest.raises(ValidationFailed) as raised:
            await teams.create_team(session, admin, TeamCreate(name="Mixed", member_ids=[foreign]))
        assert raised.value.errors[0]["loc"] == ["body", "member_ids"]
        assert str(foreign) in raised.value.detail
        assert list(await teams.list_teams(session, admin)) == []


async def test_an_update_replaces_members_only_when_given_and_keeps_names_unique(tenant, db):
    agent = uuid.UUID(tenant.users["agent"]["id"])
    viewer = uuid.UUID(tenant.users["viewer"]["id"])
    async with db.unit_of_work() as session:
        admin = await admin_of(session, tenant)
        billing = await teams.create_team(
            session, admin, TeamCreate(name="Billing", member_ids=[agent])
        )
        await teams.create_team(session, admin, TeamCreate(name="Support"))
    async with db.unit_of_work() as session:
        admin = await admin_of(session, tenant)
        with pytest.raises(Conflict):
            await teams.update_team(session, admin, billing.id, TeamUpdate(name="Support"))
    async with db.unit_of_work() as session:
        admin = await admin_of(session, tenant)
        renamed = await teams.update_team(session, admin, billing.id, TeamUpdate(name="Money"))
        assert (await teams.team_read(session, renamed)).member_ids == [agent]
        moved = await teams.update_team(session, admin, billing.id, TeamUpdate(member_ids=[viewer]))
        assert (await teams.team_read(session, moved)).member_ids == [viewer]
        assert moved.name == "Money"


async def test_a_team_of_another_workspace_is_not_found(tenant, other_tenant, db):
    async with db.unit_of_work() as session:
        theirs = await teams.create_team(
            session, await admin_of(session, other_tenant), TeamCreate(name="Theirs")
        )
        with pytest.raises(NotFound):
            await teams.update_team(
                session, await admin_of(session, tenant), theirs.id, TeamUpdate(name="Mine")
            )
