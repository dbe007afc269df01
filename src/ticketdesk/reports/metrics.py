"""A ticket's metrics as a fold over its events: the same code keeps them current during a
change and rebuilds them from the event log, so both give the same numbers.

Definitions (docs/metrics.md): first response is the first public reply by a person of the
team (a `user` actor; never a contact, a rule, an integration token or ticketdesk itself);
resolution runs to the last solve and stands while the ticket stays solved; requester wait is
the time spent in `open`-category statuses up to that solve; a reopen is a move from a
solved or closed status back to an open or pending one; the close that merges a ticket away
is not a solve.
"""

from __future__ import annotations

import operator
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol, cast

from ticketdesk.models import Event, TicketMetrics
from ticketdesk.sla.service import TicketTerms

DONE = ("solved", "closed")
OPEN = "open"


@dataclass(frozen=True, slots=True)
class Fact:
    """One event as the fold reads it."""

    type: str
    at: datetime
    actor_kind: str
    data: dict[str, Any]


class EventFacts(Protocol):
    """What the fold reads of an event: an Event, or a plain row of these columns."""

    type: str
    created_at: datetime
    actor_kind: str
    data: dict[str, Any]


class TicketFacts(Protocol):
    """What metrics read of a ticket: a Ticket, or a plain row of these columns."""

    @property
    def id(self) -> uuid.UUID: ...
    @property
    def workspace_id(self) -> uuid.UUID: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def status(self) -> str: ...
    @property
    def status_category(self) -> str: ...
    @property
    def status_changed_at(self) -> datetime: ...
    @property
    def priority(self) -> str: ...
    @property
    def type(self) -> str | None: ...
    @property
    def category(self) -> str | None: ...
    @property
    def channel(self) -> str: ...
    @property
    def assignee_id(self) -> uuid.UUID | None: ...
    @property
    def team_id(self) -> uuid.UUID | None: ...
    @property
    def sla_policy_id(self) -> uuid.UUID | None: ...
    @property
    def first_response_due_at(self) -> datetime | None: ...
    @property
    def resolution_due_at(self) -> datetime | None: ...


def fact_of(event: EventFacts | Event) -> Fact:
    return Fact(event.type, event.created_at.astimezone(UTC), event.actor_kind, event.data or {})


RELEVANT = frozenset(
    {
        "ticket.created",
        "ticket.status_changed",
        "ticket.comment_added",
        "ticket.merged",
        "ticket.survey_sent",
        "ticket.csat_received",
    }
)


def new_row(ticket: TicketFacts, *, plain: bool = False) -> TicketMetrics:
    """An empty row for `ticket`, before its `ticket.created` event is folded in (`plain`: a
    MetricsDraft outside the ORM, for a rebuild, which only reads its values)."""
    row = cast(TicketMetrics, MetricsDraft()) if plain else TicketMetrics()
    row.ticket_id, row.workspace_id, row.created_at = (
        ticket.id,
        ticket.workspace_id,
        ticket.created_at,
    )
    row.status, row.status_category = ticket.status, ticket.status_category
    row.priority, row.channel, row.labels = ticket.priority, ticket.channel, []
    row.solves = row.reopens = row.agent_replies = 0
    row.one_touch = False
    row.open_periods, row.done_periods = [], []
    return row


def draft(ticket: TicketFacts) -> TicketMetrics:
    """An empty MetricsDraft for `ticket` (typed as the row it stands for): the live path and
    the rebuild fold into plain attributes and write the values with Core statements."""
    return new_row(ticket, plain=True)


def draft_of(values: Mapping[str, Any]) -> TicketMetrics:
    """A stored row's values as a MetricsDraft to fold more events into."""
    row = MetricsDraft()
    row.__dict__.update({name: values[name] for name in COLUMNS})
    return cast(TicketMetrics, row)


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat()


def _closed(periods: list[Any], at: datetime) -> list[Any]:
    """`periods` with its running spell (if any) ended at `at`."""
    out = [list(p) for p in periods]
    if out and out[-1][1] is None:
        out[-1][1] = _iso(at)
    return out


def fold(row: TicketMetrics, facts: Iterable[Fact], created_category: str | None = None) -> None:
    """Apply `facts` (one ticket's events, in the order they were written) to `row`.

    `created_category`: the category of the status a `ticket.created` names (its data carries
    the status name only)."""
    merge_close: tuple[datetime | None, int] | None = None  # the solve a merge may undo
    for fact in facts:
        kind = fact.type
        if kind == "ticket.created":
            category = created_category or OPEN
            row.created_at = fact.at
            row.status = str(fact.data.get("status") or row.status)
            row.status_category = category
            row.open_periods = [[_iso(fact.at), None]] if category == OPEN else []
            row.done_periods = [[_iso(fact.at), None]] if category in DONE else []
            if category in DONE:
                row.solves, row.solved_at = 1, fact.at
            merge_close = None
        elif kind == "ticket.status_changed":
            before = fact.data.get("from_category") or row.status_category
            after = fact.data.get("to_category") or before
            merge_close = None
            if before == OPEN and after != OPEN:
                row.open_periods = _closed(row.open_periods, fact.at)
            elif after == OPEN and before != OPEN:
                row.open_periods = [*row.open_periods, [_iso(fact.at), None]]
            if before not in DONE and after in DONE:
                merge_close = (row.solved_at, row.solves)
                row.done_periods = [*row.done_periods, [_iso(fact.at), None]]
                row.solves, row.solved_at = row.solves + 1, fact.at
            elif before in DONE and after not in DONE:
                row.done_periods = _closed(row.done_periods, fact.at)
                row.reopens += 1
                row.solved_at = None
            row.status, row.status_category = str(fact.data.get("to") or row.status), after
        elif kind == "ticket.comment_added":
            merge_close = None
            if fact.data.get("visibility") == "public" and fact.actor_kind == "user":
                row.agent_replies += 1
                if row.first_response_at is None:
                    row.first_response_at = fact.at
        elif kind == "ticket.merged":
            if fact.data.get("ticket") == fact.data.get("from"):  # the ticket merged away
                row.merged_at = fact.at
                if merge_close is not None:  # its close was the merge, not a solve
                    row.solved_at, row.solves = merge_close
            merge_close = None
        elif kind == "ticket.survey_sent":
            row.csat_sent_at = fact.at
        elif kind == "ticket.csat_received":
            rating = fact.data.get("rating")
            row.csat_rating = None if rating is None else str(rating)[:8]
            good = fact.data.get("good")
            row.csat_good = good if isinstance(good, bool) else _good(rating)
            row.csat_answered_at = fact.at


def reconcile(row: TicketMetrics, ticket: TicketFacts) -> None:
    """Where the event log is silent about the ticket's status (seeded tickets have only their
    `ticket.created`), take the status it has, as if it moved there at `status_changed_at`."""
    if row.status_category == ticket.status_category:
        return
    fold(
        row,
        [
            Fact(
                "ticket.status_changed",
                max(ticket.status_changed_at, row.created_at),
                "system",
                {
                    "from": row.status,
                    "to": ticket.status,
                    "from_category": row.status_category,
                    "to_category": ticket.status_category,
                },
            )
        ],
    )


def _good(rating: Any) -> bool | None:
    if rating == "good":
        return True
    if rating == "bad":
        return False
    if isinstance(rating, int) and not isinstance(rating, bool):
        return rating >= 4
    return None


def _seconds(start: datetime, end: datetime) -> int:
    return max(0, int((end - start).total_seconds()))


def _spells(periods: Sequence[Any]) -> list[tuple[datetime, datetime]]:
    return [
        (datetime.fromisoformat(start), datetime.fromisoformat(end))
        for start, end in periods
        if end is not None
    ]


def finish(
    row: TicketMetrics, ticket: TicketFacts, labels: Sequence[str], terms: TicketTerms
) -> None:
    """Copy the ticket's dimensions and SLA terms onto `row` and derive its durations."""
    row.status = ticket.status
    row.priority, row.type, row.category = ticket.priority, ticket.type, ticket.category
    row.channel, row.assignee_id, row.team_id = ticket.channel, ticket.assignee_id, ticket.team_id
    row.labels = sorted(labels)
    row.sla_policy_id = ticket.sla_policy_id
    row.sla_first_response_target_seconds = terms.first_response_seconds
    row.sla_resolution_target_seconds = terms.resolution_seconds
    row.sla_first_response_due_at = ticket.first_response_due_at
    row.sla_resolution_due_at = ticket.resolution_due_at
    created = row.created_at
    if row.first_response_at is not None:
        row.first_response_seconds = _seconds(created, row.first_response_at)
        row.first_response_business_seconds = terms.business_seconds(created, row.first_response_at)
    else:
        row.first_response_seconds = row.first_response_business_seconds = None
    if row.solved_at is not None:
        row.resolution_seconds = _seconds(created, row.solved_at)
        row.resolution_business_seconds = terms.business_seconds(created, row.solved_at)
        spells = _spells(row.open_periods)
        row.requester_wait_seconds = sum(_seconds(a, b) for a, b in spells)
        row.requester_wait_business_seconds = sum(terms.business_seconds(a, b) for a, b in spells)
    else:
        row.resolution_seconds = row.resolution_business_seconds = None
        row.requester_wait_seconds = row.requester_wait_business_seconds = None
    row.one_touch = row.solved_at is not None and row.agent_replies <= 1


COLUMNS = tuple(column.key for column in TicketMetrics.__table__.columns)


class MetricsDraft:
    """The columns of a metrics row as plain attributes (None until set): instrumented ORM
    attributes cost a rebuild of a million rows more than its whole fold, and a change its
    write budget. The class's attributes are the defaults, so a new draft costs nothing."""


for _name in COLUMNS:
    setattr(MetricsDraft, _name, None)

_values = operator.attrgetter(*COLUMNS)


def values_of(row: TicketMetrics) -> dict[str, Any]:
    """The row's column values (a rebuild inserts these; tests compare them)."""
    return dict(zip(COLUMNS, _values(row), strict=True))
