"""The publication date of an article page, from the most exact statement of it to the least.

1. What the page says about itself (JSON-LD ``datePublished``, ``article:published_time``,
   ``<meta>`` dates, ``itemprop="datePublished"``), read by ``dates.read_date``: these keep
   their time and zone, which htmldate drops.
2. htmldate, a library made for finding the date of a web page: it also reads the URL, the
   ``<time>`` elements and the visible text ("Posted on November 2, 2023", "19.01.2020"). It
   gives midnight for a date it found without a time, so midnight from it is a date alone.
3. Short lines that look like a dateline (``<time>``, or a class or id naming a date), read by
   dateparser in the page's language: what htmldate does not read (a Thai year of the
   Buddhist era).
4. The date of modification, when nothing gives the date of publication.

A date that cannot be read at all is passed on as it is, so that the record's warning names it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from copy import deepcopy
from datetime import UTC, datetime, timedelta, timezone

from lxml.html import HtmlElement

from indexer.ingest.dates import EARLIEST_YEAR, StatedDate, read_date, search_date, time_on_day

# Classes and ids of the elements that state a story's date: in English, and "data", "fecha",
# "datum", "firma" (the signature line) of other languages.
_DATELINE_MARK = re.compile(
    r"date|time|publish|posted|dateline|byline|meta|info|data|fecha|datum|firma|signature",
    re.I,
)
_DATELINE_LONGEST = 80
_DATELINES_TRIED = 20
_STAMP_LONGEST = 30
_ZONED_STAMP = re.compile(r"\d[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:[+-]\d{2}:?\d{2})$")
_DATE_ONLY_LENGTH = len("2020-01-19")
_MODIFIED_MARK = re.compile(r"modif|update|aktualisiert|actualiz", re.I)
_OTHER_STORIES_TAGS = frozenset({"li", "aside", "nav", "footer", "a"})


def published_date(
    document: HtmlElement, stated: Sequence[str], modified: Sequence[str], languages: Sequence[str]
) -> str:
    """The page's date of publication as ``dates.StatedDate.iso`` gives it, else "" (or the
    first stated text when none could be read)."""
    readable = [found for found in (read_date(text, languages) for text in stated) if found]
    found = (
        (readable[0] if readable else None)
        or _first_readable(list(_time_elements(document)), languages)
        or _dateline(document, languages)
        or _htmldate(document)
        or _first_readable(modified, languages)
    )
    if found is None:
        return next((text.strip() for text in stated if text.strip()), "")
    if not found.has_time:
        lines = [*_dateline_texts(document), *_short_stamps(document)]
        readable += [date for date in (search_date(t, languages) for t in lines) if date]
        found = _most_exact(found, readable)
        day = found.moment.date()
        timed = (time_on_day(line, day, languages) for line in lines)
        found = found if found.has_time else next(filter(None, timed), found)
    found = _most_exact(found, readable)
    if found.has_time and found.moment.tzinfo is None:
        found = _in_page_zone(found, document, stated)
    return found.iso()


def _in_page_zone(found: StatedDate, document: HtmlElement, stated: Sequence[str]) -> StatedDate:
    """A clock time without a zone in the one zone the page states its other times of the same
    day in (its ``<time datetime>`` and dated meta tags: "+0200"; the same day, because summer
    time changes the offset), when it states just one other than UTC; else as it is (the
    publisher's clock)."""
    stamps = [*stated, *(element.get("datetime") or "" for element in document.iter("time"))]
    offsets: set[timedelta] = set()
    for stamp in stamps:
        moment = read_date(stamp.strip()) if _ZONED_STAMP.search(stamp.strip()) else None
        same_day = moment is not None and moment.moment.date() == found.moment.date()
        offset = moment.moment.utcoffset() if moment is not None and same_day else None
        if offset:  # neither None nor UTC: machines stamp UTC, the site's clock is its zone
            offsets.add(offset)
    if len(offsets) != 1:
        return found
    return StatedDate(found.moment.replace(tzinfo=timezone(offsets.pop())), has_time=True)


def _first_readable(texts: Sequence[str], languages: Sequence[str]) -> StatedDate | None:
    return next(filter(None, (read_date(text, languages) for text in texts)), None)


def _most_exact(found: StatedDate, others: Sequence[StatedDate]) -> StatedDate:
    """``found``, or the first of ``others`` that states the same and more: the time of a date
    alone ("2020-01-02", then "2020-01-02 17:11"), or the zone of a clock time
    ("2022-03-07T09:40:00" in JSON-LD, "20220307T094000+0100" in a meta tag)."""
    for other in others:
        if not other.has_time:
            continue
        if not found.has_time and _same_day(found, other):
            return other
        same_clock = other.moment.replace(tzinfo=None, second=0, microsecond=0) == (
            found.moment.replace(second=0, microsecond=0)
        )
        if found.moment.tzinfo is None and other.moment.tzinfo is not None and same_clock:
            return other
    return found


def _same_day(day: StatedDate, other: StatedDate) -> bool:
    """Whether ``other`` falls on ``day`` (a date alone), as its own clock or in UTC (a page's
    date is its local day, a ``<time datetime>`` often UTC)."""
    days = {other.moment.date()}
    if other.moment.tzinfo is not None:
        days.add(other.moment.astimezone(UTC).date())
        days |= {d + delta for d in set(days) for delta in (timedelta(days=-1), timedelta(days=1))}
    return day.moment.date() in days


def _htmldate(document: HtmlElement) -> StatedDate | None:
    import htmldate  # here: it takes a while to import

    found = htmldate.find_date(
        _without_other_stories(document),
        extensive_search=True,
        original_date=True,
        outputformat="%Y-%m-%dT%H:%M:%S",
        min_date=datetime(EARLIEST_YEAR, 1, 1),
    )
    if not found:
        return None
    moment = datetime.fromisoformat(found)
    return StatedDate(moment, has_time=moment.time() != datetime.min.time())


def _without_other_stories(document: HtmlElement) -> HtmlElement:
    """A copy of the page without what dates other pages: links, lists, asides, menus and the
    footer (htmldate, asked for the original date, takes the earliest it sees, which on a page
    with a list of older stories is one of theirs; the copyright line is in the footer)."""
    copy = deepcopy(document)
    for element in list(copy.iter(*_OTHER_STORIES_TAGS)):
        if element.getparent() is not None:
            element.drop_tree()
    return copy


def _dateline(document: HtmlElement, languages: Sequence[str]) -> StatedDate | None:
    for text in _dateline_texts(document):
        found = search_date(text, languages)
        if found is not None:
            return found
    return None


def _time_elements(document: HtmlElement) -> Iterator[str]:
    """The ``datetime`` of ``<time>`` elements that state a time and are not marked as a
    modification, outside lists, asides and links (where other stories are dated)."""
    for element in document.iter("time"):
        stamp = (element.get("datetime") or "").strip()
        marks = " ".join(element.get(name, "") for name in ("class", "id", "itemprop"))
        if len(stamp) > _DATE_ONLY_LENGTH and not _MODIFIED_MARK.search(marks):
            if not _among_other_stories(element):
                yield stamp


def _among_other_stories(element: HtmlElement) -> bool:
    return any(parent.tag in _OTHER_STORIES_TAGS for parent in element.iterancestors())


def _short_stamps(document: HtmlElement) -> Iterator[str]:
    """Short texts that are nothing but a date and a time ("2023-11-17 15:13"), outside lists,
    asides and links, whatever their element is marked as: to give a date alone its time (only
    one of the same day is taken)."""
    for element in document.iter("span", "div", "p", "em", "small", "time"):
        text = " ".join(element.text_content().split())
        if len(text) <= _STAMP_LONGEST and ":" in text and _is_date_and_time(text):
            if not _among_other_stories(element):
                yield text


def _is_date_and_time(text: str) -> bool:
    characters = "".join(text.split())
    return sum(char.isdigit() for char in characters) * 2 >= len(characters)


def _dateline_texts(document: HtmlElement) -> Iterator[str]:
    """The short texts of ``<time>`` elements and of elements whose class or id names a
    date, in page order (the first few), outside lists, asides and links."""
    tried = 0
    for element in document.iter("time", "span", "div", "p", "li", "small", "em"):
        marks = f"{element.get('class', '')} {element.get('id', '')}"
        if element.tag != "time" and not _DATELINE_MARK.search(marks):
            continue
        if _among_other_stories(element):
            continue
        texts = [element.get("datetime") or "", element.text_content()]
        for text in (" ".join(t.split()) for t in texts):
            if text and len(text) <= _DATELINE_LONGEST and any(c.isdigit() for c in text):
                yield text
        tried += 1
        if tried >= _DATELINES_TRIED:
            return
