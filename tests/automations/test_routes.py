"""Automation rules and the auto-assign settings through the API: actions one by one, loops,
failures, fairness, tenancy."""

from __future__ import annotations

import uuid
from collections import Counter

from sqlalchemy import select

from tests.automations.conftest import activity, rule, team
from ticketdesk.models import Notification


async def test_field_actions_run_in_the_same_transaction_with_the_rule_as_actor(tenant):
    agent_id = tenant.users["agent"]["id"]
    support = await team(tenant, "Support", [agent_id])
    await rule(
        tenant,
        name="Refunds",
        conditions={"all": [{"field": "subject", "op": "contains", "value": "refund"}]},
        actions=[
            {"type": "set_priority", "value": "urgent"},
            {"type": "set_type", "value": "incident"},
            {"type": "set_category", "value": "billing"},
            {"type": "set_team", "value": support["id"]},
            {"type": "assign", "value": agent_id},
            {"type": "add_labels", "value": ["billing", "Refund"]},
            {"type": "remove_labels", "value": ["inbox"]},
            {"type": "set_custom_field", "value": {"key": "flow", "value": "refund"}},
            {"type": "set_status", "value": "in_progress"},
        ],
    )
    created = await tenant.create_ticket(subject="I want a REFUND", labels=["inbox"])
    assert created["priority"] == "urgent"
    assert created["type"] == "incident"
    assert created["category"] == "billing"
    assert created["team"]["id"] == support["id"]
    assert created["assignee"]["id"] == agent_id
    assert created["labels"] == ["billing", "refund"]
    assert created["custom_fields"] == {"flow": "refund"}
    assert created["status"] == "in_progress"
    by_rule = [e for e in await activity(tenant, created["key"]) if e["actor"]["kind"] == "system"]
    assert {e["actor"]["name"] for e in by_rule} == {"Refunds"}
    assert {e["type"] for e in by_rule} >= {
        "ticket.priority_changed",
        "ticket.assigned",
        "ticket.labels_changed",
        "ticket.status_changed",
        "ticket.team_changed",
    }
    other = await tenant.create_ticket(subject="Printer jam")
    assert other["priority"] == "normal"


async def test_note_notify_and_email_actions(tenant, db):
    agent_id = tenant.users["agent"]["id"]
    await rule(
        tenant,
        name="Heads-up",
        actions=[
            {"type": "add_comment", "value": "Triage within the hour"},
            {"type": "notify", "value": [agent_id]},
            {"type": "send_email", "value": {"template": "ticket_opened"}},
        ],
    )
    created = await tenant.create_ticket(subject="Anything")
    comments = (await tenant.get(f"/tickets/{created['key']}/comments")).json()
    assert [(c["body"], c["visibility"], c["author"]["name"]) for c in comments] == [
        ("Triage within the hour", "internal", "Heads-up")
    ]
    async with db.unit_of_work() as session:
        kinds = list(
            await session.scalars(
                select(Notification.kind).where(Notification.ticket_id == uuid.UUID(created["id"]))
            )
        )
    assert kinds == ["automation"]


async def test_a_rule_never_refires_on_its_own_change(tenant):
    await rule(
        tenant,
        trigger="ticket.updated",
        name="Bump",
        actions=[
            {"type": "add_labels", "value": ["touched"]},
            {"type": "set_priority", "value": "high"},
        ],
    )
    await rule(
        tenant,
        trigger="ticket.updated",
        name="Flip",
        conditions={"all": [{"field": "priority", "op": "is", "value": "high"}]},
        actions=[{"type": "set_priority", "value": "low"}],
    )
    created = await tenant.create_ticket(subject="Loop?")
    assert created["priority"] == "normal"  # update rules do not run on create
    patched = await tenant.patch(f"/tickets/{created['key']}", json={"subject": "Loop!"})
    assert patched.status_code == 200
    assert patched.json()["labels"] == ["touched"]
    assert patched.json()["priority"] == "low"  # Bump, then Flip (rules run in order), once
    types = Counter(e["type"] for e in await activity(tenant, created["key"]))
    assert types["ticket.labels_changed"] == 1
    assert types["ticket.priority_changed"] == 2


async def test_a_failing_rule_is_logged_and_skipped(tenant):
    nobody = await team(tenant, "Nobody yet", [])  # round robin over no one fails as it runs
    await rule(
        tenant,
        name="Broken",
        position=0,
        actions=[
            {"type": "set_team", "value": nobody["id"]},
            {"type": "assign", "value": "round_robin"},
            {"type": "add_labels", "value": ["never"]},
        ],
    )
    await rule(tenant, name="Works", position=1, actions=[{"type": "add_labels", "value": ["ok"]}])
    created = await tenant.create_ticket(subject="Still created")
    assert created["labels"] == ["ok"]
    failed = [
        e for e in await activity(tenant, created["key"]) if e["type"] == "ticket.automation_failed"
    ]
    assert len(failed) == 1
    assert failed[0]["actor"] == {"kind": "system", "id": None, "name": "Broken"}
    assert "No active agent" in failed[0]["data"]["error"]
    assert created["team"] is None  # the whole rule rolled back


async def test_round_robin_is_fair_and_least_loaded_balances(tenant):
    ids = [tenant.users["agent"]["id"]]
    for n in (2, 3):
        ids.append((await tenant.add_user("agent", f"Agent {n}", key=f"agent{n}"))["id"])
    squad = await team(tenant, "Squad", ids)
    await rule(
        tenant,
        name="RR",
        actions=[
            {"type": "set_team", "value": squad["id"]},
            {"type": "assign", "value": "round_robin"},
        ],
    )
    assignees = [(await tenant.create_ticket(subject=f"t{i}"))["assignee"]["id"] for i in range(9)]
    assert Counter(assignees) == {i: 3 for i in ids}
    assert assignees[:3] == assignees[3:6] == assignees[6:]  # a strict rotation
    rr = (await tenant.get("/automations")).json()[0]
    await tenant.delete(f"/automations/{rr['id']}")
    for _ in range(3):  # ids[0] now carries 6 open tickets, the others 3
        await tenant.create_ticket(subject="manual", assignee_id=ids[0])
    await rule(
        tenant,
        name="LL",
        actions=[
            {"type": "set_team", "value": squad["id"]},
            {"type": "assign", "value": "least_loaded"},
        ],
    )
    new = [(await tenant.create_ticket(subject=f"n{i}"))["assignee"]["id"] for i in range(3)]
    assert ids[0] not in new
    assert sorted(Counter(new).values()) == [1, 2]


async def test_auto_assign_settings_by_domain_and_keyword(tenant):
    agent_id = tenant.users["agent"]["id"]
    billing = await team(tenant, "Billing", [agent_id])
    response = await tenant.put(
        "/settings/auto-assign",
        json={
            "rules": [
                {"email_domain": "bigcorp.com", "assign": agent_id},
                {
                    "subject_keywords": ["invoice", "refund"],
                    "team_id": billing["id"],
                    "assign": "round_robin",
                },
            ]
        },
    )
    assert response.status_code == 200, response.text
    # filed unassigned (an agent's own ticket is theirs): the rules pick the assignee
    by_domain = await tenant.create_ticket(requester={"email": "x@BigCorp.com"}, assignee_id=None)
    assert by_domain["assignee"]["id"] == agent_id
    by_keyword = await tenant.create_ticket(subject="Invoice missing", assignee_id=None)
    assert by_keyword["team"]["id"] == billing["id"]
    assert by_keyword["assignee"]["id"] == agent_id
    nothing = await tenant.create_ticket(subject="Hello", assignee_id=None)
    assert nothing["assignee"] is None
    assert len((await tenant.get("/settings/auto-assign")).json()["rules"]) == 2
    bad = await tenant.put("/settings/auto-assign", json={"rules": [{"label": "x"}]})
    assert bad.status_code == 422


async def test_rules_are_admin_only_and_tenant_scoped(tenant, other_tenant):
    created = await rule(tenant, actions=[{"type": "set_priority", "value": "low"}])
    denied = await tenant.post(
        "/automations",
        role="agent",
        json={
            "name": "x",
            "trigger": "schedule",
            "actions": [{"type": "set_priority", "value": "low"}],
        },
    )
    assert denied.status_code == 403
    assert (await other_tenant.get(f"/automations/{created['id']}")).status_code == 404
    assert (await other_tenant.delete(f"/automations/{created['id']}")).status_code == 404
    assert (await tenant.delete(f"/automations/{created['id']}")).status_code == 204


async def test_rules_naming_what_the_workspace_lacks_are_refused_when_saved(tenant, other_tenant):
    """Another workspace's real agent and team, an unknown status and template, a viewer as
    assignee: each refused at its place when the rule is saved, and nothing is written."""
    theirs = await team(other_tenant, "Their team", [])
    their_agent = other_tenant.users["agent"]["id"]
    their_status = {"name": "archived", "label": "Archived", "category": "closed"}
    assert (await other_tenant.post("/statuses", json=their_status)).status_code == 201
    viewer = tenant.users["viewer"]["id"]
    body = {
        "name": "Misnamed",
        "trigger": "ticket.created",
        "conditions": {"all": [{"field": "assignee", "op": "in", "value": [their_agent]}]},
        "actions": [
            {"type": "set_status", "value": "archived"},
            {"type": "set_team", "value": theirs["id"]},
            {"type": "assign", "value": their_agent},
            {"type": "notify", "value": ["assignee", their_agent]},
            {"type": "send_email", "value": {"template": "no_such_template"}},
            {"type": "add_labels", "value": ["fine"]},
        ],
    }
    response = await tenant.post("/automations", json=body)
    assert response.status_code == 422, response.text
    locs = [e["loc"] for e in response.json()["errors"]]
    assert sorted(map(str, locs)) == sorted(
        map(
            str,
            [
                ["body", "actions", 0, "value"],
                ["body", "actions", 1, "value"],
                ["body", "actions", 2, "value"],
                ["body", "actions", 3, "value", 1],
                ["body", "actions", 4, "value", "template"],
                ["body", "conditions", "all", 0, "value", 0],
            ],
        )
    )
    assert "archived" in response.json()["detail"]
    assert (await tenant.get("/automations")).json() == []
    as_viewer = {**body, "conditions": {}, "actions": [{"type": "assign", "value": viewer}]}
    refused = await tenant.post("/automations", json=as_viewer)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["loc"] == ["body", "actions", 0, "value"]

    ours = await team(tenant, "Ours", [tenant.users["agent"]["id"]])
    good = await rule(tenant, actions=[{"type": "set_team", "value": ours["id"]}])
    for change in (
        {"actions": [{"type": "set_team", "value": theirs["id"]}]},
        {"conditions": {"any": [{"field": "team", "op": "is", "value": theirs["id"]}]}},
        {"conditions": {"all": [{"field": "status", "op": "is", "value": "archived"}]}},
    ):
        patched = await tenant.patch(f"/automations/{good['id']}", json=change)
        assert patched.status_code == 422, patched.text
    assert (await tenant.get(f"/automations/{good['id']}")).json()["actions"] == good["actions"]
    fine = await tenant.patch(
        f"/automations/{good['id']}",
        json={"conditions": {"all": [{"field": "status", "op": "is", "value": "Waiting"}]}},
    )
    assert fine.status_code == 200, fine.text

    assign = await tenant.put(
        "/settings/auto-assign", json={"rules": [{"label": "vip", "team_id": theirs["id"]}]}
    )
    assert assign.status_code == 422
    assert assign.json()["errors"][0]["loc"] == ["body", "rules", 0, "team_id"]
    assert (await tenant.get("/settings/auto-assign")).json()["rules"] == []
