"""How values look on the pages: dates for readers, counts with separators, safe outbound links.

Registered as Jinja filters by ``pages``; plain functions, so the feeds and tests use them too.
"""

from __future__ import annotations

from datetime import date, datetime
from urllib.parse import urlsplit

from markupsafe import Markup, escape

MONTH_ABBREVIATIONS = (
    "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()  # locale-independent on purpose
)


def day_label(day: date) -> str:
    """'14 Mar 2025'."""
    return f"{day.day} {MONTH_ABBREVIATIONS[day.month - 1]} {day.year}"


def month_label(day: date) -> str:
    """'Mar 2025'."""
    return f"{MONTH_ABBREVIATIONS[day.month - 1]} {day.year}"


def news_date(published: str | None) -> str:
    """An API date ('2025-03-14T08:00:00Z', UTC) as a reader's date ('14 Mar 2025'); '' if none."""
    parsed = parse_api_date(published)
    return day_label(parsed) if parsed else ""


def parse_api_date(published: str | None) -> datetime | None:
    if not published:
        return None
    try:
        return datetime.strptime(published, "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        return None


def thousands(number: int) -> str:
    """1234 -> '1,234'."""
    return f"{number:,}"


def took_label(milliseconds: float) -> str:
    """How long a search took, for people: '12 ms', 'under 1 ms'."""
    return "under 1 ms" if milliseconds < 1 else f"{milliseconds:,.0f} ms"


# Languages written right to left (primary subtags): their titles and snippets get dir="rtl".
RIGHT_TO_LEFT_LANGUAGES = frozenset(
    "ar arc ary arz ckb dv fa he hbo ks ku-arab pnb ps sd syr ug ur yi".split()
)


def text_direction(language: str | None) -> str | None:
    """ "rtl" for a language written right to left, else None (the page's own direction)."""
    primary = (language or "").split("-", 1)[0].lower()
    return "rtl" if primary in RIGHT_TO_LEFT_LANGUAGES else None


def language_attributes(language: str | None) -> Markup:
    """``lang`` (and ``dir="rtl"``) for an element holding an article's own text."""
    if not language:
        return Markup("")
    attributes = f' lang="{escape(language)}"'
    if text_direction(language):
        attributes += ' dir="rtl"'
    return Markup(attributes)


def http_url(url: str | None) -> str | None:
    """``url`` when it is an absolute http(s) link, else None: article urls come from outside,
    and a ``javascript:`` or ``data:`` url must never become a link."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url.strip()
