"""Small generated history for triage tests: three kinds of request, each with its own words,
team, priority and labels, imported as solved tickets with the agent reply that solved them."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.support import Tenant, eventually

KINDS: dict[str, dict[str, Any]] = {
    "billing": {
        "subjects": [
            "I was charged twice for my {thing}",
            "Refund for the {thing} please",
            "Invoice for my {thing} is wrong",
            "Why did my card get billed for the {thing}",
        ],
        "things": ["subscription", "annual plan", "invoice", "payment", "renewal"],
        "priority": "normal",
        "type": "question",
        "labels": ["refund"],
        "reply": "I have refunded the duplicate charge; it shows on your card in 3-5 days.",
    },
    "technical": {
        "subjects": [
            "The {thing} crashes when I log in",
            "Error 500 on the {thing}",
            "Cannot sync the {thing}, it times out",
            "The {thing} is down and shows an error",
        ],
        "things": ["mobile app", "dashboard", "desktop client", "API", "export"],
        "priority": "urgent",
        "type": "incident",
        "labels": ["bug"],
        "reply": "We fixed the crash in version 2.4.1; please update the app and log in again.",
    },
    "shipping": {
        "subjects": [
            "Where is my {thing}? It has not arrived",
            "Tracking for my {thing} shows no movement",
            "My {thing} was delivered to the wrong address",
            "Delivery of the {thing} is late",
        ],
        "things": ["parcel", "order", "package", "replacement", "shipment"],
        "priority": "low",
        "type": "question",
        "labels": [],
        "reply": "Your parcel is with the courier; here is the new tracking link for it.",
    },
}


def generated(per_kind: int, seed: int = 7) -> list[dict[str, Any]]:
    """`per_kind` tickets of each kind, shuffled, one minute apart, oldest first."""
    rng = random.Random(seed)
    rows = []
    for category, kind in KINDS.items():
        for _ in range(per_kind):
            subject = rng.choice(kind["subjects"]).format(thing=rng.choice(kind["things"]))
            rows.append({"category": category, "subject": subject})
    rng.shuffle(rows)
    return rows


async def seed(
    tenant: Tenant,
    per_kind: int = 20,
    *,
    teams: dict[str, str] | None = None,
    fields: tuple[str, ...] = ("category", "priority", "type", "labels"),
    requester: str = "someone@customer.test",
) -> list[dict[str, Any]]:
    """Import the generated tickets as solved ones with their solving reply; returns them."""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    admin_email = f"admin@{tenant.slug}.test"
    created = []
    for index, row in enumerate(generated(per_kind)):
        kind = KINDS[row["category"]]
        at = start + timedelta(minutes=index)
        body: dict[str, Any] = {
            "subject": row["subject"],
            "status": "resolved",
            "created_at": at.isoformat(),
            "requester": {"email": requester},
            "comments": [
                {
                    "body": kind["reply"],
                    "author_email": admin_email,
                    "created_at": (at + timedelta(seconds=30)).isoformat(),
                }
            ],
        }
        if "category" in fields:
            body["category"] = row["category"]
        if "priority" in fields:
            body["priority"] = kind["priority"]
        if "type" in fields:
            body["type"] = kind["type"]
        if "labels" in fields:
            body["labels"] = kind["labels"]
        if teams:
            body["team_id"] = teams[row["category"]]
        response = await tenant.post("/tickets/import", json=body)
        assert response.status_code == 201, response.text
        created.append(response.json())
    return created


async def train(tenant: Tenant) -> dict[str, Any]:
    """Ask for a training run and wait for the model it makes."""
    before = (await tenant.get("/triage/model")).json().get("version")
    response = await tenant.post("/triage/train")
    assert response.status_code == 202, response.text
    assert response.json()["job_id"]

    async def ready() -> dict[str, Any] | None:
        model = (await tenant.get("/triage/model")).json()
        done = model["state"] == "ready" and model["version"] != before
        return model if done or model.get("last_error") else None

    model = await eventually(ready, "the triage model", timeout=120)
    assert model["state"] == "ready", model
    return model


async def activity(tenant: Tenant, key: str) -> list[dict[str, Any]]:
    response = await tenant.get(f"/tickets/{key}/activity", params={"limit": 100})
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items
