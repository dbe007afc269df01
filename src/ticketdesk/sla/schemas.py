"""Shapes of business hours, SLA policies, clock explanations and ticket import."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints, model_validator

from ticketdesk.automations.schemas import check_action_value
from ticketdesk.configuration.schemas import TimeZone
from ticketdesk.schemas import (
    CommentBody,
    Email,
    Input,
    Name100,
    Output,
    UtcDateTime,
)
from ticketdesk.sla.business_hours import DAY_NAMES, parse_hhmm
from ticketdesk.tickets.schemas import Channel, LabelName, Priority, Slug, TicketCreate

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
    weekly: Annotated[Weekly, AfterValidator(_has_hours)]
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
        list[Annotated[int, Field(ge=1970, le=2100)]], Field(min_length=1, max_length=5)
    ]


class BusinessHoursRead(Output):
    id: uuid.UUID
    name: str
    timezone: str
    weekly: dict[str, list[list[str]]]
    holidays: list[str]
    created_at: UtcDateTime
    updated_at: UtcDateTime


Minutes = Annotated[int, Field(ge=1, le=525_600)]


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
    value: Any = Field(
        description="notify: user ids or `assignee`/`team`; others as in automations"
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
    position: Annotated[int, Field(ge=0, le=10_000)] | None = None
    active: bool = True


class SlaPolicyUpdate(Input):
    name: Name100 | None = None
    match: PolicyMatch | None = None
    targets: dict[Priority, Target] | None = None
    business_hours_id: uuid.UUID | None = None
    escalation: Annotated[list[EscalationAction], Field(max_length=20)] | None = None
    position: Annotated[int, Field(ge=0, le=10_000)] | None = None
    active: bool | None = None


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


class ClockSegment(Output):
    start: UtcDateTime
    end: UtcDateTime | None
    kind: Literal["running", "paused", "outside_business_hours", "holiday", "stopped"]
    reason: str
    counted_minutes: float


class ClockExplanation(Output):
    metric: Literal["first_response", "next_response", "resolution"]
    target_minutes: int
    started_at: UtcDateTime
    due_at: UtcDateTime | None
    warn_at: UtcDateTime | None
    state: Literal["running", "paused", "met", "breached", "stopped"]
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


_RFC3339 = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?([Zz]|[+-]\d{2}:?\d{2})?$"
)
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)


def _rfc3339(value: Any) -> Any:
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _RFC3339.match(value):
        raise ValueError("must be an RFC 3339 timestamp such as 2026-11-21T09:30:00Z")
    return value


def _since_1970(value: datetime) -> datetime:
    value = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    if value < EARLIEST:
        raise ValueError("must be 1970 or later")
    return value


# RFC 3339 only (no epoch numbers), UTC when no offset is given, not before 1970
# (same rules as ticketdesk.schemas.Timestamp on newer main; switch to it when merged)
HistoryTimestamp = Annotated[datetime, BeforeValidator(_rfc3339), AfterValidator(_since_1970)]


class ImportComment(Input):
    body: CommentBody
    visibility: Literal["public", "internal"] = "public"
    author_email: Email | None = None
    created_at: HistoryTimestamp


class TicketImport(TicketCreate):
    created_at: HistoryTimestamp
    comments: Annotated[list[ImportComment], Field(max_length=1000)] = []


class AutoCloseSettings(Input):
    reminder_after_days: Annotated[int, Field(ge=1, le=365)] | None = None
    close_after_days: Annotated[int, Field(ge=1, le=365)]
    reminder_message: CommentBody | None = None
    close_message: CommentBody | None = None

    @model_validator(mode="after")
    def _order(self) -> AutoCloseSettings:
        if (
            self.reminder_after_days is not None
            and self.reminder_after_days >= self.close_after_days
        ):
            raise ValueError(
                "the reminder must come before the close (reminder_after_days < close_after_days)"
            )
        return self


class AutoCloseRead(Output):
    enabled: bool
    reminder_after_days: int | None
    close_after_days: int | None
    reminder_message: str
    close_message: str
