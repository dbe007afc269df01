"""Labels over HTTP: created by agents, listed by name, narrowed by prefix for autocomplete."""

from __future__ import annotations


async def test_agents_create_labels_and_readers_list_them(tenant):
    created = await tenant.post(
        "/labels", json={"name": "Billing", "color": "#00aa00"}, role="agent"
    )
    assert created.status_code == 201
    assert created.json() | {"id": None} == {"id": None, "name": "billing", "color": "#00aa00"}
    duplicate = await tenant.post("/labels", json={"name": "billing"}, role="agent")
    assert duplicate.status_code == 409
    for name in ("bug", "backlog"):
        assert (await tenant.post("/labels", json={"name": name})).status_code == 201
    listed = await tenant.get("/labels", role="viewer")
    assert [label["name"] for label in listed.json()] == ["backlog", "billing", "bug"]
    narrowed = await tenant.get("/labels", params={"prefix": "B", "limit": 2}, role="viewer")
    assert [label["name"] for label in narrowed.json()] == ["backlog", "billing"]
    assert (await tenant.get("/labels", params={"prefix": "bu"})).json()[0]["color"] is None


async def test_bad_label_input_is_422(tenant):
    for body in ({"name": "a,b"}, {"name": "x", "color": "red"}, {"name": ""}):
        assert (await tenant.post("/labels", json=body)).status_code == 422, body
    for params in ({"limit": 0}, {"limit": 1001}, {"prefix": "x" * 51}):
        assert (await tenant.get("/labels", params=params)).status_code == 422, params
