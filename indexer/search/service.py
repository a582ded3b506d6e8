"""The search API: ranked, filtered, faceted, highlighted results from the current index.

``SearchService`` is what the web app and ``indexer search`` use. It keeps one searcher open between
requests, and picks up a new generation (after ``indexer rebuild`` or ``update``) within
``REFRESH_SECONDS``, without failing a request: the old searcher is closed only after the new one
is open.

Ranking is BM25F over title, teaser and body (weights in ``schema.SEARCH_FIELD_BOOSTS``). There is
no recency prior in the score: archives span decades and a story from 1987 is the right answer to a
query about 1987. Among equally good matches the newer story comes first; ``sort=newest`` orders by
date outright.

How a search runs: the query's matching documents are found as a set (``docsets``); the date and
section filters, the facet counts and the date orders come from per-document lists (``doctable``);
Whoosh scores only the page asked for; snippets mark the words of the page's ten articles.
"""

from __future__ import annotations

import heapq
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from datetime import time as day_time
from functools import cached_property
from typing import Any

import numpy as np
from whoosh import index as whoosh_index
from whoosh import query

from indexer.config import Settings
from indexer.errors import ArticleNotFoundError, NewsindexError, QueryError
from indexer.index.schema import require_schema_version
from indexer.index.store import IndexStore, ReaderLease
from indexer.search.deadline import Deadline
from indexer.search.docsets import as_doc_array, matching_docs
from indexer.search.doctable import DocTable
from indexer.search.language_stats import LanguageBM25F, language_column
from indexer.search.languages import (
    Highlight,
    highlight_terms,
    language_facets,
    prefer,
    preferred_languages,
)
from indexer.search.postings import TermPostings
from indexer.search.query_parser import QueryReader, clean_query_text
from indexer.search.ranking import load_length_norms, top_by_relevance
from indexer.search.related import related_articles
from indexer.search.requests import SearchRequest
from indexer.search.results import ArticleView, FacetCount, Hit, SearchResults, iso_utc
from indexer.search.snippets import escaped_line, marked_html, snippet_html
from indexer.search.suggest import SpellingWords, suggest_spelling

REFRESH_SECONDS = 1.0
CACHED_RESULTS = 512  # recent searches kept per worker and generation (0: none)
TIME_LIMIT_SECONDS = 2.0
YEARLY_AFTER_MONTHS = 36  # a date facet per year once the matches span more than three years
TEXT_FIELDS = ("title", "teaser", "body")

__all__ = ["SearchRequest", "SearchService", "SearchResults", "ArticleView"]


@dataclass
class _OpenIndex:
    """One generation held open: its lease keeps it on disk while searchers use it."""

    lease: ReaderLease
    searcher: Any
    reader: QueryReader
    checked_at: float
    _table: DocTable | None = field(default=None, repr=False)
    _postings: TermPostings | None = field(default=None, repr=False)
    _spelling: SpellingWords | None = field(default=None, repr=False)
    # Results of recent searches of this generation, oldest first (popular queries repeat).
    results: dict[SearchRequest, SearchResults] = field(default_factory=dict, repr=False)

    @property
    def generation(self) -> str:
        return self.lease.generation.name

    @property
    def table(self) -> DocTable:
        if self._table is None:
            self._table = DocTable.of(self.searcher)
        return self._table

    @property
    def postings(self) -> TermPostings:
        if self._postings is None:
            self._postings = TermPostings(self.searcher)
        return self._postings

    @property
    def spelling(self) -> SpellingWords:
        if self._spelling is None:
            self._spelling = SpellingWords(self.searcher)
        return self._spelling

    def load(self) -> None:
        """Read what every search uses (date table, field lengths, spelling words) now rather
        than in the first search, whose time limit it would eat into on a large index."""
        self.table.every  # noqa: B018 (loads the table)
        load_length_norms(self.postings, TEXT_FIELDS)
        self.spelling.words  # noqa: B018 (loads the words)

    def refresh(self) -> None:
        """Follow new segments of the same generation (none are written by this project today,
        but Whoosh allows them), dropping what was derived from the old ones."""
        if not self.searcher.up_to_date():
            self.searcher = self.searcher.refresh()
            self._table = self._postings = self._spelling = None
            self.results.clear()

    def close(self) -> None:
        self.searcher.close()
        self.lease.release()


@dataclass
class _Found:
    """The documents a search found, before they are turned into a page of hits."""

    parsed: query.Query | None
    matched: set[int] | frozenset[int]
    in_dates: set[int] | frozenset[int]
    final: set[int] | frozenset[int]
    relaxed: bool
    in_sections: set[int] | frozenset[int]  # before the language filter (language facets)

    @cached_property
    def final_docs(self) -> np.ndarray:
        """``final`` as an array, made once for the facets and the ranking."""
        return as_doc_array(self.final)


class SearchService:
    """Searches the current index generation; safe to share between threads."""

    def __init__(self, settings: Settings, cached_results: int = CACHED_RESULTS) -> None:
        self.store = IndexStore(settings.index_dir)
        self._open: _OpenIndex | None = None
        self._lock = threading.Lock()
        self._cached_results = cached_results

    # Public API ---------------------------------------------------------------------------------

    def search(self, request: SearchRequest) -> SearchResults:
        started = time.perf_counter()
        opened = self._current()
        cache = opened.results
        found = cache.pop(request, None) if self._cached_results else None
        if found is not None:
            cache[request] = found  # most recently used last
        else:
            found = self._search(opened, request, started, Deadline(TIME_LIMIT_SECONDS))
            if self._cached_results:
                cache[request] = found
                while len(cache) > self._cached_results:
                    cache.pop(next(iter(cache)))
        took_ms = round((time.perf_counter() - started) * 1000, 2)
        return replace(found, took_ms=took_ms)

    def article(self, article_id: str, q: str = "") -> ArticleView:
        """The whole article, its words from ``q`` marked, and related articles."""
        opened = self._current()
        searcher = opened.searcher
        docnum = searcher.document_number(id=article_id)
        if docnum is None:
            raise ArticleNotFoundError(f"no article with id {article_id!r}")
        stored = searcher.stored_fields(docnum)
        terms = _query_words(opened.reader, searcher, q)
        analyzer = searcher.schema["body"].analyzer
        language = stored.get("language", "")
        body = stored.get("body") or stored.get("teaser", "")
        paragraphs = (p for p in body.split("\n\n") if p.strip())
        return ArticleView(
            id=stored["id"],
            url=stored.get("url", ""),
            title=stored["title"],
            title_html=marked_html(stored["title"], terms, analyzer, language),
            section=stored.get("section", ""),
            published=iso_utc(stored.get("published")),
            author=stored.get("author", ""),
            teaser=stored.get("teaser", ""),
            body=stored.get("body", ""),
            body_html="".join(
                f"<p>{marked_html(p, terms, analyzer, language)}</p>" for p in paragraphs
            ),
            tags=list(stored.get("tags") or []),
            language=stored.get("language", ""),
            related=related_articles(searcher, docnum, stored),
        )

    def warm_up(self) -> bool:
        """Open the current index and load what searches read of it, so that the first search
        does not wait for it (gunicorn calls this as a worker starts); False when there is no
        usable index yet (the first search will say why)."""
        try:
            self._current()
        except NewsindexError:
            return False
        return True

    def health(self) -> dict[str, Any]:
        """``{"status", "generation", "articles"}``; raises IndexMissingError without an index."""
        opened = self._current()
        return {
            "status": "ok",
            "generation": opened.generation,
            "articles": opened.searcher.doc_count(),
        }

    def __enter__(self) -> SearchService:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        with self._lock:
            if self._open is not None:
                self._open.close()
                self._open = None

    # Opening and refreshing ---------------------------------------------------------------------

    def _current(self) -> _OpenIndex:
        with self._lock:
            now = time.monotonic()
            if self._open is None:
                self._open = self._open_current(now)
            elif now - self._open.checked_at >= REFRESH_SECONDS:
                self._open.checked_at = now
                if self.store.pointer().get("current") != self._open.generation:
                    previous, self._open = self._open, self._open_current(now)
                    previous.close()
                else:
                    self._open.refresh()
            return self._open

    def _open_current(self, now: float) -> _OpenIndex:
        lease = self.store.lease_current()
        try:
            require_schema_version(lease.generation)
            index = whoosh_index.open_dir(str(lease.generation.path))
            searcher = index.searcher(weighting=LanguageBM25F())
        except BaseException:
            lease.release()
            raise
        opened = _OpenIndex(lease, searcher, QueryReader(index.schema), now)
        try:
            opened.load()
        except BaseException:
            opened.close()
            raise
        return opened

    # Searching ----------------------------------------------------------------------------------

    def _search(
        self, opened: _OpenIndex, request: SearchRequest, started: float, deadline: Deadline
    ) -> SearchResults:
        table, postings = opened.table, opened.postings
        found = _find(opened, request, deadline)
        months = sorted(table.month_counts(found.final_docs).items())
        unit, dates = _date_histogram([FacetCount(m, c) for m, c in months])
        in_dates = found.final_docs if found.in_dates is found.final else found.in_dates
        sections = table.section_counts(in_dates).most_common()
        in_sections = found.final_docs if found.in_sections is found.final else found.in_sections
        languages = language_column(opened.searcher).counts(in_sections).most_common()
        total = len(found.final)
        return SearchResults(
            query=request.q,
            total=total,
            page=request.page,
            per_page=request.per_page,
            took_ms=0.0,
            relaxed=found.relaxed,
            suggestion=suggest_spelling(
                opened.spelling,
                opened.reader,
                request.q,
                total,
                count=lambda parsed: len(matching_docs(postings, parsed, table.every, deadline)),
            ),
            hits=_page_of_hits(postings, table, found, request, deadline),
            section_facets=[FacetCount(name, count) for name, count in _by_count(sections)],
            language_facets=language_facets(_by_count(languages)),
            date_facets=dates,
            date_facet_unit=unit,
        )


def _find(opened: _OpenIndex, request: SearchRequest, deadline: Deadline) -> _Found:
    """The documents the request's query matches, then within its dates, then its sections."""
    searcher, table, reader, postings = (
        opened.searcher,
        opened.table,
        opened.reader,
        opened.postings,
    )
    default = searcher.schema["body"].analyzer.default_language
    preferred = preferred_languages(request.q, request.accept_languages, default)
    parsed = prefer(reader.read(request.q, searcher.reader()), preferred, searcher.reader())
    matched = (
        table.every if parsed is None else matching_docs(postings, parsed, table.every, deadline)
    )
    relaxed = False
    if not matched and parsed is not None and reader.has_several_words(request.q):
        any_word = prefer(
            reader.read(request.q, searcher.reader(), any_word=True), preferred, searcher.reader()
        )
        any_matched = matching_docs(postings, any_word, table.every, deadline)
        if any_matched:
            parsed, matched, relaxed = any_word, any_matched, True
    in_dates = matched
    if request.date_from or request.date_to:
        start = datetime.combine(request.date_from, day_time.min) if request.date_from else None
        end = datetime.combine(request.date_to, day_time.max) if request.date_to else None
        in_dates = table.published_between(start, end) & matched
    in_sections = in_dates & table.in_sections(request.sections) if request.sections else in_dates
    if request.languages:  # sections are counted within the languages, and languages within
        in_dates = in_dates & language_column(searcher).docs_of(request.languages)
    final = in_dates & table.in_sections(request.sections) if request.sections else in_dates
    return _Found(parsed, matched, in_dates, final, relaxed, in_sections)


def _page_of_hits(
    postings: TermPostings,
    table: DocTable,
    found: _Found,
    request: SearchRequest,
    deadline: Deadline,
) -> list[Hit]:
    searcher = postings.searcher
    first, limit = (request.page - 1) * request.per_page, request.page * request.per_page
    if found.parsed is None or request.sort != "relevance":
        newest = request.sort != "oldest"  # an empty query lists the newest first by default
        ranked: Sequence[tuple[int, float | None]] | None
        ranked = [(d, None) for d in table.by_date(set(found.final), newest, limit)]
    elif not found.final:
        ranked = []
    else:
        rank = table.newest_rank
        ranked = top_by_relevance(postings, found.parsed, found.final_docs, limit, rank, deadline)
        if ranked is None:  # not a query of terms: Whoosh scores every match (its top-k can miss)
            results = searcher.search(found.parsed, limit=None, filter=set(found.final))
            scored = ((docnum, score) for score, docnum in results.top_n)
            ranked = heapq.nlargest(limit, scored, key=lambda item: (item[1], -rank[item[0]]))
    terms = _terms_by_field(found.parsed)
    return [_hit(searcher, docnum, score, terms) for docnum, score in ranked[first:limit]]


def _hit(searcher: Any, docnum: int, score: float | None, terms: dict[str, set[Highlight]]) -> Hit:
    stored = searcher.stored_fields(docnum)
    analyzer = searcher.schema["body"].analyzer
    teaser = stored.get("teaser", "")
    language = stored.get("language", "")
    snippet = (
        snippet_html(stored.get("body", ""), terms["body"], analyzer, language)
        or marked_html(teaser, terms["teaser"], analyzer, language)
        or escaped_line(teaser)
    )
    return Hit(
        id=stored["id"],
        url=stored.get("url", ""),
        title=stored["title"],
        title_html=marked_html(stored["title"], terms["title"], analyzer, language),
        section=stored.get("section", ""),
        published=iso_utc(stored.get("published")),
        author=stored.get("author", ""),
        teaser=teaser,
        snippet_html=snippet
        or marked_html(teaser, terms["teaser"], analyzer, language)
        or escaped_line(teaser),
        score=round(score, 4) if score is not None else None,
        language=language,
    )


def _terms_by_field(parsed: query.Query | None) -> dict[str, set[Highlight]]:
    return highlight_terms(parsed)  # terms, and the sequences of unspaced words


def _by_count(counts: list[tuple[str, int]]) -> list[tuple[str, int]]:
    return sorted(counts, key=lambda item: (-item[1], item[0].lower()))


def _date_histogram(months: list[FacetCount]) -> tuple[str, list[FacetCount]]:
    """Counts per month in date order, or per year when the months span more than three years."""
    if not months:
        return "month", []
    first, last = months[0].value, months[-1].value
    span = (int(last[:4]) - int(first[:4])) * 12 + int(last[5:7]) - int(first[5:7])
    if span <= YEARLY_AFTER_MONTHS:
        return "month", months
    years: dict[str, int] = {}
    for facet in months:
        years[facet.value[:4]] = years.get(facet.value[:4], 0) + facet.count
    return "year", [FacetCount(year, count) for year, count in years.items()]


def _query_words(reader: QueryReader, searcher: Any, q: str) -> set[Highlight]:
    """The indexed words a query looks for in text fields (for marking them in an article)."""
    try:
        parsed = reader.read(q, searcher.reader()) if clean_query_text(q) else None
    except QueryError:
        return set()
    return set().union(*highlight_terms(parsed).values())
