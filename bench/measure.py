"""The benchmark's measurements, each returning the plain data its part of the report shows.

Builds of the two kinds alternate (naive, newsindex, naive, ...) so that a noisy neighbour on the
shared machine weighs on both alike; the ratios are only ever taken within one run.
"""

from __future__ import annotations

import json
import shutil
import sys
import time
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.builds import KINDS, BuildRun, run_build
from bench.corpora import Corpus, size_label, write_corpus
from bench.load import LoadResult, Server, gunicorn_server, run_load
from bench.pages import naive_pages, newsindex_pages, time_pages
from bench.peers import PEERS, peer_pages, unavailable
from bench.queries import BenchQuery
from bench.stats import median

RESULT_CACHE_VARIABLE = "NEWSINDEX_RESULT_CACHE"  # recent searches a worker keeps (0: none)
WARM_UP_SECONDS = 3.0
WARM_UP_ROUNDS = 10
WARM_UP_AGREEMENT = 0.2
PERCENTILES = ("p50_ms", "p95_ms", "p99_ms")


def log(message: str) -> None:
    """Progress on stderr: a full run takes a long while on two cores."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


@dataclass
class Workspace:
    """The work folder: prepared corpora and the indexes being measured (never in the repo)."""

    root: Path

    def index_dir(self, kind: str, label: str, run: int | str) -> Path:
        path = self.root / "indexes" / f"{kind}-{label}-{run}"
        shutil.rmtree(path, ignore_errors=True)
        return path

    @property
    def corpora(self) -> Path:
        return self.root / "corpora"


@dataclass(frozen=True)
class GrowthOptions:
    repeat: int
    naive_rate: float | None  # the naive build's articles/s so far, to judge what it would take
    naive_limit_s: float
    peers: tuple[str, ...] = ()  # the peer engines built and timed at each size too
    skipped: dict[str, str] = field(default_factory=dict)  # peers not built there, and why


@dataclass(frozen=True)
class HttpOptions:
    seconds: float
    repeat: int
    access_log: bool
    generator: str  # "wrk" or "python"
    result_cache: bool  # False: NEWSINDEX_RESULT_CACHE=0, every request a real search


def build_summary(runs: Sequence[BuildRun], watched: BuildRun) -> dict[str, Any]:
    """The times of ``runs`` (builds nobody watched) and the memory of ``watched``."""
    return {
        "articles": runs[-1].articles,
        "runs": len(runs),
        "articles_per_s": median([run.articles_per_s for run in runs]),
        "seconds": median([run.seconds for run in runs]),
        "peak_mb": watched.peak_mb,
        "peak_mb_max": watched.peak_mb,
        "peak_rss_sum_mb_max": watched.peak_rss_sum_mb,
        "runs_articles_per_s": [round(run.articles_per_s, 1) for run in runs],
        "watched_seconds": watched.seconds,
    }


def _watched_builds(corpus: Corpus, kinds: Sequence[str], work: Workspace) -> dict[str, BuildRun]:
    """One more build of each kind, its memory sampled (its index not kept)."""
    watched = {}
    for kind in kinds:
        index_dir = work.index_dir(kind, corpus.name, "watched")
        log(f"build {kind} {corpus.name}, watched for its memory")
        watched[kind] = run_build(kind, corpus.path, index_dir, watched=True)
        shutil.rmtree(index_dir, ignore_errors=True)
    return watched


def measure_builds(
    corpus: Corpus, repeat: int, work: Workspace, peers: Sequence[str] = ()
) -> tuple[dict, dict[str, Path]]:
    """``repeat`` builds of each kind (and of each peer engine), alternating, and one more of each
    watched for its memory; the summaries and the last index of each."""
    kinds = (*KINDS, *peers)
    runs: dict[str, list[BuildRun]] = {kind: [] for kind in kinds}
    kept: dict[str, Path] = {}
    for run in range(repeat):
        for kind in kinds:
            index_dir = work.index_dir(kind, corpus.name, run)
            log(f"build {kind} {corpus.name} ({corpus.articles} articles), run {run + 1}")
            runs[kind].append(run_build(kind, corpus.path, index_dir, watched=False))
            if kind in kept:
                shutil.rmtree(kept[kind], ignore_errors=True)
            kept[kind] = index_dir
    watched = _watched_builds(corpus, kinds, work)
    summaries = {kind: build_summary(runs[kind], watched[kind]) for kind in kinds}
    return summaries, kept


def measure_pages(
    indexes: dict[str, Path], mix: Sequence[BenchQuery], repeat: int, naive_facets: bool = True
) -> dict[str, Any]:
    """Results pages: naive without (and with) its section facet, newsindex (facets always)."""
    measured: dict[str, Any] = {}
    naive_runs = [("naive", False), ("naive_facets", True)] if naive_facets else [("naive", False)]
    if "naive" in indexes:
        for name, facets in naive_runs:
            log(f"results pages: {name}")
            with naive_pages(indexes["naive"], facets=facets) as run_page:
                measured[name] = time_pages(run_page, mix, repeat).summary()
    log("results pages: newsindex")
    with newsindex_pages(indexes["newsindex"]) as run_page:
        measured["newsindex"] = time_pages(run_page, mix, repeat).summary()
    for peer in PEERS:
        if peer in indexes:
            log(f"results pages: {peer}")
            with peer_pages(peer, indexes[peer]) as run_page:
                measured[peer] = time_pages(run_page, mix, repeat).summary()
    return measured


def measure_corpus(
    corpus: Corpus, mix: Sequence[BenchQuery], repeat: int, work: Workspace
) -> tuple[dict[str, Any], Path]:
    """Builds and results pages on the main corpus; also the newsindex index kept for HTTP."""
    skipped = {peer: why for peer in PEERS if (why := unavailable(peer))}
    peers = [peer for peer in PEERS if peer not in skipped]
    builds, indexes = measure_builds(corpus, repeat, work, peers)
    pages = measure_pages(indexes, mix, repeat)
    for kind in ("naive", *peers):
        shutil.rmtree(indexes[kind], ignore_errors=True)
    section = {
        "corpus": corpus.name,
        "articles": corpus.articles,
        "build": {**builds, "ratio": _ratio(builds, "articles_per_s")},
        "results_page": {
            **pages,
            "ratio_p95": _ratio_p95(pages, "naive"),
            "ratio_p95_vs_naive_facets": _ratio_p95(pages, "naive_facets"),
        },
        "engines": engine_rows(builds, pages, skipped),
    }
    return section, indexes["newsindex"]


def engine_rows(builds: dict, pages: dict, skipped: dict[str, str]) -> dict[str, Any]:
    """newsindex beside each engine: its build rate and page p50/p95/p99, and newsindex's
    figure divided by the engine's (pages: below 1 is newsindex faster; build: above 1 is
    newsindex faster). Engines that could not run are listed with the reason."""
    rows = {}
    for engine in ("naive", *PEERS):
        if engine not in pages:
            continue
        ours, theirs = pages["newsindex"], pages[engine]
        rows[engine] = {
            "articles_per_s": builds[engine]["articles_per_s"],
            **{key: theirs[key] for key in PERCENTILES},
            "ratio": {key: _divided(ours[key], theirs[key]) for key in PERCENTILES},
            "build_ratio": _divided(
                builds["newsindex"]["articles_per_s"], builds[engine]["articles_per_s"]
            ),
        }
    newsindex = {key: pages["newsindex"][key] for key in PERCENTILES}
    newsindex["articles_per_s"] = builds["newsindex"]["articles_per_s"]
    return {"newsindex": newsindex, "engines": rows, "skipped": skipped}


def _divided(ours: float | None, theirs: float | None) -> float | None:
    return ours / theirs if ours is not None and theirs else None


def _ratio(builds: dict[str, Any], key: str) -> float | None:
    naive = builds.get("naive")
    if not naive or not naive[key]:
        return None
    return builds["newsindex"][key] / naive[key]


def _ratio_p95(pages: dict[str, Any], baseline: str) -> float | None:
    if baseline not in pages or not pages["newsindex"]["p95_ms"]:
        return None
    return pages[baseline]["p95_ms"] / pages["newsindex"]["p95_ms"]


def measure_growth(
    sizes: Sequence[int],
    paths: Sequence[Path],
    mix: Sequence[BenchQuery],
    options: GrowthOptions,
    work: Workspace,
) -> tuple[list[dict[str, Any]], Path | None]:
    """Per size (ascending): one build of each kind and of each of ``options.peers``, each in a
    process of its own as on the main corpus, and the results pages. The naive side is
    skipped at a size where its build would take longer than ``options.naive_limit_s``, judged
    from its rate so far. Returns the rows and the largest newsindex index (for HTTP)."""
    rows, largest, naive_rate = [], None, options.naive_rate
    for size in sorted(set(sizes)):
        corpus = write_corpus(f"scaled-{size_label(size)}", paths, size, work.corpora)
        naive = bool(naive_rate and corpus.articles / naive_rate <= options.naive_limit_s)
        kinds = [*(["naive"] if naive else []), "newsindex", *options.peers]
        builds, indexes = _build_once(corpus, kinds, work)
        naive_rate = builds["naive"]["articles_per_s"] if "naive" in builds else naive_rate
        pages = measure_pages(indexes, mix, options.repeat, naive_facets=False)
        rows.append(_growth_row(corpus, builds, pages, options.skipped))
        if "naive" not in builds and naive_rate:
            rows[-1]["naive_estimated_build_s"] = round(corpus.articles / naive_rate)
        for index_dir in indexes.values():
            if index_dir != indexes["newsindex"]:
                shutil.rmtree(index_dir, ignore_errors=True)
        if largest is not None:
            shutil.rmtree(largest, ignore_errors=True)
        largest = indexes["newsindex"]
        corpus.path.unlink()
    return rows, largest


def _build_once(
    corpus: Corpus, kinds: Sequence[str], work: Workspace
) -> tuple[dict[str, Any], dict[str, Path]]:
    """One build of each kind, each in a fresh process, and one more watched for its memory:
    the summaries and the indexes."""
    runs, indexes = {}, {}
    for kind in kinds:
        log(f"build {kind} {corpus.name} ({corpus.articles} articles)")
        indexes[kind] = work.index_dir(kind, corpus.name, 0)
        runs[kind] = run_build(kind, corpus.path, indexes[kind], watched=False)
    watched = _watched_builds(corpus, kinds, work)
    return {kind: build_summary([runs[kind]], watched[kind]) for kind in kinds}, indexes


def _growth_row(
    corpus: Corpus, builds: dict, pages: dict, skipped: dict[str, str]
) -> dict[str, Any]:
    return {
        "corpus": corpus.name,
        "articles": corpus.articles,
        "build": {**builds, "ratio": _ratio(builds, "articles_per_s")},
        "results_page": {**pages, "ratio_p95": _ratio_p95(pages, "naive")},
        "engines": engine_rows(builds, pages, skipped),
        "naive_built": "naive" in builds,
    }


def measure_http(
    index_dir: Path,
    mix: Sequence[BenchQuery],
    concurrencies: Sequence[int],
    options: HttpOptions,
    work: Workspace,
) -> dict[str, Any]:
    """The JSON API under gunicorn: each concurrency ``options.repeat`` times, interleaved."""
    paths = [bench_query.url_path() for bench_query in mix]
    runs: dict[int, list[Any]] = {c: [] for c in concurrencies}
    cache = {} if options.result_cache else {RESULT_CACHE_VARIABLE: "0"}
    log_path = work.root / f"gunicorn-cache-{'on' if options.result_cache else 'off'}.log"
    with gunicorn_server(index_dir, log_path, options.access_log, cache) as server:
        articles = _served_articles(server.base_url)
        warm_up = _warm_up(server, paths, options, work)
        booted = server.workers()
        for run in range(options.repeat):
            for concurrency in concurrencies:
                log(f"HTTP load at concurrency {concurrency}, run {run + 1}")
                measured = run_load(
                    server, paths, concurrency, options.seconds, options.generator, work.root
                )
                runs[concurrency].append(measured)
        restarts = server.workers() - booted
    return {
        "index_articles": articles,
        "generator": options.generator,
        "workers": booted,
        "worker_restarts": restarts,
        "access_log": options.access_log,
        "result_cache": options.result_cache,
        "settings": cache,
        "seconds_per_run": options.seconds,
        "runs": options.repeat,
        "warm_up": warm_up,
        "levels": [_load_summary(c, level_runs) for c, level_runs in runs.items()],
    }


def _warm_up(server: Server, paths: Sequence[str], options: HttpOptions, work: Workspace) -> dict:
    """Load until every worker has opened the index and warmed its caches: rounds of a few
    seconds at twice the workers' number until two rounds in a row agree on the throughput
    within ``WARM_UP_AGREEMENT`` (at most ``WARM_UP_ROUNDS``)."""
    rounds: list[LoadResult] = []
    concurrency = 2 * max(1, server.workers())
    seconds = min(WARM_UP_SECONDS, options.seconds)
    while len(rounds) < WARM_UP_ROUNDS:
        log(f"HTTP warm-up, round {len(rounds) + 1}")
        rounds.append(run_load(server, paths, concurrency, seconds, options.generator, work.root))
        if len(rounds) >= 2:
            before, last = rounds[-2].requests_per_s, rounds[-1].requests_per_s
            if abs(last - before) <= WARM_UP_AGREEMENT * max(last, before):
                break
    return {
        "rounds": len(rounds),
        "seconds": sum(r.seconds for r in rounds),
        "errors": sum(r.errors for r in rounds),
        "requests_per_s": [round(r.requests_per_s, 1) for r in rounds],
    }


def _served_articles(base_url: str) -> int:
    with urllib.request.urlopen(f"{base_url}/healthz", timeout=10) as response:
        return json.loads(response.read())["articles"]


def _load_summary(concurrency: int, runs: Sequence[Any]) -> dict[str, Any]:
    return {
        "concurrency": concurrency,
        "requests_per_s": median([run.requests_per_s for run in runs]),
        "p50_ms": median([run.p50_ms for run in runs]),
        "p95_ms": median([run.p95_ms for run in runs]),
        "p99_ms": median([run.p99_ms for run in runs]),
        "errors": sum(run.errors for run in runs),
        "server_errors": sum(run.server_errors for run in runs),
        "socket_errors": sum(run.socket_errors for run in runs),
        "timed_out": sum(run.timed_out for run in runs),
        "requests": sum(run.requests for run in runs),
        "runs_requests_per_s": [round(run.requests_per_s, 1) for run in runs],
    }
