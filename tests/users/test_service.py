"""User rules called directly: unique emails, no self-lockout, and a deactivation or a new
password ending the user's sessions."""

from __future__ import annotations

import uuid

import pytest

from ticketdesk.auth.principal import principal_from_token
from ticketdesk.errors import Conflict, NotFound, ValidationFailed
from ticketdesk.tickets import service as tickets
from ticketdesk.users import service as users
from ticketdesk.users.schemas import UserCreate, UserUpdate


async def admin_of(session, tenant):
    principal = await principal_from_token(session, tenant.tokens["admin"])
    assert principal is not None
    return principal


async def test_deactivating_a_user_ends_their_sessions_and_makes_them_unassignable(tenant, db):
    agent_id = uuid.UUID(tenant.users["agent"]["id"])
    workspace_id = uuid.UUID(tenant.workspace_id)
    async with db.unit_of_work() as session:
        assert (await tickets.check_assignee(session, workspace_id, agent_id)).id == agent_id
    async with db.unit_of_work() as session:
        admin = await admin_of(session, tenant)
        user = await users.update_user(session, admin, agent_id, UserUpdate(active=False))
        assert user.active is False
    async with db.unit_of_work() as session:
        assert await principal_from_token(session, tenant.tokens["agent"]) is None
        with pytest.raises(ValidationFailed) as raised:
            await tickets.check_assignee(session, workspace_id, agent_id)
        assert raised.value.errors[0]["loc"] == ["body", "assignee_id"]
        # still listed, as inactive
        admin = await admin_of(session, tenant)
        listed = {u.id: u.active for u in await users.list_users(session, admin)}
    assert listed[agent_id] is False
    # reactivated, they log in afresh: the sessions from before stay ended
    async with db.unit_of_work() as session:
        admin = await admin_of(session, tenant)
        await users.update_user(session, admin, agent_id, UserUpdate(active=True))
    async with db.unit_of_work() as session:
        assert await principal_from_token(session, tenant.tokens["agent"]) is None
        assert (await tickets.check_assignee(session, workspace_id, agent_id)).id == agent_id


async def test_a_new_password_ends_the_sessions_a_rename_does_not(tenant, db):
    viewer_id = uuid.UUID(tenant.users["viewer"]["id"])
    async with db.unit_of_work() as session:
        admin = await admin_of(session, tenant)
        await users.update_user(session, admin, viewer_id, UserUpdate(name="Vera V."))
    async with db.unit_of_work() as session:
        assert await principal_from_token(session, tenant.tokens["viewer"]) is not None
        admin = await admin_of(session, tenant)
        await users.update_user(session, admin, viewer_id, UserUpdate(password="new-password"))
    async with db.unit_of_work() as session:
        assert await principal_from_token(session, tenant.tokens["viewer"]) is None
        admin = await admin_of(session, tenant)
        assert (await users.get_user(session, admin, viewer_id)).name == "Vera V."


async def test_an_admin_cannot_demote_or_deactivate_themselves(tenant, db):
    async with db.unit_of_work() as session:
        admin = await admin_of(session, tenant)
        assert admin.user_id is not None
        for change in (UserUpdate(role="agent"), UserUpdate(active=False)):
            with pytest.raises(Conflict):
                await users.update_user(session, admin, admin.user_id, change)
        # renaming oneself is fine, and so is "changing" one's role to admin
        me = await users.update_user(
            session, admin, admin.user_id, UserUpdate(name="Alice A.", role="admin")
        )
        assert (me.name, me.role, me.active) == ("Alice A.", "admin", True)


async def test_emails_are_unique_within_a_workspace_only(tenant, other_tenant, db):
    taken = tenant.users["agent"]["email"]
    async with db.unit_of_work() as session:
        admin = await admin_of(session, tenant)
        with pytest.raises(Conflict):
            await users.create_user(
                session, admin, UserCreate(email=taken.upper(), name="Twin", role="agent")
            )
        other_admin = await admin_of(session, other_tenant)
        twin = await users.create_user(
            session, other_admin, UserCreate(email=taken, name="Twin", role="viewer")
        )
        assert (twin.email, twin.password_hash) == (taken, None)
        # and each workspace sees only its own
        with pytest.raises(NotFound):
            await users.get_user(session, admin, twin.id)
