"""``python -m bench request-cost``: what the request around a search costs (issue 22 item 4).

The same searches (the seeded mix, results cache off) are timed one at a time, every way in
turn over blocks of ``BLOCK`` searches (each way runs a few searches in a row, as a worker does,
and a busy moment of the shared machine weighs on all ways alike), in passes over the mix after
an untimed one:

- ``search``: ``SearchService.search`` in this process, as the results pages of ``python -m
  bench`` are timed;
- ``json``: encoding each search's ``as_json()`` with the app's JSON provider, and with orjson
  where it is installed (both on the same results);
- ``flask``: the whole app in this process (``/api/search`` through Flask's test client:
  routing, argument parsing, the search, JSON, metrics, headers);
- ``http``: ``/api/search`` over loopback HTTP from gunicorn (the project's gunicorn.conf.py) with
  one warm worker, a new connection per request (sync workers close it).

Then the cost of several workers' separate caches: gunicorn with 1 and with 3 workers, the mix
sent three times in turn over HTTP, the p50 of each pass, the workers' CPU time per request in
each pass (each worker decodes the postings of the words it is asked for once), and each
worker's memory (PSS).
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bench.corpora import read_records
from bench.load import Server, gunicorn_server
from bench.measure import log
from bench.queries import BenchQuery, build_query_mix
from bench.report import PROJECT_ROOT, command_line, machine_facts, write_reports
from bench.report_markdown import machine_table, table
from bench.stats import percentile

DEFAULT_CORPUS = PROJECT_ROOT.parent / "shared" / "corpora" / "reuters21578.jsonl"
TARGET_MS = 1.5  # HTTP p50 within this of the same searches in process
NO_CACHE = {"NEWSINDEX_RESULT_CACHE": "0"}
WORKER_COUNTS = (1, 3)
PASSES = 3
BLOCK = 10  # searches each way runs in a row


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench request-cost",
        description="/api/search over HTTP against the same searches in process.",
    )
    add = parser.add_argument
    add("--corpus", type=Path, default=DEFAULT_CORPUS, help="JSONL corpus")
    add("--queries", type=int, default=200, help="queries in the seeded mix")
    add("--seed", type=int, default=6, help="seed of the query mix")
    add("--rounds", type=int, default=3, help="alternating passes of each way")
    add("--out", type=Path, default=PROJECT_ROOT / "bench" / "results", help="report folder")
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse_arguments(argv)
    work = Path(tempfile.mkdtemp(prefix="bench-request-cost-"))
    try:
        index_dir = _build(args.corpus, work)
        mix = build_query_mix(read_records([args.corpus]), args.queries, args.seed)
        report = {
            "command": command_line(["request-cost", *argv]),
            "machine": machine_facts(),
            "corpus": args.corpus.name,
            "queries": len(mix),
            "target_ms": TARGET_MS,
            "request": measure_request(index_dir, mix, args.rounds, work),
            "workers": measure_workers(index_dir, mix, work),
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)
    out = args.out / f"request-cost-{time.strftime('%Y%m%d-%H%M%S')}"
    markdown_path, _json = write_reports(report, out, markdown)
    print(markdown_path)
    return 0


def _build(corpus: Path, work: Path) -> Path:
    from indexer.config import load_settings
    from indexer.index.build import rebuild_index

    log(f"request cost: rebuild {corpus.name}")
    settings = load_settings({"index_dir": work / "index"}, environ={})
    rebuild_index(settings, [str(corpus)])
    return settings.index_dir


def measure_request(
    index_dir: Path, mix: Sequence[BenchQuery], rounds: int, work: Path
) -> dict[str, Any]:
    """p50 of each way over ``rounds`` passes (after an untimed one), and the median of the
    differences between two ways on the same search."""
    ways = _in_process_ways(index_dir, mix)
    times: dict[str, list[float]] = {name: [] for name in (*ways, "http")}
    log_path = work / "gunicorn-1.log"
    with gunicorn_server(
        index_dir, log_path, False, {**NO_CACHE, "NEWSINDEX_WORKERS": "1"}
    ) as server:
        [worker] = _worker_pids(log_path)
        ways["http"] = _http_way(server)
        for round_number in range(rounds + 1):
            log(f"request cost: pass {round_number + 1}")
            if round_number == 1:  # the first pass warms
                CPU_MS.clear()
                times = {name: [] for name in ways}
            for start in range(0, len(mix), BLOCK):
                block = mix[start : start + BLOCK]
                for name, way in ways.items():
                    cpu = _worker_cpu_ms(worker)
                    times[name] += [way(bench_query) for bench_query in block]
                    if name == "http":
                        CPU_MS["http"] = CPU_MS.get("http", 0.0) + _worker_cpu_ms(worker) - cpu
    p50 = {name: percentile(values, 50) for name, values in times.items()}
    return {
        "cpu_ms_per_search": {name: CPU_MS[name] / len(times[name]) for name in times},
        "p50_ms": p50,
        "p95_ms": {name: percentile(values, 95) for name, values in times.items()},
        "http_minus_search_ms": p50["http"] - p50["search"],
        "flask_minus_search_ms": p50["flask"] - p50["search"],
        "http_minus_flask_ms": p50["http"] - p50["flask"],
        "median_of_differences_ms": {
            "http_minus_search": _median_difference(times["http"], times["search"]),
            "flask_minus_search": _median_difference(times["flask"], times["search"]),
            "http_minus_flask": _median_difference(times["http"], times["flask"]),
        },
    }


def _median_difference(slower: Sequence[float], faster: Sequence[float]) -> float:
    return percentile([a - b for a, b in zip(slower, faster, strict=True)], 50)


def _in_process_ways(
    index_dir: Path, mix: Sequence[BenchQuery]
) -> dict[str, Callable[[BenchQuery], float]]:
    from indexer.config import load_settings
    from indexer.search.requests import SearchRequest
    from indexer.search.service import SearchService
    from webui import create_app

    settings = load_settings({"index_dir": index_dir, "result_cache": 0}, environ={})
    service = SearchService(settings)
    app = create_app({"NEWSINDEX": {"index_dir": index_dir, "result_cache": 0}})
    client = app.test_client()
    found = {q: service.search(SearchRequest.from_params(q.params())).as_json() for q in mix}

    def search(bench_query: BenchQuery) -> float:
        request = SearchRequest.from_params(bench_query.params())
        return _timed(lambda: service.search(request), "search")

    ways = {
        "search": search,
        "json_flask": lambda q: _timed(lambda: app.json.dumps(found[q]), "json_flask"),
        "flask": lambda q: _timed(lambda: client.get(q.url_path()).close(), "flask"),
    }
    try:
        import orjson

        ways["json_orjson"] = lambda q: _timed(lambda: orjson.dumps(found[q]), "json_orjson")
    except ImportError:
        pass
    return ways


CPU_MS: dict[str, float] = {}  # CPU time of each way in the timed passes (this thread's)


def _timed(call: Callable[[], Any], way: str) -> float:
    """Wall milliseconds of ``call()``; its CPU time is added to ``CPU_MS[way]``."""
    cpu, started = time.thread_time(), time.perf_counter()
    call()
    elapsed = (time.perf_counter() - started) * 1000
    CPU_MS[way] = CPU_MS.get(way, 0.0) + (time.thread_time() - cpu) * 1000
    return elapsed


def _worker_cpu_ms(pid: int) -> float:
    """User and system CPU time of a process so far (/proc/<pid>/stat), in ms."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def _http_way(server: Server) -> Callable[[BenchQuery], float]:
    host, port = server.base_url.removeprefix("http://").split(":")

    def get(bench_query: BenchQuery) -> float:
        started = time.perf_counter()
        connection = http.client.HTTPConnection(host, int(port), timeout=30)
        connection.request("GET", bench_query.url_path())
        response = connection.getresponse()
        response.read()
        connection.close()
        if response.status != 200:
            raise RuntimeError(f"{bench_query.url_path()}: HTTP {response.status}")
        return (time.perf_counter() - started) * 1000

    return get


def measure_workers(index_dir: Path, mix: Sequence[BenchQuery], work: Path) -> list[dict]:
    """For 1 and 3 workers: the p50 of each pass of the mix over HTTP, and the workers' PSS."""
    rows = []
    for workers in WORKER_COUNTS:
        settings = {**NO_CACHE, "NEWSINDEX_WORKERS": str(workers)}
        log_path = work / f"gunicorn-{workers}-workers.log"
        with gunicorn_server(index_dir, log_path, False, settings) as server:
            get = _http_way(server)
            pids = _worker_pids(log_path)
            passes, cpu = [], []
            for number in range(PASSES):
                log(f"request cost: {workers} workers, pass {number + 1}")
                before = sum(_worker_cpu_ms(pid) for pid in pids)
                passes.append(percentile([get(q) for q in mix], 50))
                cpu.append((sum(_worker_cpu_ms(pid) for pid in pids) - before) / len(mix))
            pss = [_pss_mb(pid) for pid in pids]
        rows.append(
            {
                "workers": workers,
                "pass_p50_ms": passes,
                "pass_cpu_ms_per_request": cpu,
                "worker_pss_mb": pss,
            }
        )
    return rows


def _worker_pids(log_path: Path) -> list[int]:
    text = log_path.read_text(errors="replace")
    pids = [int(pid) for pid in re.findall(r"Booting worker with pid: (\d+)", text)]
    return [pid for pid in pids if Path(f"/proc/{pid}").exists()]


def _pss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def markdown(report: dict[str, Any]) -> str:
    request = report["request"]
    labels = {
        "search": "SearchService.search in process",
        "json_flask": "encoding its as_json() with the app's JSON provider",
        "json_orjson": "encoding it with orjson",
        "flask": "/api/search through Flask's test client, in process",
        "http": "/api/search over HTTP, gunicorn, one warm worker",
    }
    cpu = request["cpu_ms_per_search"]
    rows = [
        (labels[name], f"{p50:.2f}", f"{request['p95_ms'][name]:.2f}", f"{cpu[name]:.2f}")
        for name, p50 in request["p50_ms"].items()
    ]
    paired = request["median_of_differences_ms"]
    differences = [
        (
            "HTTP - in process (target ≤ 1.5)",
            f"{request['http_minus_search_ms']:.2f}",
            f"{paired['http_minus_search']:.2f}",
        ),
        (
            "Flask app - in process",
            f"{request['flask_minus_search_ms']:.2f}",
            f"{paired['flask_minus_search']:.2f}",
        ),
        (
            "HTTP - Flask app (gunicorn, sockets, client)",
            f"{request['http_minus_flask_ms']:.2f}",
            f"{paired['http_minus_flask']:.2f}",
        ),
    ]
    workers = [
        (
            row["workers"],
            ", ".join(f"{p50:.2f}" for p50 in row["pass_p50_ms"]),
            ", ".join(f"{ms:.2f}" for ms in row["pass_cpu_ms_per_request"]),
            ", ".join(f"{mb:.0f}" for mb in row["worker_pss_mb"]),
        )
        for row in report["workers"]
    ]
    return "\n".join(
        [
            f"# The request around a search, {report['machine']['date']}\n",
            f"Command (from the project folder):\n\n    {report['command']}\n",
            __doc__.split("\n\n", 1)[1] if __doc__ else "",
            f"## {report['corpus']}, {report['queries']} queries, results cache off\n",
            table(("way", "p50 ms", "p95 ms", "CPU ms per search (mean)"), rows),
            "CPU: this process's thread, or the gunicorn worker's whole process for HTTP "
            "(what the server spends; the client's own time is not in it).\n",
            table(
                ("difference", "of the p50s, ms", "median of each search's difference, ms"),
                differences,
            ),
            "## Several workers (each pass: the whole mix once, concurrency 1)\n",
            table(
                (
                    "workers",
                    "p50 ms of passes 1, 2, 3",
                    "workers' CPU ms per request, passes 1, 2, 3",
                    "PSS of each worker, MB",
                ),
                workers,
            ),
            machine_table(report["machine"]),
        ]
    )
