"""Chat widgets and AI assistants: upsert, polling, conversion to tickets, agent replies."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from sqlalchemy import select

from tests.support import Tenant
from ticketdesk.db import Database
from ticketdesk.models import Attachment


async def api_token(tenant: Tenant, *scopes: str) -> dict[str, str]:
    response = await tenant.post("/api-tokens", json={"name": "widget", "scopes": list(scopes)})
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def chat(external_id: str | None = "chat-1", **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "channel": "chat",
        "visitor": {
            "email": "Vic@Example.com",
            "name": "Vic Visitor",
            "country": "DE",
            "device": "Firefox on Linux",
            "page_url": "https://shop.example.com/orders/78932",
        },
        "messages": [
            {
                "author": "visitor",
                "body": "My order 78932 never arrived",
                "sent_at": "2026-11-21T09:30:00Z",
            },
            {
                "author": "ai",
                "body": "Sorry to hear that! Let me check.",
                "sent_at": "2026-11-21T09:30:05Z",
            },
        ],
        **extra,
    }
    if external_id is not None:
        body["external_id"] = external_id
    return body


async def test_upsert_by_external_id_is_idempotent(tenant: Tenant) -> None:
    widget = await api_token(tenant, "conversations:write")
    first = await tenant.client.post("/conversations", json=chat(), headers=widget)
    assert first.status_code == 201, first.text
    conversation = first.json()
    assert [m["author"] for m in conversation["messages"]] == ["visitor", "ai"]
    assert conversation["visitor"]["email"] == "vic@example.com"
    assert conversation["visitor"]["page_url"] == "https://shop.example.com/orders/78932"

    # the widget posts the whole transcript again, with one new message: only that one is added
    again = chat()
    again["messages"].append({"author": "visitor", "body": "ok"})
    again["messages"].append({"author": "visitor", "body": "ok"})
    second = await tenant.client.post("/conversations", json=again, headers=widget)
    assert second.status_code == 200, second.text
    assert second.json()["id"] == conversation["id"]
    bodies = [m["body"] for m in second.json()["messages"]]
    assert bodies == [
        "My order 78932 never arrived",
        "Sorry to hear that! Let me check.",
        "ok",
        "ok",
    ]
    third = await tenant.client.post("/conversations", json=again, headers=widget)
    assert third.status_code == 200
    assert len(third.json()["messages"]) == 4
    assert [m["position"] for m in third.json()["messages"]] == [1, 2, 3, 4]


async def test_without_external_id_every_post_is_a_new_conversation(tenant: Tenant) -> None:
    one = await tenant.post("/conversations", json=chat(None))
    two = await tenant.post("/conversations", json=chat(None))
    assert one.status_code == two.status_code == 201
    assert one.json()["id"] != two.json()["id"]


async def test_widget_polls_for_messages_after_the_last_one_it_saw(tenant: Tenant) -> None:
    created = (await tenant.post("/conversations", json=chat())).json()
    last_seen = created["messages"][-1]["id"]
    cid = created["id"]
    nothing = await tenant.get(f"/conversations/{cid}/messages?after={last_seen}")
    assert nothing.status_code == 200
    assert nothing.json() == {"items": [], "next_cursor": None}

    added = await tenant.post(
        f"/conversations/{cid}/messages", json={"author": "agent", "body": "Hi, Bob here."}
    )
    assert added.status_code == 201, added.text
    newer = (await tenant.get(f"/conversations/{cid}/messages?after={last_seen}")).json()
    assert [m["body"] for m in newer["items"]] == ["Hi, Bob here."]

    paged = (await tenant.get(f"/conversations/{cid}/messages?limit=2")).json()
    assert len(paged["items"]) == 2
    assert paged["next_cursor"] == paged["items"][1]["id"]
    rest = (await tenant.get(f"/conversations/{cid}/messages?after={paged['next_cursor']}")).json()
    assert [m["body"] for m in rest["items"]] == ["Hi, Bob here."]

    bogus = await tenant.get(f"/conversations/{cid}/messages?after={cid}")
    assert bogus.status_code == 422


async def test_convert_to_ticket_attaches_transcript_and_links_both_ways(
    tenant: Tenant, db: Database
) -> None:
    conversation = (await tenant.post("/conversations", json=chat())).json()
    cid = conversation["id"]
    response = await tenant.post(f"/conversations/{cid}/tickets", json={"labels": ["shipping"]})
    assert response.status_code == 201, response.text
    ticket = response.json()
    assert ticket["channel"] == "chat"
    assert ticket["conversation_id"] == cid
    assert ticket["requester"]["email"] == "vic@example.com"
    assert ticket["requester"]["name"] == "Vic Visitor"
    assert ticket["subject"] == "My order 78932 never arrived"
    assert "Sorry to hear that! Let me check." in ticket["description"]
    assert "Country: DE" in ticket["description"]
    assert ticket["labels"] == ["shipping"]

    transcript = (await tenant.get(f"/tickets/{ticket['key']}/transcript")).json()
    assert transcript["visitor"]["device"] == "Firefox on Linux"
    assert [m["author"] for m in transcript["messages"]] == ["visitor", "ai"]

    # a second ticket from the same conversation, for someone else
    other = await tenant.post(
        f"/conversations/{cid}/tickets",
        json={"subject": "Refund for 78932", "requester_email": "boss@example.com"},
    )
    assert other.status_code == 201
    assert other.json()["requester"]["email"] == "boss@example.com"
    assert other.json()["requester"]["name"] is None

    linked = (await tenant.get(f"/conversations/{cid}")).json()["tickets"]
    assert [t["key"] for t in linked] == [ticket["key"], other.json()["key"]]
    async with db.unit_of_work() as session:
        files = (
            await session.scalars(
                select(Attachment).where(Attachment.ticket_id == uuid.UUID(ticket["id"]))
            )
        ).all()
    assert [(f.filename, f.content_type) for f in files] == [("chat-transcript.txt", "text/plain")]


async def test_public_agent_replies_reach_the_chat_but_internal_notes_never(
    tenant: Tenant,
) -> None:
    conversation = (await tenant.post("/conversations", json=chat())).json()
    cid = conversation["id"]
    last_seen = conversation["messages"][-1]["id"]
    ticket = (await tenant.post(f"/conversations/{cid}/tickets", json={})).json()

    note = await tenant.post(
        f"/tickets/{ticket['key']}/comments",
        json={"body": "Customer seems upset", "visibility": "internal"},
        role="agent",
    )
    assert note.status_code == 201
    reply = await tenant.post(
        f"/tickets/{ticket['key']}/comments",
        json={"body": "We are sending a replacement today.", "visibility": "public"},
        role="agent",
    )
    assert reply.status_code == 201
    polled = (await tenant.get(f"/conversations/{cid}/messages?after={last_seen}")).json()
    assert [(m["author"], m["body"], m["author_name"]) for m in polled["items"]] == [
        ("agent", "We are sending a replacement today.", "Bob Agent")
    ]
    # the widget re-posting its transcript with that agent message does not duplicate it
    again = chat()
    again["messages"].append({"author": "agent", "body": "We are sending a replacement today."})
    after = (await tenant.post("/conversations", json=again)).json()
    assert len(after["messages"]) == 3


async def test_ticket_outlives_its_conversation(tenant: Tenant) -> None:
    conversation = (await tenant.post("/conversations", json=chat())).json()
    cid = conversation["id"]
    ticket = (await tenant.post(f"/conversations/{cid}/tickets", json={})).json()
    await tenant.post(
        f"/conversations/{cid}/messages", json={"author": "visitor", "body": "Thanks"}
    )

    assert (await tenant.delete(f"/conversations/{cid}", role="agent")).status_code == 403
    assert (await tenant.delete(f"/conversations/{cid}")).status_code == 204
    assert (await tenant.get(f"/conversations/{cid}")).status_code == 404

    kept = await tenant.get(f"/tickets/{ticket['key']}")
    assert kept.status_code == 200
    assert kept.json()["conversation_id"] == cid
    transcript = (await tenant.get(f"/tickets/{ticket['key']}/transcript")).json()
    assert transcript["conversation_exists"] is False
    assert [m["body"] for m in transcript["messages"]][-1] == "Thanks"
    assert transcript["visitor"]["name"] == "Vic Visitor"
    # replying on the ticket still works; there is just no chat to echo it to
    reply = await tenant.post(
        f"/tickets/{ticket['key']}/comments", json={"body": "Still here", "visibility": "public"}
    )
    assert reply.status_code == 201


async def test_scopes_roles_and_tenancy(tenant: Tenant, other_tenant: Tenant) -> None:
    reader_token = await api_token(tenant, "tickets:read")
    denied = await tenant.client.post("/conversations", json=chat(), headers=reader_token)
    assert denied.status_code == 403
    assert (await tenant.post("/conversations", json=chat(), role="viewer")).status_code == 403
    cid = (await tenant.post("/conversations", json=chat())).json()["id"]
    assert (
        await tenant.client.get(f"/conversations/{cid}", headers=reader_token)
    ).status_code == 200
    assert (await other_tenant.get(f"/conversations/{cid}")).status_code == 404
    assert (await other_tenant.post(f"/conversations/{cid}/tickets", json={})).status_code == 404
    # the same external id in another workspace is another conversation
    theirs = await other_tenant.post("/conversations", json=chat())
    assert theirs.status_code == 201
    assert theirs.json()["id"] != cid
    plain = await tenant.create_ticket()
    assert (await tenant.get(f"/tickets/{plain['key']}/transcript")).status_code == 404
    assert (await tenant.client.post("/conversations", json=chat())).status_code == 401


async def test_bad_input_is_a_422_not_a_500(tenant: Tenant) -> None:
    bad = [
        {"messages": [{"author": "robot", "body": "x"}]},
        {"messages": [{"author": "visitor", "body": ""}]},
        {"messages": [{"author": "visitor", "body": "a\x00b"}]},
        {"external_id": "x" * 201},
        {"visitor": {"email": "not-an-email"}},
        {"messages": [{"author": "visitor", "body": "hi"}] * 501},
    ]
    for body in bad:
        response = await tenant.post("/conversations", json=body)
        assert response.status_code == 422, (body, response.text)
    assert (await tenant.get("/conversations/not-a-uuid")).status_code == 422


async def test_list_conversations_newest_first_in_keyset_pages(tenant: Tenant) -> None:
    ids = [
        (await tenant.post("/conversations", json=chat(f"list-{i}"))).json()["id"] for i in range(5)
    ]
    seen: list[str] = []
    cursor = None
    while True:
        url = "/conversations?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = (await tenant.get(url, role="viewer")).json()
        seen += [c["id"] for c in page["items"]]
        if page["items"]:
            assert "messages" not in page["items"][0]
            assert page["items"][0]["message_count"] == 2
        cursor = page["next_cursor"]
        if cursor is None:
            break
        # a conversation arriving mid-walk must not shift or repeat the remaining pages
        await tenant.post("/conversations", json=chat(None))
    assert seen == list(reversed(ids))
    assert (await tenant.get("/conversations?cursor=garbage")).status_code == 422


async def test_concurrent_upserts_make_one_conversation_without_duplicates(
    tenant: Tenant,
) -> None:
    """A widget retrying in parallel: one 201, the rest 200, each message stored once."""
    responses = await asyncio.gather(
        *(tenant.post("/conversations", json=chat("race")) for _ in range(6))
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200, 200, 200, 200, 200, 201]
    assert len({r.json()["id"] for r in responses}) == 1
    final = (await tenant.get(f"/conversations/{responses[0].json()['id']}")).json()
    assert [m["position"] for m in final["messages"]] == [1, 2]
