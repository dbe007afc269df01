"""Idempotency-Key: a retry replays the first response and creates nothing new."""

from __future__ import annotations

import asyncio


async def test_retry_with_same_key_replays_the_first_response(tenant):
    headers = {"Idempotency-Key": "order-78932-ticket"}
    first = await tenant.post("/tickets", json={"subject": "Once"}, headers=headers)
    second = await tenant.post("/tickets", json={"subject": "Once"}, headers=headers)
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second.headers["location"] == first.headers["location"]
    assert second.headers["idempotent-replayed"] == "true"
    assert (await tenant.get("/tickets/stats")).json()["total"] == 1


async def test_same_key_with_another_body_is_422_and_creates_nothing(tenant):
    headers = {"Idempotency-Key": "k1"}
    await tenant.post("/tickets", json={"subject": "A"}, headers=headers)
    other = await tenant.post("/tickets", json={"subject": "B"}, headers=headers)
    assert other.status_code == 422
    assert other.headers["content-type"] == "application/problem+json"
    assert (await tenant.get("/tickets/stats")).json()["total"] == 1


async def test_keys_are_scoped_to_the_caller(tenant):
    headers = {"Idempotency-Key": "shared-key"}
    mine = await tenant.post("/tickets", json={"subject": "A"}, headers=headers)
    theirs = await tenant.post("/tickets", json={"subject": "A"}, headers=headers, role="agent")
    assert mine.status_code == theirs.status_code == 201
    assert mine.json()["id"] != theirs.json()["id"]


async def test_concurrent_retries_create_exactly_one(tenant):
    headers = {"Idempotency-Key": "burst"}
    responses = await asyncio.gather(
        *(tenant.post("/tickets", json={"subject": "Burst"}, headers=headers) for _ in range(6))
    )
    codes = [r.status_code for r in responses]
    assert set(codes) <= {201, 409}
    assert 201 in codes
    created_ids = {r.json()["id"] for r in responses if r.status_code == 201}
    assert len(created_ids) == 1
    assert (await tenant.get("/tickets/stats")).json()["total"] == 1
    for r in responses:
        if r.status_code == 409:
            assert r.headers["retry-after"] == "1"


async def test_failed_requests_are_not_remembered(tenant):
    headers = {"Idempotency-Key": "fix-and-retry"}
    bad = await tenant.post("/tickets", json={"subject": ""}, headers=headers)
    assert bad.status_code == 422
    # 4xx answers are final answers, replayed like any other
    again = await tenant.post("/tickets", json={"subject": ""}, headers=headers)
    assert again.status_code == 422
    assert again.headers.get("idempotent-replayed") == "true"


async def test_invalid_key_is_rejected(tenant):
    response = await tenant.post(
        "/tickets", json={"subject": "x"}, headers={"Idempotency-Key": "x" * 300}
    )
    assert response.status_code == 422
    assert (await tenant.get("/tickets/stats")).json()["total"] == 0


async def test_credentials_are_never_kept_for_replay(tenant, db):
    """A key on login or token creation is ignored: no token is stored at rest for a replay."""
    from sqlalchemy import func, select

    from ticketdesk.models import IdempotencyRecord

    headers = {"Idempotency-Key": "login-once"}
    login = {"email": f"admin@{tenant.slug}.test", "password": "admin-password"}
    login["workspace"] = tenant.slug
    first = await tenant.client.post("/auth/login", json=login, headers=headers)
    second = await tenant.client.post("/auth/login", json=login, headers=headers)
    assert first.status_code == second.status_code == 200
    assert first.json()["access_token"] != second.json()["access_token"]
    assert "idempotent-replayed" not in second.headers
    token = {"name": "ci", "scopes": ["tickets:read"]}
    made = [await tenant.post("/api-tokens", json=token, headers=headers) for _ in range(2)]
    assert [m.status_code for m in made] == [201, 201]
    assert made[0].json()["token"] != made[1].json()["token"]
    async with db.unit_of_work() as session:
        kept = select(func.count()).where(IdempotencyRecord.key == "login-once")
        assert await session.scalar(kept) == 0
