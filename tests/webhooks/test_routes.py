"""The webhook endpoints: who may manage them, and what a subscription may not be."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest

from tests.webhooks.conftest import subscribe
from ticketdesk.webhooks.schemas import EVENT_PATTERNS, EVENT_TYPES


async def test_who_may_manage_webhooks(tenant, other_tenant, receiver):
    hook = await subscribe(tenant, receiver, ["*"])
    assert (await tenant.get("/webhooks", role="agent")).status_code == 403
    assert (await tenant.get("/webhooks", role="viewer")).status_code == 403
    assert (await other_tenant.get(f"/webhooks/{hook['id']}")).status_code == 404
    token = await tenant.post("/api-tokens", json={"name": "hooks", "scopes": ["webhooks:manage"]})
    assert token.status_code == 201, token.text
    headers = {"Authorization": f"Bearer {token.json()['token']}"}
    listed = await tenant.client.get("/webhooks", headers=headers)
    assert listed.status_code == 200
    assert [h["id"] for h in listed.json()["items"]] == [hook["id"]]
    assert (await tenant.delete(f"/webhooks/{hook['id']}")).status_code == 204
    assert (await tenant.get(f"/webhooks/{hook['id']}")).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[fd00:ec2::254]/",
        "http://0.0.0.0:8080/",
        "not a url",
    ],
)
async def test_unusable_targets_are_refused_on_create(tenant, url):
    response = await tenant.post("/webhooks", json={"url": url, "events": ["*"]})
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["loc"] == ["body", "url"]


async def test_bad_event_patterns_are_refused(tenant, receiver):
    for events in ([], ["Ticket Created"], ["x" * 65]):
        response = await tenant.post("/webhooks", json={"url": receiver.url, "events": events})
        assert response.status_code == 422


async def test_unknown_event_types_are_refused_and_the_known_ones_listed(tenant, receiver):
    body = {"url": receiver.url, "events": ["ticket.created", "ticket.nonsense"]}
    response = await tenant.post("/webhooks", json=body)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["errors"][0]["loc"] == ["body", "events", 1]
    message = problem["errors"][0]["msg"]
    assert "'ticket.nonsense'" in message
    assert all(known in message for known in ("ticket.status_changed", "ticket.*", "*"))
    assert (await tenant.get("/webhooks")).json()["items"] == []  # nothing was written

    hook = await subscribe(tenant, receiver, ["ticket.*", "conversation.created"])
    for events in (["*"], ["conversation.*"], ["ticket.sla_breached"]):
        changed = await tenant.patch(f"/webhooks/{hook['id']}", json={"events": events})
        assert changed.status_code == 200, changed.text
        assert changed.json()["events"] == events
    for events in (["ticket.nonsense"], ["comment.*"], ["ticket.status_changed.*"]):
        refused = await tenant.patch(f"/webhooks/{hook['id']}", json={"events": events})
        assert refused.status_code == 422, refused.text
        assert refused.json()["errors"][0]["loc"] == ["body", "events", 0]
    assert (await tenant.get(f"/webhooks/{hook['id']}")).json()["events"] == ["ticket.sla_breached"]


async def test_the_event_types_are_an_enum_in_the_openapi_document(client):
    schema = (await client.get("/openapi.json")).json()["components"]["schemas"]
    for name in ("WebhookCreate", "WebhookUpdate"):
        events = schema[name]["properties"]["events"]
        items = events.get("items") or next(o["items"] for o in events["anyOf"] if "items" in o)
        assert items["enum"] == [*EVENT_TYPES, *EVENT_PATTERNS]


def test_every_event_type_the_desk_writes_can_be_subscribed_to():
    """Event types appear in the code as literals (and `ticket.<field>_changed`): each one
    must be in the list a subscription is checked against."""
    src = Path(__file__).parents[2] / "src" / "ticketdesk"
    written: set[str] = set()
    for path in src.rglob("*.py"):
        text = path.read_text()
        written |= set(re.findall(r"""["'](ticket|conversation)\.([a-z_]+)["']""", text))
    names = {f"{family}.{name}" for family, name in written}
    names -= {"ticket.updated"}  # an automation trigger, not an event type
    fields = ("subject", "description", "type", "category", "custom_fields")
    names |= {f"ticket.{field}_changed" for field in fields}  # tickets.service's f-string
    assert names - set(EVENT_TYPES) == set()


DELIVERY_KEYS = {
    "id",
    "webhook_id",
    "message_id",
    "event_id",
    "event_type",
    "ticket_id",
    "status",
    "attempts",
    "next_attempt_at",
    "last_attempt_at",
    "last_status_code",
    "last_latency_ms",
    "last_response_body",
    "last_error",
    "delivered_at",
    "created_at",
}


async def test_the_delivery_log_its_detail_and_a_redelivery(tenant, receiver, db):
    hook = await subscribe(tenant, receiver, ["ticket.created"])
    ticket = await tenant.create_ticket()
    await db.job_runner.drain()
    await receiver.wait_for(1)
    base = f"/webhooks/{hook['id']}/deliveries"

    (delivery,) = (await tenant.get(base)).json()["items"]
    assert set(delivery) == DELIVERY_KEYS
    assert delivery["webhook_id"] == hook["id"]
    assert delivery["message_id"] == f"msg_{uuid.UUID(delivery['id']).hex}"
    assert (delivery["event_type"], delivery["ticket_id"]) == ("ticket.created", ticket["id"])
    assert (delivery["status"], delivery["attempts"], delivery["last_status_code"]) == (
        "delivered",
        1,
        200,
    )
    assert delivery["created_at"].endswith("Z")
    assert delivery["delivered_at"].endswith("Z")
    assert (await tenant.get(f"{base}?status=failed,pending")).json()["items"] == []
    assert len((await tenant.get(f"{base}?status=delivered")).json()["items"]) == 1
    assert (await tenant.get(f"{base}?status=lost")).status_code == 422

    detail = (await tenant.get(f"{base}/{delivery['id']}")).json()
    assert set(detail) == DELIVERY_KEYS | {"payload", "attempt_log"}
    assert {k: detail[k] for k in DELIVERY_KEYS} == delivery
    assert detail["payload"]["data"]["ticket"]["key"] == ticket["key"]
    (attempt,) = detail["attempt_log"]
    assert (attempt["attempt"], attempt["outcome"], attempt["status_code"]) == (1, "delivered", 200)

    again = await tenant.post(f"{base}/{delivery['id']}/redeliver")
    assert again.status_code == 202, again.text
    assert set(again.json()) == DELIVERY_KEYS
    assert (again.json()["status"], again.json()["message_id"]) == (
        "pending",
        delivery["message_id"],
    )
    assert again.json()["next_attempt_at"] is not None
    assert (await tenant.get(f"{base}/{uuid.uuid4()}")).status_code == 404
    await db.job_runner.drain()
    await receiver.wait_for(2)
