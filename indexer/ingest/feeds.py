"""Reading RSS (0.9x, 1.0, 2.0) and Atom 1.0 feeds: one raw article per item.

feedparser does the hard parts: it sniffs the encoding from the bytes, reads every dialect, parses
dates in the many formats feeds use, and sanitizes HTML. It is lenient on purpose: a feed with a
few broken bytes still gives its items, and those are indexed; only a document that yields no
items because it is broken or not a feed is reported (one warning; the other sources are read).
"""

from __future__ import annotations

import re
import time
import urllib.parse
import xml.sax
from datetime import UTC, datetime
from typing import IO, Any

import feedparser

from indexer.ingest.htmltext import html_to_text
from indexer.ingest.records import InvalidRecord, RawRecords

_DATE_FIELDS = ("published", "updated", "created")
_EMAIL = re.compile(r"[^\s@()<>]+@[^\s@()<>]+")
_EMAIL_THEN_NAME = re.compile(r"^[^\s@()<>]+@[^\s@()<>]+ \((?P<name>[^()]+)\)$")
_NAME_THEN_EMAIL = re.compile(r"^(?P<name>[^()<>]+?) ?[(<][^\s@()<>]+@[^\s@()<>]+[)>]$")


def read_feed(stream: IO[bytes], location: str = "") -> RawRecords:
    """The items of an RSS or Atom feed as raw articles ("item 1", ...)."""
    headers = {"content-location": location} if _is_web_address(location) else {}
    # A stream, never bytes or text: feedparser would open bytes that name a file, or fetch a URL.
    parsed = feedparser.parse(stream, response_headers=headers)
    if not parsed.entries:
        problem = _feed_problem(parsed)
        if problem:
            yield "feed", InvalidRecord(f"not a valid RSS or Atom feed: {problem}")
        return
    channel = parsed.feed
    for number, entry in enumerate(parsed.entries, start=1):
        yield f"item {number}", article_from_entry(entry, channel)


def article_from_entry(entry: Any, channel: Any) -> dict[str, Any]:
    """A raw article (the project's schema) from a feedparser entry and its feed."""
    body = _body(entry)
    teaser = entry.get("summary", "")
    raw = {
        "title": _title(entry),
        "url": _link(entry, channel),
        "published": _published(entry),
        "author": _author_names(entry) or _author_names(channel),
        "teaser": "" if teaser == body else teaser,  # feedparser copies content into summary
        "body": body,
        "language": _language(entry, channel),
    }
    tags = [tag["term"].strip() for tag in entry.get("tags", []) if (tag.get("term") or "").strip()]
    if tags:
        raw["section"] = tags[0]
        raw["tags"] = tags
    if not raw["url"] and entry.get("id"):
        raw["id"] = entry["id"]  # no link: the guid (or Atom id) names the item
    return {name: value for name, value in raw.items() if value}


def _feed_problem(parsed: Any) -> str:
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


def _title(entry: Any) -> str:
    """The item's title as text; Atom and some RSS titles are HTML (``type="html"``)."""
    title = entry.get("title", "")
    if "html" in entry.get("title_detail", {}).get("type", ""):
        return html_to_text(title)
    return title


def _link(entry: Any, channel: Any) -> str:
    """The item's link, made absolute against the feed's own link when it is relative."""
    link = (entry.get("link") or "").strip()
    base = channel.get("link") or ""
    if link and base and not urllib.parse.urlsplit(link).scheme:
        return urllib.parse.urljoin(base, link)
    return link


def _published(entry: Any) -> str:
    """ISO 8601 (UTC) from the date feedparser understood, else the raw text (so the warning shows
    it), else nothing. feedparser reads far more formats than ``article_from_raw`` does."""
    for name in _DATE_FIELDS:
        parsed = _present(entry, f"{name}_parsed")
        if isinstance(parsed, time.struct_time):
            return datetime(*parsed[:6], tzinfo=UTC).isoformat()
    return next((text for name in _DATE_FIELDS if (text := _present(entry, name))), "")


def _author_names(item: Any) -> list[str]:
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


def _language(entry: Any, channel: Any) -> str:
    """The item's ``xml:lang`` (on its content, summary or title), else the feed's language."""
    details = [*entry.get("content", []), entry.get("summary_detail"), entry.get("title_detail")]
    for detail in details:
        if detail and detail.get("language"):
            return detail["language"]
    return channel.get("language", "")


def _body(entry: Any) -> str:
    """``content:encoded`` or Atom content: the HTML version when there are several."""
    contents = entry.get("content", [])
    html = [c for c in contents if "html" in (c.get("type") or "")]
    chosen = (html or contents or [{}])[0]
    return chosen.get("value", "")


def _present(entry: Any, name: str) -> Any:
    """``entry[name]`` or None, without feedparser's deprecated ``updated`` -> ``published``
    fallback (which warns)."""
    return entry[name] if name in entry else None


def _is_web_address(location: str) -> bool:
    return location.startswith(("http://", "https://"))
