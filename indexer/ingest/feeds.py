"""Reading RSS (0.9x, 1.0, 2.0) and Atom 1.0 feeds: one raw article per item.

feedparser does the hard parts: it reads every dialect, parses dates in the many formats feeds
use, and sanitizes HTML. The bytes are decoded here first, by what they are (``charsets``): a feed
declared UTF-8 and written in windows-1251 would otherwise be read as windows-1252. A feed that
is not well-formed XML is read leniently, by lxml's recovering parser where feedparser finds no
items in it, and item by item (``feed_recovery``): the reading with the most items is kept, and
a warning names the file. Dates feedparser cannot read
("Seg, 24 Set 2018 19:42:40 -0300") are read by dateparser in the feed's language; one in the
future or before 1800 is dropped with a warning. Only a document that yields no items because it
is broken or not a feed is an error (one warning; the other sources are read).
"""

from __future__ import annotations

import io
import re
import time
import urllib.parse
import xml.sax
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import IO, Any

import feedparser

from indexer.ingest.charsets import decode_feed
from indexer.ingest.dates import implausible, read_date
from indexer.ingest.feed_recovery import items_one_by_one, recovered_feed
from indexer.ingest.htmltext import html_to_text
from indexer.ingest.records import InvalidRecord, RawArticle, RawRecords, ReadWarning

_DATE_FIELDS = ("published", "updated", "created")
# Full texts outside content:encoded, as feedparser names them: <yandex:full-text>, <turbo:content>.
_FULL_TEXT_FIELDS = ("yandex_full-text", "turbo_content")
_ENCODING_DECLARED = re.compile(r"^(\s*<\?xml[^>]*?encoding\s*=\s*[\"']?)[A-Za-z0-9_.:-]+")
_EMAIL = re.compile(r"[^\s@()<>]+@[^\s@()<>]+")
_EMAIL_THEN_NAME = re.compile(r"^[^\s@()<>]+@[^\s@()<>]+ \((?P<name>[^()]+)\)$")
_NAME_THEN_EMAIL = re.compile(r"^(?P<name>[^()<>]+?) ?[(<][^\s@()<>]+@[^\s@()<>]+[)>]$")

# A feedparser entry, or the feed it is in: a dict of what feedparser read, as it read it.
FeedItem = Mapping[str, Any]


def read_feed(stream: IO[bytes], location: str = "") -> RawRecords:
    """The items of an RSS or Atom feed as raw articles ("item 1", ...)."""
    text = decode_feed(stream.read())
    parsed = _parsed(_ENCODING_DECLARED.sub(r"\g<1>utf-8", text, count=1).encode("utf-8"), location)
    problem = _not_well_formed(parsed)
    channel, entries = parsed.feed, parsed.entries
    if problem:
        channel, entries = _most_items(parsed, text, location)
    if not entries:
        invalid = _feed_problem(parsed)
        if invalid:
            yield "feed", InvalidRecord(f"not a valid RSS or Atom feed: {invalid}")
        return
    if problem:
        yield (
            "feed",
            ReadWarning(
                f"not well-formed XML ({problem}); its items were read with a recovering parser"
            ),
        )
    for number, entry in enumerate(entries, start=1):
        raw = article_from_entry(entry, channel)
        date_problem = implausible(raw.get("published", ""))
        if date_problem:
            yield f"item {number}", ReadWarning(f"field 'published': {date_problem}; field dropped")
            del raw["published"]
        yield f"item {number}", raw


def _most_items(parsed: Any, text: str, location: str) -> tuple[Any, list[Any]]:
    """The channel and items of a feed that is not well-formed, from whichever reading finds
    the most items: feedparser's lenient one, lxml's recovering parser, or each item read on
    its own after the channel's head (as feed readers do: one broken item, an unclosed tag that
    swallows the rest, loses no more than itself)."""
    readings = [(parsed.feed, parsed.entries)]
    if not parsed.entries:
        recovered = _parsed(recovered_feed(text), location)
        readings.append((recovered.feed, recovered.entries))
    one_by_one = [_parsed(item.encode("utf-8"), location) for item in items_one_by_one(text)]
    entries = [entry for reading in one_by_one for entry in reading.entries]
    if one_by_one:
        readings.append((one_by_one[0].feed, entries))
    return max(readings, key=lambda reading: len(reading[1]))


def _parsed(data: bytes, location: str) -> Any:
    """feedparser's reading of ``data`` (UTF-8 bytes, never a name it could open or fetch)."""
    headers = {"content-location": location} if _is_web_address(location) else {}
    return feedparser.parse(io.BytesIO(data), response_headers=headers)


def _not_well_formed(parsed: FeedItem) -> str:
    """What the XML parser said about a feed that is not well-formed ("" when it is)."""
    exception = parsed.get("bozo_exception")
    if parsed.get("bozo") and isinstance(exception, xml.sax.SAXParseException):
        return _parse_problem(exception)
    return ""


def article_from_entry(entry: FeedItem, channel: FeedItem) -> RawArticle:
    """A raw article (the project's schema) from a feedparser entry and its feed."""
    body = _body(entry)
    teaser = entry.get("summary", "")
    language = _language(entry, channel)
    raw = {
        "title": _title(entry),
        "url": _link(entry, channel),
        "published": _published(entry, language),
        "author": _author_names(entry) or _author_names(channel),
        "teaser": "" if teaser == body else teaser,  # feedparser copies content into summary
        "body": body,
        "language": language,
    }
    tags = [tag["term"].strip() for tag in entry.get("tags", []) if (tag.get("term") or "").strip()]
    if tags:
        raw["section"] = tags[0]
        raw["tags"] = tags
    if not raw["url"] and entry.get("id"):
        raw["id"] = entry["id"]  # no link: the guid (or Atom id) names the item
    return {name: value for name, value in raw.items() if value}


def _feed_problem(parsed: FeedItem) -> str:
    """Why a feed without items is not a feed ("" when it is simply empty)."""
    if parsed.get("bozo"):
        return _parse_problem(parsed.get("bozo_exception"))
    if not parsed.get("version"):
        return "no <rss>, <rdf:RDF> or <feed> element"
    return ""


def _parse_problem(exception: Exception | None) -> str:
    """What the XML parser said, with the place in the file ("not well-formed at line 5")."""
    if isinstance(exception, xml.sax.SAXParseException):
        place = f"line {exception.getLineNumber()}, column {exception.getColumnNumber()}"
        return f"{exception.getMessage()} at {place}"
    if exception is None:
        return "unreadable"
    return str(exception) or type(exception).__name__


def _title(entry: FeedItem) -> str:
    """The item's title as text; Atom and some RSS titles are HTML (``type="html"``)."""
    title: str = entry.get("title", "")
    if "html" in entry.get("title_detail", {}).get("type", ""):
        return html_to_text(title)
    return title


def _link(entry: FeedItem, channel: FeedItem) -> str:
    """The item's link, made absolute against the feed's own link when it is relative."""
    link: str = (entry.get("link") or "").strip()
    base: str = channel.get("link") or ""
    if link and base and not urllib.parse.urlsplit(link).scheme:
        return urllib.parse.urljoin(base, link)
    return link


def _published(entry: FeedItem, language: str) -> str:
    """ISO 8601 (UTC) from the date feedparser understood, else the date dateparser reads in
    the feed's language, else the raw text (so the warning shows it), else nothing."""
    for name in _DATE_FIELDS:
        parsed = _present(entry, f"{name}_parsed")
        if isinstance(parsed, time.struct_time):
            return datetime(*parsed[:6], tzinfo=UTC).isoformat()
    texts = [text for name in _DATE_FIELDS if isinstance(text := _present(entry, name), str)]
    for text in texts:
        found = read_date(text, [language])
        if found is not None:
            return found.iso()
    return next(iter(texts), "")


def _author_names(item: FeedItem) -> list[str]:
    """Every author's name. feedparser's ``author`` holds only the last of several; of one RSS
    author it holds the text as written, which is read here because feedparser's own split of
    "email (Name)" mangles addresses with long top-level domains (".example", ".online")."""
    people = item.get("authors", [])
    if len(people) > 1:
        names = [person_name(person.get("name") or "") for person in people]
    else:
        names = [person_name(item.get("author") or "")]
    return [name for name in names if name]


def person_name(text: str) -> str:
    """The name in an author text: "Ida Brannock", "ida@example.com (Ida Brannock)" or
    "Ida Brannock <ida@example.com>"; "" for an address alone."""
    text = " ".join(text.split())
    found = _EMAIL_THEN_NAME.match(text) or _NAME_THEN_EMAIL.match(text)
    if found:
        return found["name"].strip()
    return "" if _EMAIL.fullmatch(text) else text


def _language(entry: FeedItem, channel: FeedItem) -> str:
    """The item's ``xml:lang`` (on its content, summary or title), else the feed's language."""
    details = [*entry.get("content", []), entry.get("summary_detail"), entry.get("title_detail")]
    for detail in details:
        if detail and detail.get("language"):
            language: str = detail["language"]
            return language
    feed_language: str = channel.get("language", "")
    return feed_language


def _body(entry: FeedItem) -> str:
    """``content:encoded`` or Atom content (the HTML version when there are several), else a
    full text in a namespace of its own (``yandex:full-text``)."""
    contents = entry.get("content", [])
    html = [c for c in contents if "html" in (c.get("type") or "")]
    chosen = (html or contents or [{}])[0]
    full_texts = (entry.get(name) for name in _FULL_TEXT_FIELDS)
    return chosen.get("value", "") or next((text for text in full_texts if text), "")


def _present(entry: FeedItem, name: str) -> object:
    """``entry[name]`` or None, without feedparser's deprecated ``updated`` -> ``published``
    fallback (which warns)."""
    return entry[name] if name in entry else None


def _is_web_address(location: str) -> bool:
    return location.startswith(("http://", "https://"))
