"""Helpers for macro tests: save one through the API, list names, read a ticket's timeline."""

from __future__ import annotations

from typing import Any


async def macro(tenant, role: str = "admin", **body: Any) -> dict[str, Any]:
    response = await tenant.post("/macros", role=role, json={"name": "Macro", **body})
    assert response.status_code == 201, response.text
    assert response.headers["location"] == f"/api/v1/macros/{response.json()['id']}"
    result: dict[str, Any] = response.json()
    return result


async def macro_names(tenant, role: str) -> list[str]:
    response = await tenant.get("/macros", role=role, params={"limit": 100})
    assert response.status_code == 200, response.text
    return [m["name"] for m in response.json()["items"]]


async def activity(tenant, key: str) -> list[dict[str, Any]]:
    response = await tenant.get(f"/tickets/{key}/activity")
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items
