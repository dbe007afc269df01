"""Unfiltered `GET /tickets/stats` answers from `ticket_counts`, which the triggers of migration
0018 keep exact on every path that writes tickets: random sequences of creates, PATCHes, bulk
changes, merges, imports, automations, mail, chat, forms and removals (hypothesis) leave the
counters equal to a count of the tickets, on both databases; concurrent creates lose no count
and writers never wait on each other's counter rows; another workspace never counts."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections import Counter
from email.message import EmailMessage
from typing import Any

import pytest
from alembic import command
from hypothesis import HealthCheck, given
from hypothesis import settings as fuzz_settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select, text, update

from tests.conftest import (
    create_pg_database,
    drop_pg_database,
    make_tenant,
    own_sqlite_file,
    served,
)
from tests.support import Statements, Tenant
from ticketdesk.config import Settings
from ticketdesk.db import Database
from ticketdesk.migrate import alembic_config
from ticketdesk.models import Ticket, TicketCount, Workspace
from ticketdesk.seed import seed_demo

STATUSES = ["open", "in_progress", "waiting", "resolved", "closed"]
PRIORITIES = ["low", "normal", "high", "urgent"]
EVERYTHING = {"created_before": "2999-01-01T00:00:00Z"}  # a filter that keeps every ticket

Grouped = dict[tuple[str, str], int]


async def counted(db: Database, workspace_id: str) -> Grouped:
    """What the counters hold for the workspace, summed over shards (zero keys left out)."""
    async with db.unit_of_work() as session:
        rows = await session.execute(
            select(TicketCount.status, TicketCount.priority, func.sum(TicketCount.n))
            .where(TicketCount.workspace_id == uuid.UUID(workspace_id))
            .group_by(TicketCount.status, TicketCount.priority)
        )
        return {(status, priority): int(n) for status, priority, n in rows if n}


async def recounted(db: Database, workspace_id: str) -> Grouped:
    """The workspace's tickets counted one by one."""
    async with db.unit_of_work() as session:
        rows = await session.execute(
            select(Ticket.status, Ticket.priority, func.count())
            .where(Ticket.workspace_id == uuid.UUID(workspace_id))
            .group_by(Ticket.status, Ticket.priority)
        )
        return {(status, priority): int(n) for status, priority, n in rows}


def as_stats(grouped: Grouped) -> dict[str, Any]:
    by_status: Counter[str] = Counter()
    by_priority: Counter[str] = Counter()
    for (status, priority), n in grouped.items():
        by_status[status] += n
        by_priority[priority] += n
    return {
        "total": sum(grouped.values()),
        "by_status": dict(by_status),
        "by_priority": dict(by_priority),
    }


async def assert_exact(db: Database, tenant: Tenant) -> Grouped:
    """Counters, unfiltered stats and the counted (filtered) stats all agree with the tickets."""
    truth = await recounted(db, tenant.workspace_id)
    assert await counted(db, tenant.workspace_id) == truth
    unfiltered = await tenant.get("/tickets/stats")
    filtered = await tenant.get("/tickets/stats", params=EVERYTHING)
    assert unfiltered.status_code == filtered.status_code == 200
    assert unfiltered.json() == filtered.json() == as_stats(truth)
    return truth


def mail(sender: str, subject: str) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "support@desk.example.com"
    message["Subject"] = subject
    message["Message-ID"] = f"<{uuid.uuid4().hex}@customer.example>"
    message.set_content("Hello, it still does not work.")
    return bytes(message)


which = st.integers(min_value=0, max_value=7)
OPERATION = st.one_of(
    st.tuples(st.just("create"), st.sampled_from(STATUSES), st.sampled_from(PRIORITIES)),
    st.tuples(st.just("refund"), st.sampled_from(PRIORITIES)),  # an automation changes it
    st.tuples(st.just("import"), st.sampled_from(STATUSES), st.sampled_from(PRIORITIES)),
    st.tuples(st.just("status"), which, st.sampled_from(STATUSES)),
    st.tuples(st.just("priority"), which, st.sampled_from(PRIORITIES)),
    st.tuples(st.just("stale"), which, st.sampled_from(STATUSES)),  # a 412: nothing moves
    st.tuples(st.just("bulk"), st.sampled_from(STATUSES), st.sampled_from(PRIORITIES)),
    st.tuples(st.just("merge"), which, which),
    st.tuples(st.just("remove"), which),
    st.tuples(st.just("email"), st.booleans()),
    st.tuples(st.just("reply"), which),  # a customer's mail reopens a waiting ticket
    st.tuples(st.just("chat"), st.sampled_from(PRIORITIES)),
    st.tuples(st.just("form"), st.just(0)),
)


async def _apply(db: Database, tenant: Tenant, keys: list[str], op: tuple[Any, ...]) -> None:
    kind = op[0]
    if kind in ("create", "refund", "import", "email", "chat", "form"):
        await _create(tenant, keys, op)
        return
    if not keys:
        return
    key = keys[op[1] % len(keys)] if isinstance(op[1], int) else ""
    if kind == "status":
        response = await tenant.patch(f"/tickets/{key}", json={"status": op[2]})
    elif kind == "priority":
        response = await tenant.patch(f"/tickets/{key}", json={"priority": op[2]})
    elif kind == "stale":
        response = await tenant.patch(
            f"/tickets/{key}", json={"status": op[2]}, headers={"If-Match": '"999"'}
        )
        assert response.status_code == 412, response.text
    elif kind == "bulk":
        changes = {"status": op[1], "priority": op[2]}
        response = await tenant.post("/tickets/bulk", json={"tickets": keys, "changes": changes})
    elif kind == "merge":
        into = keys[op[2] % len(keys)]
        response = await tenant.post(f"/tickets/{key}/merge", json={"into": into})
    elif kind == "remove":  # the way a ticket leaves: with its workspace, by SQL
        number = int(key.rsplit("-", 1)[1])
        async with db.unit_of_work() as session:
            await session.execute(
                delete(Ticket).where(
                    Ticket.workspace_id == uuid.UUID(tenant.workspace_id), Ticket.number == number
                )
            )
        keys.remove(key)
        return
    else:
        raw = mail("carol@customer.example", f"Re: [{key}] Printer")
        headers = {"Content-Type": "message/rfc822"}
        response = await tenant.post("/inbound/email", content=raw, headers=headers, role="agent")
        if response.status_code == 201:  # not carol's ticket: her mail opens one
            keys.append(response.json()["ticket"])
    assert response.status_code < 500, response.text


async def _create(tenant: Tenant, keys: list[str], op: tuple[Any, ...]) -> None:
    kind = op[0]
    if kind == "create":
        response = await tenant.post(
            "/tickets", json={"subject": "C", "status": op[1], "priority": op[2]}
        )
    elif kind == "refund":
        response = await tenant.post("/tickets", json={"subject": "A refund", "priority": op[1]})
    elif kind == "import":
        body = {
            "subject": "I",
            "status": op[1],
            "priority": op[2],
            "created_at": "2026-11-20T07:00:00Z",
        }
        response = await tenant.post("/tickets/import", json=body)
    elif kind == "email":
        subject = "Refund please" if op[1] else "Printer"
        headers = {"Content-Type": "message/rfc822"}
        raw = mail("carol@customer.example", subject)
        response = await tenant.post("/inbound/email", content=raw, headers=headers, role="agent")
    elif kind == "chat":
        chat = {"channel": "chat", "messages": [{"author": "visitor", "body": "Help"}]}
        conversation = (await tenant.post("/conversations", json=chat)).json()
        response = await tenant.post(
            f"/conversations/{conversation['id']}/tickets", json={"priority": op[1]}
        )
    else:
        form = {"email": "f@customer.example", "name": "F", "subject": "S", "description": "D"}
        response = await tenant.client.post(f"/public/{tenant.slug}/tickets", json=form)
        if response.status_code == 429:  # the form's rate limit: no ticket, nothing to count
            return
    assert response.status_code == 201, response.text
    body = response.json()
    keys.append(body["ticket"] if kind == "email" else body["key"])


async def _scenario(config: Settings, operations: list[tuple[Any, ...]]) -> None:
    async with served(config) as (db, client):
        tenant = await make_tenant(db, client, name="Fuzz")
        await tenant.add_user("agent", "Ann Agent")
        neighbour = await make_tenant(db, client, name="Next")
        rule = {
            "name": "Refunds are urgent work",
            "trigger": "ticket.created",
            "conditions": {"all": [{"field": "subject", "op": "contains", "value": "refund"}]},
            "actions": [
                {"type": "set_priority", "value": "high"},
                {"type": "set_status", "value": "in_progress"},
            ],
        }
        created = await tenant.post("/automations", json=rule)
        assert created.status_code == 201, created.text
        theirs = [(await neighbour.create_ticket(priority="urgent"))["key"]]
        keys: list[str] = []
        for op in operations:
            await _apply(db, tenant, keys, op)
            await _apply(db, neighbour, theirs, ("status", len(keys), "waiting"))
        truth = await assert_exact(db, tenant)
        assert sum(truth.values()) == len(keys)
        assert await assert_exact(db, neighbour) == {("waiting", "urgent"): 1}


@pytest.fixture(scope="session")
def own_settings(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return own_sqlite_file(settings, tmp_path_factory, "counts-fuzz")


settings_for_fuzz = fuzz_settings(
    max_examples=int(os.environ.get("TICKETDESK_COUNTS_EXAMPLES", "10")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)


def test_counters_equal_a_count_after_random_operations(own_settings: Settings) -> None:
    @settings_for_fuzz
    @given(operations=st.lists(OPERATION, min_size=1, max_size=16))
    def check(operations: list[tuple[Any, ...]]) -> None:
        asyncio.run(_scenario(own_settings, operations))

    check()


async def test_unfiltered_stats_read_the_counters_for_every_role(
    db: Database, tenant: Tenant, other_tenant: Tenant
) -> None:
    await tenant.create_ticket(priority="high")
    await tenant.create_ticket(status="waiting")
    await other_tenant.create_ticket(priority="low")
    token = await tenant.post("/api-tokens", json={"name": "wall", "scopes": ["tickets:read"]})
    reader = {"Authorization": f"Bearer {token.json()['token']}"}
    expected = {
        "total": 2,
        "by_status": {"open": 1, "waiting": 1},
        "by_priority": {"high": 1, "normal": 1},
    }
    for role in ("admin", "agent", "viewer"):
        with Statements(db) as seen:
            stats = await tenant.get("/tickets/stats", role=role, params={"sort": "priority"})
        assert stats.json() == expected
        assert any("ticket_counts" in sql for sql in seen)
        assert not any("FROM tickets" in sql for sql in seen), "the tickets were counted"
    assert (await tenant.client.get("/tickets/stats", headers=reader)).json() == expected
    with Statements(db) as seen:
        filtered = await tenant.get("/tickets/stats", params={"priority": "high"})
    assert filtered.json() == {"total": 1, "by_status": {"open": 1}, "by_priority": {"high": 1}}
    assert not any("ticket_counts" in sql for sql in seen)


async def test_a_rolled_back_change_moves_no_count(db: Database, tenant: Tenant) -> None:
    ticket_id = uuid.UUID((await tenant.create_ticket())["id"])
    changes = [
        update(Ticket).where(Ticket.id == ticket_id).values(status="closed", priority="high"),
        delete(Ticket).where(Ticket.id == ticket_id),
    ]

    async def fail_after(change: Any) -> None:
        async with db.unit_of_work() as session:
            await session.execute(change)
            raise RuntimeError("the request failed")

    for change in changes:
        with pytest.raises(RuntimeError):
            await fail_after(change)
    assert await assert_exact(db, tenant) == {("open", "normal"): 1}


async def test_deleting_a_workspace_takes_its_counts_and_leaves_the_others(
    db: Database, tenant: Tenant, other_tenant: Tenant
) -> None:
    await tenant.create_ticket()
    for priority in ("low", "urgent"):
        await other_tenant.create_ticket(priority=priority)
    async with db.unit_of_work() as session:
        await session.execute(
            delete(Workspace).where(Workspace.id == uuid.UUID(other_tenant.workspace_id))
        )
    assert await counted(db, other_tenant.workspace_id) == {}
    async with db.unit_of_work() as session:
        left = await session.scalar(
            select(func.count())
            .select_from(TicketCount)
            .where(TicketCount.workspace_id == uuid.UUID(other_tenant.workspace_id))
        )
    assert left == 0
    assert await assert_exact(db, tenant) == {("open", "normal"): 1}


async def test_concurrent_creates_lose_no_count(
    db: Database, tenant: Tenant, other_tenant: Tenant
) -> None:
    """Concurrent creates in two workspaces (concurrent changes and bulk changes, with the
    reports room's rollups, are tests/reports/test_concurrency.py's)."""

    async def create(i: int) -> None:
        who = tenant if i % 5 else other_tenant
        await who.create_ticket(priority=PRIORITIES[i % 4], status=STATUSES[i % 5])

    await asyncio.gather(*(create(i) for i in range(100)))
    assert sum((await assert_exact(db, tenant)).values()) == 80
    assert sum((await assert_exact(db, other_tenant)).values()) == 20


@pytest.mark.postgresql_only
async def test_writers_in_one_workspace_never_wait_on_each_others_counters(
    db: Database, tenant: Tenant
) -> None:
    """Two transactions that both move counts of the same key: the second commits while the
    first still holds its counter rows (one hot row would hold it until the first ends)."""
    first = uuid.UUID((await tenant.create_ticket())["id"])
    second = uuid.UUID((await tenant.create_ticket())["id"])
    close = text("UPDATE tickets SET status = 'closed' WHERE id = :id")
    async with db.engine.connect() as holder, db.engine.connect() as other:
        await holder.execute(close, {"id": first})
        await other.execute(text("SET LOCAL lock_timeout = '20s'"))
        await other.execute(close, {"id": second})
        await other.commit()
        await holder.commit()
    assert await assert_exact(db, tenant) == {("closed", "normal"): 2}


async def _seed(settings: Settings, url: str, slug: str, tickets: int) -> None:
    await seed_demo(
        settings.model_copy(update={"database_url": url}),
        slug=slug,
        tickets=tickets,
        admin_email=f"admin@{slug}.test",
        admin_password="seed-password",
        quiet=True,
        with_reports=False,
    )


async def _grouped_everywhere(url: str) -> tuple[Grouped, Grouped]:
    db = Database(url)
    try:
        async with db.unit_of_work() as session:
            tickets = await session.execute(
                select(Ticket.workspace_id, Ticket.status, Ticket.priority, func.count()).group_by(
                    Ticket.workspace_id, Ticket.status, Ticket.priority
                )
            )
            counts = await session.execute(
                select(
                    TicketCount.workspace_id,
                    TicketCount.status,
                    TicketCount.priority,
                    func.sum(TicketCount.n),
                ).group_by(TicketCount.workspace_id, TicketCount.status, TicketCount.priority)
            )
            return (
                {(str(w), s, p): int(n) for w, s, p, n in tickets},
                {(str(w), s, p): int(n) for w, s, p, n in counts if n},
            )
    finally:
        await db.dispose()


@pytest.mark.parametrize("backend_name", ["sqlite", "postgresql"])
def test_the_migration_counts_existing_tickets_and_seeding_keeps_them(
    backend_name: str, settings: Settings, tmp_path
) -> None:
    """0018 backfills what 0017's tickets are; the seed's batches (COPY on PostgreSQL) count."""
    if backend_name == "postgresql":
        name, url = asyncio.run(create_pg_database())
    else:
        name, url = "", f"sqlite+aiosqlite:///{tmp_path / 'counts.db'}"
    try:
        cfg = alembic_config(Settings(data_dir=tmp_path), url)
        command.upgrade(cfg, "0017")
        asyncio.run(_seed(settings, url, "before", 150))
        command.upgrade(cfg, "head")
        tickets, counts = asyncio.run(_grouped_everywhere(url))
        assert sum(tickets.values()) == 150 and counts == tickets
        asyncio.run(_seed(settings, url, "before", 40))
        asyncio.run(_seed(settings, url, "after", 60))
        tickets, counts = asyncio.run(_grouped_everywhere(url))
        assert sum(tickets.values()) == 250 and counts == tickets
    finally:
        if name:
            asyncio.run(drop_pg_database(name))
