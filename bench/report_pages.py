"""``report.md`` of ``python -m bench pages``, from the same data as its ``report.json``."""

from __future__ import annotations

from typing import Any

from bench.report_markdown import table

READER_LABELS = {
    "newsindex": "newsindex (`read_html_page`)",
    "trafilatura": "trafilatura.extract(html, include_comments=False)",
}


def markdown(report: dict[str, Any]) -> str:
    machine = report["machine"]
    parts = [
        f"# newsindex page reading, {machine['date']}\n",
        f"Command (from the project folder):\n\n    {report['command']}\n",
        f"Commit {machine['git_commit']}, source {machine['source_fingerprint']}, "
        f"{machine['cores']} cores ({machine['cpu_model']}), Python {machine['python']}; "
        + ", ".join(f"{name} {version}" for name, version in report["libraries"].items())
        + ".\n",
        _targets(report["targets"]),
        _benchmark(report["benchmark"]),
        _traps(report["traps"]),
    ]
    if report.get("note"):
        parts.append(f"Note: {report['note']}\n")
    return "\n".join(parts)


def _targets(targets: list[dict[str, str]]) -> str:
    rows = [(t["target"], t["measured"], f"**{t['status']}**") for t in targets]
    return "## Targets (issue 15)\n\n" + table(("target", "measured", "status"), rows)


def _benchmark(benchmark: dict[str, Any]) -> str:
    rows = []
    for reader, label in READER_LABELS.items():
        scores = benchmark["scores"][reader]
        seconds = benchmark["seconds"][reader]
        per_page = seconds / benchmark["pages"] * 1000 if benchmark["pages"] else 0
        rows.append(
            (label, *(f"{scores[key]:.3f}" for key in ("f1", "precision", "recall")),
             f"{per_page:.0f}")
        )  # fmt: skip
    intro = (
        f"## Bodies: {benchmark['pages']} pages of `{benchmark['folder']}`\n\n"
        "4-token shingles, per-page TP/FP/FN normalised, precision and recall as means over "
        "pages, F1 of the means (the benchmark's README). newsindex's body leaves out the "
        "standfirst, which it keeps as the teaser.\n\n"
    )
    header = ("reader", "F1", "precision", "recall", "ms a page")
    return intro + table(header, rows)


def _traps(traps: dict[str, Any]) -> str:
    def cell(result: dict[str, Any]) -> str:
        return " ".join(
            f"{fact} {'✓' if result[fact] else '✗'}" for fact in ("title", "date", "body")
        )

    rows = [(row["file"], row["trap"].replace("|", "\\|"), cell(row["newsindex"]),
             cell(row["libraries"])) for row in traps["fixtures"]]  # fmt: skip
    totals = []
    for reader in ("newsindex", "libraries"):
        shares = traps[reader]
        totals.append(
            (reader, f"{shares['all_right']}/{shares['fixtures']}",
             *(f"{shares[fact]:.0%}" for fact in ("title", "date", "body")))
        )  # fmt: skip
    intro = (
        "## Trap fixtures (`tests/fixtures/traps/`)\n\n"
        "Read through the reading API of `indexer rebuild` (newsindex) and by the libraries "
        "alone (trafilatura's `bare_extraction` for pages, feedparser for feeds; trafilatura's "
        "dates are days, so a stated time counts against it). The body is right when it starts "
        "where the story starts, holds nothing listed as not the story, and the teaser is the "
        "standfirst where the page has one; the date is right when it is stored as the page "
        "states it (or, where it must not be stored, with the warning).\n\n"
    )
    header = ("reader", "all right", "title", "date", "body")
    return (
        intro
        + table(header, totals)
        + "\n"
        + table(("fixture", "trap", "newsindex", "libraries alone"), rows)
    )
