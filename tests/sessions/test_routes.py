"""Logging in and out, sessions, failed logins, GET /me, missing or malformed tokens."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

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


async def test_wrong_password_and_unknown_email_look_the_same(tenant, client):
    wrong = await login(client, f"agent@{tenant.slug}.test", "nope-nope")
    unknown = await login(client, f"ghost@{tenant.slug}.test", "nope-nope")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["detail"] == unknown.json()["detail"] == "Wrong email or password."


async def test_failed_logins_are_rate_limited_per_email(tenant, client, settings):
    email = f"viewer@{tenant.slug}.test"
    for _ in range(settings.login_max_failures):
        assert (await login(client, email, "bad-password")).status_code == 401
    blocked = await login(client, email, "user-password")
    assert blocked.status_code == 429
    assert int(blocked.headers["retry-after"]) > 0
    # another account is not affected
    assert (await login(client, f"agent@{tenant.slug}.test", "user-password")).status_code == 200


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
    assert time.monotonic() - started < 5
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
