"""Concurrent writers: numbers never repeat, and If-Match lets exactly one stale writer win."""

from __future__ import annotations

import asyncio


async def test_concurrent_creates_get_unique_consecutive_numbers(tenant):
    results = await asyncio.gather(
        *(tenant.post("/tickets", json={"subject": f"parallel {i}"}) for i in range(40))
    )
    assert all(r.status_code == 201 for r in results), [
        r.text for r in results if r.status_code != 201
    ]
    numbers = sorted(r.json()["number"] for r in results)
    assert numbers == list(range(1, 41))


async def test_two_writers_with_the_same_version_one_gets_412(tenant):
    created = await tenant.create_ticket()
    etag = f'"{created["version"]}"'
    first, second = await asyncio.gather(
        tenant.patch("/tickets/TKT-1", json={"priority": "high"}, headers={"If-Match": etag}),
        tenant.patch(
            "/tickets/TKT-1", json={"priority": "low"}, headers={"If-Match": etag}, role="agent"
        ),
    )
    statuses = sorted([first.status_code, second.status_code])
    assert statuses == [200, 412]
    winner = first if first.status_code == 200 else second
    loser = second if winner is first else first
    assert loser.headers["content-type"] == "application/problem+json"
    assert "changed since you read it" in loser.json()["detail"]
    ticket = (await tenant.get("/tickets/TKT-1")).json()
    assert ticket["priority"] == winner.json()["priority"]
    assert ticket["version"] == 2
    changes = (await tenant.get("/tickets/TKT-1/activity?type=ticket.priority_changed")).json()
    assert len(changes["items"]) == 1


async def test_if_match_forms(tenant):
    await tenant.create_ticket()
    stale = await tenant.patch(
        "/tickets/TKT-1", json={"priority": "high"}, headers={"If-Match": '"7"'}
    )
    assert stale.status_code == 412
    assert (await tenant.get("/tickets/TKT-1")).json()["priority"] == "normal"
    for header in ('"1"', 'W/"2"', "*", '"9", "4"'):
        response = await tenant.patch(
            "/tickets/TKT-1", json={"subject": f"v {header}"}, headers={"If-Match": header}
        )
        assert response.status_code == 200, header


async def test_concurrent_comments_and_changes_all_land(tenant):
    await tenant.create_ticket()
    await asyncio.gather(
        *(tenant.post("/tickets/TKT-1/comments", json={"body": f"c{i}"}) for i in range(10)),
        *(tenant.patch("/tickets/TKT-1", json={"subject": f"s{i}"}) for i in range(5)),
    )
    assert len((await tenant.get("/tickets/TKT-1/comments")).json()) == 10
    ticket = (await tenant.get("/tickets/TKT-1")).json()
    assert ticket["version"] == 1 + 10 + 5
