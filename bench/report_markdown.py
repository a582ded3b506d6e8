"""``report.md``: the benchmark's figures as tables, from the same data as ``report.json``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

PAGE_RUNS = (
    ("naive", "naive Whoosh, no facets"),
    ("naive_facets", "naive Whoosh, section facet (`groupedby`)"),
    ("newsindex", "newsindex (section and date facets, always)"),
)


def markdown(report: dict[str, Any]) -> str:
    """The whole report as Markdown."""
    parts = [
        f"# newsindex benchmark, {report['machine']['date']}\n",
        f"Command (from the project folder):\n\n    {report['command']}\n",
        machine_table(report["machine"]),
        _targets(report["targets"]),
        _main_builds(report["main"], report["settings"]),
        _main_pages(report["main"], report["settings"]),
        engines_table(report["main"]),
        _growth(report["growth"]),
        ratios_by_size(report),
        _http(report["http"], "result cache off: every request a real search"),
        _http(report["http_cached"], "as configured: result cache on, mostly cache hits"),
        "## Notes\n\n" + "".join(f"- {note}\n" for note in report["notes"]),
    ]
    return "\n".join(part for part in parts if part)


def table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def number(value: float | None, shape: str = "{:,.0f}") -> str:
    return "–" if value is None else shape.format(value)


def ms(value: float | None) -> str:
    return number(value, "{:.2f}")


def times(value: float | None) -> str:
    return number(value, "{:.2f}×")


def machine_table(machine: dict[str, Any]) -> str:
    rows = [(name.replace("_", " "), value) for name, value in machine.items()]
    return "## Machine\n\n" + table(("fact", "value"), rows)


def _targets(targets: list[dict[str, str]]) -> str:
    rows = [(t["target"], t["measured"], f"**{t['status']}**") for t in targets]
    return "## Targets (issue 6)\n\n" + table(("target", "measured", "status"), rows)


def _main_builds(main: dict[str, Any], settings: dict[str, Any]) -> str:
    build = main["build"]
    naive, ours = build["naive"], build["newsindex"]
    rows = [
        ("articles/s", number(naive["articles_per_s"]), number(ours["articles_per_s"])),
        ("seconds", ms(naive["seconds"]), ms(ours["seconds"])),
        (
            "seconds of the build watched for its memory",
            ms(naive["watched_seconds"]),
            ms(ours["watched_seconds"]),
        ),
        (
            "peak memory (PSS of the process tree, watched build), MB",
            number(naive["peak_mb"]),
            number(ours["peak_mb"]),
        ),
        (
            "summed RSS of the process tree (upper bound), MB",
            number(naive["peak_rss_sum_mb_max"]),
            number(ours["peak_rss_sum_mb_max"]),
        ),
        ("articles/s of each run", naive["runs_articles_per_s"], ours["runs_articles_per_s"]),
    ]
    heading = (
        f"## Index build: {main['corpus']}, {main['articles']:,} articles "
        f"(median of {settings['repeat']})\n\n"
        f"newsindex/naive articles/s: **{times(build['ratio'])}**\n\n"
    )
    return heading + table(("", "naive Whoosh", "newsindex rebuild_index"), rows)


def _main_pages(main: dict[str, Any], settings: dict[str, Any]) -> str:
    pages = main["results_page"]
    rows = [
        (
            label,
            ms(pages[key]["p50_ms"]),
            ms(pages[key]["p95_ms"]),
            f"{pages[key]['queries_with_results']}/{pages[key]['queries']}",
            pages[key]["timed_out_pages"],
        )
        for key, label in PAGE_RUNS
        if key in pages
    ]
    heading = (
        f"## Results pages: {main['corpus']}, {settings['queries']} queries "
        f"(median of {settings['repeat']} runs)\n\n"
        f"p95 naive/newsindex: **{times(pages['ratio_p95'])}** (naive without facets), "
        f"{times(pages['ratio_p95_vs_naive_facets'])} (naive with its section facet)\n\n"
    )
    header = ("results page, top 10 + snippets", "p50 ms", "p95 ms", "found", "over time limit")
    text = heading + table(header, rows)
    kinds = sorted(pages["newsindex"]["p95_ms_by_kind"])
    kind_rows = [
        (kind, *(ms(pages[key]["p95_ms_by_kind"].get(kind)) for key, _ in PAGE_RUNS))
        for kind in kinds
    ]
    header = ("kind of query", "naive p95 ms", "naive + facet p95 ms", "newsindex p95 ms")
    return text + "\n### p95 by kind of query\n\n" + table(header, kind_rows)


ENGINE_LABELS = {
    "naive": "Whoosh as its docs show",
    "fts5": "SQLite FTS5 (Python's sqlite3)",
    "tantivy": "tantivy (PyPI)",
    "xapian": "Xapian (Debian's python3-xapian)",
}


def engines_table(main: dict[str, Any]) -> str:
    """newsindex's results page beside each engine's, with newsindex's figure ÷ the engine's."""
    engines = main.get("engines")
    if not engines:
        return ""
    intro = (
        f"## newsindex and the engines users would pick instead: {main['corpus']}\n\n"
        "The same corpus, query mix and results page (total, top 10 of the page, a highlighted "
        "snippet each); page ratios below 1× mean newsindex is faster, build ratios above 1× "
        "mean newsindex builds faster. The peers compute no facets (newsindex always does).\n\n"
    )
    return intro + _engine_rows(engines)


def _engine_rows(engines: dict[str, Any]) -> str:
    ours = engines["newsindex"]
    rows = [
        (
            "**newsindex**",
            number(ours["articles_per_s"]),
            ms(ours["p50_ms"]),
            ms(ours["p95_ms"]),
            ms(ours["p99_ms"]),
            "",
            "",
        )
    ]
    for name, row in engines["engines"].items():
        ratio = row["ratio"]
        rows.append(
            (
                ENGINE_LABELS.get(name, name),
                number(row["articles_per_s"]),
                ms(row["p50_ms"]),
                ms(row["p95_ms"]),
                ms(row["p99_ms"]),
                " / ".join(times(ratio[key]) for key in ("p50_ms", "p95_ms", "p99_ms")),
                times(row["build_ratio"]),
            )
        )
    header = (
        "engine",
        "build articles/s",
        "page p50 ms",
        "page p95 ms",
        "page p99 ms",
        "newsindex ÷ engine, p50 / p95 / p99",
        "newsindex build ÷ engine",
    )
    skipped = "".join(
        f"- {ENGINE_LABELS.get(name, name)}: not run, {why}\n"
        for name, why in engines["skipped"].items()
    )
    return table(header, rows) + ("\n" + skipped if skipped else "")


def _growth_engines(row: dict[str, Any]) -> str:
    """The engines table of one larger size: one build of each, the same mix and page."""
    if not row.get("engines"):
        return ""
    intro = (
        f"### newsindex and the engines at {row['articles']:,} articles ({row['corpus']})\n\n"
        "One build of each engine on the same repeated corpus; the same query mix, page and "
        "number of runs as on the main corpus.\n\n"
    )
    return intro + _engine_rows(row["engines"])


def ratios_by_size(report: dict[str, Any]) -> str:
    """newsindex's results-page p50 / p95 ÷ each peer's, one row per corpus size."""
    sections = [report["main"], *report["growth"]]
    peers = [p for p in ENGINE_LABELS if p != "naive" and any(_peer_row(s, p) for s in sections)]
    if not peers:
        return ""
    rows = [
        (f"{s['corpus']}, {s['articles']:,}", *(_p50_p95(s, peer) for peer in peers))
        for s in sections
    ]
    header = ("corpus, articles", *(f"÷ {ENGINE_LABELS[peer]}, p50 / p95" for peer in peers))
    intro = (
        "## newsindex's results page ÷ each peer's, by size\n\n"
        "Below 1× newsindex is faster; each ratio is taken within this run.\n\n"
    )
    return intro + table(header, rows)


def _peer_row(section: dict[str, Any], peer: str) -> dict[str, Any] | None:
    row: dict[str, Any] | None = section.get("engines", {}).get("engines", {}).get(peer)
    return row


def _p50_p95(section: dict[str, Any], peer: str) -> str:
    row = _peer_row(section, peer)
    if not row:
        return "not run"
    return f"{times(row['ratio']['p50_ms'])} / {times(row['ratio']['p95_ms'])}"


def _growth(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "## Growth\n\nNot run (`--scale`, `--sizes`).\n"
    body = []
    for row in rows:
        build, pages = row["build"], row["results_page"]
        naive_build, naive_pages = build.get("naive"), pages.get("naive")
        body.append(
            (
                f"{row['articles']:,}",
                number(build["newsindex"]["articles_per_s"]),
                number(naive_build["articles_per_s"]) if naive_build else "not built",
                times(build["ratio"]),
                number(build["newsindex"]["peak_mb"]),
                ms(pages["newsindex"]["p50_ms"]),
                ms(pages["newsindex"]["p95_ms"]),
                ms(naive_pages["p95_ms"]) if naive_pages else "–",
            )
        )
    header = (
        "articles",
        "newsindex articles/s",
        "naive articles/s",
        "build ratio",
        "newsindex peak MB",
        "newsindex p50 ms",
        "newsindex p95 ms",
        "naive p95 ms",
    )
    intro = "## Growth (one build per size; pages: median of the runs)\n\n"
    return intro + table(header, body) + "".join("\n" + _growth_engines(row) for row in rows)


def _http(http: dict[str, Any] | None, what: str) -> str:
    if not http:
        return f"## HTTP API, {what}\n\nNot run (`--no-http`; `--quick` runs only the first).\n"
    rows = [
        (
            level["concurrency"],
            number(level["requests_per_s"]),
            ms(level["p50_ms"]),
            ms(level["p95_ms"]),
            ms(level["p99_ms"]),
            level["errors"],
            level["timed_out"],
            level["server_errors"],
            level["socket_errors"],
            level["runs_requests_per_s"],
        )
        for level in http["levels"]
    ]
    intro = (
        f"## HTTP API, {what}\n\n"
        f"`/api/search` under gunicorn, {http['index_articles']:,} articles: "
        f"{http['workers']} sync workers (the default of gunicorn.conf.py), load by "
        f"{http['generator']}, {http['seconds_per_run']:g} s per run, median of {http['runs']} "
        f"runs, access log {'on (to a file)' if http['access_log'] else 'off'}; "
        f"warm-up: {http['warm_up']['rounds']} rounds of load until the throughput settled; "
        f"workers recycled by gunicorn (max_requests) during the load: "
        f"{http['worker_restarts']}; settings: {http['settings'] or 'all defaults'}.\n\n"
    )
    header = ("concurrency", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors")
    header += ("of which over time limit", "of which 5xx", "of which no answer", "runs req/s")
    return intro + table(header, rows)
