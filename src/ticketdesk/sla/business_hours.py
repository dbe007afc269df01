"""Business-time arithmetic: pure, exact across DST, midnight, holidays and multi-day gaps.

A calendar is a set of instants: those whose local wall-clock time (in the calendar's IANA
zone) falls inside one of the weekday's intervals, on a date that is not a holiday. On a day
with a DST change the wall clock is split at the transition, so a repeated hour counts twice
and a skipped hour not at all, exactly as a clock on the office wall would.

Whole weeks without a holiday or an offset change are skipped in one step (closed form);
other days cost one small loop iteration each, never one per minute.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY = timedelta(days=1)
WEEK = timedelta(days=7)
_MAX_DAYS = 366 * 20  # a target no calendar can meet within 20 years is a configuration error


class UnreachableTarget(ValueError):  # noqa: N818 - a value the calendar cannot reach
    """The calendar has no business time left to reach the target."""


def parse_hhmm(value: str) -> int:
    """`"09:30"` → 570 minutes; `"24:00"` is the end of the day."""
    hours, _, minutes = value.partition(":")
    total = int(hours) * 60 + int(minutes)
    if not (0 <= int(minutes) < 60 and 0 <= total <= 1440):
        raise ValueError(f"{value!r} is not a time of day (HH:MM, 00:00 to 24:00)")
    return total


def format_hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@dataclass(frozen=True)
class Segment:
    """A span of instants [start, end) that is all business time, or all not."""

    start: datetime
    end: datetime


@dataclass
class Calendar:
    """Weekly local intervals (minutes from midnight, end exclusive) per weekday 0=Mon."""

    timezone: str = "UTC"
    weekly: dict[int, list[tuple[int, int]]] = field(default_factory=dict)
    holidays: Sequence[date] = ()
    always_open: bool = False

    def __post_init__(self) -> None:
        self.zone = ZoneInfo(self.timezone)
        self.weekly = {day: _merge(self.weekly.get(day, [])) for day in range(7)}
        self._holidays = sorted(set(self.holidays))
        self._week_seconds = sum(e - s for ivs in self.weekly.values() for s, e in ivs) * 60
        if not self.always_open and self._week_seconds == 0:
            raise ValueError("a business-hours calendar needs at least one open interval")
        # a day's segments never change for one calendar: the reports rebuild asks for the
        # same days of one calendar for thousands of tickets
        self._day_segments: dict[date, tuple[Segment, ...]] = {}
        self._midnights: dict[date, datetime] = {}

    @classmethod
    def twenty_four_seven(cls) -> Calendar:
        return cls(always_open=True, weekly={d: [(0, 1440)] for d in range(7)})

    # -- the set of business instants, one local day at a time -------------------------------

    def is_holiday(self, day: date) -> bool:
        i = bisect.bisect_left(self._holidays, day)
        return i < len(self._holidays) and self._holidays[i] == day

    def _holiday_between(self, first: date, last: date) -> bool:
        """Any holiday in [first, last)?"""
        i = bisect.bisect_left(self._holidays, first)
        return i < len(self._holidays) and self._holidays[i] < last

    def local_midnight(self, day: date) -> datetime:
        """The first instant of `day` on the local wall clock, in UTC."""
        known = self._midnights.get(day)
        if known is None:
            if len(self._midnights) > 20_000:
                self._midnights.clear()
            known = self._midnights[day] = _wall_to_utc(
                self.zone, datetime(day.year, day.month, day.day)
            )
        return known

    def day_segments(self, day: date) -> list[Segment]:
        """The business instants of one local day, as sorted UTC segments."""
        known = self._day_segments.get(day)
        if known is None:
            if len(self._day_segments) > 20_000:
                self._day_segments.clear()
            known = self._day_segments[day] = tuple(self._compute_day_segments(day))
        return list(known)

    def _compute_day_segments(self, day: date) -> list[Segment]:
        if self.is_holiday(day):
            return []
        intervals = self.weekly[day.weekday()]
        if not intervals:
            return []
        start, end = self.local_midnight(day), self.local_midnight(day + DAY)
        naive_midnight = datetime(day.year, day.month, day.day)
        pieces = _constant_offset_pieces(self.zone, start, end)
        out: list[Segment] = []
        for piece_start, piece_end, offset in pieces:
            # the wall-clock range this piece shows, in minutes from local midnight
            wall_lo = (piece_start + offset).replace(tzinfo=None) - naive_midnight
            wall_hi = (piece_end + offset).replace(tzinfo=None) - naive_midnight
            for s, e in intervals:
                lo = max(wall_lo, timedelta(minutes=s))
                hi = min(wall_hi, timedelta(minutes=e))
                if lo < hi:
                    base = naive_midnight.replace(tzinfo=UTC) - offset
                    out.append(Segment(base + lo, base + hi))
        out.sort(key=lambda seg: seg.start)
        return out

    def segments(self, start: datetime, end: datetime) -> Iterator[Segment]:
        """Business segments clipped to [start, end), in order."""
        if self.always_open:
            if start < end:
                yield Segment(start, end)
            return
        day = start.astimezone(self.zone).date() - DAY  # a segment may begin the day before
        while self.local_midnight(day) < end:
            for seg in self.day_segments(day):
                lo, hi = max(seg.start, start), min(seg.end, end)
                if lo < hi:
                    yield Segment(lo, hi)
            day += DAY

    # -- arithmetic ---------------------------------------------------------------------------

    def add(self, start: datetime, seconds: float) -> datetime:
        """The instant when `seconds` of business time have passed since `start`."""
        start = start.astimezone(UTC)
        if seconds <= 0:
            return start
        if self.always_open:
            return start + timedelta(seconds=seconds)
        remaining = timedelta(seconds=seconds)
        day = start.astimezone(self.zone).date() - DAY
        if remaining > timedelta(seconds=self._week_seconds) * (_MAX_DAYS // 7):
            raise UnreachableTarget("the target needs more than 20 years of this calendar")
        for _ in range(_MAX_DAYS):
            midnight = self.local_midnight(day)
            if midnight >= start and remaining > timedelta(seconds=self._week_seconds):
                weeks = self._skippable_weeks(day, remaining)
                if weeks:
                    remaining -= timedelta(seconds=self._week_seconds * weeks)
                    day += WEEK * weeks
                    continue
            for seg in self.day_segments(day):
                if seg.end <= start:
                    continue
                lo = max(seg.start, start)
                available = seg.end - lo
                if remaining <= available:
                    return lo + remaining
                remaining -= available
            day += DAY
        raise UnreachableTarget("the calendar has too little business time to reach the target")

    def between(self, start: datetime, end: datetime) -> float:
        """Business seconds in [start, end) (0 when end <= start)."""
        if end <= start:
            return 0.0
        if self.always_open:
            return (end - start).total_seconds()
        total = timedelta()
        day = start.astimezone(self.zone).date() - DAY
        while True:
            midnight = self.local_midnight(day)
            if midnight >= end:
                break
            if midnight >= start and self.local_midnight(day + WEEK) <= end:
                weeks = self._skippable_weeks(day, None, until=end)
                if weeks:
                    total += timedelta(seconds=self._week_seconds * weeks)
                    day += WEEK * weeks
                    continue
            for seg in self.day_segments(day):
                lo, hi = max(seg.start, start), min(seg.end, end)
                if lo < hi:
                    total += hi - lo
            day += DAY
        return total.total_seconds()

    def _skippable_weeks(
        self, day: date, remaining: timedelta | None, *, until: datetime | None = None
    ) -> int:
        """How many whole weeks from `day` have no holiday and no offset change (and fit)."""
        week = timedelta(seconds=self._week_seconds)
        weeks = 0
        offset = self.local_midnight(day).astimezone(self.zone).utcoffset()
        while True:
            nxt = day + WEEK * (weeks + 1)
            if remaining is not None and remaining - week * (weeks + 1) <= timedelta():
                break  # keep the last week for the day loop: the target falls inside it
            if until is not None and self.local_midnight(nxt) > until:
                break
            if self._holiday_between(day + WEEK * weeks, nxt):
                break
            if not _same_offset_all_week(self.zone, day + WEEK * weeks, offset):
                break
            weeks += 1
        return weeks


def _merge(intervals: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for s, e in sorted(intervals):
        if s >= e:
            continue
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged


def _wall_to_utc(zone: ZoneInfo, wall: datetime) -> datetime:
    """A local wall time to UTC: the first occurrence if repeated, just after a gap if skipped."""
    first = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if first.astimezone(zone).replace(tzinfo=None) == wall:
        return first
    second = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    if second.astimezone(zone).replace(tzinfo=None) == wall:
        return second
    # inside a gap (the wall time does not exist): the instant the clock jumped
    return _transition_between(zone, min(first, second), max(first, second))


def _offset(zone: ZoneInfo, instant: datetime) -> timedelta:
    offset = instant.astimezone(zone).utcoffset()
    assert offset is not None
    return offset


def _transition_between(zone: ZoneInfo, lo: datetime, hi: datetime) -> datetime:
    """The first instant in (lo, hi] whose offset differs from lo's (binary search, 1 s)."""
    before = _offset(zone, lo)
    while hi - lo > timedelta(seconds=1):
        mid = lo + (hi - lo) / 2
        mid = mid.replace(microsecond=0)
        if mid <= lo:
            mid = lo + timedelta(seconds=1)
        if _offset(zone, mid) == before:
            lo = mid
        else:
            hi = mid
    return hi


def _constant_offset_pieces(
    zone: ZoneInfo, start: datetime, end: datetime
) -> list[tuple[datetime, datetime, timedelta]]:
    """Split [start, end) where the zone's offset changes (at most a few times a day)."""
    pieces: list[tuple[datetime, datetime, timedelta]] = []
    cursor = start
    while cursor < end:
        offset = _offset(zone, cursor)
        if _offset(zone, end - timedelta(microseconds=1)) == offset and _no_change_inside(
            zone, cursor, end, offset
        ):
            pieces.append((cursor, end, offset))
            break
        change = _first_change(zone, cursor, end, offset)
        pieces.append((cursor, change, offset))
        cursor = change
    return pieces


def _no_change_inside(zone: ZoneInfo, start: datetime, end: datetime, offset: timedelta) -> bool:
    # a day is at most ~26 h; probing hourly catches any change that reverts within the day
    probe = start + timedelta(hours=1)
    while probe < end:
        if _offset(zone, probe) != offset:
            return False
        probe += timedelta(hours=1)
    return True


def _first_change(zone: ZoneInfo, start: datetime, end: datetime, offset: timedelta) -> datetime:
    probe = start
    while probe < end:
        nxt = min(probe + timedelta(hours=1), end - timedelta(microseconds=1))
        if _offset(zone, nxt) != offset:
            return _transition_between(zone, probe, nxt)
        if nxt >= end - timedelta(microseconds=1):
            break
        probe = nxt
    return end


def _same_offset_all_week(zone: ZoneInfo, first: date, offset: timedelta | None) -> bool:
    for i in range(8):
        day = first + timedelta(days=i)
        noon = datetime(day.year, day.month, day.day, 12, tzinfo=zone)
        if noon.utcoffset() != offset:
            return False
        if i < 7:
            midnight = datetime(day.year, day.month, day.day, tzinfo=zone)
            if midnight.utcoffset() != offset:
                return False
    return True
