"""Auto-apply: on a new ticket from the API, a chat, an email or the form, each field the
creator left empty whose prediction reaches its threshold is set in the create's transaction,
recorded with actor triage and its confidence; imports are left as they stood."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import make_msgid

from tests.triage.conftest import activity, seed, train

EVERYTHING = {"category": 0.5, "priority": 0.5, "type": 0.5, "labels": 0.5}


async def trained(tenant, thresholds=None):
    await seed(tenant, per_kind=20)
    await train(tenant)
    if thresholds is not None:
        response = await tenant.put("/settings/triage", json={"auto_apply": thresholds})
        assert response.status_code == 200, response.text
        assert response.json() == {"auto_apply": thresholds}


def by_triage(items):
    return {
        item["type"]: item["data"]
        for item in items
        if item["actor"]["kind"] == "system" and item["actor"]["name"] == "triage"
    }


async def test_thresholds_are_admin_settings_between_0_and_1(tenant):
    assert (await tenant.get("/settings/triage")).json() == {"auto_apply": {}}
    for bad in ({"category": 1.5}, {"category": -0.1}, {"colour": 0.5}, {"category": "high"}):
        response = await tenant.put("/settings/triage", json={"auto_apply": bad})
        assert response.status_code == 422, bad
    refused = await tenant.put("/settings/triage", role="agent", json={"auto_apply": {}})
    assert refused.status_code == 403
    assert (await tenant.get("/settings/triage")).json() == {"auto_apply": {}}


async def test_an_api_ticket_gets_what_its_creator_left_empty(tenant):
    await trained(tenant, EVERYTHING)
    ticket = await tenant.create_ticket(
        subject="The dashboard crashes with an error", type="question"
    )
    assert ticket["category"] == "technical"
    assert ticket["priority"] == "urgent"
    assert ticket["labels"] == ["bug"]
    assert ticket["type"] == "question"  # the creator's, not triage's "incident"
    got = (await tenant.get(f"/tickets/{ticket['key']}")).json()
    assert got["category"] == "technical" and got["priority"] == "urgent"
    changes = by_triage(await activity(tenant, ticket["key"]))
    assert set(changes) == {
        "ticket.category_changed",
        "ticket.priority_changed",
        "ticket.labels_changed",
    }
    category = changes["ticket.category_changed"]
    assert category["from"] is None and category["to"] == "technical"
    assert 0.5 <= category["confidence"] <= 1
    assert changes["ticket.priority_changed"]["from"] == "normal"


async def test_a_priority_sent_by_the_creator_is_kept_even_when_it_is_the_default(tenant):
    await trained(tenant, EVERYTHING)
    ticket = await tenant.create_ticket(
        subject="The dashboard crashes with an error", priority="normal"
    )
    assert ticket["priority"] == "normal"
    assert ticket["category"] == "technical"


async def test_thresholds_are_respected(tenant):
    await trained(tenant, {"category": 0.95})
    vague = "Hello there"
    guess = (await tenant.post("/triage/predict", json={"subject": vague})).json()
    assert guess["category"]["confidence"] < 0.95
    ticket = await tenant.create_ticket(subject=vague)
    assert ticket["category"] is None
    assert by_triage(await activity(tenant, ticket["key"])) == {}
    # priority has no threshold: never filled in on the API
    clear = await tenant.create_ticket(subject="Refund for the annual plan please")
    assert clear["priority"] == "normal"
    # nothing is filled in without thresholds
    await tenant.put("/settings/triage", json={"auto_apply": {}})
    again = await tenant.create_ticket(subject="The API is down and shows an error")
    assert again["category"] is None and again["labels"] == []


async def test_chat_email_and_form_tickets_get_it_too_but_imports_do_not(tenant):
    await trained(tenant, {"category": 0.5, "labels": 0.5})
    # chat: a handover without a priority takes triage's, with no threshold for priority
    conversation = await tenant.post(
        "/conversations",
        json={
            "channel": "chat",
            "visitor": {"email": "vic@example.com"},
            "messages": [
                {
                    "author": "visitor",
                    "body": "The mobile app crashes when I log in",
                    "sent_at": "2026-11-21T09:30:00Z",
                }
            ],
        },
    )
    assert conversation.status_code == 201, conversation.text
    chat = await tenant.post(f"/conversations/{conversation.json()['id']}/tickets", json={})
    assert chat.status_code == 201, chat.text
    assert chat.json()["channel"] == "chat"
    assert chat.json()["category"] == "technical"
    assert chat.json()["priority"] == "urgent"
    changes = by_triage(await activity(tenant, chat.json()["key"]))
    assert changes["ticket.priority_changed"]["confidence"] > 0
    # a handover that names its priority keeps it
    named = await tenant.post(
        f"/conversations/{conversation.json()['id']}/tickets", json={"priority": "high"}
    )
    assert named.json()["priority"] == "high"

    token = await tenant.post("/api-tokens", json={"name": "mx", "scopes": ["email:inbound"]})
    message = EmailMessage()
    message["From"] = "Ada <ada@customer.example>"
    message["To"] = "support@desk.example.com"
    message["Subject"] = "Where is my parcel? It has not arrived"
    message["Message-ID"] = make_msgid(domain="customer.example")
    message.set_content("Tracking shows no movement for a week.")
    mail = await tenant.client.post(
        "/inbound/email",
        content=bytes(message),
        headers={
            "Authorization": f"Bearer {token.json()['token']}",
            "Content-Type": "message/rfc822",
        },
    )
    assert mail.status_code == 201, mail.text
    emailed = (await tenant.get(f"/tickets/{mail.json()['ticket']}")).json()
    assert emailed["channel"] == "email" and emailed["category"] == "shipping"

    form = await tenant.client.post(
        f"/public/{tenant.slug}/tickets",
        json={
            "email": "vivian@example.com",
            "subject": "I was charged twice for my subscription",
            "description": "Please refund the second payment.",
        },
    )
    assert form.status_code == 201, form.text
    submitted = (await tenant.get(f"/tickets/{form.json()['key']}")).json()
    assert submitted["channel"] == "form"
    assert submitted["category"] == "billing" and submitted["labels"] == ["refund"]

    imported = await tenant.post(
        "/tickets/import",
        json={
            "subject": "The API is down and shows an error",
            "created_at": "2026-02-01T00:00:00Z",
        },
    )
    assert imported.status_code == 201, imported.text
    assert imported.json()["category"] is None and imported.json()["labels"] == []


async def test_automations_can_use_triage_values_and_confidences(tenant):
    await trained(tenant)
    rule = await tenant.post(
        "/automations",
        json={
            "name": "Confident technical goes to on-call",
            "trigger": "ticket.created",
            "conditions": {
                "all": [
                    {"field": "triage.category", "op": "is", "value": "technical"},
                    {"field": "triage.category_confidence", "op": "gte", "value": 0.5},
                ]
            },
            "actions": [{"type": "add_labels", "value": ["on-call"]}],
        },
    )
    assert rule.status_code == 201, rule.text
    technical = await tenant.create_ticket(subject="Error 500 on the dashboard")
    assert technical["labels"] == ["on-call"]
    assert technical["category"] is None  # no threshold: the rule reads it, nothing is set
    billing = await tenant.create_ticket(subject="Refund for the invoice please")
    assert billing["labels"] == []
    unknown = await tenant.post(
        "/automations",
        json={
            "name": "Bad",
            "trigger": "ticket.created",
            "conditions": {"all": [{"field": "triage.colour", "op": "is", "value": "x"}]},
            "actions": [{"type": "add_labels", "value": ["x"]}],
        },
    )
    assert unknown.status_code == 422
