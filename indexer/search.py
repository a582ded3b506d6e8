"""The search API: ranked, filtered, faceted, highlighted results from the current index.

``SearchService`` is what the web app and ``indexer search`` use. It keeps one searcher open between
requests, and picks up a new generation (after ``indexer rebuild``) or new segments (after an
update) within ``REFRESH_SECONDS``, without failing a request: the old searcher is closed only after
the new one is open.

Ranking is BM25F over title, teaser and body (weights in ``schema.SEARCH_FIELD_BOOSTS``). There is
no recency prior in the score: archives span decades and a story from 1987 is the right answer to a
query about 1987. Articles are written newest first, so among equally good matches the newer story
comes first; ``sort=newest`` orders by date outright.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from datetime import time as day_time
from typing import Any

from whoosh import collectors, query, sorting
from whoosh import index as whoosh_index

from indexer.config import Settings
from indexer.errors import ArticleNotFoundError, QueryError
from indexer.query_parser import QueryReader, clean_query_text
from indexer.requests import SearchRequest
from indexer.results import (
    ArticleSummary,
    ArticleView,
    FacetCount,
    Hit,
    SearchResults,
    iso_utc,
)
from indexer.snippets import marked_text_html, snippet_html, title_html
from indexer.status import require_schema_version
from indexer.store import IndexStore, ReaderLease
from indexer.suggest import suggest_spelling

REFRESH_SECONDS = 1.0
TIME_LIMIT_SECONDS = 2.0
RELATED_ARTICLES = 5
YEARLY_AFTER_MONTHS = 36  # a date facet per year once the matches span more than three years

__all__ = ["SearchRequest", "SearchService", "SearchResults", "ArticleView"]

_NEWEST = sorting.MultiFacet(
    [sorting.FieldFacet("undated"), sorting.FieldFacet("published", reverse=True)]
)
_OLDEST = sorting.MultiFacet([sorting.FieldFacet("undated"), sorting.FieldFacet("published")])
_SORT_FACETS = {"newest": _NEWEST, "oldest": _OLDEST}


@dataclass
class _OpenIndex:
    """One generation held open: its lease keeps it on disk while searchers use it."""

    lease: ReaderLease
    searcher: Any
    reader: QueryReader
    checked_at: float

    @property
    def generation(self) -> str:
        return self.lease.generation.name

    def close(self) -> None:
        self.searcher.close()
        self.lease.release()


class SearchService:
    """Searches the current index generation; safe to share between threads."""

    def __init__(self, settings: Settings) -> None:
        self.store = IndexStore(settings.index_dir)
        self._open: _OpenIndex | None = None
        self._lock = threading.Lock()

    # Public API ---------------------------------------------------------------------------------

    def search(self, request: SearchRequest) -> SearchResults:
        started = time.perf_counter()
        searcher, reader = self._searcher()
        parsed = reader.read(request.q, searcher.reader())
        relaxed = False
        page, timed_out = self._page(searcher, parsed, request)
        if page.total == 0 and parsed is not None and reader.has_several_words(request.q):
            any_word = reader.read(request.q, searcher.reader(), any_word=True)
            relaxed_page, relaxed_timeout = self._page(searcher, any_word, request)
            if relaxed_page.total:
                page, timed_out, relaxed, parsed = relaxed_page, relaxed_timeout, True, any_word
        suggestion = suggest_spelling(searcher, reader, request.q, page.total)
        return SearchResults(
            query=request.q,
            total=page.total,
            page=request.page,
            per_page=request.per_page,
            took_ms=round((time.perf_counter() - started) * 1000, 2),
            relaxed=relaxed,
            suggestion=suggestion,
            hits=page.hits,
            section_facets=self._section_facets(searcher, parsed, request, page),
            date_facets=page.date_facets,
            date_facet_unit=page.date_unit,
            timed_out=timed_out,
        )

    def article(self, article_id: str, q: str = "") -> ArticleView:
        """The whole article, its words from ``q`` marked, and related articles."""
        searcher, reader = self._searcher()
        docnum = searcher.document_number(id=article_id)
        if docnum is None:
            raise ArticleNotFoundError(f"no article with id {article_id!r}")
        stored = searcher.stored_fields(docnum)
        terms = _query_words(reader, searcher, q)
        body = stored.get("body") or stored.get("teaser", "")
        return ArticleView(
            id=stored["id"],
            url=stored.get("url", ""),
            title=stored["title"],
            title_html=marked_text_html(stored["title"], terms, searcher.schema["title"].analyzer),
            section=stored.get("section", ""),
            published=iso_utc(stored.get("published")),
            author=stored.get("author", ""),
            teaser=stored.get("teaser", ""),
            body=stored.get("body", ""),
            body_html=_paragraphs_html(body, terms, searcher.schema["body"].analyzer),
            tags=list(stored.get("tags") or []),
            language=stored.get("language", ""),
            related=_related(searcher, docnum, stored),
        )

    def health(self) -> dict[str, Any]:
        """``{"status", "generation", "articles"}``; raises IndexMissingError without an index."""
        searcher, _reader = self._searcher()
        return {
            "status": "ok",
            "generation": self._open.generation,
            "articles": searcher.doc_count(),
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

    def _searcher(self) -> tuple[Any, QueryReader]:
        with self._lock:
            now = time.monotonic()
            if self._open is None:
                self._open = self._open_current(now)
            elif now - self._open.checked_at >= REFRESH_SECONDS:
                self._refresh(now)
            return self._open.searcher, self._open.reader

    def _refresh(self, now: float) -> None:
        opened = self._open
        opened.checked_at = now
        if self.store.pointer().get("current") != opened.generation:
            self._open = self._open_current(now)
            opened.close()
        elif not opened.searcher.up_to_date():
            opened.searcher = opened.searcher.refresh()

    def _open_current(self, now: float) -> _OpenIndex:
        lease = self.store.lease_current()
        try:
            require_schema_version(lease.generation)
            index = whoosh_index.open_dir(str(lease.generation.path))
            searcher = index.searcher()
        except BaseException:
            lease.release()
            raise
        return _OpenIndex(lease, searcher, QueryReader(index.schema), now)

    # Searching ----------------------------------------------------------------------------------

    def _page(self, searcher: Any, parsed: query.Query | None, request: SearchRequest) -> _Page:
        collector = searcher.collector(
            limit=request.page * request.per_page,
            sortedby=_SORT_FACETS.get(request.sort if parsed is not None else "newest"),
            groupedby={"month": sorting.FieldFacet("month")},
            maptype=sorting.Count,
            filter=_filters(request, with_sections=True),
            terms=True,
        )
        timed_out = _collect(searcher, parsed, collector)
        results = collector.results()
        first = (request.page - 1) * request.per_page
        top = results[first : first + request.per_page]
        hits = [_hit(hit) for hit in top]
        months = _facet_counts(results.groups("month"))
        unit, dates = _date_histogram(months)
        return _Page(total=len(results), hits=hits, date_facets=dates, date_unit=unit), timed_out

    def _section_facets(
        self, searcher: Any, parsed: query.Query | None, request: SearchRequest, page: _Page
    ) -> list[FacetCount]:
        """Counts per section for the query and dates, whatever the section filter says."""
        collector = searcher.collector(
            limit=None,
            groupedby={"section": sorting.FieldFacet("section")},
            maptype=sorting.Count,
            filter=_filters(request, with_sections=False),
            scored=False,
        )
        _collect(searcher, parsed, collector)
        counts = _facet_counts(collector.results().groups("section"))
        return sorted(counts, key=lambda facet: (-facet.count, facet.value.lower()))


@dataclass
class _Page:
    total: int
    hits: list[Hit]
    date_facets: list[FacetCount]
    date_unit: str


def _collect(searcher: Any, parsed: query.Query | None, collector: Any) -> bool:
    """Run the search; True when it was cut short by the time limit (results are partial)."""
    try:
        with time_limit(TIME_LIMIT_SECONDS):
            searcher.search_with_collector(
                parsed if parsed is not None else query.Every(), collector
            )
    except collectors.TimeLimit:
        return True
    return False


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise collectors.TimeLimit inside the block after ``seconds`` (an interval timer, as
    Whoosh's own TimeLimitCollector uses; that collector is not used because it bypasses the
    filter collector it wraps). Only the main thread gets signals: elsewhere there is no limit."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(_signum: int, _frame: Any) -> None:
        raise collectors.TimeLimit

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _filters(request: SearchRequest, with_sections: bool) -> query.Query | None:
    """Filters as query objects, never strings: any of the sections, an inclusive date range."""
    parts: list[query.Query] = []
    if with_sections and request.sections:
        parts.append(query.Or([query.Term("section", s.lower()) for s in request.sections]))
    if request.date_from or request.date_to:
        start = datetime.combine(request.date_from, day_time.min) if request.date_from else None
        end = datetime.combine(request.date_to, day_time.max) if request.date_to else None
        parts.append(query.DateRange("published", start, end))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else query.And(parts)


def _hit(hit: Any) -> Hit:
    return Hit(
        id=hit["id"],
        url=hit.get("url", ""),
        title=hit["title"],
        title_html=title_html(hit),
        section=hit.get("section", ""),
        published=iso_utc(hit.get("published")),
        author=hit.get("author", ""),
        teaser=hit.get("teaser", ""),
        snippet_html=snippet_html(hit),
        score=round(hit.score, 4) if isinstance(hit.score, float | int) else None,
        language=hit.get("language", ""),
    )


def _facet_counts(groups: dict[Any, int]) -> list[FacetCount]:
    return [FacetCount(str(value), count) for value, count in groups.items() if value]


def _date_histogram(months: list[FacetCount]) -> tuple[str, list[FacetCount]]:
    """Counts per month in date order, or per year when the months span more than three years."""
    months = sorted(months, key=lambda facet: facet.value)
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


def _query_words(reader: QueryReader, searcher: Any, q: str) -> set[str]:
    """The indexed words a query looks for in text fields (for marking them in an article)."""
    try:
        parsed = reader.read(q, searcher.reader()) if clean_query_text(q) else None
    except QueryError:
        return set()
    if parsed is None:
        return set()
    return {
        text.decode("utf-8") if isinstance(text, bytes) else text
        for fieldname, text in parsed.iter_all_terms()
        if fieldname in ("title", "teaser", "body")
    }


def _paragraphs_html(text: str, terms: set[str], analyzer: Any) -> str:
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    return "".join(f"<p>{marked_text_html(p, terms, analyzer)}</p>" for p in paragraphs)


def _related(searcher: Any, docnum: int, stored: dict[str, Any]) -> list[ArticleSummary]:
    """More like this: the article's key words, searched in title, teaser and body."""
    text = "\n".join(stored.get(name) or "" for name in ("title", "teaser", "body"))
    field = "body" if stored.get("body") else "teaser"
    try:
        keywords = searcher.key_terms_from_text(field, text, numterms=12, normalize=True)
    except (ZeroDivisionError, ValueError):
        return []
    if not keywords:
        return []
    terms = [
        query.Term(name, word, boost=weight * boost)
        for word, weight in keywords
        for name, boost in (("title", 2.0), ("teaser", 1.5), ("body", 1.0))
    ]
    results = searcher.search(query.Or(terms), limit=RELATED_ARTICLES, mask={docnum})
    return [
        ArticleSummary(
            id=hit["id"],
            url=hit.get("url", ""),
            title=hit["title"],
            section=hit.get("section", ""),
            published=iso_utc(hit.get("published")),
            teaser=hit.get("teaser", ""),
        )
        for hit in results
    ]
