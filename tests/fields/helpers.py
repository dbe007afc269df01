"""Defining custom fields and ticket types through the API, as an admin would."""

from __future__ import annotations

from typing import Any

from tests.support import Tenant

REFUND_FIELDS: list[dict[str, Any]] = [
    {
        "key": "reason",
        "label": "Reason",
        "kind": "dropdown",
        "options": [
            {"value": "damaged", "label": "Damaged"},
            {"value": "lost", "label": "Lost"},
            {"value": "unwanted", "label": "Unwanted"},
        ],
    },
    {
        "key": "refund_amount",
        "label": "Refund amount",
        "kind": "decimal",
        "validation": {"min": "0.01", "max": "10000"},
        "visible_when": {"field": "reason", "op": "in", "value": ["damaged", "lost"]},
    },
    {"key": "order_id", "label": "Order", "kind": "text", "required": True},
]


async def define(tenant: Tenant, **body: Any) -> dict[str, Any]:
    response = await tenant.post("/custom-fields", json=body)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def define_type(tenant: Tenant, **body: Any) -> dict[str, Any]:
    response = await tenant.post("/ticket-types", json=body)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def refund_desk(tenant: Tenant, **type_rules: Any) -> None:
    """A `refund` type whose tickets carry a reason, an amount (shown for damaged or lost
    goods) and a required order id, with the given lifecycle rules."""
    await define_type(tenant, key="refund", name="Refund")
    for body in REFUND_FIELDS:
        await define(tenant, **body, ticket_types=["refund"])
    if type_rules:  # after the fields: rules may name them
        response = await tenant.patch("/ticket-types/refund", json=type_rules)
        assert response.status_code == 200, response.text


def error_locs(response: Any) -> list[list[Any]]:
    return [error["loc"] for error in response.json().get("errors") or []]
