"""API tokens over HTTP: shown once, stored hashed, scoped, expiring, revocable."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from ticketdesk.auth.tokens import hash_token
from ticketdesk.models import ApiToken


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
