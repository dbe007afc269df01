"""The ticket lifecycle over HTTP: create, read, change, reopen, timeline."""

from __future__ import annotations

import asyncio


async def test_create_uses_defaults_and_answers_location_and_etag(tenant):
    response = await tenant.post("/tickets", json={"subject": "  Printer on fire  "})
    assert response.status_code == 201
    body = response.json()
    assert body["key"] == "TKT-1" and body["number"] == 1
    assert body["subject"] == "Printer on fire"
    assert (body["status"], body["status_category"], body["priority"]) == ("open", "open", "normal")
    assert body["channel"] == "agent"  # an agent session creates it
    assert body["assignee"]["id"] == tenant.users["admin"]["id"]  # filed by hand: theirs
    assert body["requester"] is None and body["labels"] == []
    assert body["sla"]["state"] == "none" and body["version"] == 1
    assert response.headers["location"] == "/api/v1/tickets/TKT-1"
    assert response.headers["etag"] == '"1"'


async def test_api_token_creates_with_api_channel_and_numbers_continue(tenant):
    token = await tenant.post(
        "/api-tokens", json={"name": "zapier", "scopes": ["tickets:read", "tickets:write"]}
    )
    assert token.status_code == 201
    headers = {"Authorization": f"Bearer {token.json()['token']}"}
    await tenant.create_ticket()
    response = await tenant.client.post("/tickets", json={"subject": "From API"}, headers=headers)
    assert response.status_code == 201
    assert response.json()["channel"] == "api"
    assert response.json()["key"] == "TKT-2"


async def test_create_with_every_field(tenant):
    agent = tenant.users["agent"]
    team = (
        await tenant.post("/teams", json={"name": "Billing", "member_ids": [agent["id"]]})
    ).json()
    body = (
        await tenant.post(
            "/tickets",
            json={
                "subject": "Refund for order 78932",
                "description": "I was charged twice.",
                "priority": "urgent",
                "type": "question",
                "category": "billing",
                "labels": ["Refund", "vip", "refund"],
                "requester": {"email": "Jane.Doe@Example.COM", "name": "Jane Doe"},
                "assignee_id": agent["id"],
                "team_id": team["id"],
                "custom_fields": {"order_id": "78932", "nested": {"a": [1, 2]}},
                "channel": "email",
            },
        )
    ).json()
    assert body["priority"] == "urgent" and body["type"] == "question"
    assert body["category"] == "billing" and body["channel"] == "email"
    assert body["labels"] == ["refund", "vip"]
    assert body["requester"]["email"] == "jane.doe@example.com"
    assert body["requester"]["name"] == "Jane Doe"
    assert body["assignee"] == {"id": agent["id"], "name": "Bob Agent", "email": agent["email"]}
    assert body["team"] == {"id": team["id"], "name": "Billing"}
    assert body["custom_fields"] == {"order_id": "78932", "nested": {"a": [1, 2]}}


async def test_requesters_are_deduplicated_by_email_and_labels_created_once(tenant):
    first = await tenant.create_ticket(requester={"email": "ann@example.com"}, labels=["new-one"])
    second = await tenant.create_ticket(requester={"email": "ANN@example.com", "name": "Ann"})
    assert first["requester"]["id"] == second["requester"]["id"]
    assert second["requester"]["name"] == "Ann"
    await tenant.create_ticket(labels=["New-One"])
    labels = (await tenant.get("/labels")).json()
    assert [label["name"] for label in labels].count("new-one") == 1


async def test_get_by_key_in_any_case_or_by_id(tenant):
    created = await tenant.create_ticket()
    for ref in ("TKT-1", "tkt-1", created["id"]):
        response = await tenant.get(f"/tickets/{ref}")
        assert response.status_code == 200, ref
        assert response.json()["id"] == created["id"]
    for ref in ("TKT-2", "XYZ-1", "not-a-ticket", "00000000-0000-0000-0000-000000000000"):
        response = await tenant.get(f"/tickets/{ref}")
        assert response.status_code == 404, ref
        assert response.headers["content-type"] == "application/problem+json"


async def test_patch_changes_fields_bumps_version_and_records_from_to(tenant):
    created = await tenant.create_ticket(labels=["a"])
    agent = tenant.users["agent"]
    response = await tenant.patch(
        "/tickets/TKT-1",
        json={
            "subject": "New subject",
            "priority": "high",
            "status": "in_progress",
            "assignee_id": agent["id"],
            "labels": ["b", "a", "c"],
            "type": "incident",
            "custom_fields": {"x": 1},
        },
        role="agent",
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["version"] == created["version"] + 1
    assert response.headers["etag"] == f'"{body["version"]}"'
    assert body["labels"] == ["a", "b", "c"]
    activity = (await tenant.get("/tickets/TKT-1/activity")).json()["items"]
    by_type = {event["type"]: event for event in activity}
    assert by_type["ticket.subject_changed"]["data"]["from"] == "Printer on fire"
    assert by_type["ticket.subject_changed"]["data"]["to"] == "New subject"
    assert by_type["ticket.priority_changed"]["data"] == {
        "ticket": "TKT-1",
        "from": "normal",
        "to": "high",
    }
    assert by_type["ticket.status_changed"]["data"]["to"] == "in_progress"
    assert by_type["ticket.assigned"]["data"]["to"]["id"] == agent["id"]
    assert by_type["ticket.labels_changed"]["data"]["added"] == ["b", "c"]
    assert by_type["ticket.type_changed"]["data"] == {
        "ticket": "TKT-1",
        "from": None,
        "to": "incident",
    }
    assert by_type["ticket.assigned"]["actor"] == {
        "kind": "user",
        "id": agent["id"],
        "name": "Bob Agent",
    }


async def test_patch_with_nothing_new_changes_nothing(tenant):
    await tenant.create_ticket(priority="high")
    response = await tenant.patch("/tickets/TKT-1", json={"priority": "high"})
    assert response.json()["version"] == 1
    activity = (await tenant.get("/tickets/TKT-1/activity")).json()["items"]
    assert [e["type"] for e in activity] == ["ticket.created"]


async def test_unassign_and_clear_team_with_null(tenant):
    agent = tenant.users["agent"]
    await tenant.create_ticket(assignee_id=agent["id"], type="question")
    body = (await tenant.patch("/tickets/TKT-1", json={"assignee_id": None, "type": None})).json()
    assert body["assignee"] is None and body["type"] is None


async def test_resolve_close_and_reopen_track_timestamps(tenant):
    await tenant.create_ticket()
    resolved = (await tenant.patch("/tickets/TKT-1", json={"status": "resolved"})).json()
    assert resolved["status_category"] == "solved" and resolved["resolved_at"]
    closed = (await tenant.patch("/tickets/TKT-1", json={"status": "closed"})).json()
    assert closed["closed_at"] and closed["resolved_at"] == resolved["resolved_at"]
    reopened = await tenant.post("/tickets/TKT-1/reopen")
    assert reopened.status_code == 200
    body = reopened.json()
    assert body["status"] == "open" and body["resolved_at"] is None and body["closed_at"] is None
    types = [e["type"] for e in (await tenant.get("/tickets/TKT-1/activity")).json()["items"]]
    assert types.count("ticket.reopened") == 1
    again = await tenant.post("/tickets/TKT-1/reopen")
    assert again.status_code == 409
    assert "resolved or closed" in again.json()["detail"]


async def test_unknown_status_assignee_and_team_are_422_and_change_nothing(tenant, other_tenant):
    await tenant.create_ticket()
    foreign_agent = other_tenant.users["agent"]["id"]
    cases = [
        ({"status": "nonexistent"}, "status"),
        ({"assignee_id": foreign_agent}, "assignee_id"),
        ({"assignee_id": tenant.users["viewer"]["id"]}, "assignee_id"),
        ({"team_id": "00000000-0000-0000-0000-000000000000"}, "team_id"),
    ]
    for body, field in cases:
        response = await tenant.patch("/tickets/TKT-1", json={"priority": "urgent", **body})
        assert response.status_code == 422, body
        assert response.json()["errors"][0]["loc"] == ["body", field]
    ticket = (await tenant.get("/tickets/TKT-1")).json()
    assert ticket["priority"] == "normal" and ticket["version"] == 1


async def test_custom_statuses_map_to_categories(tenant):
    response = await tenant.post(
        "/statuses", json={"name": "on_hold", "label": "On hold", "category": "pending"}
    )
    assert response.status_code == 201
    assert (
        await tenant.post("/statuses", json={"name": "on_hold", "label": "x", "category": "open"})
    ).status_code == 409
    await tenant.create_ticket()
    body = (await tenant.patch("/tickets/TKT-1", json={"status": "on_hold"})).json()
    assert (body["status"], body["status_category"]) == ("on_hold", "pending")
    names = [s["name"] for s in (await tenant.get("/statuses")).json()]
    assert names[:5] == ["open", "in_progress", "waiting", "resolved", "closed"]
    assert "on_hold" in names


async def test_comments_internal_and_public_and_first_response(tenant):
    await tenant.create_ticket()
    note = await tenant.post(
        "/tickets/TKT-1/comments",
        json={"body": "Looks like a bug", "visibility": "internal"},
        role="agent",
    )
    assert note.status_code == 201
    assert (await tenant.get("/tickets/TKT-1")).json()["sla"]["first_responded_at"] is None
    reply = await tenant.post(
        "/tickets/TKT-1/comments", json={"body": "We are on it"}, role="agent"
    )
    assert reply.status_code == 201 and reply.json()["visibility"] == "public"
    ticket = (await tenant.get("/tickets/TKT-1")).json()
    first = ticket["sla"]["first_responded_at"]
    assert first is not None and ticket["version"] == 3
    await tenant.post("/tickets/TKT-1/comments", json={"body": "Second reply"})
    assert (await tenant.get("/tickets/TKT-1")).json()["sla"]["first_responded_at"] == first
    comments = (await tenant.get("/tickets/TKT-1/comments")).json()
    assert [c["body"] for c in comments] == ["Looks like a bug", "We are on it", "Second reply"]
    assert comments[0]["author"]["name"] == "Bob Agent"
    public = (await tenant.get("/tickets/TKT-1/comments?visibility=public")).json()
    assert len(public) == 2
    added = (await tenant.get("/tickets/TKT-1/activity?type=ticket.comment_added")).json()["items"]
    assert [e["data"]["visibility"] for e in added] == ["internal", "public", "public"]


async def test_activity_filters_by_type_and_time_and_pages(tenant):
    await tenant.create_ticket()
    for priority in ("low", "high", "urgent"):
        await tenant.patch("/tickets/TKT-1", json={"priority": priority})
        await asyncio.sleep(0.01)
    everything = (await tenant.get("/tickets/TKT-1/activity")).json()["items"]
    assert [e["type"] for e in everything] == ["ticket.created"] + ["ticket.priority_changed"] * 3
    assert [e["id"] for e in everything] == sorted(e["id"] for e in everything)
    middle = everything[2]["created_at"]
    since = (await tenant.get("/tickets/TKT-1/activity", params={"since": middle})).json()["items"]
    assert [e["data"]["to"] for e in since if e["type"] == "ticket.priority_changed"][
        -1
    ] == "urgent"
    assert all(e["created_at"] >= middle for e in since)
    typed = (await tenant.get("/tickets/TKT-1/activity?type=ticket.created")).json()["items"]
    assert len(typed) == 1
    first_page = (await tenant.get("/tickets/TKT-1/activity?limit=3")).json()
    assert len(first_page["items"]) == 3 and first_page["next_cursor"]
    rest = (
        await tenant.get(
            "/tickets/TKT-1/activity", params={"limit": 3, "cursor": first_page["next_cursor"]}
        )
    ).json()
    assert [e["id"] for e in rest["items"]] == [everything[3]["id"]] and rest["next_cursor"] is None


async def test_viewer_reads_but_cannot_write(tenant):
    await tenant.create_ticket()
    assert (await tenant.get("/tickets/TKT-1", role="viewer")).status_code == 200
    assert (await tenant.get("/tickets", role="viewer")).status_code == 200
    for method, url, body in [
        ("POST", "/tickets", {"subject": "x"}),
        ("PATCH", "/tickets/TKT-1", {"priority": "high"}),
        ("POST", "/tickets/TKT-1/comments", {"body": "hi"}),
        ("POST", "/tickets/TKT-1/reopen", None),
        ("POST", "/labels", {"name": "x"}),
    ]:
        response = await tenant.request(method, url, role="viewer", json=body)
        assert response.status_code == 403, (method, url)
        assert response.headers["content-type"] == "application/problem+json"
    assert (await tenant.get("/tickets/TKT-1")).json()["version"] == 1


async def test_agent_cannot_administer(tenant):
    for method, url, body in [
        ("POST", "/users", {"email": "x@y.test", "name": "X"}),
        ("POST", "/teams", {"name": "T"}),
        ("POST", "/api-tokens", {"name": "t", "scopes": ["admin"]}),
        ("POST", "/statuses", {"name": "s", "label": "S", "category": "open"}),
        ("PATCH", "/workspace", {"name": "Evil"}),
    ]:
        response = await tenant.request(method, url, role="agent", json=body)
        assert response.status_code == 403, (method, url)
