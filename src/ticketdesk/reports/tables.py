"""Each report as one table (a header and rows): what `Accept: text/csv` sends."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from ticketdesk.reports.schemas import (
    AgentsReportRead,
    CsatReportRead,
    Duration,
    FieldsReportRead,
    ResponseTimesReportRead,
    SlaReportRead,
    SlaTargetOutcome,
    VolumeReportRead,
)

Report = (
    VolumeReportRead
    | ResponseTimesReportRead
    | AgentsReportRead
    | SlaReportRead
    | FieldsReportRead
    | CsatReportRead
)


def _durations(name: str) -> list[str]:
    return [
        f"{name}_{clock}_{stat}"
        for clock in ("calendar", "business")
        for stat in ("median", "p90", "avg")
    ]


def _duration_cells(value: Duration) -> list[Any]:
    return [
        getattr(getattr(value, clock), stat)
        for clock in ("calendar", "business")
        for stat in ("median", "p90", "avg")
    ]


def _sla_cells(value: SlaTargetOutcome) -> list[Any]:
    return [value.tickets, value.met, value.breached, value.breach_rate, value.near_miss]


def table(report: Report) -> tuple[list[str], list[list[Any]]]:
    if isinstance(report, VolumeReportRead):
        header = ["bucket", "key", "name", report.metric]
        rows = [
            [bucket, line.key, line.name, count]
            for line in report.series
            for bucket, count in zip(report.buckets, line.counts, strict=True)
        ]
        return header, rows
    if isinstance(report, ResponseTimesReportRead):
        header = ["key", "name", "tickets"] + [
            c for n in ("first_response", "resolution", "requester_wait") for c in _durations(n)
        ]
        return header, [
            [r.key, r.name, r.tickets]
            + _duration_cells(r.first_response)
            + _duration_cells(r.resolution)
            + _duration_cells(r.requester_wait)
            for r in report.rows
        ]
    if isinstance(report, AgentsReportRead):
        header = ["key", "name", "assigned", "solved", "reopened", "one_touch"]
        header += _durations("first_response") + _durations("resolution")
        header += ["csat_score", "csat_responses", "csat_good", "csat_bad"]
        return header, [
            [r.key, r.name, r.assigned, r.solved, r.reopened, r.one_touch]
            + _duration_cells(r.first_response)
            + _duration_cells(r.resolution)
            + [r.csat.score, r.csat.responses, r.csat.good, r.csat.bad]
            for r in report.rows
        ]
    if isinstance(report, SlaReportRead):
        kinds = ("tickets", "met", "breached", "breach_rate", "near_miss")
        header = ["policy_id", "policy", "priority", "tickets"]
        header += [f"{target}_{k}" for target in ("first_response", "resolution") for k in kinds]
        return header, [
            [r.policy_id, r.policy, r.priority, r.tickets]
            + _sla_cells(r.first_response)
            + _sla_cells(r.resolution)
            for r in report.rows
        ]
    if isinstance(report, FieldsReportRead):
        if report.agg == "count":
            return ["key", "name", "option", "count"], [
                [r.key, r.name, o.value, o.count] for r in report.rows for o in r.options
            ]
        return ["key", "name", "tickets", report.agg], [
            [r.key, r.name, r.tickets, r.value] for r in report.rows
        ]
    header = ["bucket", "key", "name", "sent", "responses", "score"]
    return header, [
        [bucket, s.key, s.name, sent, responses, score]
        for s in report.series
        for bucket, sent, responses, score in zip(
            report.buckets, s.sent, s.responses, s.score, strict=True
        )
    ]


def _safe(value: Any) -> Any:
    """A cell a spreadsheet will not run as a formula."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return "" if value is None else value


def to_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_safe(v) for v in row])
    return out.getvalue()
