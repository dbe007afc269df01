"""Logging in and out, session and API tokens, roles and scopes, GET /me."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from ticketdesk.auth.tokens import hash_token
from ticketdesk.models import ApiToken, AuthSession


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


async def test_api_tokens_are_shown_once_stored_hashed_and_scoped(tenant, client, db):
    created = await tenant.post(
        "/api-tokens", json={"name": "reporting", "scopes": ["tickets:read"]}
    )
    assert created.status_code == 201
    token = created.json()["token"]
    assert token.startswith("td_") and len(token) > 30
    listed = (await tenant.get("/api-tokens")).json()
    assert listed[0]["name"] == "reporting" and "token" not in listed[0]
    assert listed[0]["token_prefix"] == token[:10]
    async with db.unit_of_work() as session:
        stored = await session.scalar(
            select(ApiToken).where(ApiToken.id == uuid.UUID(created.json()["id"]))
        )
        assert stored.token_hash == hash_token(token) and token not in stored.token_hash
    headers = {"Authorization": f"Bearer {token}"}
    assert (await client.get("/tickets", headers=headers)).status_code == 200
    denied = await client.post("/tickets", json={"subject": "x"}, headers=headers)
    assert denied.status_code == 403
    assert "tickets:write" in denied.json()["detail"] or "agent" in denied.json()["detail"]
    me = (await client.get("/me", headers=headers)).json()
    assert me["kind"] == "api_token" and me["role"] == "viewer"
    assert me["api_token"]["last_used_at"] is not None


async def test_api_token_expiry_and_revocation(tenant, client, db):
    soon = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    created = (
        await tenant.post(
            "/api-tokens", json={"name": "t", "scopes": ["tickets:write"], "expires_at": soon}
        )
    ).json()
    headers = {"Authorization": f"Bearer {created['token']}"}
    assert (
        await client.post("/tickets", json={"subject": "x"}, headers=headers)
    ).status_code == 201
    past = await tenant.post(
        "/api-tokens",
        json={"name": "t", "scopes": ["tickets:read"], "expires_at": "2000-01-01T00:00:00Z"},
    )
    assert past.status_code == 422
    async with db.unit_of_work() as session:
        await session.execute(
            update(ApiToken)
            .where(ApiToken.id == uuid.UUID(created["id"]))
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    assert (await client.get("/tickets", headers=headers)).status_code == 401
    other = (await tenant.post("/api-tokens", json={"name": "u", "scopes": ["admin"]})).json()
    other_headers = {"Authorization": f"Bearer {other['token']}"}
    assert (await client.get("/users", headers=other_headers)).status_code == 200
    assert (await tenant.delete(f"/api-tokens/{other['id']}")).status_code == 204
    assert (await client.get("/users", headers=other_headers)).status_code == 401
    revoked = [t for t in (await tenant.get("/api-tokens")).json() if t["id"] == other["id"]][0]
    assert revoked["revoked_at"] is not None


async def test_users_and_teams_admin(tenant):
    duplicate = await tenant.post(
        "/users", json={"email": f"agent@{tenant.slug}.test", "name": "Again", "role": "agent"}
    )
    assert duplicate.status_code == 409
    me_id = tenant.users["admin"]["id"]
    assert (await tenant.patch(f"/users/{me_id}", json={"role": "agent"})).status_code == 409
    agent_id = tenant.users["agent"]["id"]
    promoted = await tenant.patch(f"/users/{agent_id}", json={"role": "admin"})
    assert promoted.json()["role"] == "admin"
    team = (
        await tenant.post("/teams", json={"name": "Tier 1", "member_ids": [agent_id, agent_id]})
    ).json()
    assert team["member_ids"] == [agent_id]
    assert (await tenant.post("/teams", json={"name": "Tier 1"})).status_code == 409
    renamed = await tenant.patch(
        f"/teams/{team['id']}", json={"name": "Tier One", "member_ids": []}
    )
    assert renamed.json() | {"created_at": None} == {
        "id": team["id"],
        "name": "Tier One",
        "member_ids": [],
        "created_at": None,
    }


async def test_workspace_settings(tenant):
    assert (await tenant.get("/workspace")).json()["ticket_prefix"] == "TKT"
    updated = await tenant.patch("/workspace", json={"timezone": "Europe/Berlin"})
    assert updated.json()["timezone"] == "Europe/Berlin"
    assert (await tenant.patch("/workspace", json={"timezone": "Mars/Olympus"})).status_code == 422
