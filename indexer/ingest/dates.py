"""Reading the dates publishers write, and telling a publication date from a mistake.

ISO 8601 (extended or basic, ``20180619T055000+0900``) and RFC 2822 are read by the standard
library; anything else by dateparser, in the language of the page or feed: "Seg, 24 Set 2018
19:42:40 -0300", "martes 14 de mayo de 2019, 18:30", "2016年10月14日07:17", "١٤ أكتوبر ٢٠٢٠".
A date is kept as what it states: a date without a time stays a date (no time is invented), a
date without a year is no date, and a time without a zone is the publisher's wall clock. A date
in the future or before 1800 is not a publication date: the readers warn and drop it.

dateparser ships its language data in the package and fetches nothing; it is always given the
languages to try (without them it tries every language it knows, which takes seconds).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from functools import lru_cache
from typing import TYPE_CHECKING

from indexer.ingest.articles import parse_published

if TYPE_CHECKING:
    from dateparser.date import DateData, DateDataParser

EARLIEST_YEAR = 1800
FUTURE_TOLERANCE = timedelta(days=1)  # zones ahead of UTC, a publisher's clock a little fast
DEFAULT_LANGUAGES = ("en",)
DATELINE_LANGUAGES = ("en", "es", "pt", "fr", "de", "it")
BUDDHIST_ERA_OFFSET = 543  # Thai dates count years from 543 BC
_LONGEST_DATE_TEXT = 120
_DATEPARSER_SETTINGS = {
    "RETURN_TIME_AS_PERIOD": True,  # tells a stated time from a date alone
    "REQUIRE_PARTS": ["day", "month", "year"],  # never a year or a day taken from today
    "PARSERS": ["custom-formats", "absolute-time"],  # no "3 hours ago", no bare numbers
}
_ISO_DATE_ONLY_LENGTH = 10  # "2024-05-02"; anything longer that ISO reads has a time
_LABEL = re.compile(r"^[^\d:：]{1,20}[:：]\s*(?=\d)")  # "Updated: ", "最終更新:" before a date


@dataclass(frozen=True)
class StatedDate:
    """A date as a source states it: with a zone or not, with a time or not."""

    moment: datetime
    has_time: bool

    def iso(self) -> str:
        """ISO 8601: date and time (with the zone if stated), or the date alone."""
        return self.moment.isoformat() if self.has_time else self.moment.date().isoformat()


def read_date(text: str, languages: Sequence[str] = ()) -> StatedDate | None:
    """The date ``text`` states in full (day, month and year), or None."""
    text = " ".join(text.split())
    if not text or len(text) > _LONGEST_DATE_TEXT or not any(c.isdigit() for c in text):
        return None
    return _iso_8601(text) or _rfc_2822(text) or _in_words(text, _language_codes(languages))


def search_date(text: str, languages: Sequence[str] = ()) -> StatedDate | None:
    """The first full date stated somewhere in a short line of text ("Datum 19.01.2020",
    "Posted on November 2, 2023"), or None."""
    found = read_date(text, languages)
    if found or not text.strip() or len(text) > _LONGEST_DATE_TEXT:
        return found
    from dateparser.search import search_dates

    codes = _language_codes(languages)
    for phrase, _moment in search_dates(text, languages=list(codes)) or []:
        found = read_date(phrase, codes)
        if found:
            return found
    return None


def looks_like_date(text: str, languages: Sequence[str] = ()) -> bool:
    """Whether ``text`` is a date, even a partial one ("Monday 14 October"), or holds a full
    one ("05/10/2018 - Publicado por: ..."): to tell a dateline from the story, never to store.
    Without a known language, a few widespread ones are tried."""
    text = " ".join(text.split())
    if not text or len(text) > _LONGEST_DATE_TEXT or not any(c.isdigit() for c in text):
        return False
    codes = _language_codes(languages, default=DATELINE_LANGUAGES)
    if search_date(text, codes) is not None:
        return True
    parser = _date_parser(codes, partial=True)
    try:
        return parser is not None and parser.get_date_data(text).date_obj is not None
    except (ValueError, OverflowError, TypeError):
        return False


def time_on_day(text: str, day: date, languages: Sequence[str] = ()) -> StatedDate | None:
    """``day`` at the time a short line states for it, when the line names that day without
    its year ("March 18 at 3:57 PM", "Updated: 3/9(木) 18:45"); else None."""
    text = without_label(" ".join(text.split()))
    if not text or len(text) > _LONGEST_DATE_TEXT or not any(c.isdigit() for c in text):
        return None
    parser = _date_parser(_language_codes(languages, default=DATELINE_LANGUAGES), partial=True)
    try:
        found = parser.get_date_data(text) if parser is not None else None
    except (ValueError, OverflowError, TypeError):
        return None
    if found is None or found.date_obj is None or found.period != "time":
        return None
    moment = found.date_obj
    if (moment.month, moment.day) != (day.month, day.day):
        return None
    return StatedDate(datetime.combine(day, moment.time()), has_time=True)


def without_label(text: str) -> str:
    """``text`` without a short label before the date it states ("Updated: 3/9 18:45")."""
    return _LABEL.sub("", text)


def implausible(published: str, now: datetime | None = None) -> str:
    """Why ``published`` (as the readers pass it on) cannot be a publication date: it is in the
    future or before 1800; "" when it can be, or cannot be read at all (the record's own
    checks warn about that)."""
    try:
        moment = parse_published(published)
    except ValueError:
        return ""
    if moment.year < EARLIEST_YEAR:
        return f"date {published!r} is before {EARLIEST_YEAR}"
    now = now or datetime.now(UTC).replace(tzinfo=None)
    if moment > now + FUTURE_TOLERANCE:
        return f"date {published!r} is in the future"
    return ""


def _iso_8601(text: str) -> StatedDate | None:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return StatedDate(moment, has_time=len(text) > _ISO_DATE_ONLY_LENGTH)


def _rfc_2822(text: str) -> StatedDate | None:
    """RFC 2822, or the ctime form, with a zone the standard library does not know and would
    drop ("Mon Mar 07 09:40:12 CET 2022", as Java prints dates) read by dateparser's table."""
    from dateparser.timezone_parser import pop_tz_offset_from_string

    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        _rest, zone = pop_tz_offset_from_string(text)
        if zone is not None:
            moment = moment.replace(tzinfo=timezone(zone.utcoffset(moment)))
    return StatedDate(moment, has_time=True)


def _in_words(text: str, languages: tuple[str, ...]) -> StatedDate | None:
    """A date in words; a zone named anywhere in it ("Mon Mar 07 09:40:12 CET 2022", the form
    Java prints, where dateparser does not look for one) is kept with a stated time."""
    from dateparser.timezone_parser import pop_tz_offset_from_string

    parser = _date_parser(languages)
    if parser is None:
        return None
    rest, zone = pop_tz_offset_from_string(text)
    found = _parsed_in_words(parser, rest if zone else text) or _parsed_in_words(parser, text)
    if found is None:
        return None
    moment = _common_era(found.date_obj, found.locale)
    has_time = found.period == "time"
    if zone is not None and has_time and moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone(zone.utcoffset(moment)))
    return StatedDate(moment, has_time=has_time)


def _parsed_in_words(parser: DateDataParser, text: str) -> DateData | None:
    try:
        found = parser.get_date_data(text)
    except (ValueError, OverflowError, TypeError):
        return None
    return found if found.date_obj is not None else None


def _common_era(moment: datetime, locale: str | None) -> datetime:
    """A Thai date's Buddhist-era year (2559) as the common-era year (2016)."""
    is_thai = (locale or "").split("-")[0] == "th"
    if is_thai and moment.year - BUDDHIST_ERA_OFFSET >= EARLIEST_YEAR:
        return moment.replace(year=moment.year - BUDDHIST_ERA_OFFSET)
    return moment


def _language_codes(
    languages: Sequence[str], default: tuple[str, ...] = DEFAULT_LANGUAGES
) -> tuple[str, ...]:
    """dateparser's codes for BCP 47 tags ("pt-BR" -> "pt"); ``default`` when none is known."""
    codes = [re.split(r"[-_]", tag.strip())[0].lower() for tag in languages if tag.strip()]
    return tuple(dict.fromkeys(codes)) or default


@lru_cache(maxsize=64)
def _date_parser(languages: tuple[str, ...], partial: bool = False) -> DateDataParser | None:
    """A dateparser parser for ``languages`` (those dateparser knows), or None; ``partial``:
    one that also reads dates without a day or a year."""
    from dateparser.date import DateDataParser  # here: it takes a while to import
    from dateparser.languages.loader import default_loader

    known = set(default_loader.get_locale_map())
    usable = [code for code in languages if code in known]
    if not usable:
        return None
    settings = dict(_DATEPARSER_SETTINGS)
    if partial:
        del settings["REQUIRE_PARTS"]
    return DateDataParser(languages=usable, settings=settings)
