"""SLA over HTTP: policies, business hours, holiday import and clock explanations."""

from __future__ import annotations

import uuid

from tests.sla.conftest import HIGH, T0, make_policy, open_ticket, workspace_of


async def test_no_policy_means_no_clock_and_priority_change_rematches(db, tenant):
    await make_policy(tenant, match={"priority": ["high"]})
    async with db.unit_of_work() as session:
        workspace = await workspace_of(session, tenant)
        ticket = await open_ticket(session, workspace, T0, priority="low")
        assert ticket.sla_state == "none"
        assert ticket.due_at is None
    created = await tenant.create_ticket(priority="low")
    assert created["sla"]["state"] == "none"
    patched = await tenant.patch(f"/tickets/{created['key']}", json={"priority": "high"})
    assert patched.json()["sla"]["state"] == "ok"
    assert patched.json()["sla"]["first_response_due_at"] is not None
    explained = (await tenant.get(f"/tickets/{created['key']}/sla")).json()
    assert "priority 'high' is one of ['high']" in explained["why_policy"]


async def test_policies_match_in_order_by_labels_and_channel(tenant):
    await make_policy(
        tenant,
        name="VIP",
        match={"labels": ["vip"]},
        position=0,
        targets={"normal": {"first_response_minutes": 15}},
    )
    await make_policy(
        tenant,
        name="Chat",
        match={"channel": ["chat"]},
        position=1,
        targets={"normal": {"first_response_minutes": 30}},
    )
    vip = await tenant.create_ticket(labels=["vip"], channel="chat")
    chat = await tenant.create_ticket(channel="chat")
    other = await tenant.create_ticket(channel="email")
    explained = (await tenant.get(f"/tickets/{vip['key']}/sla")).json()
    assert explained["policy"]["name"] == "VIP"
    explained = (await tenant.get(f"/tickets/{chat['key']}/sla")).json()
    assert explained["policy"]["name"] == "Chat"
    assert "'VIP' (position 0) skipped: no label among ['vip']" in explained["why_policy"]
    assert other["sla"]["state"] == "none"


async def test_business_hours_import_and_explanation(tenant):
    hours = await tenant.post(
        "/business-hours",
        json={
            "name": "Berlin office",
            "timezone": "Europe/Berlin",
            "weekly": {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
            "holidays": ["2025-12-24", "2025-12-25", "2025-12-26"],
        },
    )
    assert hours.status_code == 201, hours.text
    await make_policy(
        tenant,
        business_hours_id=hours.json()["id"],
        targets={"urgent": {"first_response_minutes": 120, "resolution_minutes": 600}},
    )
    # imported: created Tuesday 2025-12-23 16:00 Berlin; two hours of business time later is
    # Monday Dec 29 10:00 Berlin (three holidays and the weekend do not count)
    imported = await tenant.post(
        "/tickets/import",
        json={
            "subject": "Old ticket",
            "priority": "urgent",
            "created_at": "2025-12-23T15:00:00Z",
            "requester": {"email": "c@example.com"},
            "comments": [
                {
                    "body": "Still broken",
                    "created_at": "2025-12-23T15:30:00Z",
                    "author_email": "c@example.com",
                },
            ],
        },
    )
    assert imported.status_code == 201, imported.text
    body = imported.json()
    assert body["created_at"] == "2025-12-23T15:00:00Z"
    assert body["sla"]["first_response_due_at"] == "2025-12-29T09:00:00Z"
    assert body["sla"]["state"] == "breached"  # long past by now
    explained = (await tenant.get(f"/tickets/{body['key']}/sla")).json()
    first = next(c for c in explained["clocks"] if c["metric"] == "first_response")
    kinds = [(s["kind"], s["reason"]) for s in first["segments"]]
    assert kinds[:5] == [
        ("running", "inside business hours"),
        ("outside_business_hours", "outside business hours"),
        ("holiday", "2025-12-24 is a holiday"),
        ("holiday", "2025-12-25 is a holiday"),
        ("holiday", "2025-12-26 is a holiday"),
    ]
    assert kinds[5:] == [
        ("outside_business_hours", "outside business hours"),
        ("running", "inside business hours"),
    ]
    assert first["segments"][-1]["end"] == "2025-12-29T09:00:00Z"
    assert first["elapsed_minutes"] == 120
    assert first["segments"][0]["counted_minutes"] == 60
    assert explained["business_hours"]["timezone"] == "Europe/Berlin"
    # written for people: to the minute, in the zone the business hours count in
    assert first["why"] == (
        "Due 120 minutes of business hours 'Berlin office' (Europe/Berlin) after "
        "2025-12-23 16:00 Europe/Berlin: 2025-12-29 10:00 Europe/Berlin."
    )


async def test_holiday_import_from_the_holidays_package(tenant):
    created = await tenant.post(
        "/business-hours",
        json={
            "name": "NY",
            "timezone": "America/New_York",
            "weekly": {"mon": [["09:00", "17:00"]]},
        },
    )
    hours_id = created.json()["id"]
    imported = await tenant.post(
        f"/business-hours/{hours_id}/holidays/import", json={"country": "US", "years": [2026]}
    )
    assert imported.status_code == 200, imported.text
    assert (
        "2026-07-03" in imported.json()["holidays"] or "2026-07-04" in imported.json()["holidays"]
    )
    assert "2026-12-25" in imported.json()["holidays"]
    bad = await tenant.post(
        f"/business-hours/{hours_id}/holidays/import", json={"country": "ZZ", "years": [2026]}
    )
    assert bad.status_code == 422


async def test_validation_and_tenancy(tenant, other_tenant):
    bad = await tenant.post(
        "/business-hours",
        json={"name": "x", "timezone": "Mars/Base", "weekly": {"mon": [["09:00", "17:00"]]}},
    )
    assert bad.status_code == 422
    bad = await tenant.post(
        "/business-hours",
        json={"name": "x", "timezone": "UTC", "weekly": {"mon": [["17:00", "09:00"]]}},
    )
    assert bad.status_code == 422
    bad = await tenant.post(
        "/sla-policies", json={"name": "x", "targets": {"high": {"first_response_minutes": 10**12}}}
    )
    assert bad.status_code == 422
    policy = await make_policy(tenant)
    assert (await other_tenant.get(f"/sla-policies/{policy['id']}")).status_code == 404
    assert (
        await tenant.post("/sla-policies", json={"name": "v", "targets": {}}, role="viewer")
    ).status_code == 403
    assert (
        await tenant.post("/sla-policies", json={"name": "a", "targets": {}}, role="agent")
    ).status_code == 403


async def test_a_target_the_calendar_cannot_reach_gives_no_due_time(tenant):
    hours = await tenant.post(
        "/business-hours",
        json={"name": "Rare", "timezone": "UTC", "weekly": {"sun": [["00:00", "00:01"]]}},
    )
    await make_policy(
        tenant,
        business_hours_id=hours.json()["id"],
        targets={"normal": {"first_response_minutes": 525_600}},
    )
    created = await tenant.create_ticket()
    assert created["sla"]["first_response_due_at"] is None
    assert (await tenant.get(f"/tickets/{created['key']}/sla")).status_code == 200
    old = await tenant.post(
        "/tickets/import", json={"subject": "Ancient", "created_at": "0001-01-01T00:00:00Z"}
    )
    assert old.status_code == 422


async def test_a_policy_naming_another_workspaces_objects_is_refused(tenant, other_tenant):
    """Real ids of another workspace (its calendar, agent, team) and unknown ones: a 422 at
    the field when the policy is created or changed, and nothing written."""
    calendar = {"name": "Theirs", "timezone": "UTC", "weekly": {"mon": [["09:00", "17:00"]]}}
    their_hours = (await other_tenant.post("/business-hours", json=calendar)).json()
    their_team = (await other_tenant.post("/teams", json={"name": "Their team"})).json()
    their_agent = other_tenant.users["agent"]["id"]
    cases = [
        ({"business_hours_id": their_hours["id"]}, ["body", "business_hours_id"]),
        (
            {"escalation": [{"on": "breach", "type": "assign", "value": their_agent}]},
            ["body", "escalation", 0, "value"],
        ),
        (
            {"escalation": [{"on": "breach", "type": "set_team", "value": their_team["id"]}]},
            ["body", "escalation", 0, "value"],
        ),
        (
            {
                "escalation": [
                    {"on": "warning", "type": "set_priority", "value": "high"},
                    {"on": "warning", "type": "notify", "value": ["assignee", their_agent]},
                ]
            },
            ["body", "escalation", 1, "value", 1],
        ),
        (
            {"escalation": [{"on": "breach", "type": "notify", "value": [str(uuid.uuid4())]}]},
            ["body", "escalation", 0, "value", 0],
        ),
    ]
    for extra, loc in cases:
        response = await tenant.post(
            "/sla-policies", json={"name": "Bad", "targets": {"high": HIGH}, **extra}
        )
        assert response.status_code == 422, (extra, response.text)
        assert response.json()["errors"][0]["loc"] == loc
    assert (await tenant.get("/sla-policies")).json() == []

    policy = await make_policy(tenant)
    for extra, loc in cases:
        response = await tenant.patch(f"/sla-policies/{policy['id']}", json=extra)
        assert response.status_code == 422, (extra, response.text)
        assert response.json()["errors"][0]["loc"] == loc
    unchanged = (await tenant.get(f"/sla-policies/{policy['id']}")).json()
    assert (unchanged["business_hours_id"], unchanged["escalation"]) == (None, [])
    ours = (await tenant.post("/business-hours", json={**calendar, "name": "Ours"})).json()
    agent = tenant.users["agent"]["id"]
    fine = await tenant.patch(
        f"/sla-policies/{policy['id']}",
        json={
            "business_hours_id": ours["id"],
            "escalation": [{"on": "breach", "type": "assign", "value": agent}],
        },
    )
    assert fine.status_code == 200, fine.text


async def test_a_ticket_waiting_on_the_customer_shows_paused(tenant):
    """The resolution clock stops in `waiting`: the ticket says `paused`, also while its
    first response is still due, and `ok` again once it is open."""
    await make_policy(tenant)
    ticket = await tenant.create_ticket(priority="high")
    assert ticket["sla"]["state"] == "ok"
    waiting = await tenant.patch(f"/tickets/{ticket['key']}", json={"status": "waiting"})
    assert waiting.json()["sla"]["state"] == "paused"
    assert waiting.json()["sla"]["resolution_due_at"] is None
    assert (await tenant.get(f"/tickets/{ticket['key']}")).json()["sla"]["state"] == "paused"
    listed = (await tenant.get("/tickets?status=waiting")).json()["items"]
    assert [t["sla"]["state"] for t in listed] == ["paused"]
    reply = {"body": "Could you send a photo?", "visibility": "public"}
    assert (await tenant.post(f"/tickets/{ticket['key']}/comments", json=reply)).status_code == 201
    assert (await tenant.get(f"/tickets/{ticket['key']}")).json()["sla"]["state"] == "paused"
    reopened = await tenant.patch(f"/tickets/{ticket['key']}", json={"status": "open"})
    assert reopened.json()["sla"]["state"] == "ok"
    assert reopened.json()["sla"]["resolution_due_at"] is not None
