"""Demo data: a workspace of agents, teams and realistic tickets spread over 90 days.

Rows are generated in batches and written with multi-row inserts (COPY on PostgreSQL), so a
million tickets is a matter of minutes; every ticket still gets its `ticket.created` event.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk.auth.passwords import hash_password
from ticketdesk.config import Settings
from ticketdesk.db import Database, new_id, utcnow
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
        )
        .tuples()
        .all()
    )
    teams = list(await session.scalars(select(Team.id).where(Team.workspace_id == workspace.id)))
    return workspace, agents, labels, teams


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
        done = 0
        progress = Progress(
            TextColumn("[bold]seeding[/] {task.completed:,}/{task.total:,} tickets"),
            BarColumn(),
            TimeRemainingColumn(),
            disable=quiet,
        )
        with progress:
            task = progress.add_task("seed", total=tickets)
            while done < tickets:
                n = min(batch_size, tickets - done)
                async with db.unit_of_work() as session:
                    first = await _reserve_numbers(session, workspace.id, n)
                    rows = _build_batch(
                        rng, workspace, first, n, agents, labels, teams, contacts, statuses
                    )
                    await _write_batch(session, rows)
                done += n
                progress.update(task, completed=done)
        return {
            "workspace": slug,
            "tickets": tickets,
            "admin_email": admin_email,
            "admin_password": admin_password,
        }
    finally:
        await db.dispose()


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
            await session.execute(insert(Contact), chunk)
        return existing + [uuid.UUID(str(r["id"])) for r in rows]


async def _reserve_numbers(session: AsyncSession, workspace_id: uuid.UUID, n: int) -> int:
    result = await session.execute(
        update(Workspace)
        .where(Workspace.id == workspace_id)
        .values(next_ticket_number=Workspace.next_ticket_number + n)
        .returning(Workspace.next_ticket_number)
        .execution_options(synchronize_session=False)
    )
    return int(result.scalar_one()) - n


def _build_batch(
    rng: random.Random,
    workspace: Workspace,
    first_number: int,
    n: int,
    agents: list[User],
    labels: dict[str, uuid.UUID],
    teams: list[uuid.UUID],
    contacts: list[uuid.UUID],
    statuses: dict[str, str],
) -> dict[str, list[dict[str, Any]]]:
    now = utcnow()
    out: dict[str, list[dict[str, Any]]] = {
        "tickets": [],
        "labels": [],
        "comments": [],
        "events": [],
    }
    for i in range(n):
        number = first_number + i
        template, category, base_labels = rng.choice(SUBJECTS)
        created = now - timedelta(seconds=rng.randint(0, 90 * 86400))
        status = _weighted(rng, STATUS_WEIGHTS)
        status_category = statuses.get(status, "open")
        priority = _weighted(rng, PRIORITY_WEIGHTS)
        assignee = rng.choice(agents) if rng.random() < 0.8 else None
        updated = min(now, created + timedelta(minutes=rng.randint(5, 5 * 24 * 60)))
        ticket_id = new_id()
        label_names = set(base_labels)
        if rng.random() < 0.15:
            label_names.add(rng.choice(list(labels)))
        responded = (
            created + timedelta(minutes=rng.randint(3, 600)) if rng.random() < 0.75 else None
        )
        resolved = updated if status_category in ("solved", "closed") else None
        out["tickets"].append(
            {
                "id": ticket_id,
                "workspace_id": workspace.id,
                "number": number,
                "subject": template.format(n=rng.randint(10000, 99999)),
                "description": rng.choice(BODIES).format(n=rng.randint(1000, 9999)),
                "status": status,
                "status_category": status_category,
                "status_changed_at": updated,
                "priority": priority,
                "priority_rank": PRIORITY_RANK[priority],
                "type": rng.choice(["question", "incident", "problem", "task"]),
                "category": category,
                "channel": _weighted(rng, CHANNEL_WEIGHTS),
                "requester_id": rng.choice(contacts),
                "assignee_id": assignee.id if assignee else None,
                "team_id": rng.choice(teams) if teams and rng.random() < 0.6 else None,
                "custom_fields": {"order_id": str(rng.randint(10000, 99999))}
                if rng.random() < 0.4
                else {},
                "conversation_id": None,
                "merged_into_id": None,
                "first_response_due_at": None,
                "next_response_due_at": None,
                "resolution_due_at": None,
                "first_responded_at": responded if responded and responded < now else None,
                "sla_state": "none",
                "due_at": None,
                "created_at": created,
                "updated_at": updated,
                "resolved_at": resolved,
                "closed_at": updated if status_category == "closed" else None,
                "version": 1,
            }
        )
        for name in label_names:
            out["labels"].append({"ticket_id": ticket_id, "label_id": labels[name]})
        key = f"{workspace.ticket_prefix}-{number}"
        out["events"].append(
            {
                "workspace_id": workspace.id,
                "ticket_id": ticket_id,
                "type": "ticket.created",
                "actor_kind": "system",
                "actor_id": None,
                "actor_name": "seed",
                "data": {"ticket": key, "status": "open", "priority": priority},
                "created_at": created,
                "dispatched_at": now,
            }
        )
        for c in range(rng.randint(0, 3)):
            at = created + timedelta(minutes=10 + 60 * c)
            internal = rng.random() < 0.25
            author = assignee or rng.choice(agents)
            out["comments"].append(
                {
                    "id": new_id(),
                    "workspace_id": workspace.id,
                    "ticket_id": ticket_id,
                    "author_kind": "user",
                    "author_id": author.id,
                    "author_name": author.name,
                    "body": rng.choice(NOTES if internal else REPLIES),
                    "visibility": "internal" if internal else "public",
                    "created_at": at,
                }
            )
    return out


async def _write_batch(session: AsyncSession, rows: dict[str, list[dict[str, Any]]]) -> None:
    await session.execute(insert(Ticket), rows["tickets"])
    if rows["labels"]:
        await session.execute(insert(TicketLabel), rows["labels"])
    if rows["comments"]:
        await session.execute(insert(Comment), rows["comments"])
    await session.execute(insert(Event), rows["events"])


def _chunks(rows: list[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    for i in range(0, len(rows), size):
        yield rows[i : i + size]
