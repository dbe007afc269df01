"""`ticketdesk seed`: realistic demo tickets numbered by the workspace counter, both backends."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from ticketdesk.config import Settings
from ticketdesk.db import Database
from ticketdesk.errors import ValidationFailed
from ticketdesk.models import Contact, Event, Label, Workspace
from ticketdesk.seed import AGENTS, seed_demo
from ticketdesk.sla import service as sla
from ticketdesk.workspaces.service import create_workspace

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


async def test_the_demo_shows_the_product(
    settings: Settings, db: Database, client: httpx.AsyncClient
) -> None:
    """SLA policies and office hours with clocks on the tickets (overdue, at risk, ok), chat
    tickets with their transcript, automations, macros, a webhook, and notes that mention
    agents: the desk a new agent would see."""
    slug = f"show-{uuid.uuid4().hex[:8]}"
    before = datetime.now(UTC)
    await _seed(settings, slug, 200)
    admin = await _login(client, slug, f"admin@{slug}.test")

    policies = (await client.get("/sla-policies", headers=admin)).json()
    assert len(policies) == 3
    assert all(p["active"] for p in policies)
    assert {"urgent", "high", "normal", "low"} <= {k for p in policies for k in p["targets"]}
    (hours,) = (await client.get("/business-hours", headers=admin)).json()
    assert hours["weekly"]["mon"] == [["09:00", "17:00"]]
    assert not hours["weekly"].get("sat")
    assert len(hours["holidays"]) >= 2

    overdue = (await client.get("/tickets", params={"sla": "overdue"}, headers=admin)).json()
    at_risk = (await client.get("/tickets", params={"sla": "at_risk"}, headers=admin)).json()
    assert overdue["items"] and at_risk["items"]
    assert {t["sla"]["state"] for t in overdue["items"]} == {"breached"}
    assert {t["sla"]["state"] for t in at_risk["items"]} == {"at_risk"}
    tickets = await _all_tickets(client, admin)
    states = {t["sla"]["state"] for t in tickets if t["status_category"] in ("open", "pending")}
    assert {"breached", "at_risk", "ok"} <= states
    finished = {t["sla"]["state"] for t in tickets if t["status_category"] == "closed"}
    assert finished <= {"met", "breached", "none"}
    assert "met" in finished
    explained = await client.get(f"/tickets/{overdue['items'][0]['key']}/sla", headers=admin)
    assert explained.json()["policy"] is not None

    chats = [t for t in tickets if t["channel"] == "chat"]
    assert len(chats) > 20
    assert all(t["conversation_id"] for t in chats)
    for ticket in chats[:5]:
        transcript = await client.get(f"/tickets/{ticket['key']}/transcript", headers=admin)
        assert transcript.status_code == 200, transcript.text
        body = transcript.json()
        assert body["visitor"]["country"] and body["visitor"]["device"]
        assert body["visitor"]["page_url"].startswith("https://")
        assert [m["author"] for m in body["messages"]] == ["visitor", "ai", "visitor", "ai"]
        assert ticket["subject"] in body["messages"][0]["body"]
        sent = [datetime.fromisoformat(m["sent_at"]) for m in body["messages"]]
        assert max(sent) < datetime.fromisoformat(ticket["created_at"])  # the chat came first

    automations = (await client.get("/automations", headers=admin)).json()
    assert len([a for a in automations if a["active"]]) >= 3
    (webhook,) = (await client.get("/webhooks", headers=admin)).json()["items"]
    assert webhook["active"] is False  # a placeholder: nothing is sent from the demo
    assert webhook["url"].startswith("https://example.com/")

    ada = await _login(client, slug, "ada@demo.test")
    grace = await _login(client, slug, "grace@demo.test")
    mine = {m["name"]: m for m in (await client.get("/macros", headers=ada)).json()["items"]}
    theirs = {m["name"] for m in (await client.get("/macros", headers=grace)).json()["items"]}
    assert {"type": "set_status", "value": "resolved"} in mine["Refund issued"]["actions"]
    assert mine["Refund issued"]["shared"]
    assert not mine["Glad it's sorted"]["shared"]  # Ada's own
    assert "Refund issued" in theirs
    assert "Glad it's sorted" not in theirs

    # notes mention the assignee by name, and the mentioned agents were notified
    mentioned = 0
    for _, handle in AGENTS:
        agent = await _login(client, slug, f"{handle}@demo.test")
        found = (await client.get("/notifications", headers=agent)).json()["items"]
        mentions = [n for n in found if n["kind"] == "mention"]
        mentioned += len(mentions)
        for notice in mentions:
            comments = await client.get(f"/tickets/{notice['ticket']}/comments", headers=agent)
            notes = [c for c in comments.json() if c["visibility"] == "internal"]
            name = next(n for n, h in AGENTS if h == handle)
            assert any(f"@{name}" in c["body"] for c in notes)
    assert mentioned >= 4

    # seeded history: no webhook delivery, and the sweep finds nothing of it to warn about
    # (as of the seed: what falls due in the seconds since is the live desk's)
    async with db.unit_of_work() as session:
        await sla.sweep(session, now=before)
    async with db.unit_of_work() as session:
        workspace_id = await session.scalar(select(Workspace.id).where(Workspace.slug == slug))
        swept = await session.scalar(
            select(func.count()).where(
                Event.workspace_id == workspace_id, Event.type.startswith("ticket.sla_")
            )
        )
        undelivered = await session.scalar(
            select(func.count()).where(
                Event.workspace_id == workspace_id, Event.dispatched_at.is_(None)
            )
        )
    assert swept == 0
    assert undelivered == 0


async def test_seeding_after_a_policy_gives_the_tickets_its_clocks(
    settings: Settings, db: Database, client: httpx.AsyncClient
) -> None:
    """A workspace's own policy sets the seeded tickets' clocks (0 overdue of 20,502 before)."""
    slug = f"own-{uuid.uuid4().hex[:8]}"
    async with db.unit_of_work() as session:
        await create_workspace(
            session,
            name="Own",
            slug=slug,
            admin_email=f"boss@{slug}.test",
            admin_password=PASSWORD,
        )
    admin = await _login(client, slug, f"boss@{slug}.test")
    policy = await client.post(
        "/sla-policies",
        json={
            "name": "Everything in a day",
            "targets": {
                p: {"resolution_minutes": 1440} for p in ("low", "normal", "high", "urgent")
            },
        },
        headers=admin,
    )
    assert policy.status_code == 201, policy.text
    await _seed(settings, slug, 60)
    assert not (await client.get("/sla-policies", headers=admin)).json()[1:]  # no demo setup
    overdue = (await client.get("/tickets", params={"sla": "overdue"}, headers=admin)).json()
    assert overdue["items"]
    assert {t["sla"]["state"] for t in overdue["items"]} == {"breached"}
    tickets = await _all_tickets(client, admin)
    assert {"ok", "at_risk"} & {t["sla"]["state"] for t in tickets}  # the newest ones


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


async def test_seed_fills_a_workspace_made_by_workspace_create(
    settings: Settings, db: Database, client: httpx.AsyncClient
) -> None:
    slug = f"plain-{uuid.uuid4().hex[:8]}"
    async with db.unit_of_work() as session:
        await create_workspace(
            session,
            name="Plain",
            slug=slug,
            admin_email=f"boss@{slug}.test",
            admin_password="boss-password",
        )
    summary = await seed_demo(
        settings,
        slug=slug,
        tickets=50,
        admin_email="ignored@demo.test",
        admin_password="never-used-password",
        batch_size=20,
        quiet=True,
    )
    assert summary == {"workspace": slug, "tickets": 50}  # nothing created, no password

    login = await client.post(
        "/auth/login",
        json={"email": f"boss@{slug}.test", "password": "boss-password", "workspace": slug},
    )
    admin = {"Authorization": f"Bearer {login.json()['access_token']}"}
    tickets = await _all_tickets(client, admin)
    assert sorted(t["number"] for t in tickets) == list(range(1, 51))
    assert sum(1 for t in tickets if t["labels"]) > 20
    assert {t["assignee"]["email"] for t in tickets if t["assignee"]} == {f"boss@{slug}.test"}
    # no demo accounts with a known password slipped into someone's workspace
    users = (await client.get("/users", headers=admin)).json()
    assert [u["email"] for u in users] == [f"boss@{slug}.test"]
    created = await client.post("/tickets", json={"subject": "After the seed"}, headers=admin)
    assert created.json()["number"] == 51


async def test_a_seed_that_fails_writes_nothing(
    settings: Settings, db: Database, client: httpx.AsyncClient
) -> None:
    slug = f"broken-{uuid.uuid4().hex[:8]}"
    await _seed(settings, slug, 3)
    # a counter behind its tickets: the seed's first ticket number is taken already
    async with db.unit_of_work() as session:
        await session.execute(
            update(Workspace).where(Workspace.slug == slug).values(next_ticket_number=2)
        )

    async def counts() -> tuple[int | None, int, int, int]:
        async with db.unit_of_work() as session:
            workspace = (
                await session.scalars(select(Workspace).where(Workspace.slug == slug))
            ).one()
            return (
                workspace.next_ticket_number,
                *[
                    int(
                        await session.scalar(
                            select(func.count()).where(model.workspace_id == workspace.id)
                        )
                        or 0
                    )
                    for model in (Contact, Label, Event)
                ],
            )

    before = await counts()
    # SQLAlchemy's error on SQLite, the driver's own from COPY on PostgreSQL
    with pytest.raises((IntegrityError, asyncpg.UniqueViolationError)):
        await _seed(settings, slug, 200)
    assert await counts() == before  # no number taken, no contact, label or event left behind


async def test_seed_refuses_a_negative_count_before_writing(
    settings: Settings, db: Database
) -> None:
    slug = f"neg-{uuid.uuid4().hex[:8]}"
    with pytest.raises(ValidationFailed):
        await _seed(settings, slug, -1)
    async with db.unit_of_work() as session:
        assert await session.scalar(select(Workspace.id).where(Workspace.slug == slug)) is None


async def test_the_demo_history_is_what_the_activity_says(
    settings: Settings, db: Database, client: httpx.AsyncClient
) -> None:
    """90 days of history the reports can count: each ticket's activity has its replies, its
    solves and reopens and its survey, in the order they happened, and agrees with the ticket
    (first response, status, solve and close times, CSAT answer)."""
    slug = f"story-{uuid.uuid4().hex[:8]}"
    await _seed(settings, slug, 300)
    admin = await _login(client, slug, f"admin@{slug}.test")
    assert (await client.get("/settings/csat", headers=admin)).json()["enabled"] is True
    tickets = await _all_tickets(client, admin)
    by_key = {t["key"]: t for t in tickets}

    async with db.unit_of_work() as session:
        workspace_id = await session.scalar(select(Workspace.id).where(Workspace.slug == slug))
        rows = (
            await session.execute(
                select(Event.ticket_id, Event.type, Event.actor_kind, Event.data, Event.created_at)
                .where(Event.workspace_id == workspace_id, Event.ticket_id.is_not(None))
                .order_by(Event.ticket_id, Event.id)
            )
        ).all()
    history: dict[uuid.UUID, list[Any]] = {}
    for row in rows:
        history.setdefault(row.ticket_id, []).append(row)
    assert len(history) == 300
    counts: dict[str, int] = {}
    for events in history.values():
        assert events[0].type == "ticket.created"
        times = [e.created_at for e in events]
        ticket = by_key[events[0].data["ticket"]]
        if ticket["number"] > 290:
            continue  # the newest: the mention notes are added live, after the history
        assert times == sorted(times), ticket["key"]  # written in the order it happened
        for event in events:
            counts[event.type] = counts.get(event.type, 0) + 1
        moves = [e.data for e in events if e.type == "ticket.status_changed"]
        assert all(m["ticket"] == ticket["key"] for m in moves)
        current = events[0].data["status"]
        for move in moves:
            assert move["from"] == current
            current = move["to"]
        assert current == ticket["status"]
        replies = [
            e.created_at
            for e in events
            if e.type == "ticket.comment_added"
            and e.data["visibility"] == "public"
            and e.actor_kind == "user"
        ]
        first = ticket["sla"]["first_responded_at"]
        assert (datetime.fromisoformat(first) if first else None) == (
            _second(min(replies)) if replies else None
        )
        solves = [e.created_at for e, m in _moves(events) if m["to_category"] == "solved"]
        if ticket["status_category"] == "solved":
            assert datetime.fromisoformat(ticket["resolved_at"]) == _second(solves[-1])
        answers = [e for e in events if e.type == "ticket.csat_received"]
        if answers:
            assert any(e.type == "ticket.survey_sent" for e in events)
            assert ticket["csat"]["rating"] == answers[-1].data["rating"]
        else:
            assert ticket["csat"] is None
    reopened = sum(1 for t in history.values() if any(e.type == "ticket.reopened" for e in t))
    assert 15 <= reopened <= 90  # about one in seven
    assert counts["ticket.survey_sent"] > 50
    assert 10 < counts["ticket.csat_received"] < counts["ticket.survey_sent"]
    assert counts["ticket.comment_added"] > 300


def _second(at: datetime) -> datetime:
    """As the API shows times: to the second."""
    return at.replace(microsecond=0)


def _moves(events: list[Any]) -> list[tuple[Any, dict[str, Any]]]:
    return [(e, e.data) for e in events if e.type == "ticket.status_changed"]
