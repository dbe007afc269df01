"""Links shown on both tickets; watchers notified of public changes."""


async def test_links_show_on_both_tickets_and_can_be_removed(tenant, other_tenant):
    a = await tenant.create_ticket(subject="a")
    b = await tenant.create_ticket(subject="b")
    response = await tenant.post(
        f"/tickets/{a['key']}/links", role="agent", json={"ticket": b["key"], "kind": "blocks"}
    )
    assert response.status_code == 201, response.text
    link = response.json()
    assert link["relation"] == "blocks"
    assert link["ticket"]["key"] == b["key"]

    [on_b] = (await tenant.get(f"/tickets/{b['key']}/links", role="viewer")).json()
    assert on_b["id"] == link["id"]
    assert on_b["relation"] == "blocked_by"
    assert on_b["ticket"]["key"] == a["key"]
    assert on_b["direction"] == "inbound"

    dup = await tenant.post(
        f"/tickets/{a['key']}/links", json={"ticket": b["id"], "kind": "blocks"}
    )
    assert dup.status_code == 409
    self_link = await tenant.post(f"/tickets/{a['key']}/links", json={"ticket": a["key"]})
    assert self_link.status_code == 422
    foreign = await other_tenant.create_ticket()
    cross = await tenant.post(f"/tickets/{a['key']}/links", json={"ticket": foreign["id"]})
    assert cross.status_code == 422
    bad_kind = await tenant.post(
        f"/tickets/{a['key']}/links", json={"ticket": b["key"], "kind": "x"}
    )
    assert bad_kind.status_code == 422
    # "related" is symmetric: b related a is the same link as a related b
    await tenant.post(f"/tickets/{a['key']}/links", json={"ticket": b["key"], "kind": "related"})
    again = await tenant.post(f"/tickets/{b['key']}/links", json={"ticket": a["key"]})
    assert again.status_code == 409

    other_side = await other_tenant.delete(f"/tickets/{foreign['key']}/links/{link['id']}")
    assert other_side.status_code == 404
    removed = await tenant.delete(f"/tickets/{b['key']}/links/{link['id']}")
    assert removed.status_code == 204
    kinds = [x["kind"] for x in (await tenant.get(f"/tickets/{a['key']}/links")).json()]
    assert kinds == ["related"]
    types = [e["type"] for e in (await tenant.get(f"/tickets/{a['key']}/activity")).json()["items"]]
    assert types.count("ticket.link_added") == 2
    assert types.count("ticket.link_removed") == 1


async def _notifications(tenant, role):
    response = await tenant.get("/notifications", role=role)
    assert response.status_code == 200, response.text
    return response.json()


async def test_watchers_hear_public_changes_but_not_internal_notes(tenant, other_tenant):
    ticket = await tenant.create_ticket(subject="watched")
    viewer_id = tenant.users["viewer"]["id"]
    agent_id = tenant.users["agent"]["id"]
    assert (await tenant.put(f"/tickets/{ticket['key']}/watchers/{viewer_id}")).status_code == 204
    assert (await tenant.put(f"/tickets/{ticket['key']}/watchers/{viewer_id}")).status_code == 204
    assert (await tenant.put(f"/tickets/{ticket['key']}/watchers/{agent_id}")).status_code == 204
    foreign_user = other_tenant.users["agent"]["id"]
    assert (
        await tenant.put(f"/tickets/{ticket['key']}/watchers/{foreign_user}")
    ).status_code == 404
    watchers = (await tenant.get(f"/tickets/{ticket['key']}/watchers")).json()
    assert sorted(w["id"] for w in watchers) == sorted([viewer_id, agent_id])

    await tenant.patch(f"/tickets/{ticket['key']}", json={"priority": "urgent"})
    await tenant.post(f"/tickets/{ticket['key']}/comments", json={"body": "public reply"})
    await tenant.post(
        f"/tickets/{ticket['key']}/comments", json={"body": "note", "visibility": "internal"}
    )
    # the agent's own change does not notify the agent
    await tenant.patch(f"/tickets/{ticket['key']}", role="agent", json={"priority": "low"})

    viewer_notes = await _notifications(tenant, "viewer")
    assert viewer_notes["unread_count"] == 3
    assert {n["kind"] for n in viewer_notes["items"]} == {"watched_change"}
    assert all(n["ticket"] == ticket["key"] for n in viewer_notes["items"])
    agent_notes = await _notifications(tenant, "agent")
    assert agent_notes["unread_count"] == 2

    assert (
        await tenant.delete(f"/tickets/{ticket['key']}/watchers/{viewer_id}")
    ).status_code == 204
    await tenant.patch(f"/tickets/{ticket['key']}", json={"subject": "watched, renamed"})
    assert (await _notifications(tenant, "viewer"))["unread_count"] == 3


async def test_merge_carries_watchers_to_the_target(tenant):
    source = await tenant.create_ticket(subject="s")
    target = await tenant.create_ticket(subject="t")
    viewer_id = tenant.users["viewer"]["id"]
    await tenant.put(f"/tickets/{source['key']}/watchers/{viewer_id}")
    await tenant.post(f"/tickets/{source['key']}/merge", json={"into": target["key"]})
    watchers = (await tenant.get(f"/tickets/{target['key']}/watchers")).json()
    assert [w["id"] for w in watchers] == [viewer_id]
