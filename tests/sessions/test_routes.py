"""Logging in and out, sessions, failed logins, GET /me, missing or malformed tokens."""

from __future__ import annotations

import asyncio
import time
import uuid
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import update

from ticketdesk.auth.tokens import hash_token
from ticketdesk.models import AuthSession


async def login(client, email, password, workspace=None):
    body = {"email": email, "password": password}
    if workspace:
        body["workspace"] = workspace
    return await client.post("/auth/login", json=body)


async def test_login_returns_an_opaque_token_and_the_user(tenant, client):
    email = f"agent@{tenant.slug}.test"
    response = await login(client, email.upper(), "user-password")
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["user"]["email"] == email and body["user"]["role"] == "agent"
    assert body["workspace"]["slug"] == tenant.slug
    me = await client.get("/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    assert me.json()["kind"] == "user" and me.json()["user"]["id"] == body["user"]["id"]


async def test_me_tells_agents_whether_email_is_sent(tenant, app, settings):
    """Agents may not read the email settings, yet the composer must know whether a reply is
    emailed: /me says so."""
    assert (await tenant.get("/me", role="agent")).json()["email_sending"] is False
    settings.smtp_url = "smtp://127.0.0.1:2525"
    try:
        assert (await tenant.get("/me", role="agent")).json()["email_sending"] is True
    finally:
        settings.smtp_url = None


async def test_wrong_password_and_unknown_email_look_the_same(tenant, client):
    wrong = await login(client, f"agent@{tenant.slug}.test", "nope-nope")
    unknown = await login(client, f"ghost@{tenant.slug}.test", "nope-nope")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["detail"] == unknown.json()["detail"] == "Wrong email or password."


@asynccontextmanager
async def client_at(app, address):
    """A client calling from `address` (each test its own, so no count carries over)."""
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver/api/v1") as c:
        yield c


def new_address():
    return f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250 + 1}"


async def test_failed_logins_slow_down_the_email_from_that_address_only(tenant, app, settings):
    email = f"viewer@{tenant.slug}.test"
    async with client_at(app, new_address()) as attacker, client_at(app, new_address()) as owner:
        for _ in range(settings.login_max_failures):
            assert (await login(attacker, email, "bad-password")).status_code == 401
        blocked = await login(attacker, email, "user-password")
        assert blocked.status_code == 429
        assert blocked.headers["content-type"] == "application/problem+json"
        assert 0 < int(blocked.headers["retry-after"]) <= settings.login_slowdown_seconds
        # another account from that address is not affected, nor the owner elsewhere
        assert (await login(attacker, f"agent@{tenant.slug}.test", "user-password")).is_success
        assert (await login(owner, email, "user-password")).status_code == 200


async def test_concurrent_wrong_logins_reach_the_password_check_at_most_the_limit(
    tenant, app, settings
):
    email = tenant.users["agent"]["email"]
    async with client_at(app, new_address()) as attacker, client_at(app, new_address()) as owner:
        responses = await asyncio.gather(
            *(login(attacker, email, "wrong-password") for _ in range(30))
        )
        codes = [r.status_code for r in responses]
        assert set(codes) == {401, 429}
        assert codes.count(401) <= settings.login_max_failures
        for refused in (r for r in responses if r.status_code == 429):
            assert refused.headers["content-type"] == "application/problem+json"
            assert refused.json()["status"] == 429
            assert 1 <= int(refused.headers["retry-after"]) <= settings.login_slowdown_seconds
        assert (await login(owner, email, "user-password")).status_code == 200


async def test_an_address_spraying_many_emails_is_refused_for_a_window(tenant, app, settings):
    ceiling = settings.login_ip_max_failures
    async with client_at(app, new_address()) as sprayer, client_at(app, new_address()) as owner:
        responses = await asyncio.gather(
            *(
                login(sprayer, f"user{i}@{tenant.slug}.test", "Winter2026!")
                for i in range(ceiling + 5)
            )
        )
        codes = [r.status_code for r in responses]
        assert codes.count(401) == ceiling and codes.count(429) == 5
        refused = await login(sprayer, f"agent@{tenant.slug}.test", "user-password")
        assert refused.status_code == 429
        assert "network" in refused.json()["detail"]
        window = settings.login_failure_window_minutes * 60
        assert window - 60 < int(refused.headers["retry-after"]) <= window
        assert (await login(owner, f"agent@{tenant.slug}.test", "user-password")).is_success


async def test_wrong_password_answers_401_promptly(tenant):
    email = tenant.users["agent"]["email"]
    started = time.monotonic()
    response = await tenant.client.post(
        "/auth/login",
        json={"email": email, "password": "not-the-password", "workspace": tenant.slug},
    )
    assert response.status_code == 401, response.text
    assert response.json()["detail"] == "Wrong email or password."
    # On SQLite the failure record once waited on the request's own write lock (30 s, then 500).
    # Well below those 30 s, and far above what a loaded machine takes for one login.
    assert time.monotonic() - started < 20
    ok = await tenant.client.post(
        "/auth/login", json={"email": email, "password": "user-password", "workspace": tenant.slug}
    )
    assert ok.status_code == 200


async def test_logout_revokes_only_that_session(tenant, client):
    email = f"agent@{tenant.slug}.test"
    first = (await login(client, email, "user-password")).json()["access_token"]
    second = (await login(client, email, "user-password")).json()["access_token"]
    out = await client.post("/auth/logout", headers={"Authorization": f"Bearer {first}"})
    assert out.status_code == 204
    assert (
        await client.get("/me", headers={"Authorization": f"Bearer {first}"})
    ).status_code == 401
    assert (
        await client.get("/me", headers={"Authorization": f"Bearer {second}"})
    ).status_code == 200


async def test_expired_sessions_and_deactivated_users_are_rejected(tenant, client, db):
    token = (await login(client, f"agent@{tenant.slug}.test", "user-password")).json()[
        "access_token"
    ]
    async with db.unit_of_work() as session:
        await session.execute(
            update(AuthSession)
            .where(AuthSession.token_hash == hash_token(token))
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    assert (
        await client.get("/me", headers={"Authorization": f"Bearer {token}"})
    ).status_code == 401
    viewer_id = tenant.users["viewer"]["id"]
    response = await tenant.patch(f"/users/{viewer_id}", json={"active": False})
    assert response.status_code == 200
    assert (await tenant.get("/me", role="viewer")).status_code == 401
    assert (await login(client, f"viewer@{tenant.slug}.test", "user-password")).status_code == 401


async def test_missing_or_malformed_auth_is_401(client):
    for headers in (
        {},
        {"Authorization": "Basic abc"},
        {"Authorization": "Bearer "},
        {"Authorization": "Bearer td_unknown"},
        {"Authorization": "Bearer tds_unknown"},
    ):
        response = await client.get("/tickets", headers=headers)
        assert response.status_code == 401, headers
        assert response.headers["www-authenticate"] == "Bearer"
        assert response.headers["content-type"] == "application/problem+json"
