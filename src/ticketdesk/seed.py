"""Demo data: a workspace of agents, teams and realistic tickets spread over 90 days.

Rows are generated in batches and written with multi-row inserts (COPY on PostgreSQL), so a
million tickets is a matter of minutes; every ticket still gets its `ticket.created` event.
"""

from __future__ import annotations

import asyncio
import json
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from sqlalchemy import insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk import events
from ticketdesk.auth.passwords import hash_password
from ticketdesk.config import Settings
from ticketdesk.db import Database, dialect_name, insert_ignoring_conflicts, new_id, utcnow
from ticketdesk.models import (
    Comment,
    Contact,
    Event,
    Label,
    Status,
    Team,
    TeamMember,
    Ticket,
    TicketLabel,
    User,
    Workspace,
)
from ticketdesk.models.ticket import PRIORITY_RANK
from ticketdesk.workspaces.service import create_workspace

AGENTS = [
    ("Ada Lovelace", "ada"),
    ("Grace Hopper", "grace"),
    ("Alan Turing", "alan"),
    ("Katherine Johnson", "katherine"),
    ("Linus Pauling", "linus"),
    ("Margaret Hamilton", "margaret"),
    ("Dennis Ritchie", "dennis"),
    ("Barbara Liskov", "barbara"),
]
TEAMS = {
    "Billing": ["ada", "grace", "katherine"],
    "Technical": ["alan", "dennis", "barbara"],
    "Success": ["linus", "margaret"],
}
LABELS = [
    "refund",
    "bug",
    "billing",
    "vip",
    "onboarding",
    "feature-request",
    "outage",
    "mobile",
    "invoice",
    "login",
    "shipping",
    "security",
]
SUBJECTS = [
    ("Refund for order #{n}", "billing", ["refund", "billing"]),
    ("Charged twice for my subscription", "billing", ["billing", "invoice"]),
    ("Cannot log in after password reset", "account", ["login"]),
    ("App crashes when uploading a photo", "technical", ["bug", "mobile"]),
    ("Where is my package? Order {n}", "shipping", ["shipping"]),
    ("Invoice {n} shows the wrong VAT number", "billing", ["invoice"]),
    ("Feature request: export reports to Excel", "product", ["feature-request"]),
    ("Dashboard is very slow since this morning", "technical", ["outage", "bug"]),
    ("How do I add a teammate to my account?", "account", ["onboarding"]),
    ("Two-factor codes are not arriving", "account", ["login", "security"]),
    ("Please cancel my plan at the end of the month", "billing", []),
    ("API returns 500 on /orders endpoint", "technical", ["bug"]),
    ("Suspicious login from an unknown device", "account", ["security", "vip"]),
    ("Question about enterprise pricing", "sales", ["vip"]),
    ("Wrong item delivered in order {n}", "shipping", ["shipping", "refund"]),
    ("Sync with Google Calendar stopped working", "technical", ["bug"]),
]
BODIES = [
    "Hi team, this started yesterday and I have tried clearing the cache already. Thanks!",
    "Hello, could you please look into this as soon as possible? Our customers are affected.",
    "I followed the help article but the problem is still there. Screenshot attached.",
    "Not urgent, but it would be great to get an answer this week.",
    "We are on the business plan. Account id {n}. Please advise.",
]
REPLIES = [
    "Thanks for reaching out! I am looking into this now.",
    "Could you send us the exact error message and the time it happened?",
    "I have escalated this to our engineering team and will update you shortly.",
    "This should be fixed now. Could you try again and let us know?",
    "I issued the refund; it will show on your statement in 3-5 business days.",
]
NOTES = [
    "Looks like the known issue from last week.",
    "@ada can you check the billing side?",
    "Customer is a VIP, please prioritise.",
    "Reproduced on staging.",
]
FIRST = [
    "Jamie",
    "Alex",
    "Sam",
    "Priya",
    "Chen",
    "Fatima",
    "Lukas",
    "Sofia",
    "Kwame",
    "Yuki",
    "Olga",
    "Mateo",
    "Aisha",
    "Noah",
    "Emma",
    "Ravi",
]
LAST = [
    "Smith",
    "Garcia",
    "Müller",
    "Kowalski",
    "Nguyen",
    "Okafor",
    "Rossi",
    "Tanaka",
    "Silva",
    "Dubois",
    "Andersen",
    "Haddad",
]
DOMAINS = ["example.com", "acme.test", "globex.test", "initech.test", "umbrella.test", "mail.test"]
STATUS_WEIGHTS = [
    ("open", 30),
    ("in_progress", 15),
    ("waiting", 12),
    ("resolved", 28),
    ("closed", 15),
]
PRIORITY_WEIGHTS = [("low", 20), ("normal", 50), ("high", 22), ("urgent", 8)]
CHANNEL_WEIGHTS = [("email", 40), ("chat", 25), ("form", 15), ("api", 10), ("agent", 10)]


def _weighted(rng: random.Random, pairs: list[tuple[str, int]]) -> str:
    return rng.choices([p for p, _ in pairs], weights=[w for _, w in pairs])[0]


async def _ensure_workspace(
    session: AsyncSession, slug: str, admin_email: str, admin_password: str
) -> tuple[Workspace, list[User], dict[str, uuid.UUID], list[uuid.UUID]]:
    workspace = await session.scalar(select(Workspace).where(Workspace.slug == slug))
    if workspace is None:
        created = await create_workspace(
            session,
            name=slug.replace("-", " ").title(),
            slug=slug,
            admin_email=admin_email,
            admin_password=admin_password,
            admin_name="Demo Admin",
        )
        workspace = created.workspace
        password = hash_password(admin_password)
        by_handle: dict[str, uuid.UUID] = {}
        for name, handle in AGENTS:
            user = User(
                id=new_id(),
                workspace_id=workspace.id,
                email=f"{handle}@demo.test",
                name=name,
                role="agent",
                password_hash=password,
                active=True,
            )
            session.add(user)
            by_handle[handle] = user.id
        session.add(
            User(
                id=new_id(),
                workspace_id=workspace.id,
                email="viewer@demo.test",
                name="Vic Viewer",
                role="viewer",
                password_hash=password,
                active=True,
            )
        )
        await session.flush()
        for team_name, handles in TEAMS.items():
            team = Team(id=new_id(), workspace_id=workspace.id, name=team_name)
            session.add(team)
            await session.flush()
            for handle in handles:
                session.add(TeamMember(team_id=team.id, user_id=by_handle[handle]))
        for label in LABELS:
            session.add(Label(id=new_id(), workspace_id=workspace.id, name=label))
        await session.flush()
    agents = list(
        await session.scalars(
            select(User).where(User.workspace_id == workspace.id, User.role != "viewer")
        )
    )
    labels = dict(
        (
            await session.execute(
                select(Label.name, Label.id).where(Label.workspace_id == workspace.id)
            )
        ).all()
    )
    teams = list(await session.scalars(select(Team.id).where(Team.workspace_id == workspace.id)))
    return workspace, agents, labels, teams


TICKET_COLUMNS = (
    "id",
    "workspace_id",
    "number",
    "subject",
    "description",
    "status",
    "status_category",
    "status_changed_at",
    "priority",
    "priority_rank",
    "type",
    "category",
    "channel",
    "requester_id",
    "assignee_id",
    "team_id",
    "custom_fields",
    "first_responded_at",
    "sla_state",
    "created_at",
    "updated_at",
    "resolved_at",
    "closed_at",
    "version",
)
TICKET_LABEL_COLUMNS = ("ticket_id", "label_id")
COMMENT_COLUMNS = (
    "id",
    "workspace_id",
    "ticket_id",
    "author_kind",
    "author_id",
    "author_name",
    "body",
    "visibility",
    "created_at",
)
EVENT_COLUMNS = (*events.COLUMNS, "dispatched_at")
SEED_DAYS = 90
TYPES = ["question", "incident", "problem", "task"]


@dataclass
class _Plan:
    """What every batch draws from: the workspace's people, labels and the time span."""

    workspace_id: uuid.UUID
    prefix: str
    agents: list[tuple[uuid.UUID, str]]
    labels: dict[str, uuid.UUID]
    teams: list[uuid.UUID]
    contacts: list[uuid.UUID]
    statuses: dict[str, str]
    total: int
    start: datetime
    now: datetime
    json_as_text: bool  # COPY takes jsonb as text; SQLAlchemy inserts take dicts


@dataclass
class _Batch:
    tickets: list[tuple[Any, ...]] = field(default_factory=list)
    labels: list[tuple[Any, ...]] = field(default_factory=list)
    comments: list[tuple[Any, ...]] = field(default_factory=list)
    events: list[tuple[Any, ...]] = field(default_factory=list)


async def seed_demo(
    settings: Settings,
    *,
    slug: str,
    tickets: int,
    admin_email: str,
    admin_password: str,
    batch_size: int = 5000,
    seed: int = 42,
    quiet: bool = False,
) -> dict[str, Any]:
    """Add `tickets` demo tickets to the workspace `slug` (created with its agents if missing).

    Batches are generated in a worker thread while the previous one is written, so on
    PostgreSQL the database and the generator work at the same time.
    """
    db = Database(settings.resolved_database_url)
    rng = random.Random(seed)
    try:
        async with db.unit_of_work() as session:
            workspace, agents, labels, teams = await _ensure_workspace(
                session, slug, admin_email, admin_password
            )
            statuses = {
                s.name: s.category
                for s in await session.scalars(
                    select(Status).where(Status.workspace_id == workspace.id)
                )
            }
        contacts = await _seed_contacts(
            db, workspace.id, rng, count=max(10, min(tickets // 4, 50_000))
        )
        now = utcnow()
        plan = _Plan(
            workspace_id=workspace.id,
            prefix=workspace.ticket_prefix,
            agents=[(a.id, a.name) for a in agents],
            labels=labels,
            teams=teams,
            contacts=contacts,
            statuses=statuses,
            total=max(tickets, 1),
            start=now - timedelta(days=SEED_DAYS),
            now=now,
            json_as_text=not db.is_sqlite,
        )
        progress = Progress(
            TextColumn("[bold]seeding[/] {task.completed:,}/{task.total:,} tickets"),
            BarColumn(),
            TimeRemainingColumn(),
            disable=quiet,
        )
        with progress:
            task = progress.add_task("seed", total=tickets)
            done = 0
            pending: asyncio.Future[tuple[_Batch, int]] | None = (
                await _start_batch(db, plan, rng, 0, min(batch_size, tickets)) if tickets else None
            )
            while pending is not None:
                batch, n = await pending
                done += n
                following = min(batch_size, tickets - done)
                pending = (
                    await _start_batch(db, plan, rng, done, following) if following > 0 else None
                )
                async with db.unit_of_work() as session:
                    await _write_batch(session, batch)
                progress.update(task, completed=done)
        # fresh statistics: until autovacuum gets to it the planner would take a table just
        # filled with a million rows for an empty one (and scan whole workspaces)
        if not db.is_sqlite:
            async with db.engine.connect() as conn:
                await conn.execute(text("ANALYZE"))
        return {
            "workspace": slug,
            "tickets": tickets,
            "admin_email": admin_email,
            "admin_password": admin_password,
        }
    finally:
        await db.dispose()


async def _start_batch(
    db: Database, plan: _Plan, rng: random.Random, offset: int, n: int
) -> asyncio.Future[tuple[_Batch, int]]:
    """Reserve the batch's ticket numbers (committed at once), then build it in a thread."""
    async with db.unit_of_work() as session:
        first = await _reserve_numbers(session, plan.workspace_id, n)
    batch_rng = random.Random(rng.getrandbits(64))
    return asyncio.ensure_future(asyncio.to_thread(_build_batch, batch_rng, plan, first, offset, n))


async def _seed_contacts(
    db: Database, workspace_id: uuid.UUID, rng: random.Random, count: int
) -> list[uuid.UUID]:
    async with db.unit_of_work() as session:
        existing = list(
            await session.scalars(
                select(Contact.id).where(Contact.workspace_id == workspace_id).limit(count)
            )
        )
        if len(existing) >= count:
            return existing
        rows = []
        seen: set[str] = set()
        for i in range(count - len(existing)):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            email = f"{first.lower()}.{last.lower()}{i}@{rng.choice(DOMAINS)}".replace("ü", "u")
            if email in seen:
                continue
            seen.add(email)
            rows.append(
                {
                    "id": new_id(),
                    "workspace_id": workspace_id,
                    "email": email,
                    "name": f"{first} {last}",
                    "created_at": utcnow(),
                }
            )
        for chunk in _chunks(rows, 2000):
            await insert_ignoring_conflicts(session, Contact, chunk, ["workspace_id", "email"])
        return list(
            await session.scalars(
                select(Contact.id).where(Contact.workspace_id == workspace_id).limit(count)
            )
        )


async def _reserve_numbers(session: AsyncSession, workspace_id: uuid.UUID, n: int) -> int:
    """Take `n` numbers from the workspace counter at once; returns the first."""
    result = await session.execute(
        update(Workspace)
        .where(Workspace.id == workspace_id)
        .values(next_ticket_number=Workspace.next_ticket_number + n)
        .returning(Workspace.next_ticket_number)
        .execution_options(synchronize_session=False)
    )
    return int(result.scalar_one()) - n


def _cumulative(pairs: list[tuple[str, int]]) -> tuple[list[str], list[int]]:
    names, cumulative, total = [], [], 0
    for name, weight in pairs:
        total += weight
        names.append(name)
        cumulative.append(total)
    return names, cumulative


def _build_batch(
    rng: random.Random, plan: _Plan, first_number: int, offset: int, n: int
) -> tuple[_Batch, int]:
    """`n` tickets with labels, comments and their `ticket.created` events, as row tuples.

    Creation times rise with the ticket number across the whole run (as in a real desk),
    spread evenly over the last 90 days with some jitter.
    """
    out = _Batch()
    random_ = rng.random
    randint = rng.randint
    choice = rng.choice
    as_text = plan.json_as_text
    dumps = json.dumps
    now = plan.now
    ws = plan.workspace_id
    span = (now - plan.start).total_seconds()
    label_names = list(plan.labels)
    status_names, status_cum = _cumulative(STATUS_WEIGHTS)
    priority_names, priority_cum = _cumulative(PRIORITY_WEIGHTS)
    channel_names, channel_cum = _cumulative(CHANNEL_WEIGHTS)
    subjects = rng.choices(SUBJECTS, k=n)
    statuses = rng.choices(status_names, cum_weights=status_cum, k=n)
    priorities = rng.choices(priority_names, cum_weights=priority_cum, k=n)
    channels = rng.choices(channel_names, cum_weights=channel_cum, k=n)
    types = rng.choices(TYPES, k=n)
    agents = plan.agents
    for i in range(n):
        number = first_number + i
        template, category, base_labels = subjects[i]
        created = plan.start + timedelta(seconds=span * (offset + i + random_()) / plan.total)
        status = statuses[i]
        status_category = plan.statuses.get(status, "open")
        priority = priorities[i]
        assignee = choice(agents) if random_() < 0.8 else None
        updated = min(now, created + timedelta(minutes=randint(5, 5 * 24 * 60)))
        ticket_id = uuid.uuid4()
        names = set(base_labels)
        if random_() < 0.15:
            names.add(choice(label_names))
        responded = created + timedelta(minutes=randint(3, 600)) if random_() < 0.75 else None
        custom: dict[str, Any] = {"order_id": str(randint(10000, 99999))} if random_() < 0.4 else {}
        out.tickets.append(
            (
                ticket_id,
                ws,
                number,
                template.format(n=randint(10000, 99999)),
                choice(BODIES).format(n=randint(1000, 9999)),
                status,
                status_category,
                updated,
                priority,
                PRIORITY_RANK[priority],
                types[i],
                category,
                channels[i],
                choice(plan.contacts),
                assignee[0] if assignee else None,
                choice(plan.teams) if plan.teams and random_() < 0.6 else None,
                dumps(custom) if as_text else custom,
                responded if responded is not None and responded < now else None,
                "none",
                created,
                updated,
                updated if status_category in ("solved", "closed") else None,
                updated if status_category == "closed" else None,
                1,
            )
        )
        for name in names:
            out.labels.append((ticket_id, plan.labels[name]))
        data = {"ticket": f"{plan.prefix}-{number}", "status": "open", "priority": priority}
        out.events.append(
            (
                ws,
                ticket_id,
                "ticket.created",
                "system",
                None,
                "seed",
                dumps(data) if as_text else data,
                created,
                now,
            )
        )
        for c in range(randint(0, 3)):
            at = created + timedelta(minutes=10 + 60 * c)
            if at >= now:
                break
            internal = random_() < 0.25
            author_id, author_name = assignee or choice(agents)
            out.comments.append(
                (
                    uuid.uuid4(),
                    ws,
                    ticket_id,
                    "user",
                    author_id,
                    author_name,
                    choice(NOTES if internal else REPLIES),
                    "internal" if internal else "public",
                    at,
                )
            )
    return out, n


async def _write_batch(session: AsyncSession, batch: _Batch) -> None:
    """COPY on PostgreSQL (binary, no per-row statements); multi-row inserts on SQLite."""
    if dialect_name(session) == "postgresql":
        await session.execute(text("SET LOCAL synchronous_commit = off"))
        conn = await session.connection()
        raw = await conn.get_raw_connection()
        driver = raw.driver_connection
        assert driver is not None
        for table, columns, rows in (
            ("tickets", TICKET_COLUMNS, batch.tickets),
            ("ticket_labels", TICKET_LABEL_COLUMNS, batch.labels),
            ("comments", COMMENT_COLUMNS, batch.comments),
            ("events", EVENT_COLUMNS, batch.events),
        ):
            if rows:
                await driver.copy_records_to_table(table, records=rows, columns=list(columns))
        return
    for model, columns, rows in (
        (Ticket, TICKET_COLUMNS, batch.tickets),
        (TicketLabel, TICKET_LABEL_COLUMNS, batch.labels),
        (Comment, COMMENT_COLUMNS, batch.comments),
        (Event, EVENT_COLUMNS, batch.events),
    ):
        for chunk in _chunks(rows, 2000):
            await session.execute(
                insert(model), [dict(zip(columns, row, strict=True)) for row in chunk]
            )


def _chunks(rows: list[Any], size: int) -> Iterator[list[Any]]:
    for i in range(0, len(rows), size):
        yield rows[i : i + size]
