"""Timing results pages in-process: the naive baseline and newsindex's public search API.

A results page is the top 10 of one page with highlighted snippets, as plain data. newsindex's
``SearchService.search`` always computes the section and date facets, so its pages are timed with
facets only; the naive side is timed twice, without facets and with ``groupedby=["section"]``.
Every run is preceded by one untimed pass over the mix (caches, first opening), and each query is
timed on its own with ``time.perf_counter``.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.naive import NaiveSearch
from bench.queries import BenchQuery
from bench.stats import median, percentile


@dataclass(frozen=True)
class PageOutcome:
    """What one results page found: the total, and whether the search was refused for passing
    its time limit (such a page is an error to its user, so the report counts them)."""

    total: int
    timed_out: bool = False


PageFunction = Callable[[BenchQuery], PageOutcome]


@dataclass
class PageRuns:
    """Latencies of repeated runs over one mix: per run p50/p95/p99, and p95 per kind of query."""

    p50_ms: list[float] = field(default_factory=list)
    p95_ms: list[float] = field(default_factory=list)
    p99_ms: list[float] = field(default_factory=list)
    kind_p95_ms: dict[str, list[float]] = field(default_factory=dict)
    queries_with_results: int = 0
    queries: int = 0
    timed_out_pages: int = 0  # refused for their time limit, over all timed runs

    def summary(self) -> dict[str, Any]:
        return {
            "p50_ms": median(self.p50_ms),
            "p95_ms": median(self.p95_ms),
            "p99_ms": median(self.p99_ms),
            "runs_p95_ms": self.p95_ms,
            "p95_ms_by_kind": {kind: median(v) for kind, v in sorted(self.kind_p95_ms.items())},
            "queries": self.queries,
            "queries_with_results": self.queries_with_results,
            "timed_out_pages": self.timed_out_pages,
        }


def time_pages(run_page: PageFunction, mix: Sequence[BenchQuery], repeat: int) -> PageRuns:
    """``repeat`` timed runs of the whole mix after one untimed pass."""
    runs = PageRuns(queries=len(mix))
    runs.queries_with_results = sum(1 for q in mix if run_page(q).total > 0)
    for _run in range(repeat):
        by_kind: dict[str, list[float]] = {}
        for bench_query in mix:
            started = time.perf_counter()
            outcome = run_page(bench_query)
            elapsed_ms = (time.perf_counter() - started) * 1000
            runs.timed_out_pages += outcome.timed_out
            by_kind.setdefault(bench_query.kind, []).append(elapsed_ms)
        every = [ms for latencies in by_kind.values() for ms in latencies]
        runs.p50_ms.append(percentile(every, 50))
        runs.p95_ms.append(percentile(every, 95))
        runs.p99_ms.append(percentile(every, 99))
        for kind, latencies in by_kind.items():
            runs.kind_p95_ms.setdefault(kind, []).append(percentile(latencies, 95))
    return runs


@contextmanager
def newsindex_pages(index_dir: Path) -> Iterator[PageFunction]:
    """Results pages through ``indexer.search.service.SearchService``, the API the web app uses."""
    from indexer.config import load_settings
    from indexer.errors import QueryError
    from indexer.search.requests import SearchRequest
    from indexer.search.service import SearchService

    # No results cache: the repeats must time searches, not the cache of the first run.
    settings = load_settings({"index_dir": index_dir, "result_cache": 0}, environ={})
    service = SearchService(settings)

    def run_page(bench_query: BenchQuery) -> PageOutcome:
        try:
            results = service.search(SearchRequest.from_params(bench_query.params()))
        except QueryError as error:  # a search past its time limit is refused (a 400)
            if "took longer than" not in str(error):
                raise
            return PageOutcome(0, timed_out=True)
        return PageOutcome(results.total)

    try:
        yield run_page
    finally:
        service.close()


@contextmanager
def naive_pages(index_dir: Path, facets: bool) -> Iterator[PageFunction]:
    """Results pages from the naive baseline, with or without its section facet."""
    search = NaiveSearch(index_dir)

    def run_page(bench_query: BenchQuery) -> PageOutcome:
        return PageOutcome(search.results_page(bench_query, facets=facets)["total"])

    try:
        yield run_page
    finally:
        search.close()


def profile_pages(run_page: PageFunction, mix: Sequence[BenchQuery], lines: int = 30) -> str:
    """cProfile of one pass over the mix (after a warm-up pass): the top functions by own time
    and by cumulative time, as text for the report folder."""
    for bench_query in mix:
        run_page(bench_query)
    profiler = cProfile.Profile()
    profiler.enable()
    for bench_query in mix:
        run_page(bench_query)
    profiler.disable()
    text = io.StringIO()
    for order in ("tottime", "cumulative"):
        text.write(f"=== {len(mix)} results pages, by {order} ===\n")
        pstats.Stats(profiler, stream=text).sort_stats(order).print_stats(lines)
    return text.getvalue()
