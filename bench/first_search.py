"""``python -m bench warm-up``: the first search after each event that brings a worker a new
index, against the median of the next hundred (issue 22: within 2×).

Per corpus, one gunicorn from the project's gunicorn.conf.py with one worker and the results
cache off serves a fresh index; then, in turn:

- ``start``: gunicorn has just started (ready once ``/api/openapi.json`` answers: a probe that
  reads no index, so the search after it is the worker's first);
- ``recycle``: the worker was ended (SIGTERM, as ``max_requests`` ends it) and gunicorn started a
  new one (ready as above);
- ``update``: ``indexer update`` added one article (ready once ``/healthz`` names the new
  generation);
- ``rebuild``: ``indexer rebuild`` of the whole corpus (ready as for ``update``).

After each, the same 101 searches of the seeded mix go one at a time over HTTP: the first is
timed against the median of the other hundred, and repeated after them (when its words'
postings are decoded: what remains of the first time is the cost of reading them).
``/metrics`` then says how many generations the worker loaded on a request (the aim: none).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bench.corpora import read_records
from bench.load import Server, gunicorn_server
from bench.measure import log
from bench.queries import build_query_mix
from bench.report import PROJECT_ROOT, command_line, machine_facts, write_reports
from bench.report_markdown import machine_table, table
from bench.stats import median

SHARED_CORPORA = PROJECT_ROOT.parent / "shared" / "corpora"
FOLLOWING = 100  # searches after the first, whose median is the yardstick
TARGET = 2.0  # the first within this many times the median
CEILING_SECONDS = 120  # waiting for a worker or a generation: only a hang takes this long
EVENTS = ("start", "recycle", "update", "rebuild")
NEW_ARTICLE = {
    "id": "bench-warm-up-1",
    "title": "A new article for the warm-up benchmark",
    "section": "",
    "published": "2026-12-01T10:00:00",
    "body": "Added by python -m bench warm-up to make a new index generation.",
}


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench warm-up",
        description="The first search after a start, recycle, update and rebuild, over HTTP.",
    )
    default = sorted(SHARED_CORPORA.glob("*.jsonl")) if SHARED_CORPORA.is_dir() else []
    add = parser.add_argument
    add("--corpus", nargs="+", type=Path, default=default, help="JSONL corpora, one run each")
    add("--seed", type=int, default=6, help="seed of the query mix")
    add("--rounds", type=int, default=3, help="runs of every event per corpus (medians)")
    add("--out", type=Path, default=PROJECT_ROOT / "bench" / "results", help="report folder")
    args = parser.parse_args(argv)
    if not args.corpus:
        parser.error("no corpus: give --corpus")
    return args


def main(argv: list[str]) -> int:
    args = parse_arguments(argv)
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(128 + signal.SIGTERM))
    report = {
        "command": command_line(["warm-up", *argv]),
        "machine": machine_facts(),
        "target": TARGET,
        "rounds": args.rounds,
        "corpora": [],
    }
    with tempfile.TemporaryDirectory(prefix="bench-warm-up-") as work:
        for corpus in args.corpus:
            rounds = [measure_corpus(corpus, args.seed, Path(work)) for _ in range(args.rounds)]
            report["corpora"].append(_medians(rounds))
    out = args.out / f"warm-up-{time.strftime('%Y%m%d-%H%M%S')}"
    markdown_path, _json = write_reports(report, out, markdown)
    print(markdown_path)
    return 0


def _medians(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """Each event's figures as the median of the rounds (and every round's ratio)."""
    events = {}
    for event in rounds[0]["events"]:
        each = [one["events"][event] for one in rounds]
        events[event] = {key: median([figures[key] for figures in each]) for key in each[0]}
        for ratio in ("ratio", "cpu_ratio"):
            events[event][f"rounds_{ratio}"] = [round(figures[ratio], 2) for figures in each]
    loads = {key: max(one["loads"].get(key, 0) for one in rounds) for key in rounds[0]["loads"]}
    return {"corpus": rounds[0]["corpus"], "events": events, "loads": loads}


def measure_corpus(corpus: Path, seed: int, work: Path) -> dict[str, Any]:
    """Every event on one corpus, in one gunicorn with one worker."""
    index_dir = work / f"index-{corpus.stem}"
    log(f"warm-up: rebuild {corpus.name}")
    _indexer(index_dir, "rebuild", str(corpus))
    mix = build_query_mix(read_records([corpus]), FOLLOWING + 1, seed)
    paths = [bench_query.url_path() for bench_query in mix]
    settings = {"NEWSINDEX_WORKERS": "1", "NEWSINDEX_RESULT_CACHE": "0"}
    log_path = work / f"gunicorn-{corpus.stem}.log"
    events: dict[str, Any] = {}
    with gunicorn_server(index_dir, log_path, False, settings, "/api/openapi.json") as server:
        events["start"] = _searches(server, paths)
        for event, bring in _events(server, index_dir, corpus, work).items():
            log(f"warm-up: {corpus.name}, {event}")
            bring()
            events[event] = _searches(server, paths)
        loads = _loads(server)
    return {"corpus": corpus.name, "events": events, "loads": loads}


def _events(server: Server, index_dir: Path, corpus: Path, work: Path) -> dict[str, Callable]:
    new = work / "new-article.jsonl"
    new.write_text(json.dumps(NEW_ARTICLE) + "\n")
    return {
        "recycle": lambda: _recycle(server),
        "update": lambda: _new_generation(server, lambda: _indexer(index_dir, "update", str(new))),
        "rebuild": lambda: _new_generation(
            server, lambda: _indexer(index_dir, "rebuild", str(corpus))
        ),
    }


def _searches(server: Server, paths: Sequence[str]) -> dict[str, Any]:
    """The first search and the median of the following ones, one at a time over HTTP: wall
    time, and the worker's CPU time for each (which a busy machine's preemptions, several ms
    each, do not lengthen)."""
    worker = _worker_pids(server)[-1]
    timed = [_timed_get(f"{server.base_url}{path}", worker) for path in paths]
    wall, cpu = [ms for ms, _cpu in timed], [cpu for _ms, cpu in timed]
    again, cpu_again = _timed_get(f"{server.base_url}{paths[0]}", worker)  # words decoded
    return {
        "first_ms": wall[0],
        "median_next_ms": median(wall[1:]),
        "ratio": wall[0] / median(wall[1:]),
        "first_again_ms": again,
        "first_cpu_ms": cpu[0],
        "median_next_cpu_ms": median(cpu[1:]),
        "cpu_ratio": cpu[0] / median(cpu[1:]),
        "first_again_cpu_ms": cpu_again,
    }


def _timed_get(url: str, worker: int) -> tuple[float, float]:
    """(wall ms, the worker's CPU ms) of one GET."""
    cpu, started = _cpu_ms(worker), time.perf_counter()
    with urllib.request.urlopen(url, timeout=30) as response:
        response.read()
    return (time.perf_counter() - started) * 1000, _cpu_ms(worker) - cpu


def _cpu_ms(pid: int) -> float:
    """The time a process has run on a CPU so far, all its threads (/proc/<pid>/schedstat)."""
    return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0]) / 1e6


def _recycle(server: Server) -> None:
    """End the worker as a recycle does and wait until its successor answers."""
    worker = _worker_pids(server)[-1]
    os.kill(worker, signal.SIGTERM)
    _wait(lambda: len(_worker_pids(server)) > 1 and not _alive(worker), "a new worker")
    _wait(lambda: _answers(f"{server.base_url}/api/openapi.json"), "the new worker")


def _new_generation(server: Server, write: Callable[[], None]) -> None:
    """Write a new generation and wait until the worker serves it."""
    before = _served(server)
    write()
    _wait(lambda: _served(server) != before, "the new generation")


def _indexer(index_dir: Path, *arguments: str) -> None:
    env = {**os.environ, "NEWSINDEX_INDEX_DIR": str(index_dir)}
    command = [sys.executable, "-m", "indexer", *arguments]
    subprocess.run(command, cwd=PROJECT_ROOT, env=env, check=True, capture_output=True)


def _worker_pids(server: Server) -> list[int]:
    text = server.log_path.read_text(errors="replace")
    return [int(pid) for pid in re.findall(r"Booting worker with pid: (\d+)", text)]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status == 200
    except OSError:
        return False


def _served(server: Server) -> str:
    with urllib.request.urlopen(f"{server.base_url}/healthz", timeout=30) as response:
        return json.loads(response.read())["generation"]


def _wait(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + CEILING_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(f"waited {CEILING_SECONDS} s for {what}")
        time.sleep(0.05)


def _loads(server: Server) -> dict[str, float]:
    with urllib.request.urlopen(f"{server.base_url}/metrics", timeout=30) as response:
        text = response.read().decode()
    found = re.findall(r'^newsindex_index_loads_total\{when="(\w+)"\} (\S+)$', text, re.M)
    return {when: float(count) for when, count in found}


def markdown(report: dict[str, Any]) -> str:
    rows, cpu_rows = [], []
    for corpus in report["corpora"]:
        for event, figures in corpus["events"].items():
            for kind, into, suffix in (("", rows, "ms"), ("cpu_", cpu_rows, "cpu_ms")):
                ratio = figures[f"{kind}ratio"]
                into.append(
                    (
                        corpus["corpus"],
                        event,
                        f"{figures[f'first_{suffix}']:.2f}",
                        f"{figures[f'median_next_{suffix}']:.2f}",
                        f"{ratio:.2f}×",
                        ", ".join(f"{each:.2f}" for each in figures[f"rounds_{kind}ratio"]),
                        f"{figures[f'first_again_{suffix}']:.2f}",
                        "PASS" if ratio <= report["target"] else "MISS",
                    )
                )
    loads = [
        (
            corpus["corpus"],
            corpus["loads"].get("before_requests"),
            corpus["loads"].get("on_requests"),
        )
        for corpus in report["corpora"]
    ]
    header = ("corpus", "event", "first search ms", f"median of next {FOLLOWING} ms", "ratio")
    header += ("ratio of each round", "the first search again, after them, ms")
    return "\n".join(
        [
            f"# The first search after a new index, {report['machine']['date']}\n",
            f"Command (from the project folder):\n\n    {report['command']}\n",
            __doc__.split("\n\n", 1)[1] if __doc__ else "",
            f"## First search against the next {FOLLOWING} (target ≤ {report['target']:g}×; "
            "median of the rounds)\n",
            table((*header, "target"), rows),
            "## The same, as the worker's CPU time (preemptions on a busy machine left out)\n",
            table((*header, "target"), cpu_rows),
            "## Index loads of the worker (/metrics at the end)\n",
            table(("corpus", "before requests", "on requests"), loads),
            machine_table(report["machine"]),
        ]
    )
