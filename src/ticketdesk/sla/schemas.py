"""Shapes of business hours, SLA policies and clock explanations."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, StringConstraints, model_validator

from ticketdesk.automations.schemas import check_action_value
from ticketdesk.schemas import Flag, Input, JsonInt, JsonValue, Name100, Output, UtcDateTime
from ticketdesk.sla.business_hours import DAY_NAMES, parse_hhmm
from ticketdesk.tickets.schemas import Channel, LabelName, Priority, Slug
from ticketdesk.workspaces.schemas import TimeZone

HHMM = Annotated[str, StringConstraints(pattern=r"^([01]\d|2[0-4]):[0-5]\d$")]


def _interval(value: list[str]) -> list[str]:
    start, end = parse_hhmm(value[0]), parse_hhmm(value[1])
    if start >= end:
        raise ValueError("an interval ends after it starts (use 24:00 for midnight)")
    return value


Interval = Annotated[list[HHMM], Field(min_length=2, max_length=2), AfterValidator(_interval)]
DayName = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
Weekly = dict[DayName, Annotated[list[Interval], Field(max_length=12)]]
Holidays = Annotated[list[date], Field(max_length=1000)]


def _has_hours(weekly: dict[str, list[list[str]]]) -> dict[str, list[list[str]]]:
    if not any(weekly.get(day) for day in DAY_NAMES):
        raise ValueError("give at least one open interval, e.g. {'mon': [['09:00', '17:00']]}")
    return weekly


class BusinessHoursCreate(Input):
    name: Name100
    timezone: TimeZone
    weekly: Annotated[
        Weekly,
        AfterValidator(_has_hours),
        Field(
            description="open intervals per day, [start, end) in HH:MM with start < end (24:00 "
            "for midnight); at least one day has an interval"
        ),
    ]
    holidays: Holidays = []


class BusinessHoursUpdate(Input):
    name: Name100 | None = None
    timezone: TimeZone | None = None
    weekly: Annotated[Weekly, AfterValidator(_has_hours)] | None = None
    holidays: Holidays | None = None


class HolidayImport(Input):
    country: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
    subdivision: Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{1,4}$")] | None = None
    years: Annotated[
        list[Annotated[JsonInt, Field(ge=1970, le=2100)]], Field(min_length=1, max_length=5)
    ]


class BusinessHoursRead(Output):
    id: uuid.UUID
    name: str
    timezone: str
    weekly: dict[str, list[list[str]]]
    holidays: list[str]
    created_at: UtcDateTime
    updated_at: UtcDateTime


Minutes = Annotated[JsonInt, Field(ge=1, le=525_600)]


class Target(Input):
    first_response_minutes: Minutes | None = None
    next_response_minutes: Minutes | None = None
    resolution_minutes: Minutes | None = None


class PolicyMatch(Input):
    priority: Annotated[list[Priority], Field(max_length=4)] | None = None
    type: Annotated[list[Slug], Field(max_length=50)] | None = None
    labels: Annotated[list[LabelName], Field(max_length=50)] | None = None
    channel: Annotated[list[Channel], Field(max_length=5)] | None = None


class EscalationAction(Input):
    on: Literal["warning", "breach"]
    type: Literal["notify", "set_priority", "assign", "set_team"]
    value: JsonValue = Field(
        description="notify: user ids or `assignee`/`team`; others as in automations. Users "
        "and teams must be this workspace's (else 422 when the policy is saved)"
    )

    @model_validator(mode="after")
    def _check(self) -> EscalationAction:
        check_action_value(self.type, self.value)
        return self


class SlaPolicyCreate(Input):
    name: Name100
    match: PolicyMatch = PolicyMatch()
    targets: dict[Priority, Target]
    business_hours_id: uuid.UUID | None = None
    escalation: Annotated[list[EscalationAction], Field(max_length=20)] = []
    position: Annotated[JsonInt, Field(ge=0, le=10_000)] | None = None
    active: Flag = True


class SlaPolicyUpdate(Input):
    name: Name100 | None = None
    match: PolicyMatch | None = None
    targets: dict[Priority, Target] | None = None
    business_hours_id: uuid.UUID | None = None
    escalation: Annotated[list[EscalationAction], Field(max_length=20)] | None = None
    position: Annotated[JsonInt, Field(ge=0, le=10_000)] | None = None
    active: Flag | None = None


class SlaPolicyRead(Output):
    id: uuid.UUID
    name: str
    position: int
    match: dict[str, Any]
    targets: dict[str, Any]
    business_hours_id: uuid.UUID | None
    escalation: list[dict[str, Any]]
    active: bool
    created_at: UtcDateTime
    updated_at: UtcDateTime


SlaMetric = Literal["first_response", "next_response", "resolution"]
ClockState = Literal["running", "paused", "met", "breached", "stopped"]
SegmentKind = Literal["running", "paused", "outside_business_hours", "holiday", "stopped"]


class ClockSegment(Output):
    start: UtcDateTime
    end: UtcDateTime | None
    kind: SegmentKind
    reason: str
    counted_minutes: float


class ClockExplanation(Output):
    metric: SlaMetric
    target_minutes: int
    started_at: UtcDateTime
    due_at: UtcDateTime | None
    warn_at: UtcDateTime | None
    state: ClockState
    completed_at: UtcDateTime | None
    elapsed_minutes: float
    remaining_minutes: float
    why: str
    segments: list[ClockSegment]


class SlaExplanation(Output):
    ticket: str
    state: str
    policy: dict[str, Any] | None
    why_policy: str
    business_hours: dict[str, Any] | None
    clocks: list[ClockExplanation]
    now: UtcDateTime
