"""Login rules called directly: which user a login picks, the failure limit, logout, /me."""

from __future__ import annotations

import uuid

import pytest

from ticketdesk.auth.principal import SCOPES, principal_from_token
from ticketdesk.errors import NotAuthenticated, RateLimited
from ticketdesk.sessions import service as auth
from ticketdesk.sessions.throttle import login_throttle
from ticketdesk.users import service as users


async def test_login_picks_the_workspace_whose_password_matches(tenant, other_tenant, db, settings):
    email = f"shared-{uuid.uuid4().hex[:8]}@example.test"
    async with db.unit_of_work() as session:
        for t, password in ((tenant, "tenant-password"), (other_tenant, "other-password")):
            await users.add_user(
                session,
                uuid.UUID(t.workspace_id),
                email=email,
                name="Shared",
                role="agent",
                password=password,
            )
    async with db.unit_of_work() as session:
        found = await auth.login(
            db,
            session,
            settings,
            login_throttle(db, settings),
            email=email.upper(),
            password="other-password",
            workspace_slug=None,
            client_ip=None,
        )
    assert found.workspace.slug == other_tenant.slug and found.user.email == email
    assert found.access_token.startswith("tds_")
    async with db.unit_of_work() as session:
        with pytest.raises(NotAuthenticated):
            await auth.login(
                db,
                session,
                settings,
                login_throttle(db, settings),
                email=email,
                password="tenant-password",
                workspace_slug=other_tenant.slug,
                client_ip="192.0.2.1",
            )


async def test_failures_slow_the_email_down_from_that_address_only(tenant, db, settings):
    email = tenant.users["viewer"]["email"]
    address = f"192.0.2.{uuid.uuid4().int % 250 + 1}"

    async def attempt(password, client_ip=address):
        async with db.unit_of_work() as session:
            return await auth.login(
                db,
                session,
                settings,
                login_throttle(db, settings),
                email=email,
                password=password,
                workspace_slug=None,
                client_ip=client_ip,
            )

    for _ in range(settings.login_max_failures - 1):
        with pytest.raises(NotAuthenticated):
            await attempt("wrong-password")
    # one short of the limit: the right password still works, and clears the count
    assert (await attempt("user-password")).user.email == email
    for _ in range(settings.login_max_failures):
        with pytest.raises(NotAuthenticated):
            await attempt("wrong-password")
    with pytest.raises(RateLimited) as held:
        await attempt("user-password")
    assert 1 <= int(held.value.headers["Retry-After"]) <= settings.login_slowdown_seconds
    # the same account from another address: no lockout
    assert (await attempt("user-password", client_ip="198.51.100.77")).user.email == email


async def test_logout_ends_the_session_of_that_token_only(tenant, db, settings):
    async with db.unit_of_work() as session:
        second = await auth.login(
            db,
            session,
            settings,
            login_throttle(db, settings),
            email=tenant.users["agent"]["email"],
            password="user-password",
            workspace_slug=tenant.slug,
            client_ip=None,
        )
    async with db.unit_of_work() as session:
        principal = await principal_from_token(session, second.access_token)
        assert principal is not None
        await auth.logout(session, principal)
    async with db.unit_of_work() as session:
        assert await principal_from_token(session, second.access_token) is None
        assert await principal_from_token(session, tenant.tokens["agent"]) is not None


async def test_me_describes_the_caller(tenant, db):
    async with db.unit_of_work() as session:
        principal = await principal_from_token(session, tenant.tokens["viewer"])
        assert principal is not None
        me = await auth.me(session, principal, email_sending=False)
    assert me.kind == "user" and me.api_token is None
    assert me.email_sending is False
    assert me.user is not None and me.user.name == "Vera Viewer"
    assert me.role == "viewer" and me.scopes == sorted(SCOPES)
    assert me.workspace.slug == tenant.slug
