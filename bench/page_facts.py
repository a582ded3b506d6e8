"""``python -m bench page-facts``: how many of the facts of real article pages newsindex gets right.

Every page of ``../shared/pages-facts`` (45 real pages with headline, date, section, author,
language and the first words of teaser and body checked by hand) goes through the reader
``indexer rebuild`` runs on a saved page (``sources.read_articles``: the page reader, then the
record's own rules, so the date is UTC as the index stores it), and is scored per field the way
that folder's README says (``bench.fact_scores``); every miss is listed. Beside it, the body F1
of the same reader on ``../shared/pages-benchmark`` (``bench.page_reading``), so that a fix for
the facts is seen not to cost the bodies.

It writes ``report.md`` and ``report.json`` to ``--out/page-facts-<time>/`` and prints the totals.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.fact_scores import FIELDS, FactScore, score_page
from bench.page_reading import DEFAULT_PAGES, measure_benchmark
from bench.report import PROJECT_ROOT, command_line, machine_facts, plain
from bench.report_markdown import table

DEFAULT_FACTS = PROJECT_ROOT.parent / "shared" / "pages-facts"
TARGET_SHARE, TARGET_FIELD_SHARE, TARGET_F1 = 0.95, 0.90, 0.975
EARLIEST_PLAUSIBLE_YEAR = 1900


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench page-facts",
        description="Headline, date, section, author, language, teaser and body start of real "
        "pages against facts checked by hand; with the body F1 of the pages benchmark.",
    )
    add = parser.add_argument
    add("--facts", type=Path, default=DEFAULT_FACTS, help="facts folder (facts.json, html/)")
    add("--pages", type=Path, default=DEFAULT_PAGES, help="body benchmark (ground-truth.json)")
    add("--no-bodies", action="store_true", help="skip the body F1 (a quicker run)")
    add("--processes", type=int, default=min(2, os.cpu_count() or 1), help="pages read at once")
    add("--out", type=Path, default=PROJECT_ROOT / "bench" / "results", help="report folder")
    args = parser.parse_args(argv)
    if not (args.facts / "facts.json").is_file():
        raise SystemExit(f"bench page-facts: no facts.json in {args.facts}")
    return args


def main(argv: list[str] | None = None) -> int:
    arguments = sys.argv[2:] if argv is None else argv
    args = parse_arguments(arguments)
    report: dict[str, Any] = {
        "command": command_line(["page-facts", *arguments]),
        "machine": machine_facts(),
        "facts": measure_facts(args.facts, args.processes),
    }
    if not args.no_bodies and (args.pages / "ground-truth.json").is_file():
        bodies = measure_benchmark(args.pages, None, args.processes, readers=("newsindex",))
        report["body_f1"] = bodies["scores"]["newsindex"]
    folder = args.out / time.strftime("page-facts-%Y%m%d-%H%M%S")
    folder.mkdir(parents=True, exist_ok=True)
    data = plain(report)
    (folder / "report.json").write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    (folder / "report.md").write_text(markdown(data))
    print(summary_line(data))
    print(folder / "report.md")
    return 0


def measure_facts(folder: Path, processes: int) -> dict[str, Any]:
    """Every page read and scored: totals per field and the misses."""
    facts = json.loads((folder / "facts.json").read_text("utf-8"))
    keys = sorted(facts)
    paths = [folder / "html" / f"{key}.html.gz" for key in keys]
    with ProcessPoolExecutor(max_workers=max(1, processes)) as pool:
        found = list(pool.map(read_page_fields, paths, chunksize=2))
    fields = {name: {"right": 0, "scored": 0} for name in FIELDS}
    misses = []
    for key, page in zip(keys, found, strict=True):
        for fact in score_page(facts[key], page):
            fields[fact.field]["scored"] += 1
            fields[fact.field]["right"] += fact.right
            if not fact.right:
                misses.append(_miss(key, fact))
    right = sum(field["right"] for field in fields.values())
    scored = sum(field["scored"] for field in fields.values())
    by_page = dict(zip(keys, found, strict=True))
    return {"folder": str(folder), "pages": len(keys), "right": right, "scored": scored,
            "fields": fields, "misses": misses,
            "unread_pages": [key for key, page in by_page.items() if not page],
            "implausible_dates": implausible_dates(by_page)}  # fmt: skip


def implausible_dates(found: dict[str, dict[str, Any]]) -> list[str]:
    """Pages dated in the future or before 1900 (the issue's bar: none unless the page says so)."""
    now = datetime.now(UTC)
    dated = {key: page["published"] for key, page in found.items() if page.get("published")}
    return sorted(
        key for key, value in dated.items()
        if not EARLIEST_PLAUSIBLE_YEAR <= datetime.fromisoformat(value).year
        or datetime.fromisoformat(value) > now
    )  # fmt: skip


def read_page_fields(path: Path) -> dict[str, Any]:
    """What ``indexer rebuild`` would store of the page at ``path`` (its first article), as
    plain fields, its language as the index writes it (declared, or identified where the text
    is not in the declared one); {} when no article comes out of it."""
    from indexer.analysis.language_id import article_language
    from indexer.ingest.fetch import SourceStates
    from indexer.ingest.sources import ReadReport, find_sources, read_articles

    states = SourceStates(Path(os.devnull))
    article = next(read_articles(find_sources([str(path)]), ReadReport(), states), None)
    if article is None:
        return {}
    published = article.published.isoformat() + "+00:00" if article.published else ""
    return {"title": article.title, "published": published, "section": article.section,
            "authors": list(article.authors), "body": article.body, "teaser": article.teaser,
            "language": article_language(article)}  # fmt: skip


def summary_line(report: dict[str, Any]) -> str:
    facts = report["facts"]
    parts = [f"facts {facts['right']}/{facts['scored']} ({_share(facts)})"]
    parts += [f"{name} {f['right']}/{f['scored']}" for name, f in facts["fields"].items()]
    if "body_f1" in report:
        parts.append(f"body F1 {report['body_f1']['f1']:.3f}")
    return ", ".join(parts)


def markdown(report: dict[str, Any]) -> str:
    facts, machine = report["facts"], report["machine"]
    rows = [(name, f"{f['right']}/{f['scored']}", _share(f)) for name, f in facts["fields"].items()]
    rows.append(("**all**", f"{facts['right']}/{facts['scored']}", _share(facts)))
    parts = [
        f"# newsindex page facts, {machine['date']}\n",
        f"Command (from the project folder):\n\n    {report['command']}\n",
        f"Commit {machine['git_commit']}, source {machine['source_fingerprint']}.\n",
        "## Targets (issue 24)\n",
        table(("target", "measured", "status"), targets(report)),
        f"## Facts: {facts['pages']} pages of `{facts['folder']}`\n",
        table(("field", "right", "share"), rows),
    ]
    if "body_f1" in report:
        scores = report["body_f1"]
        parts.append(
            f"Body F1 on the pages benchmark: {scores['f1']:.3f} "
            f"(precision {scores['precision']:.3f}, recall {scores['recall']:.3f}).\n"
        )
    parts.append(
        f"Pages with no article: {len(facts['unread_pages'])}; dated in the future or before "
        f"{EARLIEST_PLAUSIBLE_YEAR}: {len(facts['implausible_dates'])} "
        f"({', '.join(facts['implausible_dates']) or 'none'}).\n"
    )
    misses = [(m["page"], m["field"], _cell(m["expected"]), _cell(m["found"]))
              for m in facts["misses"]]  # fmt: skip
    parts += ["## Misses\n", table(("page", "field", "fact", "newsindex"), misses)]
    return "\n".join(parts)


def targets(report: dict[str, Any]) -> list[tuple[str, str, str]]:
    """The issue's targets against this run: (target, measured, PASS or MISS)."""
    facts = report["facts"]
    weakest = min(facts["fields"].items(), key=lambda item: _ratio(item[1]))
    rows = [
        (f"facts right ≥ {TARGET_SHARE:.0%}", _share(facts), _ratio(facts) >= TARGET_SHARE),
        (f"no field under {TARGET_FIELD_SHARE:.0%}", f"{weakest[0]} {_share(weakest[1])}",
         _ratio(weakest[1]) >= TARGET_FIELD_SHARE),
        (f"no date in the future or before {EARLIEST_PLAUSIBLE_YEAR}",
         str(len(facts["implausible_dates"])), not facts["implausible_dates"]),
    ]  # fmt: skip
    if "body_f1" in report:
        f1 = report["body_f1"]["f1"]
        rows.append((f"body F1 ≥ {TARGET_F1}", f"{f1:.3f}", f1 >= TARGET_F1))
    return [(name, measured, "**PASS**" if ok else "**MISS**") for name, measured, ok in rows]


def _ratio(counts: dict[str, int]) -> float:
    return counts["right"] / counts["scored"] if counts["scored"] else 1.0


def _miss(key: str, fact: FactScore) -> dict[str, str]:
    return {"page": key, "field": fact.field, "expected": fact.expected, "found": fact.found}


def _share(counts: dict[str, int]) -> str:
    return f"{counts['right'] / counts['scored']:.1%}" if counts["scored"] else "-"


def _cell(text: str) -> str:
    return text.replace("|", "\\|") or "(none)"
