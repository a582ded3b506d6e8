"""Scoring what the reader found on a page against the facts an editor recorded for it.

``../shared/pages-facts/README.md`` says how: both sides normalised with Unicode NFC and single
spaces; title and section equal case-insensitively; the date's parts equal (the reader's value
converted to the fact's offset when both carry one) and, when both give a time, the same minute;
authors equal as sets where the fact names people; body start and teaser by their first 8 words
(or first 20 non-space characters). A fact that is null, or an author list that is empty, is not
scored.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any

FIELDS = ("title", "published", "section", "author", "body_start", "language", "teaser")
START_WORDS = 8
START_CHARACTERS = 20


@dataclass(frozen=True)
class FactScore:
    """One scored fact: the field, whether the reader got it, and both values for the list."""

    field: str
    right: bool
    expected: str
    found: str


def score_page(facts: dict[str, Any], found: dict[str, Any]) -> list[FactScore]:
    """Every scored fact of one page; ``found`` holds the reader's fields (title, published as
    ISO 8601, section, authors as a list, body, teaser, language)."""
    scores = []
    for field in FIELDS:
        expected = facts.get(field)
        if expected is None or (field == "author" and not expected):
            continue
        value = _found_value(field, found)
        right = _is_right(field, expected, value, facts.get("body_start_unit", "words"))
        shown = value if field not in ("body_start", "teaser") else _opening(value)
        scores.append(FactScore(field, right, _shown(expected), _shown(shown)))
    return scores


def _found_value(field: str, found: dict[str, Any]) -> Any:
    if field == "author":
        return list(found.get("authors") or [])
    if field == "body_start":
        return found.get("body") or ""
    return found.get(field) or ""


def _is_right(field: str, expected: Any, value: Any, unit: str) -> bool:
    if field in ("title", "section"):
        return _normal(value).casefold() == _normal(expected).casefold()
    if field == "language":
        return _normal(value).split("-")[0].casefold() == _normal(expected).casefold()
    if field == "author":
        return {_normal(name).casefold() for name in value} == {
            _normal(name).casefold() for name in expected
        }
    if field == "published":
        return same_date(expected, value)
    return same_start(expected, value, unit)


def same_start(expected: str, text: str, unit: str = "words") -> bool:
    """Whether ``text`` starts as the fact says (words: its first 8 tokens; chars: its first
    20 characters with all whitespace removed)."""
    if unit == "chars":
        squeeze = lambda value: "".join(_normal(value).split())[:START_CHARACTERS]  # noqa: E731
        return squeeze(text).casefold() == squeeze(expected).casefold()
    first = _normal(text).casefold().split()[:START_WORDS]
    return first == _normal(expected).casefold().split()[:START_WORDS]


def same_date(expected: str, found: str) -> bool:
    """The fact's date (``YYYY-MM-DD`` or with a time and maybe an offset) against the
    reader's ISO 8601 value."""
    if not found:
        return False
    try:
        fact = datetime.fromisoformat(expected)
        value = datetime.fromisoformat(found.replace("Z", "+00:00"))
    except ValueError:
        return False
    if fact.tzinfo is not None and value.tzinfo is not None:
        value = value.astimezone(fact.tzinfo)
    if value.date() != fact.date():
        return False
    if len(expected) <= len("YYYY-MM-DD"):
        return True
    return (value.hour, value.minute) == (fact.hour, fact.minute)


def _opening(text: str) -> str:
    return " ".join(str(text).split()[:START_WORDS])[:120]


def _shown(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return _normal(str(value))[:120]


def _normal(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text or "").split())
