"""Workspace rules called directly: what a new workspace starts with, and its slug."""

from __future__ import annotations

import uuid

import pytest

from ticketdesk.auth.passwords import verify_password
from ticketdesk.auth.principal import SCOPES, Principal, principal_from_token
from ticketdesk.errors import Conflict, ValidationFailed
from ticketdesk.statuses import service as statuses
from ticketdesk.workspaces import service as workspaces
from ticketdesk.workspaces.schemas import WorkspaceUpdate


async def test_a_new_workspace_has_its_admin_and_the_default_statuses(db):
    slug = f"new-{uuid.uuid4().hex[:8]}"
    async with db.unit_of_work() as session:
        created = await workspaces.create_workspace(
            session,
            name="  New Co  ",
            slug=slug,
            admin_email=f"Grace.Hopper@{slug.upper()}.test",
            admin_password="long-enough",
        )
    admin = created.admin
    assert (created.workspace.name, created.workspace.ticket_prefix) == ("New Co", "TKT")
    assert (admin.email, admin.name, admin.role, admin.active) == (
        f"grace.hopper@{slug}.test",
        "Grace Hopper",
        "admin",
        True,
    )
    assert verify_password(admin.password_hash, "long-enough")
    assert workspaces.workspace_summary(created.workspace) == {
        "id": str(created.workspace.id),
        "slug": slug,
        "name": "New Co",
        "ticket_prefix": "TKT",
    }
    assert workspaces.user_summary(admin) == {"id": str(admin.id), "email": admin.email}
    async with db.unit_of_work() as session:
        principal = await _principal(session, admin.id, created.workspace.id)
        names = [s.name for s in await statuses.list_statuses(session, principal)]
    assert names == ["open", "in_progress", "waiting", "resolved", "closed"]


async def _principal(session, user_id, workspace_id):
    return Principal(
        workspace_id=workspace_id,
        kind="user",
        id=user_id,
        name="Admin",
        role="admin",
        scopes=frozenset(SCOPES),
    )


async def test_a_slug_must_be_well_formed_and_free(tenant, db):
    async with db.unit_of_work() as session:
        with pytest.raises(Conflict):
            await workspaces.create_workspace(
                session,
                name="Again",
                slug=tenant.slug,
                admin_email="a@b.test",
                admin_password="x" * 8,
            )
        with pytest.raises(ValidationFailed):
            await workspaces.create_workspace(
                session,
                name="Bad",
                slug="Not A Slug",
                admin_email="a@b.test",
                admin_password="x" * 8,
            )
        with pytest.raises(ValidationFailed):
            await workspaces.create_workspace(
                session, name="Short", admin_email="a@b.test", admin_password="short"
            )


async def test_settings_change_name_and_time_zone_only_when_given(tenant, db):
    async with db.unit_of_work() as session:
        admin = await principal_from_token(session, tenant.tokens["admin"])
        assert admin is not None
        renamed = await workspaces.update_workspace(
            session, admin, WorkspaceUpdate(name="Acme Ltd")
        )
        assert (renamed.name, renamed.timezone) == ("Acme Ltd", "UTC")
        moved = await workspaces.update_workspace(
            session, admin, WorkspaceUpdate(timezone="Asia/Tokyo")
        )
        assert (moved.name, moved.timezone) == ("Acme Ltd", "Asia/Tokyo")
