"""Statuses over HTTP: listed in order to readers, created and changed by admins."""

from __future__ import annotations


async def test_statuses_are_listed_in_order_to_any_reader(tenant):
    response = await tenant.get("/statuses", role="viewer")
    assert response.status_code == 200
    listed = response.json()
    assert [(s["name"], s["category"], s["position"]) for s in listed] == [
        ("open", "open", 0),
        ("in_progress", "open", 1),
        ("waiting", "pending", 2),
        ("resolved", "solved", 3),
        ("closed", "closed", 4),
    ]
    assert set(listed[0]) == {"id", "name", "label", "category", "position"}


async def test_admins_create_and_change_statuses(tenant):
    created = await tenant.post(
        "/statuses", json={"name": "on_hold", "label": "On hold", "category": "pending"}
    )
    assert created.status_code == 201
    assert created.json()["position"] == 5
    changed = await tenant.patch("/statuses/on_hold", json={"label": "Parked", "position": 0})
    assert changed.status_code == 200
    assert changed.json() | {"id": None} == {
        "id": None,
        "name": "on_hold",
        "label": "Parked",
        "category": "pending",
        "position": 0,
    }
    names = [s["name"] for s in (await tenant.get("/statuses")).json()]
    assert names[:2] == ["on_hold", "open"]
    assert (await tenant.patch("/statuses/nope", json={"label": "x"})).status_code == 404


async def test_bad_status_input_is_422(tenant):
    for body in (
        {"name": "On Hold", "label": "x", "category": "pending"},
        {"name": "hold", "label": "x", "category": "paused"},
        {"name": "hold", "label": "x", "category": "open", "position": 1001},
    ):
        assert (await tenant.post("/statuses", json=body)).status_code == 422, body
    response = await tenant.patch("/statuses/open", json={"category": "closed"})
    assert response.status_code == 422
