"""`ticketdesk seed`: realistic demo tickets numbered by the workspace counter, both backends."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import func, select

from ticketdesk.config import Settings
from ticketdesk.db import Database
from ticketdesk.models import Event, Workspace
from ticketdesk.seed import seed_demo

PASSWORD = "demo-password"


async def _login(client: httpx.AsyncClient, slug: str, email: str) -> dict[str, str]:
    response = await client.post(
        "/auth/login", json={"email": email, "password": PASSWORD, "workspace": slug}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def _all_tickets(client: httpx.AsyncClient, headers: dict[str, str]) -> list[dict[str, Any]]:
    tickets: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        params = {"limit": "100", **({"cursor": cursor} if cursor else {})}
        response = await client.get("/tickets", params=params, headers=headers)
        assert response.status_code == 200, response.text
        body = response.json()
        tickets.extend(body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            return tickets


async def _seed(settings: Settings, slug: str, tickets: int) -> None:
    await seed_demo(
        settings,
        slug=slug,
        tickets=tickets,
        admin_email=f"admin@{slug}.test",
        admin_password=PASSWORD,
        batch_size=120,  # several batches, and a last one that is not full
        quiet=True,
    )


async def test_seed_fills_a_workspace_with_varied_tickets(
    settings: Settings, db: Database, client: httpx.AsyncClient
) -> None:
    slug = f"seed-{uuid.uuid4().hex[:8]}"
    await _seed(settings, slug, 300)
    admin = await _login(client, slug, f"admin@{slug}.test")

    stats = (await client.get("/tickets/stats", headers=admin)).json()
    assert stats["total"] == 300
    assert set(stats["by_status"]) == {"open", "in_progress", "waiting", "resolved", "closed"}
    assert set(stats["by_priority"]) == {"low", "normal", "high", "urgent"}

    tickets = await _all_tickets(client, admin)
    assert sorted(t["number"] for t in tickets) == list(range(1, 301))
    assert len({t["subject"] for t in tickets}) > 50
    assert len({t["requester"]["email"] for t in tickets if t["requester"]}) > 20
    assert len({t["assignee"]["name"] for t in tickets if t["assignee"]}) >= 5
    assert sum(1 for t in tickets if t["labels"]) > 150
    now = datetime.now(UTC)
    created = [datetime.fromisoformat(t["created_at"]) for t in tickets]
    assert min(created) >= now - timedelta(days=91)
    assert max(created) <= now
    assert min(created) < now - timedelta(days=60)  # spread over the period, not one day
    by_number = sorted(tickets, key=lambda t: t["number"])
    assert by_number[0]["created_at"] < by_number[-1]["created_at"]  # numbers rise with time

    refunds = await client.get("/tickets", params={"label": "refund"}, headers=admin)
    assert refunds.json()["items"]
    assert all("refund" in t["labels"] for t in refunds.json()["items"])
    closed = [t for t in tickets if t["status"] == "closed"]
    assert all(t["closed_at"] and t["resolved_at"] for t in closed)

    commented = 0
    for ticket in tickets[:20]:
        comments = await client.get(f"/tickets/{ticket['key']}/comments", headers=admin)
        assert comments.status_code == 200
        commented += bool(comments.json())
        activity = await client.get(f"/tickets/{ticket['key']}/activity", headers=admin)
        assert [e["type"] for e in activity.json()["items"]][:1] == ["ticket.created"]
    assert commented >= 5

    agent = await _login(client, slug, "ada@demo.test")
    mine = await client.get("/tickets", params={"assignee": "me"}, headers=agent)
    assert mine.json()["items"]
    assert all(t["assignee"]["email"] == "ada@demo.test" for t in mine.json()["items"])

    async with db.unit_of_work() as session:
        workspace_id = await session.scalar(select(Workspace.id).where(Workspace.slug == slug))
        undispatched = await session.scalar(
            select(func.count()).where(
                Event.workspace_id == workspace_id, Event.dispatched_at.is_(None)
            )
        )
        created_events = await session.scalar(
            select(func.count()).where(
                Event.workspace_id == workspace_id, Event.type == "ticket.created"
            )
        )
    assert undispatched == 0  # seeded history is never delivered to webhooks
    assert created_events == 300


async def test_seeding_again_continues_the_numbering(
    settings: Settings, client: httpx.AsyncClient
) -> None:
    slug = f"seed-{uuid.uuid4().hex[:8]}"
    await _seed(settings, slug, 30)
    admin = await _login(client, slug, f"admin@{slug}.test")
    created = await client.post("/tickets", json={"subject": "Between seeds"}, headers=admin)
    assert created.json()["number"] == 31
    await _seed(settings, slug, 25)

    tickets = await _all_tickets(client, admin)
    assert sorted(t["number"] for t in tickets) == list(range(1, 57))
    users = (await client.get("/users", headers=admin)).json()
    assert len([u for u in users if u["email"] == "ada@demo.test"]) == 1
