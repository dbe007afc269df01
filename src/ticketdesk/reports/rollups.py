"""Daily rollups: what one ticket's metrics row adds to its workspace's per-day counts and
histograms. A change applies the difference between the row's contribution before and after
it, so the rollups always equal the sum over the current rows (what a rebuild writes)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from ticketdesk.reports.durations import bucket_of

# the dimensions rollups are kept for (`all` is the workspace total); others are exact only
DIMENSIONS = ("all", "channel", "priority", "type", "category", "team", "assignee", "label")
# duration metrics kept as histograms, keyed by the ticket's created day
DURATIONS = {
    "first_response": "first_response_seconds",
    "first_response_business": "first_response_business_seconds",
    "resolution": "resolution_seconds",
    "resolution_business": "resolution_business_seconds",
    "requester_wait": "requester_wait_seconds",
    "requester_wait_business": "requester_wait_business_seconds",
}

# what a row adds under each of its (dimension, value) pairs is made of these columns only
COUNTED = (
    "created_at",
    "solved_at",
    "done_periods",
    "reopens",
    "one_touch",
    "csat_good",
    "csat_sent_at",
    "csat_answered_at",
    *DURATIONS.values(),
)

DailyKey = tuple[str, str, date]  # dimension, value, day
HistogramKey = tuple[str, str, str, date, int]  # dimension, value, metric, day, bucket
CountKey = tuple[str, str, str, date]  # dimension, value, metric, day


class Contribution:
    """Counts per key: daily (created, solved, backlog_change), histograms (tickets, seconds),
    counts (tickets)."""

    __slots__ = ("counts", "daily", "histograms")

    def __init__(self) -> None:
        self.daily: dict[DailyKey, list[int]] = defaultdict(lambda: [0, 0, 0])
        self.histograms: dict[HistogramKey, list[int]] = defaultdict(lambda: [0, 0])
        self.counts: dict[CountKey, list[int]] = defaultdict(lambda: [0])

    def change(
        self, before: Mapping[str, Any] | None, after: Mapping[str, Any], zone: ZoneInfo
    ) -> None:
        """Add what a row's change from `before` (None: a new row) to `after` makes: when
        only its dimensions moved, just the (dimension, value) pairs it left and joined."""
        if before is None:
            self.add(after, zone)
            return
        if any(before[c] != after[c] for c in COUNTED):
            self.add(after, zone)
            self.add(before, zone, -1)
            return
        was, now = set(dimension_values(before)), set(dimension_values(after))
        if was != now:
            self.add(after, zone, 1, now - was)
            self.add(before, zone, -1, was - now)

    def add(
        self,
        values: Mapping[str, Any],
        zone: ZoneInfo,
        sign: int = 1,
        only: set[tuple[str, str]] | None = None,
    ) -> None:
        """Add (sign 1) or take away (sign -1) one metrics row (`only`: under these pairs)."""

        def day(at: Any) -> date:
            moment = datetime.fromisoformat(at) if isinstance(at, str) else at
            return moment.astimezone(zone).date()

        created_day = day(values["created_at"])
        solved = values["solved_at"]
        backlog: list[tuple[date, int]] = [(created_day, 1)]
        for start, end in values["done_periods"] or ():
            backlog.append((day(start), -1))
            if end is not None:
                backlog.append((day(end), 1))
        durations = [
            (metric, values[column])
            for metric, column in DURATIONS.items()
            if values[column] is not None
        ]
        good = values["csat_good"]
        counted: list[tuple[str, date]] = []
        if solved is not None:
            counted.append(("solved", created_day))
            if values["one_touch"]:
                counted.append(("one_touch", created_day))
        if values["reopens"]:
            counted.append(("reopened", created_day))
        if good is not None:
            counted.append(("csat_good" if good else "csat_bad", created_day))
        surveyed = values["csat_sent_at"] or values["csat_answered_at"]
        if surveyed is not None:
            survey_day = day(surveyed)
            if values["csat_sent_at"] is not None:
                counted.append(("survey_sent", survey_day))
            if good is not None:
                counted.append(("survey_good" if good else "survey_bad", survey_day))
        for dimension, value in only if only is not None else dimension_values(values):
            counts = self.daily[(dimension, value, created_day)]
            counts[0] += sign
            if solved is not None:
                self.daily[(dimension, value, day(solved))][1] += sign
            for at, change in backlog:
                self.daily[(dimension, value, at)][2] += sign * change
            for metric, seconds in durations:
                cell = self.histograms[(dimension, value, metric, created_day, bucket_of(seconds))]
                cell[0] += sign
                cell[1] += sign * seconds
            for metric, at in counted:
                self.counts[(dimension, value, metric, at)][0] += sign

    def nonzero(
        self,
    ) -> tuple[dict[DailyKey, list[int]], dict[HistogramKey, list[int]], dict[CountKey, list[int]]]:
        return (
            {k: v for k, v in sorted(self.daily.items()) if any(v)},
            {k: v for k, v in sorted(self.histograms.items()) if any(v)},
            {k: v for k, v in sorted(self.counts.items()) if any(v)},
        )


def dimension_values(values: Mapping[str, Any]) -> Iterable[tuple[str, str]]:
    """The (dimension, value) pairs a ticket counts under ('' for none)."""
    yield "all", ""
    for dimension in ("channel", "priority", "type", "category"):
        yield dimension, str(values[dimension] or "")
    yield "team", str(values["team_id"] or "")
    yield "assignee", str(values["assignee_id"] or "")
    for label in values["labels"] or ("",):  # '': no label
        yield "label", str(label)[:64]


def difference(
    before: Mapping[str, Any] | None, after: Mapping[str, Any] | None, zone: ZoneInfo
) -> Contribution:
    delta = Contribution()
    if after is not None:
        delta.add(after, zone, 1)
    if before is not None:
        delta.add(before, zone, -1)
    return delta
