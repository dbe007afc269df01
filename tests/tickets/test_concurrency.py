"""Concurrent writers: numbers never repeat, and If-Match lets exactly one stale writer win."""

from __future__ import annotations

import asyncio

from ticketdesk.tickets import service


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


async def test_failed_creates_give_their_slot_back(tenant):
    """Creates are admitted a few at a time per workspace; one that fails after admission
    (here: an unknown status) must not keep its slot, or the workspace would stop taking
    tickets after a handful of bad requests."""

    async def bad_then_good():
        for _ in range(3 * service.CREATES_AT_ONCE):
            response = await tenant.post("/tickets", json={"subject": "x", "status": "nope"})
            assert response.status_code == 422
        return await tenant.post("/tickets", json={"subject": "fine"})

    created = await asyncio.wait_for(bad_then_good(), 120)  # a hang, not a slow machine
    assert created.status_code == 201
    assert created.json()["number"] == 1  # the failed ones took no number


async def test_creates_beyond_the_admitted_few_wait_their_turn(tenant):
    results = await asyncio.gather(
        *(
            tenant.post(
                "/tickets", json={"subject": f"burst {i}", "status": "nope" if i % 3 else "open"}
            )
            for i in range(5 * service.CREATES_AT_ONCE)
        )
    )
    good = [r for r in results if r.status_code == 201]
    assert len(good) == len(range(0, 5 * service.CREATES_AT_ONCE, 3))
    assert all(r.status_code == 422 for r in results if r not in good)
    assert sorted(r.json()["number"] for r in good) == list(range(1, len(good) + 1))
