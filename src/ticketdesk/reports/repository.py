"""Queries of the reports room: metrics rows, rollup upserts, the rebuild's reads, and the
reads each report makes (always within one workspace: `_in_workspace`)."""

from __future__ import annotations

import json
import math
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import (
    JSON,
    Numeric,
    Select,
    Table,
    and_,
    bindparam,
    case,
    delete,
    func,
    insert,
    literal,
    literal_column,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from ticketdesk.db import dialect_name
from ticketdesk.models import (
    Event,
    Label,
    ReportCount,
    ReportDaily,
    ReportHistogram,
    SlaPolicy,
    Team,
    Ticket,
    TicketLabel,
    TicketMetrics,
    User,
    Workspace,
)
from ticketdesk.reports.durations import BUCKETS_PER_DOUBLING, bucket_of
from ticketdesk.reports.rollups import CountKey, DailyKey, HistogramKey

Model = type[TicketMetrics] | type[ReportDaily] | type[ReportHistogram] | type[ReportCount]


def _in_workspace(model: Model, workspace_id: uuid.UUID) -> Any:
    """The one tenant scope of every report query."""
    return model.workspace_id == workspace_id


_METRICS = cast(Table, TicketMetrics.__table__)
# a metrics row's read, insert and per-column-set updates: Core statements built once, so
# the compiled cache serves them and no ORM unit of work runs for a change's metrics
_READ_METRICS = select(_METRICS).where(_METRICS.c.ticket_id == bindparam("ticket"))
_INSERT_METRICS = insert(_METRICS)
_UPDATES: dict[tuple[str, ...], Any] = {}


async def metrics_values(session: AsyncSession, ticket_id: uuid.UUID) -> dict[str, Any] | None:
    """The ticket's stored metrics row as plain values (None: it has none yet)."""
    found = (await session.execute(_READ_METRICS, {"ticket": ticket_id})).first()
    return dict(zip(_METRICS.c.keys(), found, strict=True)) if found is not None else None


async def insert_metrics(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """New metrics rows: one statement per set of columns given (None columns are left to
    the column's NULL; executemany for several rows)."""
    shapes: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        given = {k: v for k, v in row.items() if v is not None}
        shapes.setdefault(tuple(given), []).append(given)
    for same in shapes.values():
        await session.execute(_INSERT_METRICS, same)


async def update_metrics(
    session: AsyncSession, columns: tuple[str, ...], rows: list[dict[str, Any]]
) -> None:
    """Set `columns` of the rows keyed by `ticket` (each row: those columns and `ticket`)."""
    stmt = _UPDATES.get(columns)
    if stmt is None:
        stmt = _UPDATES[columns] = (
            update(_METRICS)
            .where(_METRICS.c.ticket_id == bindparam("ticket"))
            .values({c: bindparam(c) for c in columns})
        )
    await session.execute(stmt, rows)


def _dialect_insert(session: AsyncSession) -> Any:
    if dialect_name(session) == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert  # type: ignore[assignment]
    return dialect_insert


# the rollup tables' keys and the counters an upsert adds to, with their SQL types
_ROLLUPS: dict[str, tuple[list[tuple[str, str]], list[str]]] = {
    "report_daily": (
        [("dimension", "text"), ("value", "text"), ("day", "date")],
        ["created", "solved", "backlog_change"],
    ),
    "report_histograms": (
        [
            ("dimension", "text"),
            ("value", "text"),
            ("metric", "text"),
            ("day", "date"),
            ("bucket", "int"),
        ],
        ["tickets", "total_seconds"],
    ),
    "report_counts": (
        [("dimension", "text"), ("value", "text"), ("metric", "text"), ("day", "date")],
        ["tickets"],
    ),
}
_UPSERTS: dict[tuple[str, str], Any] = {}


def _upsert(session: AsyncSession, table: str) -> Any:
    """The add-to-counters upsert of a rollup table: every cell of a transaction in one JSON
    array parameter (rows as arrays), so one statement of two parameters adds any number of
    cells, compiled once per dialect and table. A keyed executemany spends Python on every
    parameter of every row; this spends it in the database."""
    key = (dialect_name(session), table)
    stmt = _UPSERTS.get(key)
    if stmt is None:
        if key[0] == "postgresql":
            sql = _rollup_sql(table, "cells")
        else:
            keys, counters = _ROLLUPS[table]
            columns = [name for name, _ in keys] + counters
            cells = ", ".join(f"json_extract(r.value, '$[{i}]')" for i in range(len(columns)))
            added = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in counters)
            sql = (
                f"INSERT INTO {table} (workspace_id, {', '.join(columns)}) "
                f"SELECT :workspace_id, {cells} FROM json_each(:cells) AS r "
                "WHERE true "  # SQLite's grammar: an upsert's SELECT needs a WHERE
                f"ON CONFLICT (workspace_id, {', '.join(n for n, _ in keys)}) DO UPDATE SET {added}"
            )
        stmt = _UPSERTS[key] = text(sql).bindparams(
            bindparam("workspace_id", type_=ReportDaily.__table__.c.workspace_id.type)
        )
    return stmt


_encode = json.JSONEncoder(default=str, separators=(",", ":")).encode  # days as ISO text


def _cells(cells: dict[Any, list[int]]) -> str:
    """Rollup cells as one JSON array of [*key, *counters] rows, in key order."""
    if not cells:
        return "[]"
    return _encode([[*key, *counts] for key, counts in sorted(cells.items())])


_ONE_TICKET: dict[tuple[str, tuple[str, ...]], Any] = {}


def _rollup_sql(table: str, cells: str) -> str:
    """PostgreSQL: the add-to-counters upsert of `table` from the JSON parameter `cells`."""
    keys, counters = _ROLLUPS[table]
    columns = [name for name, _ in keys] + counters
    kinds = [kind for _, kind in keys] + ["bigint"] * len(counters)
    values = ", ".join(f"CAST(r.c ->> {i} AS {kind})" for i, kind in enumerate(kinds))
    added = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in counters)
    return (
        f"INSERT INTO {table} (workspace_id, {', '.join(columns)}) "
        f"SELECT :workspace_id, {values} "
        f"FROM jsonb_array_elements(CAST(:{cells} AS jsonb)) AS r(c) "
        f"ON CONFLICT (workspace_id, {', '.join(n for n, _ in keys)}) DO UPDATE SET {added}"
    )


_LOCK_ROLLUPS = text(
    # the one-key (bigint) space: the ticket counters' two-key locks are elsewhere
    "SELECT pg_advisory_xact_lock(hashtextextended(CAST(:workspace_id AS text), 14))"
)


async def lock_rollups(session: AsyncSession, workspace_ids: Iterable[uuid.UUID]) -> None:
    """PostgreSQL: take the workspaces' rollup locks (in id order) before writing metrics
    and rollups, held to commit. Every change of a workspace adds to the same few rows (its
    `all` cells of today), so its writers queue there anyway; taken in statements that lock
    rows in no guaranteed order (an upsert's CTEs), they could deadlock. This way they wait."""
    if dialect_name(session) != "postgresql":
        return
    for workspace_id in sorted(workspace_ids):
        await session.execute(_LOCK_ROLLUPS, {"workspace_id": str(workspace_id)})


async def write_one_ticket(
    session: AsyncSession,
    values: dict[str, Any],
    columns: tuple[str, ...] | None,
    daily: dict[DailyKey, list[int]],
    histograms: dict[HistogramKey, list[int]],
    counts: dict[CountKey, list[int]],
) -> bool:
    """PostgreSQL: one ticket's metrics write (`columns` None: insert the row; else update
    those columns) and both rollup upserts as one statement (data-modifying CTEs), one round
    trip for a change's whole reporting. False elsewhere: the caller writes them apart."""
    if dialect_name(session) != "postgresql":
        return False
    given = tuple(k for k, v in values.items() if v is not None) if columns is None else columns
    key = ("insert" if columns is None else "update", given)
    stmt = _ONE_TICKET.get(key)
    if stmt is None:
        if columns is None:
            write = (
                f"INSERT INTO ticket_metrics ({', '.join(given)}) "
                f"VALUES ({', '.join(':' + c for c in given)})"
            )
        else:
            write = (
                f"UPDATE ticket_metrics SET {', '.join(f'{c} = :{c}' for c in given)} "
                "WHERE ticket_id = :m_ticket"
            )
        stmt = _ONE_TICKET[key] = text(
            f"WITH m AS ({write}), d AS ({_rollup_sql('report_daily', 'daily')}), "
            f"h AS ({_rollup_sql('report_histograms', 'histograms')}) "
            + _rollup_sql("report_counts", "counts")
        ).bindparams(
            bindparam("workspace_id", type_=ReportDaily.__table__.c.workspace_id.type),
            *([] if columns is None else [bindparam("m_ticket", type_=_METRICS.c.ticket_id.type)]),
            *(bindparam(c, type_=_METRICS.c[c].type) for c in given),
        )
    params = {c: values[c] for c in given}
    params["workspace_id"] = values["workspace_id"]
    if columns is not None:
        params["m_ticket"] = values["ticket_id"]
    params["daily"], params["histograms"] = _cells(daily), _cells(histograms)
    params["counts"] = _cells(counts)
    await session.execute(stmt, params)
    return True


async def add_to_rollups(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    daily: dict[DailyKey, list[int]],
    histograms: dict[HistogramKey, list[int]],
    counts: dict[CountKey, list[int]],
) -> None:
    """Add the deltas, one upsert per table (keys sorted: a stable lock order)."""
    for table, cells in (
        ("report_daily", daily),
        ("report_histograms", histograms),
        ("report_counts", counts),
    ):
        if cells:
            await session.execute(
                _upsert(session, table), {"workspace_id": workspace_id, "cells": _cells(cells)}
            )


# -- rebuild -----------------------------------------------------------------------------------


async def workspaces(session: AsyncSession, workspace_id: uuid.UUID | None) -> Sequence[Workspace]:
    stmt = select(Workspace).order_by(Workspace.id)
    if workspace_id is not None:
        stmt = stmt.where(Workspace.id == workspace_id)
    return (await session.scalars(stmt)).all()


async def ticket(session: AsyncSession, ticket_id: uuid.UUID) -> Ticket | None:
    return await session.get(Ticket, ticket_id)


async def workspace(session: AsyncSession, workspace_id: uuid.UUID) -> Workspace | None:
    return await session.get(Workspace, workspace_id)


async def workspace_by_slug(session: AsyncSession, slug: str) -> Workspace | None:
    return await session.scalar(select(Workspace).where(Workspace.slug == slug))


async def count_tickets(session: AsyncSession, workspace_id: uuid.UUID) -> int:
    return int(
        await session.scalar(select(func.count()).where(Ticket.workspace_id == workspace_id)) or 0
    )


# what a ticket's metrics read of it (reports.metrics.TicketFacts), as plain rows
TICKET_FACTS = (
    Ticket.id,
    Ticket.workspace_id,
    Ticket.created_at,
    Ticket.status,
    Ticket.status_category,
    Ticket.status_changed_at,
    Ticket.priority,
    Ticket.type,
    Ticket.category,
    Ticket.channel,
    Ticket.assignee_id,
    Ticket.team_id,
    Ticket.sla_policy_id,
    Ticket.first_response_due_at,
    Ticket.resolution_due_at,
)


async def ticket_batch(
    session: AsyncSession, workspace_id: uuid.UUID, after: uuid.UUID | None, limit: int
) -> Sequence[Any]:
    """The next tickets by id, as rows of TICKET_FACTS (no ORM objects: a rebuild reads all)."""
    stmt = select(*TICKET_FACTS).where(Ticket.workspace_id == workspace_id)
    if after is not None:
        stmt = stmt.where(Ticket.id > after)
    return list(await session.execute(stmt.order_by(Ticket.id).limit(limit)))


async def events_of(
    session: AsyncSession, ticket_ids: Sequence[uuid.UUID], types: Sequence[str]
) -> dict[uuid.UUID, list[Event]]:
    """The tickets' events of `types`, each ticket's in the order they were written."""
    found: dict[uuid.UUID, list[Event]] = defaultdict(list)
    if not ticket_ids:
        return found
    stmt = (
        select(Event)
        .where(Event.ticket_id.in_(ticket_ids), Event.type.in_(types))
        .order_by(Event.ticket_id, Event.id)
    )
    for event in await session.scalars(stmt):
        assert event.ticket_id is not None
        found[event.ticket_id].append(event)
    return found


async def event_rows_of(
    session: AsyncSession, ticket_ids: Sequence[uuid.UUID], types: Sequence[str]
) -> dict[uuid.UUID, list[Any]]:
    """The same as plain rows (ticket_id, type, created_at, actor_kind, data), for a rebuild."""
    found: dict[uuid.UUID, list[Any]] = defaultdict(list)
    if not ticket_ids:
        return found
    stmt = (
        select(Event.ticket_id, Event.type, Event.created_at, Event.actor_kind, Event.data)
        .where(Event.ticket_id.in_(ticket_ids), Event.type.in_(types))
        .order_by(Event.ticket_id, Event.id)
    )
    for row in await session.execute(stmt):
        found[row.ticket_id].append(row)
    return found


async def labels_by_ticket(
    session: AsyncSession, ticket_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[str]]:
    found: dict[uuid.UUID, list[str]] = defaultdict(list)
    if not ticket_ids:
        return found
    rows = await session.execute(
        select(TicketLabel.ticket_id, Label.name)
        .join(Label, Label.id == TicketLabel.label_id)
        .where(TicketLabel.ticket_id.in_(ticket_ids))
    )
    for ticket_id, name in rows:
        found[ticket_id].append(name)
    return found


async def _copy(session: AsyncSession, model: Model, rows: list[dict[str, Any]]) -> None:
    """Many new rows at once: binary COPY on PostgreSQL (little Python per row, as the seed
    writes), executemany elsewhere."""
    if not rows:
        return
    if dialect_name(session) != "postgresql":
        await session.execute(insert(model), rows)
        return
    columns = list(rows[0])
    table = model.__table__
    as_text = [isinstance(table.c[c].type, JSON) for c in columns]  # jsonb goes as its text
    records = [
        tuple(
            json.dumps(row[c]) if text and row[c] is not None else row[c]
            for c, text in zip(columns, as_text, strict=True)
        )
        for row in rows
    ]
    conn = await session.connection()
    raw = await conn.get_raw_connection()
    driver = raw.driver_connection
    assert driver is not None
    await driver.copy_records_to_table(
        model.__tablename__,
        records=records,
        columns=columns,
    )


async def replace_metrics(
    session: AsyncSession, ticket_ids: Sequence[uuid.UUID], rows: list[dict[str, Any]]
) -> None:
    await session.execute(delete(TicketMetrics).where(TicketMetrics.ticket_id.in_(ticket_ids)))
    await _copy(session, TicketMetrics, rows)


async def insert_rollups(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    daily: dict[DailyKey, list[int]],
    histograms: dict[HistogramKey, list[int]],
    counts: dict[CountKey, list[int]],
    chunk: int = 5000,
) -> None:
    """Write rollups into a workspace whose rollups were just cleared (a rebuild): plain
    inserts, a chunk per statement."""
    daily_rows = [
        {
            "workspace_id": workspace_id,
            "dimension": dimension,
            "value": value,
            "day": day,
            "created": counts[0],
            "solved": counts[1],
            "backlog_change": counts[2],
        }
        for (dimension, value, day), counts in daily.items()
    ]
    histogram_rows = [
        {
            "workspace_id": workspace_id,
            "dimension": dimension,
            "value": value,
            "metric": metric,
            "day": day,
            "bucket": bucket,
            "tickets": counts[0],
            "total_seconds": counts[1],
        }
        for (dimension, value, metric, day, bucket), counts in histograms.items()
    ]
    count_rows = [
        {
            "workspace_id": workspace_id,
            "dimension": dimension,
            "value": value,
            "metric": metric,
            "day": day,
            "tickets": n[0],
        }
        for (dimension, value, metric, day), n in counts.items()
    ]
    for model, rows in (
        (ReportDaily, daily_rows),
        (ReportHistogram, histogram_rows),
        (ReportCount, count_rows),
    ):
        for start in range(0, len(rows), chunk):
            await _copy(session, model, rows[start : start + chunk])


def _bucket_edges() -> list[int]:
    """The least whole seconds of each histogram bucket from 1 on (bucket_of's own edges, so
    SQL's width_bucket over them gives bucket_of's answer exactly)."""
    edges = []
    for bucket in range(1, 160):
        low = max(0, math.ceil(60 * (2 ** (bucket / BUCKETS_PER_DOUBLING) - 1)) - 2)
        while bucket_of(low) < bucket:
            low += 1
        edges.append(low)
    return edges


_EDGES = _bucket_edges()
_DIMENSIONS_SQL = """
WITH m AS (SELECT * FROM ticket_metrics WHERE workspace_id = :workspace_id),
dims AS (
  SELECT m.*, d.dimension, d.value,
         (m.created_at AT TIME ZONE :tz)::date AS created_day
  FROM m CROSS JOIN LATERAL (
    VALUES ('all', ''), ('channel', coalesce(m.channel, '')),
           ('priority', coalesce(m.priority, '')), ('type', coalesce(m.type, '')),
           ('category', coalesce(m.category, '')), ('team', coalesce(m.team_id::text, '')),
           ('assignee', coalesce(m.assignee_id::text, ''))
    UNION ALL
    SELECT 'label', left(l.label, 64) FROM jsonb_array_elements_text(
      CASE WHEN jsonb_array_length(coalesce(m.labels, '[]')) = 0 THEN '[""]'::jsonb
           ELSE m.labels END) AS l(label)
  ) AS d(dimension, value)
)
"""
_ROLLUPS_FROM_METRICS = {
    "report_daily": _DIMENSIONS_SQL
    + """, cells AS (
  SELECT dimension, value, created_day AS day, 1 AS created, 0 AS solved, 1 AS backlog
  FROM dims
  UNION ALL
  SELECT dimension, value, (solved_at AT TIME ZONE :tz)::date, 0, 1, 0
  FROM dims WHERE solved_at IS NOT NULL
  UNION ALL
  SELECT dimension, value, ((p.period ->> 0)::timestamptz AT TIME ZONE :tz)::date, 0, 0, -1
  FROM dims CROSS JOIN LATERAL jsonb_array_elements(coalesce(done_periods, '[]')) AS p(period)
  UNION ALL
  SELECT dimension, value, ((p.period ->> 1)::timestamptz AT TIME ZONE :tz)::date, 0, 0, 1
  FROM dims CROSS JOIN LATERAL jsonb_array_elements(coalesce(done_periods, '[]')) AS p(period)
  WHERE p.period ->> 1 IS NOT NULL
)
INSERT INTO report_daily (workspace_id, dimension, value, day, created, solved, backlog_change)
SELECT :workspace_id, dimension, value, day, sum(created), sum(solved), sum(backlog)
FROM cells GROUP BY dimension, value, day
HAVING sum(created) <> 0 OR sum(solved) <> 0 OR sum(backlog) <> 0
""",
    "report_histograms": _DIMENSIONS_SQL
    + """
INSERT INTO report_histograms
  (workspace_id, dimension, value, metric, day, bucket, tickets, total_seconds)
SELECT :workspace_id, dimension, value, x.metric, created_day,
       width_bucket(x.seconds::bigint, CAST(:edges AS bigint[])), count(*), sum(x.seconds)
FROM dims CROSS JOIN LATERAL (VALUES
  ('first_response', first_response_seconds),
  ('first_response_business', first_response_business_seconds),
  ('resolution', resolution_seconds),
  ('resolution_business', resolution_business_seconds),
  ('requester_wait', requester_wait_seconds),
  ('requester_wait_business', requester_wait_business_seconds)
) AS x(metric, seconds)
WHERE x.seconds IS NOT NULL
GROUP BY dimension, value, x.metric, created_day, 6
""",
    "report_counts": _DIMENSIONS_SQL
    + """
INSERT INTO report_counts (workspace_id, dimension, value, metric, day, tickets)
SELECT :workspace_id, dimension, value, c.metric, c.day, count(*)
FROM dims CROSS JOIN LATERAL (VALUES
  ('solved', created_day, solved_at IS NOT NULL),
  ('one_touch', created_day, solved_at IS NOT NULL AND one_touch),
  ('reopened', created_day, reopens > 0),
  ('csat_good', created_day, csat_good IS TRUE),
  ('csat_bad', created_day, csat_good IS FALSE),
  ('survey_sent', (coalesce(csat_sent_at, csat_answered_at) AT TIME ZONE :tz)::date,
   csat_sent_at IS NOT NULL),
  ('survey_good', (coalesce(csat_sent_at, csat_answered_at) AT TIME ZONE :tz)::date,
   coalesce(csat_sent_at, csat_answered_at) IS NOT NULL AND csat_good IS TRUE),
  ('survey_bad', (coalesce(csat_sent_at, csat_answered_at) AT TIME ZONE :tz)::date,
   coalesce(csat_sent_at, csat_answered_at) IS NOT NULL AND csat_good IS FALSE)
) AS c(metric, day, yes)
WHERE c.yes
GROUP BY dimension, value, c.metric, c.day
""",
}


REBUILD_WORK_MEM = "256MB"


def adds_up_in_database(session: AsyncSession) -> bool:
    """Whether the database adds up rollups, local days and custom fields here (PostgreSQL:
    time zones, exact `numeric`, JSON laterals); SQLite's are added up in Python."""
    return dialect_name(session) == "postgresql"


async def rollups_from_metrics(session: AsyncSession, workspace_id: uuid.UUID, tz: str) -> None:
    """A rebuild's rollups as three INSERT ... SELECT over the workspace's metrics rows (into
    rollups just cleared): the same cells `rollups.Contribution` adds up, in the database.
    Each groups millions of (ticket, dimension) cells: given the memory to hash them, it need
    not sort them on disk (for this transaction only)."""
    await session.execute(text(f"SET LOCAL work_mem = '{REBUILD_WORK_MEM}'"))
    for sql in _ROLLUPS_FROM_METRICS.values():
        await session.execute(
            text(sql).bindparams(
                bindparam("workspace_id", type_=ReportDaily.__table__.c.workspace_id.type)
            ),
            {"workspace_id": workspace_id, "tz": tz, "edges": _EDGES}
            if "edges" in sql
            else {"workspace_id": workspace_id, "tz": tz},
        )


async def clear_rollups(session: AsyncSession, workspace_id: uuid.UUID) -> None:
    await session.execute(delete(ReportDaily).where(_in_workspace(ReportDaily, workspace_id)))
    await session.execute(
        delete(ReportHistogram).where(_in_workspace(ReportHistogram, workspace_id))
    )
    await session.execute(delete(ReportCount).where(_in_workspace(ReportCount, workspace_id)))


async def delete_orphan_metrics(session: AsyncSession, workspace_id: uuid.UUID) -> None:
    """Rows whose ticket is gone (a cascade removes them; this is belt and braces)."""
    await session.execute(
        delete(TicketMetrics).where(
            _in_workspace(TicketMetrics, workspace_id),
            # NOT EXISTS, an anti-join: NOT IN over a million ids is a subplan per row
            ~select(Ticket.id).where(Ticket.id == TicketMetrics.ticket_id).exists(),
        )
    )


# -- report reads ------------------------------------------------------------------------------


def _ticket_ids(tickets: Select[Any]) -> Select[Any]:
    return tickets.with_only_columns(Ticket.id).order_by(None)


async def more_metrics_than(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    by: str,
    start: datetime,
    end: datetime,
    limit: int,
) -> bool:
    """Whether more than `limit` rows have their `by` time in [start, end): counted no
    further than limit + 1 (a whole month of a million tickets is not counted to decide)."""
    inside = select(literal(1)).where(_in_workspace(TicketMetrics, workspace_id))
    some = _in_range(inside, by, start, end).limit(limit + 1).subquery()
    return int(await session.scalar(select(func.count()).select_from(some)) or 0) > limit


def _grouped(
    workspace_id: uuid.UUID,
    tickets: Select[Any] | None,
    group: str | None,
    columns: Sequence[Any],
    value_field: str | None = None,
) -> Select[Any]:
    """Metrics rows as (group value, *columns): a metrics column, or a custom field's value
    (`cf.<key>`, from the ticket); `value_field`: a custom field's value as the last column."""
    join = value_field is not None or (group is not None and group.startswith("cf."))
    if group is None:
        key: Any = literal(None)
    elif group.startswith("cf."):
        key = Ticket.custom_fields[group.removeprefix("cf.")]
    else:
        key = getattr(TicketMetrics, group)
    extra = [Ticket.custom_fields[value_field]] if value_field is not None else []
    stmt = (
        select(key, *columns, *extra)
        .select_from(TicketMetrics)
        .where(_in_workspace(TicketMetrics, workspace_id))
    )
    if join:
        stmt = stmt.join(Ticket, Ticket.id == TicketMetrics.ticket_id)
    if tickets is not None:
        stmt = stmt.where(TicketMetrics.ticket_id.in_(_ticket_ids(tickets)))
    return stmt


async def group_rows(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    tickets: Select[Any] | None,
    group: str | None,
    columns: Sequence[str],
    *,
    by: str | None,
    start: datetime,
    end: datetime,
    value_field: str | None = None,
) -> Sequence[Any]:
    """Rows whose `by` time falls in [start, end) (None: every ticket created before end)."""
    stmt = _grouped(
        workspace_id, tickets, group, [getattr(TicketMetrics, c) for c in columns], value_field
    )
    return list(await session.execute(_in_range(stmt, by, start, end)))


def _in_range(stmt: Select[Any], by: str | None, start: datetime, end: datetime) -> Select[Any]:
    if by is None:
        return stmt.where(TicketMetrics.created_at < end)
    column = getattr(TicketMetrics, by)
    return stmt.where(column >= start, column < end)


async def count_by_local_day(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    tickets: Select[Any] | None,
    group: str | None,
    by: str,
    *,
    start: datetime,
    end: datetime,
    tz: str,
) -> Sequence[Any]:
    """PostgreSQL: (group value, local day of `by` in `tz`, tickets) of the rows whose `by`
    time falls in [start, end), counted by the database (the exact volume report)."""
    column = getattr(TicketMetrics, by)
    day = func.date(func.timezone(tz, column))
    stmt = _in_range(_grouped(workspace_id, tickets, group, [day, func.count()]), by, start, end)
    key = list(stmt.selected_columns)[0]
    return list(await session.execute(stmt.group_by(*([key] if group else []), day)))


async def csat_rows(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    tickets: Select[Any] | None,
    group: str | None,
    start: datetime,
    end: datetime,
) -> Sequence[Any]:
    """(group, sent_at, answered_at, good) of surveys sent (or, unsent, answered) in range."""
    columns = [TicketMetrics.csat_sent_at, TicketMetrics.csat_answered_at, TicketMetrics.csat_good]
    stmt = _grouped(workspace_id, tickets, group, columns).where(
        or_(
            and_(TicketMetrics.csat_sent_at >= start, TicketMetrics.csat_sent_at < end),
            and_(
                TicketMetrics.csat_sent_at.is_(None),
                TicketMetrics.csat_answered_at >= start,
                TicketMetrics.csat_answered_at < end,
            ),
        )
    )
    return list(await session.execute(stmt))


async def _names(
    session: AsyncSession,
    model: type[User] | type[Team] | type[SlaPolicy],
    workspace_id: uuid.UUID,
    ids: Iterable[uuid.UUID],
) -> dict[uuid.UUID, str]:
    """Names by id of this workspace's users, teams or SLA policies (one query)."""
    wanted = list(ids)
    if not wanted:
        return {}
    rows = await session.execute(
        select(model.id, model.name).where(model.workspace_id == workspace_id, model.id.in_(wanted))
    )
    return {i: n for i, n in rows}


async def user_names(
    session: AsyncSession, workspace_id: uuid.UUID, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, str]:
    return await _names(session, User, workspace_id, ids)


async def team_names(
    session: AsyncSession, workspace_id: uuid.UUID, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, str]:
    return await _names(session, Team, workspace_id, ids)


def _json_values(column: Any, keep_empty: bool) -> Any:
    """A lateral of one row per value of a JSON column (each element of a list, else the
    scalar itself) as text; an empty value is one NULL row (`keep_empty`) or none."""
    value = func.to_jsonb(column)
    listed = case(
        (func.jsonb_typeof(value) == "array", value),
        else_=func.jsonb_build_array(value.op("#>>")(literal_column("'{}'"))),
    )
    items = func.jsonb_array_elements_text(listed).table_valued("item").render_derived().lateral()
    if not keep_empty:
        return items, items.c.item.is_not(None) & (items.c.item != "")
    return items, None


async def field_aggregates(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    tickets: Select[Any] | None,
    group: str | None,
    value_field: str,
    *,
    start: datetime,
    end: datetime,
    counting: bool,
) -> tuple[list[Any], list[Any]]:
    """PostgreSQL: a field report over the tickets created in [start, end), added up by the
    database. Per group value (a list counts under each of its values, an empty one under
    NULL): (key, tickets with a value, how many of those are numbers, their exact sum, min,
    max); and (`counting`) (key, option, tickets holding it)."""
    stmt = _in_range(
        _grouped(workspace_id, tickets, group, [], value_field), "created_at", start, end
    )
    grouped = group is not None
    rows = stmt.subquery("r")
    key_column, value_column = list(rows.c)
    value = func.to_jsonb(value_column)
    has_value = and_(
        value.is_not(None),
        value.op("<>")(literal_column("'null'::jsonb")),
        value.op("<>")(literal_column("'\"\"'::jsonb")),
        value.op("<>")(literal_column("'[]'::jsonb")),
    )
    text_value = value.op("#>>")(literal_column("'{}'"))
    number = case(
        (func.jsonb_typeof(value) == "number", text_value.cast(Numeric)),
        (
            and_(
                func.jsonb_typeof(value) == "string",
                text_value.op("~")(literal_column("'^[+-]?[0-9]+(\\.[0-9]+)?$'")),
            ),
            text_value.cast(Numeric),
        ),
        else_=None,
    )
    if grouped:
        keys, _ = _json_values(key_column, keep_empty=True)
        key: Any = func.nullif(keys.c.item, "")
        base = select(key.label("key"), number.label("number"), value_column).select_from(
            rows.join(keys, literal(True))
        )
    else:
        base = select(literal(None).label("key"), number.label("number"), value_column)
        base = base.select_from(rows)
    base = base.where(has_value)
    per_key = base.subquery("k")
    totals = select(
        per_key.c.key,
        func.count(),
        func.count(per_key.c.number),
        func.sum(per_key.c.number),
        func.min(per_key.c.number),
        func.max(per_key.c.number),
    ).group_by(per_key.c.key)
    found = list(await session.execute(totals))
    options: list[Any] = []
    if counting:
        items, nonempty = _json_values(list(per_key.c)[2], keep_empty=False)
        stmt_options = (
            select(per_key.c.key, items.c.item, func.count())
            .select_from(per_key.join(items, literal(True)))
            .where(nonempty)
            .group_by(per_key.c.key, items.c.item)
        )
        options = list(await session.execute(stmt_options))
    return found, options


def _outcome(target: Any, elapsed: Any, done_at: Any, due_at: Any, now: datetime) -> Any:
    """'met', 'near_miss' (met after 80 % of the target: elapsed * 5 >= target * 4, whole
    seconds, no rounding), 'breached', or NULL (no target, or still running inside it)."""
    return case(
        (target.is_(None), None),
        (
            elapsed.is_not(None),
            case(
                (elapsed > target, "breached"),
                (elapsed * 5 >= target * 4, "near_miss"),
                else_="met",
            ),
        ),
        (and_(due_at.is_not(None), due_at < func.coalesce(done_at, now)), "breached"),
        else_=None,
    )


async def sla_outcomes(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    tickets: Select[Any] | None,
    start: datetime,
    end: datetime,
    now: datetime,
) -> Sequence[Any]:
    """Per (SLA policy, priority) of the tickets created in [start, end): how many, and how
    many of each target's outcomes, counted in the database (one grouped statement)."""
    m = TicketMetrics
    first = _outcome(
        m.sla_first_response_target_seconds,
        m.first_response_business_seconds,
        m.solved_at,
        m.sla_first_response_due_at,
        now,
    )
    resolution = _outcome(
        m.sla_resolution_target_seconds,
        case((m.solved_at.is_not(None), m.requester_wait_business_seconds), else_=None),
        m.solved_at,
        m.sla_resolution_due_at,
        now,
    )

    def counted(outcome: Any, value: str) -> Any:
        return func.coalesce(func.sum(case((outcome == value, 1), else_=0)), 0)

    columns = [
        m.sla_policy_id,
        m.priority,
        func.count(),
        *(counted(o, v) for o in (first, resolution) for v in OUTCOMES),
    ]
    stmt = _in_range(_grouped(workspace_id, tickets, None, columns), "created_at", start, end)
    stmt = stmt.where(m.sla_policy_id.is_not(None)).group_by(m.sla_policy_id, m.priority)
    return list(await session.execute(stmt))


OUTCOMES = ("met", "near_miss", "breached")


async def policy_names(
    session: AsyncSession, workspace_id: uuid.UUID, ids: set[uuid.UUID]
) -> dict[uuid.UUID, str]:
    return await _names(session, SlaPolicy, workspace_id, ids)


async def backlog_before(
    session: AsyncSession, workspace_id: uuid.UUID, dimension: str, day: date
) -> dict[str, int]:
    """Per value, the backlog at the end of the day before `day`."""
    rows = await session.execute(
        select(ReportDaily.value, func.sum(ReportDaily.backlog_change))
        .where(
            _in_workspace(ReportDaily, workspace_id),
            ReportDaily.dimension == dimension,
            ReportDaily.day < day,
        )
        .group_by(ReportDaily.value)
    )
    return {value: int(total or 0) for value, total in rows}


async def daily_between(
    session: AsyncSession, workspace_id: uuid.UUID, dimension: str, first: date, last: date
) -> Sequence[Any]:
    stmt = select(
        ReportDaily.value,
        ReportDaily.day,
        ReportDaily.created,
        ReportDaily.solved,
        ReportDaily.backlog_change,
    ).where(
        _in_workspace(ReportDaily, workspace_id),
        ReportDaily.dimension == dimension,
        ReportDaily.day >= first,
        ReportDaily.day <= last,
    )
    return list(await session.execute(stmt))


async def histogram_between(
    session: AsyncSession, workspace_id: uuid.UUID, dimension: str, first: date, last: date
) -> Sequence[Any]:
    """Per value, metric and bucket: tickets and seconds, summed over the days."""
    stmt = (
        select(
            ReportHistogram.value,
            ReportHistogram.metric,
            ReportHistogram.bucket,
            func.sum(ReportHistogram.tickets),
            func.sum(ReportHistogram.total_seconds),
        )
        .where(
            _in_workspace(ReportHistogram, workspace_id),
            ReportHistogram.dimension == dimension,
            ReportHistogram.day >= first,
            ReportHistogram.day <= last,
        )
        .group_by(ReportHistogram.value, ReportHistogram.metric, ReportHistogram.bucket)
    )
    return list(await session.execute(stmt))


async def counts_between(
    session: AsyncSession, workspace_id: uuid.UUID, dimension: str, first: date, last: date
) -> Sequence[Any]:
    """(value, metric, day, tickets) of the count rollups of these days."""
    stmt = select(
        ReportCount.value, ReportCount.metric, ReportCount.day, ReportCount.tickets
    ).where(
        _in_workspace(ReportCount, workspace_id),
        ReportCount.dimension == dimension,
        ReportCount.day >= first,
        ReportCount.day <= last,
    )
    return list(await session.execute(stmt))


async def rollup_snapshot(session: AsyncSession, workspace_id: uuid.UUID) -> dict[str, Any]:
    """Every nonzero rollup cell of the workspace (tests compare incremental and rebuilt)."""
    daily = await session.execute(
        select(
            ReportDaily.dimension,
            ReportDaily.value,
            ReportDaily.day,
            ReportDaily.created,
            ReportDaily.solved,
            ReportDaily.backlog_change,
        ).where(_in_workspace(ReportDaily, workspace_id))
    )
    histograms = await session.execute(
        select(
            ReportHistogram.dimension,
            ReportHistogram.value,
            ReportHistogram.metric,
            ReportHistogram.day,
            ReportHistogram.bucket,
            ReportHistogram.tickets,
            ReportHistogram.total_seconds,
        ).where(_in_workspace(ReportHistogram, workspace_id))
    )
    counts = await session.execute(
        select(
            ReportCount.dimension,
            ReportCount.value,
            ReportCount.metric,
            ReportCount.day,
            ReportCount.tickets,
        ).where(_in_workspace(ReportCount, workspace_id))
    )
    return {
        "counts": {tuple(r[:4]): r[4] for r in counts if r[4]},
        "daily": {tuple(r[:3]): tuple(r[3:]) for r in daily if any(r[3:])},
        "histograms": {tuple(r[:5]): tuple(r[5:]) for r in histograms if any(r[5:])},
    }


async def all_metrics(session: AsyncSession, workspace_id: uuid.UUID) -> Sequence[TicketMetrics]:
    stmt = select(TicketMetrics).where(_in_workspace(TicketMetrics, workspace_id))
    return (await session.scalars(stmt.order_by(TicketMetrics.ticket_id))).all()
