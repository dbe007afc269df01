"""Queries of the policy backfill: new SLA policies (or changed ones, or changed business
hours) applied to a workspace's open tickets by the `sla.apply_policies` job (sla/jobs.py).

The tickets are read in keyset pages per status category over (created_at, id), the order
of the ix_tickets_ws_category_created index. In a page, the tickets that match a policy
counting calendar time and whose clocks never paused (no pause, no customer message waiting
for a reply) are recomputed by set-based statements: the matching policy, then the due
times, 80 % instants and state computed in SQL (as `service.compute` would), then their
sweep rows. The job hands the rest (business hours, pauses) to `service.compute`.

What is written is what `service.recompute` writes: the ticket's SLA fields and its
`sla_clocks` row, whose markers stay while the target stays (so nothing is warned or
breached twice); never an event, and never a ticket whose fields already match. Warnings
and breaches of the new due times are the sweep's to mark, as for any other due time.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    String,
    and_,
    case,
    cast,
    exists,
    false,
    func,
    literal,
    literal_column,
    null,
    or_,
    select,
    true,
    tuple_,
    type_coerce,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk.db import UTCDateTime, dialect_name
from ticketdesk.models import BusinessHours, Label, SlaClock, SlaPolicy, Ticket, TicketLabel
from ticketdesk.models.ticket import STATUS_CATEGORIES
from ticketdesk.sla.repository import _kept

# what "open" means here: not solved or closed (as service.DONE_CATEGORIES)
OPEN_CATEGORIES = tuple(c for c in STATUS_CATEGORIES if c not in ("solved", "closed"))
WARN_SECONDS_PER_MINUTE = 48  # service.WARN_FRACTION of a minute, in whole seconds


@dataclass(frozen=True)
class Cursor:
    """Where a backfill stands: after this ticket of this category (None: its beginning)."""

    category: str
    created_at: datetime | None = None
    ticket_id: uuid.UUID | None = None

    def as_list(self) -> list[str | None]:
        """A job argument (JSON and pickle alike)."""
        return [
            self.category,
            self.created_at.isoformat() if self.created_at else None,
            str(self.ticket_id) if self.ticket_id else None,
        ]

    @classmethod
    def from_list(cls, value: Sequence[str | None]) -> Cursor:
        category, created_at, ticket_id = value
        if category not in OPEN_CATEGORIES:
            raise ValueError(f"not an open status category: {category!r}")
        return cls(
            category,
            datetime.fromisoformat(created_at) if created_at else None,
            uuid.UUID(ticket_id) if ticket_id else None,
        )


# -- what the job is for ---------------------------------------------------------------------


async def fingerprint(session: AsyncSession, workspace_id: uuid.UUID) -> str:
    """What the workspace's clocks depend on (its active policies, in order, and their business
    hours), as a short digest: a job started for another digest has been overtaken."""
    policies = (
        await session.execute(
            select(
                SlaPolicy.id,
                SlaPolicy.position,
                SlaPolicy.updated_at,
                SlaPolicy.business_hours_id,
                BusinessHours.updated_at,
            )
            .outerjoin(BusinessHours, BusinessHours.id == SlaPolicy.business_hours_id)
            .where(SlaPolicy.workspace_id == workspace_id, SlaPolicy.active.is_(True))
            .order_by(SlaPolicy.position, SlaPolicy.created_at, SlaPolicy.id)
        )
    ).all()
    text = "|".join(
        f"{pid}:{position}:{updated.isoformat()}:{hours_id}:{hours.isoformat() if hours else ''}"
        for pid, position, updated, hours_id, hours in policies
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]


async def has_open_tickets(session: AsyncSession, workspace_id: uuid.UUID) -> bool:
    found = await session.scalar(
        select(
            exists().where(
                Ticket.workspace_id == workspace_id, Ticket.status_category.in_(OPEN_CATEGORIES)
            )
        )
    )
    return bool(found)


async def uses_business_hours(
    session: AsyncSession, workspace_id: uuid.UUID, hours_id: uuid.UUID
) -> bool:
    """Whether an active policy counts in these business hours."""
    found = await session.scalar(
        select(
            exists().where(
                SlaPolicy.workspace_id == workspace_id,
                SlaPolicy.active.is_(True),
                SlaPolicy.business_hours_id == hours_id,
            )
        )
    )
    return bool(found)


# -- pages -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """The tickets of one category after the cursor, up to the ticket (last_created_at,
    last_id) inclusive."""

    workspace_id: uuid.UUID
    after: Cursor
    last_created_at: datetime
    last_id: uuid.UUID
    size: int  # how many tickets it holds

    @property
    def last(self) -> Cursor:
        return Cursor(self.after.category, self.last_created_at, self.last_id)

    def condition(self) -> ColumnElement[bool]:
        key = tuple_(Ticket.created_at, Ticket.id)
        conditions = [
            Ticket.workspace_id == self.workspace_id,
            Ticket.status_category == self.after.category,
            key <= tuple_(_at(self.last_created_at), _id(self.last_id)),
        ]
        if self.after.created_at is not None and self.after.ticket_id is not None:
            conditions.append(key > tuple_(_at(self.after.created_at), _id(self.after.ticket_id)))
        return and_(*conditions)


def _at(value: datetime) -> Any:
    return literal(value, UTCDateTime())


def _id(value: uuid.UUID) -> Any:
    return literal(value, Ticket.id.type)


async def next_page(
    session: AsyncSession, workspace_id: uuid.UUID, after: Cursor, size: int
) -> Page | None:
    """The next page of open tickets in `after`'s category (None: the category is done)."""
    stmt = select(Ticket.created_at, Ticket.id).where(
        Ticket.workspace_id == workspace_id, Ticket.status_category == after.category
    )
    if after.created_at is not None and after.ticket_id is not None:
        stmt = stmt.where(
            tuple_(Ticket.created_at, Ticket.id)
            > tuple_(_at(after.created_at), _id(after.ticket_id))
        )
    rows = (await session.execute(stmt.order_by(Ticket.created_at, Ticket.id).limit(size))).all()
    if not rows:
        return None
    return Page(workspace_id, after, rows[-1][0], rows[-1][1], len(rows))


# -- the set-based path ----------------------------------------------------------------------


def _never_paused(session: AsyncSession) -> ColumnElement[bool]:
    """Clocks the SQL computes exactly: no pause recorded, no customer message waiting."""
    empty = "'[]'::jsonb" if dialect_name(session) == "postgresql" else "'[]'"
    return and_(
        Ticket.sla_pauses == literal_column(empty), Ticket.next_response_started_at.is_(None)
    )


def _matches(policy: SlaPolicy) -> ColumnElement[bool]:
    """`service.match_policy`'s test of one policy, as SQL on the ticket row."""
    match = policy.match or {}
    conditions: list[ColumnElement[bool]] = []
    for criterion, column in (
        ("priority", Ticket.priority),
        ("type", Ticket.type),
        ("channel", Ticket.channel),
    ):
        if match.get(criterion):
            conditions.append(column.in_(match[criterion]))
    if match.get("labels"):
        conditions.append(
            exists()
            .where(
                TicketLabel.ticket_id == Ticket.id,
                Label.id == TicketLabel.label_id,
                Label.name.in_(match["labels"]),
            )
            .correlate(Ticket)
        )
    return and_(true(), *conditions)


def _matched_policy(policies: Sequence[SlaPolicy]) -> Any:
    """The id of the first active policy (in the order given) the ticket meets, else NULL."""
    whens = [(_matches(p), literal(p.id, SlaPolicy.id.type)) for p in policies if p.active]
    if not whens:
        return null()
    return case(*whens, else_=null())


def _minutes(policies: Sequence[SlaPolicy], metric: str) -> Any:
    """The ticket's target in minutes under its (stored) policy, NULL without one."""
    whens = []
    for policy in policies:
        for priority, targets in (policy.targets or {}).items():
            minutes = (targets or {}).get(f"{metric}_minutes")
            if minutes:
                whens.append(
                    (
                        and_(
                            Ticket.sla_policy_id == literal(policy.id, SlaPolicy.id.type),
                            Ticket.priority == priority,
                        ),
                        int(minutes),
                    )
                )
    if not whens:
        return null()
    return case(*whens, else_=null())


def _plus_seconds(session: AsyncSession, instant: Any, seconds: Any) -> Any:
    """`instant` + `seconds` (whole seconds, NULL gives NULL), in SQL."""
    if dialect_name(session) == "postgresql":
        return type_coerce(instant + seconds * literal_column("interval '1 second'"), UTCDateTime)
    # SQLite keeps 'YYYY-MM-DD HH:MM:SS.ffffff'. Its date functions round to milliseconds, so
    # the whole seconds are shifted alone and the fraction is put back as it was
    modifier = literal("+") + cast(seconds, String) + literal(" seconds")
    whole = func.substr(instant, 1, 19, type_=String)
    shifted = func.strftime("%Y-%m-%d %H:%M:%S", whole, modifier, type_=String) + func.substr(
        instant, 20, type_=String
    )
    return type_coerce(shifted, UTCDateTime)


def _earliest(a: Any, b: Any) -> Any:
    return case((a.is_(None), b), (b.is_(None), a), (a <= b, a), else_=b)


async def match_calendar_time(
    session: AsyncSession, page: Page, policies: Sequence[SlaPolicy]
) -> None:
    """Store the matching policy on the page's never-paused tickets (where it changed)."""
    matched = _matched_policy(policies)
    await session.execute(
        update(Ticket)
        .where(
            page.condition(), _never_paused(session), Ticket.sla_policy_id.is_distinct_from(matched)
        )
        .values(sla_policy_id=matched)
        .execution_options(synchronize_session=False)
    )


async def recompute_calendar_time(
    session: AsyncSession,
    page: Page,
    calendar_policies: Sequence[SlaPolicy],
    now: datetime,
) -> list[uuid.UUID]:
    """Due times, 80 % instants and state of the page's never-paused tickets whose policy
    (stored by `match_calendar_time`) counts calendar time or who match none, in one UPDATE
    of the rows that change; then their sweep rows. Returns the tickets written."""
    first_minutes = _minutes(calendar_policies, "first_response")
    resolution_minutes = _minutes(calendar_policies, "resolution")
    created = Ticket.created_at
    first_due = _plus_seconds(session, created, first_minutes * 60)
    first_warn = _plus_seconds(session, created, first_minutes * WARN_SECONDS_PER_MINUTE)
    resolution_due = _plus_seconds(session, created, resolution_minutes * 60)
    resolution_warn = _plus_seconds(session, created, resolution_minutes * WARN_SECONDS_PER_MINUTE)
    waiting = Ticket.first_responded_at.is_(None)
    due = _earliest(case((waiting, first_due), else_=null()), resolution_due)
    warn = _earliest(case((waiting, first_warn), else_=null()), resolution_warn)
    now_ = _at(now)
    late = and_(Ticket.first_responded_at.is_not(None), Ticket.first_responded_at > first_due)
    state = case(
        (and_(first_due.is_(None), resolution_due.is_(None)), "none"),
        (or_(late, due <= now_), "breached"),
        (and_(due.is_not(None), warn <= now_), "at_risk"),
        (due.is_not(None), "ok"),
        (Ticket.first_responded_at.is_not(None), "met"),
        else_="none",
    )
    values = {
        Ticket.first_response_due_at: first_due,
        Ticket.next_response_due_at: null(),
        Ticket.resolution_due_at: resolution_due,
        Ticket.due_at: due,
        Ticket.sla_warn_at: warn,
        Ticket.sla_state: state,
    }
    ids = [p.id for p in calendar_policies]
    policy_counts_calendar_time = (
        or_(Ticket.sla_policy_id.is_(None), Ticket.sla_policy_id.in_(ids))
        if ids
        else Ticket.sla_policy_id.is_(None)
    )
    changed = or_(*(column.is_distinct_from(value) for column, value in values.items()))
    written = list(
        await session.scalars(
            update(Ticket)
            .where(page.condition(), _never_paused(session), policy_counts_calendar_time, changed)
            .values({column.key: value for column, value in values.items()})
            .returning(Ticket.id)
            .execution_options(synchronize_session=False)
        )
    )
    if written:
        await _store_clocks_of(session, written)
    return written


async def _store_clocks_of(session: AsyncSession, ticket_ids: list[uuid.UUID]) -> None:
    """The sweep rows of tickets just recomputed in SQL, from their stored due times."""
    target = case(
        (Ticket.due_at.is_(None), null()),
        (
            and_(
                Ticket.first_responded_at.is_(None),
                Ticket.due_at == Ticket.first_response_due_at,
            ),
            "first_response",
        ),
        else_="resolution",
    )
    rows = select(Ticket.id, Ticket.due_at, Ticket.sla_warn_at, target).where(
        Ticket.id.in_(ticket_ids)
    )
    columns = ["ticket_id", "due_at", "warn_at", "target"]
    if dialect_name(session) == "postgresql":
        pg = postgresql.insert(SlaClock).from_select(columns, rows)
        await session.execute(
            pg.on_conflict_do_update(index_elements=["ticket_id"], set_=_kept(pg.excluded))
        )
    else:
        lite = sqlite.insert(SlaClock).from_select(columns, rows)
        await session.execute(
            lite.on_conflict_do_update(index_elements=["ticket_id"], set_=_kept(lite.excluded))
        )


# -- the rest, for service.compute -------------------------------------------------------------


async def tickets_to_compute(
    session: AsyncSession, page: Page, calendar_policy_ids: Sequence[uuid.UUID]
) -> list[Ticket]:
    """The page's tickets the SQL did not recompute (locked; ones being changed right now
    are skipped: their own change recomputes them)."""
    computed_in_sql = and_(
        _never_paused(session),
        or_(
            Ticket.sla_policy_id.is_(None),
            Ticket.sla_policy_id.in_(calendar_policy_ids) if calendar_policy_ids else false(),
        ),
    )
    stmt = (
        select(Ticket)
        .where(page.condition(), ~computed_in_sql)
        .order_by(Ticket.created_at, Ticket.id)
        .with_for_update(skip_locked=True)
    )
    return list(await session.scalars(stmt))


async def labels_of(
    session: AsyncSession, ticket_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[str]]:
    found: dict[uuid.UUID, list[str]] = {}
    if not ticket_ids:
        return found
    rows = await session.execute(
        select(TicketLabel.ticket_id, Label.name)
        .join(Label, Label.id == TicketLabel.label_id)
        .where(TicketLabel.ticket_id.in_(ticket_ids))
    )
    for ticket_id, name in rows:
        found.setdefault(ticket_id, []).append(name)
    return found


async def store_clocks(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Upsert sweep rows ({ticket_id, due_at, warn_at, target}) in one statement."""
    if not rows:
        return
    if dialect_name(session) == "postgresql":
        pg = postgresql.insert(SlaClock).values(rows)
        await session.execute(
            pg.on_conflict_do_update(index_elements=["ticket_id"], set_=_kept(pg.excluded))
        )
    else:
        lite = sqlite.insert(SlaClock).values(rows)
        await session.execute(
            lite.on_conflict_do_update(index_elements=["ticket_id"], set_=_kept(lite.excluded))
        )


async def calendars_of(
    session: AsyncSession, workspace_id: uuid.UUID, hours_ids: set[uuid.UUID]
) -> dict[uuid.UUID, BusinessHours]:
    if not hours_ids:
        return {}
    rows = await session.scalars(
        select(BusinessHours).where(
            BusinessHours.workspace_id == workspace_id, BusinessHours.id.in_(hours_ids)
        )
    )
    return {hours.id: hours for hours in rows}


async def active_policies(session: AsyncSession, workspace_id: uuid.UUID) -> list[SlaPolicy]:
    """Fresh from the database, in the order they are tried (as repository.active_policies)."""
    rows = await session.scalars(
        select(SlaPolicy)
        .where(SlaPolicy.workspace_id == workspace_id, SlaPolicy.active.is_(True))
        .order_by(SlaPolicy.position, SlaPolicy.created_at, SlaPolicy.id)
    )
    return list(rows)
