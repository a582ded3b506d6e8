"""``python -m bench flood``: a reader's searches while one client floods, through nginx.

The project's nginx site (deploy/nginx-newsindex.conf, run on loopback by ``bench.nginx``) in
front of two gunicorn nodes (gunicorn.conf.py, its default workers, the results cache off: every
search runs) over an index of the corpus. For the API and then the Atom feed: a reader at
127.0.0.3 searches twice a second alone for ``--seconds``, then as long again while 127.0.0.2
floods the same kind of URL on ``--connections`` connections as fast as it is answered; then the
time until each of them is served again. The issue's targets: the reader's p95 under the flood
within 3x of its p95 alone, and no error; the flooder gets 429s, no time-out, no 502/504, no 5xx
but a 503 with Retry-After; both served within 2 s after the flood.
"""

from __future__ import annotations

import argparse
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from bench.corpora import read_records
from bench.flood_clients import FloodCounts, Flooder, Reader, Reading, seconds_until_served
from bench.load import free_port, gunicorn_server, stop_when_parent_dies
from bench.nginx import nginx_command, render_nginx_site
from bench.queries import build_query_mix
from bench.report import PROJECT_ROOT, command_line, machine_facts, write_reports
from bench.stats import percentile, rounded

DEFAULT_CORPUS = PROJECT_ROOT.parent / "shared" / "corpora" / "reuters21578.jsonl"
FLOODER, READER = "127.0.0.2", "127.0.0.3"
NODES = 2
READER_PAUSE_SECONDS = 0.5  # two searches a second
P95_RATIO_TARGET = 3.0
RECOVERY_TARGET_SECONDS = 2.0
AREAS = {"api": "/api/search?", "feed": "/search.atom?"}


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench flood", description=__doc__)
    add = parser.add_argument
    add("--corpus", nargs="+", type=Path, default=[DEFAULT_CORPUS], help="JSONL corpus files")
    add("--seconds", type=float, default=20.0, help="seconds alone, then of flood (default 20)")
    add("--connections", type=int, default=128, help="the flooder's connections (default 128)")
    add("--queries", type=int, default=200, help="searches in the seeded mix")
    add("--seed", type=int, default=6, help="seed of the query mix")
    add("--without-limits", action="store_true", help="the site without its limits per client")
    add("--out", type=Path, default=PROJECT_ROOT / "bench" / "results", help="report folder")
    args = parser.parse_args(argv)
    for path in args.corpus:
        if not path.is_file():
            raise SystemExit(f"bench flood: no such corpus file: {path}")
    return args


def main(argv: list[str]) -> int:
    args = parse_arguments(argv)
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(128 + signal.SIGTERM))
    work = Path(tempfile.mkdtemp(prefix="newsindex-flood-"))
    try:
        report = run_flood(args, work, argv)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    out_folder = args.out / time.strftime("flood-%Y%m%d-%H%M%S")
    markdown_path, _json_path = write_reports(report, out_folder, flood_markdown)
    print(markdown_path.read_text(encoding="utf-8"))
    return 0


def run_flood(args: argparse.Namespace, work: Path, argv: list[str]) -> dict[str, Any]:
    from indexer.config import load_settings
    from indexer.index.build import rebuild_index

    machine = machine_facts()
    settings = load_settings({"index_dir": work / "index"}, environ={})
    _log(f"building the index of {', '.join(str(path) for path in args.corpus)}")
    summary = rebuild_index(settings, [str(path) for path in args.corpus])
    mix = build_query_mix(read_records(args.corpus), args.queries, args.seed)
    queries = [bench_query.url_path().split("?", 1)[1] for bench_query in mix]
    areas = {}
    with site(settings.index_dir, work, not args.without_limits) as base:
        for area, prefix in AREAS.items():
            paths = [prefix + query for query in queries]
            # The reader and the flooder ask different searches: no cache helps the reader.
            areas[area] = measure_area(base, paths[1::2], paths[0::2], args)
            areas[area]["targets"] = targets_met(areas[area])
    return {
        "command": command_line(["flood", *argv]),
        "machine": machine,
        "settings": {
            "corpus": [str(path) for path in args.corpus],
            "articles": summary.indexed,
            "nodes": NODES,
            "seconds": args.seconds,
            "connections": args.connections,
            "limits_per_client": not args.without_limits,
            "reader_searches_per_s": 1 / READER_PAUSE_SECONDS,
        },
        "areas": areas,
    }


@contextmanager
def site(index_dir: Path, work: Path, limits: bool) -> Iterator[str]:
    """Two gunicorn nodes over ``index_dir`` and nginx in front of them (with the site's limits
    per client or without them); nginx's base URL."""
    with ExitStack() as stack:
        ports = []
        for number in range(NODES):
            log_path = work / f"gunicorn-{number}.log"
            server = stack.enter_context(
                gunicorn_server(index_dir, log_path, False, {"NEWSINDEX_RESULT_CACHE": "0"})
            )
            ports.append(int(server.base_url.rsplit(":", 1)[1]))
        (work / "www").mkdir()
        port = free_port()
        rendered = render_nginx_site(port, ports, work / "www", work / "nginx", limits)
        command = nginx_command(work / "nginx", rendered)
        subprocess.run([*command, "-t"], check=True, capture_output=True, timeout=30)
        nginx = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, preexec_fn=stop_when_parent_dies
        )
        stack.callback(_stop_nginx, nginx)
        base = f"http://127.0.0.1:{port}"
        if seconds_until_served(base, "/healthz", "127.0.0.1", 30)[0] is None:
            raise RuntimeError(f"nginx did not answer; see {work / 'nginx' / 'error.log'}")
        yield base


def _stop_nginx(nginx: subprocess.Popen) -> None:
    nginx.send_signal(signal.SIGQUIT)  # nginx's graceful stop
    try:
        nginx.wait(timeout=30)
    except subprocess.TimeoutExpired:
        nginx.kill()
        nginx.wait()


def measure_area(
    base: str, reader_paths: list[str], flood_paths: list[str], args: argparse.Namespace
) -> dict[str, Any]:
    """The reader alone, then under the flood, then the time until both are served again."""
    warm_up(base, reader_paths + flood_paths)
    _log(f"{reader_paths[0].split('?')[0]}: the reader alone for {args.seconds:g} s")
    alone = read_for(base, reader_paths, args.seconds)
    _log(f"the reader while {args.connections} connections flood for {args.seconds:g} s")
    reader = Reader(base, reader_paths, READER, READER_PAUSE_SECONDS).start()
    try:
        flooder = Flooder(base, flood_paths, args.connections, FLOODER).start()
        try:
            time.sleep(args.seconds)
        finally:
            flood = flooder.stop()
        stopped = time.monotonic()
        flooder_back, refused_after = seconds_until_served(base, flood_paths[0], FLOODER)
        time.sleep(RECOVERY_TARGET_SECONDS)
    finally:
        flooded = reader.stop()
    during = reading_summary([r for r in flooded if r.sent < stopped])
    after = [r for r in flooded if r.sent >= stopped]
    reader_back = next(
        (r.sent + r.milliseconds / 1000 - stopped for r in after if r.status == 200), None
    )
    alone_summary = reading_summary(alone)
    return {
        "reader_alone": alone_summary,
        "reader_flooded": during,
        "reader_after": reading_summary(after),
        "p95_ratio": rounded(during["p95_ms"] / alone_summary["p95_ms"], 2),
        "flood": flood_summary(flood, args.seconds),
        "flooder_served_again_s": rounded(flooder_back) if flooder_back is not None else None,
        "flooder_refused_before_served_again": sum(refused_after.values()),
        "reader_served_again_s": rounded(reader_back) if reader_back is not None else None,
    }


def targets_met(row: dict[str, Any]) -> dict[str, bool]:
    """The issue's targets, each met or not, for one area's figures."""
    flood, served_again = (
        row["flood"],
        (row["flooder_served_again_s"], row["reader_served_again_s"]),
    )
    readings = (row["reader_alone"], row["reader_flooded"], row["reader_after"])
    return {
        "reader_p95_within_3x": (row["p95_ratio"] or 0) <= P95_RATIO_TARGET,
        "reader_never_refused_nor_failed": all(summary["not_200"] == 0 for summary in readings),
        "flooder_gets_429s": flood["limited_429"] > 0 and not flood["no_answer"],
        "no_5xx_but_503_with_retry_after": set(flood["by_status"]) <= {"200", "429", "503"}
        and flood["refusals_without_retry_after"] == 0,
        "everyone_served_within_2_s": all(
            seconds is not None and seconds <= RECOVERY_TARGET_SECONDS for seconds in served_again
        ),
    }


def warm_up(base: str, paths: list[str]) -> None:
    """Every search once, each from another address (none of them limited), so that every worker
    has opened the index and the reader alone is not timed against cold workers."""
    for number, path in enumerate(paths):
        seconds_until_served(base, path, f"127.0.4.{number % 250 + 1}", ceiling=30)


def read_for(base: str, paths: list[str], seconds: float) -> list[Reading]:
    reader = Reader(base, paths, READER, READER_PAUSE_SECONDS).start()
    try:
        time.sleep(seconds)
    finally:
        readings = reader.stop()
    return readings


def reading_summary(readings: list[Reading]) -> dict[str, Any]:
    times = [r.milliseconds for r in readings]
    return {
        "searches": len(readings),
        "p50_ms": rounded(percentile(times, 50)),
        "p95_ms": rounded(percentile(times, 95)),
        "max_ms": rounded(max(times, default=float("nan"))),
        "not_200": sum(r.status != 200 for r in readings),
    }


def flood_summary(flood: FloodCounts, seconds: float) -> dict[str, Any]:
    statuses = flood.statuses
    return {
        "answers": flood.answers,
        "answers_per_s": rounded(flood.answers / seconds, 0),
        "by_status": {str(status): count for status, count in sorted(statuses.items())},
        "limited_429": statuses[429],
        "served_200": statuses[200],
        "server_errors_5xx": sum(n for status, n in statuses.items() if status >= 500),
        "refusals_without_retry_after": flood.without_retry_after,
        "no_answer": dict(flood.failures),
    }


def flood_markdown(report: dict[str, Any]) -> str:
    settings, machine = report["settings"], report["machine"]
    lines = [
        "# A reader under a flood",
        "",
        f"`{report['command']}`, {machine['date']}, {machine['cores']} cores, load average "
        f"{machine['load_average_at_start']} at the start; {settings['articles']:,} articles, "
        f"{settings['nodes']} nodes behind nginx, {settings['connections']} flooding "
        f"connections for {settings['seconds']:g} s, the reader at "
        f"{settings['reader_searches_per_s']:g} searches a second; nginx's limits per client "
        f"{'on' if settings['limits_per_client'] else 'off (--without-limits)'}.",
        "",
        "| flood on | reader p50 / p95 / max alone (ms) | under the flood | p95 ratio (target "
        "<= 3) | reader not 200 | flood answers (per s) | 429 | 200 | 5xx | no answer | "
        "flooder served again (s) | reader served again (s) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for area, row in report["areas"].items():
        alone, flooded, flood = row["reader_alone"], row["reader_flooded"], row["flood"]
        lines.append(
            f"| {area} | {_times(alone)} | {_times(flooded)} | {row['p95_ratio']} | "
            f"{alone['not_200'] + flooded['not_200'] + row['reader_after']['not_200']} | "
            f"{flood['answers']:,} ({flood['answers_per_s']:g}) | {flood['limited_429']:,} | "
            f"{flood['served_200']} | {flood['server_errors_5xx']} | "
            f"{sum(flood['no_answer'].values())} | {row['flooder_served_again_s']} | "
            f"{row['reader_served_again_s']} |"
        )
    lines += ["", "| flood on | target | met |", "| --- | --- | --- |"]
    for area, row in report["areas"].items():
        for target, met in row["targets"].items():
            lines.append(f"| {area} | {target.replace('_', ' ')} | {'met' if met else 'missed'} |")
    return "\n".join(lines) + "\n"


def _times(summary: dict[str, Any]) -> str:
    return f"{summary['p50_ms']} / {summary['p95_ms']} / {summary['max_ms']}"


def _log(message: str) -> None:
    print(f"[bench flood {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)
