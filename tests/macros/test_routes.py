"""Macros through the API: personal and shared ones, who may change which, tenancy, the list's
search and pages, and what a macro may say and do (checked when it is saved)."""

from __future__ import annotations

import pytest

from tests.macros.conftest import macro, macro_names

REPLY = "Hi {{ ticket.requester.first_name }}, {{ agent.name }} here about {{ ticket.key }}."


async def test_agents_keep_their_own_macros_and_everyone_sees_the_shared_ones(tenant):
    await tenant.add_user("agent", "Carol Agent", key="carol")
    shared = await macro(tenant, name="Refund issued", body=REPLY, shared=True)
    assert shared["shared"] is True and shared["owner_id"] is None
    bobs = await macro(tenant, role="agent", name="Bob's greeting", body="Hello!")
    assert bobs["shared"] is False and bobs["owner_id"] == tenant.users["agent"]["id"]
    await macro(tenant, role="carol", name="Carol's sign-off", body="Cheers, Carol")
    assert await macro_names(tenant, "agent") == ["Bob's greeting", "Refund issued"]
    assert await macro_names(tenant, "carol") == ["Carol's sign-off", "Refund issued"]
    # admins manage the shared list; another agent's personal macros stay theirs alone
    assert await macro_names(tenant, "admin") == ["Refund issued"]
    got = await tenant.get(f"/macros/{bobs['id']}", role="agent")
    assert got.status_code == 200 and got.json()["body"] == "Hello!"


async def test_an_agent_cannot_create_change_or_delete_shared_macros(tenant):
    refused = await tenant.post(
        "/macros", role="agent", json={"name": "x", "body": "y", "shared": True}
    )
    assert refused.status_code == 403, refused.text
    shared = await macro(tenant, name="Refund issued", body="Refunded.", shared=True)
    patched = await tenant.patch(f"/macros/{shared['id']}", role="agent", json={"name": "Mine now"})
    assert patched.status_code == 403
    deleted = await tenant.delete(f"/macros/{shared['id']}", role="agent")
    assert deleted.status_code == 403
    own = await macro(tenant, role="agent", name="Own", body="Mine")
    share = await tenant.patch(f"/macros/{own['id']}", role="agent", json={"shared": True})
    assert share.status_code == 403
    assert (await tenant.get(f"/macros/{shared['id']}")).json()["name"] == "Refund issued"
    assert (await tenant.get(f"/macros/{own['id']}", role="agent")).json()["shared"] is False
    # the viewer reads the shared list but keeps no macros
    assert await macro_names(tenant, "viewer") == ["Refund issued"]
    viewer = await tenant.post("/macros", role="viewer", json={"name": "v", "body": "v"})
    assert viewer.status_code == 403


async def test_admins_share_and_take_back_macros(tenant):
    own = await macro(tenant, name="Draft", body="Soon for everyone")
    shared = await tenant.patch(f"/macros/{own['id']}", json={"shared": True})
    assert shared.status_code == 200, shared.text
    assert shared.json()["shared"] is True and shared.json()["owner_id"] is None
    assert "Draft" in await macro_names(tenant, "agent")
    back = await tenant.patch(f"/macros/{own['id']}", json={"shared": False, "name": "Mine"})
    assert back.json()["owner_id"] == tenant.users["admin"]["id"]
    assert await macro_names(tenant, "agent") == []
    assert (await tenant.delete(f"/macros/{own['id']}")).status_code == 204
    assert (await tenant.get(f"/macros/{own['id']}")).status_code == 404


async def test_another_users_personal_macro_is_not_found(tenant):
    await tenant.add_user("agent", "Carol Agent", key="carol")
    bobs = await macro(tenant, role="agent", name="Bob's", body="Bob's words")
    for role in ("carol", "admin"):
        assert (await tenant.get(f"/macros/{bobs['id']}", role=role)).status_code == 404
        patched = await tenant.patch(f"/macros/{bobs['id']}", role=role, json={"name": "Stolen"})
        assert patched.status_code == 404
        assert (await tenant.delete(f"/macros/{bobs['id']}", role=role)).status_code == 404
        assert "Bob's words" not in (await tenant.get("/macros", role=role)).text
    assert (await tenant.get(f"/macros/{bobs['id']}", role="agent")).json()["name"] == "Bob's"


async def test_another_workspaces_macros_are_not_found(tenant, other_tenant):
    theirs = await macro(other_tenant, name="Confidential", body="Secret", shared=True)
    ticket = await tenant.create_ticket()
    for method, url in (
        ("GET", f"/macros/{theirs['id']}"),
        ("PATCH", f"/macros/{theirs['id']}"),
        ("DELETE", f"/macros/{theirs['id']}"),
        ("POST", f"/tickets/{ticket['key']}/macros/{theirs['id']}/preview"),
        ("POST", f"/tickets/{ticket['key']}/macros/{theirs['id']}/apply"),
    ):
        body = {"name": "Mine"} if method == "PATCH" else None
        response = await tenant.request(method, url, json=body)
        assert response.status_code == 404, (method, url, response.text)
        assert "confidential" not in response.text.lower()
    assert await macro_names(tenant, "admin") == []
    assert (await other_tenant.get(f"/macros/{theirs['id']}")).json()["name"] == "Confidential"
    assert (await tenant.get(f"/tickets/{ticket['key']}/comments")).json() == []


async def test_an_api_token_manages_shared_macros_only(tenant):
    created = await tenant.post("/api-tokens", json={"name": "ci", "scopes": ["admin"]})
    token = {"Authorization": f"Bearer {created.json()['token']}"}
    shared = await tenant.client.post(
        "/macros", json={"name": "From CI", "body": "Hi", "shared": True}, headers=token
    )
    assert shared.status_code == 201, shared.text
    personal = await tenant.client.post(
        "/macros", json={"name": "Mine", "body": "Hi"}, headers=token
    )
    assert personal.status_code == 403
    listed = await tenant.client.get("/macros", headers=token)
    assert [m["name"] for m in listed.json()["items"]] == ["From CI"]


async def test_search_by_name_and_walk_every_page_once(tenant):
    names = ["refund issued", "Refund denied", "Shipping delay", "Bug report", "Password reset"]
    names += ["Zebra", "ápple", "Ask for logs"]
    for index, name in enumerate(names):
        await macro(tenant, role="agent", name=name, body="x", shared=False)
        if index % 3 == 0:
            await macro(tenant, name=f"{name} (team)", body="x", shared=True)
    found = await tenant.get("/macros", role="agent", params={"q": "REFUND"})
    assert [m["name"] for m in found.json()["items"]] == [
        "Refund denied",
        "refund issued",
        "refund issued (team)",
    ]
    assert (await tenant.get("/macros", params={"q": "100%_"})).json()["items"] == []
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = (await tenant.get("/macros", role="agent", params=params)).json()
        assert len(page["items"]) <= 3
        seen += [m["name"] for m in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
        # a macro saved while paging lands where its name puts it, never twice
        await macro(tenant, role="agent", name=f"Zz {len(seen)}", body="x")
    assert len(seen) == len(set(seen))
    assert seen[: len(names) + 3] == sorted(seen[: len(names) + 3], key=str.lower)
    assert set(names) <= set(seen)
    bad = await tenant.get("/macros", params={"cursor": "bm90LWEtY3Vyc29y"})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["loc"] == ["query", "cursor"]


@pytest.mark.parametrize(
    ("body", "loc", "says"),
    [
        ({"body": "Hi {{ ticket.requester.nmae }}"}, ["body", "body"], "ticket.requester.nmae"),
        ({"body": "{% if false %}{{ tiket.key }}{% endif %}"}, ["body", "body"], "tiket"),
        ({"body": "{% if ticket.key %}{{ ticket.nope }}{% endif %}"}, ["body", "body"], "nope"),
        ({"body": "Hi {{ ticket.requester.name "}, ["body", "body"], "not a valid template"),
        ({"body": "{{ ticket.__class__ }}"}, ["body", "body"], "__class__"),
        ({"body": "{{ " + "(" * 5000 + "1" + ")" * 5000 + " }}"}, ["body", "body"], None),
        (
            # the email templates' sandbox and its limits: no loop that burns the CPU
            {
                "body": "{% for i in range(1000) %}{% for j in range(1000) %}{{ ticket.key }}"
                "{% endfor %}{% endfor %}"
            },
            ["body", "body"],
            "limits",
        ),
        ({"actions": [{"type": "send_email", "value": {"template": "x"}}]}, None, None),
        ({"actions": [{"type": "set_priority", "value": "asap"}]}, None, "set_priority"),
        ({"actions": [{"type": "set_status", "value": "no_such"}]}, None, "Unknown status"),
        ({"actions": [{"type": "assign", "value": "round_robin"}]}, None, "round robin"),
        ({"actions": [{"type": "add_labels", "value": ["a,b"]}]}, None, None),
        ({"actions": [{"type": "set_type", "value": "Not A Slug"}]}, None, None),
        ({"actions": [{"type": "set_team", "value": "not-a-uuid"}]}, None, None),
        ({}, ["body"], "a reply"),
    ],
)
async def test_bad_macros_are_refused_and_nothing_is_saved(tenant, body, loc, says):
    response = await tenant.post("/macros", json={"name": "Bad", **body})
    assert response.status_code == 422, response.text
    problem = response.json()
    if loc is not None:
        assert problem["errors"][0]["loc"] == loc
    elif "actions" in body:
        assert problem["errors"][0]["loc"][:3] == ["body", "actions", 0]
    if says is not None:
        assert says in response.text
    assert await macro_names(tenant, "admin") == []


async def test_ids_of_other_workspaces_or_missing_ones_are_refused(tenant, other_tenant):
    olga = other_tenant.users["agent"]["id"]
    their_team = (await other_tenant.post("/teams", json={"name": "Theirs"})).json()["id"]
    viewer = tenant.users["viewer"]["id"]
    for action in (
        {"type": "assign", "value": olga},
        {"type": "assign", "value": viewer},  # a viewer works no tickets
        {"type": "set_team", "value": their_team},
        {"type": "set_team", "value": "00000000-0000-4000-8000-000000000000"},
    ):
        response = await tenant.post("/macros", json={"name": "Bad", "actions": [action]})
        assert response.status_code == 422, (action, response.text)
        assert response.json()["errors"][0]["loc"] == ["body", "actions", 0, "value"]
    assert await macro_names(tenant, "admin") == []


async def test_a_patch_is_checked_like_a_create(tenant):
    own = await macro(tenant, role="agent", name="Mine", body="Hello {{ requester.name }}")
    bad = await tenant.patch(f"/macros/{own['id']}", role="agent", json={"body": "{{ nope }}"})
    assert bad.status_code == 422
    emptied = await tenant.patch(f"/macros/{own['id']}", role="agent", json={"body": None})
    assert emptied.status_code == 422  # nothing left to do
    null_name = await tenant.patch(f"/macros/{own['id']}", role="agent", json={"name": None})
    assert null_name.status_code == 422
    changed = await tenant.patch(
        f"/macros/{own['id']}",
        role="agent",
        json={
            "body": None,
            "visibility": "internal",
            "actions": [{"type": "add_labels", "value": ["VIP "]}],
        },
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["body"] is None and changed.json()["visibility"] == "internal"
    assert changed.json()["actions"] == [{"type": "add_labels", "value": ["vip"]}]
