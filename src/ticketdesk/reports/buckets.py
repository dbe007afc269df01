"""Time buckets of a report: local days, ISO weeks (from Monday) and months in a time zone."""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

MAX_BUCKETS = 1000


@dataclass(frozen=True)
class Buckets:
    """Consecutive buckets covering [start, end): each one's first local day and UTC start."""

    days: list[date]
    starts: list[datetime]

    @property
    def labels(self) -> list[str]:
        return [d.isoformat() for d in self.days]

    def index_of(self, at: datetime) -> int | None:
        """The bucket holding the instant, or None outside them all."""
        i = bisect.bisect_right(self.starts, at) - 1
        return i if 0 <= i < len(self.days) else None

    def index_of_day(self, day: date) -> int | None:
        i = bisect.bisect_right(self.days, day) - 1
        return i if 0 <= i < len(self.days) else None


def _first_day(day: date, interval: str) -> date:
    if interval == "week":
        return day - timedelta(days=day.weekday())
    if interval == "month":
        return day.replace(day=1)
    return day


def _next(day: date, interval: str) -> date:
    if interval == "week":
        return day + timedelta(days=7)
    if interval == "month":
        return (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return day + timedelta(days=1)


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(UTC)


def buckets(start: datetime, end: datetime, zone: ZoneInfo, interval: str) -> Buckets | None:
    """The buckets over [start, end) (None: more than MAX_BUCKETS of them)."""
    day = _first_day(start.astimezone(zone).date(), interval)
    days: list[date] = []
    starts: list[datetime] = []
    while True:
        at = local_midnight(day, zone)
        if at >= end and days:
            break
        days.append(day)
        starts.append(at)
        if len(days) > MAX_BUCKETS:
            return None
        day = _next(day, interval)
    return Buckets(days, starts)


def bucket_end(found: Buckets, index: int, zone: ZoneInfo, interval: str) -> datetime:
    return local_midnight(_next(found.days[index], interval), zone)
