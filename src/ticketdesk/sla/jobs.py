"""The SLA room's cron and jobs: the breach and warning sweep, and the policy backfill."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from time import monotonic
from typing import Any

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk.db import utcnow
from ticketdesk.jobs import JobContext, Retry
from ticketdesk.models import BusinessHours, SlaPolicy, Ticket
from ticketdesk.sla import backfill, service
from ticketdesk.sla.business_hours import Calendar
from ticketdesk.sla.calendar_index import IndexedCalendar

PAGE_SIZE = 500  # tickets per transaction of the backfill
# one job runs this long, then hands its cursor to the next one: no job comes near its
# timeout, and a worker that dies loses at most this much work (the next try resumes there)
TIME_BUDGET_SECONDS = 20.0
# the window an indexed calendar covers beyond the page's newest ticket
CALENDAR_AHEAD = timedelta(days=90)
CALENDAR_SLACK = timedelta(days=7)


async def sla_sweep(ctx: JobContext) -> dict[str, int]:
    async with ctx.db.unit_of_work() as session:
        return await service.sweep(session)


async def apply_policies(
    ctx: JobContext, workspace_id: str, fingerprint: str, after: list[str | None] | None = None
) -> int:
    """Recompute the clocks of the workspace's open tickets under its current policies.

    One transaction per page, in keyset order from `after`; idempotent (a ticket already
    up to date is not written) and resumable (a retry starts from the cursor it was given).
    Stops when the policies have changed again: that change enqueued its own run.
    """
    workspace = uuid.UUID(workspace_id)
    cursor: backfill.Cursor | None = (
        backfill.Cursor.from_list(after) if after else backfill.Cursor(backfill.OPEN_CATEGORIES[0])
    )
    started = monotonic()
    written = 0
    calendars = Calendars()
    while cursor is not None:
        try:
            async with ctx.db.unit_of_work() as session:
                if await backfill.fingerprint(session, workspace) != fingerprint:
                    return written
                cursor, count = await apply_page(session, workspace, cursor, calendars=calendars)
        except DBAPIError as exc:  # a lock, a deadlock, a lost connection: again from `after`
            raise Retry(5.0) from exc
        written += count
        runner = ctx.db.job_runner
        if (
            cursor is not None
            and runner is not None
            and monotonic() - started > TIME_BUDGET_SECONDS
        ):
            await runner.enqueue(
                service.APPLY_POLICIES_JOB,
                {
                    "workspace_id": workspace_id,
                    "fingerprint": fingerprint,
                    "after": cursor.as_list(),
                },
                job_id=service.apply_policies_job_id(workspace, fingerprint, cursor.as_list()),
            )
            return written
    return written


class Calendars:
    """The indexed calendars of one run, kept from page to page while their hours stay."""

    def __init__(self) -> None:
        self._kept: dict[tuple[uuid.UUID, datetime], tuple[datetime, datetime, Calendar]] = {}

    def of(self, hours: BusinessHours, start: datetime, end: datetime) -> Calendar:
        key = (hours.id, hours.updated_at)
        kept = self._kept.get(key)
        if kept is None or not (kept[0] <= start and end <= kept[1]):
            # the window reaches back to the oldest ticket seen: later pages are newer
            low = min(start, kept[0]) if kept else start
            high = end + CALENDAR_SLACK  # so that the pages of the next minutes fit too
            kept = (low, high, IndexedCalendar(service.calendar_of(hours), low, high))
            self._kept[key] = kept
        return kept[2]


async def apply_page(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    after: backfill.Cursor,
    *,
    size: int | None = None,
    calendars: Calendars | None = None,
) -> tuple[backfill.Cursor | None, int]:
    """Apply the current policies to the next page of open tickets; the cursor after it
    (None when every open ticket is done) and how many tickets changed."""
    size = size or PAGE_SIZE
    page = await backfill.next_page(session, workspace_id, after, size)
    while page is None:
        following = backfill.OPEN_CATEGORIES.index(after.category) + 1
        if following == len(backfill.OPEN_CATEGORIES):
            return None, 0
        after = backfill.Cursor(backfill.OPEN_CATEGORIES[following])
        page = await backfill.next_page(session, workspace_id, after, size)
    now = utcnow()
    policies = await backfill.active_policies(session, workspace_id)
    hours = await backfill.calendars_of(
        session, workspace_id, {p.business_hours_id for p in policies if p.business_hours_id}
    )
    # a policy whose business hours are gone counts calendar time (service.calendar_of(None))
    calendar_time = [p for p in policies if p.business_hours_id not in hours]
    await backfill.match_calendar_time(session, page, policies)
    written = await backfill.recompute_calendar_time(session, page, calendar_time, now)
    count = len(written) + await _compute_the_rest(
        session, page, policies, hours, [p.id for p in calendar_time], now, calendars or Calendars()
    )
    return page.last, count


async def _compute_the_rest(
    session: AsyncSession,
    page: backfill.Page,
    policies: list[SlaPolicy],
    hours: dict[uuid.UUID, BusinessHours],
    calendar_policy_ids: list[uuid.UUID],
    now: datetime,
    indexed: Calendars,
) -> int:
    """The page's tickets on business hours or with pauses, through `service.compute`."""
    tickets = await backfill.tickets_to_compute(session, page, calendar_policy_ids)
    if not tickets:
        return 0
    labels = await backfill.labels_of(session, [t.id for t in tickets])
    start = min(t.created_at for t in tickets)
    end = now + CALENDAR_AHEAD
    calendars: dict[uuid.UUID | None, Calendar] = {None: Calendar.twenty_four_seven()}
    for hours_id, row in hours.items():
        calendars[hours_id] = indexed.of(row, start, end)
    clocks: list[dict[str, Any]] = []
    for ticket in tickets:
        policy, _ = service.match_policy(policies, ticket, labels.get(ticket.id, []))
        counted_in = policy.business_hours_id if policy else None
        calendar = calendars[counted_in if counted_in in hours else None]
        result = service.compute(ticket, policy, calendar, now)
        if _unchanged(ticket, result):
            continue
        service.apply_result(ticket, result)
        clocks.append(
            {
                "ticket_id": ticket.id,
                "due_at": result.due_at,
                "warn_at": result.warn_at,
                "target": result.target,
            }
        )
    await session.flush()
    await backfill.store_clocks(session, clocks)
    return len(clocks)


def _unchanged(ticket: Ticket, result: service.SlaResult) -> bool:
    """Whether the ticket already holds what `apply_result` would store."""
    first = result.clock("first_response")
    nxt = result.clock("next_response")
    resolution = result.clock("resolution")
    return (
        ticket.sla_policy_id == (result.policy.id if result.policy else None)
        and ticket.first_response_due_at == (first.due_at if first else None)
        and ticket.next_response_due_at == (nxt.due_at if nxt else None)
        and ticket.resolution_due_at == (resolution.due_at if resolution else None)
        and ticket.due_at == result.due_at
        and ticket.sla_warn_at == result.warn_at
        and ticket.sla_state == result.state
    )
