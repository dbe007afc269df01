"""The event backbone across real processes: arq workers, two API servers, one Redis."""

from __future__ import annotations

import asyncio
import json
import time
from collections import defaultdict

import httpx
import pytest
from sqlalchemy import func, select
from standardwebhooks.webhooks import Webhook
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.backbone.conftest import ADMIN_PASSWORD, Cluster
from tests.support import eventually
from tests.webhooks.receiver import Receiver
from ticketdesk.events import SYSTEM_ACTOR
from ticketdesk.models import Event, WebhookDelivery, Workspace
from ticketdesk.tickets.schemas import TicketCreate, TicketUpdate
from ticketdesk.tickets.service import create_ticket, update_ticket
from ticketdesk.webhooks.schemas import WebhookCreate
from ticketdesk.webhooks.service import create_subscription

TICKETS, UPDATES = 100, 4  # 500 events


@pytest.mark.slow
async def test_kill_9_mid_delivery_loses_nothing(cluster: Cluster) -> None:
    receiver = await Receiver(delay=0.003).start()
    try:
        principal, _ = await cluster.workspace()
        async with cluster.db.unit_of_work() as session:
            _, secret = await create_subscription(
                session, principal, cluster.settings, WebhookCreate(url=receiver.url, events=["*"])
            )
        # committed events nobody enqueued: exactly what a crash after commit leaves behind
        async with cluster.db.unit_of_work() as session:
            workspace = await session.get(Workspace, principal.workspace_id)
            assert workspace is not None
            for i in range(TICKETS):
                ticket = await create_ticket(
                    session,
                    workspace,
                    TicketCreate(subject=f"T{i}"),
                    actor=SYSTEM_ACTOR,
                    channel="api",
                )
                for j in range(UPDATES):
                    await update_ticket(
                        session,
                        workspace,
                        ticket,
                        TicketUpdate(subject=f"T{i}.{j}"),
                        actor=SYSTEM_ACTOR,
                    )
        async with cluster.db.unit_of_work() as session:
            event_ids = set(await session.scalars(select(Event.id)))
        assert len(event_ids) == TICKETS * (1 + UPDATES)

        first = cluster.spawn("worker")
        await receiver.wait_for(60, timeout=120)
        assert len(receiver.requests) >= 60, "the first worker never got going"
        cluster.kill(first)  # kill -9, mid-delivery
        killed_at = len(receiver.requests)
        assert killed_at < len(event_ids), "the worker finished before it could be killed"
        cluster.spawn("worker")

        deadline = time.monotonic() + 180
        seen: dict[int, set[str]] = defaultdict(set)
        while time.monotonic() < deadline:
            seen.clear()
            for request in receiver.requests:
                seen[request.json["data"]["event"]["id"]].add(request.headers["webhook-id"])
            if set(seen) >= event_ids:
                break
            await asyncio.sleep(0.2)
        assert set(seen) == event_ids, f"lost {len(event_ids - set(seen))} events"
        assert all(len(ids) == 1 for ids in seen.values()), "a retry changed its webhook-id"
        webhook = Webhook(secret)
        for request in receiver.requests:
            webhook.verify(request.body, request.headers)
        # per ticket, first deliveries arrive in event order
        firsts: dict[str, list[int]] = defaultdict(list)
        done: set[int] = set()
        for request in receiver.requests:
            event_id = request.json["data"]["event"]["id"]
            if event_id not in done:
                done.add(event_id)
                firsts[request.json["data"]["ticket"]["id"]].append(event_id)
        assert all(ids == sorted(ids) for ids in firsts.values())

        async def statuses() -> dict[str, int]:
            async with cluster.db.unit_of_work() as session:
                return dict(
                    (
                        await session.execute(
                            select(WebhookDelivery.status, func.count()).group_by(
                                WebhookDelivery.status
                            )
                        )
                    ).all()
                )

        async def all_delivered() -> bool:  # the worker marks each one after its 200 came
            return await statuses() == {"delivered": len(event_ids)}

        await eventually(all_delivered, "every delivery marked delivered", timeout=120)
        assert await statuses() == {"delivered": len(event_ids)}
    finally:
        cluster.kill_all()
        await receiver.stop()


async def test_worker_retries_a_500_then_delivers(cluster: Cluster) -> None:
    receiver = await Receiver().start()
    receiver.script.append((500, {}, b"try later"))
    try:
        principal, slug = await cluster.workspace()
        async with cluster.db.unit_of_work() as session:
            await create_subscription(
                session,
                principal,
                cluster.settings,
                WebhookCreate(url=receiver.url, events=["ticket.created"]),
            )
        cluster.spawn("worker")
        api = await cluster.serve()
        async with httpx.AsyncClient(base_url=f"{api}/api/v1", timeout=60) as client:
            login = await client.post(
                "/auth/login",
                json={"email": f"admin@{slug}.test", "password": ADMIN_PASSWORD, "workspace": slug},
            )
            headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
            created = await client.post("/tickets", json={"subject": "Hi"}, headers=headers)
            assert created.status_code == 201
            requests = await receiver.wait_for(2, timeout=120)
            assert len(requests) == 2
            assert requests[0].headers["webhook-id"] == requests[1].headers["webhook-id"]
            # the 5 s first step (the next one is 5 minutes: a loaded machine may be late)
            assert 4 <= requests[1].at - requests[0].at < 120
            hooks = (await client.get("/webhooks", headers=headers)).json()["items"]
            log = await client.get(f"/webhooks/{hooks[0]['id']}/deliveries", headers=headers)
            (delivery,) = log.json()["items"]
            assert (delivery["status"], delivery["attempts"]) == ("delivered", 2)
    finally:
        cluster.kill_all()
        await receiver.stop()


async def test_two_api_processes_share_live_updates_and_presence(cluster: Cluster) -> None:
    _, slug = await cluster.workspace()
    one, two = await asyncio.gather(cluster.serve(), cluster.serve())
    async with httpx.AsyncClient(base_url=f"{one}/api/v1", timeout=60) as client:
        login = await client.post(
            "/auth/login",
            json={"email": f"admin@{slug}.test", "password": ADMIN_PASSWORD, "workspace": slug},
        )
        admin_token = login.json()["access_token"]
        headers = {"Authorization": f"Bearer {admin_token}"}
        user = await client.post(
            "/users",
            json={
                "email": f"bob@{slug}.test",
                "name": "Bob Agent",
                "role": "agent",
                "password": "user-password",
            },
            headers=headers,
        )
        assert user.status_code == 201
        bob = await client.post(
            "/auth/login",
            json={"email": f"bob@{slug}.test", "password": "user-password", "workspace": slug},
        )
        bob_token = bob.json()["access_token"]

        ws_one = one.replace("http", "ws") + "/api/v1/ws"
        ws_two = two.replace("http", "ws") + "/api/v1/ws"
        async with (
            connect(f"{ws_one}?token={admin_token}") as alice_ws,
            connect(f"{ws_two}?token={bob_token}") as bob_ws,
        ):
            await bob_ws.send(json.dumps({"type": "ping"}))
            assert json.loads(await bob_ws.recv())["type"] == "pong"
            created = await client.post("/tickets", json={"subject": "Across"}, headers=headers)
            assert created.status_code == 201
            message = await _next(bob_ws, "ticket.created")
            assert message["data"]["ticket"] == created.json()["key"]

            await alice_ws.send(json.dumps({"type": "viewing", "ticket": "TKT-1"}))
            await _next(alice_ws, "presence")
            await bob_ws.send(json.dumps({"type": "viewing", "ticket": "TKT-1"}))
            presence = await _next(alice_ws, "presence")
            assert sorted(u["name"] for u in presence["users"]) == ["Alice Admin", "Bob Agent"]

        async with connect(f"{ws_two}?token=bad") as ws:
            with pytest.raises(ConnectionClosed) as closed:
                await ws.recv()
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == 4401


async def _next(ws, type_: str, timeout: float = 30.0) -> dict:
    async with asyncio.timeout(timeout):
        while True:
            message = json.loads(await ws.recv())
            if message["type"] == type_:
                return message
