"""Ticket types: built in for every workspace, and defined by admins with a lifecycle."""

from __future__ import annotations

import pytest

from tests.fields.helpers import define, define_type, error_locs


async def test_new_workspaces_have_the_built_in_types_unrestricted(tenant):
    types = (await tenant.get("/ticket-types", role="viewer")).json()
    assert [t["key"] for t in types] == ["question", "incident", "problem", "task"]
    for ticket_type in types:
        assert ticket_type["statuses"] is None and ticket_type["transitions"] is None
        assert ticket_type["required_fields"] == {} and ticket_type["approvals"] == []
    ticket = await tenant.create_ticket(type="task")
    for status in ("resolved", "waiting", "closed", "open"):
        moved = await tenant.patch(f"/tickets/{ticket['key']}", json={"status": status})
        assert moved.status_code == 200, moved.text


async def test_admin_defines_a_type_with_its_lifecycle(tenant):
    await define(tenant, key="resolution", label="Resolution", kind="long_text")
    created = await define_type(
        tenant,
        key="return",
        name="Return",
        statuses=["open", "in_progress", "resolved"],
        initial_status="in_progress",
        transitions=[
            {"from": "in_progress", "to": ["resolved"], "roles": ["admin"]},
            {"from": "*", "to": ["open"]},
        ],
        required_fields={"resolved": ["resolution", "assignee"]},
        approvals=[{"to": "resolved", "approver_roles": ["admin"]}],
    )
    assert created["transitions"] == [
        {"from": "in_progress", "to": ["resolved"], "roles": ["admin"]},
        {"from": "*", "to": ["open"], "roles": None},
    ]
    assert created["approvals"] == [{"to": "resolved", "when": None, "approver_roles": ["admin"]}]
    assert (await tenant.get("/ticket-types/return", role="agent")).json()["name"] == "Return"
    ticket = await tenant.create_ticket(type="return")
    assert ticket["status"] == "in_progress"  # its initial status
    renamed = await tenant.patch("/ticket-types/return", json={"name": "Returns"})
    assert renamed.status_code == 200 and renamed.json()["statuses"] == [
        "open",
        "in_progress",
        "resolved",
    ]
    lifted = await tenant.patch("/ticket-types/return", json={"transitions": None})
    assert lifted.json()["transitions"] is None


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"key": "Return", "name": "R"}, ["body", "key"]),
        ({"key": "r", "name": "R", "statuses": ["open", "nope"]}, ["body", "statuses", 1]),
        (
            {"key": "r", "name": "R", "statuses": ["open"], "initial_status": "resolved"},
            ["body", "initial_status"],
        ),
        (
            {"key": "r", "name": "R", "transitions": [{"from": "open", "to": ["nope"]}]},
            ["body", "transitions", 0, "to", 0],
        ),
        (
            {"key": "r", "name": "R", "transitions": [{"from": "x", "to": ["open"]}]},
            ["body", "transitions", 0, "from"],
        ),
        (
            {
                "key": "r",
                "name": "R",
                "transitions": [{"from": "open", "to": ["resolved"], "roles": ["owner"]}],
            },
            None,
        ),
        (
            {"key": "r", "name": "R", "required_fields": {"resolved": ["no_such_field"]}},
            ["body", "required_fields", "resolved", 0],
        ),
        (
            {"key": "r", "name": "R", "approvals": [{"to": "nowhere"}]},
            ["body", "approvals", 0, "to"],
        ),
        (
            {
                "key": "r",
                "name": "R",
                "approvals": [{"to": "resolved", "when": {"field": "x", "op": "gt", "value": 1}}],
            },
            ["body", "approvals", 0, "when", "field"],
        ),
        (
            {
                "key": "r",
                "name": "R",
                "approvals": [
                    {"to": "resolved", "when": {"field": "priority", "op": "gt", "value": "a"}}
                ],
            },
            ["body", "approvals", 0, "when", "value"],
        ),
    ],
)
async def test_a_lifecycle_naming_what_does_not_exist_is_refused(tenant, body, loc):
    response = await tenant.post("/ticket-types", json=body)
    assert response.status_code == 422, response.text
    if loc is not None:
        assert loc in error_locs(response)
    assert len((await tenant.get("/ticket-types")).json()) == 4


async def test_keys_are_unique_and_only_admins_define_types(tenant):
    assert (
        await tenant.post("/ticket-types", json={"key": "task", "name": "Again"})
    ).status_code == 409
    refused = await tenant.post("/ticket-types", json={"key": "x", "name": "X"}, role="agent")
    assert refused.status_code == 403
    assert (await tenant.patch("/ticket-types/nope", json={"name": "x"})).status_code == 404


async def test_archived_types_stay_on_their_tickets_but_new_tickets_cannot_get_them(tenant):
    ticket = await tenant.create_ticket(type="problem")
    assert (await tenant.delete("/ticket-types/problem")).status_code == 204
    listed = {t["key"]: t for t in (await tenant.get("/ticket-types")).json()}
    assert listed["problem"]["archived"] is True
    assert (await tenant.get(f"/tickets/{ticket['key']}")).json()["type"] == "problem"
    patched = await tenant.patch(f"/tickets/{ticket['key']}", json={"priority": "high"})
    assert patched.status_code == 200
    refused = await tenant.post("/tickets", json={"subject": "x", "type": "problem"})
    assert refused.status_code == 422 and "archived" in refused.json()["detail"]
    await tenant.patch("/ticket-types/problem", json={"archived": False})
    assert (await tenant.create_ticket(type="problem"))["type"] == "problem"


async def test_another_workspaces_types_are_invisible(tenant, other_tenant):
    await define_type(other_tenant, key="secret", name="Secret")
    assert "secret" not in {t["key"] for t in (await tenant.get("/ticket-types")).json()}
    assert (await tenant.get("/ticket-types/secret")).status_code == 404
    assert (await tenant.patch("/ticket-types/secret", json={"name": "x"})).status_code == 404
    assert (await tenant.delete("/ticket-types/secret")).status_code == 404
    refused = await tenant.post("/tickets", json={"subject": "x", "type": "secret"})
    assert refused.status_code == 422
