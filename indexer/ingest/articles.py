"""The article record and the rules that turn a raw record (a dict from any source) into one.

The schema is the project's article schema: ``id, url, title, section, published, author, teaser,
body, tags`` plus an optional ``language``. Only ``title`` is required. A field of the wrong type or
an unparseable value is dropped with a warning; a record without a usable title is skipped.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from indexer.ingest.htmltext import field_text, single_line

TEASER_LENGTH = 240
_LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")
_MAX_ID_LENGTH = 200

Warn = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class ArticleRecord:
    """One article, normalized: plain text, UTC dates, lists where the schema allows several."""

    id: str
    title: str
    url: str = ""
    section: str = ""
    published: datetime | None = None  # naive, UTC
    authors: tuple[str, ...] = ()
    teaser: str = ""  # as given (may be empty)
    body: str = ""
    tags: tuple[str, ...] = ()
    language: str = ""
    # the teaser the index cut from the body where the source gave none (its first sentences,
    # ``indexer.index.sentences``); not part of the article as read, nor of its checksum
    derived_teaser: str = ""
    # the language the index identified (``indexer.analysis.language_id``), once per rebuild or
    # update (``indexer.index.archive_text.ready_to_write``); not part of the checksum either
    identified_language: str = ""

    @property
    def display_teaser(self) -> str:
        """The teaser, or the opening of the body where the article has none."""
        return self.teaser or self.derived_teaser or derive_teaser(self.body)

    @property
    def author(self) -> str:
        return ", ".join(self.authors)

    @property
    def checksum(self) -> str:
        """Changes whenever any field of the article changes (updates compare it)."""
        published = self.published.isoformat() if self.published else ""
        fields = [
            self.id,
            self.title,
            self.url,
            self.section,
            published,
            *self.authors,
            "\x1e",
            self.teaser,
            self.body,
            *self.tags,
            "\x1e",
            self.language,
        ]
        return hashlib.sha1("\x1f".join(fields).encode("utf-8")).hexdigest()


def article_from_raw(raw: object, warn: Warn) -> ArticleRecord | None:
    """The article in ``raw``, or None (after a warning) when it cannot be used."""
    if not isinstance(raw, Mapping):
        warn(f"expected a JSON object, got {_type_name(raw)}; record skipped")
        return None
    raw_title = raw.get("title")
    if raw_title is not None and not isinstance(raw_title, str):
        warn(f"field 'title' must be a string, got {_type_name(raw_title)}; record skipped")
        return None
    title = single_line(_without_controls(raw_title or ""))
    if not title:
        warn("record has no title; record skipped")
        return None
    url = _text_field(raw, "url", warn, str.strip)
    published = _published(raw.get("published"), warn)
    record_id = _record_id(raw.get("id"), url, title, published, warn)
    return ArticleRecord(
        id=record_id,
        title=title,
        url=url,
        section=_text_field(raw, "section", warn, single_line),
        published=published,
        authors=_names(raw, "author", warn),
        teaser=_text_field(raw, "teaser", warn, field_text),
        body=_text_field(raw, "body", warn, field_text),
        tags=_names(raw, "tags", warn),
        language=_language(raw.get("language"), warn),
    )


def parse_published(value: str) -> datetime:
    """ISO 8601 (date or date-time, with or without zone) or RFC 2822, as naive UTC.

    Raises ValueError when the text is neither.
    """
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError) as exc:
            raise ValueError(f"unrecognised date {value[:40]!r}") from exc
    if parsed.tzinfo is not None:
        try:
            parsed = parsed.astimezone(UTC).replace(tzinfo=None)
        except OverflowError:
            raise ValueError(f"date out of range in UTC {value[:40]!r}") from None
    return parsed


def derive_teaser(body: str, length: int = TEASER_LENGTH) -> str:
    """The body's opening paragraph, cut at a word boundary to about ``length`` characters."""
    first = body.split("\n\n", 1)[0]
    if len(first) <= length:
        return first
    cut = first[:length].rsplit(" ", 1)[0].rstrip(",;:.-–— ")
    return cut + "…"


def stable_id(*parts: str) -> str:
    """An id derived from text: the same input always gives the same id."""
    digest = hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()
    return f"h-{digest[:20]}"


def _record_id(value: object, url: str, title: str, published: datetime | None, warn: Warn) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | type(None)):
        warn(f"field 'id' must be a string, got {_type_name(value)}; derived an id instead")
        value = None
    text = "" if value is None else str(value).strip()
    if len(text) > _MAX_ID_LENGTH or _CONTROLS.search(text) or any(ord(c) < 32 for c in text):
        warn("field 'id' is too long or has control characters; derived an id instead")
        text = ""
    if text:
        return text
    if url:
        return stable_id("url", url)
    return stable_id("title", title, published.isoformat() if published else "")


def _text_field(
    raw: Mapping[str, object], name: str, warn: Warn, clean: Callable[[str], str]
) -> str:
    value = raw.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        warn(f"field '{name}' must be a string, got {_type_name(value)}; field dropped")
        return ""
    return clean(_without_controls(value))


def _names(raw: Mapping[str, object], name: str, warn: Warn) -> tuple[str, ...]:
    value = raw.get(name)
    if value is None or value == "":
        return ()
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
        warn(f"field '{name}' must be a string or a list of strings; field dropped")
        return ()
    names = (single_line(_without_controls(item)) for item in items)
    return tuple(dict.fromkeys(n for n in names if n))


def _published(value: object, warn: Warn) -> datetime | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        warn(f"field 'published' must be a date string, got {_type_name(value)}; field dropped")
        return None
    try:
        return parse_published(value)
    except ValueError as exc:
        warn(f"field 'published': {exc}; field dropped")
        return None


def _language(value: object, warn: Warn) -> str:
    if value is None or value == "":
        return ""
    if not isinstance(value, str) or not _LANGUAGE_TAG.match(value.strip()):
        warn(f"field 'language' is not a BCP 47 code: {str(value)[:20]!r}; field dropped")
        return ""
    return value.strip()


# Control characters, and lone surrogates (JSON's "\ud800" escapes), which no encoding can write.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def _without_controls(text: str) -> str:
    return _CONTROLS.sub("", text)


def _type_name(value: object) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}
    if value is None:
        return "null"
    return names.get(type(value), "a number" if isinstance(value, int | float) else "a value")
