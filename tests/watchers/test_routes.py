"""Watchers: added and removed idempotently, notified of public changes."""


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
