"""Ticket import over HTTP: the history as it happened, who wrote what, and what is refused."""

from __future__ import annotations


async def test_import_keeps_the_history_in_order_with_agents_and_customers(tenant):
    agent = tenant.users["agent"]
    imported = await tenant.post(
        "/tickets/import",
        json={
            "subject": "From the old desk",
            "created_at": "2026-01-05T09:00:00+01:00",
            "requester": {"email": "c@example.com"},
            "comments": [  # given out of order: stored by created_at
                {
                    "body": "Fixed on our side.",
                    "created_at": "2026-01-05T10:00:00Z",
                    "author_email": agent["email"],
                },
                {"body": "It is broken", "created_at": "2026-01-05T08:30:00Z"},
                {
                    "body": "Thanks!",
                    "created_at": "2026-01-05T11:00:00Z",
                    "author_email": "c@example.com",
                },
                {
                    "body": "Cc: me too",
                    "created_at": "2026-01-05T11:30:00Z",
                    "author_email": "other@example.com",
                    "visibility": "internal",
                },
            ],
        },
    )
    assert imported.status_code == 201, imported.text
    body = imported.json()
    assert imported.headers["location"] == f"/api/v1/tickets/{body['key']}"
    assert imported.headers["etag"] == f'"{body["version"]}"'
    assert body["created_at"] == "2026-01-05T08:00:00Z"
    assert body["updated_at"] == "2026-01-05T11:30:00Z"
    assert body["sla"]["first_responded_at"] == "2026-01-05T10:00:00Z"  # the agent's reply
    assert (await tenant.get(f"/tickets/{body['key']}")).json() == body
    comments = (await tenant.get(f"/tickets/{body['key']}/comments")).json()
    assert [(c["body"], c["author"]["kind"], c["author"]["name"]) for c in comments] == [
        ("It is broken", "contact", "requester"),
        ("Fixed on our side.", "user", agent["name"]),
        ("Thanks!", "contact", "c@example.com"),
        ("Cc: me too", "contact", "other@example.com"),
    ]
    assert comments[1]["author"]["id"] == agent["id"]
    assert [c["created_at"] for c in comments] == [
        "2026-01-05T08:30:00Z",
        "2026-01-05T10:00:00Z",
        "2026-01-05T11:00:00Z",
        "2026-01-05T11:30:00Z",
    ]


async def test_sla_clocks_of_an_import_run_from_its_created_at(tenant):
    policy = await tenant.post(
        "/sla-policies",
        json={"name": "Answer fast", "targets": {"normal": {"first_response_minutes": 60}}},
    )
    assert policy.status_code == 201, policy.text
    on_time = await tenant.post(
        "/tickets/import",
        json={
            "subject": "Answered in time",
            "created_at": "2026-01-05T09:00:00Z",
            "comments": [
                {
                    "body": "On it",
                    "created_at": "2026-01-05T09:45:00Z",
                    "author_email": tenant.users["admin"]["email"],
                }
            ],
        },
    )
    late = await tenant.post(
        "/tickets/import", json={"subject": "Never answered", "created_at": "2026-01-05T09:00:00Z"}
    )
    assert on_time.json()["sla"]["first_response_due_at"] == "2026-01-05T10:00:00Z"
    assert on_time.json()["sla"]["state"] == "met"
    assert late.json()["sla"]["first_response_due_at"] == "2026-01-05T10:00:00Z"
    assert late.json()["sla"]["state"] == "breached"


async def test_import_refuses_impossible_history_and_non_admins(tenant):
    future = await tenant.post(
        "/tickets/import", json={"subject": "Later", "created_at": "2999-01-01T00:00:00Z"}
    )
    assert future.status_code == 422
    assert future.json()["errors"][0]["loc"] == ["body", "created_at"]
    before = await tenant.post(
        "/tickets/import",
        json={
            "subject": "Reply before the ticket",
            "created_at": "2026-01-05T09:00:00Z",
            "comments": [{"body": "Early", "created_at": "2026-01-05T08:59:00Z"}],
        },
    )
    assert before.status_code == 422
    assert before.json()["errors"][0]["loc"] == ["body", "comments", 0, "created_at"]
    epoch = await tenant.post(
        "/tickets/import", json={"subject": "Epoch", "created_at": 1767603600}
    )
    assert epoch.status_code == 422
    denied = await tenant.post(
        "/tickets/import",
        role="agent",
        json={"subject": "Not mine to import", "created_at": "2026-01-05T09:00:00Z"},
    )
    assert denied.status_code == 403
    listed = (await tenant.get("/tickets")).json()["items"]
    assert listed == []  # nothing refused was created
