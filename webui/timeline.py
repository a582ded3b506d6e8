"""The timeline of a search: how many matches each period holds, as rows a reader can read.

One row per period with matches, its label in words ("Mar 1987"), a bar as long as its share of
the busiest period and its count; the periods without matches between two rows are one muted
row ("1988 – 2017: none"), so a gap in the news shows as a gap; undated matches are counted
apart. The period is the finest of day, week, month, quarter and year that keeps the rows with
matches to MAX_ROWS, so a search over one week reads by day and one over decades by year.

Plain data only: the ``timeline_rows`` macro of ``templates/_refine.html`` draws it and
``search_page`` adds the links.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from indexer.search.results import FacetCount
from webui.display import MONTH_ABBREVIATIONS, day_label, month_label

MAX_ROWS = 12  # rows with matches; a finer period that needs more gives way to a coarser one
MIN_BAR_SHARE = 1.5  # per cent: one match among thousands still shows
COARSER = {"day": ["day", "week", "month"], "month": ["month", "quarter", "year"]}


@dataclass(frozen=True)
class TimelineRow:
    """One period with matches, or a gap of periods without (count 0)."""

    label: str  # "Mar 1987", "1988 – 2017"
    count: int
    first_day: date
    last_day: date
    share: float  # the bar's length, per cent of the busiest period's

    @property
    def gap(self) -> bool:
        return self.count == 0


@dataclass(frozen=True)
class Timeline:
    rows: list[TimelineRow]  # in date order, gaps included
    unit: str  # "day", "week", "month", "quarter" or "year"
    undated: int  # matches without a date
    max_count: int


def build_timeline(facets: Sequence[FacetCount], unit: str, undated: int = 0) -> Timeline | None:
    """The timeline of date facets by ``unit`` (values 'YYYY-MM-DD', 'YYYY-MM' or 'YYYY');
    None when no match is dated."""
    dated = [(facet_days(facet.value)[0], facet.count) for facet in facets if facet.count > 0]
    if not dated:
        return None
    for candidate in COARSER.get(unit, [unit]):
        counts = _counts_by_period(dated, candidate)
        if len(counts) <= MAX_ROWS:
            break
    max_count = max(counts.values())
    rows: list[TimelineRow] = []
    for (first, last), count in sorted(counts.items()):
        if rows and first > rows[-1].last_day + timedelta(days=1):
            gap_first, gap_last = rows[-1].last_day + timedelta(days=1), first - timedelta(days=1)
            gap_label = _gap_label(gap_first, gap_last, candidate)
            rows.append(TimelineRow(gap_label, 0, gap_first, gap_last, 0.0))
        share = max(MIN_BAR_SHARE, round(100 * count / max_count, 1))
        rows.append(TimelineRow(period_label(first, last, candidate), count, first, last, share))
    return Timeline(rows=rows, unit=candidate, undated=undated, max_count=max_count)


def facet_days(value: str) -> tuple[date, date]:
    """The first and last day of a facet value 'YYYY-MM-DD', 'YYYY-MM' or 'YYYY'."""
    year = int(value[:4])
    if len(value) == 4:
        return date(year, 1, 1), date(year, 12, 31)
    month = int(value[5:7])
    if len(value) == 10:
        day = date(year, month, int(value[8:10]))
        return day, day
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def period_of(day: date, unit: str) -> tuple[date, date]:
    """The first and last day of the ``unit`` that holds ``day`` (weeks start on Monday)."""
    if unit == "day":
        return day, day
    if unit == "week":
        monday = day - timedelta(days=day.weekday())
        return monday, monday + timedelta(days=6)
    if unit == "year":
        return date(day.year, 1, 1), date(day.year, 12, 31)
    months = 3 if unit == "quarter" else 1
    first_month = (day.month - 1) // months * months + 1
    last_month = first_month + months - 1
    last = calendar.monthrange(day.year, last_month)[1]
    return date(day.year, first_month, 1), date(day.year, last_month, last)


def period_label(first: date, last: date, unit: str) -> str:
    """'14 Mar 1987', '2 – 8 Mar 1987', 'Mar 1987', 'Jan – Mar 1987' or '1987'."""
    if unit == "day":
        return day_label(first)
    if unit == "month":
        return month_label(first)
    if unit == "year":
        return str(first.year)
    if unit == "quarter":
        return f"{MONTH_ABBREVIATIONS[first.month - 1]} – {month_label(last)}"
    if first.month == last.month:
        return f"{first.day} – {day_label(last)}"
    if first.year == last.year:
        return f"{first.day} {MONTH_ABBREVIATIONS[first.month - 1]} – {day_label(last)}"
    return f"{day_label(first)} – {day_label(last)}"


def _counts_by_period(dated: list[tuple[date, int]], unit: str) -> dict[tuple[date, date], int]:
    counts: dict[tuple[date, date], int] = {}
    for day, count in dated:
        period = period_of(day, unit)
        counts[period] = counts.get(period, 0) + count
    return counts


def _gap_label(first: date, last: date, unit: str) -> str:
    """The days from ``first`` to ``last``, which hold no match, in the unit's terms:
    '1988 – 2017', 'Apr – May 2024' (months), '9 – 15 Mar 1987' (days and weeks)."""
    if unit == "year":
        label, end_label = str(first.year), str(last.year)
    elif unit in ("month", "quarter"):
        label, end_label = month_label(first), month_label(last)
        if first.year == last.year and label != end_label:
            label = MONTH_ABBREVIATIONS[first.month - 1]
    else:
        label, end_label = day_label(first), day_label(last)
        if (first.year, first.month) == (last.year, last.month) and label != end_label:
            label = str(first.day)
    return label if label == end_label else f"{label} – {end_label}"
