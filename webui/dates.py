"""Dates as readers write them, and the quick ranges of the date filter.

The page shows one date style everywhere ('1 Mar 1987': chips, fields, results), and the date
fields take what a reader types: '1 Mar 1987', '1 March 1987', 'Mar 1987', '1987', or the API's
'1987-03-01' (a month or year means its first day in From and its last in To).

Quick ranges ("Past week") count back from the newest article in the index, not from today: in
an archive of 1987 wire stories "the past week" of today holds nothing, and for an index fed
every few minutes the newest article is today anyway.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

from indexer.errors import QueryError
from webui.display import MONTH_ABBREVIATIONS

QUICK_RANGES = (("Past day", 1), ("Past week", 7), ("Past month", 30), ("Past year", 365))
FIELD_NAMES = {"from": "From", "to": "To"}
_MONTHS = {name.lower(): number for number, name in enumerate(MONTH_ABBREVIATIONS, start=1)}
_READER_DATE = re.compile(r"(?:(\d{1,2})\s+)?([a-z]{3})[a-z]*\.?,?\s+(\d{4})", re.IGNORECASE)
_ISO_PART = re.compile(r"(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?")


def iso_date_param(text: str, name: str) -> str:
    """``text`` of the date parameter ``name`` ('from' or 'to') as 'YYYY-MM-DD' ('' if blank);
    QueryError with a message for readers when it is not a date."""
    text = text.strip()
    if not text:
        return ""
    parts = _date_parts(text)
    try:
        if parts is None:
            raise ValueError
        year, month, day = parts
        return _whole_period(year, month, day, last=name == "to").isoformat()
    except ValueError:
        field = FIELD_NAMES.get(name, name)
        raise QueryError(
            f"The {field} date “{text[:40]}” is not a date we can read (parameter "
            f"'{name}'): write it like 14 Mar 2025, Mar 2025, 2025 or 2025-03-14"
        ) from None


def quick_ranges(newest: date) -> list[tuple[str, date, date]]:
    """(label, first day, last day) of each quick range, counting back from ``newest`` (and
    not past the first day of year 1, where an archive's dates cannot begin)."""
    earliest = date.min + timedelta(days=max(days for _label, days in QUICK_RANGES))
    newest = max(newest, earliest)
    return [(label, newest - timedelta(days=days - 1), newest) for label, days in QUICK_RANGES]


def _date_parts(text: str) -> tuple[int, int | None, int | None] | None:
    iso = _ISO_PART.fullmatch(text)
    if iso:
        year, month, day = iso.groups()
        return int(year), int(month) if month else None, int(day) if day else None
    reader = _READER_DATE.fullmatch(text)
    if reader and reader.group(2).lower() in _MONTHS:
        day = int(reader.group(1)) if reader.group(1) else None
        return int(reader.group(3)), _MONTHS[reader.group(2).lower()], day
    return None


def _whole_period(year: int, month: int | None, day: int | None, last: bool) -> date:
    """The day, or the first (last) day of the month or year."""
    if month is None:
        return date(year, 12, 31) if last else date(year, 1, 1)
    if day is None:
        return date(year, month, calendar.monthrange(year, month)[1] if last else 1)
    return date(year, month, day)
