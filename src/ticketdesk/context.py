"""SessionContext: what one unit of work (a request, a job, a command) carries beside its
transaction, with a name and a type for each thing, instead of a grab-bag of keys.

It hangs on the session (`session.info["ctx"]`, the only key ticketdesk uses there), so it
lives and dies with that one transaction and is never shared between requests.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from ticketdesk.config import Settings
    from ticketdesk.db import Database
    from ticketdesk.models import Contact, Event, Team, User, Workspace

AfterCommit = Callable[[], Awaitable[None]]
BeforeCommit = Callable[[], Awaitable[None]]

_KEY = "ctx"


@dataclass(slots=True)
class DeferredWrites:
    """Rows a chunk of a bulk change writes at its end, one statement per table, instead of
    a few statements per ticket: inserts by model, and (ticket, label) links to remove."""

    inserts: dict[Any, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    unlinked: list[tuple[uuid.UUID, uuid.UUID]] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)  # given ids when written


@dataclass(slots=True)
class CreatedTicket:
    """What a ticket was just created with, so its response needs no query (strong references:
    the identity map alone holds these objects weakly)."""

    labels: list[str]
    contact: Contact | None
    user: User | None
    team: Team | None


@dataclass(slots=True)
class SessionContext:
    # who opened the session: the process's database and the serving app's settings (None
    # outside a request: the worker and the CLI use the environment's)
    db: Database | None = None
    settings: Settings | None = None
    # the caller's workspace, referenced so session.get() finds it in the identity map
    workspace: Workspace | None = None

    # transaction hooks
    before_commit: list[BeforeCommit] = field(default_factory=list)
    after_commit: list[AfterCommit] = field(default_factory=list)
    on_end: list[Callable[[], None]] = field(default_factory=list)
    new_events: list[Event] = field(default_factory=list)  # announced once committed
    announcing: bool = False  # the announce of new_events is queued after commit

    # workspace configuration (config_cache.py): this session's copies; once it writes
    # configuration itself, it stops trusting the shared ones
    config: dict[Hashable, Any] = field(default_factory=dict)
    config_written: bool = False

    # reads remembered for this one transaction (a bulk change checks each once)
    label_ids: dict[uuid.UUID, dict[str, uuid.UUID]] = field(default_factory=dict)
    assignees: dict[tuple[uuid.UUID, uuid.UUID], User | None] = field(default_factory=dict)
    teams: dict[tuple[uuid.UUID, uuid.UUID], Team | None] = field(default_factory=dict)
    active_users: dict[tuple[uuid.UUID, uuid.UUID], bool] = field(default_factory=dict)
    created_tickets: dict[uuid.UUID, CreatedTicket] = field(default_factory=dict)
    current_labels: dict[uuid.UUID, dict[str, uuid.UUID]] = field(default_factory=dict)
    preloaded_watchers: dict[uuid.UUID, set[uuid.UUID]] | None = None

    # create admission (tickets.service): the workspaces whose create slot this holds
    create_slots: set[uuid.UUID] = field(default_factory=set)
    # a bulk chunk in progress writes its rows at its end
    deferred: DeferredWrites | None = None
    # the new events (by id()) the reports room has already folded into ticket metrics
    reported_events: set[int] = field(default_factory=set)
    # the ticket metrics this transaction keeps, written before it commits
    # (reports.service.KeptMetrics; the reports room's own type)
    kept_metrics: Any = None
    # told when a savepoint starts and when it rolls back (db.py's session events), for state
    # kept beside the session that a rolled-back savepoint must not leave behind
    savepoint_watchers: list[Any] = field(default_factory=list)
    # rules are running: the changes they make trigger no rules (no loops)
    automations_running: bool = False


def context(session: AsyncSession | Session) -> SessionContext:
    """The session's context, created empty the first time it is asked for."""
    info = session.info
    ctx: SessionContext | None = info.get(_KEY)
    if ctx is None:
        ctx = info[_KEY] = SessionContext()
    return ctx


def open_context(
    session: AsyncSession, db: Database, settings: Settings | None = None
) -> SessionContext:
    """Start a fresh context for a session that `db` just opened."""
    ctx = session.info[_KEY] = SessionContext(db=db, settings=settings)
    return ctx
