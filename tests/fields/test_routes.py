"""Custom field definitions: an admin defines typed fields; tickets then hold typed values."""

from __future__ import annotations

import uuid

import pytest

from tests.fields.helpers import define, define_type, error_locs, refund_desk

EVERY_KIND = [
    ("text_f", "text", {}, "Order 78932", "Order 78932"),
    ("long_f", "long_text", {}, "one\ntwo", "one\ntwo"),
    ("int_f", "integer", {}, 42, 42),
    ("money_f", "decimal", {}, "89.99", "89.99"),
    ("drop_f", "dropdown", {"options": [{"value": "a", "label": "A"}]}, "a", "a"),
    (
        "multi_f",
        "multi_select",
        {"options": [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}]},
        ["b", "a"],
        ["b", "a"],
    ),
    ("date_f", "date", {}, "2026-11-21", "2026-11-21"),
    ("check_f", "checkbox", {}, True, True),
    ("email_f", "email", {}, "Ada@Example.com", "ada@example.com"),
    ("url_f", "url", {}, "https://example.com/x", "https://example.com/x"),
]


async def test_admin_defines_a_field_and_lists_it_in_order(tenant):
    created = await define(
        tenant,
        key="refund_amount",
        label="Refund amount",
        kind="decimal",
        validation={"min": "0", "max": 500},
        required=False,
    )
    assert created["kind"] == "decimal" and created["archived"] is False
    assert created["validation"] == {"min": "0", "max": 500}
    await define(tenant, key="order_id", label="Order", kind="text", position=0)
    listed = (await tenant.get("/custom-fields", role="viewer")).json()
    assert [f["key"] for f in listed] == ["order_id", "refund_amount"]
    one = await tenant.get("/custom-fields/refund_amount", role="agent")
    assert one.status_code == 200 and one.json()["label"] == "Refund amount"


async def test_only_admins_define_fields(tenant):
    body = {"key": "x", "label": "X", "kind": "text"}
    assert (await tenant.post("/custom-fields", json=body, role="agent")).status_code == 403
    assert (await tenant.get("/custom-fields")).json() == []


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"key": "Bad-Key", "label": "X", "kind": "text"}, ["body", "key"]),
        ({"key": "x", "label": "X", "kind": "colour"}, ["body", "kind"]),
        ({"key": "x", "label": "X", "kind": "dropdown"}, ["body", "options"]),
        (
            {"key": "x", "label": "X", "kind": "text", "options": [{"value": "a", "label": "A"}]},
            ["body", "options"],
        ),
        (
            {
                "key": "x",
                "label": "X",
                "kind": "dropdown",
                "options": [{"value": "a", "label": "A"}, {"value": "a", "label": "B"}],
            },
            ["body", "options"],
        ),
        (
            {
                "key": "x",
                "label": "X",
                "kind": "dropdown",
                "options": [{"value": "a,b", "label": "A"}],
            },
            ["body", "options", 0, "value"],
        ),
        ({"key": "x", "label": "X", "kind": "text", "validation": {"min": 1}}, None),
        ({"key": "x", "label": "X", "kind": "integer", "validation": {"min": 5, "max": 1}}, None),
        ({"key": "x", "label": "X", "kind": "text", "validation": {"pattern": "("}}, None),
        ({"key": "x", "label": "X", "kind": "date", "validation": {"min": "tomorrow"}}, None),
        ({"key": "x", "label": "X", "kind": "text", "ticket_types": ["nope"]}, None),
        (
            {
                "key": "x",
                "label": "X",
                "kind": "text",
                "visible_when": {"field": "nope", "op": "is"},
            },
            ["body", "visible_when", "field"],
        ),
        ({"key": "x", "label": "X", "kind": "checkbox", "autofill": "channel"}, None),
        ({"key": "x", "label": "X", "kind": "text", "autofill": "visitor.mood"}, None),
        ({"key": "category", "label": "X", "kind": "text"}, ["body", "key"]),
    ],
)
async def test_definitions_that_could_hold_no_value_are_refused(tenant, body, loc):
    response = await tenant.post("/custom-fields", json=body)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    if loc is not None:
        assert loc in error_locs(response)
    assert (await tenant.get("/custom-fields")).json() == []


async def test_keys_are_unique_and_the_kind_cannot_change(tenant):
    await define(tenant, key="order_id", label="Order", kind="text")
    again = await tenant.post(
        "/custom-fields", json={"key": "order_id", "label": "Again", "kind": "integer"}
    )
    assert again.status_code == 409
    changed = await tenant.patch("/custom-fields/order_id", json={"kind": "integer"})
    assert changed.status_code == 422 and error_locs(changed) == [["body", "kind"]]
    relabel = await tenant.patch("/custom-fields/order_id", json={"label": "Order number"})
    assert relabel.status_code == 200 and relabel.json()["label"] == "Order number"
    assert (await tenant.patch("/custom-fields/nope", json={"label": "x"})).status_code == 404


@pytest.mark.parametrize(("key", "kind", "extra", "sent", "stored"), EVERY_KIND)
async def test_every_kind_round_trips_typed(tenant, key, kind, extra, sent, stored):
    await define(tenant, key=key, label=key, kind=kind, **extra)
    created = await tenant.create_ticket(custom_fields={key: sent})
    assert created["custom_fields"] == {key: stored}
    read = (await tenant.get(f"/tickets/{created['key']}")).json()
    assert read["custom_fields"][key] == stored
    assert type(read["custom_fields"][key]) is type(stored)


async def test_a_user_field_holds_a_user_of_this_workspace(tenant, other_tenant):
    await define(tenant, key="approver", label="Approver", kind="user")
    agent_id = tenant.users["agent"]["id"]
    created = await tenant.create_ticket(custom_fields={"approver": agent_id})
    assert created["custom_fields"] == {"approver": agent_id}
    stranger = other_tenant.users["agent"]["id"]
    refused = await tenant.post(
        "/tickets", json={"subject": "x", "custom_fields": {"approver": stranger}}
    )
    assert refused.status_code == 422
    assert error_locs(refused) == [["body", "custom_fields", "approver"]]


async def test_decimals_are_exact_to_the_last_digit(tenant):
    await define(tenant, key="amount", label="Amount", kind="decimal")
    for sent, stored in [
        ("0.1", "0.1"),
        ("89.990", "89.990"),
        ("99999999999999999999.99", "99999999999999999999.99"),
        (0.3, "0.3"),
    ]:
        created = await tenant.create_ticket(custom_fields={"amount": sent})
        assert created["custom_fields"]["amount"] == stored
    # 0.1 + 0.2 is 0.3 here, not 0.30000000000000004
    small = await tenant.get("/tickets", params={"cf.amount.lte": "0.3", "cf.amount.gte": "0.3"})
    assert [t["custom_fields"]["amount"] for t in small.json()["items"]] == ["0.3"]


async def test_every_bad_value_is_named_and_nothing_is_written(tenant):
    await refund_desk(tenant)
    await define(tenant, key="count", label="Count", kind="integer", validation={"max": 5})
    response = await tenant.post(
        "/tickets",
        json={
            "subject": "Broken vase",
            "type": "refund",
            "custom_fields": {
                "reason": "smashed",
                "count": 9,
                "colour": "red",
                "order_id": "A-1",
            },
        },
    )
    assert response.status_code == 422, response.text
    assert sorted(error_locs(response)) == [
        ["body", "custom_fields", "colour"],
        ["body", "custom_fields", "count"],
        ["body", "custom_fields", "reason"],
    ]
    assert (await tenant.get("/tickets/stats")).json()["total"] == 0


async def test_conditional_scoped_and_required_fields(tenant):
    await refund_desk(tenant)
    # the amount shows only for damaged or lost goods
    hidden = await tenant.post(
        "/tickets",
        json={
            "subject": "x",
            "type": "refund",
            "custom_fields": {"reason": "unwanted", "refund_amount": "10", "order_id": "1"},
        },
    )
    assert hidden.status_code == 422
    assert error_locs(hidden) == [["body", "custom_fields", "refund_amount"]]
    assert "hidden" in hidden.json()["detail"]
    # the order id is required on refunds, and refund fields are only for refunds
    missing = await tenant.post(
        "/tickets", json={"subject": "x", "type": "refund", "custom_fields": {"reason": "lost"}}
    )
    assert missing.status_code == 422
    assert error_locs(missing) == [["body", "custom_fields", "order_id"]]
    other_type = await tenant.post(
        "/tickets", json={"subject": "x", "type": "question", "custom_fields": {"reason": "lost"}}
    )
    assert other_type.status_code == 422
    assert "not used by tickets of type 'question'" in other_type.json()["detail"]
    # a question needs none of them
    assert (await tenant.create_ticket(type="question"))["custom_fields"] == {}
    shown = await tenant.create_ticket(
        type="refund", custom_fields={"reason": "damaged", "refund_amount": 89.99, "order_id": "7"}
    )
    assert shown["custom_fields"] == {
        "reason": "damaged",
        "refund_amount": "89.99",
        "order_id": "7",
    }


async def test_patch_merges_and_null_clears_but_a_required_field_stays(tenant):
    await refund_desk(tenant)
    ticket = await tenant.create_ticket(
        type="refund", custom_fields={"reason": "damaged", "refund_amount": "5", "order_id": "7"}
    )
    url = f"/tickets/{ticket['key']}"
    cleared = await tenant.patch(url, json={"custom_fields": {"refund_amount": None}})
    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["custom_fields"] == {"reason": "damaged", "order_id": "7"}
    kept = await tenant.patch(url, json={"custom_fields": {"order_id": None}})
    assert kept.status_code == 422
    assert error_locs(kept) == [["body", "custom_fields", "order_id"]]
    bad = await tenant.patch(url, json={"custom_fields": {"refund_amount": "-3"}})
    assert bad.status_code == 422
    after = (await tenant.get(url)).json()
    assert after["custom_fields"] == {"reason": "damaged", "order_id": "7"}
    assert after["version"] == cleared.json()["version"]
    activity = (await tenant.get(f"{url}/activity?type=ticket.custom_fields_changed")).json()
    assert activity["items"][-1]["data"]["changed"] == ["refund_amount"]


async def test_archived_fields_keep_their_values_readable_but_take_no_writes(tenant):
    await define(tenant, key="legacy_ref", label="Legacy ref", kind="text")
    ticket = await tenant.create_ticket(custom_fields={"legacy_ref": "L-1"})
    assert (await tenant.delete("/custom-fields/legacy_ref")).status_code == 204
    listed = (await tenant.get("/custom-fields")).json()
    assert listed[0]["archived"] is True and listed[0]["archived_at"]
    read = (await tenant.get(f"/tickets/{ticket['key']}")).json()
    assert read["custom_fields"] == {"legacy_ref": "L-1"}
    found = await tenant.get("/tickets", params={"cf.legacy_ref": "L-1"})
    assert [t["key"] for t in found.json()["items"]] == [ticket["key"]]
    refused = await tenant.patch(
        f"/tickets/{ticket['key']}", json={"custom_fields": {"legacy_ref": "L-2"}}
    )
    assert refused.status_code == 422 and "archived" in refused.json()["detail"]
    # an unrelated change still goes through; bringing the field back allows writes again
    assert (
        await tenant.patch(f"/tickets/{ticket['key']}", json={"priority": "high"})
    ).status_code == 200
    restored = await tenant.patch("/custom-fields/legacy_ref", json={"archived": False})
    assert restored.json()["archived"] is False
    again = await tenant.patch(
        f"/tickets/{ticket['key']}", json={"custom_fields": {"legacy_ref": "L-2"}}
    )
    assert again.status_code == 200 and again.json()["custom_fields"] == {"legacy_ref": "L-2"}


async def test_free_form_values_stay_until_the_workspace_defines_fields(tenant):
    """Before any definition, custom_fields is free-form (existing tickets and integrations);
    once a field is defined, unknown keys are refused but old values stay readable."""
    old = await tenant.create_ticket(custom_fields={"legacy": {"nested": [1, 2]}})
    await define(tenant, key="order_id", label="Order", kind="text")
    read = (await tenant.get(f"/tickets/{old['key']}")).json()
    assert read["custom_fields"] == {"legacy": {"nested": [1, 2]}}
    changed = await tenant.patch(
        f"/tickets/{old['key']}", json={"custom_fields": {"order_id": "9"}}
    )
    assert changed.status_code == 200
    assert changed.json()["custom_fields"] == {"legacy": {"nested": [1, 2]}, "order_id": "9"}
    refused = await tenant.post("/tickets", json={"subject": "x", "custom_fields": {"legacy": 1}})
    assert refused.status_code == 422
    assert error_locs(refused) == [["body", "custom_fields", "legacy"]]


async def test_autofill_from_the_requester_and_channel(tenant):
    await define(tenant, key="domain", label="Domain", kind="text", autofill="requester.domain")
    await define(tenant, key="source", label="Source", kind="text", autofill="channel")
    created = await tenant.create_ticket(requester={"email": "ada@shop.example"})
    assert created["custom_fields"] == {"domain": "shop.example", "source": "agent"}
    given = await tenant.create_ticket(
        requester={"email": "ada@shop.example"}, custom_fields={"domain": "mine"}
    )
    assert given["custom_fields"]["domain"] == "mine"


async def test_another_workspaces_fields_are_invisible(tenant, other_tenant):
    await define(other_tenant, key="secret", label="Secret", kind="text")
    assert (await tenant.get("/custom-fields")).json() == []
    assert (await tenant.get("/custom-fields/secret")).status_code == 404
    assert (await tenant.patch("/custom-fields/secret", json={"label": "x"})).status_code == 404
    assert (await tenant.delete("/custom-fields/secret")).status_code == 404
    # their definition does not govern this workspace's tickets
    mine = await tenant.create_ticket(custom_fields={"secret": 1, "anything": "goes"})
    assert mine["custom_fields"] == {"secret": 1, "anything": "goes"}


async def test_field_scope_names_existing_types(tenant):
    await define_type(tenant, key="return", name="Return")
    field = await define(tenant, key="rma", label="RMA", kind="text", ticket_types=["return"])
    assert field["ticket_types"] == ["return"]
    created = await tenant.create_ticket(type="return", custom_fields={"rma": "R-1"})
    assert created["custom_fields"] == {"rma": "R-1"}
    assert uuid.UUID(field["id"])
