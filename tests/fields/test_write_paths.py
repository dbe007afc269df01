"""Every way a ticket's values are written checks them against the same definitions: the API
(create, PATCH), bulk changes, imports, automations, email, chat conversion and the form."""

from __future__ import annotations

from tests.email.conftest import customer_mail, inbound_token, post_mail
from tests.fields.helpers import define, error_locs

CF_LOC = ["body", "custom_fields", "count"]


async def _count_field(tenant) -> None:
    await define(
        tenant, key="count", label="Count", kind="integer", validation={"min": 1, "max": 5}
    )


async def _total(tenant) -> int:
    total: int = (await tenant.get("/tickets/stats")).json()["total"]
    return total


async def test_create_and_patch(tenant):
    await _count_field(tenant)
    refused = await tenant.post("/tickets", json={"subject": "x", "custom_fields": {"count": 9}})
    assert refused.status_code == 422 and error_locs(refused) == [CF_LOC]
    assert "'Count' must be at most 5" in refused.json()["errors"][0]["msg"]
    ticket = await tenant.create_ticket(custom_fields={"count": 2})
    patched = await tenant.patch(
        f"/tickets/{ticket['key']}",
        json={"priority": "urgent", "custom_fields": {"count": "two"}},
        role="agent",
    )
    assert patched.status_code == 422 and error_locs(patched) == [CF_LOC]
    after = (await tenant.get(f"/tickets/{ticket['key']}")).json()
    assert (after["priority"], after["custom_fields"], after["version"]) == (
        "normal",
        {"count": 2},
        1,
    )


async def test_bulk_refuses_per_ticket_and_applies_the_rest(tenant):
    await _count_field(tenant)
    await tenant.create_ticket()
    await tenant.create_ticket()
    good = await tenant.post(
        "/tickets/bulk",
        json={"tickets": ["TKT-1", "TKT-2"], "changes": {"custom_fields": {"count": 3}}},
    )
    assert good.status_code == 200, good.text
    assert [r["ok"] for r in good.json()["results"]] == [True, True]
    assert (await tenant.get("/tickets/TKT-2")).json()["custom_fields"] == {"count": 3}
    bad = await tenant.post(
        "/tickets/bulk",
        json={"tickets": ["TKT-1", "TKT-2"], "changes": {"custom_fields": {"count": 0}}},
    )
    results = bad.json()["results"]
    assert [r["ok"] for r in results] == [False, False]
    assert results[0]["error"]["status"] == 422
    assert results[0]["error"]["errors"][0]["loc"] == CF_LOC
    assert (await tenant.get("/tickets/TKT-1")).json()["custom_fields"] == {"count": 3}


async def test_import(tenant):
    await _count_field(tenant)
    body = {"subject": "Old one", "created_at": "2026-01-05T09:00:00Z"}
    refused = await tenant.post("/tickets/import", json={**body, "custom_fields": {"count": 6}})
    assert refused.status_code == 422 and error_locs(refused) == [CF_LOC]
    assert await _total(tenant) == 0
    imported = await tenant.post("/tickets/import", json={**body, "custom_fields": {"count": 1}})
    assert imported.status_code == 201, imported.text
    assert imported.json()["custom_fields"] == {"count": 1}


async def test_automations_are_checked_when_saved_and_when_they_run(tenant):
    await _count_field(tenant)
    rule = {
        "name": "Count it",
        "trigger": "ticket.created",
        "conditions": {"all": [{"field": "subject", "op": "contains", "value": "count"}]},
        "actions": [{"type": "set_custom_field", "value": {"key": "count", "value": 7}}],
    }
    refused = await tenant.post("/automations", json=rule)
    assert refused.status_code == 422, refused.text
    assert error_locs(refused) == [["body", "actions", 0, "value"]]
    unknown = await tenant.post(
        "/automations",
        json={
            **rule,
            "actions": [{"type": "set_custom_field", "value": {"key": "colour", "value": "x"}}],
        },
    )
    assert unknown.status_code == 422
    wrong_type = await tenant.post(
        "/automations", json={**rule, "actions": [{"type": "set_type", "value": "nope"}]}
    )
    assert wrong_type.status_code == 422
    rule["actions"] = [{"type": "set_custom_field", "value": {"key": "count", "value": 4}}]
    assert (await tenant.post("/automations", json=rule)).status_code == 201
    created = await tenant.create_ticket(subject="please count")
    assert created["custom_fields"] == {"count": 4}
    # the definition tightened since the rule was saved: the rule fails, the ticket stays
    await tenant.patch("/custom-fields/count", json={"validation": {"min": 1, "max": 3}})
    later = await tenant.create_ticket(subject="count again")
    assert later["custom_fields"] == {}
    failures = (
        await tenant.get(f"/tickets/{later['key']}/activity?type=ticket.automation_failed")
    ).json()["items"]
    assert "'Count' must be at most 3" in failures[0]["data"]["error"]


async def test_email_opens_tickets_through_the_same_checks(tenant):
    """An email's sender cannot fill fields in: required ones do not block the message, and
    autofill fields take the requester's domain."""
    await define(tenant, key="order_id", label="Order", kind="text", required=True)
    await define(tenant, key="domain", label="Domain", kind="text", autofill="requester.domain")
    token = await inbound_token(tenant)
    mail = customer_mail("ada@shop.example", "Where is my order?", "Ordered last week.")
    received = await post_mail(tenant.client, token, mail)
    assert received.status_code in (200, 201), received.text
    key = received.json()["ticket"]
    ticket = (await tenant.get(f"/tickets/{key}")).json()
    assert ticket["channel"] == "email"
    assert ticket["custom_fields"] == {"domain": "shop.example"}
    # an agent's ticket must carry the required field
    refused = await tenant.post("/tickets", json={"subject": "x"})
    assert refused.status_code == 422
    assert error_locs(refused) == [["body", "custom_fields", "order_id"]]


async def test_chat_conversion_checks_values_and_fills_in_visitor_facts(tenant):
    await _count_field(tenant)
    await define(tenant, key="country", label="Country", kind="text", autofill="visitor.country")
    await define(tenant, key="page", label="Page", kind="url", autofill="visitor.page_url")
    chat = await tenant.post(
        "/conversations",
        json={
            "visitor": {
                "email": "ada@example.com",
                "country": "DE",
                "page_url": "https://shop.example/cart",
            },
            "messages": [{"author": "visitor", "body": "My parcel is lost"}],
        },
    )
    assert chat.status_code == 201, chat.text
    url = f"/conversations/{chat.json()['id']}/tickets"
    refused = await tenant.post(url, json={"custom_fields": {"count": 10}})
    assert refused.status_code == 422 and error_locs(refused) == [CF_LOC]
    assert await _total(tenant) == 0
    created = await tenant.post(url, json={"custom_fields": {"count": 1}})
    assert created.status_code == 201, created.text
    assert created.json()["custom_fields"] == {
        "count": 1,
        "country": "DE",
        "page": "https://shop.example/cart",
    }


async def test_the_public_form(tenant):
    await _count_field(tenant)
    form = {
        "email": "ada@example.com",
        "subject": "Help",
        "description": "Please help.",
        "custom_fields": {"count": 99},
    }
    refused = await tenant.client.post(f"/public/{tenant.slug}/tickets", json=form)
    assert refused.status_code == 422 and error_locs(refused) == [CF_LOC]
    assert await _total(tenant) == 0
    wrong_type = await tenant.client.post(
        f"/public/{tenant.slug}/tickets",
        json={**form, "custom_fields": {"count": 2}, "type": "nope"},
    )
    assert wrong_type.status_code == 422
    assert error_locs(wrong_type) == [["body", "type"]]
    sent = await tenant.client.post(
        f"/public/{tenant.slug}/tickets", json={**form, "custom_fields": {"count": 2}}
    )
    assert sent.status_code == 201, sent.text
    ticket = (await tenant.get(f"/tickets/{sent.json()['key']}")).json()
    assert ticket["custom_fields"] == {"count": 2}


async def test_a_ticket_type_must_be_defined(tenant):
    refused = await tenant.post("/tickets", json={"subject": "x", "type": "feature"})
    assert refused.status_code == 422 and error_locs(refused) == [["body", "type"]]
    ticket = await tenant.create_ticket(type="incident")
    patched = await tenant.patch(f"/tickets/{ticket['key']}", json={"type": "feature"})
    assert patched.status_code == 422 and error_locs(patched) == [["body", "type"]]
    assert (await tenant.patch(f"/tickets/{ticket['key']}", json={"type": None})).json()[
        "type"
    ] is None
