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
    assert set(listed[0]) == {"id", "name", "label", "category", "position", "waits_on_customer"}
    assert [s["name"] for s in listed if s["waits_on_customer"]] == ["waiting"]


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
        "waits_on_customer": False,
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


async def test_admins_say_which_statuses_wait_on_the_customer(tenant):
    created = await tenant.post(
        "/statuses",
        json={
            "name": "awaiting_reply",
            "label": "Awaiting reply",
            "category": "pending",
            "waits_on_customer": True,
        },
    )
    assert created.status_code == 201, created.text
    assert created.json()["waits_on_customer"] is True
    off = await tenant.patch("/statuses/waiting", json={"waits_on_customer": False})
    assert (off.status_code, off.json()["waits_on_customer"]) == (200, False)
    listed = (await tenant.get("/statuses")).json()
    assert [s["name"] for s in listed if s["waits_on_customer"]] == ["awaiting_reply"]
    for url, body in (
        ("/statuses/open", {"waits_on_customer": True}),  # an open status never waits
        ("/statuses/waiting", {"waits_on_customer": None}),
        ("/statuses/waiting", {"waits_on_customer": 1}),
    ):
        refused = await tenant.patch(url, json=body)
        assert refused.status_code == 422, (url, body, refused.text)
        assert refused.json()["errors"][0]["loc"] == ["body", "waits_on_customer"]
    solved = {"name": "done_done", "label": "Done", "category": "solved", "waits_on_customer": True}
    refused = await tenant.post("/statuses", json=solved)
    assert refused.status_code == 422
    assert "done_done" not in [s["name"] for s in (await tenant.get("/statuses")).json()]
