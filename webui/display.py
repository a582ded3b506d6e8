"""How values look on the pages: dates for readers, counts with separators, safe outbound links.

Registered as Jinja filters by ``pages``; plain functions, so the feeds and tests use them too.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from urllib.parse import urlsplit

from markupsafe import Markup, escape

DESCRIPTION_CHARS = 160  # a meta description as search engines show it
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


def section_name(section: str, names: Mapping[str, str]) -> str:
    """A section as readers see it: its configured name ('acq' -> 'Acquisitions'), else as the
    source wrote it with a capital first letter ('money-fx' -> 'Money-fx', 'U.S. News' as is),
    so that every section shows in the same case wherever it appears."""
    named = names.get(section.lower())
    if named:
        return named
    return section[:1].upper() + section[1:]


def thousands(number: int) -> str:
    """1234 -> '1,234'."""
    return f"{number:,}"


PLURALS = {"story": "stories"}


def counted(number: int, noun: str) -> str:
    """(1234, 'story') -> '1,234 stories'; (1, 'article') -> '1 article'."""
    return f"{number:,} {noun if number == 1 else PLURALS.get(noun, noun + 's')}"


def clipped(text: str, length: int) -> str:
    """``text`` on one line, cut at a whole word within ``length`` characters ('…' when cut)."""
    line = " ".join(text.split())
    if len(line) <= length:
        return line
    cut = line.rfind(" ", 0, length - 1)
    return line[: cut if cut > 0 else length - 1].rstrip(" ,;:") + "…"


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
