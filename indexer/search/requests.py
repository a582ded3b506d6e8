"""The search request: what a caller may ask for, checked and bounded before any search runs."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from indexer.errors import QueryError
from indexer.search.query_languages import accept_languages

SORTS = ("relevance", "newest", "oldest")
DEFAULT_PER_PAGE = 10
MAX_PER_PAGE = 100
MAX_RESULT_DEPTH = 1000  # no page reaches past the 1000th result
MAX_SECTIONS = 20
MAX_LANGUAGES = 20
_LANGUAGE_CODE = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")
_STORY_ID = re.compile(r"^[0-9a-f]{1,64}$")

# URL-style parameters: a value, or each value of a repeated parameter (checked as they are read)
Params = Mapping[str, str | Sequence[str]]


@dataclass(frozen=True)
class SearchRequest:
    """One search: the query text, filters, order and page. Build it with ``from_params``."""

    q: str = ""
    sections: tuple[str, ...] = ()
    date_from: date | None = None
    date_to: date | None = None
    sort: str = "relevance"
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE
    languages: tuple[str, ...] = ()  # the filter: primary language subtags ("en", "ja")
    accept_languages: tuple[str, ...] = ()  # preferred, not required (Accept-Language)
    # When nothing matches, show the results of the suggested spelling (autocorrect=0: never).
    autocorrect: bool = True
    # One result per story (its best article); collapse=0 lists every article.
    collapse: bool = True
    story: str = ""  # the filter: only the articles of this story (listed newest first)

    @property
    def collapsed(self) -> bool:
        """Whether results are stories: asked for, and not the list of one story's articles."""
        return self.collapse and not self.story

    @classmethod
    def from_params(cls, params: Params, accept_language: str = "") -> SearchRequest:
        """A request from URL-style parameters (values are strings or lists of strings) and
        the browser's Accept-Language header, if any.

        Raises QueryError naming the parameter that is wrong. ``per_page`` above the maximum and
        pages past the result depth are clamped, not refused.
        """
        per_page = min(_integer(params, "per_page", DEFAULT_PER_PAGE), MAX_PER_PAGE)
        page = min(_integer(params, "page", 1), max(1, MAX_RESULT_DEPTH // per_page))
        date_from, date_to = _date(params, "from"), _date(params, "to")
        if date_from and date_to and date_from > date_to:
            raise QueryError("parameter 'from' is after 'to'")
        story = _story(params)
        sort = _one(params, "sort") or ("newest" if story else "relevance")
        if sort not in SORTS:
            raise QueryError(f"parameter 'sort' must be one of: {', '.join(SORTS)}")
        return cls(
            q=_one(params, "q") or "",
            sections=_sections(params),
            date_from=date_from,
            date_to=date_to,
            sort=sort,
            page=page,
            per_page=per_page,
            languages=_languages(params),
            accept_languages=accept_languages(accept_language[:500]),
            autocorrect=_switch(params, "autocorrect", default=True),
            collapse=_switch(params, "collapse", default=True),
            story=story,
        )

    def as_params(self, **changes: object) -> dict[str, object]:
        """URL parameters for this request with ``changes`` (for links: pages, facets, sorts).

        Defaults are left out, so each state has one URL: no ``sort`` for relevance, no ``page``
        for the first page, no ``per_page`` for the default size.
        """
        values = {
            "q": self.q,
            "section": list(self.sections),
            "from": self.date_from.isoformat() if self.date_from else "",
            "to": self.date_to.isoformat() if self.date_to else "",
            "sort": self.sort,
            "page": self.page,
            "per_page": self.per_page,
            "language": list(self.languages),
            "autocorrect": "" if self.autocorrect else "0",
            "collapse": "" if self.collapse else "0",
            "story": self.story,
        }
        values.update(changes)
        default_sort = "newest" if values["story"] else "relevance"  # a story lists newest first
        defaults = {"sort": default_sort, "page": 1, "per_page": DEFAULT_PER_PAGE}
        return {
            key: value
            for key, value in values.items()
            if value not in ("", [], None) and defaults.get(key) != value
        }


def _one(params: Params, name: str) -> str | None:
    value = params.get(name)
    if isinstance(value, list | tuple):
        value = value[-1] if value else None
    if value is not None and not isinstance(value, str):
        raise QueryError(f"parameter '{name}' must be text")
    return value.strip() if isinstance(value, str) else None


def _integer(params: Params, name: str, default: int) -> int:
    text = _one(params, name)
    if not text:
        return default
    if not (text.isascii() and text.isdigit()) or len(text) > 9 or int(text) < 1:
        raise QueryError(f"parameter '{name}' must be a whole number from 1")
    return int(text)


def _switch(params: Params, name: str, default: bool) -> bool:
    text = (_one(params, name) or "").lower()
    if not text:
        return default
    if text not in ("0", "1", "true", "false"):
        raise QueryError(f"parameter '{name}' must be 0 or 1")
    return text in ("1", "true")


def _story(params: Params) -> str:
    text = (_one(params, "story") or "").lower()
    if text and not _STORY_ID.match(text):
        raise QueryError("parameter 'story' must be a story id (the 'story' of a result)")
    return text


def _date(params: Params, name: str) -> date | None:
    text = _one(params, name)
    if not text:
        return None
    try:
        if len(text) != 10:
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise QueryError(f"parameter '{name}' must be a date as YYYY-MM-DD") from None


def _sections(params: Params) -> tuple[str, ...]:
    value = params.get("section") or []
    values: Sequence[str] = [value] if isinstance(value, str) else value
    if not all(isinstance(v, str) for v in values):
        raise QueryError("parameter 'section' must be text")
    sections = tuple(dict.fromkeys(" ".join(v.split()) for v in values if v.strip()))
    if len(sections) > MAX_SECTIONS:
        raise QueryError(f"parameter 'section' is given too often: at most {MAX_SECTIONS}")
    return sections


def _languages(params: Params) -> tuple[str, ...]:
    """The ``language`` filter: BCP 47 tags, kept as their primary subtags (``en-GB``: ``en``)."""
    value = params.get("language") or []
    values: Sequence[str] = [value] if isinstance(value, str) else value
    if not all(isinstance(v, str) for v in values):
        raise QueryError("parameter 'language' must be text")
    tags = [v.strip() for v in values if v.strip()]
    for tag in tags:
        if not _LANGUAGE_CODE.match(tag):
            raise QueryError("parameter 'language' must be a language code such as en or ja")
    if len(tags) > MAX_LANGUAGES:
        raise QueryError(f"parameter 'language' is given too often: at most {MAX_LANGUAGES}")
    return tuple(dict.fromkeys(tag.split("-", 1)[0].lower() for tag in tags))
