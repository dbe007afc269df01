"""HTTP for reports: the range, time zone and queue filters every report takes; JSON, or the
same table as CSV with `Accept: text/csv`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query
from fastapi.responses import Response

from ticketdesk.auth.principal import Reader
from ticketdesk.deps import SessionDep
from ticketdesk.errors import problems
from ticketdesk.reports import service
from ticketdesk.reports.schemas import (
    AgentsReportRead,
    CsatReportRead,
    FieldAgg,
    FieldsReportRead,
    Interval,
    ResponseTimesReportRead,
    SlaReportRead,
    SourceChoice,
    VolumeMetric,
    VolumeReportRead,
)
from ticketdesk.reports.tables import Report, table, to_csv
from ticketdesk.responses import SerializedJSON
from ticketdesk.schemas import Timestamp
from ticketdesk.tickets.filters import TicketFilters, ticket_filters_of_request

router = APIRouter(prefix="/reports", tags=["reports"])

GroupBy = Annotated[
    str | None,
    Query(
        max_length=70,
        description="channel, priority, type, category, label, team, assignee, status or "
        "cf.<key> (response-times: agent for assignee)",
    ),
]


async def report_params(
    filters: Annotated[TicketFilters, Depends(ticket_filters_of_request)],
    from_: Annotated[
        Timestamp | None, Query(alias="from", description="RFC 3339; default 30 days before `to`")
    ] = None,
    to: Annotated[Timestamp | None, Query(description="RFC 3339; default now")] = None,
    tz: Annotated[
        str | None,
        Query(max_length=64, description="IANA time zone; default the workspace's"),
    ] = None,
    source: Annotated[
        SourceChoice,
        Query(
            description="auto: exact up to 5,000 tickets, else the daily rollups when they "
            "can answer; exact or rollup to choose"
        ),
    ] = "auto",
) -> service.ReportParams:
    return service.ReportParams(start=from_, end=to, tz=tz, filters=filters, source=source)


Params = Annotated[service.ReportParams, Depends(report_params)]
AcceptHeader = Annotated[str | None, Header(max_length=500)]
_RESPONSES = {
    200: {"content": {"text/csv": {"schema": {"type": "string"}}}},
    **problems(401, 403, 422),
}


def _answer(report: Report, accept: str | None, name: str) -> Response:
    if accept and "text/csv" in accept:
        header, rows = table(report)
        return Response(
            to_csv(header, rows),
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="{name}.csv"',
                "Cache-Control": "no-store",
            },
        )
    return SerializedJSON(report.model_dump_json(by_alias=True).encode())


@router.get(
    "/volume", response_model=VolumeReportRead, operation_id="reports:volume", responses=_RESPONSES
)
async def volume_report(
    session: SessionDep,
    principal: Reader,
    params: Params,
    accept: AcceptHeader = None,
    metric: VolumeMetric = "created",
    interval: Interval = "day",
    group_by: GroupBy = None,
) -> Response:
    """Tickets created, solved, or unsolved at each bucket's end (backlog), per group."""
    report = await service.volume(
        session, principal, params, metric=metric, interval=interval, group_by=group_by
    )
    return _answer(report, accept, f"volume-{metric}")


@router.get(
    "/response-times",
    response_model=ResponseTimesReportRead,
    operation_id="reports:response_times",
    responses=_RESPONSES,
)
async def response_times_report(
    session: SessionDep,
    principal: Reader,
    params: Params,
    accept: AcceptHeader = None,
    group_by: GroupBy = None,
) -> Response:
    """First response, resolution and requester wait (minutes) of tickets created in range."""
    report = await service.response_times(session, principal, params, group_by=group_by)
    return _answer(report, accept, "response-times")


@router.get(
    "/agents", response_model=AgentsReportRead, operation_id="reports:agents", responses=_RESPONSES
)
async def agents_report(
    session: SessionDep, principal: Reader, params: Params, accept: AcceptHeader = None
) -> Response:
    """Per assignee, over the tickets created in range."""
    return _answer(await service.agents(session, principal, params), accept, "agents")


@router.get("/sla", response_model=SlaReportRead, operation_id="reports:sla", responses=_RESPONSES)
async def sla_report(
    session: SessionDep, principal: Reader, params: Params, accept: AcceptHeader = None
) -> Response:
    """Per SLA policy and priority: met, breached and near misses per target."""
    return _answer(await service.sla_report(session, principal, params), accept, "sla")


@router.get(
    "/fields", response_model=FieldsReportRead, operation_id="reports:fields", responses=_RESPONSES
)
async def fields_report(
    session: SessionDep,
    principal: Reader,
    params: Params,
    field: Annotated[str, Query(max_length=70, description="cf.<key>")],
    accept: AcceptHeader = None,
    agg: FieldAgg = "count",
    group_by: GroupBy = None,
) -> Response:
    """Custom-field analytics: counts per option, exact decimal sum/avg/min/max."""
    report = await service.field_report(
        session, principal, params, field_name=field, agg=agg, group_by=group_by
    )
    return _answer(report, accept, "fields")


@router.get(
    "/csat", response_model=CsatReportRead, operation_id="reports:csat", responses=_RESPONSES
)
async def csat_report(
    session: SessionDep,
    principal: Reader,
    params: Params,
    accept: AcceptHeader = None,
    interval: Interval = "day",
    group_by: GroupBy = None,
) -> Response:
    """Satisfaction: surveys sent in range, their answers, score = good ÷ (good + bad)."""
    report = await service.csat_report(
        session, principal, params, interval=interval, group_by=group_by
    )
    return _answer(report, accept, "csat")
