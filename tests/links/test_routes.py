"""Links shown on both tickets, each from its own side."""


async def test_links_show_on_both_tickets_and_can_be_removed(tenant, other_tenant):
    a = await tenant.create_ticket(subject="a")
    b = await tenant.create_ticket(subject="b")
    response = await tenant.post(
        f"/tickets/{a['key']}/links", role="agent", json={"ticket": b["key"], "kind": "blocks"}
    )
    assert response.status_code == 201, response.text
    link = response.json()
    assert link["relation"] == "blocks"
    assert link["ticket"]["key"] == b["key"]

    [on_b] = (await tenant.get(f"/tickets/{b['key']}/links", role="viewer")).json()
    assert on_b["id"] == link["id"]
    assert on_b["relation"] == "blocked_by"
    assert on_b["ticket"]["key"] == a["key"]
    assert on_b["direction"] == "inbound"

    dup = await tenant.post(
        f"/tickets/{a['key']}/links", json={"ticket": b["id"], "kind": "blocks"}
    )
    assert dup.status_code == 409
    self_link = await tenant.post(f"/tickets/{a['key']}/links", json={"ticket": a["key"]})
    assert self_link.status_code == 422
    foreign = await other_tenant.create_ticket()
    cross = await tenant.post(f"/tickets/{a['key']}/links", json={"ticket": foreign["id"]})
    assert cross.status_code == 422
    bad_kind = await tenant.post(
        f"/tickets/{a['key']}/links", json={"ticket": b["key"], "kind": "x"}
    )
    assert bad_kind.status_code == 422
    # "related" is symmetric: b related a is the same link as a related b
    await tenant.post(f"/tickets/{a['key']}/links", json={"ticket": b["key"], "kind": "related"})
    again = await tenant.post(f"/tickets/{b['key']}/links", json={"ticket": a["key"]})
    assert again.status_code == 409

    other_side = await other_tenant.delete(f"/tickets/{foreign['key']}/links/{link['id']}")
    assert other_side.status_code == 404
    removed = await tenant.delete(f"/tickets/{b['key']}/links/{link['id']}")
    assert removed.status_code == 204
    kinds = [x["kind"] for x in (await tenant.get(f"/tickets/{a['key']}/links")).json()]
    assert kinds == ["related"]
    types = [e["type"] for e in (await tenant.get(f"/tickets/{a['key']}/activity")).json()["items"]]
    assert types.count("ticket.link_added") == 2
    assert types.count("ticket.link_removed") == 1
