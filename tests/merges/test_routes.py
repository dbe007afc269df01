"""Merging and splitting tickets."""


async def _comment(tenant, key, body, visibility="public"):
    response = await tenant.post(
        f"/tickets/{key}/comments", json={"body": body, "visibility": visibility}
    )
    assert response.status_code == 201, response.text
    return response.json()


async def test_merge_closes_the_source_and_shows_its_comments_on_the_target(tenant):
    source = await tenant.create_ticket(subject="duplicate report")
    target = await tenant.create_ticket(subject="original report")
    await _comment(tenant, source["key"], "from the source")
    await _comment(tenant, target["key"], "from the target")
    response = await tenant.post(f"/tickets/{source['key']}/merge", json={"into": target["key"]})
    assert response.status_code == 200, response.text
    assert response.json()["key"] == target["key"]

    closed = (await tenant.get(f"/tickets/{source['key']}")).json()
    assert closed["status"] == "closed"
    assert closed["merged_into"] == target["key"]
    assert closed["closed_at"] is not None

    bodies = [c["body"] for c in (await tenant.get(f"/tickets/{target['key']}/comments")).json()]
    assert bodies == ["from the source", "from the target"]
    for key in (source["key"], target["key"]):
        activity = (await tenant.get(f"/tickets/{key}/activity?type=ticket.merged")).json()
        [event] = activity["items"]
        assert event["data"]["from"] == source["key"]
        assert event["data"]["to"] == target["key"]
    # a merged ticket takes no more comments
    late = await tenant.post(f"/tickets/{source['key']}/comments", json={"body": "late"})
    assert late.status_code == 409


async def test_merge_refusals(tenant, other_tenant):
    a = await tenant.create_ticket(subject="a")
    b = await tenant.create_ticket(subject="b")
    c = await tenant.create_ticket(subject="c")
    foreign = await other_tenant.create_ticket(subject="foreign")

    itself = await tenant.post(f"/tickets/{a['key']}/merge", json={"into": a["id"]})
    assert itself.status_code == 422
    assert "itself" in itself.json()["detail"]

    across = await tenant.post(f"/tickets/{a['key']}/merge", json={"into": foreign["id"]})
    assert across.status_code == 422
    assert across.json()["errors"][0]["loc"] == ["body", "into"]
    assert "foreign" not in across.text

    missing = await tenant.post(f"/tickets/{a['key']}/merge", json={"into": "TKT-4242"})
    assert missing.status_code == 422

    assert (
        await tenant.post(f"/tickets/{b['key']}/merge", json={"into": c["key"]})
    ).status_code == 200
    into_merged = await tenant.post(f"/tickets/{a['key']}/merge", json={"into": b["key"]})
    assert into_merged.status_code == 409
    assert c["key"] in into_merged.json()["detail"]
    again = await tenant.post(f"/tickets/{b['key']}/merge", json={"into": a["key"]})
    assert again.status_code == 409

    foreign_source = await tenant.post(f"/tickets/{foreign['id']}/merge", json={"into": a["key"]})
    assert foreign_source.status_code == 404
    viewer = await tenant.post(f"/tickets/{a['key']}/merge", role="viewer", json={"into": c["key"]})
    assert viewer.status_code == 403
    assert (await other_tenant.get(f"/tickets/{foreign['key']}")).json()["status"] == "open"


async def test_merge_chain_shows_every_merged_comment(tenant):
    a = await tenant.create_ticket(subject="a")
    b = await tenant.create_ticket(subject="b")
    c = await tenant.create_ticket(subject="c")
    await _comment(tenant, a["key"], "on a")
    await tenant.post(f"/tickets/{a['key']}/merge", json={"into": b["key"]})
    await tenant.post(f"/tickets/{b['key']}/merge", json={"into": c["key"]})
    bodies = [x["body"] for x in (await tenant.get(f"/tickets/{c['key']}/comments")).json()]
    assert bodies == ["on a"]


async def test_split_moves_chosen_comments_to_a_linked_ticket(tenant):
    original = await tenant.create_ticket(
        subject="two problems", priority="high", labels=["vip"], requester={"email": "r@x.test"}
    )
    keep = await _comment(tenant, original["key"], "about the printer")
    move = await _comment(tenant, original["key"], "and also the scanner", "internal")
    response = await tenant.post(
        f"/tickets/{original['key']}/split",
        json={"comment_ids": [move["id"]], "subject": "Scanner broken"},
    )
    assert response.status_code == 201, response.text
    new = response.json()
    assert response.headers["location"].endswith(new["key"])
    assert new["subject"] == "Scanner broken"
    assert new["priority"] == "high"
    assert new["labels"] == ["vip"]
    assert new["requester"]["email"] == "r@x.test"

    old_comments = (await tenant.get(f"/tickets/{original['key']}/comments")).json()
    new_comments = (await tenant.get(f"/tickets/{new['key']}/comments")).json()
    assert [c["id"] for c in old_comments] == [keep["id"]]
    assert [c["id"] for c in new_comments] == [move["id"]]

    for key, other in ((original["key"], new["key"]), (new["key"], original["key"])):
        links = (await tenant.get(f"/tickets/{key}/links")).json()
        assert [link["ticket"]["key"] for link in links] == [other]
        split = (await tenant.get(f"/tickets/{key}/activity?type=ticket.split")).json()["items"]
        assert split[0]["data"]["from"] == original["key"]
        assert split[0]["data"]["to"] == new["key"]


async def test_split_refusals(tenant, other_tenant):
    a = await tenant.create_ticket(subject="a")
    b = await tenant.create_ticket(subject="b")
    on_b = await _comment(tenant, b["key"], "on b")
    foreign = await other_tenant.create_ticket(subject="f")
    foreign_comment = (
        await other_tenant.post(f"/tickets/{foreign['key']}/comments", json={"body": "secret"})
    ).json()
    for ids in ([on_b["id"]], [foreign_comment["id"]], []):
        response = await tenant.post(
            f"/tickets/{a['key']}/split", json={"comment_ids": ids, "subject": "x"}
        )
        assert response.status_code == 422, response.text
        assert "secret" not in response.text
    assert len((await tenant.get(f"/tickets/{b['key']}/comments")).json()) == 1


async def test_merge_carries_watchers_to_the_target(tenant):
    source = await tenant.create_ticket(subject="s")
    target = await tenant.create_ticket(subject="t")
    viewer_id = tenant.users["viewer"]["id"]
    await tenant.put(f"/tickets/{source['key']}/watchers/{viewer_id}")
    await tenant.post(f"/tickets/{source['key']}/merge", json={"into": target["key"]})
    watchers = (await tenant.get(f"/tickets/{target['key']}/watchers")).json()
    assert [w["id"] for w in watchers] == [viewer_id]
