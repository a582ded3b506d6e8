"""The benchmark command: ``.venv/bin/python -m bench [options]`` from the project folder.

It prepares the corpora in a work folder, builds the naive Whoosh baseline, newsindex's index and
the peer engines' (SQLite FTS5, tantivy, Xapian where installed: ``bench.peers``) in the same
run, times the seeded query mix through each, loads the JSON API under gunicorn, and writes
``report.md`` and ``report.json`` to ``--out/<timestamp>/``. ``--quick`` is the smoke run CI
uses: a few hundred articles, a few queries, two seconds of load.
"""

from __future__ import annotations

import argparse
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.corpora import corpus_label, read_records, write_corpus
from bench.load import GENERATORS, choose_generator
from bench.measure import (
    GrowthOptions,
    HttpOptions,
    Workspace,
    log,
    measure_corpus,
    measure_growth,
    measure_http,
)
from bench.pages import newsindex_pages, profile_pages
from bench.peers import PEERS
from bench.queries import build_query_mix
from bench.report import (
    PROJECT_ROOT,
    command_line,
    machine_facts,
    source_fingerprint,
    write_reports,
)
from bench.targets import evaluate_targets

SHARED_CORPORA = PROJECT_ROOT.parent / "shared" / "corpora"
DEFAULT_CORPUS = SHARED_CORPORA / "reuters21578.jsonl"
QUICK_ARTICLES = 300
QUICK_QUERIES = 20
QUICK_LOAD_SECONDS = 2.0


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="newsindex against the naive Whoosh baseline: builds, results pages, HTTP.",
    )
    add = parser.add_argument
    add("--corpus", nargs="+", type=Path, default=[DEFAULT_CORPUS], help="main JSONL corpus")
    add("--scale", type=int, help="also build and serve a corpus of this many articles")
    add("--sizes", type=_integers, default=[], help="sizes for the p95 growth, e.g. 20000,100000")
    add("--scale-corpus", nargs="+", type=Path, help="JSONL repeated for --scale/--sizes")
    add("--repeat", type=int, help="runs per measure; the report gives medians (default 3)")
    add("--queries", type=int, help="queries in the seeded mix (default 200)")
    add("--seed", type=int, default=6, help="seed of the query mix")
    add("--concurrency", type=_integers, default=[1, 8, 32], help="HTTP load levels")
    add("--load-seconds", type=float, help="seconds per HTTP load run (default 10)")
    add("--naive-limit-minutes", type=float, default=15.0, help="skip longer naive builds")
    add(
        "--scale-peers",
        type=_names,
        default=list(PEERS),
        help=f"peer engines also built at --scale/--sizes (default: {','.join(PEERS)}; "
        "'none' for none)",
    )
    add("--generator", choices=GENERATORS, default="auto", help="HTTP load generator")
    add("--access-log", action="store_true", help="keep gunicorn's access log during the load")
    add("--no-http", action="store_true", help="skip the HTTP load")
    add("--profile", action="store_true", help="write a cProfile of newsindex's results pages")
    add("--quick", action="store_true", help="smoke run: 300 articles, 20 queries, 2 s of load")
    add("--out", type=Path, default=PROJECT_ROOT / "bench" / "results", help="report folder")
    add("--work", type=Path, help="work folder for corpora and indexes (default: a temp folder)")
    args = parser.parse_args(argv)
    _apply_defaults(args)
    return args


def _integers(text: str) -> list[int]:
    return [int(part.replace("_", "")) for part in text.split(",") if part.strip()]


def _names(text: str) -> list[str]:
    names = [part.strip() for part in text.split(",") if part.strip() not in ("", "none")]
    unknown = sorted(set(names) - set(PEERS))
    if unknown:
        raise argparse.ArgumentTypeError(f"not a peer engine: {', '.join(unknown)}")
    return names


def _apply_defaults(args: argparse.Namespace) -> None:
    """Defaults that depend on ``--quick``, and the corpus the large sizes repeat."""
    quick = args.quick
    args.repeat = args.repeat or (1 if quick else 3)
    args.queries = args.queries or (QUICK_QUERIES if quick else 200)
    args.load_seconds = args.load_seconds or (QUICK_LOAD_SECONDS if quick else 10.0)
    try:
        args.generator = choose_generator(args.generator)
    except RuntimeError as exc:
        raise SystemExit(f"bench: {exc}") from None
    if args.scale_corpus is None:
        shared = sorted(SHARED_CORPORA.glob("*.jsonl")) if SHARED_CORPORA.is_dir() else []
        args.scale_corpus = shared or list(args.corpus)
    for path in [*args.corpus, *args.scale_corpus]:
        if not path.is_file():
            raise SystemExit(f"bench: no such corpus file: {path}")


def main(argv: list[str] | None = None) -> int:
    args = parse_arguments(argv)
    # SIGTERM ends the run like Ctrl-C does: gunicorn is stopped and the work folder removed.
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(128 + signal.SIGTERM))
    out_folder = args.out / time.strftime("%Y%m%d-%H%M%S")
    work = Workspace(args.work or Path(tempfile.mkdtemp(prefix="newsindex-bench-")))
    try:
        report = run_benchmark(args, work, out_folder, argv)
    finally:
        _keep_server_logs(work, out_folder)
        if args.work is None:
            shutil.rmtree(work.root, ignore_errors=True)
    markdown_path, _json_path = write_reports(report, out_folder)
    log(f"report: {markdown_path}")
    print(markdown_path)
    return 0


def run_benchmark(
    args: argparse.Namespace, work: Workspace, out_folder: Path, argv: list[str] | None
) -> dict[str, Any]:
    """Every measurement, in order, into the report's data (targets included)."""
    machine = machine_facts()
    articles = QUICK_ARTICLES if args.quick else None
    corpus = write_corpus(corpus_label(args.corpus), args.corpus, articles, work.corpora)
    mix = build_query_mix(read_records([corpus.path]), args.queries, args.seed)
    main_section, main_index = measure_corpus(corpus, mix, args.repeat, work)
    sizes = sorted(set(args.sizes) | ({args.scale} if args.scale else set()))
    growth, largest_index = [], None
    if sizes:
        options = _growth_options(args, main_section)
        growth, largest_index = measure_growth(sizes, args.scale_corpus, mix, options, work)
    http, http_cached = _measure_http(args, largest_index or main_index, mix, work)
    if args.profile:
        _write_profile(main_index, mix, out_folder)
    report = {
        "command": _command(argv),
        "machine": machine,
        "settings": _settings(args, len(mix)),
        "scale": args.scale or (sizes[-1] if sizes else None),
        "main": main_section,
        "growth": growth,
        "http": http,
        "http_cached": http_cached,
        "notes": _notes(args, growth, http),
    }
    if source_fingerprint() != machine["source_fingerprint"]:
        report["notes"].append(
            "The code under indexer/ or webui/ changed during this run (the source fingerprint "
            "differs at the end): its figures mix versions; rerun for a clean comparison."
        )
    report["targets"] = evaluate_targets(report)
    return report


def _growth_options(args: argparse.Namespace, main_section: dict[str, Any]) -> GrowthOptions:
    """The larger sizes build the peers the main corpus could build, less those that
    ``--scale-peers`` leaves out."""
    skipped = dict(main_section["engines"]["skipped"])
    for peer in PEERS:
        if peer not in skipped and peer not in args.scale_peers:
            skipped[peer] = "left out at the larger sizes (--scale-peers)"
    return GrowthOptions(
        repeat=args.repeat,
        naive_rate=main_section["build"]["naive"]["articles_per_s"],
        naive_limit_s=args.naive_limit_minutes * 60,
        peers=tuple(peer for peer in PEERS if peer not in skipped),
        skipped=skipped,
    )


def _measure_http(
    args: argparse.Namespace, index_dir: Path, mix: list[Any], work: Workspace
) -> tuple[dict | None, dict | None]:
    """The API with the result cache off (every request a real search: the targets' figures),
    then as configured (the cycled mix fits in the cache: mostly cache hits); not with --quick."""
    if args.no_http:
        return None, None
    measured = []
    for result_cache in (False,) if args.quick else (False, True):
        options = HttpOptions(
            args.load_seconds, args.repeat, args.access_log, args.generator, result_cache
        )
        measured.append(measure_http(index_dir, mix, args.concurrency, options, work))
    return measured[0], measured[1] if len(measured) > 1 else None


def _keep_server_logs(work: Workspace, out_folder: Path) -> None:
    """gunicorn's logs go with the report: they show worker restarts and any traceback."""
    for log_file in work.root.glob("gunicorn-*.log"):
        out_folder.mkdir(parents=True, exist_ok=True)
        shutil.copy(log_file, out_folder / log_file.name)


def _write_profile(index_dir: Path, mix: list[Any], out_folder: Path) -> None:
    log("profiling newsindex's results pages")
    out_folder.mkdir(parents=True, exist_ok=True)
    with newsindex_pages(index_dir) as run_page:
        (out_folder / "profile.txt").write_text(profile_pages(run_page, mix))


def _command(argv: list[str] | None) -> str:
    return command_line(sys.argv[1:] if argv is None else argv)


def _settings(args: argparse.Namespace, queries: int) -> dict[str, Any]:
    return {
        "corpus": [str(path) for path in args.corpus],
        "scale_corpus": [str(path) for path in args.scale_corpus],
        "quick": args.quick,
        "repeat": args.repeat,
        "queries": queries,
        "seed": args.seed,
        "concurrency": args.concurrency,
        "load_seconds": args.load_seconds,
        "sizes": args.sizes,
        "scale": args.scale,
        "naive_limit_minutes": args.naive_limit_minutes,
        "scale_peers": args.scale_peers,
    }


def _notes(args: argparse.Namespace, growth: list[dict], http: dict | None) -> list[str]:
    notes = [
        "Builds run each in a fresh process; the time is that of the build call alone "
        "(newsindex: rebuild_index, i.e. reading, analysis, writing, checking, switching), in "
        "builds nobody watches; peak memory comes from one more build of each kind, watched: "
        "the physical memory of the build's process tree, its summed PSS, sampled every 0.1 s "
        "(forked writer processes share pages with their parent, which a sum of RSS would count "
        "more than once; that upper bound is in report.json as peak_rss_sum_mb_max), and at "
        "least the largest single process's own peak RSS. The sampling slowed newsindex's "
        "two-core build by 9% and the one-core naive build not at all, so the watched build's "
        "time is kept apart (report.json: watched_seconds).",
        "newsindex's SearchService always computes the section and date facets, so its results "
        "pages are timed with facets; the naive baseline is timed without facets (the issue's "
        "baseline) and with groupedby=['section']. The results-page ratio uses naive without "
        "facets, which is the harder comparison for newsindex.",
        "The naive searcher is opened once and reused, as a long-running app would; "
        "each timed run follows one untimed pass over the mix. newsindex's in-process pages "
        "are timed with its result cache off, so that every run times real searches.",
        "The peer engines (bench.peers) build in a process of their own as the others do, and "
        "answer the same mix with the same page: total, top 10, a snippet each, no facets; "
        "Xapian's total is its estimate. Their builds and pages alternate with the others'; "
        "at each larger size (--scale, --sizes) each peer is built once, like newsindex, from "
        "the same repeated corpus, and answers the same mix the same number of times.",
    ]
    if args.quick:
        notes.append(f"--quick: a {QUICK_ARTICLES}-article smoke run; its figures mean nothing.")
    for row in growth:
        if not row["naive_built"]:
            estimate = row.get("naive_estimated_build_s")
            notes.append(
                f"The naive baseline was not built at {row['articles']:,} articles: at its "
                f"measured rate it would take about {estimate or '?'} s, over the "
                f"{args.naive_limit_minutes:g}-minute limit (--naive-limit-minutes)."
            )
    if http:
        notes.append(
            f"The load generator ({http['generator']}) runs on "
            "the same cores as gunicorn, as on a 2-core machine it must. The HTTP targets are "
            "checked on the run with the result cache off (NEWSINDEX_RESULT_CACHE=0): cycling "
            f"a {args.queries}-query mix through the default cache would time cache hits."
        )
    return notes
