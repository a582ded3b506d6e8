"""The benchmark runs and writes its report. Benchmarks are not tests: nothing here asserts a
timing, only that ``python -m bench --quick`` works end to end on the project's own samples (so
it needs neither ``../shared`` nor wrk) and that the report has its sections."""

from __future__ import annotations

import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from conftest import SAMPLES
from indexer.config import PROJECT_ROOT
from processes import run_to_end

REPORT_KEYS = {
    "command",
    "machine",
    "settings",
    "main",
    "growth",
    "http",
    "http_cached",
    "targets",
    "notes",
}
MARKDOWN_SECTIONS = (
    "## Machine",
    "## Targets (issue 6)",
    "## Index build",
    "## Results pages",
    "### p95 by kind of query",
    "## Growth",
    "## HTTP API",
    "## Notes",
)


@pytest.fixture(scope="module")
def quick_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, str]:
    """The report of one quick run on the samples (repeated to 300 articles), with a 400-article
    scale run so that the growth and large-corpus paths run too."""
    out = tmp_path_factory.mktemp("bench")
    command = [sys.executable, "-m", "bench", "--quick", "--corpus", str(SAMPLES)]
    command += ["--scale", "400", "--out", str(out / "results"), "--work", str(out / "work")]
    done = run_to_end(command, dict(os.environ), timeout=170, cwd=PROJECT_ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    [folder] = (out / "results").iterdir()
    report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    return report, (folder / "report.md").read_text(encoding="utf-8")


def test_the_quick_run_writes_both_reports(quick_report: tuple[dict, str]) -> None:
    report, markdown = quick_report
    assert REPORT_KEYS <= set(report)
    assert "-m bench --quick" in report["command"]
    for section in MARKDOWN_SECTIONS:
        assert section in markdown
    assert "| target | measured | status |" in markdown


def test_the_report_has_both_sides_of_every_measure(quick_report: tuple[dict, str]) -> None:
    report, _markdown = quick_report
    main = report["main"]
    assert main["articles"] == 300
    assert {"naive", "newsindex", "ratio"} <= set(main["build"])
    for kind in ("naive", "newsindex"):  # timed unwatched; the memory of one more, watched
        build = main["build"][kind]
        assert build["runs"] == report["settings"]["repeat"]
        assert build["watched_seconds"] > 0 and build["peak_mb"] > 0
    assert {"naive", "naive_facets", "newsindex", "ratio_p95"} <= set(main["results_page"])
    assert main["results_page"]["newsindex"]["queries"] == report["settings"]["queries"]
    assert [row["articles"] for row in report["growth"]] == [400]
    assert report["http"]["index_articles"] == 400
    assert [level["concurrency"] for level in report["http"]["levels"]] == [1, 8, 32]
    assert report["http"]["result_cache"] is False  # the targets' figures: real searches
    assert report["http_cached"] is None  # --quick runs the API once
    assert {"cores", "cpu_model", "python", "whoosh", "date"} <= set(report["machine"])


def test_the_report_puts_newsindex_beside_each_engine(quick_report: tuple[dict, str]) -> None:
    """Plain Whoosh and SQLite FTS5 always run (Python has sqlite3); tantivy and Xapian run
    where they are installed, and are otherwise listed with the reason."""
    report, markdown = quick_report
    engines = report["main"]["engines"]
    assert {"p50_ms", "p95_ms", "p99_ms", "articles_per_s"} <= set(engines["newsindex"])
    assert {"naive", "fts5"} <= set(engines["engines"])
    every = {"naive", "fts5", "tantivy", "xapian"}
    assert set(engines["engines"]) | set(engines["skipped"]) == every
    for name, row in engines["engines"].items():
        assert set(row["ratio"]) == {"p50_ms", "p95_ms", "p99_ms"}, name
        assert all(value > 0 for value in row["ratio"].values()), name
        assert row["articles_per_s"] > 0 and row["build_ratio"] > 0, name
    assert "## newsindex and the engines users would pick instead" in markdown
    assert "| SQLite FTS5 (Python's sqlite3) |" in markdown
    assert "newsindex ÷ engine, p50 / p95 / p99" in markdown


def test_the_scaled_section_puts_newsindex_beside_each_engine(
    quick_report: tuple[dict, str],
) -> None:
    """At a larger size the peers are built and timed too, and the report gives newsindex's
    p50 / p95 ratio to each at each size; the FTS5 target is judged there."""
    report, markdown = quick_report
    [row] = report["growth"]
    engines = row["engines"]
    assert "fts5" in engines["engines"]
    assert set(engines["engines"]) | set(engines["skipped"]) >= {"fts5", "tantivy", "xapian"}
    for name, peer in engines["engines"].items():
        assert all(value > 0 for value in peer["ratio"].values()), name
    assert "### newsindex and the engines at 400 articles" in markdown
    assert "## newsindex's results page ÷ each peer's, by size" in markdown
    [target] = [t for t in report["targets"] if "FTS5's at 400 articles" in t["target"]]
    assert target["status"] != "NOT RUN"


def test_every_target_has_a_verdict(quick_report: tuple[dict, str]) -> None:
    report, _markdown = quick_report
    assert len(report["targets"]) == 10
    assert {target["status"] for target in report["targets"]} <= {"PASS", "MISS", "NOT RUN"}
    assert all(t["status"] != "NOT RUN" for t in report["targets"])


class _StubHandler(BaseHTTPRequestHandler):
    """200 for /ok, 404 for anything else."""

    def do_GET(self) -> None:
        self.send_response(200 if self.path == "/ok" else 404)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args: object) -> None:
        pass


def test_the_python_load_generator_counts_requests_and_errors(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The fallback generator (used where wrk is not installed, as in CI) on a stub server."""
    monkeypatch.syspath_prepend(str(PROJECT_ROOT))
    from bench.load import Server, python_load

    stub = ThreadingHTTPServer(("127.0.0.1", 0), _StubHandler)
    threading.Thread(target=stub.serve_forever, daemon=True).start()
    try:
        server = Server(f"http://127.0.0.1:{stub.server_address[1]}", Path("unused.log"))
        result = python_load(server, ["/ok", "/missing"], concurrency=2, seconds=1.0)
    finally:
        stub.shutdown()
        stub.server_close()
    assert result.requests > 0
    assert 0 < result.errors < result.requests


def test_the_flood_benchmark_runs_and_reports(tmp_path: Path) -> None:
    """``python -m bench flood`` end to end, briefly, on the samples (its figures mean nothing)."""
    command = [sys.executable, "-m", "bench", "flood", "--corpus", str(SAMPLES), "--seconds", "1"]
    command += ["--connections", "16", "--queries", "20", "--out", str(tmp_path)]
    done = run_to_end(command, dict(os.environ), timeout=120, cwd=PROJECT_ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    [folder] = tmp_path.iterdir()
    report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    assert set(report["areas"]) == {"api", "feed"}
    for row in report["areas"].values():
        assert row["flood"]["limited_429"] > 0 and row["reader_flooded"]["not_200"] == 0
        assert set(row["targets"]) >= {"reader_p95_within_3x", "everyone_served_within_2_s"}
    assert "# A reader under a flood" in (folder / "report.md").read_text(encoding="utf-8")


def test_the_warm_up_run_reports_every_event(tmp_path: Path) -> None:
    """``python -m bench warm-up`` on the samples: each event's first search against the next
    hundred, and the loads of the worker (none on a request); no timing is asserted."""
    command = [sys.executable, "-m", "bench", "warm-up", "--corpus", str(SAMPLES)]
    command += ["--rounds", "1", "--out", str(tmp_path)]
    done = run_to_end(command, dict(os.environ), timeout=170, cwd=PROJECT_ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    [folder] = tmp_path.iterdir()
    report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    [corpus] = report["corpora"]
    assert set(corpus["events"]) == {"start", "recycle", "update", "rebuild"}
    for figures in corpus["events"].values():
        assert figures["first_ms"] > 0 and figures["ratio"] > 0
    assert corpus["loads"]["on_requests"] == 0
    assert "| articles.jsonl | recycle |" in (folder / "report.md").read_text(encoding="utf-8")


def test_the_request_cost_run_reports_every_way(tmp_path: Path) -> None:
    """``python -m bench request-cost`` on the samples: each way's p50 and CPU per search, the
    differences, and the runs with one and three workers; no timing is asserted."""
    command = [sys.executable, "-m", "bench", "request-cost", "--corpus", str(SAMPLES)]
    command += ["--queries", "10", "--rounds", "1", "--out", str(tmp_path)]
    done = run_to_end(command, dict(os.environ), timeout=170, cwd=PROJECT_ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    [folder] = tmp_path.iterdir()
    report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    request = report["request"]
    assert {"search", "json_flask", "flask", "http"} <= set(request["p50_ms"])
    assert set(request["cpu_ms_per_search"]) == set(request["p50_ms"])
    assert set(request["median_of_differences_ms"]) == {
        "http_minus_search",
        "flask_minus_search",
        "http_minus_flask",
    }
    assert [row["workers"] for row in report["workers"]] == [1, 3]
    assert all(len(row["worker_pss_mb"]) == row["workers"] for row in report["workers"])
