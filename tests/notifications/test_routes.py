"""Mentions, assignment notifications, listing and marking read."""

from ticketdesk.pagination import encode_cursor


async def _notes(tenant, role, query=""):
    response = await tenant.get(f"/notifications{query}", role=role)
    assert response.status_code == 200, response.text
    return response.json()


async def test_mentions_in_internal_comments_notify_workspace_users_only(tenant, other_tenant):
    ticket = await tenant.create_ticket(subject="Needs eyes")
    outsider_email = f"agent@{other_tenant.slug}.test"
    body = f"@Bob please look; cc @{outsider_email} and @nobody, also @vera.viewer? no: @viewer"
    response = await tenant.post(
        f"/tickets/{ticket['key']}/comments", json={"body": body, "visibility": "internal"}
    )
    assert response.status_code == 201

    agent = await _notes(tenant, "agent")
    assert agent["unread_count"] == 1
    [mention] = agent["items"]
    assert mention["kind"] == "mention"
    assert mention["ticket"] == ticket["key"]
    assert mention["data"]["by"] == "Alice Admin"
    viewer = await _notes(tenant, "viewer")
    assert viewer["unread_count"] == 1  # @viewer is the viewer's email handle
    assert (await _notes(other_tenant, "agent"))["unread_count"] == 0
    assert (await _notes(tenant, "admin"))["unread_count"] == 0  # not the author

    # a public comment mentioning someone does not notify them
    await tenant.post(f"/tickets/{ticket['key']}/comments", json={"body": "@Bob Agent thanks"})
    assert (await _notes(tenant, "agent"))["unread_count"] == 1
    # full names and full emails work too
    await tenant.post(
        f"/tickets/{ticket['key']}/comments",
        json={"body": f"@Bob Agent and @admin@{tenant.slug}.test", "visibility": "internal"},
        role="viewer",
    )
    await tenant.post(
        f"/tickets/{ticket['key']}/comments",
        json={"body": f"ping @admin@{tenant.slug}.test", "visibility": "internal"},
        role="agent",
    )
    assert (await _notes(tenant, "admin"))["unread_count"] == 1


async def test_assignment_notifies_and_marking_read(tenant):
    agent_id = tenant.users["agent"]["id"]
    first = await tenant.create_ticket(subject="first", assignee_id=agent_id)
    second = await tenant.create_ticket(subject="second")
    await tenant.patch(f"/tickets/{second['key']}", json={"assignee_id": agent_id})
    await tenant.patch(f"/tickets/{second['key']}", json={"priority": "high"})  # not watched
    # assigning yourself notifies nobody
    await tenant.patch(f"/tickets/{first['key']}", role="agent", json={"assignee_id": None})
    await tenant.patch(f"/tickets/{first['key']}", role="agent", json={"assignee_id": agent_id})

    notes = await _notes(tenant, "agent")
    assert notes["unread_count"] == 2
    assert [n["ticket"] for n in notes["items"]] == [second["key"], first["key"]]
    assert all(n["kind"] == "assigned" and not n["read"] for n in notes["items"])

    older = notes["items"][1]
    marked = await tenant.post(f"/notifications/{older['id']}/read", role="agent")
    assert marked.status_code == 200
    assert marked.json()["read"] is True
    assert (
        await tenant.post(f"/notifications/{older['id']}/read", role="viewer")
    ).status_code == 404
    notes = await _notes(tenant, "agent", "?limit=1")
    assert notes["unread_count"] == 1
    assert notes["items"][0]["ticket"] == second["key"]
    assert not notes["items"][0]["read"]
    page2 = await _notes(tenant, "agent", f"?limit=1&cursor={notes['next_cursor']}")
    assert page2["items"][0]["id"] == older["id"]
    assert page2["next_cursor"] is None
    unread_only = await _notes(tenant, "agent", "?unread=true")
    assert len(unread_only["items"]) == 1

    read_all = await tenant.post("/notifications/read-all", role="agent")
    assert read_all.json() == {"updated": 1, "unread_count": 0}
    assert (await _notes(tenant, "agent"))["unread_count"] == 0
    for cursor in (
        "garbage",
        encode_cursor([0, "not a time", "not an id"]),
        encode_cursor([7, 1, 2]),
    ):
        response = await tenant.get("/notifications", role="agent", params={"cursor": cursor})
        assert response.status_code == 422, cursor
