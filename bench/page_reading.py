"""``python -m bench pages``: how well newsindex reads article pages, beside plain trafilatura.

Two measures, in one run:

- the article extraction benchmark (``../shared/pages-benchmark``: 181 real pages with the body a
  person marked): every page through newsindex's page reader (``read_html_page``, what
  ``indexer rebuild`` runs on a saved page) and through ``trafilatura.extract(html,
  include_comments=False)`` (how the benchmark itself runs trafilatura), scored the benchmark's
  way (``bench.page_scores``);
- the trap fixtures (``bench.page_traps``): the share whose title, date and body are read right,
  beside what the libraries give alone.

It writes ``report.md`` and ``report.json`` to ``--out/pages-<time>/``.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from bench.page_scores import PageCounts, Scores, mean_scores, page_counts
from bench.page_traps import TRAPS_FOLDER, evaluate_traps
from bench.report import (
    PROJECT_ROOT,
    command_line,
    machine_facts,
    package_version,
    plain,
    source_fingerprint,
)
from bench.report_pages import markdown

DEFAULT_PAGES = PROJECT_ROOT.parent / "shared" / "pages-benchmark"
READERS = ("newsindex", "trafilatura")
LIBRARIES = ("trafilatura", "htmldate", "dateparser", "feedparser", "charset-normalizer", "lxml")
TARGET_F1, TARGET_PRECISION, TARGET_RECALL = 0.97, 0.96, 0.96


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench pages",
        description="Bodies of real pages (F1 against marked bodies) and the trap fixtures.",
    )
    add = parser.add_argument
    add("--pages", type=Path, default=DEFAULT_PAGES, help="benchmark folder (ground-truth.json)")
    add("--limit", type=int, help="only the first N pages (by key): a smoke run")
    add("--processes", type=int, default=min(2, os.cpu_count() or 1), help="pages read at once")
    add("--traps", type=Path, default=TRAPS_FOLDER, help="fixtures folder (its list: FOLDER.json)")
    add("--out", type=Path, default=PROJECT_ROOT / "bench" / "results", help="report folder")
    args = parser.parse_args(argv)
    if not (args.pages / "ground-truth.json").is_file():
        raise SystemExit(f"bench pages: no ground-truth.json in {args.pages}")
    return args


def main(argv: list[str] | None = None) -> int:
    arguments = sys.argv[2:] if argv is None else argv
    args = parse_arguments(arguments)
    report = {
        "command": command_line(["pages", *arguments]),
        "machine": machine_facts(),
        "libraries": {name: package_version(name) for name in LIBRARIES},
        "benchmark": measure_benchmark(args.pages, args.limit, args.processes),
        "traps": evaluate_traps(args.traps),
    }
    report["targets"] = targets(report["benchmark"]["scores"]["newsindex"], report["traps"])
    if source_fingerprint() != report["machine"]["source_fingerprint"]:
        report["note"] = "The code changed during this run: rerun for clean figures."
    folder = args.out / time.strftime("pages-%Y%m%d-%H%M%S")
    folder.mkdir(parents=True, exist_ok=True)
    data = plain(report)
    (folder / "report.json").write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    (folder / "report.md").write_text(markdown(data))
    print(folder / "report.md")
    return 0


def measure_benchmark(
    folder: Path, limit: int | None, processes: int, readers: tuple[str, ...] = READERS
) -> dict[str, Any]:
    """The readers on every page, scored; with each page's figures for a closer look."""
    truth = json.loads((folder / "ground-truth.json").read_text("utf-8"))
    keys = sorted(truth)[:limit] if limit else sorted(truth)
    jobs = [(folder / "html" / f"{key}.html.gz", truth[key].get("url", ""), readers)
            for key in keys]  # fmt: skip
    with ProcessPoolExecutor(max_workers=max(1, processes)) as pool:
        read = list(pool.map(_read_page, jobs, chunksize=4))
    counts: dict[str, list[PageCounts]] = {reader: [] for reader in readers}
    pages, seconds = [], dict.fromkeys(readers, 0.0)
    for key, (bodies, timings) in zip(keys, read, strict=True):
        row: dict[str, Any] = {"key": key}
        for reader in readers:
            counted = page_counts(truth[key].get("articleBody", ""), bodies[reader])
            counts[reader].append(counted)
            seconds[reader] += timings[reader]
            row[reader] = _scores(counted)
        pages.append(row)
    scores = {reader: _scores(mean_scores(counts[reader])) for reader in readers}
    return {"folder": str(folder), "pages": len(keys), "scores": scores,
            "seconds": seconds, "per_page": pages}  # fmt: skip


def targets(scores: dict[str, Any], traps: dict[str, Any]) -> list[dict[str, str]]:
    """The issue's targets against this run."""
    rows = [
        ("body F1 ≥ 0.97", scores["f1"], TARGET_F1),
        ("body precision ≥ 0.96", scores["precision"], TARGET_PRECISION),
        ("body recall ≥ 0.96", scores["recall"], TARGET_RECALL),
    ]
    found = [
        {"target": name, "measured": f"{value:.3f}", "status": "PASS" if value >= bar else "MISS"}
        for name, value, bar in rows
    ]
    ours = traps["newsindex"]
    found.append(
        {
            "target": "every trap fixture read right (title, date, body)",
            "measured": f"{ours['all_right']}/{ours['fixtures']}",
            "status": "PASS" if ours["all_right"] == ours["fixtures"] else "MISS",
        }
    )
    return found


def _read_page(
    job: tuple[Path, str, tuple[str, ...]],
) -> tuple[dict[str, str], dict[str, float]]:
    """One page through the readers (in a worker process): bodies and seconds."""
    path, url, readers = job
    data = gzip.decompress(path.read_bytes())
    bodies, timings = {}, {}
    for reader in readers:
        read = _newsindex_body if reader == "newsindex" else _trafilatura_body
        started = time.perf_counter()
        bodies[reader] = read(data, url)
        timings[reader] = time.perf_counter() - started
    return bodies, timings


def _newsindex_body(data: bytes, url: str) -> str:
    from indexer.ingest.webpages import read_html_page

    records = [raw for _where, raw in read_html_page(io.BytesIO(data), url)]
    return next((raw.get("body", "") for raw in records if isinstance(raw, dict)), "")


def _trafilatura_body(data: bytes, url: str) -> str:
    import trafilatura

    return trafilatura.extract(data.decode("utf-8"), include_comments=False) or ""


def _scores(scores: Scores | PageCounts) -> dict[str, float | None]:
    return {"f1": scores.f1, "precision": scores.precision, "recall": scores.recall}
