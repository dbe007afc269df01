"""Business-time arithmetic against a slow minute-by-minute reference (no database)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ticketdesk.sla.business_hours import Calendar, UnreachableTarget

MINUTE = timedelta(minutes=1)
ZONES = ["Europe/Berlin", "America/New_York", "UTC", "Australia/Lord_Howe"]
# windows around the 2026 DST changes of Berlin (Mar 29, Oct 25) and New York (Mar 8, Nov 1)
STARTS = [
    datetime(2026, 3, 6, tzinfo=UTC),
    datetime(2026, 3, 27, tzinfo=UTC),
    datetime(2026, 10, 23, tzinfo=UTC),
    datetime(2026, 10, 30, tzinfo=UTC),
    datetime(2026, 12, 23, tzinfo=UTC),
]


def reference_is_open(cal: Calendar, instant: datetime) -> bool:
    local = instant.astimezone(ZoneInfo(cal.timezone))
    if local.date() in set(cal.holidays):
        return False
    minute = local.hour * 60 + local.minute
    return any(s <= minute < e for s, e in cal.weekly[local.weekday()])


def reference_add(cal: Calendar, start: datetime, minutes: int) -> datetime:
    t, left = start, minutes
    while left > 0:
        if reference_is_open(cal, t):
            left -= 1
        t += MINUTE
    return t


def reference_between(cal: Calendar, start: datetime, end: datetime) -> int:
    t, total = start, 0
    while t < end:
        total += reference_is_open(cal, t)
        t += MINUTE
    return total


minute_of_day = st.integers(0, 1440)


@st.composite
def calendars(draw: st.DrawFn) -> Calendar:
    weekly: dict[int, list[tuple[int, int]]] = {}
    for day in range(7):
        intervals = []
        for _ in range(draw(st.integers(0, 2))):
            a, b = sorted((draw(minute_of_day), draw(minute_of_day)))
            if a < b:
                intervals.append((a, b))
        weekly[day] = intervals
    if not any(weekly.values()):
        weekly[0] = [(540, 1020)]
    # intervals that cover the DST hours on Sundays (both zones change on a Sunday night)
    if draw(st.booleans()):
        weekly[6] = [(draw(st.integers(0, 150)), draw(st.integers(150, 1440)))]
    holidays = draw(
        st.lists(st.dates(date(2026, 3, 1), date(2027, 1, 10)), max_size=6, unique=True)
    )
    return Calendar(timezone=draw(st.sampled_from(ZONES)), weekly=weekly, holidays=holidays)


starts = st.builds(
    lambda base, minutes: base + timedelta(minutes=minutes),
    st.sampled_from(STARTS),
    st.integers(0, 5 * 24 * 60),
)
FAST = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
    database=None,
)


@FAST
@given(cal=calendars(), start=starts, minutes=st.integers(1, 3 * 24 * 60))
def test_add_matches_minute_reference(cal: Calendar, start: datetime, minutes: int) -> None:
    assert cal.add(start, minutes * 60) == reference_add(cal, start, minutes)


@FAST
@given(cal=calendars(), start=starts, span=st.integers(0, 4 * 24 * 60))
def test_between_matches_minute_reference(cal: Calendar, start: datetime, span: int) -> None:
    end = start + timedelta(minutes=span)
    assert cal.between(start, end) == reference_between(cal, start, end) * 60


@FAST
@given(cal=calendars(), start=starts, minutes=st.integers(1, 60 * 24 * 60))
def test_add_and_between_are_inverse_over_long_gaps(
    cal: Calendar, start: datetime, minutes: int
) -> None:
    due = cal.add(start, minutes * 60)
    assert cal.between(start, due) == minutes * 60
    assert reference_is_open(cal, due - MINUTE)


def office(tz: str, holidays: list[date] | None = None) -> Calendar:
    nine_to_five = [(9 * 60, 17 * 60)]
    return Calendar(
        timezone=tz, weekly={d: nine_to_five for d in range(5)}, holidays=holidays or []
    )


def test_friday_afternoon_rolls_over_the_weekend_in_local_time():
    cal = office("Europe/Berlin")
    friday_1600 = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)  # 16:00 CET
    assert cal.add(friday_1600, 2 * 3600) == datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_new_york_spring_forward_keeps_nine_o_clock_local():
    cal = office("America/New_York")
    friday_1600 = datetime(2026, 3, 6, 21, 0, tzinfo=UTC)  # 16:00 EST
    # Monday 10:00 EDT is 14:00 UTC (the offset changed on Sunday)
    assert cal.add(friday_1600, 2 * 3600) == datetime(2026, 3, 9, 14, 0, tzinfo=UTC)


def test_holidays_are_skipped():
    cal = office("Europe/Berlin", [date(2026, 12, 24), date(2026, 12, 25)])
    wednesday_1600 = datetime(2026, 12, 23, 15, 0, tzinfo=UTC)
    assert cal.add(wednesday_1600, 2 * 3600) == datetime(2026, 12, 28, 9, 0, tzinfo=UTC)


def test_night_shift_across_midnight_and_fall_back():
    # 22:00-24:00 and 00:00-06:00 every day; Berlin's clocks go back in the night to Oct 25
    cal = Calendar(timezone="Europe/Berlin", weekly={d: [(0, 360), (1320, 1440)] for d in range(7)})
    start = datetime(2026, 10, 24, 20, 0, tzinfo=UTC)  # Sat 22:00 CEST
    # the night has 9 business hours (the hour 02:00-03:00 happens twice)
    assert cal.between(start, datetime(2026, 10, 25, 5, 0, tzinfo=UTC)) == 9 * 3600


def test_a_year_of_minutes_is_fast():
    import time

    cal = office("America/New_York", [date(2026, 7, 3), date(2026, 12, 25)])
    # CPU time of this process, not the wall clock: other processes' load does not count
    # (about 0.5 s on a quiet machine)
    began = time.process_time()
    for _ in range(200):
        cal.add(datetime(2026, 1, 5, 14, tzinfo=UTC), 250 * 8 * 3600)
    assert time.process_time() - began < 3.0


def test_a_calendar_without_hours_is_refused_and_all_holidays_is_unreachable():
    with pytest.raises(ValueError, match="open interval"):
        Calendar(timezone="UTC", weekly={})
    every_day = [date(2026, 1, 1) + timedelta(days=i) for i in range(366 * 21)]
    cal = Calendar(timezone="UTC", weekly={0: [(0, 60)]}, holidays=every_day)
    with pytest.raises(UnreachableTarget):
        cal.add(datetime(2026, 1, 1, tzinfo=UTC), 60)
