"""A ticket type's lifecycle holds on every surface that changes a status: the API, bulk
changes (per ticket), automations, auto-close, merges and reopening."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.fields.helpers import define, define_type, error_locs
from ticketdesk.automations import service as automations
from ticketdesk.db import utcnow

# open -> in_progress (anyone); in_progress -> resolved (admins only, with a resolution);
# resolved -> closed; anything -> open (a reopen)
RETURN_TYPE = {
    "key": "return",
    "name": "Return",
    "statuses": ["open", "in_progress", "waiting", "resolved", "closed"],
    "initial_status": "open",
    "transitions": [
        {"from": "open", "to": ["in_progress", "waiting"]},
        {"from": "waiting", "to": ["in_progress", "closed"]},
        {"from": "in_progress", "to": ["resolved"], "roles": ["admin"]},
        {"from": "resolved", "to": ["closed"]},
        {"from": "*", "to": ["open"]},
    ],
    "required_fields": {"resolved": ["resolution", "category"]},
}


async def returns_desk(tenant):
    await define(tenant, key="resolution", label="Resolution note", kind="long_text")
    await define_type(tenant, **RETURN_TYPE)


async def _ticket(tenant, **fields):
    return await tenant.create_ticket(type="return", **fields)


@pytest.mark.parametrize(
    ("start", "target", "role", "status", "allowed"),
    [
        ("open", "in_progress", "agent", 200, None),
        ("open", "resolved", "agent", 409, ["in_progress", "waiting"]),
        ("open", "closed", "admin", 409, ["in_progress", "waiting"]),
        ("in_progress", "resolved", "agent", 403, ["open"]),
        ("in_progress", "waiting", "admin", 409, ["open", "resolved"]),
    ],
)
async def test_transition_matrix(tenant, start, target, role, status, allowed):
    await returns_desk(tenant)
    ticket = await _ticket(tenant, category="damaged")
    url = f"/tickets/{ticket['key']}"
    if start != "open":
        assert (await tenant.patch(url, json={"status": start})).status_code == 200
    before = (await tenant.get(url)).json()
    response = await tenant.patch(url, json={"status": target}, role=role)
    assert response.status_code == status, response.text
    if allowed is not None:
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["allowed"] == allowed
        assert target in response.json()["detail"]
        after = (await tenant.get(url)).json()
        assert (after["status"], after["version"]) == (before["status"], before["version"])


async def test_a_status_outside_the_type_is_a_409(tenant):
    await define_type(tenant, key="lead", name="Lead", statuses=["open", "closed"])
    ticket = await tenant.create_ticket(type="lead")
    refused = await tenant.patch(f"/tickets/{ticket['key']}", json={"status": "waiting"})
    assert refused.status_code == 409 and refused.json()["allowed"] == ["closed"]
    created_in = await tenant.post(
        "/tickets", json={"subject": "x", "type": "lead", "status": "waiting"}
    )
    assert created_in.status_code == 409
    # changing a waiting ticket's type to one without `waiting` is refused too
    other = await tenant.create_ticket(type="task")
    await tenant.patch(f"/tickets/{other['key']}", json={"status": "waiting"})
    moved = await tenant.patch(f"/tickets/{other['key']}", json={"type": "lead"})
    assert moved.status_code == 409
    both = await tenant.patch(f"/tickets/{other['key']}", json={"type": "lead", "status": "closed"})
    assert both.status_code == 200 and both.json()["type"] == "lead"


async def test_required_fields_per_status_are_named_each(tenant):
    await returns_desk(tenant)
    ticket = await _ticket(tenant)
    url = f"/tickets/{ticket['key']}"
    await tenant.patch(url, json={"status": "in_progress"})
    missing = await tenant.patch(url, json={"status": "resolved"})
    assert missing.status_code == 422, missing.text
    assert error_locs(missing) == [["body", "custom_fields", "resolution"], ["body", "category"]]
    assert "Resolution note" in missing.json()["errors"][0]["msg"]
    half = await tenant.patch(
        url, json={"status": "resolved", "custom_fields": {"resolution": "Refunded."}}
    )
    assert error_locs(half) == [["body", "category"]]
    assert (await tenant.get(url)).json()["custom_fields"] == {}
    done = await tenant.patch(
        url,
        json={
            "status": "resolved",
            "category": "damaged",
            "custom_fields": {"resolution": "Refunded."},
        },
    )
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "resolved"


async def test_the_caller_sees_the_transitions_open_to_them(tenant):
    await returns_desk(tenant)
    ticket = await _ticket(tenant)
    url = f"/tickets/{ticket['key']}"
    await tenant.patch(url, json={"status": "in_progress"})
    as_agent = (await tenant.get(f"{url}/transitions", role="agent")).json()
    assert [t["status"] for t in as_agent["transitions"]] == ["open"]
    as_admin = (await tenant.get(f"{url}/transitions")).json()
    assert [t["status"] for t in as_admin["transitions"]] == ["open", "resolved"]
    resolved = next(t for t in as_admin["transitions"] if t["status"] == "resolved")
    assert resolved["required_fields"] == ["resolution", "category"]
    assert resolved["missing_fields"] == ["resolution", "category"]
    assert resolved["needs_approval"] is False
    assert (await tenant.get(f"{url}/transitions", role="viewer")).json()["transitions"] == []
    free = await tenant.create_ticket(type="task")
    names = [
        t["status"]
        for t in (await tenant.get(f"/tickets/{free['key']}/transitions")).json()["transitions"]
    ]
    assert names == ["in_progress", "waiting", "resolved", "closed"]


async def test_bulk_reports_each_refusal_and_applies_the_rest(tenant):
    await returns_desk(tenant)
    first = await _ticket(tenant)
    second = await _ticket(tenant)
    free = await tenant.create_ticket(type="task")
    await tenant.patch(f"/tickets/{second['key']}", json={"status": "in_progress"})
    response = await tenant.post(
        "/tickets/bulk",
        json={
            "tickets": [first["key"], second["key"], free["key"]],
            "changes": {"status": "resolved"},
        },
        role="agent",
    )
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [r["ok"] for r in results] == [False, False, True]
    assert results[0]["error"]["status"] == 409
    assert results[0]["error"]["allowed"] == ["in_progress", "waiting"]
    assert results[1]["error"]["status"] == 403  # agents may not resolve returns
    statuses = [
        (await tenant.get(f"/tickets/{t['key']}")).json()["status"] for t in (first, second, free)
    ]
    assert statuses == ["open", "in_progress", "resolved"]


async def test_automations_follow_the_lifecycle(tenant):
    await returns_desk(tenant)
    rule = await tenant.post(
        "/automations",
        json={
            "name": "Close returns",
            "trigger": "ticket.created",
            "conditions": {"all": [{"field": "subject", "op": "contains", "value": "close"}]},
            "actions": [{"type": "set_status", "value": "closed"}],
        },
    )
    assert rule.status_code == 201
    refused = await _ticket(tenant, subject="please close")
    assert refused["status"] == "open"
    failures = (
        await tenant.get(f"/tickets/{refused['key']}/activity?type=ticket.automation_failed")
    ).json()["items"]
    assert "cannot go from 'open' to 'closed'" in failures[0]["data"]["error"]
    free = await tenant.create_ticket(subject="please close", type="task")
    assert free["status"] == "closed"


async def test_auto_close_skips_tickets_whose_lifecycle_refuses_it(tenant, db):
    await define_type(
        tenant,
        key="claim",
        name="Claim",
        transitions=[{"from": "*", "to": ["open", "in_progress", "waiting", "resolved"]}],
    )
    stuck = await tenant.create_ticket(type="claim")
    free = await tenant.create_ticket(type="task")
    for ticket in (stuck, free):
        await tenant.patch(f"/tickets/{ticket['key']}", json={"status": "waiting"})
    setting = await tenant.post(
        "/settings/auto-close", json={"reminder_after_days": 1, "close_after_days": 2}
    )
    assert setting.status_code == 200, setting.text
    later = utcnow() + timedelta(days=3)
    await automations.run_auto_close(db, now=later)
    done = await automations.run_auto_close(db, now=later + timedelta(days=2))
    assert done["closed"] >= 1
    assert (await tenant.get(f"/tickets/{free['key']}")).json()["status"] == "closed"
    assert (await tenant.get(f"/tickets/{stuck['key']}")).json()["status"] == "waiting"


async def test_merging_closes_the_source_only_if_its_lifecycle_allows(tenant):
    await define_type(
        tenant, key="claim", name="Claim", transitions=[{"from": "*", "to": ["open", "resolved"]}]
    )
    source = await tenant.create_ticket(type="claim")
    target = await tenant.create_ticket()
    refused = await tenant.post(f"/tickets/{source['key']}/merge", json={"into": target["key"]})
    assert refused.status_code == 409, refused.text
    assert (await tenant.get(f"/tickets/{source['key']}")).json()["merged_into"] is None
    free = await tenant.create_ticket(type="task")
    merged = await tenant.post(f"/tickets/{free['key']}/merge", json={"into": target["key"]})
    assert merged.status_code == 200, merged.text


async def test_reopening_goes_to_the_types_initial_status_if_allowed(tenant):
    await define_type(
        tenant,
        key="claim",
        name="Claim",
        initial_status="in_progress",
        transitions=[{"from": "in_progress", "to": ["resolved"]}],
    )
    ticket = await tenant.create_ticket(type="claim")
    assert ticket["status"] == "in_progress"
    await tenant.patch(f"/tickets/{ticket['key']}", json={"status": "resolved"})
    refused = await tenant.post(f"/tickets/{ticket['key']}/reopen")
    assert refused.status_code == 409 and refused.json()["allowed"] == []
    await tenant.patch(
        "/ticket-types/claim",
        json={"transitions": [{"from": "*", "to": ["in_progress", "resolved"]}]},
    )
    reopened = await tenant.post(f"/tickets/{ticket['key']}/reopen")
    assert reopened.status_code == 200 and reopened.json()["status"] == "in_progress"


async def test_existing_tickets_without_a_type_keep_working(tenant):
    ticket = await tenant.create_ticket()
    assert ticket["type"] is None
    for status in ("closed", "open", "resolved"):
        assert (
            await tenant.patch(f"/tickets/{ticket['key']}", json={"status": status})
        ).status_code == 200
