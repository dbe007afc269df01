"""Approvals: a gated change answers 202 and waits; an approver applies it (checked again) or
rejects it with a reason; everything shows in the activity log and reaches webhooks."""

from __future__ import annotations

from tests.fields.helpers import refund_desk
from tests.support import eventually
from tests.webhooks.conftest import subscribe

GATE = {
    "approvals": [
        {
            "to": "resolved",
            "when": {"field": "refund_amount", "op": "gt", "value": 200},
            "approver_roles": ["admin"],
        }
    ]
}


async def _refund(tenant, amount="250.00", **extra):
    return await tenant.create_ticket(
        type="refund",
        custom_fields={"reason": "damaged", "refund_amount": amount, "order_id": "A-7"},
        **extra,
    )


async def _ask(tenant, ticket, role="agent", **body):
    response = await tenant.patch(
        f"/tickets/{ticket['key']}", json={"status": "resolved", **body}, role=role
    )
    return response


async def test_the_full_cycle(tenant, receiver):
    hook = await subscribe(
        tenant, receiver, ["ticket.approval_requested", "ticket.approval_decided"]
    )
    await refund_desk(tenant, **GATE)
    ticket = await _refund(tenant)
    asked = await _ask(tenant, ticket, priority="high")
    assert asked.status_code == 202, asked.text
    approval = asked.json()["approval"]
    assert approval["state"] == "pending"
    assert approval["ticket"] == ticket["key"]
    assert approval["changes"] == {"status": "resolved", "priority": "high"}
    assert approval["requested_by"]["id"] == tenant.users["agent"]["id"]
    assert approval["approver_roles"] == ["admin"]
    # the ticket is as it was
    unchanged = (await tenant.get(f"/tickets/{ticket['key']}")).json()
    assert (unchanged["status"], unchanged["priority"], unchanged["version"]) == (
        "open",
        "normal",
        ticket["version"],
    )
    queue = (await tenant.get("/approvals", role="viewer")).json()["items"]
    assert [a["id"] for a in queue] == [approval["id"]]
    assert (await tenant.get("/approvals/counts")).json() == {"pending": 1, "for_me": 1}
    assert (await tenant.get("/approvals/counts", role="agent")).json() == {
        "pending": 1,
        "for_me": 0,
    }
    # an agent may not decide; the admin approves and the change is applied
    refused = await tenant.post(f"/approvals/{approval['id']}/approve", role="agent")
    assert refused.status_code == 403
    approved = await tenant.post(
        f"/approvals/{approval['id']}/approve", json={"comment": "Photos checked"}
    )
    assert approved.status_code == 200, approved.text
    assert approved.json()["state"] == "approved"
    assert approved.json()["decided_by"]["id"] == tenant.users["admin"]["id"]
    done = (await tenant.get(f"/tickets/{ticket['key']}")).json()
    assert (done["status"], done["priority"]) == ("resolved", "high")
    assert (await tenant.get("/approvals")).json()["items"] == []
    decided = (await tenant.get("/approvals?state=approved")).json()["items"]
    assert decided[0]["comment"] == "Photos checked"
    again = await tenant.post(f"/approvals/{approval['id']}/approve")
    assert again.status_code == 409
    activity = (await tenant.get(f"/tickets/{ticket['key']}/activity")).json()["items"]
    types = [event["type"] for event in activity]
    assert types.index("ticket.approval_requested") < types.index("ticket.approval_decided")
    assert types.index("ticket.approval_decided") > types.index("ticket.status_changed")
    decided_event = next(e for e in activity if e["type"] == "ticket.approval_decided")
    assert decided_event["data"]["state"] == "approved"

    async def delivered():
        return {r.json["type"] for r in receiver.requests} >= {
            "ticket.approval_requested",
            "ticket.approval_decided",
        }

    await eventually(delivered, "both approval webhooks")
    assert sorted(hook["events"]) == ["ticket.approval_decided", "ticket.approval_requested"]


async def test_no_approval_below_the_threshold_or_for_an_approver(tenant):
    await refund_desk(tenant, **GATE)
    small = await _refund(tenant, amount="200.00")
    assert (await _ask(tenant, small)).status_code == 200
    big = await _refund(tenant)
    assert (await _ask(tenant, big, role="admin")).status_code == 200
    assert (await tenant.get("/approvals")).json()["items"] == []
    # the amount sent with the change counts
    raised = await _refund(tenant, amount="20")
    asked = await _ask(tenant, raised, custom_fields={"refund_amount": "200.01"})
    assert asked.status_code == 202
    assert (await tenant.get(f"/tickets/{raised['key']}")).json()["custom_fields"][
        "refund_amount"
    ] == "20"


async def test_reject_with_a_comment_leaves_the_ticket(tenant):
    await refund_desk(tenant, **GATE)
    ticket = await _refund(tenant)
    approval = (await _ask(tenant, ticket)).json()["approval"]
    no_reason = await tenant.post(f"/approvals/{approval['id']}/reject", json={})
    assert no_reason.status_code == 422
    rejected = await tenant.post(
        f"/approvals/{approval['id']}/reject", json={"comment": "Outside the return window"}
    )
    assert rejected.status_code == 200, rejected.text
    assert rejected.json()["state"] == "rejected"
    assert rejected.json()["comment"] == "Outside the return window"
    assert (await tenant.get(f"/tickets/{ticket['key']}")).json()["status"] == "open"
    events = (
        await tenant.get(f"/tickets/{ticket['key']}/activity?type=ticket.approval_decided")
    ).json()["items"]
    assert events[0]["data"]["state"] == "rejected"
    assert events[0]["data"]["comment"] == "Outside the return window"
    # asked again, it waits again
    assert (await _ask(tenant, ticket)).status_code == 202


async def test_nobody_approves_their_own_request(tenant):
    await refund_desk(tenant, **GATE)
    ticket = await _refund(tenant)
    approval = (await _ask(tenant, ticket)).json()["approval"]
    # the agent who asked becomes an admin: still not their own approver
    agent = tenant.users["agent"]
    promoted = await tenant.patch(f"/users/{agent['id']}", json={"role": "admin"})
    assert promoted.status_code == 200, promoted.text
    own = await tenant.post(f"/approvals/{approval['id']}/approve", role="agent")
    assert own.status_code == 403 and "another approver" in own.json()["detail"]
    assert (await tenant.get(f"/tickets/{ticket['key']}")).json()["status"] == "open"


async def test_a_stale_approval_fails_cleanly(tenant):
    await refund_desk(tenant, **GATE)
    ticket = await _refund(tenant)
    approval = (await _ask(tenant, ticket)).json()["approval"]
    # one change at a time waits
    second = await _ask(tenant, ticket)
    assert second.status_code == 409 and approval["id"] in second.json()["detail"]
    # meanwhile the amount is lowered: what the approval looked at changed
    lowered = await tenant.patch(
        f"/tickets/{ticket['key']}", json={"custom_fields": {"refund_amount": "150"}}
    )
    assert lowered.status_code == 200
    stale = await tenant.post(f"/approvals/{approval['id']}/approve")
    assert stale.status_code == 409, stale.text
    assert "refund_amount" in stale.json()["detail"]
    after = (await tenant.get(f"/tickets/{ticket['key']}")).json()
    assert after["status"] == "open"
    pending = (await tenant.get("/approvals")).json()["items"]
    assert [a["state"] for a in pending] == ["pending"]


async def test_an_approved_change_is_checked_against_the_rules_again(tenant):
    """The type's rules changed since the request: resolving now needs a category, so the
    approval cannot apply and stays pending (nothing written)."""
    await refund_desk(tenant, **GATE)
    ticket = await _refund(tenant)
    approval = (await _ask(tenant, ticket)).json()["approval"]
    tightened = await tenant.patch(
        "/ticket-types/refund", json={"required_fields": {"resolved": ["category"]}}
    )
    assert tightened.status_code == 200
    refused = await tenant.post(f"/approvals/{approval['id']}/approve")
    assert refused.status_code == 422, refused.text
    assert refused.json()["errors"][0]["loc"] == ["body", "category"]
    assert (await tenant.get(f"/tickets/{ticket['key']}")).json()["status"] == "open"
    assert (await tenant.get(f"/approvals/{approval['id']}")).json()["state"] == "pending"


async def test_bulk_and_automations_ask_for_approval_too(tenant):
    await refund_desk(tenant, **GATE)
    big = await _refund(tenant)
    small = await _refund(tenant, amount="5")
    response = await tenant.post(
        "/tickets/bulk",
        json={"tickets": [big["key"], small["key"]], "changes": {"status": "resolved"}},
        role="agent",
    )
    results = response.json()["results"]
    assert results[0]["ok"] is False and results[0]["error"]["status"] == 202
    assert results[0]["approval"]["state"] == "pending"
    assert results[1]["ok"] is True
    assert (await tenant.get(f"/tickets/{big['key']}")).json()["status"] == "open"
    rule = await tenant.post(
        "/automations",
        json={
            "name": "Auto-resolve",
            "trigger": "ticket.created",
            "conditions": {"all": [{"field": "subject", "op": "contains", "value": "auto"}]},
            "actions": [{"type": "set_status", "value": "resolved"}],
        },
    )
    assert rule.status_code == 201
    by_rule = await _refund(tenant, subject="auto refund")
    assert by_rule["status"] == "open"
    waiting = (await tenant.get(f"/approvals?ticket={by_rule['key']}")).json()["items"]
    assert waiting[0]["requested_by"] == {"kind": "system", "id": None, "name": "Auto-resolve"}
    # any admin may approve what a rule asked for
    approved = await tenant.post(f"/approvals/{waiting[0]['id']}/approve")
    assert approved.status_code == 200, approved.text
    assert (await tenant.get(f"/tickets/{by_rule['key']}")).json()["status"] == "resolved"


async def test_another_workspaces_approvals_are_404(tenant, other_tenant):
    await refund_desk(other_tenant, **GATE)
    ticket = await _refund(other_tenant)
    approval = (await _ask(other_tenant, ticket)).json()["approval"]
    for method, url, body in [
        ("GET", f"/approvals/{approval['id']}", None),
        ("POST", f"/approvals/{approval['id']}/approve", None),
        ("POST", f"/approvals/{approval['id']}/reject", {"comment": "no"}),
    ]:
        response = await tenant.request(method, url, json=body)
        assert response.status_code == 404, (url, response.text)
    assert (await tenant.get("/approvals")).json()["items"] == []
    assert (await other_tenant.get(f"/approvals/{approval['id']}")).json()["state"] == "pending"
