"""The search API: ranked, filtered, faceted, highlighted results from the current index.

``SearchService`` is what the web app and ``indexer search`` use. It searches the generation
``open_index.CurrentIndex`` holds open, which follows new generations within a second: in a web
worker (``follow()``) a thread loads and warms each one beside the one in use; elsewhere the
first search after a change loads it.

Ranking is BM25F over title, teaser and body (weights in ``schema.SEARCH_FIELD_BOOSTS``). There is
no recency prior in the score: archives span decades and a story from 1987 is the right answer to a
query about 1987. Among equally good matches the newer story comes first; ``sort=newest`` orders by
date outright.

How a search runs: the query's matching documents are found as a ``DocSet`` (``docsets``); the
date and section filters, the facet counts and the date orders index per-document columns with it
(``doctable``); numpy ranks every match by BM25F and keeps the page asked for (``ranking``);
snippets mark the words of the page's articles (``snippets``).
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Sequence
from dataclasses import replace
from typing import TypedDict

from whoosh import query

from indexer.analysis.language_id import primary_language
from indexer.config import Settings
from indexer.errors import ArticleNotFoundError, NewsindexError, QueryError
from indexer.index.store import Generation, IndexStore
from indexer.index.whoosh_types import StoredFields
from indexer.search.deadline import Deadline
from indexer.search.docsets import DocSet
from indexer.search.doctable import DocTable
from indexer.search.finding import Found, find, read_words
from indexer.search.language_bm25 import language_column
from indexer.search.open_index import CurrentIndex, OpenIndex
from indexer.search.query_languages import Highlight, highlight_terms, language_facets
from indexer.search.query_parser import MAX_TEXT_CHARS, clean_query_text
from indexer.search.query_words import QueryWords
from indexer.search.ranking import (
    DEFAULT_RANKING,
    RankingSettings,
    rank_by_words,
    top_by_relevance,
)
from indexer.search.related import related_articles
from indexer.search.requests import SearchRequest
from indexer.search.results import (
    ArticleView,
    FacetCount,
    Hit,
    LeftOut,
    SearchResults,
    Version,
    iso_utc,
    publisher_of,
)
from indexer.search.snippets import marked_html, snippet_html, teaser_html
from indexer.search.suggest import suggest_spelling
from indexer.search.warm_up import warm_up_requests

TIME_LIMIT_SECONDS = 2.0
MAX_VERSIONS = 100  # of a story, listed on an article's page
YEARLY_AFTER_MONTHS = 36  # a date facet per year once the matches span more than three years
DAILY_UP_TO_MONTHS = 1  # ... and per day while they fall within two calendar months

__all__ = ["SearchRequest", "SearchService", "SearchResults", "ArticleView"]


class Health(TypedDict):
    """What ``/healthz`` answers for a served index."""

    status: str
    generation: str
    articles: int
    built_at: str


class SearchService:
    """Searches the current index generation. Safe to share between the threads of a worker:
    a generation stays open while any search still uses it, and the shared caches lock."""

    def __init__(self, settings: Settings, ranking: RankingSettings = DEFAULT_RANKING) -> None:
        """``ranking`` replaces the measured ranking choices (``bench relevance`` compares)."""
        store = IndexStore(settings.index_dir)
        self.current = CurrentIndex(
            store, settings.result_cache, ranking, settings.language, prepare=_warm
        )

    def search(self, request: SearchRequest) -> SearchResults:
        started = time.perf_counter()
        computed = False

        def compute() -> SearchResults:
            nonlocal computed
            computed = True
            return _search(opened, request, Deadline(TIME_LIMIT_SECONDS))

        with self.current.using() as opened:
            found = opened.results.get(request, compute)
        took_ms = round((time.perf_counter() - started) * 1000, 2)
        return replace(found, took_ms=took_ms, from_cache=not computed)

    def ranked_ids(self, request: SearchRequest, depth: int) -> list[str]:
        """The ids of the request's first ``depth`` results in order, without pages, snippets,
        facets or the results cache: what evaluations of ranking compare."""
        with self.current.using() as opened:
            deadline = Deadline(TIME_LIMIT_SECONDS)
            found = find(opened, request, deadline)
            ranked = _ranked(opened, found, request, depth, deadline)
            return [opened.searcher.stored_fields(docnum)["id"] for docnum, _score in ranked]

    def article(self, article_id: str, q: str = "") -> ArticleView:
        """The whole article, its words from ``q`` marked, and related articles."""
        with self.current.using() as opened:
            return _article_view(opened, article_id, q)

    def complete(self, prefix: str) -> list[str]:
        """At most eight of the archive's phrases that start with ``prefix``, the most used
        first (``completion``); QueryError for a prefix too long to be typed."""
        with self.current.using() as opened:
            return opened.completions.complete(prefix)

    def warm_up(self) -> bool:
        """Open the current generation, load what searches read of it and run a few searches
        on it (``warm_up.warm_up_requests``), so that the first search does not wait for any of
        it (gunicorn's ``post_worker_init`` calls this, through ``webui.warm_up``, before the
        worker takes requests); False when there is no usable index yet (the first search will
        say why)."""
        try:
            self.current.load()
        except NewsindexError:
            return False
        return True

    def follow(self) -> None:
        """Load and warm each new generation in a thread of this process, beside the one in
        use, and then switch to it: searches never wait for a load (``close()`` stops it)."""
        self.current.follow()

    def loads(self) -> dict[str, int]:
        """How many generations were loaded ``before_requests`` (by ``warm_up`` or the thread
        of ``follow``) and ``on_requests`` (by a search that found none loaded or, when not
        following, a new one)."""
        return {key: self.current.loads[key] for key in ("before_requests", "on_requests")}

    def generation_served(self) -> Generation:
        """The generation searches use now, with its manifest (following a new one as they do);
        IndexMissingError without an index."""
        with self.current.using() as opened:
            return opened.lease.generation

    def health(self) -> Health:
        """``{"status", "generation", "articles", "built_at"}``; raises IndexMissingError
        without an index."""
        with self.current.using() as opened:
            return {
                "status": "ok",
                "generation": opened.generation,
                "articles": opened.searcher.doc_count(),
                "built_at": opened.lease.generation.manifest["built_at"],
            }

    def __enter__(self) -> SearchService:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self.current.close()


def _warm(opened: OpenIndex) -> None:
    """Run the warm-up searches on a generation just opened (nothing kept of their results),
    and read the phrases the search box completes to, where sentences start, and a stored
    article of every segment: Whoosh opens a segment's stored fields on their first read (10
    ms a segment at 200,000 articles), and the warm-up's hits come from a few segments only."""
    opened.completions.complete("a")
    opened.sentences.sentence_start("A. B. C.", 0, 8, "", {})
    for segment, first in opened.searcher.reader().leaf_readers():
        if segment.doc_count_all():
            opened.searcher.stored_fields(first)
    for request in warm_up_requests(opened):
        try:
            _search(opened, request, Deadline(TIME_LIMIT_SECONDS))
        except NewsindexError:  # a warm-up search refused (time limit): warm enough
            continue


def _article_view(opened: OpenIndex, article_id: str, q: str) -> ArticleView:
    searcher = opened.searcher
    docnum = searcher.document_number(id=article_id)
    if docnum is None:
        raise ArticleNotFoundError(f"no article with id {article_id!r}")
    stored = searcher.stored_fields(docnum)
    terms = _marked_words(opened, q)
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
        related=related_articles(searcher, docnum, stored, opened.table.stories),
        story=opened.table.stories.story_of(docnum),
        versions=_versions(opened, docnum),
    )


def _versions(opened: OpenIndex, docnum: int) -> list[Version]:
    """The other articles of the document's story, newest first (undated last)."""
    table = opened.table
    others = table.stories.members(table.stories.story_of(docnum))
    others = others[others != docnum]
    return [
        _version(opened.searcher.stored_fields(other))
        for other in table.by_date(others, True, MAX_VERSIONS).tolist()
    ]


def _version(stored: StoredFields) -> Version:
    url = stored.get("url", "")
    return Version(
        id=stored["id"],
        url=url,
        title=stored["title"],
        publisher=publisher_of(url),
        author=stored.get("author", ""),
        published=iso_utc(stored.get("published")),
    )


def _search(opened: OpenIndex, request: SearchRequest, deadline: Deadline) -> SearchResults:
    """The results of ``request``; when nothing matches and a spelling that finds something is
    suggested, the results of that spelling, marked ``corrected`` (unless ``autocorrect`` is
    off: the reader chose "search instead for" the words as typed)."""
    found = find(opened, request, deadline)
    suggestion = suggest_spelling(
        opened.spelling,
        opened.reader,
        request.q,
        len(found.final),  # articles, as the spelling's matches are counted
        opened.postings,
        opened.table.every,
        deadline,
    )
    if suggestion and request.autocorrect and not len(found.final):
        instead = replace(request, q=suggestion)
        found_instead = find(opened, instead, deadline)
        if len(found_instead.final):
            return _results(
                opened, instead, found_instead, deadline, request.q, suggestion, corrected=True
            )
    return _results(opened, request, found, deadline, request.q, suggestion)


def _results(
    opened: OpenIndex,
    request: SearchRequest,
    found: Found,
    deadline: Deadline,
    query: str,
    suggestion: str | None,
    corrected: bool = False,
) -> SearchResults:
    """The results of what ``request`` found, for ``query`` as sent (``corrected``: the
    request is of the suggestion, as nothing matched ``query``)."""
    table = opened.table
    stories = request.collapsed  # totals and facets count stories
    unit, dates = _date_histogram(table, found.final, stories)
    sections = table.section_counts(found.in_dates, stories).most_common()
    languages = language_column(opened.searcher).counts(
        found.in_sections, table.stories if stories else None
    )
    count = table.stories.count if stories else len
    total = count(found.final)
    with_all_words = found.with_all_words
    return SearchResults(
        query=query,
        total=total,
        page=request.page,
        per_page=request.per_page,
        took_ms=0.0,
        relaxed=found.relaxed,
        match=str(found.rule),
        all_words_total=total if with_all_words is found.final else count(with_all_words),
        counts="stories" if stories else "articles",
        left_out=_left_out(found.words, request.q),
        suggestion=suggestion,
        hits=_page_of_hits(opened, found, request, len(found.final) - total, deadline),
        section_facets=[FacetCount(name, count) for name, count in _by_count(sections)],
        language_facets=language_facets(_by_count(languages.most_common())),
        date_facets=dates,
        date_facet_unit=unit,
        corrected=corrected,
        newest_published=iso_utc(table.newest_published),
    )


def _page_of_hits(
    opened: OpenIndex, found: Found, request: SearchRequest, hidden: int, deadline: Deadline
) -> list[Hit]:
    """The hits of the page asked for (``hidden``: how many matches a collapse leaves out)."""
    first, limit = (request.page - 1) * request.per_page, request.page * request.per_page
    ranked = _ranked(opened, found, request, limit, deadline, hidden)
    terms = _terms_by_field(found.parsed)
    return [_hit(opened, docnum, score, terms) for docnum, score in ranked[first:limit]]


def _ranked(
    opened: OpenIndex,
    found: Found,
    request: SearchRequest,
    limit: int,
    deadline: Deadline,
    hidden: int | None = None,
) -> Sequence[tuple[int, float | None]]:
    """The first ``limit`` results in the order asked for, with their scores: articles, or
    the first article of each story, from as many ranked articles as hold ``limit`` stories
    (``StoryColumn.depth_for``; ``hidden``: how many matches the collapse leaves out)."""
    if not request.collapsed:
        return _ranked_articles(opened, found, request.sort, limit, deadline)
    stories = opened.table.stories
    if hidden is None:
        hidden = stories.hidden(found.final)
    depth = stories.depth_for(limit, hidden)
    ranked = _ranked_articles(opened, found, request.sort, depth, deadline)
    return stories.first_of_each(ranked, limit)


def _ranked_articles(
    opened: OpenIndex, found: Found, sort: str, limit: int, deadline: Deadline
) -> Sequence[tuple[int, float | None]]:
    """The first ``limit`` articles in the order asked for, with their scores."""
    if found.parsed is None or sort != "relevance":
        newest = sort != "oldest"  # an empty query lists the newest first by default
        return [(d, None) for d in opened.table.by_date(found.final, newest, limit).tolist()]
    if not len(found.final):
        return []
    if found.words is not None and found.match is not None:
        return rank_by_words(
            opened.scorer,
            found.words,
            found.match,
            found.final,
            limit,
            opened.table.newest_rank,
            opened.documents,
            opened.question_stems,
            deadline,
        )
    return _ranked_as_parsed(opened, found.parsed, found.final, limit, deadline)


def _ranked_as_parsed(
    opened: OpenIndex, parsed: query.Query, final: DocSet, limit: int, deadline: Deadline
) -> Sequence[tuple[int, float]]:
    """A query the word reading does not take, ranked by its terms, or by Whoosh when it is
    not of terms (Whoosh scores every match: its top-k can miss)."""
    rank = opened.table.newest_rank
    ranked = top_by_relevance(opened.scorer, parsed, final, limit, rank, deadline)
    if ranked is None:
        results = opened.searcher.search(parsed, limit=None, filter=set(final.tolist()))
        scored = ((docnum, score) for score, docnum in results.top_n)
        ranked = heapq.nlargest(limit, scored, key=lambda item: (item[1], -rank[item[0]]))
    return ranked


def _left_out(words: QueryWords | None, q: str) -> LeftOut:
    """The words of the query it was not searched for, and where a long text was cut."""
    cut_at = MAX_TEXT_CHARS if len(q) > MAX_TEXT_CHARS else None
    if words is None:
        return LeftOut([], [], cut_at)
    return LeftOut(list(words.question_words), list(words.over_limit), cut_at)


def _hit(
    opened: OpenIndex, docnum: int, score: float | None, terms: dict[str, set[Highlight]]
) -> Hit:
    stored = opened.searcher.stored_fields(docnum)
    analyzer = opened.searcher.schema["body"].analyzer
    teaser = stored.get("teaser", "")
    language = stored.get("language", "")
    sentences, primary = opened.sentences, primary_language(language)  # models: by primary code
    decided: dict[int, bool] = {}  # Punkt's answers for this body, by offset

    def sentence_start(text: str, low: int, high: int) -> int | None:
        return sentences.sentence_start(text, low, high, primary, decided)

    snippet = snippet_html(
        stored.get("body", ""), terms["body"], analyzer, language, sentence_start
    ) or teaser_html(teaser, terms["teaser"], analyzer, language)
    return Hit(
        id=stored["id"],
        url=stored.get("url", ""),
        title=stored["title"],
        title_html=marked_html(stored["title"], terms["title"], analyzer, language),
        section=stored.get("section", ""),
        published=iso_utc(stored.get("published")),
        author=stored.get("author", ""),
        teaser=teaser,
        snippet_html=snippet,
        score=round(score, 4) if score is not None else None,
        language=language,
        story=opened.table.stories.story_of(docnum),
        versions=opened.table.stories.versions(docnum),
    )


def _terms_by_field(parsed: query.Query | None) -> dict[str, set[Highlight]]:
    return highlight_terms(parsed)  # terms, and the sequences of unspaced words


def _by_count(counts: list[tuple[str, int]]) -> list[tuple[str, int]]:
    return sorted(counts, key=lambda item: (-item[1], item[0].lower()))


def _date_histogram(table: DocTable, docs: DocSet, stories: bool) -> tuple[str, list[FacetCount]]:
    """Counts (of articles, or ``stories``) in date order: per day when the matches fall
    within two calendar months, per month up to three years, else per year. (A story whose
    articles fall in two years counts in each, as it shows in either.)"""
    months = [FacetCount(m, c) for m, c in sorted(table.month_counts(docs, stories).items())]
    if not months:
        return "month", []
    first, last = months[0].value, months[-1].value
    span = (int(last[:4]) - int(first[:4])) * 12 + int(last[5:7]) - int(first[5:7])
    if span <= DAILY_UP_TO_MONTHS:
        days = table.day_counts(docs, stories)
        return "day", [FacetCount(d, c) for d, c in sorted(days.items())]
    if span <= YEARLY_AFTER_MONTHS:
        return "month", months
    years: dict[str, int] = {}
    for facet in months:
        years[facet.value[:4]] = years.get(facet.value[:4], 0) + facet.count
    return "year", [FacetCount(year, count) for year, count in years.items()]


def _marked_words(opened: OpenIndex, q: str) -> set[Highlight]:
    """The indexed words a query looks for in text fields (for marking them in an article)."""
    text = clean_query_text(q)
    try:
        words = read_words(opened, text) if text not in ("", "*") else None
        parsed = words.as_query() if words else opened.reader.read(text, opened.searcher.reader())
    except QueryError:
        return set()
    return set().union(*highlight_terms(parsed).values())
