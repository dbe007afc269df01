"""The shapes of the reports (every report says whether it was counted exactly from the
tickets' metrics rows or estimated from the daily rollups: `source`)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from ticketdesk.schemas import UtcDateTime

Source = Literal["exact", "rollup"]
SourceChoice = Literal["auto", "exact", "rollup"]
Interval = Literal["day", "week", "month"]
VolumeMetric = Literal["created", "solved", "backlog"]
FieldAgg = Literal["count", "sum", "avg", "min", "max"]


class ReportWindow(BaseModel):
    """What a report covers: [from, to) and the time zone its days, weeks and months use."""

    from_: UtcDateTime = Field(alias="from", serialization_alias="from")
    to: UtcDateTime
    tz: str
    source: Source
    model_config = {"populate_by_name": True}


class VolumeSeries(BaseModel):
    key: str | None = Field(description="The group's value (null: none, or every ticket)")
    name: str | None = Field(default=None, description="A person's or team's name")
    counts: list[int]
    total: int


class VolumeReportRead(ReportWindow):
    metric: VolumeMetric
    interval: Interval
    group_by: str | None
    buckets: list[str] = Field(description="Each bucket's first local day (YYYY-MM-DD)")
    series: list[VolumeSeries]
    total: int = Field(description="created/solved: the sum; backlog: at the end of the range")


class DurationStats(BaseModel):
    """Minutes."""

    median: float | None
    p90: float | None
    avg: float | None


class Duration(BaseModel):
    calendar: DurationStats
    business: DurationStats


class ResponseTimesRow(BaseModel):
    key: str | None
    name: str | None = None
    tickets: int
    first_response: Duration
    resolution: Duration
    requester_wait: Duration


class ResponseTimesReportRead(ReportWindow):
    group_by: str | None
    rows: list[ResponseTimesRow]


class CsatSummary(BaseModel):
    score: float | None = Field(description="good ÷ (good + bad); 4–5 count as good")
    responses: int
    good: int
    bad: int


class AgentReportRow(BaseModel):
    key: str | None = Field(description="The assignee's user id (null: unassigned)")
    name: str | None = None
    assigned: int
    solved: int
    reopened: int
    one_touch: int
    first_response: Duration
    resolution: Duration
    csat: CsatSummary


class AgentsReportRead(ReportWindow):
    rows: list[AgentReportRow]


class SlaTargetOutcome(BaseModel):
    tickets: int = Field(description="Tickets with this target whose outcome is known")
    met: int
    breached: int
    breach_rate: float | None
    near_miss: int = Field(description="Met after 80 % of the target had run (at risk, then met)")


class SlaReportRow(BaseModel):
    policy_id: str
    policy: str | None
    priority: str
    tickets: int
    first_response: SlaTargetOutcome
    resolution: SlaTargetOutcome


class SlaReportRead(ReportWindow):
    rows: list[SlaReportRow]


class FieldOptionCount(BaseModel):
    value: str
    count: int


class FieldReportRow(BaseModel):
    key: str | None
    name: str | None = None
    tickets: int = Field(description="Tickets in the group with a value for the field")
    value: str | None = Field(
        default=None, description="sum/avg/min/max as an exact decimal string (count: null)"
    )
    options: list[FieldOptionCount] = Field(
        default_factory=list, description="count: tickets per option or value"
    )


class FieldsReportRead(ReportWindow):
    field: str
    kind: str
    agg: FieldAgg
    group_by: str | None
    rows: list[FieldReportRow]


class CsatSeries(BaseModel):
    key: str | None
    name: str | None = None
    sent: list[int]
    responses: list[int]
    score: list[float | None]


class CsatReportRead(ReportWindow):
    score: float | None
    responses: int
    good: int
    bad: int
    sent: int
    response_rate: float | None
    interval: Interval
    group_by: str | None
    buckets: list[str]
    series: list[CsatSeries]
