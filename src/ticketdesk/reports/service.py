"""The rules of reporting: keeping each ticket's metrics and the rollups current in the
transaction of every change, rebuilding both from the event log, and answering reports."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk.auth.principal import Principal
from ticketdesk.context import context
from ticketdesk.db import Database, before_commit, utcnow
from ticketdesk.errors import ValidationFailed
from ticketdesk.fields import service as fields
from ticketdesk.models import Event, Ticket, TicketMetrics, Workspace
from ticketdesk.reports import metrics, repository
from ticketdesk.reports.buckets import Buckets, bucket_end, buckets
from ticketdesk.reports.durations import exact_stats, histogram_stats
from ticketdesk.reports.rollups import DIMENSIONS, Contribution
from ticketdesk.reports.schemas import (
    AgentReportRow,
    AgentsReportRead,
    CsatReportRead,
    CsatSeries,
    CsatSummary,
    Duration,
    DurationStats,
    FieldOptionCount,
    FieldReportRow,
    FieldsReportRead,
    ResponseTimesReportRead,
    ResponseTimesRow,
    SlaReportRead,
    SlaReportRow,
    SlaTargetOutcome,
    VolumeReportRead,
    VolumeSeries,
)
from ticketdesk.sla import service as sla
from ticketdesk.tickets import service as tickets
from ticketdesk.tickets.filters import TicketFilters


def _zone(workspace: Workspace) -> ZoneInfo:
    try:
        return ZoneInfo(workspace.timezone or "UTC")
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


def _pending_events(session: AsyncSession, ticket_id: uuid.UUID) -> list[Event]:
    """This transaction's events about the ticket not folded in yet, in written order."""
    ctx = context(session)
    found = [
        e
        for e in ctx.new_events
        if e.ticket_id == ticket_id
        and e.type in metrics.RELEVANT
        and id(e) not in ctx.reported_events
    ]
    ctx.reported_events.update(id(e) for e in found)
    return found


async def _category_of(session: AsyncSession, workspace_id: uuid.UUID) -> dict[str, str]:
    return {s.name: s.category for s in await tickets.workspace_statuses(session, workspace_id)}


async def on_ticket_change(session: AsyncSession, change: tickets.TicketChange) -> None:
    """Observer: fold the change's events into the ticket's metrics and the rollups."""
    labels: list[str] | None = None
    if change.created:
        known = context(session).created_tickets.get(change.ticket.id)
        labels = list(known.labels) if known is not None else None
    elif "labels" in change.changes:
        labels = list(change.changes["labels"]["to"] or [])
    await keep_metrics(session, change.workspace, change.ticket, labels=labels)


async def on_survey_sent(session: AsyncSession, workspace: Workspace, ticket: Ticket) -> None:
    """For the csat room, after it records `ticket.survey_sent`: events has no listeners
    inside the transaction, so the csat room calls this in its own."""
    await keep_metrics(session, workspace, ticket)


async def on_csat(session: AsyncSession, workspace: Workspace, ticket: Ticket) -> None:
    """For the csat room, after it records `ticket.csat_received` (see on_survey_sent)."""
    await keep_metrics(session, workspace, ticket)


async def keep_metrics(
    session: AsyncSession,
    workspace: Workspace,
    ticket: Ticket,
    *,
    labels: Sequence[str] | None = None,
) -> None:
    """Bring the ticket's metrics up to date with its new events and current state; the row
    and the difference it makes to the rollups are written just before the transaction
    commits (write_kept_metrics), once per ticket and one statement per kind of write.

    Its reads never flush the session: a bulk chunk leaves its ticket writes pending to flush
    them at once (tickets.update_ticket(flush=False)); an autoflush here would write them one
    ticket at a time."""
    with session.no_autoflush:
        await _keep_metrics(session, workspace, ticket, labels)


@dataclass(slots=True)
class KeptRow:
    """One ticket's metrics in this transaction: as stored (None: no row yet) and as now."""

    zone: ZoneInfo
    stored: dict[str, Any] | None
    row: TicketMetrics  # a metrics.MetricsDraft


class KeptMetrics:
    """This transaction's kept rows by ticket, and the tickets whose rows a rolled-back
    savepoint may have changed: those are folded again from the database and the events
    that survived (`refold`)."""

    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, KeptRow] = {}
        self.refold: set[uuid.UUID] = set()
        self.marks: dict[int, set[uuid.UUID]] = {}

    def savepoint_started(self, savepoint: object) -> None:
        self.marks[id(savepoint)] = set(self.rows)

    def savepoint_rolled_back(self, savepoint: object) -> None:
        before = self.marks.pop(id(savepoint), set())
        for ticket_id in list(self.rows):
            del self.rows[ticket_id]
            if ticket_id in before:  # it holds changes from before the savepoint too
                self.refold.add(ticket_id)


def _kept(session: AsyncSession) -> KeptMetrics:
    """This transaction's kept metrics (the first call registers their write)."""
    ctx = context(session)
    if ctx.kept_metrics is None:
        ctx.kept_metrics = kept = KeptMetrics()
        ctx.savepoint_watchers.append(kept)

        async def write() -> None:
            await write_kept_metrics(session)

        before_commit(session, write)
    state: KeptMetrics = ctx.kept_metrics
    return state


def _surviving_events(session: AsyncSession, ticket_id: uuid.UUID) -> list[Event]:
    """All of this transaction's events about the ticket still standing (a refold)."""
    ctx = context(session)
    found = [e for e in ctx.new_events if e.ticket_id == ticket_id and e.type in metrics.RELEVANT]
    ctx.reported_events.update(id(e) for e in found)
    return found


async def _keep_metrics(
    session: AsyncSession,
    workspace: Workspace,
    ticket: Ticket,
    labels: Sequence[str] | None,
) -> None:
    state = _kept(session)
    kept_rows = state.rows
    if ticket.id in state.refold:
        state.refold.discard(ticket.id)
        pending = _surviving_events(session, ticket.id)
        if labels is None:  # the stored row's may predate this transaction's label changes
            labels = list(await tickets.ticket_labels(session, ticket.id))
    else:
        pending = _pending_events(session, ticket.id)
    kept = kept_rows.get(ticket.id)
    created_category: str | None = None
    if kept is None:
        is_new = any(e.type == "ticket.created" for e in pending)
        stored = None if is_new else await repository.metrics_values(session, ticket.id)
        if stored is None:
            # a new ticket, or one from before metrics were kept: fold its whole history
            if not is_new:
                found = await repository.events_of(session, [ticket.id], sorted(metrics.RELEVANT))
                seen = {id(e) for e in found.get(ticket.id, [])}
                pending = [*found.get(ticket.id, []), *(e for e in pending if id(e) not in seen)]
            created = next((e for e in pending if e.type == "ticket.created"), None)
            if created is not None:
                categories = await _category_of(session, workspace.id)
                created_category = categories.get(str((created.data or {}).get("status")))
            row = metrics.draft(ticket)
            if labels is None and is_new and created is not None:
                labels = list((created.data or {}).get("labels") or [])  # as it was created
            if labels is None:
                labels = list(await tickets.ticket_labels(session, ticket.id))
        else:
            row = metrics.draft_of(stored)
        kept = kept_rows[ticket.id] = KeptRow(_zone(workspace), stored, row)
    row = kept.row
    if labels is None:
        labels = list(row.labels or [])
    metrics.fold(row, (metrics.fact_of(e) for e in pending), created_category)
    metrics.reconcile(row, ticket)
    metrics.finish(row, ticket, labels, await sla.ticket_terms(session, ticket))


async def write_kept_metrics(session: AsyncSession) -> None:
    """Write this transaction's kept metrics: one INSERT of the new rows, one UPDATE per set
    of changed columns, and the rollups' difference as one upsert per table."""
    ctx = context(session)
    state: KeptMetrics | None = ctx.kept_metrics
    if state is None:
        return
    while state.refold:  # rows a rolled-back savepoint touched, no change of theirs since
        ticket_id = state.refold.pop()
        ticket = await repository.ticket(session, ticket_id)
        workspace = await repository.workspace(session, ticket.workspace_id) if ticket else None
        if ticket is not None and workspace is not None:
            state.refold.add(ticket_id)  # _keep_metrics takes it out again
            await keep_metrics(session, workspace, ticket)
    ctx.kept_metrics = None
    ctx.savepoint_watchers.remove(state)
    kept = state.rows
    new_rows: list[dict[str, Any]] = []
    changed: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    deltas: dict[uuid.UUID, Contribution] = {}
    last: tuple[dict[str, Any], tuple[str, ...] | None] | None = None
    for ticket_id, entry in kept.items():
        after = metrics.values_of(entry.row)
        before = entry.stored
        if after == before:
            continue
        if before is None:
            new_rows.append(after)
            last = (after, None)
        else:
            columns = tuple(c for c in metrics.COLUMNS if after[c] != before[c])
            values = {c: after[c] for c in columns}
            values["ticket"] = ticket_id
            changed.setdefault(columns, []).append(values)
            last = (after, columns)
        delta = deltas.get(after["workspace_id"])
        if delta is None:
            delta = deltas[after["workspace_id"]] = Contribution()
        delta.change(before, after, entry.zone)
    if last is None:
        return
    if session.new:  # tickets these rows may refer to
        await session.flush()
    await repository.lock_rollups(session, deltas)
    if len(new_rows) + sum(len(rows) for rows in changed.values()) == 1:
        # one ticket (a request's usual change): one statement where the database can
        daily, histograms, counts = next(iter(deltas.values())).nonzero()
        row, shape = last
        if await repository.write_one_ticket(session, row, shape, daily, histograms, counts):
            return
    await repository.insert_metrics(session, new_rows)
    for columns, rows in changed.items():
        await repository.update_metrics(session, columns, rows)
    for workspace_id, delta in sorted(deltas.items()):
        await repository.add_to_rollups(session, workspace_id, *delta.nonzero())


# -- rebuild -----------------------------------------------------------------------------------

REBUILD_BATCH = 2000


@dataclass
class RebuildResult:
    workspaces: int = 0
    tickets: int = 0


TermsCache = dict[tuple[uuid.UUID, str], sla.TicketTerms]


async def rebuild_rows(
    session: AsyncSession,
    workspace: Workspace,
    batch: Sequence[metrics.TicketFacts],
    terms: TermsCache | None = None,
) -> list[dict[str, Any]]:
    """The metrics rows of a batch of tickets, folded from their events (no writes).
    `terms`: the SLA terms met so far in this rebuild (their calendars remember their days)."""
    ids = [t.id for t in batch]
    history = await repository.event_rows_of(session, ids, sorted(metrics.RELEVANT))
    labels = await repository.labels_by_ticket(session, ids)
    categories = await _category_of(session, workspace.id)
    terms = {} if terms is None else terms
    wanted = {t.sla_policy_id for t in batch if t.sla_policy_id} - {p for p, _ in terms}
    if wanted:
        terms.update(await sla.terms_by_policy(session, workspace.id, wanted))
    rows: list[dict[str, Any]] = []
    for ticket in batch:
        events = history.get(ticket.id, [])
        created = next((e for e in events if e.type == "ticket.created"), None)
        category = categories.get(str((created.data or {}).get("status"))) if created else None
        row = metrics.new_row(ticket, plain=True)
        metrics.fold(row, (metrics.fact_of(e) for e in events), category)
        metrics.reconcile(row, ticket)
        ticket_terms = (
            terms.get((ticket.sla_policy_id, ticket.priority), sla.CALENDAR_TERMS)
            if ticket.sla_policy_id
            else sla.CALENDAR_TERMS
        )
        metrics.finish(row, ticket, labels.get(ticket.id, []), ticket_terms)
        rows.append(metrics.values_of(row))
    return rows


async def rebuild_workspace(
    session: AsyncSession,
    workspace: Workspace,
    *,
    batch_size: int = REBUILD_BATCH,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Recompute every metrics row of the workspace from its events, then its rollups from
    those rows. One transaction (the caller's): readers see the old numbers until it commits."""
    zone = _zone(workspace)
    in_database = repository.adds_up_in_database(session)  # else added up here, row by row
    totals = Contribution()
    after: uuid.UUID | None = None
    done = 0
    terms: TermsCache = {}
    while True:
        batch = await repository.ticket_batch(session, workspace.id, after, batch_size)
        if not batch:
            break
        rows = await rebuild_rows(session, workspace, batch, terms)
        if not in_database:
            for values in rows:
                totals.add(values, zone)
        await repository.replace_metrics(session, [t.id for t in batch], rows)
        after = batch[-1].id
        done += len(batch)
        session.expunge_all()  # a million tickets need not stay in the identity map
        if progress is not None:
            progress(len(batch))
    await repository.delete_orphan_metrics(session, workspace.id)
    await repository.clear_rollups(session, workspace.id)
    if in_database:
        await repository.rollups_from_metrics(session, workspace.id, str(zone.key))
    else:
        await repository.insert_rollups(session, workspace.id, *totals.nonzero())
    return done


async def refresh_statistics(db: Database) -> None:
    """After a rebuild (PostgreSQL): vacuum and analyse the tables it rewrote. Until then
    the planner sees the statistics of the tables before (a million rows where there were
    none), and index-only scans visit the heap for every row."""
    if db.engine.dialect.name != "postgresql":
        return
    async with db.engine.connect() as conn:
        autocommit = await conn.execution_options(isolation_level="AUTOCOMMIT")
        await autocommit.exec_driver_sql(f"VACUUM (ANALYZE) {', '.join(REBUILT_TABLES)}")


REBUILT_TABLES = ("ticket_metrics", "report_daily", "report_histograms", "report_counts")


async def workspace_by_slug(session: AsyncSession, slug: str) -> Workspace | None:
    return await repository.workspace_by_slug(session, slug)


async def workspaces_to_rebuild(
    session: AsyncSession, workspace_id: uuid.UUID | None = None
) -> list[tuple[Workspace, int]]:
    """The workspaces (one, or all) and how many tickets each has (for a progress bar)."""
    found = await repository.workspaces(session, workspace_id)
    return [(w, await repository.count_tickets(session, w.id)) for w in found]


async def metrics_snapshot(
    session: AsyncSession, workspace_id: uuid.UUID
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Every metrics row and rollup cell of the workspace, as plain values (tests)."""
    rows = [metrics.values_of(r) for r in await repository.all_metrics(session, workspace_id)]
    return rows, await repository.rollup_snapshot(session, workspace_id)


def metrics_of(row: TicketMetrics) -> dict[str, Any]:
    return metrics.values_of(row)


# -- answering reports -------------------------------------------------------------------------

DEFAULT_DAYS = 30
# a report over at most this many tickets (Settings.reports_exact_tickets in a request) is
# counted exactly from their metrics rows; above it, one the rollups can answer (no queue
# filters, the workspace's time zone, a kept dimension) is read from them
EXACT_TICKETS = 5_000
GROUPS = ("channel", "priority", "type", "category", "label", "team", "assignee", "status")
AGENT_GROUPS = {"agent": "assignee"}


@dataclass
class ReportParams:
    """What every report takes: the range, the time zone, the queue's filters, the source."""

    start: datetime | None = None
    end: datetime | None = None
    tz: str | None = None
    filters: TicketFilters | None = None
    source: str = "auto"


@dataclass
class Scope:
    """A report's resolved window, zone and ticket filter (None: every ticket)."""

    workspace: Workspace
    start: datetime
    end: datetime
    tz: str
    zone: ZoneInfo
    tickets: Any
    filtered: bool
    source: str

    def window(self, source: str) -> dict[str, Any]:
        return {"from": self.start, "to": self.end, "tz": self.tz, "source": source}


async def _scope(session: AsyncSession, principal: Principal, params: ReportParams) -> Scope:
    workspace = await tickets.get_workspace(session, principal)
    for name, value in (("from", params.start), ("to", params.end)):
        if value is not None and not 1900 <= value.year <= 9000:
            raise ValidationFailed("A report covers years 1900 to 9000.", loc=("query", name))
    end = params.end or utcnow()
    start = params.start or end - timedelta(days=DEFAULT_DAYS)
    if start >= end:
        raise ValidationFailed("`from` must be before `to`.", loc=("query", "from"))
    tz = params.tz or workspace.timezone or "UTC"
    try:
        zone = ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationFailed(
            f"{tz[:80]!r} is not an IANA time zone (such as Europe/Berlin).", loc=("query", "tz")
        ) from exc
    filters = params.filters or TicketFilters()
    filtered = replace(filters, sort="-created_at") != TicketFilters()
    stmt = (
        await tickets.filtered_tickets(session, principal, workspace, filters) if filtered else None
    )
    return Scope(workspace, start, end, tz, zone, stmt, filtered, params.source)


def _group_column(group_by: str | None, allowed: Sequence[str]) -> str | None:
    """The metrics column (or `cf.<key>`) a group_by names; 422 for anything else."""
    if group_by is None or group_by == "":
        return None
    name = AGENT_GROUPS.get(group_by, group_by)
    if name in allowed or (name.startswith("cf.") and "cf" in allowed):
        return name
    choices = ", ".join(
        [*(g for g in allowed if g != "cf"), *(["cf.<key>"] if "cf" in allowed else [])]
    )
    raise ValidationFailed(
        f"Unknown group_by {group_by[:80]!r}; use one of: {choices}.", loc=("query", "group_by")
    )


async def _custom_key(session: AsyncSession, workspace_id: uuid.UUID, name: str, loc: str) -> Any:
    key = name.removeprefix("cf.")
    definition = (await fields.definitions(session, workspace_id)).by_key.get(key)
    if definition is None:
        raise ValidationFailed(
            f"No custom field {key[:80]!r} in this workspace.", loc=("query", loc)
        )
    return definition


async def _use_rollups(
    session: AsyncSession,
    scope: Scope,
    group: str | None,
    *,
    by: str = "created_at",
    prefer: bool = False,
) -> bool:
    """Whether to read the rollups: asked for, or `auto` and many tickets and they can."""
    fits = (
        not scope.filtered
        and scope.tz == (scope.workspace.timezone or "UTC")
        and (group is None or group in DIMENSIONS)
    )
    if scope.source == "rollup":
        if not fits:
            raise ValidationFailed(
                "The rollups are kept per day in the workspace's time zone, without queue "
                "filters, for these groups: " + ", ".join(d for d in DIMENSIONS if d != "all"),
                loc=("query", "source"),
            )
        return True
    if scope.source == "exact" or not fits:
        return False
    if prefer:
        return True
    settings = context(session).settings
    limit = settings.reports_exact_tickets if settings is not None else EXACT_TICKETS
    return await repository.more_metrics_than(
        session, scope.workspace.id, by, scope.start, scope.end, limit
    )


def _group_key(group: str | None, custom: Any) -> str | None:
    """What the repository groups by: a metrics column, or `cf.<key>` (custom: its def)."""
    if custom is not None:
        return f"cf.{custom.key}"
    return {"assignee": "assignee_id", "team": "team_id", "label": "labels"}.get(group or "", group)


async def _group_rows(
    session: AsyncSession,
    scope: Scope,
    group: str | None,
    custom: Any,
    columns: Sequence[str],
    *,
    by: str | None,
    value_field: str | None = None,
) -> Sequence[Any]:
    return await repository.group_rows(
        session,
        scope.workspace.id,
        scope.tickets,
        _group_key(group, custom),
        columns,
        by=by,
        start=scope.start,
        end=scope.end,
        value_field=value_field,
    )


def _keys_of(raw: Any) -> list[str | None]:
    """The group values a ticket counts under (a label or multi-select counts under each)."""
    if isinstance(raw, list):
        return [str(v) for v in raw] or [None]
    if raw is None or raw == "":
        return [None]
    if isinstance(raw, bool):
        return ["true" if raw else "false"]
    return [str(raw)]


async def _names(
    session: AsyncSession, workspace_id: uuid.UUID, group: str | None, keys: Sequence[str | None]
) -> dict[str | None, str]:
    ids = []
    for key in keys:
        try:
            ids.append(uuid.UUID(key or ""))
        except ValueError:
            continue
    if group == "assignee":
        return {
            str(k): v for k, v in (await repository.user_names(session, workspace_id, ids)).items()
        }
    if group == "team":
        return {
            str(k): v for k, v in (await repository.team_names(session, workspace_id, ids)).items()
        }
    return {}


def _sort_keys(keys: Sequence[str | None]) -> list[str | None]:
    return sorted(keys, key=lambda k: (k is None, k or ""))


def _rollup_key(value: str) -> str | None:
    return value or None


def _range_days(scope: Scope) -> tuple[date, date]:
    last = (scope.end - timedelta(microseconds=1)).astimezone(scope.zone).date()
    return scope.start.astimezone(scope.zone).date(), last


def _buckets(scope: Scope, interval: str) -> Buckets:
    found = buckets(scope.start, scope.end, scope.zone, interval)
    if found is None:
        raise ValidationFailed(
            "Too many buckets: choose a longer interval or a shorter range.",
            loc=("query", "interval"),
        )
    return found


async def volume(
    session: AsyncSession,
    principal: Principal,
    params: ReportParams,
    *,
    metric: str,
    interval: str,
    group_by: str | None,
) -> VolumeReportRead:
    """Tickets created, solved, or still unsolved (backlog) per bucket and group."""
    scope = await _scope(session, principal, params)
    group = _group_column(group_by, (*GROUPS, "cf"))
    found = _buckets(scope, interval)
    counts: dict[str | None, list[int]] = {}

    def series(key: str | None) -> list[int]:
        if key not in counts:
            counts[key] = [0] * len(found.days)
        return counts[key]

    by = "solved_at" if metric == "solved" else "created_at"
    # backlog counts every ticket ever created: the rollups' running sum, whenever they can
    rollup = await _use_rollups(session, scope, group, by=by, prefer=metric == "backlog")
    if rollup:
        dimension = group or "all"
        first, last = _range_days(scope)
        first = found.days[0]
        opening = (
            await repository.backlog_before(session, scope.workspace.id, dimension, first)
            if metric == "backlog"
            else {}
        )
        rows = await repository.daily_between(session, scope.workspace.id, dimension, first, last)
        if metric == "backlog":
            changes: dict[str | None, list[int]] = {}
            for value, day, _, _, change in rows:
                i = found.index_of_day(day)
                if i is not None:
                    changes.setdefault(_rollup_key(value), [0] * len(found.days))[i] += change
            for value in opening:
                changes.setdefault(_rollup_key(value), [0] * len(found.days))
            for key, deltas in changes.items():
                running = opening.get(key or "", 0)
                line = series(key)
                for i, delta in enumerate(deltas):
                    running += delta
                    line[i] = running
        else:
            column = 2 if metric == "created" else 3
            for row in rows:
                i = found.index_of_day(row[1])
                if i is not None and row[column]:
                    series(_rollup_key(row[0]))[i] += row[column]
        source = "rollup"
    else:
        custom = (
            await _custom_key(session, scope.workspace.id, group, "group_by")
            if group and group.startswith("cf.")
            else None
        )
        if metric == "backlog":
            rows = await _group_rows(
                session, scope, group, custom, ("created_at", "done_periods"), by=None
            )
            ends = [
                min(bucket_end(found, i, scope.zone, interval), scope.end)
                for i in range(len(found.days))
            ]
            for raw, created_at, done_periods in rows:
                spells = [
                    (datetime.fromisoformat(a), datetime.fromisoformat(b) if b else None)
                    for a, b in done_periods or ()
                ]
                for key in _keys_of(raw):
                    line = series(key)
                    for i, at in enumerate(ends):
                        if created_at < at and not any(
                            a < at and (b is None or b >= at) for a, b in spells
                        ):
                            line[i] += 1
        elif repository.adds_up_in_database(session):  # counted per local day by the database
            per_day = await repository.count_by_local_day(
                session,
                scope.workspace.id,
                scope.tickets,
                _group_key(group, custom),
                by,
                start=scope.start,
                end=scope.end,
                tz=scope.tz,
            )
            for raw, day, n in per_day:
                i = found.index_of_day(day)
                if i is None:
                    continue
                for key in _keys_of(raw):
                    series(key)[i] += n
        else:
            rows = await _group_rows(session, scope, group, custom, (by,), by=by)
            for raw, at in rows:
                i = found.index_of(at)
                if i is None:
                    continue
                for key in _keys_of(raw):
                    series(key)[i] += 1
        source = "exact"
    if not counts and group is None:
        series(None)
    keys = _sort_keys(list(counts))
    names = await _names(session, scope.workspace.id, group, keys)
    lines = [
        VolumeSeries(
            key=key,
            name=names.get(key),
            counts=counts[key],
            total=counts[key][-1] if metric == "backlog" else sum(counts[key]),
        )
        for key in keys
    ]
    total = (
        sum(line.counts[-1] for line in lines)
        if metric == "backlog" and group != "label"
        else sum(line.total for line in lines)
    )
    return VolumeReportRead(
        **scope.window(source),
        metric=metric,
        interval=interval,
        group_by=group_by,
        buckets=found.labels,
        series=lines,
        total=total,
    )


_DURATION_COLUMNS = (
    "first_response_seconds",
    "first_response_business_seconds",
    "resolution_seconds",
    "resolution_business_seconds",
    "requester_wait_seconds",
    "requester_wait_business_seconds",
)


def _duration(calendar: dict[str, float | None], business: dict[str, float | None]) -> Duration:
    return Duration(calendar=DurationStats(**calendar), business=DurationStats(**business))


def _exact_durations(rows: Sequence[Sequence[Any]], offset: int) -> dict[str, Duration]:
    """first_response / resolution / requester_wait over rows holding _DURATION_COLUMNS
    from `offset` on."""
    out: dict[str, Duration] = {}
    for n, name in enumerate(("first_response", "resolution", "requester_wait")):
        calendar = exact_stats(r[offset + 2 * n] for r in rows)
        business = exact_stats(r[offset + 2 * n + 1] for r in rows)
        out[name] = _duration(calendar, business)
    return out


async def response_times(
    session: AsyncSession, principal: Principal, params: ReportParams, *, group_by: str | None
) -> ResponseTimesReportRead:
    """First response, resolution and requester wait of the tickets created in the range."""
    scope = await _scope(session, principal, params)
    group = _group_column(
        group_by,
        ("assignee", "team", "priority", "type", "channel", "label", "category", "status", "cf"),
    )
    rows_out: list[ResponseTimesRow] = []
    if await _use_rollups(session, scope, group):
        dimension = group or "all"
        first, last = _range_days(scope)
        cells = await repository.histogram_between(
            session, scope.workspace.id, dimension, first, last
        )
        per: dict[str | None, dict[str, tuple[dict[int, int], int]]] = {}
        for value, metric_name, bucket, count, seconds in cells:
            entry = per.setdefault(_rollup_key(value), {})
            histogram, total = entry.get(metric_name, ({}, 0))
            histogram[int(bucket)] = histogram.get(int(bucket), 0) + int(count)
            entry[metric_name] = (histogram, total + int(seconds))
        created = await repository.daily_between(
            session, scope.workspace.id, dimension, first, last
        )
        tickets_by: dict[str | None, int] = {}
        for value, _, made, _, _ in created:
            tickets_by[_rollup_key(value)] = tickets_by.get(_rollup_key(value), 0) + made
        keys = _sort_keys(
            [k for k, n in tickets_by.items() if n] or ([None] if group is None else [])
        )
        names = await _names(session, scope.workspace.id, group, keys)
        for key in keys:
            entry = per.get(key, {})

            def stats(
                metric_name: str, entry: dict[str, tuple[dict[int, int], int]] = entry
            ) -> dict[str, float | None]:
                histogram, total = entry.get(metric_name, ({}, 0))
                return histogram_stats(histogram, total)

            rows_out.append(
                ResponseTimesRow(
                    key=key,
                    name=names.get(key),
                    tickets=tickets_by.get(key, 0),
                    **{
                        name: _duration(stats(name), stats(f"{name}_business"))
                        for name in ("first_response", "resolution", "requester_wait")
                    },
                )
            )
        source = "rollup"
    else:
        custom = (
            await _custom_key(session, scope.workspace.id, group, "group_by")
            if group and group.startswith("cf.")
            else None
        )
        rows = await _group_rows(session, scope, group, custom, _DURATION_COLUMNS, by="created_at")
        grouped: dict[str | None, list[Any]] = {}
        for row in rows:
            for key in _keys_of(row[0]):
                grouped.setdefault(key, []).append(row)
        if group is None and not grouped:
            grouped[None] = []
        keys = _sort_keys(list(grouped))
        names = await _names(session, scope.workspace.id, group, keys)
        for key in keys:
            rows_out.append(
                ResponseTimesRow(
                    key=key,
                    name=names.get(key),
                    tickets=len(grouped[key]),
                    **_exact_durations(grouped[key], 1),
                )
            )
        source = "exact"
    return ResponseTimesReportRead(**scope.window(source), group_by=group_by, rows=rows_out)


def _csat(goods: Sequence[bool | None]) -> CsatSummary:
    good = sum(1 for g in goods if g is True)
    bad = sum(1 for g in goods if g is False)
    return CsatSummary(
        score=round(good / (good + bad), 4) if good + bad else None,
        responses=good + bad,
        good=good,
        bad=bad,
    )


async def agents(
    session: AsyncSession, principal: Principal, params: ReportParams
) -> AgentsReportRead:
    """Per assignee, over the tickets created in the range."""
    scope = await _scope(session, principal, params)
    if await _use_rollups(session, scope, "assignee"):
        return await _agents_from_rollups(session, scope)
    columns = ("solved_at", "reopens", "one_touch", "csat_good", *_DURATION_COLUMNS[:4])
    rows = await _group_rows(session, scope, "assignee", None, columns, by="created_at")
    grouped: dict[str | None, list[Any]] = {}
    for row in rows:
        grouped.setdefault(_keys_of(row[0])[0], []).append(row)
    keys = _sort_keys(list(grouped))
    names = await _names(session, scope.workspace.id, "assignee", keys)
    out = []
    for key in keys:
        mine = grouped[key]
        durations = _exact_durations([(*r[:5], *r[5:], None, None) for r in mine], 5)
        out.append(
            AgentReportRow(
                key=key,
                name=names.get(key),
                assigned=len(mine),
                solved=sum(1 for r in mine if r[1] is not None),
                reopened=sum(1 for r in mine if r[2]),
                one_touch=sum(1 for r in mine if r[3]),
                first_response=durations["first_response"],
                resolution=durations["resolution"],
                csat=_csat([r[4] for r in mine]),
            )
        )
    return AgentsReportRead(**scope.window("exact"), rows=out)


async def _agents_from_rollups(session: AsyncSession, scope: Scope) -> AgentsReportRead:
    """The agents report from the `assignee` rollups: its counts equal the exact path's; the
    durations' percentiles come from the histograms (their averages are exact)."""
    first, last = _range_days(scope)
    workspace_id = scope.workspace.id
    assigned: dict[str | None, int] = {}
    for value, _, made, _, _ in await repository.daily_between(
        session, workspace_id, "assignee", first, last
    ):
        assigned[_rollup_key(value)] = assigned.get(_rollup_key(value), 0) + made
    counted: dict[str | None, dict[str, int]] = {}
    for value, metric_name, _, n in await repository.counts_between(
        session, workspace_id, "assignee", first, last
    ):
        entry = counted.setdefault(_rollup_key(value), {})
        entry[metric_name] = entry.get(metric_name, 0) + n
    cells: dict[str | None, dict[str, tuple[dict[int, int], int]]] = {}
    for value, metric_name, bucket, count, seconds in await repository.histogram_between(
        session, workspace_id, "assignee", first, last
    ):
        entry_h = cells.setdefault(_rollup_key(value), {})
        histogram, total = entry_h.get(metric_name, ({}, 0))
        histogram[int(bucket)] = histogram.get(int(bucket), 0) + int(count)
        entry_h[metric_name] = (histogram, total + int(seconds))
    keys = _sort_keys([k for k, n in assigned.items() if n])
    names = await _names(session, workspace_id, "assignee", keys)
    out = []
    for key in keys:
        numbers = counted.get(key, {})
        mine = cells.get(key, {})

        def stats(
            name: str, mine: dict[str, tuple[dict[int, int], int]] = mine
        ) -> dict[str, float | None]:
            histogram, total = mine.get(name, ({}, 0))
            return histogram_stats(histogram, total)

        good, bad = numbers.get("csat_good", 0), numbers.get("csat_bad", 0)
        out.append(
            AgentReportRow(
                key=key,
                name=names.get(key),
                assigned=assigned[key],
                solved=numbers.get("solved", 0),
                reopened=numbers.get("reopened", 0),
                one_touch=numbers.get("one_touch", 0),
                first_response=_duration(stats("first_response"), stats("first_response_business")),
                resolution=_duration(stats("resolution"), stats("resolution_business")),
                csat=CsatSummary(
                    score=round(good / (good + bad), 4) if good + bad else None,
                    responses=good + bad,
                    good=good,
                    bad=bad,
                ),
            )
        )
    return AgentsReportRead(**scope.window("rollup"), rows=out)


def _sla_target(met: int, near_miss: int, breached: int) -> SlaTargetOutcome:
    """One target's outcomes; a near miss was met."""
    met += near_miss
    return SlaTargetOutcome(
        tickets=met + breached,
        met=met,
        breached=breached,
        breach_rate=round(breached / (met + breached), 4) if met + breached else None,
        near_miss=near_miss,
    )


async def sla_report(
    session: AsyncSession, principal: Principal, params: ReportParams
) -> SlaReportRead:
    """Per SLA policy and priority, over the tickets created in the range (exact: counted by
    the database over the metrics rows)."""
    scope = await _scope(session, principal, params)
    rows = await repository.sla_outcomes(
        session, scope.workspace.id, scope.tickets, scope.start, scope.end, utcnow()
    )
    names = await repository.policy_names(session, scope.workspace.id, {r[1] for r in rows})
    order = {p: i for i, p in enumerate(("urgent", "high", "normal", "low"))}
    out = [
        SlaReportRow(
            policy_id=str(policy_id),
            policy=names.get(policy_id),
            priority=priority,
            tickets=count,
            first_response=_sla_target(*outcomes[:3]),
            resolution=_sla_target(*outcomes[3:]),
        )
        for _, policy_id, priority, count, *outcomes in rows
    ]
    out.sort(key=lambda r: (r.policy or "", order.get(r.priority, 9)))
    return SlaReportRead(**scope.window("exact"), rows=out)


NUMERIC_KINDS = ("integer", "decimal")
COUNTED_KINDS = (
    "dropdown",
    "multi_select",
    "checkbox",
    "user",
    "text",
    "email",
    "url",
    "date",
    "integer",
    "decimal",
    "long_text",
)


async def field_report(
    session: AsyncSession,
    principal: Principal,
    params: ReportParams,
    *,
    field_name: str,
    agg: str,
    group_by: str | None,
) -> FieldsReportRead:
    """Custom-field analytics over the tickets created in the range: counts per option,
    exact decimal sum, avg, min and max of numbers (exact)."""
    scope = await _scope(session, principal, params)
    if not field_name.startswith("cf."):
        raise ValidationFailed("`field` is cf.<key> of a custom field.", loc=("query", "field"))
    definition = await _custom_key(session, scope.workspace.id, field_name, "field")
    if agg != "count" and definition.kind not in NUMERIC_KINDS:
        raise ValidationFailed(
            f"{agg} needs a number field; {definition.key!r} is {definition.kind}.",
            loc=("query", "agg"),
        )
    group = _group_column(group_by, (*GROUPS, "cf"))
    custom = (
        await _custom_key(session, scope.workspace.id, group, "group_by")
        if group and group.startswith("cf.")
        else None
    )
    add_up = (
        _field_rows_added_up if repository.adds_up_in_database(session) else _field_rows_in_python
    )
    return FieldsReportRead(
        **scope.window("exact"),
        field=field_name,
        kind=definition.kind,
        agg=agg,
        group_by=group_by,
        rows=await add_up(session, scope, group, custom, definition, agg),
    )


async def _field_rows_in_python(
    session: AsyncSession, scope: Scope, group: str | None, custom: Any, definition: Any, agg: str
) -> list[FieldReportRow]:
    """field_report's rows added up here, row by row (SQLite, the embedded default)."""
    rows = await _group_rows(
        session, scope, group, custom, (), by="created_at", value_field=definition.key
    )
    grouped: dict[str | None, list[Any]] = {}
    for raw, value in rows:
        if value is None or value == "" or value == []:
            continue
        for key in _keys_of(raw):
            grouped.setdefault(key, []).append(value)
    keys = _sort_keys(list(grouped))
    names = await _names(session, scope.workspace.id, group, keys)
    out = []
    for key in keys:
        values = grouped[key]
        row = FieldReportRow(key=key, name=names.get(key), tickets=len(values))
        if agg == "count":
            counted: dict[str, int] = {}
            for value in values:
                for option in _keys_of(value):
                    if option is not None:
                        counted[option] = counted.get(option, 0) + 1
            order = {o: i for i, o in enumerate(definition.options)}
            row.options = [
                FieldOptionCount(value=v, count=n)
                for v, n in sorted(
                    counted.items(), key=lambda item: (order.get(item[0], len(order)), item[0])
                )
            ]
        else:
            numbers = [_decimal(v) for v in values]
            known = [n for n in numbers if n is not None]
            row.tickets = len(known)
            row.value = _aggregate(agg, known)
        out.append(row)
    return out


async def _field_rows_added_up(
    session: AsyncSession, scope: Scope, group: str | None, custom: Any, definition: Any, agg: str
) -> list[FieldReportRow]:
    """field_report's rows from the database's sums and counts (no row-by-row loop)."""
    totals, options = await repository.field_aggregates(
        session,
        scope.workspace.id,
        scope.tickets,
        _group_key(group, custom),
        definition.key,
        start=scope.start,
        end=scope.end,
        counting=agg == "count",
    )
    keys = _sort_keys([key for key, *_ in totals])
    names = await _names(session, scope.workspace.id, group, keys)
    order = {o: i for i, o in enumerate(definition.options)}
    counted: dict[str | None, list[FieldOptionCount]] = {}
    for key, option, n in sorted(options, key=lambda r: (order.get(r[1], len(order)), r[1])):
        counted.setdefault(key, []).append(FieldOptionCount(value=option, count=n))
    by_key = {key: rest for key, *rest in totals}
    out = []
    for key in keys:
        tickets_with_value, numbers, total, low, high = by_key[key]
        row = FieldReportRow(key=key, name=names.get(key), tickets=tickets_with_value)
        if agg == "count":
            row.options = counted.get(key, [])
        else:
            row.tickets = numbers
            row.value = _aggregate_of(agg, numbers, total, low, high)
        out.append(row)
    return out


def _aggregate_of(
    agg: str, count: int, total: Decimal | None, low: Decimal | None, high: Decimal | None
) -> str | None:
    """_aggregate's answer from the database's count, sum, min and max."""
    if not count or total is None:
        return None
    if agg == "sum":
        return str(total)
    if agg == "min":
        return str(low)
    if agg == "max":
        return str(high)
    return _average(total, count)


def _average(total: Decimal, count: int) -> str:
    average = total / count
    return (
        str(average.quantize(Decimal("0.000001")).normalize())
        if average != average.to_integral()
        else str(average.quantize(Decimal(1)))
    )


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _aggregate(agg: str, numbers: Sequence[Decimal]) -> str | None:
    if not numbers:
        return None
    total = sum(numbers, Decimal(0))
    return _aggregate_of(agg, len(numbers), total, min(numbers), max(numbers))


async def csat_report(
    session: AsyncSession,
    principal: Principal,
    params: ReportParams,
    *,
    interval: str,
    group_by: str | None,
) -> CsatReportRead:
    """Surveys sent in the range and their answers: score = good ÷ (good + bad)."""
    scope = await _scope(session, principal, params)
    group = _group_column(group_by, (*GROUPS, "cf"))
    found = _buckets(scope, interval)
    per: dict[str | None, list[list[int]]] = {}  # sent, good, bad per bucket
    totals = [0, 0, 0]
    source = "exact"
    if await _use_rollups(session, scope, group, by="csat_sent_at"):
        source = "rollup"
        first, last = found.days[0], _range_days(scope)[1]
        metric_index = {"survey_sent": 0, "survey_good": 1, "survey_bad": 2}
        for dimension in {"all", group or "all"}:
            for value, metric_name, day, n in await repository.counts_between(
                session, scope.workspace.id, dimension, first, last
            ):
                m = metric_index.get(metric_name)
                i = found.index_of_day(day)
                if m is None or i is None or not n:
                    continue
                if dimension == "all":
                    totals[m] += n
                if dimension == (group or "all"):
                    key = None if group is None else _rollup_key(value)
                    lines = per.setdefault(key, [[0] * len(found.days) for _ in range(3)])
                    lines[m][i] += n
        rows: Sequence[Any] = []
    else:
        custom = (
            await _custom_key(session, scope.workspace.id, group, "group_by")
            if group and group.startswith("cf.")
            else None
        )
        rows = await repository.csat_rows(
            session,
            scope.workspace.id,
            scope.tickets,
            _group_key(group, custom),
            scope.start,
            scope.end,
        )
    for raw, sent_at, answered_at, good in rows:
        at = sent_at or answered_at
        i = found.index_of(at)
        if i is None:
            continue
        cell = (
            1 if sent_at is not None else 0,
            1 if good is True else 0,
            1 if good is False else 0,
        )
        for n in range(3):
            totals[n] += cell[n]
        for key in _keys_of(raw):
            lines = per.setdefault(key, [[0] * len(found.days) for _ in range(3)])
            for n in range(3):
                lines[n][i] += cell[n]
    keys = _sort_keys(list(per))
    names = await _names(session, scope.workspace.id, group, keys)
    series = [
        CsatSeries(
            key=key,
            name=names.get(key),
            sent=per[key][0],
            responses=[g + b for g, b in zip(per[key][1], per[key][2], strict=True)],
            score=[
                round(g / (g + b), 4) if g + b else None
                for g, b in zip(per[key][1], per[key][2], strict=True)
            ],
        )
        for key in keys
    ]
    sent, good, bad = totals
    responses = good + bad
    return CsatReportRead(
        **scope.window(source),
        score=round(good / responses, 4) if responses else None,
        responses=responses,
        good=good,
        bad=bad,
        sent=sent,
        response_rate=round(responses / sent, 4) if sent else None,
        interval=interval,
        group_by=group_by,
        buckets=found.labels,
        series=series,
    )
