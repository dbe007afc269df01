"""Duration statistics: exact from raw seconds, or estimated from log-spaced histograms."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

# buckets of minutes, four per doubling: bucket b holds [2**(b/4) - 1, 2**((b+1)/4) - 1)
BUCKETS_PER_DOUBLING = 4


def bucket_of(seconds: int) -> int:
    """The histogram bucket of a duration (fixed edges, so rollups add up across days)."""
    return int(math.floor(math.log2(seconds / 60 + 1) * BUCKETS_PER_DOUBLING))


def bucket_bounds(bucket: int) -> tuple[float, float]:
    """The bucket's [low, high) in minutes."""
    return (
        2 ** (bucket / BUCKETS_PER_DOUBLING) - 1,
        2 ** ((bucket + 1) / BUCKETS_PER_DOUBLING) - 1,
    )


def _minutes(seconds: float) -> float:
    return round(seconds / 60, 2)


def percentile(sorted_values: Sequence[int], fraction: float) -> float:
    """Linear interpolation between closest ranks (PostgreSQL's percentile_cont)."""
    if len(sorted_values) == 1:
        return float(sorted_values[0])
    position = fraction * (len(sorted_values) - 1)
    low = math.floor(position)
    high = min(low + 1, len(sorted_values) - 1)
    weight = position - low
    return sorted_values[low] * (1 - weight) + sorted_values[high] * weight


def exact_stats(values: Iterable[int | None]) -> dict[str, float | None]:
    """median, p90 and avg in minutes of the known values (None when there are none)."""
    known = sorted(v for v in values if v is not None)
    if not known:
        return {"median": None, "p90": None, "avg": None}
    return {
        "median": _minutes(percentile(known, 0.5)),
        "p90": _minutes(percentile(known, 0.9)),
        "avg": _minutes(sum(known) / len(known)),
    }


def histogram_stats(buckets: Mapping[int, int], total_seconds: int) -> dict[str, float | None]:
    """The same from a histogram: avg exact (the sum is kept), percentiles from the geometric
    middles of the buckets holding the ranks (each within about 9 % of the true value)."""
    count = sum(buckets.values())
    if count == 0:
        return {"median": None, "p90": None, "avg": None}

    ordered = sorted(buckets)

    def value_at(rank: int) -> float:
        """The geometric middle of the bucket holding the rank-th smallest value."""
        seen = 0
        for bucket in ordered:
            seen += buckets[bucket]
            if seen > rank:
                low, high = bucket_bounds(bucket)
                return math.sqrt((low + 1) * (high + 1)) - 1
        raise AssertionError("rank beyond the histogram")

    def at(fraction: float) -> float:
        position = fraction * (count - 1)  # interpolated between ranks, as exact_stats does
        low = math.floor(position)
        weight = position - low
        value = value_at(low)
        if weight:
            value = value * (1 - weight) + value_at(min(low + 1, count - 1)) * weight
        return round(value, 2)

    return {"median": at(0.5), "p90": at(0.9), "avg": _minutes(total_seconds / count)}
