"""Saved views: personal unless shared, validated filters, pinned and ordered."""


async def test_personal_views_are_invisible_to_others_until_shared(tenant, other_tenant):
    created = await tenant.post(
        "/views",
        role="agent",
        json={
            "name": "My urgent",
            "filters": {"priority": "urgent,high", "assignee": "me"},
            "sort": "-priority",
            "pinned": True,
        },
    )
    assert created.status_code == 201, created.text
    view = created.json()
    assert view["filters"] == {"priority": "urgent,high", "assignee": "me"}
    assert view["mine"] is True
    assert view["shared"] is False

    assert [v["id"] for v in (await tenant.get("/views", role="agent")).json()] == [view["id"]]
    assert (await tenant.get("/views", role="admin")).json() == []
    assert (await tenant.get(f"/views/{view['id']}", role="viewer")).status_code == 404
    assert (await other_tenant.get(f"/views/{view['id']}")).status_code == 404
    hijack = await tenant.patch(f"/views/{view['id']}", role="admin", json={"name": "mine now"})
    assert hijack.status_code == 404

    shared = await tenant.patch(f"/views/{view['id']}", role="agent", json={"shared": True})
    assert shared.status_code == 200, shared.text
    seen = (await tenant.get("/views", role="viewer")).json()
    assert [(v["id"], v["mine"], v["owner"]["name"]) for v in seen] == [
        (view["id"], False, "Bob Agent")
    ]
    assert (await other_tenant.get("/views")).json() == []
    # a viewer can read a shared view but not change it; an admin can
    assert (
        await tenant.patch(f"/views/{view['id']}", role="viewer", json={"name": "x"})
    ).status_code == 403
    renamed = await tenant.patch(f"/views/{view['id']}", role="admin", json={"name": "Team urgent"})
    assert renamed.json()["name"] == "Team urgent"
    assert (await tenant.delete(f"/views/{view['id']}", role="viewer")).status_code == 403
    assert (await tenant.delete(f"/views/{view['id']}", role="agent")).status_code == 204
    assert (await tenant.get("/views", role="agent")).json() == []


async def test_views_are_validated_and_ordered(tenant):
    for body in (
        {"name": "x", "filters": {"priority": "extreme"}},
        {"name": "x", "filters": {"nonsense": "1"}},
        {"name": "x", "sort": "subject"},
        {"name": ""},
        {"name": "x", "position": 10**12},
    ):
        response = await tenant.post("/views", json=body)
        assert response.status_code == 422, (body, response.text)
    viewer_shares = await tenant.post("/views", role="viewer", json={"name": "v", "shared": True})
    assert viewer_shares.status_code == 403
    viewer_own = await tenant.post("/views", role="viewer", json={"name": "mine"})
    assert viewer_own.status_code == 201

    names = ["b", "a", "c"]
    for name in names:
        assert (await tenant.post("/views", json={"name": name})).status_code == 201
    listed = (await tenant.get("/views")).json()
    assert [v["name"] for v in listed] == names
    a = listed[1]
    await tenant.patch(f"/views/{a['id']}", json={"pinned": True})
    await tenant.patch(f"/views/{listed[2]['id']}", json={"position": 0})
    assert [v["name"] for v in (await tenant.get("/views")).json()] == ["a", "c", "b"]


async def test_a_view_filters_the_list_like_its_query(tenant):
    await tenant.create_ticket(subject="hot", priority="urgent")
    await tenant.create_ticket(subject="cold", priority="low")
    view = (
        await tenant.post("/views", json={"name": "hot", "filters": {"priority": "urgent"}})
    ).json()
    query = "&".join(f"{k}={v}" for k, v in view["filters"].items())
    listed = (await tenant.get(f"/tickets?{query}&sort={view['sort']}")).json()["items"]
    assert [t["subject"] for t in listed] == ["hot"]
