"""Comments over HTTP: the shape of a comment, who may write, and what the list shows."""

from __future__ import annotations


async def test_a_comment_comes_back_in_its_one_shape(tenant):
    ticket = await tenant.create_ticket()
    created = await tenant.post(
        f"/tickets/{ticket['key']}/comments", json={"body": "*Hi*"}, role="agent"
    )
    assert created.status_code == 201, created.text
    comment = created.json()
    assert set(comment) == {
        "id",
        "ticket_id",
        "body",
        "body_html",
        "attachments",
        "visibility",
        "author",
        "created_at",
    }
    assert comment["ticket_id"] == ticket["id"]
    assert comment["body_html"] == "<p><em>Hi</em></p>\n"
    assert comment["attachments"] == []
    assert comment["visibility"] == "public"
    assert comment["author"] == {
        "kind": "user",
        "id": tenant.users["agent"]["id"],
        "name": "Bob Agent",
    }
    assert comment["created_at"].endswith("Z")
    [listed] = (await tenant.get(f"/tickets/{ticket['id']}/comments", role="viewer")).json()
    assert listed == comment


async def test_who_may_comment_where(tenant, other_tenant):
    ticket = await tenant.create_ticket()
    url = f"/tickets/{ticket['key']}/comments"
    assert (await tenant.post(url, json={"body": "x"}, role="viewer")).status_code == 403
    assert (await tenant.get(url, role="viewer")).status_code == 200
    assert (
        await tenant.post("/tickets/TKT-999999/comments", json={"body": "x"})
    ).status_code == 404
    assert (await tenant.post(url, json={"body": "x", "visibility": "secret"})).status_code == 422
    assert (await tenant.post(url, json={"body": "   "})).status_code == 422
    foreign = f"/tickets/{ticket['id']}/comments"
    assert (await other_tenant.post(foreign, json={"body": "x"})).status_code == 404
    assert (await other_tenant.get(foreign)).status_code == 404
    assert (await tenant.get(url)).json() == []


async def test_a_merged_ticket_takes_no_comments_and_its_comments_show_on_the_target(tenant):
    source = await tenant.create_ticket(subject="source")
    target = await tenant.create_ticket(subject="target")
    await tenant.post(f"/tickets/{source['key']}/comments", json={"body": "first"})
    await tenant.post(
        f"/tickets/{target['key']}/comments", json={"body": "second", "visibility": "internal"}
    )
    merged = await tenant.post(f"/tickets/{source['key']}/merge", json={"into": target["key"]})
    assert merged.status_code == 200, merged.text
    late = await tenant.post(f"/tickets/{source['key']}/comments", json={"body": "late"})
    assert late.status_code == 409
    listed = (await tenant.get(f"/tickets/{target['key']}/comments")).json()
    assert [c["body"] for c in listed][-2:] == ["first", "second"]
    internal = (await tenant.get(f"/tickets/{target['key']}/comments?visibility=internal")).json()
    assert [c["body"] for c in internal] == ["second"]
