"""A ticket's insights: suggestions, possible duplicates (the same requester's first), similar
solved tickets and the replies that solved them; one workspace's model never shows another's
tickets or replies; a model swap during traffic serves the old model or the new, never none."""

from __future__ import annotations

import asyncio

from tests.triage.conftest import KINDS, seed, train


async def test_insights_suggest_duplicates_similar_tickets_and_replies(tenant):
    await seed(tenant, per_kind=20)
    await train(tenant)
    mine = {"email": "ada@customer.example"}
    earlier = await tenant.create_ticket(
        subject="The mobile app crashes when I log in", requester=mine
    )
    other = await tenant.create_ticket(
        subject="The mobile app crashes when I log in today",
        requester={"email": "bob@else.example"},
    )
    unrelated = await tenant.create_ticket(subject="Where is my parcel?", requester=mine)
    ticket = await tenant.create_ticket(
        subject="Mobile app crashes on log in", description="Since the update.", requester=mine
    )
    response = await tenant.get(f"/tickets/{ticket['key']}/insights", role="agent")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["category"]["value"] == "technical"
    assert 0 < body["category"]["confidence"] <= 1
    duplicates = [d["key"] for d in body["possible_duplicates"]]
    # the same requester's ticket first, then the other requester's; never itself
    assert duplicates[:2] == [earlier["key"], other["key"]]
    assert ticket["key"] not in duplicates and unrelated["key"] not in duplicates
    assert body["similar"] and all(s["status"] == "resolved" for s in body["similar"])
    assert all(s["key"] != ticket["key"] for s in body["similar"])
    replies = body["suggested_replies"]
    assert replies and replies[0]["body"] == KINDS["technical"]["reply"]
    assert replies[0]["ticket"] in {s["key"] for s in body["similar"]}
    assert replies[0]["author"] == "Alice Admin"


async def test_one_workspaces_model_never_suggests_anothers_tickets(tenant, other_tenant):
    await seed(tenant, per_kind=20)
    await seed(other_tenant, per_kind=10, fields=("category",))
    await train(tenant)
    # the other workspace has no model of its own: 409, never tenant's
    refused = await other_tenant.post("/triage/predict", json={"subject": "Refund please"})
    assert refused.status_code == 409
    await train(other_tenant)
    ours = await tenant.get("/tickets", params={"limit": 100})
    theirs = await other_tenant.post(
        "/triage/predict", json={"subject": "The mobile app crashes when I log in"}
    )
    assert theirs.status_code == 200
    body = theirs.json()
    assert body["labels"] == [] and body["priority"] is None  # learned from their own only
    their_keys = {
        t["key"]
        for t in (await other_tenant.get("/tickets", params={"limit": 100})).json()["items"]
    }
    assert {s["key"] for s in body["similar"]} <= their_keys
    ticket = await other_tenant.create_ticket(subject="The mobile app crashes")
    insights = (await other_tenant.get(f"/tickets/{ticket['key']}/insights")).json()
    assert {s["key"] for s in insights["similar"]} <= their_keys
    for reply in insights["suggested_replies"]:
        assert reply["ticket"] in their_keys
    # and tenant's ticket is a 404 to the other workspace
    our_id = ours.json()["items"][0]["id"]
    assert (await other_tenant.get(f"/tickets/{our_id}/insights")).status_code == 404


async def test_a_model_swap_during_traffic_serves_old_or_new_never_an_error(tenant):
    await seed(tenant, per_kind=20)
    first = await train(tenant)
    stop = asyncio.Event()
    versions: list[int] = []

    async def traffic():
        while not stop.is_set():
            response = await tenant.post(
                "/triage/predict", json={"subject": "Refund for the invoice please"}
            )
            assert response.status_code == 200, response.text
            assert response.json()["category"]["value"] == "billing"
            versions.append(response.json()["model_version"])
            await asyncio.sleep(0)

    running = asyncio.create_task(traffic())
    try:
        second = await train(tenant)
    finally:
        stop.set()
        await running
    assert second["version"] == first["version"] + 1
    after = await tenant.post("/triage/predict", json={"subject": "Refund please"})
    # the request after the swap is served by the new model
    assert after.json()["model_version"] == second["version"]
    assert set(versions) <= {first["version"], second["version"]}
    assert versions == sorted(versions)  # never back to the old one once the new served
    model = (await tenant.get("/triage/model")).json()
    assert model["state"] == "ready" and model["version"] == second["version"]


async def test_training_twice_at_once_is_one_run(tenant):
    await seed(tenant, per_kind=10, fields=("category",))
    one, two = await asyncio.gather(tenant.post("/triage/train"), tenant.post("/triage/train"))
    assert one.status_code == two.status_code == 202
    assert one.json()["job_id"] == two.json()["job_id"]
