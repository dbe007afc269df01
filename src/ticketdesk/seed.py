"""Demo data: a workspace of agents, teams and realistic tickets spread over 90 days.

Rows are generated in batches and written with multi-row inserts (COPY on PostgreSQL), so a
million tickets is a matter of minutes; every ticket still gets its `ticket.created` event.
The setup and the first batch are one transaction, so a run that fails writes nothing; each
later batch is a transaction of its own (its tickets, their rows and the ticket counter move
together), small on SQLite, so a server running on the same file keeps answering.

A workspace the seed creates also gets what a desk is set up with, made through the rooms'
services: business hours, SLA policies, automations, macros and an (inactive) webhook. The
tickets' SLA clocks are computed as they are written, under the workspace's active policies
(the demo's or its own), by the SLA room's rules; the newest few tickets of a run are open
ones in each SLA state (overdue, at risk, ok). Chat tickets come with their conversation
(visitor, transcript), and the last transaction adds internal notes that mention agents.
Seeded history is never delivered to webhooks, nor swept again for SLA warnings and breaches.
"""

from __future__ import annotations

import asyncio
import json
import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from sqlalchemy import Table, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk import events
from ticketdesk.auth.passwords import hash_password
from ticketdesk.auth.principal import Principal
from ticketdesk.automations import service as automations
from ticketdesk.automations.schemas import AutomationCreate
from ticketdesk.comments import service as comments
from ticketdesk.config import Settings
from ticketdesk.config_cache import detached_copy
from ticketdesk.conversations.service import fingerprint
from ticketdesk.csat import service as csat
from ticketdesk.csat.schemas import CsatSettings
from ticketdesk.db import (
    Base,
    Database,
    dialect_name,
    insert_ignoring_conflicts,
    new_id,
    utcnow,
)
from ticketdesk.errors import ValidationFailed
from ticketdesk.macros import service as macros
from ticketdesk.macros.schemas import MacroCreate
from ticketdesk.models import (
    Comment,
    Contact,
    Conversation,
    ConversationMessage,
    ConversationTicket,
    CsatSurvey,
    Event,
    Label,
    SlaClock,
    SlaPolicy,
    Status,
    Team,
    TeamMember,
    Ticket,
    TicketLabel,
    User,
    Workspace,
)
from ticketdesk.models.ticket import PRIORITY_RANK
from ticketdesk.reports import service as reports
from ticketdesk.sla import backfill as sla_backfill
from ticketdesk.sla import service as sla
from ticketdesk.sla.business_hours import Calendar
from ticketdesk.sla.calendar_index import IndexedCalendar
from ticketdesk.sla.schemas import BusinessHoursCreate, SlaPolicyCreate
from ticketdesk.webhooks import service as webhooks
from ticketdesk.webhooks.schemas import WebhookCreate
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

# chat tickets: the conversation they were opened from (visitor, assistant, visitor, handover)
AI_NAME = "Tess (AI assistant)"
AI_GREETINGS = [
    "Hi {name}! I'm Tess, the virtual assistant. Could you tell me a bit more about it?",
    "Thanks for getting in touch, {name}. What happened, and when did it start?",
    "Hello {name}, sorry to hear that. Can you describe what you are seeing?",
]
AI_HANDOVERS = [
    "Thanks! I could not sort this out myself, so I'm passing you to a human agent. You will "
    "get a reply here and by email.",
    "Got it. An agent from our support team will take it from here; I've shared this "
    "conversation with them.",
]
VISITOR_COUNTRIES = ["Germany", "United States", "France", "Japan", "Brazil", "India", "Kenya"]
VISITOR_DEVICES = [
    "Chrome 131 on macOS",
    "Safari on iPhone 15",
    "Firefox 133 on Windows 11",
    "Chrome on Android (Pixel 8)",
    "Edge on Windows 10",
]
VISITOR_PAGES = [
    "https://shop.example.com/checkout",
    "https://shop.example.com/account/orders",
    "https://app.example.com/dashboard",
    "https://app.example.com/settings/billing",
    "https://help.example.com/articles/reset-password",
]
CHAT_MESSAGE_GAP = timedelta(minutes=2)

# the demo desk's setup (a workspace the seed creates): office hours, three SLA policies
OFFICE_HOURS = {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}
URGENT_TARGETS = {
    "first_response_minutes": 60,
    "next_response_minutes": 120,
    "resolution_minutes": 480,
}
# name, match, targets per priority (minutes), counted in office hours
DEMO_POLICIES: list[tuple[str, dict[str, list[str]], dict[str, dict[str, int]], bool]] = [
    ("Urgent, around the clock", {"priority": ["urgent"]}, {"urgent": URGENT_TARGETS}, False),
    (
        "VIP customers",
        {"labels": ["vip"]},
        {
            "high": {"first_response_minutes": 30, "resolution_minutes": 480},
            "normal": {"first_response_minutes": 60, "resolution_minutes": 960},
            "low": {"first_response_minutes": 120, "resolution_minutes": 1440},
        },
        True,
    ),
    (
        "Standard",
        {},
        {
            "high": {
                "first_response_minutes": 120,
                "next_response_minutes": 240,
                "resolution_minutes": 960,
            },
            "normal": {
                "first_response_minutes": 240,
                "next_response_minutes": 480,
                "resolution_minutes": 1920,
            },
            "low": {"first_response_minutes": 480, "resolution_minutes": 2400},
        },
        True,
    ),
]
URGENT_ESCALATION = [{"on": "breach", "type": "notify", "value": ["team"]}]
# the newest tickets of a run (when it has at least TAIL_FROM): open, urgent, one per SLA
# state under the urgent policy. (minutes ago, status, answered after minutes or None)
# (oldest first: numbers rise with time)
TAIL: list[tuple[int, str, int | None]] = [
    (450, "open", 30),  # answered; 450 of the 480 resolution minutes gone: at risk
    (420, "in_progress", 15),  # answered; 420 of 480 gone: at risk, for an hour
    (200, "open", None),  # no first response after 200 of 60 minutes: overdue
    (20, "open", 5),  # answered; resolution due in 460 minutes: ok
]
TAIL_FROM = 20
TAIL_SPAN = timedelta(hours=8)  # the other tickets end before the tail begins

# the last transaction: internal notes on the newest open tickets, mentioning their assignee
MENTION_NOTES = [
    "can you take this one? The customer says it blocks their whole team.",
    "I checked the logs: nothing on our side since Monday. Over to you.",
    "this looks like the invoice issue from last week, could you confirm?",
    "the customer called in as well; please reply before the end of the day.",
]
NOTED_TICKETS = 8


def _weighted(rng: random.Random, pairs: list[tuple[str, int]]) -> str:
    return rng.choices([p for p, _ in pairs], weights=[w for _, w in pairs])[0]


@dataclass
class _Setting:
    """The workspace the tickets go into, and what they are drawn from."""

    workspace: Workspace
    created: bool
    agents: list[User]
    labels: dict[str, uuid.UUID]
    teams: list[uuid.UUID]
    statuses: dict[str, str]


async def _ensure_workspace(
    session: AsyncSession, settings: Settings, slug: str, admin_email: str, admin_password: str
) -> _Setting:
    """The workspace `slug`, created with demo agents, teams and desk setup when it does not
    exist.

    An existing workspace (one made by `ticketdesk workspace create`, say) gets the demo labels
    it lacks but no new accounts and no setup: its own agents and admins are the tickets'
    assignees, its own SLA policies (if any) set their clocks.
    """
    workspace = await session.scalar(select(Workspace).where(Workspace.slug == slug))
    created = workspace is None
    admin: User | None = None
    if workspace is None:
        new = await create_workspace(
            session,
            name=slug.replace("-", " ").title(),
            slug=slug,
            admin_email=admin_email,
            admin_password=admin_password,
            admin_name="Demo Admin",
        )
        workspace, admin = new.workspace, new.admin
        await _add_demo_people(session, workspace.id, hash_password(admin_password))
    await insert_ignoring_conflicts(
        session,
        Label,
        [{"id": new_id(), "workspace_id": workspace.id, "name": name} for name in LABELS],
        ["workspace_id", "name"],
    )
    if admin is not None:
        await _set_up_desk(session, settings, workspace, admin)
    agents = list(
        await session.scalars(
            select(User)
            .where(User.workspace_id == workspace.id, User.role != "viewer", User.active)
            .order_by(User.email)
        )
    )
    labels = dict(
        (
            await session.execute(
                select(Label.name, Label.id).where(Label.workspace_id == workspace.id)
            )
        ).all()
    )
    teams = list(
        await session.scalars(
            select(Team.id).where(Team.workspace_id == workspace.id).order_by(Team.name)
        )
    )
    statuses = {
        s.name: s.category
        for s in await session.scalars(
            select(Status).where(Status.workspace_id == workspace.id).order_by(Status.position)
        )
    }
    if not statuses:
        raise ValidationFailed(f"The workspace {slug!r} has no statuses.", loc=("workspace",))
    return _Setting(workspace, created, agents, labels, teams, statuses)


async def _add_demo_people(session: AsyncSession, workspace_id: uuid.UUID, password: str) -> None:
    """The demo agents (their password is the admin's), a viewer, and three teams."""
    by_handle: dict[str, uuid.UUID] = {}
    for name, handle in AGENTS:
        user = User(
            id=new_id(),
            workspace_id=workspace_id,
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
            workspace_id=workspace_id,
            email="viewer@demo.test",
            name="Vic Viewer",
            role="viewer",
            password_hash=password,
            active=True,
        )
    )
    await session.flush()
    for team_name, handles in TEAMS.items():
        team = Team(id=new_id(), workspace_id=workspace_id, name=team_name)
        session.add(team)
        await session.flush()
        for handle in handles:
            session.add(TeamMember(team_id=team.id, user_id=by_handle[handle]))
    await session.flush()


async def _set_up_desk(
    session: AsyncSession, settings: Settings, workspace: Workspace, admin: User
) -> None:
    """What a desk is configured with, through the rooms' services (their checks included):
    office hours and SLA policies, automations, macros, and a webhook left switched off."""
    as_admin = Principal(workspace.id, "user", admin.id, admin.name, "admin", email=admin.email)
    teams = dict(
        (
            await session.execute(
                select(Team.name, Team.id).where(Team.workspace_id == workspace.id)
            )
        ).all()
    )
    await _add_sla_policies(session, workspace)
    await _add_automations(session, workspace.id, teams)
    # satisfaction surveys on (good or bad, right after the solve): the history has answers
    await csat.set_csat_settings(
        session, workspace, CsatSettings.model_validate({"enabled": True, "scale": "good_bad"})
    )
    await _add_macros(session, as_admin, teams)
    # a placeholder receiver: switched off, so nothing is sent until someone points it at a
    # real endpoint and turns it on
    await webhooks.create_webhook(
        session,
        as_admin,
        settings,
        WebhookCreate.model_validate(
            {
                "url": "https://example.com/webhooks/ticketdesk",
                "events": ["ticket.created", "ticket.status_changed", "ticket.sla_breached"],
                "description": "Demo receiver: point it at your endpoint, then switch it on",
                "active": False,
            }
        ),
    )


async def _add_sla_policies(session: AsyncSession, workspace: Workspace) -> None:
    """Office hours (Mon-Fri 9-17 in the workspace's zone, a few holidays) and DEMO_POLICIES."""
    year = utcnow().year
    hours = await sla.create_business_hours(
        session,
        workspace.id,
        BusinessHoursCreate.model_validate(
            {
                "name": "Office hours",
                "timezone": workspace.timezone,
                "weekly": OFFICE_HOURS,
                "holidays": [
                    f"{y}-{day}" for y in (year, year + 1) for day in ("01-01", "12-25", "12-26")
                ],
            }
        ),
    )
    for position, (name, match, targets, office) in enumerate(DEMO_POLICIES):
        urgent = "urgent" in match.get("priority", [])
        await sla.create_policy(
            session,
            workspace.id,
            SlaPolicyCreate.model_validate(
                {
                    "name": name,
                    "match": match,
                    "targets": targets,
                    "business_hours_id": hours.id if office else None,
                    "position": position,
                    # the sweep tells the assignee; an urgent breach tells the team as well
                    "escalation": URGENT_ESCALATION if urgent else [],
                }
            ),
        )


async def _add_automations(
    session: AsyncSession, workspace_id: uuid.UUID, teams: dict[str, uuid.UUID]
) -> None:
    rules: list[dict[str, Any]] = [
        {
            "name": "Urgent tickets go to Technical",
            "conditions": {"all": [{"field": "priority", "op": "is", "value": "urgent"}]},
            "actions": [{"type": "set_team", "value": str(teams["Technical"])}],
        },
        {
            "name": "VIP customers get high priority",
            "conditions": {"all": [{"field": "labels", "op": "contains", "value": "vip"}]},
            "actions": [{"type": "set_priority", "value": "high"}],
        },
        {
            "name": "Refund requests to Billing",
            "conditions": {
                "any": [
                    {"field": "subject", "op": "contains", "value": "refund"},
                    {"field": "subject", "op": "contains", "value": "charged twice"},
                ]
            },
            "actions": [
                {"type": "add_labels", "value": ["refund", "billing"]},
                {"type": "set_team", "value": str(teams["Billing"])},
            ],
        },
    ]
    for rule in rules:
        await automations.create_automation(
            session,
            workspace_id,
            AutomationCreate.model_validate({"trigger": "ticket.created", **rule}),
        )


async def _add_macros(
    session: AsyncSession, as_admin: Principal, teams: dict[str, uuid.UUID]
) -> None:
    """Three shared macros, and a personal one of Ada's."""
    shared: list[dict[str, Any]] = [
        {
            "name": "Refund issued",
            "body": "Hi {{ requester.first_name }},\n\nI have issued the refund; it will show "
            "on your statement within 3-5 business days.\n\nBest,\n{{ agent.first_name }}",
            "actions": [
                {"type": "add_labels", "value": ["refund"]},
                {"type": "set_status", "value": "resolved"},
            ],
        },
        {
            "name": "Ask for details",
            "body": "Hi {{ requester.first_name }},\n\nCould you send us the exact error "
            "message and the time it happened? A screenshot helps too.\n\nThanks,\n"
            "{{ agent.first_name }}",
            "actions": [{"type": "set_status", "value": "waiting"}],
        },
        {
            "name": "Escalate to Technical",
            "body": "Escalating to the Technical team: reproduced, needs an engineer.",
            "visibility": "internal",
            "actions": [
                {"type": "set_team", "value": str(teams["Technical"])},
                {"type": "set_priority", "value": "high"},
            ],
        },
    ]
    for macro in shared:
        await macros.create_macro(
            session, as_admin, MacroCreate.model_validate({**macro, "shared": True})
        )
    ada = await session.scalar(
        select(User).where(
            User.workspace_id == as_admin.workspace_id, User.email == "ada@demo.test"
        )
    )
    if ada is None:
        return
    as_ada = Principal(ada.workspace_id, "user", ada.id, ada.name, "agent", email=ada.email)
    await macros.create_macro(
        session,
        as_ada,
        MacroCreate.model_validate(
            {
                "name": "Glad it's sorted",
                "body": "Great to hear it works now, {{ requester.first_name }}! I'll close "
                "this ticket; just reply if anything else comes up.\n\nAda",
                "actions": [{"type": "set_status", "value": "resolved"}],
            }
        ),
    )


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
    "conversation_id",
    "first_responded_at",
    "sla_policy_id",
    "first_response_due_at",
    "next_response_due_at",
    "resolution_due_at",
    "due_at",
    "sla_warn_at",
    "sla_state",
    "sla_pauses",
    "created_at",
    "updated_at",
    "resolved_at",
    "closed_at",
    "version",
    "csat_rating",
    "csat_comment",
    "csat_answered_at",
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
SURVEY_COLUMNS = ("id", "workspace_id", "ticket_id", "send_after", "sent_at", "created_at")
SLA_CLOCK_COLUMNS = ("ticket_id", "due_at", "warn_at", "target", "warned_at", "breached_at")
CONVERSATION_COLUMNS = (
    "id",
    "workspace_id",
    "external_id",
    "channel",
    "visitor_email",
    "visitor_name",
    "visitor_country",
    "visitor_device",
    "visitor_page_url",
    "message_count",
    "created_at",
    "updated_at",
)
MESSAGE_COLUMNS = (
    "id",
    "conversation_id",
    "position",
    "author",
    "author_name",
    "body",
    "fingerprint",
    "sent_at",
    "created_at",
)
TRANSCRIPT_COLUMNS = (
    "ticket_id",
    "workspace_id",
    "conversation_id",
    "visitor",
    "messages",
    "created_at",
)
SEED_DAYS = 90
TYPES = ["question", "incident", "problem", "task"]


# Tickets per transaction. On SQLite a batch holds the one write lock: a small one lets the
# requests of a server running on the same file in between (list p99 < 200 ms during a seed).
BATCH_SIZE = {"sqlite": 100, "postgresql": 5000}
# Between two batches on SQLite the seed leaves the lock free this long: a waiting request
# polls for it (SQLite's busy handler sleeps up to 25 ms between tries in its first 100 ms).
SQLITE_PAUSE_SECONDS = 0.03


@dataclass(slots=True)
class _Clocked:
    """A seeded ticket as the SLA rules read it (`sla.match_policy`, `sla.compute` use
    these attributes of a Ticket and no other): no ORM object per row."""

    priority: str
    type: str | None
    channel: str
    status: str
    status_category: str
    created_at: datetime
    first_responded_at: datetime | None
    sla_pauses: list[Any]
    resolved_at: datetime | None
    closed_at: datetime | None
    next_response_started_at: datetime | None = None


@dataclass
class _Sla:
    """The workspace's active SLA policies and their calendars (indexed over the seeded
    period), detached from any session: the batches are built in a worker thread."""

    policies: list[SlaPolicy]
    calendars: dict[uuid.UUID, Calendar]
    around_the_clock: Calendar = field(default_factory=Calendar.twenty_four_seven)

    def result(self, ticket: _Clocked, labels: list[str], now: datetime) -> sla.SlaResult:
        as_ticket = cast(Ticket, ticket)
        policy, _ = sla.match_policy(self.policies, as_ticket, labels)
        if policy is None:
            return sla.SlaResult(None)
        hours = policy.business_hours_id
        calendar = self.calendars.get(hours) if hours is not None else None
        return sla.compute(as_ticket, policy, calendar or self.around_the_clock, now)


async def _load_sla(
    session: AsyncSession, workspace_id: uuid.UUID, start: datetime, now: datetime
) -> _Sla | None:
    policies = await sla_backfill.active_policies(session, workspace_id)
    if not policies:
        return None
    hours = await sla_backfill.calendars_of(
        session, workspace_id, {p.business_hours_id for p in policies if p.business_hours_id}
    )
    end = now + timedelta(days=60)  # past the furthest target of an open seeded ticket
    calendars: dict[uuid.UUID, Calendar] = {
        hours_id: IndexedCalendar(sla.calendar_of(row), start, end)
        for hours_id, row in hours.items()
    }
    return _Sla([detached_copy(p) for p in policies], calendars)


@dataclass
class _Plan:
    """What every batch draws from: the workspace's people, labels and the time span."""

    workspace_id: uuid.UUID
    prefix: str
    agents: list[tuple[uuid.UUID, str]]
    labels: dict[str, uuid.UUID]
    teams: list[uuid.UUID]
    contacts: list[tuple[uuid.UUID, str, str | None]]  # id, email, name
    statuses: dict[str, str]
    status_weights: list[tuple[str, int]]
    total: int
    start: datetime
    now: datetime
    json_as_text: bool  # COPY takes jsonb as text; SQLAlchemy inserts take dicts
    sla: _Sla | None = None
    tail: int = 0  # how many of the run's newest tickets are TAIL's
    initial_status: str = "open"  # where a ticket starts
    solved_status: str | None = None  # where it is solved (the first solved-category status)
    csat_scale: str | None = None  # the workspace's survey scale, when CSAT is on


@dataclass
class _Batch:
    """Rows of `n` tickets numbered 0..n-1: the numbers are taken when the batch is written."""

    tickets: list[tuple[Any, ...]] = field(default_factory=list)
    labels: list[tuple[Any, ...]] = field(default_factory=list)
    comments: list[tuple[Any, ...]] = field(default_factory=list)
    # (ticket id, index in the batch, priority, created at): the `ticket.created` events
    created: list[tuple[uuid.UUID, int, str, datetime]] = field(default_factory=list)
    clocks: list[tuple[Any, ...]] = field(default_factory=list)
    conversations: list[tuple[Any, ...]] = field(default_factory=list)
    messages: list[tuple[Any, ...]] = field(default_factory=list)
    transcripts: list[tuple[Any, ...]] = field(default_factory=list)
    # (ticket id, assignee id) of the open tickets with an assignee, newest last
    assigned_open: list[tuple[uuid.UUID, uuid.UUID]] = field(default_factory=list)
    # (ticket id, index in the batch, *_Happened): each ticket's history after its creation
    history: list[tuple[Any, ...]] = field(default_factory=list)
    surveys: list[tuple[Any, ...]] = field(default_factory=list)


async def seed_demo(
    settings: Settings,
    *,
    slug: str,
    tickets: int,
    admin_email: str,
    admin_password: str,
    batch_size: int | None = None,
    seed: int = 42,
    quiet: bool = False,
    with_reports: bool = True,
) -> dict[str, Any]:
    """Add `tickets` demo tickets to the workspace `slug` (created with its agents if missing).

    Nothing is written unless the setup and the first batch succeed (one transaction). Then
    each batch commits on its own, generated in a worker thread while the previous one is
    written, so on PostgreSQL the database and the generator work at the same time.
    """
    if tickets < 0:
        raise ValidationFailed("The number of tickets cannot be negative.", loc=("tickets",))
    if batch_size is not None and batch_size < 1:
        raise ValidationFailed("The batch size must be at least 1.", loc=("batch_size",))
    db = Database(settings.resolved_database_url)
    size = batch_size or BATCH_SIZE["sqlite" if db.is_sqlite else "postgresql"]
    rng = random.Random(seed)
    progress = Progress(
        TextColumn("[bold]{task.description}[/] {task.completed:,}/{task.total:,} tickets"),
        BarColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),  # stdout carries the command's JSON summary
        disable=quiet,
    )
    try:
        with progress:
            task = progress.add_task("seeding", total=tickets)
            async with db.unit_of_work() as session:
                setting = await _ensure_workspace(
                    session, settings, slug, admin_email, admin_password
                )
                workspace = setting.workspace
                contacts = await _seed_contacts(
                    session, workspace.id, rng, count=max(10, min(tickets // 4, 50_000))
                )
                now = utcnow()
                start = now - timedelta(days=SEED_DAYS)
                plan = _Plan(
                    workspace_id=workspace.id,
                    prefix=workspace.ticket_prefix,
                    agents=[(a.id, a.name) for a in setting.agents],
                    labels=setting.labels,
                    teams=setting.teams,
                    contacts=contacts,
                    statuses=setting.statuses,
                    status_weights=_status_weights(setting.statuses),
                    total=max(tickets, 1),
                    start=start,
                    now=now,
                    json_as_text=not db.is_sqlite,
                    sla=await _load_sla(session, workspace.id, start, now),
                    tail=_tail_size(tickets, setting.statuses),
                    initial_status=_first_of(setting.statuses, "open") or "open",
                    solved_status=_first_of(setting.statuses, "solved"),
                    csat_scale=_csat_scale(workspace),
                )
                done = min(size, tickets)
                if done:
                    batch = await _start_batch(plan, rng, 0, done)
                    await _write_batch(session, plan, batch)
                    if done == tickets and setting.created:
                        await _add_notes(session, plan, batch, rng)
            progress.update(task, completed=done)
            rest = tickets - done
            pending = _start_batch(plan, rng, done, min(size, rest)) if rest else None
            while pending is not None:
                if db.is_sqlite:
                    await asyncio.sleep(SQLITE_PAUSE_SECONDS)
                batch = await pending
                n = len(batch.tickets)
                following = min(size, tickets - done - n)
                pending = _start_batch(plan, rng, done + n, following) if following else None
                async with db.unit_of_work() as session:
                    await _write_batch(session, plan, batch)
                    if pending is None and setting.created:  # the last batch: the newest
                        await _add_notes(session, plan, batch, rng)
                done += n
                progress.update(task, completed=done)
            # the reports' metrics and rollups, from the history just written (one
            # transaction: the dashboard shows the old numbers or the new, never half)
            if with_reports:
                rebuild = progress.add_task("reports", total=tickets)
                async with db.unit_of_work() as session:
                    await reports.rebuild_workspace(
                        session,
                        await session.get_one(Workspace, plan.workspace_id),
                        progress=lambda n: progress.advance(rebuild, n),
                    )
        # fresh statistics: until autovacuum gets to it the planner would take a table just
        # filled with a million rows for an empty one (and scan whole workspaces)
        if not db.is_sqlite:
            async with db.engine.connect() as conn:
                await conn.execute(text("ANALYZE"))
        summary: dict[str, Any] = {"workspace": slug, "tickets": tickets}
        if setting.created:  # the password is the caller's own: never printed back
            summary["admin_email"] = admin_email
        return summary
    finally:
        await db.dispose()


def _first_of(statuses: dict[str, str], category: str) -> str | None:
    """The workspace's status of `category` ("open" first, as a new ticket gets it)."""
    if statuses.get(category) == category:
        return category
    return next((name for name, c in statuses.items() if c == category), None)


def _csat_scale(workspace: Workspace) -> str | None:
    """The survey scale the seeded history answers on (None: CSAT is off)."""
    config = csat.csat_settings(workspace)
    return config.scale if config.enabled else None


def _tail_size(tickets: int, statuses: dict[str, str]) -> int:
    """TAIL's tickets end a run big enough, in a workspace with TAIL's (open) statuses."""
    if tickets < TAIL_FROM or any(statuses.get(status) != "open" for _, status, _ in TAIL):
        return 0
    return len(TAIL)


def _status_weights(statuses: dict[str, str]) -> list[tuple[str, int]]:
    """The demo mix over the workspace's statuses (any it renamed away are left out)."""
    weights = [(name, weight) for name, weight in STATUS_WEIGHTS if name in statuses]
    return weights or [(name, 1) for name in statuses]


def _start_batch(plan: _Plan, rng: random.Random, offset: int, n: int) -> asyncio.Future[_Batch]:
    """Build the next batch in a thread (its own generator, drawn in order: reproducible)."""
    batch_rng = random.Random(rng.getrandbits(64))
    return asyncio.ensure_future(asyncio.to_thread(_build_batch, batch_rng, plan, offset, n))


async def _seed_contacts(
    session: AsyncSession, workspace_id: uuid.UUID, rng: random.Random, count: int
) -> list[tuple[uuid.UUID, str, str | None]]:
    """Demo customers to file the tickets (reused when the workspace has enough)."""

    async def existing() -> list[tuple[uuid.UUID, str, str | None]]:
        rows = await session.execute(
            select(Contact.id, Contact.email, Contact.name)
            .where(Contact.workspace_id == workspace_id)
            .limit(count)
        )
        return [(r[0], r[1], r[2]) for r in rows]

    have = await existing()
    if len(have) >= count:
        return have
    rows = []
    seen: set[str] = set()
    for i in range(count - len(have)):
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
    if rows:  # one executemany: a multi-row VALUES of this size costs ten times more to compile
        if dialect_name(session) == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as dialect_insert
        else:
            from sqlalchemy.dialects.sqlite import insert as dialect_insert  # type: ignore[assignment]
        statement = dialect_insert(_table(Contact)).on_conflict_do_nothing(
            index_elements=["workspace_id", "email"]
        )
        await session.execute(statement, rows)
    return await existing()


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


def _build_batch(rng: random.Random, plan: _Plan, offset: int, n: int) -> _Batch:
    """`n` tickets with labels, comments, SLA clocks, chat transcripts and their
    `ticket.created` events, as row tuples.

    Creation times rise with the ticket number across the whole run (as in a real desk),
    spread evenly over the last 90 days with some jitter; the run's last `plan.tail` tickets
    are TAIL's, a few hours old.
    """
    out = _Batch()
    random_ = rng.random
    randint = rng.randint
    choice = rng.choice
    as_text = plan.json_as_text
    dumps = json.dumps
    now = plan.now
    ws = plan.workspace_id
    regular = plan.total - plan.tail
    span = (now - plan.start - (TAIL_SPAN if plan.tail else timedelta())).total_seconds()
    label_names = list(plan.labels)
    status_names, status_cum = _cumulative(plan.status_weights)
    priority_names, priority_cum = _cumulative(PRIORITY_WEIGHTS)
    channel_names, channel_cum = _cumulative(CHANNEL_WEIGHTS)
    subjects = rng.choices(SUBJECTS, k=n)
    statuses = rng.choices(status_names, cum_weights=status_cum, k=n)
    priorities = rng.choices(priority_names, cum_weights=priority_cum, k=n)
    channels = rng.choices(channel_names, cum_weights=channel_cum, k=n)
    types = rng.choices(TYPES, k=n)
    agents = plan.agents
    clocks = plan.sla
    for i in range(n):
        template, category, base_labels = subjects[i]
        status, priority = statuses[i], priorities[i]
        if offset + i < regular:
            created = plan.start + timedelta(seconds=span * (offset + i + random_()) / regular)
            updated = min(now, created + timedelta(minutes=randint(30, 5 * 24 * 60)))
            responded = created + timedelta(minutes=randint(3, 600)) if random_() < 0.75 else None
            if responded is not None and responded >= updated:
                responded = created + (updated - created) / 3 if random_() < 0.5 else None
        else:
            minutes_ago, status, answered_after = TAIL[offset + i - regular]
            priority = "urgent"
            created = now - timedelta(minutes=minutes_ago)
            responded = created + timedelta(minutes=answered_after) if answered_after else None
            updated = responded or created
        status_category = plan.statuses.get(status, "open")
        assignee = choice(agents) if agents and random_() < 0.8 else None
        ticket_id = uuid.uuid4()
        names = set(base_labels)
        if random_() < 0.15:
            names.add(choice(label_names))
        custom: dict[str, Any] = {"order_id": str(randint(10000, 99999))} if random_() < 0.4 else {}
        contact = choice(plan.contacts)
        story = _story(rng, plan, status, created, responded, updated, offset + i < regular)
        responded = story.first_reply if agents else None
        resolved, closed = story.resolved_at, story.closed_at
        history: list[_Happened] = []
        csat = _survey(rng, out, plan, ticket_id, story, assignee, contact, history)
        # the pause a ticket gets when it leaves the open statuses (sla.track_status)
        pauses: list[Any] = (
            [] if status_category == "open" else [[story.changed_at.isoformat(), None, status]]
        )
        subject = template.format(n=randint(10000, 99999))
        description = choice(BODIES).format(n=randint(1000, 9999))
        sla_columns: tuple[Any, ...] = (None, None, None, None, None, None, "none")
        if clocks is not None:
            result = clocks.result(
                _Clocked(
                    priority,
                    types[i],
                    channels[i],
                    status,
                    status_category,
                    created,
                    responded,
                    pauses,
                    resolved,
                    closed,
                ),
                list(names),
                now,
            )
            sla_columns = _sla_columns(result)
            if result.due_at is not None or result.warn_at is not None:
                due, warn = result.due_at, result.warn_at
                out.clocks.append(
                    (
                        ticket_id,
                        due,
                        warn,
                        result.target,
                        # seeded history: what fell due before now was warned and breached then
                        warn if warn is not None and warn <= now else None,
                        due if due is not None and due <= now else None,
                    )
                )
        conversation_id = None
        if channels[i] == "chat":
            conversation_id = _add_chat(
                out, rng, plan, ticket_id, contact, subject, description, created
            )
        out.tickets.append(
            (
                ticket_id,
                ws,
                i,  # numbered when written
                subject,
                description,
                status,
                status_category,
                story.changed_at,
                priority,
                PRIORITY_RANK[priority],
                types[i],
                category,
                channels[i],
                contact[0],
                assignee[0] if assignee else None,
                choice(plan.teams) if plan.teams and random_() < 0.6 else None,
                dumps(custom) if as_text else custom,
                conversation_id,
                responded,
                *sla_columns,
                (dumps(pauses) if pauses else "[]") if as_text else pauses,
                created,
                updated,
                resolved,
                closed,
                1,
                *csat,
            )
        )
        if assignee is not None and status_category in sla_backfill.OPEN_CATEGORIES:
            out.assigned_open.append((ticket_id, assignee[0]))
        for name in names:
            out.labels.append((ticket_id, plan.labels[name]))
        out.created.append((ticket_id, i, priority, created))
        if agents:
            for at, visibility in story.comments:
                internal = visibility == "internal"
                author_id, author_name = assignee or choice(agents)
                comment_id = uuid.uuid4()
                out.comments.append(
                    (
                        comment_id,
                        ws,
                        ticket_id,
                        "user",
                        author_id,
                        author_name,
                        choice(NOTES if internal else REPLIES),
                        visibility,
                        at,
                    )
                )
                data = {
                    "comment_id": str(comment_id),
                    "visibility": visibility,
                    "agent_reply": not internal,
                }
                history.append((at, "ticket.comment_added", "user", author_id, author_name, data))
        for at, before, after, by_customer in story.moves:
            actor: tuple[str, uuid.UUID | None, str | None] = (
                ("contact", contact[0], contact[2] or contact[1])
                if by_customer
                else ("user", assignee[0], assignee[1])
                if assignee
                else ("system", None, "seed")
            )
            change = {
                "from": before,
                "to": after,
                "from_category": plan.statuses.get(before, "open"),
                "to_category": plan.statuses.get(after, "open"),
            }
            history.append((at, "ticket.status_changed", *actor, change))
            if change["from_category"] in DONE_CATEGORIES and change["to_category"] in (
                "open",
                "pending",
            ):
                reopening = {"from": before, "to": after}
                history.append((at, "ticket.reopened", *actor, reopening))
        history.sort(key=lambda event: event[0])  # stable: a reopen follows its status change
        out.history.extend((ticket_id, i, *event) for event in history)
    return out


# a ticket's history: how many come back after a solve, get a survey, answer it
REOPEN_SHARE = 0.15
SURVEY_SHARE = 0.8
ANSWER_SHARE = 0.45
# each agent's share of good answers, in the order of the workspace's agents (by email)
GOOD_SHARES = [0.92, 0.78, 0.86, 0.7, 0.95, 0.82, 0.74, 0.88]
BAD_REASONS = [
    "It took days to get a real answer.",
    "The problem is still not fixed.",
    "I had to explain everything twice.",
    "The reply did not answer my question.",
]
GOOD_COMMENTS = ["Quick and friendly, thank you!", "Sorted in one reply. Great service."]
DONE_CATEGORIES = ("solved", "closed")
# the events whose data names the ticket (as the live services write them)
KEYED_EVENTS = {"ticket.comment_added", "ticket.status_changed", "ticket.reopened"}

# (at, type, actor kind, actor id, actor name, data): one event of a seeded ticket's history
_Happened = tuple[datetime, str, str, uuid.UUID | None, str | None, dict[str, Any]]


@dataclass(slots=True)
class _Story:
    """What happened to a seeded ticket between its creation and its last change: agents'
    comments, status moves (a reopen is a move back from a solved one, by the customer), and
    the solves among them."""

    comments: list[tuple[datetime, str]] = field(default_factory=list)  # (at, visibility)
    moves: list[tuple[datetime, str, str, bool]] = field(default_factory=list)
    solves: list[datetime] = field(default_factory=list)
    first_reply: datetime | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    changed_at: datetime = datetime.min  # set by _story: the last move, else the creation


def _story(
    rng: random.Random,
    plan: _Plan,
    status: str,
    created: datetime,
    responded: datetime | None,
    end: datetime,
    regular: bool,
) -> _Story:
    """The history that ends in `status` at `end`: the first public reply at `responded`, a
    few more replies, maybe an internal note, maybe a solve that the customer reopened."""
    story = _Story(changed_at=created)
    category = plan.statuses.get(status, "open")
    span = end - created
    if responded is not None:
        story.first_reply = responded
        story.comments.append((responded, "public"))
        for j in range(rng.randint(0, 2) if regular else 0):
            story.comments.append((responded + (end - responded) * (j + 1) / 3, "public"))
    if regular and rng.random() < 0.25:
        story.comments.append((created + span / 10, "internal"))
    current = plan.initial_status

    def move(at: datetime, to: str, by_customer: bool = False) -> None:
        nonlocal current
        if to == current:
            return
        story.moves.append((at, current, to, by_customer))
        if plan.statuses.get(to) in DONE_CATEGORIES and plan.statuses.get(current) not in (
            DONE_CATEGORIES
        ):
            story.solves.append(at)
        current = to
        story.changed_at = at

    solved = plan.solved_status
    if regular and solved is not None and rng.random() < REOPEN_SHARE:
        move(created + span * 0.45, solved)
        move(created + span * 0.6, plan.initial_status, by_customer=True)
    if category == "closed" and solved is not None:
        move(created + span * 0.85, solved)
    move(end, status)
    if category in DONE_CATEGORIES and story.solves:
        story.resolved_at = story.solves[-1]
    if category == "closed":
        story.closed_at = end
    return story


def _survey(
    rng: random.Random,
    out: _Batch,
    plan: _Plan,
    ticket_id: uuid.UUID,
    story: _Story,
    assignee: tuple[uuid.UUID, str] | None,
    contact: tuple[uuid.UUID, str, str | None],
    history: list[_Happened],
) -> tuple[str | None, str | None, datetime | None]:
    """The satisfaction survey of a solved ticket (sent at its first solve, as a workspace
    with CSAT on and no delay does) and maybe its answer: the ticket's `csat_*` columns."""
    if plan.csat_scale is None or not story.solves or rng.random() >= SURVEY_SHARE:
        return None, None, None
    sent = story.solves[0]
    out.surveys.append((uuid.uuid4(), plan.workspace_id, ticket_id, sent, sent, sent))
    history.append((sent, "ticket.survey_sent", "system", None, "CSAT", {}))
    answered = sent + timedelta(minutes=rng.randint(5, 2 * 24 * 60))
    if rng.random() >= ANSWER_SHARE or answered >= (story.closed_at or plan.now):
        return None, None, None
    share = GOOD_SHARES[plan.agents.index(assignee) % len(GOOD_SHARES)] if assignee else 0.8
    good = rng.random() < share
    rating: str | int
    if plan.csat_scale == "five":
        rating = rng.choice([4, 5]) if good else rng.choice([1, 2, 3])
    else:
        rating = "good" if good else "bad"
    comment = (
        rng.choice(BAD_REASONS)
        if not good and rng.random() < 0.7
        else rng.choice(GOOD_COMMENTS)
        if good and rng.random() < 0.2
        else None
    )
    who = contact[2] or contact[1]
    data = {"rating": rating, "good": good, "comment": comment}
    history.append((answered, "ticket.csat_received", "contact", contact[0], who, data))
    return str(rating), comment, answered


def _sla_columns(result: sla.SlaResult) -> tuple[Any, ...]:
    """What `sla.apply_result` stores on a ticket, in TICKET_COLUMNS' order."""
    first = result.clock("first_response")
    nxt = result.clock("next_response")
    resolution = result.clock("resolution")
    return (
        result.policy.id if result.policy else None,
        first.due_at if first else None,
        nxt.due_at if nxt else None,
        resolution.due_at if resolution else None,
        result.due_at,
        result.warn_at,
        result.state,
    )


def _add_chat(
    out: _Batch,
    rng: random.Random,
    plan: _Plan,
    ticket_id: uuid.UUID,
    contact: tuple[uuid.UUID, str, str | None],
    subject: str,
    description: str,
    created: datetime,
) -> uuid.UUID:
    """The chat a `chat` ticket was opened from: the visitor and the assistant, then the
    handover, which ends a minute before the ticket (as conversations.service files it)."""
    conversation_id = uuid.uuid4()
    _, email, name = contact
    first_name = name.split()[0] if name else "there"
    said = [
        ("visitor", name, f"Hi! {subject}"),
        ("ai", AI_NAME, rng.choice(AI_GREETINGS).format(name=first_name)),
        ("visitor", name, description),
        ("ai", AI_NAME, rng.choice(AI_HANDOVERS)),
    ]
    began = created - CHAT_MESSAGE_GAP * len(said)
    snapshot = []
    for position, (author, author_name, body) in enumerate(said, start=1):
        sent = began + CHAT_MESSAGE_GAP * (position - 1)
        message_id = uuid.uuid4()
        out.messages.append(
            (
                message_id,
                conversation_id,
                position,
                author,
                author_name,
                body,
                fingerprint(author, body, sent),
                sent,
                sent,
            )
        )
        sent_at = sent.isoformat()
        snapshot.append(
            {
                "id": str(message_id),
                "position": position,
                "author": author,
                "author_name": author_name,
                "body": body,
                "sent_at": sent_at,
                "created_at": sent_at,
            }
        )
    visitor = {
        "email": email,
        "name": name,
        "country": rng.choice(VISITOR_COUNTRIES),
        "device": rng.choice(VISITOR_DEVICES),
        "page_url": rng.choice(VISITOR_PAGES),
    }
    out.conversations.append(
        (
            conversation_id,
            plan.workspace_id,
            f"web-{conversation_id.hex[:16]}",
            "chat",
            email,
            name,
            visitor["country"],
            visitor["device"],
            visitor["page_url"],
            len(said),
            began,
            began + CHAT_MESSAGE_GAP * (len(said) - 1),
        )
    )
    as_text = plan.json_as_text
    out.transcripts.append(
        (
            ticket_id,
            plan.workspace_id,
            conversation_id,
            json.dumps(visitor) if as_text else visitor,
            json.dumps(snapshot) if as_text else snapshot,
            created,
        )
    )
    return conversation_id


async def _write_batch(session: AsyncSession, plan: _Plan, batch: _Batch) -> None:
    """Number the batch from the workspace counter, in the transaction that writes it.

    COPY on PostgreSQL (binary, no per-row statements); multi-row inserts on SQLite.
    """
    first = await _reserve_numbers(session, plan.workspace_id, len(batch.tickets))
    tickets = [(row[0], row[1], first + row[2], *row[3:]) for row in batch.tickets]
    events = []
    for ticket_id, index, priority, created in batch.created:
        data = {
            "ticket": f"{plan.prefix}-{first + index}",
            "status": plan.initial_status,
            "priority": priority,
        }
        events.append(
            (
                plan.workspace_id,
                ticket_id,
                "ticket.created",
                "system",
                None,
                "seed",
                json.dumps(data) if plan.json_as_text else data,
                created,
                plan.now,  # seeded history is never delivered to webhooks
            )
        )
    # after every `ticket.created`, each ticket's history in the order it happened (reports
    # fold a ticket's events in id order)
    for ticket_id, index, at, type_, actor_kind, actor_id, actor_name, data in batch.history:
        if type_ in KEYED_EVENTS:
            data = {"ticket": f"{plan.prefix}-{first + index}", **data}
        events.append(
            (
                plan.workspace_id,
                ticket_id,
                type_,
                actor_kind,
                actor_id,
                actor_name,
                json.dumps(data) if plan.json_as_text else data,
                at,
                plan.now,
            )
        )
    # in the order of their foreign keys
    tables: list[tuple[type[Base], tuple[str, ...], list[tuple[Any, ...]]]] = [
        (Ticket, TICKET_COLUMNS, tickets),
        (TicketLabel, TICKET_LABEL_COLUMNS, batch.labels),
        (Comment, COMMENT_COLUMNS, batch.comments),
        (Event, EVENT_COLUMNS, events),
        (SlaClock, SLA_CLOCK_COLUMNS, batch.clocks),
        (CsatSurvey, SURVEY_COLUMNS, batch.surveys),
        (Conversation, CONVERSATION_COLUMNS, batch.conversations),
        (ConversationMessage, MESSAGE_COLUMNS, batch.messages),
        (ConversationTicket, TRANSCRIPT_COLUMNS, batch.transcripts),
    ]
    if dialect_name(session) == "postgresql":
        await session.execute(text("SET LOCAL synchronous_commit = off"))
        conn = await session.connection()
        raw = await conn.get_raw_connection()
        driver = raw.driver_connection
        assert driver is not None
        for model, columns, rows in tables:
            if rows:
                await driver.copy_records_to_table(
                    _table(model).name, records=rows, columns=list(columns)
                )
        return
    conn = await session.connection()
    for model, columns, rows in tables:
        if not rows:
            continue
        # the driver's executemany, values converted by the columns' own bind processors:
        # less Python per row than a Core insert (itself a third of the ORM bulk path's), and
        # on SQLite that time is the write lock a running server's requests wait for
        table = _table(model)
        dialect = conn.dialect
        processors = [table.c[name].type.bind_processor(dialect) for name in columns]
        statement = (
            f"INSERT INTO {table.name} ({', '.join(columns)}) "
            f"VALUES ({', '.join('?' for _ in columns)})"
        )
        values = [
            tuple(
                value if process is None or value is None else process(value)
                for process, value in zip(processors, row, strict=True)
            )
            for row in rows
        ]
        await conn.exec_driver_sql(statement, values)


async def _add_notes(session: AsyncSession, plan: _Plan, batch: _Batch, rng: random.Random) -> None:
    """Internal notes on the run's newest open tickets, each mentioning the ticket's assignee,
    through the comments service (so the mentioned agents are notified). Like the rest of
    the seeded history, their events are not delivered to webhooks."""
    if len(plan.agents) < 2 or not batch.assigned_open:
        return
    workspace = await session.get(Workspace, plan.workspace_id)
    assert workspace is not None
    noted = dict(batch.assigned_open[-NOTED_TICKETS:])
    names = dict(plan.agents)
    tickets = await session.scalars(
        select(Ticket).where(Ticket.id.in_(noted)).order_by(Ticket.created_at)
    )
    for ticket in tickets:
        assignee = noted[ticket.id]
        author_id, author_name = rng.choice([a for a in plan.agents if a[0] != assignee])
        at = min(utcnow(), ticket.updated_at + timedelta(minutes=rng.randint(5, 90)))
        await comments.add_comment(
            session,
            workspace,
            ticket,
            body=f"@{names[assignee]} {rng.choice(MENTION_NOTES)}",
            visibility="internal",
            actor=events.Actor("user", author_id, author_name),
            created_at=at,
        )
    await session.execute(
        update(Event)
        .where(
            Event.workspace_id == plan.workspace_id,
            Event.ticket_id.in_(noted),
            Event.dispatched_at.is_(None),
        )
        .values(dispatched_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def _table(model: type[Base]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table
