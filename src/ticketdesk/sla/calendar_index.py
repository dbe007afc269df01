"""A business-hours calendar indexed over a window, for computing many tickets' clocks at once.

`Calendar.add` walks one local day at a time (a few hundred microseconds per clock); the
seed and the policy backfill compute clocks for thousands of tickets in the same few weeks.
Inside its window an `IndexedCalendar` answers `add` and `between` by binary search over the
window's business segments (the calendar's own `day_segments`, so the answers are the same
to the microsecond); outside it, it asks the plain calendar.
"""

from __future__ import annotations

import bisect
from datetime import UTC, datetime, timedelta

from ticketdesk.sla.business_hours import DAY, Calendar

_MICROSECOND = timedelta(microseconds=1)


class IndexedCalendar(Calendar):
    """`base`, with its business time in [start, end) summed up once."""

    def __init__(self, base: Calendar, start: datetime, end: datetime) -> None:
        super().__init__(
            timezone=base.timezone,
            weekly=base.weekly,
            holidays=base.holidays,
            always_open=base.always_open,
        )
        first = start.astimezone(self.zone).date() - DAY
        last = end.astimezone(self.zone).date() + DAY
        self._window = (self.local_midnight(first), self.local_midnight(last + DAY))
        self._starts: list[datetime] = []
        self._ends: list[datetime] = []
        self._cumulative: list[int] = []  # business microseconds up to each segment's end
        total = 0
        day = first
        while day <= last and not self.always_open:
            for segment in self.day_segments(day):
                total += (segment.end - segment.start) // _MICROSECOND
                self._starts.append(segment.start)
                self._ends.append(segment.end)
                self._cumulative.append(total)
            day += DAY

    def _inside(self, instant: datetime) -> bool:
        return self._window[0] <= instant <= self._window[1]

    def _position(self, instant: datetime) -> int:
        """Business microseconds from the window's start to `instant`."""
        i = bisect.bisect_right(self._starts, instant) - 1
        if i < 0:
            return 0
        if instant < self._ends[i]:
            return self._cumulative[i] - (self._ends[i] - instant) // _MICROSECOND
        return self._cumulative[i]

    def add(self, start: datetime, seconds: float) -> datetime:
        start = start.astimezone(UTC)
        if seconds <= 0 or self.always_open or not self._inside(start):
            return super().add(start, seconds)
        target = self._position(start) + timedelta(seconds=seconds) // _MICROSECOND
        j = bisect.bisect_left(self._cumulative, target)
        if j == len(self._cumulative):
            return super().add(start, seconds)  # beyond the window
        return self._ends[j] - (self._cumulative[j] - target) * _MICROSECOND

    def between(self, start: datetime, end: datetime) -> float:
        if end <= start or self.always_open or not (self._inside(start) and self._inside(end)):
            return super().between(start, end)
        return ((self._position(end) - self._position(start)) * _MICROSECOND).total_seconds()
