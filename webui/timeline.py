"""The timeline of a search: matches per month (or year) as the geometry of an SVG bar chart.

Plain data only; the ``timeline_chart`` macro of ``templates/_refine.html`` draws it and
``search_page`` adds the links. Periods without matches between the first and the last one are
kept (as empty slots), so the x axis is true time and a gap in the news shows as a gap in the
chart.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from indexer.search.results import FacetCount
from webui.display import month_label

CHART_WIDTH = 300  # viewBox units; the chart is stretched to the width of its box
CHART_HEIGHT = 60
BAR_GAP = 0.15  # the share of a slot left empty between two bars
MIN_BAR_HEIGHT = 3.0  # one match among thousands still shows


@dataclass(frozen=True)
class TimelineBar:
    """One period with matches: its dates, its count and its rectangle in the viewBox."""

    label: str  # "Mar 2024" or "2024"
    count: int
    first_day: date
    last_day: date
    x: float
    y: float
    width: float
    height: float
    slot_x: float  # the whole slot of the period: the bar's target for pointers and focus
    slot_width: float


@dataclass(frozen=True)
class Timeline:
    bars: list[TimelineBar]  # periods with matches, in date order
    unit: str  # "month" or "year"
    first_label: str  # the first and last periods of the axis
    last_label: str
    max_count: int
    width: int = CHART_WIDTH
    height: int = CHART_HEIGHT


def build_timeline(facets: Sequence[FacetCount], unit: str) -> Timeline | None:
    """The chart of ``facets`` (values 'YYYY-MM' by month or 'YYYY' by year); None when empty."""
    counts = {facet.value: facet.count for facet in facets if facet.count > 0}
    if not counts:
        return None
    periods = _periods_between(min(counts), max(counts), unit)
    max_count = max(counts.values())
    slot = CHART_WIDTH / len(periods)
    bars = [
        _bar(period, counts[period], index * slot, slot, max_count)
        for index, period in enumerate(periods)
        if period in counts
    ]
    return Timeline(
        bars=bars,
        unit=unit,
        first_label=period_label(periods[0]),
        last_label=period_label(periods[-1]),
        max_count=max_count,
    )


def period_days(period: str) -> tuple[date, date]:
    """The first and last day of a period 'YYYY-MM' or 'YYYY'."""
    year = int(period[:4])
    if len(period) == 4:
        return date(year, 1, 1), date(year, 12, 31)
    month = int(period[5:7])
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def period_label(period: str) -> str:
    return period if len(period) == 4 else month_label(period_days(period)[0])


def _periods_between(first: str, last: str, unit: str) -> list[str]:
    if unit == "year":
        return [str(year) for year in range(int(first[:4]), int(last[:4]) + 1)]
    start, end = _month_number(first), _month_number(last)
    return [f"{number // 12:04d}-{number % 12 + 1:02d}" for number in range(start, end + 1)]


def _month_number(period: str) -> int:
    return int(period[:4]) * 12 + int(period[5:7]) - 1


def _bar(period: str, count: int, x: float, slot: float, max_count: int) -> TimelineBar:
    height = max(MIN_BAR_HEIGHT, CHART_HEIGHT * count / max_count)
    first_day, last_day = period_days(period)
    return TimelineBar(
        label=period_label(period),
        count=count,
        first_day=first_day,
        last_day=last_day,
        x=round(x + slot * BAR_GAP / 2, 2),
        y=round(CHART_HEIGHT - height, 2),
        width=round(slot * (1 - BAR_GAP), 2),
        height=round(height, 2),
        slot_x=round(x, 2),
        slot_width=round(slot, 2),
    )
