"""What an agent at the desk expects: search by number, self-assignment, a watch list."""

from __future__ import annotations

import pytest


async def keys(tenant, params, role="admin"):
    response = await tenant.get("/tickets", params={"limit": 100, **params}, role=role)
    assert response.status_code == 200, response.text
    return {t["key"] for t in response.json()["items"]}


@pytest.mark.parametrize("q", ["#TKT-3", "# tkt-3", "3", "#3", " 3 "])
async def test_search_finds_a_ticket_by_its_number(tenant, q):
    for subject in ("Printer on fire", "Refund please", "VPN drops every hour"):
        await tenant.create_ticket(subject=subject)
    assert await keys(tenant, {"q": q}) == {"TKT-3"}


async def test_a_bare_number_also_finds_tickets_that_mention_it(tenant):
    await tenant.create_ticket(subject="Order 2 is late")
    await tenant.create_ticket(subject="Something else")
    # TKT-2 by its number, TKT-1 by the word "2" in its subject
    assert await keys(tenant, {"q": "2"}) == {"TKT-1", "TKT-2"}
    assert await keys(tenant, {"q": "#TKT-2"}) == {"TKT-2"}


async def test_an_agent_filing_a_ticket_by_hand_owns_it(tenant):
    agent = tenant.users["agent"]
    mine = await tenant.create_ticket(role="agent")
    assert mine["assignee"]["id"] == agent["id"]
    # asked to leave it unassigned, or to give it to someone else: as asked
    unassigned = await tenant.create_ticket(role="agent", assignee_id=None)
    assert unassigned["assignee"] is None
    admin = tenant.users["admin"]
    given = await tenant.create_ticket(role="agent", assignee_id=admin["id"])
    assert given["assignee"]["id"] == admin["id"]


async def test_api_token_tickets_stay_unassigned(tenant):
    created = await tenant.post(
        "/api-tokens", json={"name": "integration", "scopes": ["tickets:write", "tickets:read"]}
    )
    assert created.status_code == 201, created.text
    token = created.json()["token"]
    response = await tenant.client.post(
        "/tickets",
        json={"subject": "From the integration"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201, response.text
    assert response.json()["assignee"] is None
    assert response.json()["channel"] == "api"


async def test_watching_me_lists_the_tickets_i_watch(tenant, other_tenant):
    agent = tenant.users["agent"]
    first = await tenant.create_ticket(assignee_id=None)
    await tenant.create_ticket(assignee_id=None)
    third = await tenant.create_ticket(assignee_id=None)
    for ticket in (first, third):
        response = await tenant.put(f"/tickets/{ticket['key']}/watchers/{agent['id']}")
        assert response.status_code == 204, response.text
    assert await keys(tenant, {"watching": "me"}, role="agent") == {"TKT-1", "TKT-3"}
    assert await keys(tenant, {"watching": "me"}) == set()
    assert await keys(tenant, {"watching": agent["id"], "status": "open"}) == {"TKT-1", "TKT-3"}
    # another workspace's user watches nothing here
    foreign = other_tenant.users["agent"]["id"]
    assert await keys(tenant, {"watching": foreign}) == set()
    bad = await tenant.get("/tickets", params={"watching": "everyone"})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["loc"] == ["query", "watching"]


async def test_a_saved_view_keeps_the_watching_filter(tenant):
    created = await tenant.post(
        "/views", json={"name": "Watching", "filters": {"watching": "me"}}, role="agent"
    )
    assert created.status_code == 201, created.text
    assert created.json()["filters"] == {"watching": "me"}
