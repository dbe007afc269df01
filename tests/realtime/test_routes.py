"""The live-update endpoint over a real WebSocket, in one process (the in-process broker)."""

from __future__ import annotations

import asyncio
import json

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed


async def next_message(ws, type_, timeout=30.0):
    async with asyncio.timeout(timeout):
        while True:
            message = json.loads(await ws.recv())
            if message["type"] == type_:
                return message


async def test_a_bad_token_closes_with_4401(ws_base):
    for url in (f"{ws_base}?token=nope", ws_base):
        async with connect(url) as ws:
            with pytest.raises(ConnectionClosed) as closed:
                await ws.recv()
        assert closed.value.rcvd.code == 4401


async def test_changes_stream_to_the_workspace_only(ws_base, tenant, other_tenant):
    async with (
        connect(f"{ws_base}?token={tenant.tokens['viewer']}") as mine,
        connect(f"{ws_base}?token={other_tenant.tokens['admin']}") as theirs,
    ):
        for ws in (mine, theirs):  # a pong: the server has registered the socket with the broker
            await ws.send(json.dumps({"type": "ping"}))
            assert (await next_message(ws, "pong"))["type"] == "pong"
        ticket = await tenant.create_ticket(subject="Live")
        await tenant.patch(f"/tickets/{ticket['key']}", json={"status": "waiting"})
        created = await next_message(mine, "ticket.created")
        assert created["data"]["ticket"] == ticket["key"]
        changed = await next_message(mine, "ticket.status_changed")
        assert (changed["data"]["from"], changed["data"]["to"]) == ("open", "waiting")
        assert changed["data"]["actor"]["name"] == "Alice Admin"
        await theirs.send(json.dumps({"type": "ping"}))
        assert json.loads(await theirs.recv()) == {"type": "pong"}  # nothing of tenant's before


async def test_presence_between_two_sockets(ws_base, tenant):
    async with (
        connect(f"{ws_base}?token={tenant.tokens['admin']}") as alice,
        connect(f"{ws_base}?token={tenant.tokens['agent']}") as bob,
    ):
        await alice.send(json.dumps({"type": "viewing", "ticket": "tkt-42"}))
        first = await next_message(alice, "presence")
        assert [u["name"] for u in first["users"]] == ["Alice Admin"]
        await bob.send(json.dumps({"type": "viewing", "ticket": "TKT-42"}))
        seen = await next_message(alice, "presence")
        assert seen["ticket"] == "TKT-42"
        assert [u["name"] for u in seen["users"]] == ["Alice Admin", "Bob Agent"]
        await bob.send(json.dumps({"type": "typing", "ticket": "TKT-42"}))
        typing = await next_message(alice, "typing")
        assert typing["user"]["name"] == "Bob Agent"
    # bob leaving by disconnecting is seen by alice (checked with a fresh pair)
    async with connect(f"{ws_base}?token={tenant.tokens['admin']}") as alice:
        await alice.send(json.dumps({"type": "viewing", "ticket": "TKT-7"}))
        await next_message(alice, "presence")
        async with connect(f"{ws_base}?token={tenant.tokens['agent']}") as bob:
            await bob.send(json.dumps({"type": "viewing", "ticket": "TKT-7"}))
            assert len((await next_message(alice, "presence"))["users"]) == 2
        left = await next_message(alice, "presence")
        assert [u["name"] for u in left["users"]] == ["Alice Admin"]


async def test_bad_frames_get_an_error_not_a_disconnect(ws_base, tenant):
    async with connect(f"{ws_base}?token={tenant.tokens['agent']}") as ws:
        for frame in ("not json", "[1]", json.dumps({"type": "viewing", "ticket": 5})):
            await ws.send(frame)
            assert (await next_message(ws, "error"))["detail"]
        await ws.send(json.dumps({"type": "ping"}))
        assert (await next_message(ws, "pong"))["type"] == "pong"
