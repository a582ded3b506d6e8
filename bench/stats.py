"""The few statistics the benchmark reports: percentiles of latencies, medians of runs."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence


def percentile(values: Sequence[float], share: float) -> float:
    """The ``share`` (0-100) percentile with linear interpolation between ranks (numpy's
    default), so that p95 of 200 timings is not just the 190th one."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = (len(ordered) - 1) * share / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def median(values: Sequence[float]) -> float:
    present = [value for value in values if value is not None and not math.isnan(value)]
    return statistics.median(present) if present else math.nan


def rounded(value: float, digits: int = 2) -> float | None:
    """A figure for the JSON report: NaN (not measured) becomes null."""
    return None if value is None or math.isnan(value) else round(value, digits)
