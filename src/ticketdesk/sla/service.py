"""SLA clocks: which policy applies, when each target is due, and why.

Three clocks per ticket, each a target from the matched policy for the ticket's priority:
first response (from creation until the first public agent reply), next response (from a
customer message that follows a reply until the next public agent reply) and resolution
(from creation until solved; time outside `open`-category statuses does not count). Due
times are computed from the ticket's own record (created_at, the pauses kept in
`sla_pauses`, first_responded_at, next_response_started_at) and the calendar, so they can
be recomputed and explained exactly at any moment.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays as holiday_calendars
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk import events, jobs
from ticketdesk.automations import service as automations
from ticketdesk.crud import ensure_found, new_row, next_position, set_values
from ticketdesk.db import utcnow
from ticketdesk.errors import Conflict, ValidationFailed
from ticketdesk.models import BusinessHours, SlaPolicy, Ticket, Workspace
from ticketdesk.notifications.service import Notice, notify_each
from ticketdesk.sla import backfill, repository
from ticketdesk.sla.business_hours import (
    DAY_NAMES,
    Calendar,
    Segment,
    UnreachableTarget,
    parse_hhmm,
)
from ticketdesk.sla.schemas import (
    BusinessHoursCreate,
    BusinessHoursRead,
    BusinessHoursUpdate,
    ClockExplanation,
    ClockSegment,
    ClockState,
    HolidayImport,
    SegmentKind,
    SlaExplanation,
    SlaMetric,
    SlaPolicyCreate,
    SlaPolicyRead,
    SlaPolicyUpdate,
)
from ticketdesk.tickets import service as tickets

log = logging.getLogger(__name__)

METRICS = ("first_response", "next_response", "resolution")
WARN_FRACTION = 0.8
RUNNING_CATEGORY = "open"
DONE_CATEGORIES = ("solved", "closed")


def calendar_of(hours: BusinessHours | None) -> Calendar:
    """The calendar a policy counts in: its business hours, or calendar time (24/7)."""
    if hours is None:
        return Calendar.twenty_four_seven()
    weekly = {
        index: [(parse_hhmm(a), parse_hhmm(b)) for a, b in hours.weekly.get(day, [])]
        for index, day in enumerate(DAY_NAMES)
    }
    return Calendar(
        timezone=hours.timezone,
        weekly=weekly,
        holidays=[date.fromisoformat(d) for d in hours.holidays],
    )


def match_policy(
    policies: Sequence[SlaPolicy], ticket: Ticket, labels: Sequence[str]
) -> tuple[SlaPolicy | None, str]:
    """The first active policy (by position) whose every criterion the ticket meets, and why."""
    skipped: list[str] = []
    for policy in policies:
        if not policy.active:
            continue
        reasons: list[str] = []
        failed: str | None = None
        match = policy.match or {}
        for criterion, actual in (
            ("priority", ticket.priority),
            ("type", ticket.type),
            ("channel", ticket.channel),
        ):
            wanted = match.get(criterion)
            if wanted:
                if actual in wanted:
                    reasons.append(f"{criterion} {actual!r} is one of {wanted}")
                else:
                    failed = f"{criterion} {actual!r} is not one of {wanted}"
                    break
        wanted_labels = match.get("labels")
        if failed is None and wanted_labels:
            common = sorted(set(labels) & set(wanted_labels))
            if common:
                reasons.append(f"label {common[0]!r} is one of {wanted_labels}")
            else:
                failed = f"no label among {wanted_labels}"
        if failed is not None:
            skipped.append(f"{policy.name!r} (position {policy.position}) skipped: {failed}")
            continue
        why = f"{policy.name!r} is the first matching policy by position ({policy.position})"
        why += ": " + "; ".join(reasons) if reasons else ": it matches every ticket"
        if skipped:
            why += ". Before it, " + "; ".join(skipped)
        return policy, why
    if skipped:
        return None, "No policy matches: " + "; ".join(skipped)
    return None, "No SLA policy is configured for this workspace."


@dataclass
class Clock:
    metric: SlaMetric
    target_seconds: int
    started_at: datetime
    due_at: datetime | None = None
    warn_at: datetime | None = None
    completed_at: datetime | None = None
    paused: bool = False
    stopped: bool = False  # ended without being met (e.g. solved before any reply)

    @property
    def running(self) -> bool:
        return self.completed_at is None and not self.paused and not self.stopped

    @property
    def late(self) -> bool:
        return (
            self.completed_at is not None
            and self.due_at is not None
            and self.completed_at > self.due_at
        )


@dataclass
class Pause:
    start: datetime
    end: datetime | None
    status: str


@dataclass
class SlaResult:
    policy: SlaPolicy | None
    clocks: list[Clock] = field(default_factory=list)
    state: str = "none"
    due_at: datetime | None = None
    warn_at: datetime | None = None
    target: str | None = None  # the target due_at belongs to (see target_key)

    def clock(self, metric: str) -> Clock | None:
        return next((c for c in self.clocks if c.metric == metric), None)


def pauses_of(ticket: Ticket) -> list[Pause]:
    return [
        Pause(datetime.fromisoformat(s), datetime.fromisoformat(e) if e else None, status)
        for s, e, status in (ticket.sla_pauses or [])
    ]


def run_clock(
    calendar: Calendar, start: datetime, pauses: Sequence[Pause], seconds: float
) -> datetime | None:
    """When `seconds` of business time have run from `start`, skipping pauses (None: paused)."""
    cursor, remaining = start, float(seconds)
    for pause in pauses:
        if pause.end is not None and pause.end <= cursor:
            continue
        pause_start = max(pause.start, cursor)
        available = calendar.between(cursor, pause_start)
        if remaining <= available:
            return calendar.add(cursor, remaining)
        remaining -= available
        if pause.end is None:
            return None
        cursor = pause.end
    return calendar.add(cursor, remaining)


def compute(
    ticket: Ticket, policy: SlaPolicy | None, calendar: Calendar, now: datetime
) -> SlaResult:
    """Every clock of the ticket under `policy`, its state at `now`, and the earliest due time."""
    try:
        return _compute(ticket, policy, calendar, now)
    except (UnreachableTarget, OverflowError):
        # a target the calendar cannot reach before the year 9999: no due time at all
        return SlaResult(policy, state="none")


def _compute(
    ticket: Ticket, policy: SlaPolicy | None, calendar: Calendar, now: datetime
) -> SlaResult:
    result = SlaResult(policy)
    if policy is None:
        return result
    targets: dict[str, Any] = (policy.targets or {}).get(ticket.priority) or {}
    done = ticket.status_category in DONE_CATEGORIES
    created = ticket.created_at
    minutes = targets.get("first_response_minutes")
    if minutes:
        clock = Clock("first_response", minutes * 60, created)
        clock.due_at = calendar.add(created, minutes * 60)
        clock.warn_at = calendar.add(created, minutes * 60 * WARN_FRACTION)
        clock.completed_at = ticket.first_responded_at
        clock.stopped = clock.completed_at is None and done
        result.clocks.append(clock)
    minutes = targets.get("next_response_minutes")
    if minutes and ticket.next_response_started_at is not None and not done:
        start = ticket.next_response_started_at
        clock = Clock("next_response", minutes * 60, start)
        clock.due_at = calendar.add(start, minutes * 60)
        clock.warn_at = calendar.add(start, minutes * 60 * WARN_FRACTION)
        result.clocks.append(clock)
    minutes = targets.get("resolution_minutes")
    if minutes:
        pauses = pauses_of(ticket)
        clock = Clock("resolution", minutes * 60, created)
        if done:
            # the due time the ticket was held to: the clock as if it had kept running
            finished = [Pause(p.start, p.end or now, p.status) for p in pauses]
            clock.due_at = run_clock(calendar, created, _before(finished), minutes * 60)
            clock.completed_at = ticket.resolved_at or ticket.closed_at
        else:
            clock.due_at = run_clock(calendar, created, pauses, minutes * 60)
            clock.paused = clock.due_at is None
            clock.warn_at = run_clock(calendar, created, pauses, minutes * 60 * WARN_FRACTION)
        result.clocks.append(clock)
    running = [c for c in result.clocks if c.running and c.due_at is not None]
    if running:
        first = min(running, key=lambda c: c.due_at or datetime.max.replace(tzinfo=UTC))
        result.due_at, result.target = first.due_at, target_key(first)
        warns = [c.warn_at for c in running if c.warn_at is not None]
        result.warn_at = min(warns) if warns else None
    resolution = result.clock("resolution")
    if not result.clocks:
        result.state = "none"
    elif any(c.late for c in result.clocks) or (result.due_at and result.due_at <= now):
        result.state = "breached"
    elif resolution is not None and resolution.paused:
        # waiting on the customer: paused, even while a first response is still due (which
        # still breaches when it runs out: tickets.repository.sla_state)
        result.state = "paused"
    elif running:
        result.state = "at_risk" if result.warn_at and result.warn_at <= now else "ok"
    elif any(c.completed_at for c in result.clocks):
        result.state = "met"
    else:
        result.state = "none"
    return result


def target_key(clock: Clock) -> str:
    """Which target a clock measures: a ticket has one first response and one resolution
    target (a new due time of either is the same target), and a next-response target for
    each customer message that waits for a reply."""
    if clock.metric == "next_response":
        return f"next_response@{clock.started_at.isoformat()}"
    return clock.metric


def _before(pauses: list[Pause]) -> list[Pause]:
    """Closed pauses of a finished ticket, except the final solved/closed one (the end)."""
    return pauses[:-1] if pauses else pauses


def apply_result(ticket: Ticket, result: SlaResult) -> None:
    """Store the computed clocks on the ticket (the sweep's row is kept by `recompute`)."""
    first = result.clock("first_response")
    nxt = result.clock("next_response")
    resolution = result.clock("resolution")
    ticket.sla_policy_id = result.policy.id if result.policy else None
    ticket.first_response_due_at = first.due_at if first else None
    ticket.next_response_due_at = nxt.due_at if nxt else None
    ticket.resolution_due_at = resolution.due_at if resolution else None
    ticket.due_at = result.due_at
    ticket.sla_warn_at = result.warn_at
    ticket.sla_state = result.state


async def recompute(
    session: AsyncSession,
    ticket: Ticket,
    *,
    now: datetime | None = None,
    labels: Sequence[str] | None = None,
) -> SlaResult:
    """Match the policy again and store fresh due times and state on the ticket."""
    now = now or utcnow()
    policies = await repository.active_policies(session, ticket.workspace_id)
    if not policies:
        result = SlaResult(None)
    else:
        if labels is None:
            labels = list(await tickets.ticket_labels(session, ticket.id))
        policy, _ = match_policy(policies, ticket, labels)
        hours = await repository.business_hours(
            session, ticket.workspace_id, policy.business_hours_id if policy else None
        )
        result = compute(ticket, policy, calendar_of(hours), now)
    if result.policy is None and ticket.sla_policy_id is None and ticket.sla_state == "none":
        return result  # nothing to write: keep the common no-SLA path free of updates
    before = (ticket.due_at, ticket.sla_warn_at)
    apply_result(ticket, result)
    if before != (result.due_at, result.warn_at) or ticket.sla_policy_id is not None:
        if inspect(ticket).pending:
            await session.flush()  # the clock row references the new ticket
        await repository.store_clock(
            session, ticket.id, result.due_at, result.warn_at, target=result.target
        )
    return result


def track_status(ticket: Ticket, change: dict[str, Any]) -> None:
    """Open or close a pause when the status leaves or enters an open-category status."""
    at = ticket.status_changed_at.isoformat()
    pauses: list[Any] = [list(p) for p in (ticket.sla_pauses or [])]
    was_running = change.get("from_category") == RUNNING_CATEGORY
    runs = change.get("to_category") == RUNNING_CATEGORY
    if pauses and pauses[-1][1] is None:
        pauses[-1][1] = at  # one pause per status, so each is explained by its own status
        if not runs:
            pauses.append([at, None, change["to"]])
    elif was_running and not runs:
        pauses.append([at, None, change["to"]])
    ticket.sla_pauses = pauses


def track_comment(ticket: Ticket, actor: events.Actor, comment: dict[str, Any]) -> None:
    """An agent's public reply meets the response clocks; a customer's message starts one."""
    if comment.get("visibility") != "public":
        return
    if comment.get("agent_reply"):
        ticket.next_response_started_at = None
    elif actor.kind == "contact" and ticket.first_responded_at is not None:
        if ticket.next_response_started_at is None:
            ticket.next_response_started_at = ticket.updated_at


RELEVANT = {"priority", "type", "labels", "status", "comment", "channel"}


async def on_ticket_change(session: AsyncSession, change: tickets.TicketChange) -> None:
    """Observer: keep the ticket's SLA fields current within the same transaction."""
    ticket = change.ticket
    if change.created:
        if ticket.status_category != RUNNING_CATEGORY:
            ticket.sla_pauses = [[ticket.created_at.isoformat(), None, ticket.status]]
        await recompute(session, ticket, now=ticket.updated_at)
        return
    if not RELEVANT & change.changes.keys():
        return
    if "status" in change.changes:
        track_status(ticket, change.changes["status"])
    if "comment" in change.changes:
        track_comment(ticket, change.actor, change.changes["comment"]["to"] or {})
    labels = change.changes["labels"]["to"] if "labels" in change.changes else None
    # the state as of the change itself (updated_at is the change's time, also for imports)
    await recompute(session, ticket, labels=labels, now=ticket.updated_at)


@dataclass(frozen=True)
class TicketTerms:
    """What a ticket's durations are measured against, for reports: the calendar of its SLA
    policy's business hours (24/7 without one) and that policy's targets for its priority."""

    calendar: Calendar
    first_response_seconds: int | None = None
    resolution_seconds: int | None = None

    def business_seconds(self, start: datetime, end: datetime) -> int:
        """Whole business seconds in [start, end)."""
        return int(self.calendar.between(start, end))


CALENDAR_TERMS = TicketTerms(Calendar.twenty_four_seven())


async def ticket_terms(session: AsyncSession, ticket: Ticket) -> TicketTerms:
    """The terms of the policy the ticket is matched to now (`sla_policy_id`)."""
    if ticket.sla_policy_id is None:
        return CALENDAR_TERMS
    policies = await repository.active_policies(session, ticket.workspace_id)
    policy = next((p for p in policies if p.id == ticket.sla_policy_id), None)
    if policy is None:
        policy = (await repository.policies_by_id(session, {ticket.sla_policy_id})).get(
            ticket.sla_policy_id
        )
    if policy is None:
        return CALENDAR_TERMS
    hours = await repository.business_hours(session, ticket.workspace_id, policy.business_hours_id)
    return _terms(policy, calendar_of(hours), ticket.priority)


def _terms(policy: SlaPolicy, calendar: Calendar, priority: str) -> TicketTerms:
    targets: dict[str, Any] = (policy.targets or {}).get(priority) or {}
    first, resolution = targets.get("first_response_minutes"), targets.get("resolution_minutes")
    return TicketTerms(
        calendar,
        first_response_seconds=first * 60 if first else None,
        resolution_seconds=resolution * 60 if resolution else None,
    )


async def terms_by_policy(
    session: AsyncSession, workspace_id: uuid.UUID, policy_ids: set[uuid.UUID]
) -> dict[tuple[uuid.UUID, str], TicketTerms]:
    """`ticket_terms` for many tickets at once, by (policy id, priority) (a rebuild)."""
    policies = await repository.policies_by_id(session, policy_ids)
    out: dict[tuple[uuid.UUID, str], TicketTerms] = {}
    for policy in policies.values():
        if policy.workspace_id != workspace_id:
            continue
        hours = await repository.business_hours(session, workspace_id, policy.business_hours_id)
        calendar = calendar_of(hours)
        for priority in ("low", "normal", "high", "urgent"):
            out[(policy.id, priority)] = _terms(policy, calendar, priority)
    return out


# -- applying changed policies to open tickets -----------------------------------------------

APPLY_POLICIES_JOB = "sla.apply_policies"


def apply_policies_job_id(
    workspace_id: uuid.UUID, fingerprint: str, after: list[str | None] | None = None
) -> str:
    """One live job per workspace, state of its policies and starting point."""
    job_id = f"{APPLY_POLICIES_JOB}:{workspace_id}:{fingerprint}"
    return f"{job_id}:{'/'.join(str(part) for part in after)}" if after else job_id


async def apply_to_open_tickets(session: AsyncSession, workspace_id: uuid.UUID) -> None:
    """After a change to the policies or their calendars: once it commits, a job recomputes
    the clocks of the workspace's open tickets (the observer only sees tickets that change)."""
    if not await backfill.has_open_tickets(session, workspace_id):
        return
    fingerprint = await backfill.fingerprint(session, workspace_id)
    jobs.enqueue_after_commit(
        session,
        APPLY_POLICIES_JOB,
        job_id=apply_policies_job_id(workspace_id, fingerprint),
        workspace_id=str(workspace_id),
        fingerprint=fingerprint,
    )


# -- business hours --------------------------------------------------------------------------


def _hours_values(data: BusinessHoursCreate | BusinessHoursUpdate) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in ("name", "timezone"):
        if getattr(data, name) is not None:
            values[name] = getattr(data, name)
    if data.weekly is not None:
        values["weekly"] = {day: [list(iv) for iv in ivs] for day, ivs in data.weekly.items()}
    if data.holidays is not None:
        values["holidays"] = sorted({d.isoformat() for d in data.holidays})
    return values


async def _hours(
    session: AsyncSession, workspace_id: uuid.UUID, hours_id: uuid.UUID
) -> BusinessHours:
    found = await repository.find(session, BusinessHours, workspace_id, hours_id)
    return ensure_found(found, "No such business hours in this workspace.")


async def _unique_name(
    session: AsyncSession, workspace_id: uuid.UUID, name: str, exclude: uuid.UUID | None = None
) -> None:
    existing = await repository.business_hours_named(session, workspace_id, name)
    if existing is not None and existing != exclude:
        raise Conflict(f"Business hours named {name!r} exist already.")


async def create_business_hours(
    session: AsyncSession, workspace_id: uuid.UUID, data: BusinessHoursCreate
) -> BusinessHoursRead:
    await _unique_name(session, workspace_id, data.name)
    hours = BusinessHours(**new_row(workspace_id), **_hours_values(data))
    repository.add(session, hours)
    await session.flush()
    return BusinessHoursRead.model_validate(hours)


async def list_business_hours(
    session: AsyncSession, workspace_id: uuid.UUID
) -> list[BusinessHoursRead]:
    rows = await repository.list_business_hours(session, workspace_id)
    return [BusinessHoursRead.model_validate(hours) for hours in rows]


async def get_business_hours(
    session: AsyncSession, workspace_id: uuid.UUID, hours_id: uuid.UUID
) -> BusinessHoursRead:
    return BusinessHoursRead.model_validate(await _hours(session, workspace_id, hours_id))


async def update_business_hours(
    session: AsyncSession, workspace_id: uuid.UUID, hours_id: uuid.UUID, data: BusinessHoursUpdate
) -> BusinessHoursRead:
    hours = await _hours(session, workspace_id, hours_id)
    values = _hours_values(data)
    if "name" in values:
        await _unique_name(session, workspace_id, values["name"], exclude=hours.id)
    set_values(hours, values)
    hours.updated_at = utcnow()
    await session.flush()
    await _hours_changed(session, workspace_id, hours.id)
    return BusinessHoursRead.model_validate(hours)


async def _hours_changed(
    session: AsyncSession, workspace_id: uuid.UUID, hours_id: uuid.UUID
) -> None:
    if await backfill.uses_business_hours(session, workspace_id, hours_id):
        await apply_to_open_tickets(session, workspace_id)


async def delete_business_hours(
    session: AsyncSession, workspace_id: uuid.UUID, hours_id: uuid.UUID
) -> None:
    used = await backfill.uses_business_hours(session, workspace_id, hours_id)
    await repository.delete(session, await _hours(session, workspace_id, hours_id))
    await session.flush()
    if used:
        await apply_to_open_tickets(session, workspace_id)


async def import_holidays(
    session: AsyncSession, workspace_id: uuid.UUID, hours_id: uuid.UUID, data: HolidayImport
) -> BusinessHoursRead:
    """Add a country's (and optionally a region's) public holidays for the given years."""
    hours = await _hours(session, workspace_id, hours_id)
    try:
        found = holiday_calendars.country_holidays(
            data.country, subdiv=data.subdivision, years=data.years
        )
    except (NotImplementedError, KeyError, ValueError) as exc:
        raise ValidationFailed(
            f"No holiday calendar for {data.country!r}"
            + (f" / {data.subdivision!r}" if data.subdivision else ""),
            loc=("body", "country"),
        ) from exc
    days: set[str] = set(hours.holidays or [])
    days.update(d.isoformat() for d in found if isinstance(d, date))
    hours.holidays = sorted(days)
    hours.updated_at = utcnow()
    await session.flush()
    await _hours_changed(session, workspace_id, hours.id)
    return BusinessHoursRead.model_validate(hours)


# -- policies --------------------------------------------------------------------------------


def _policy_values(data: SlaPolicyCreate | SlaPolicyUpdate) -> dict[str, Any]:
    fields = data.model_fields_set
    values: dict[str, Any] = {}
    for name in ("name", "position", "active", "business_hours_id"):
        if name in fields and (getattr(data, name) is not None or name == "business_hours_id"):
            values[name] = getattr(data, name)
    if data.match is not None and "match" in fields:
        values["match"] = data.match.model_dump(exclude_none=True)
    if data.targets is not None:
        values["targets"] = {
            priority: target.model_dump(exclude_none=True)
            for priority, target in data.targets.items()
        }
    if data.escalation is not None and "escalation" in fields:
        values["escalation"] = [step.model_dump() for step in data.escalation]
    return values


async def _policy(
    session: AsyncSession, workspace_id: uuid.UUID, policy_id: uuid.UUID
) -> SlaPolicy:
    found = await repository.find(session, SlaPolicy, workspace_id, policy_id)
    return ensure_found(found, "No such SLA policy in this workspace.")


async def _check_references(
    session: AsyncSession, workspace_id: uuid.UUID, values: dict[str, Any]
) -> None:
    """A policy's calendar and its escalations' users and teams must be this workspace's."""
    hours_id = values.get("business_hours_id")
    if hours_id is not None and (
        await repository.find(session, BusinessHours, workspace_id, hours_id) is None
    ):
        raise ValidationFailed(
            f"No business hours {hours_id} in this workspace; see GET /business-hours.",
            loc=("body", "business_hours_id"),
        )
    if values.get("escalation"):
        await automations.check_action_references(
            session, workspace_id, values["escalation"], loc=("body", "escalation")
        )


async def create_policy(
    session: AsyncSession, workspace_id: uuid.UUID, data: SlaPolicyCreate
) -> SlaPolicyRead:
    """A new policy goes last unless it names its position."""
    values = _policy_values(data)
    await _check_references(session, workspace_id, values)
    if "position" not in values:
        last = await repository.last_policy_position(session, workspace_id)
        values["position"] = next_position(None, last, cap=None)
    policy = SlaPolicy(
        **new_row(workspace_id),
        **{"match": {}, "escalation": [], **values},
    )
    repository.add(session, policy)
    await session.flush()
    if policy.active:
        await apply_to_open_tickets(session, workspace_id)
    return SlaPolicyRead.model_validate(policy)


async def list_policies(session: AsyncSession, workspace_id: uuid.UUID) -> list[SlaPolicyRead]:
    rows = await repository.list_policies(session, workspace_id)
    return [SlaPolicyRead.model_validate(policy) for policy in rows]


async def get_policy(
    session: AsyncSession, workspace_id: uuid.UUID, policy_id: uuid.UUID
) -> SlaPolicyRead:
    return SlaPolicyRead.model_validate(await _policy(session, workspace_id, policy_id))


async def update_policy(
    session: AsyncSession, workspace_id: uuid.UUID, policy_id: uuid.UUID, data: SlaPolicyUpdate
) -> SlaPolicyRead:
    policy = await _policy(session, workspace_id, policy_id)
    values = _policy_values(data)
    await _check_references(session, workspace_id, values)
    was_active = policy.active
    set_values(policy, values)
    policy.updated_at = utcnow()
    await session.flush()
    if was_active or policy.active:
        await apply_to_open_tickets(session, workspace_id)
    return SlaPolicyRead.model_validate(policy)


async def delete_policy(
    session: AsyncSession, workspace_id: uuid.UUID, policy_id: uuid.UUID
) -> None:
    policy = await _policy(session, workspace_id, policy_id)
    active = policy.active
    await repository.delete(session, policy)
    await session.flush()
    if active:
        await apply_to_open_tickets(session, workspace_id)


# -- explanation ---------------------------------------------------------------------------


async def explain(
    session: AsyncSession, workspace: Workspace, ticket: Ticket, *, now: datetime | None = None
) -> SlaExplanation:
    """Why each due time is what it is: the policy that matched and each clock's segments."""
    now = now or utcnow()
    policies = await repository.active_policies(session, ticket.workspace_id)
    labels = list(await tickets.ticket_labels(session, ticket.id))
    policy, why_policy = match_policy(policies, ticket, labels)
    hours = await repository.business_hours(
        session, workspace.id, policy.business_hours_id if policy else None
    )
    calendar = calendar_of(hours)
    result = compute(ticket, policy, calendar, now)
    zone = hours.timezone if hours else workspace.timezone
    clocks = [_explain_clock(ticket, clock, calendar, hours, now, zone) for clock in result.clocks]
    return SlaExplanation(
        ticket=tickets.ticket_key(workspace, ticket),
        state=result.state,
        policy=(
            {
                "id": policy.id,
                "name": policy.name,
                "position": policy.position,
                "targets": (policy.targets or {}).get(ticket.priority) or {},
                "priority": ticket.priority,
            }
            if policy
            else None
        ),
        why_policy=why_policy,
        business_hours=(
            {"id": hours.id, "name": hours.name, "timezone": hours.timezone} if hours else None
        ),
        clocks=clocks,
        now=now,
    )


def _explain_clock(
    ticket: Ticket,
    clock: Clock,
    calendar: Calendar,
    hours: BusinessHours | None,
    now: datetime,
    zone: str = "UTC",
) -> ClockExplanation:
    # segments up to the moment that explains the due time: completion, else the due time
    # itself (past or future), else (paused) now
    end = clock.completed_at or clock.due_at or now
    if clock.stopped:
        end = ticket.resolved_at or ticket.closed_at or now
    pauses = pauses_of(ticket) if clock.metric == "resolution" else []
    segments = _segments(calendar, clock.started_at, end, pauses, hours is not None)
    elapsed = _elapsed(calendar, clock.started_at, min(now, end), pauses) / 60
    target = clock.target_seconds / 60
    label = {"first_response": "first response", "next_response": "next response"}.get(
        clock.metric, "resolution"
    )
    counting = f"business hours {hours.name!r} ({hours.timezone})" if hours else "calendar time"
    state: ClockState
    if clock.completed_at is not None:
        state = "breached" if clock.late else "met"
        why = f"The {label} target of {_minutes(target)} in {counting} was {state} at "
        why += f"{for_humans(clock.completed_at, zone)}."
    elif clock.stopped:
        state = "stopped"
        why = f"The ticket was solved before any {label}; the target no longer applies."
    elif clock.paused:
        state = "paused"
        why = (
            f"The clock is paused (status {ticket.status!r}); {_minutes(target - elapsed)} of "
            f"{_minutes(target)} remain once it resumes."
        )
    else:
        state = "breached" if clock.due_at and clock.due_at <= now else "running"
        why = (
            f"Due {_minutes(target)} of {counting} after {for_humans(clock.started_at, zone)}"
            + (f", not counting {len(pauses)} pause(s)" if pauses else "")
            + f": {for_humans(clock.due_at, zone) if clock.due_at else 'never'}."
        )
    return ClockExplanation(
        metric=clock.metric,
        target_minutes=clock.target_seconds // 60,
        started_at=clock.started_at,
        due_at=clock.due_at,
        warn_at=clock.warn_at,
        state=state,
        completed_at=clock.completed_at,
        elapsed_minutes=round(elapsed, 3),
        remaining_minutes=round(max(target - elapsed, 0.0), 3),
        why=why,
        segments=segments,
    )


def for_humans(at: datetime, zone: str) -> str:
    """A moment as people read it: to the minute, in the zone the clock counts in
    ("2026-11-23 10:00 Europe/Berlin")."""
    try:
        tz = ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        tz, zone = ZoneInfo("UTC"), "UTC"
    local = (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(tz)
    return f"{local:%Y-%m-%d %H:%M} {zone}"


def _minutes(value: float) -> str:
    """Whole minutes ("1 minute", "90 minutes"): the clocks count seconds, people minutes."""
    whole = max(round(value), 0)
    return f"{whole} minute" if whole == 1 else f"{whole} minutes"


def _elapsed(
    calendar: Calendar, start: datetime, until: datetime, pauses: Sequence[Pause]
) -> float:
    """Business seconds the clock ran in [start, until), pauses excluded."""
    total, cursor = 0.0, start
    for pause in pauses:
        if pause.start >= until:
            break
        total += calendar.between(cursor, max(cursor, pause.start))
        cursor = max(cursor, pause.end or until)
    return total + calendar.between(cursor, until)


def _segments(
    calendar: Calendar,
    start: datetime,
    end: datetime,
    pauses: Sequence[Pause],
    business: bool,
) -> list[ClockSegment]:
    """Split [start, end) into running, paused, outside-hours and holiday spans (≤ 500)."""
    spans: list[ClockSegment] = []
    cursor = start
    windows: list[tuple[datetime, datetime, Pause | None]] = []
    for pause in pauses:
        p_start, p_end = max(pause.start, start), min(pause.end or end, end)
        if p_end <= cursor:
            continue
        if p_start > cursor:
            windows.append((cursor, min(p_start, end), None))
        if p_start < end:
            windows.append((max(p_start, cursor), p_end, pause))
        cursor = p_end
    if cursor < end:
        windows.append((cursor, end, None))
    for w_start, w_end, window_pause in windows:
        if window_pause is not None:
            spans.append(
                _span(
                    w_start, w_end, "paused", f"status {window_pause.status!r} pauses the clock", 0
                )
            )
            continue
        spans.extend(_business_spans(calendar, w_start, w_end, business))
        if len(spans) > 500:
            break
    return spans[:500]


def _business_spans(
    calendar: Calendar, start: datetime, end: datetime, business: bool
) -> list[ClockSegment]:
    if not business:
        return [_span(start, end, "running", "calendar time counts", (end - start).total_seconds())]
    out: list[ClockSegment] = []
    cursor = start
    for seg in calendar.segments(start, end):
        if seg.start > cursor:
            out.extend(_closed_spans(calendar, Segment(cursor, seg.start)))
        out.append(
            _span(
                seg.start,
                seg.end,
                "running",
                "inside business hours",
                (seg.end - seg.start).total_seconds(),
            )
        )
        cursor = seg.end
    if cursor < end:
        out.extend(_closed_spans(calendar, Segment(cursor, end)))
    return out


def _closed_spans(calendar: Calendar, gap: Segment) -> list[ClockSegment]:
    """A closed gap split at local midnights, each piece labelled holiday or outside hours."""
    out: list[ClockSegment] = []
    cursor = gap.start
    while cursor < gap.end:
        day = cursor.astimezone(calendar.zone).date()
        piece_end = min(calendar.local_midnight(day + timedelta(days=1)), gap.end)
        if calendar.is_holiday(day):
            span = _span(cursor, piece_end, "holiday", f"{day.isoformat()} is a holiday", 0)
        else:
            span = _span(cursor, piece_end, "outside_business_hours", "outside business hours", 0)
        if out and out[-1].kind == span.kind and out[-1].reason == span.reason:
            out[-1].end = piece_end
        else:
            out.append(span)
        cursor = piece_end
    return out


def _span(
    start: datetime, end: datetime, kind: SegmentKind, reason: str, seconds: float
) -> ClockSegment:
    return ClockSegment(
        start=start, end=end, kind=kind, reason=reason, counted_minutes=round(seconds / 60, 3)
    )


# -- the sweep: warnings at 80 %, breaches past due, once each -----------------------------

SWEEP_BATCH = 50_000
_EVENT_TYPES = {"warning": "ticket.sla_warning", "breach": "ticket.sla_breached"}
SLA_ACTOR = events.system_actor("SLA")


async def sweep(session: AsyncSession, *, now: datetime | None = None) -> dict[str, int]:
    """Mark newly breached, then newly at-risk tickets (set-based), write their events and
    apply the policies' escalation actions. Safe with concurrent workers (SKIP LOCKED)."""
    now = now or utcnow()
    counts = {}
    for kind in ("breach", "warning"):
        rows = await repository.mark_due(session, kind, now, SWEEP_BATCH)
        counts[kind] = len(rows)
        if rows:
            await events.record_rows(
                session,
                [
                    events.event_row(
                        workspace_id=r.workspace_id,
                        ticket_id=r.id,
                        type=_EVENT_TYPES[kind],
                        actor=SLA_ACTOR,
                        data={
                            "ticket": f"{r.ticket_prefix}-{r.number}",
                            "metric": r.metric,
                            "due_at": r.due_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                        },
                        created_at=now,
                    )
                    for r in rows
                ],
            )
            await _escalate(session, kind, rows, now)
    return counts


async def _escalate(session: AsyncSession, kind: str, rows: list[Any], now: datetime) -> None:
    """Notify assignees, then run the policies' escalation actions for this kind."""
    await notify_each(
        session,
        f"sla_{kind}",
        [
            Notice(
                r.workspace_id,
                r.assignee_id,
                {"ticket_id": r.id, "metric": r.metric, "due_at": r.due_at},
                r.id,
            )
            for r in rows
            if r.assignee_id is not None
        ],
    )
    policy_ids = {r.sla_policy_id for r in rows if r.sla_policy_id is not None}
    policies = await repository.policies_by_id(session, policy_ids)
    steps = {
        pid: [a for a in (p.escalation or []) if a.get("on") == kind] for pid, p in policies.items()
    }
    todo = [r for r in rows if steps.get(r.sla_policy_id)]
    for r in todo:
        ticket = await repository.ticket(session, r.id)
        workspace = await repository.workspace(session, r.workspace_id)
        if ticket is None or workspace is None:
            continue
        policy = policies[r.sla_policy_id]
        try:
            async with session.begin_nested():
                await automations.apply_actions_as(
                    session,
                    workspace,
                    ticket,
                    [{"type": a["type"], "value": a.get("value")} for a in steps[r.sla_policy_id]],
                    actor_name=f"SLA escalation: {policy.name}",
                )
        except Exception as exc:  # an escalation that cannot run must not undo the sweep
            log.warning("SLA escalation failed on ticket %s: %s", r.id, exc)
            await repository.refresh(session, ticket)
