"""``python -m bench versus``: this tree against an earlier commit, side by side in one run.

A change must keep what earlier ones reached, and on a shared machine only a comparison made in
one run, alternating, can tell: the earlier commit is checked out in a temporary git worktree;
each tree rebuilds the corpus with its own ``indexer rebuild`` (in turn: before, after, before,
after...), then times the benchmark's results pages (the seeded query mix of ``python -m
bench``, through each tree's own ``SearchService``) in a process of its own, passes again in
turn. The report gives every pass and the medians' ratios (after / before).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.report import PROJECT_ROOT, machine_facts, write_reports
from bench.stats import median, rounded

SHARED_CORPORA = PROJECT_ROOT.parent / "shared" / "corpora"
DEFAULT_CORPUS = SHARED_CORPORA / "reuters21578.jsonl"
PAGE_PASS = """
import json, sys
from pathlib import Path
from bench.corpora import read_records
from bench.pages import newsindex_pages, time_pages
from bench.queries import build_query_mix
index_dir, corpus, count, seed, repeat = sys.argv[1:6]
mix = build_query_mix(read_records([Path(corpus)]), int(count), int(seed))
with newsindex_pages(Path(index_dir)) as run_page:
    runs = time_pages(run_page, mix, int(repeat))
print(json.dumps({"p50_ms": runs.p50_ms, "p95_ms": runs.p95_ms}))
"""


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench versus",
        description="This tree against an earlier commit: rebuild and results pages, alternating.",
    )
    add = parser.add_argument
    add("--baseline", default="main", help="the earlier commit (default: main)")
    add("--corpus", nargs="+", type=Path, default=[DEFAULT_CORPUS], help="JSONL corpora")
    add("--rounds", type=int, default=3, help="alternating rounds of each measure")
    add("--queries", type=int, default=200, help="queries in the seeded mix")
    add("--seed", type=int, default=6, help="seed of the query mix (as python -m bench)")
    add("--repeat", type=int, default=2, help="timed passes of the mix in each process")
    add("--no-pages", action="store_true", help="rebuilds only")
    add("--out", type=Path, default=PROJECT_ROOT / "bench" / "results", help="report folder")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_arguments(sys.argv[2:] if argv is None else argv)
    work = Path(tempfile.mkdtemp(prefix="bench-versus-"))
    baseline = work / "baseline"
    _git("worktree", "add", "--detach", str(baseline), args.baseline)
    try:
        trees = {"before": baseline, "after": PROJECT_ROOT}
        report = {
            "command": "python -m bench versus " + " ".join(sys.argv[2:] if argv is None else argv),
            "baseline": _git("rev-parse", "--short", args.baseline).strip(),
            "after": _git("rev-parse", "--short", "HEAD").strip() + _dirty(),
            "corpus": [str(path) for path in args.corpus],
            "machine": machine_facts(),
            "rebuild": _rebuilds(trees, args, work),
        }
        if not args.no_pages:
            report["results_page"] = _pages(trees, args, work)
    finally:
        _git("worktree", "remove", "--force", str(baseline))
        shutil.rmtree(work, ignore_errors=True)
    out = args.out / f"versus-{time.strftime('%Y%m%d-%H%M%S')}"
    write_reports(report, out, _markdown)
    print(_markdown(report))
    return 0


def _rebuilds(trees: dict[str, Path], args: argparse.Namespace, work: Path) -> dict[str, Any]:
    seconds: dict[str, list[float]] = {name: [] for name in trees}
    sizes: dict[str, int] = {}
    for _round in range(args.rounds):
        for name, tree in trees.items():
            index_dir = work / f"index-{name}"
            shutil.rmtree(index_dir, ignore_errors=True)
            started = time.perf_counter()
            _run(
                tree,
                ["-c", "from indexer.cli import main; main()", "rebuild", "--quiet"]
                + [str(path) for path in args.corpus],
                {"NEWSINDEX_INDEX_DIR": str(index_dir)},
            )
            seconds[name].append(round(time.perf_counter() - started, 2))
            sizes[name] = sum(p.stat().st_size for p in index_dir.rglob("*") if p.is_file())
    return {
        "seconds": seconds,
        "bytes": sizes,
        "ratio": rounded(median(seconds["after"]) / median(seconds["before"]), 3),
    }


def _pages(trees: dict[str, Path], args: argparse.Namespace, work: Path) -> dict[str, Any]:
    passes: dict[str, list[dict[str, list[float]]]] = {name: [] for name in trees}
    corpus = args.corpus[0]
    for _round in range(args.rounds):
        for name, tree in trees.items():
            argv = [str(work / f"index-{name}"), str(corpus), str(args.queries), str(args.seed)]
            done = _run(tree, ["-c", PAGE_PASS, *argv, str(args.repeat)], {})
            passes[name].append(json.loads(done.stdout.splitlines()[-1]))
    summary: dict[str, Any] = {"passes": passes, "query_corpus": str(corpus)}
    for key in ("p50_ms", "p95_ms"):
        medians = {
            name: median([v for run in runs for v in run[key]]) for name, runs in passes.items()
        }
        summary[key] = {name: rounded(value) for name, value in medians.items()}
        summary[f"{key}_ratio"] = rounded(medians["after"] / medians["before"], 3)
    return summary


def _run(tree: Path, arguments: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    environment = {**os.environ, **env, "PYTHONPATH": str(tree)}
    done = subprocess.run(
        [sys.executable, *arguments], cwd=tree, env=environment,
        capture_output=True, text=True, timeout=3600,
    )  # fmt: skip
    if done.returncode:
        raise SystemExit(f"bench versus: a run in {tree} failed:\n{done.stderr[-3000:]}")
    return done


def _git(*arguments: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(PROJECT_ROOT), *arguments], check=True, capture_output=True, text=True
    )
    return done.stdout


def _dirty() -> str:
    return "+changes" if _git("status", "--porcelain", "--untracked-files=no").strip() else ""


def _markdown(report: dict[str, Any]) -> str:
    rebuild = report["rebuild"]
    lines = [
        f"# newsindex {report['after']} against {report['baseline']}",
        "",
        f"`{report['command']}`, {', '.join(report['corpus'])}",
        "",
        "| measure | before | after | after / before |",
        "| --- | --- | --- | ---: |",
        _row("rebuild, s (each round)", rebuild["seconds"], rebuild["ratio"]),
        f"| index size, MB | {rebuild['bytes']['before'] / 1e6:.1f} | "
        f"{rebuild['bytes']['after'] / 1e6:.1f} | "
        f"{rebuild['bytes']['after'] / rebuild['bytes']['before']:.3f} |",
    ]
    pages = report.get("results_page")
    if pages:
        for key in ("p50_ms", "p95_ms"):
            each = {
                name: [v for run in runs for v in run[key]]
                for name, runs in pages["passes"].items()
            }
            lines.append(
                _row(f"results page {key[:3]} ms (each pass)", each, pages[f"{key}_ratio"])
            )
    return "\n".join(lines) + "\n"


def _row(label: str, values: dict[str, list[float]], ratio: float | None) -> str:
    before = ", ".join(f"{v:g}" for v in values["before"])
    after = ", ".join(f"{v:g}" for v in values["after"])
    return f"| {label} | {before} | {after} | {ratio} |"
