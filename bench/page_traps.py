"""The trap fixtures: small pages and feeds, each holding one way publishers trip a reader up.

``tests/fixtures/traps.json`` lists them with what a person reads off each: the headline,
the date (as newsindex stores it: naive UTC, or null where the page gives no usable date), how
the body starts, what must not be in it, the teaser where the page has a standfirst, and the
warning a reader must give. Each fixture is read through the reading API ``indexer rebuild``
uses, and, side by side, by the libraries alone: trafilatura's ``bare_extraction`` for pages,
feedparser for feeds.
"""

from __future__ import annotations

import io
import json
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.report import PROJECT_ROOT

TRAPS_FOLDER = PROJECT_ROOT / "tests" / "fixtures" / "traps"
FACTS = ("title", "date", "body")


@dataclass
class ReadFacts:
    """What one reader made of a fixture."""

    title: str = ""
    published: str | None = None  # ISO 8601, naive UTC, as stored
    body: str = ""
    teaser: str = ""
    warnings: list[str] = field(default_factory=list)


def load_traps(folder: Path = TRAPS_FOLDER) -> list[dict[str, Any]]:
    """The fixtures of ``folder`` as its list beside it (``traps.json`` for ``traps/``)."""
    return json.loads(folder.with_suffix(".json").read_text("utf-8"))


def evaluate_traps(folder: Path = TRAPS_FOLDER) -> dict[str, Any]:
    """Every fixture read by newsindex and by the libraries alone, fact by fact."""
    rows = []
    for trap in load_traps(folder):
        path = folder / trap["file"]
        ours = check(trap, read_with_newsindex(path, trap.get("item", 1)))
        libraries = check(trap, read_with_libraries(path, trap.get("item", 1)))
        rows.append({"file": trap["file"], "trap": trap["trap"], "newsindex": ours,
                     "libraries": libraries})  # fmt: skip
    return {"fixtures": rows, "newsindex": _shares(rows, "newsindex"),
            "libraries": _shares(rows, "libraries")}  # fmt: skip


def check(trap: dict[str, Any], read: ReadFacts) -> dict[str, Any]:
    """Whether ``read`` has the fixture's title, date and body (its start, its teaser, nothing
    that is not the story, and the warning the fixture calls for)."""
    body_right = read.body.startswith(trap["body_start"]) and not any(
        text in read.body for text in trap.get("not_in_body", [])
    )
    if "teaser_start" in trap:
        body_right = body_right and read.teaser.startswith(trap["teaser_start"])
    date_right = read.published == trap["published"]
    if "warning" in trap:
        date_right = date_right and any(trap["warning"] in w for w in read.warnings)
    facts = {"title": read.title == trap["title"], "date": date_right, "body": body_right}
    return {**facts, "all": all(facts.values()), "read": _shown(read)}


def read_with_newsindex(path: Path, item: int) -> ReadFacts:
    """The fixture through ``indexer.ingest.sources.read_articles``, as a rebuild reads it."""
    from indexer.ingest.fetch import SourceStates
    from indexer.ingest.sources import ReadReport, find_sources, read_articles

    report = ReadReport()
    with tempfile.TemporaryDirectory() as folder:
        states = SourceStates(Path(folder))
        articles = list(read_articles(find_sources([str(path)]), report, states))
    if len(articles) < item:
        return ReadFacts(warnings=report.warnings)
    article = articles[item - 1]
    published = article.published.isoformat() if article.published else None
    return ReadFacts(article.title, published, article.body, article.teaser, report.warnings)


def read_with_libraries(path: Path, item: int) -> ReadFacts:
    """What trafilatura (pages) or feedparser (feeds) give on their own."""
    data = path.read_bytes()
    if path.suffix in (".rss", ".atom", ".xml"):
        return _feedparser_facts(data, item)
    import trafilatura

    document = trafilatura.bare_extraction(data, with_metadata=True, include_comments=False)
    if document is None:
        return ReadFacts()
    published = f"{document.date}T00:00:00" if document.date else None
    title, teaser = document.title or "", document.description or ""
    return ReadFacts(title, published, document.text or "", teaser)


def _feedparser_facts(data: bytes, item: int) -> ReadFacts:
    import feedparser
    import lxml.html

    entries = feedparser.parse(io.BytesIO(data)).entries
    if len(entries) < item:
        return ReadFacts()
    entry = entries[item - 1]
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    published = datetime(*parsed[:6]).isoformat() if parsed else None
    content = (entry.get("content") or [{}])[0].get("value") or entry.get("summary", "")
    body = lxml.html.fromstring(content).text_content() if content.strip() else ""
    return ReadFacts(entry.get("title", ""), published, body.strip(), entry.get("summary", ""))


def _shares(rows: list[dict[str, Any]], reader: str) -> dict[str, Any]:
    shares = {fact: _share(row[reader][fact] for row in rows) for fact in (*FACTS, "all")}
    return {**shares, "fixtures": len(rows), "all_right": sum(row[reader]["all"] for row in rows)}


def _share(values: Any) -> float:
    flags = list(values)
    return sum(flags) / len(flags) if flags else 0.0


def _shown(read: ReadFacts) -> dict[str, Any]:
    """The facts as read, shortened for the report."""
    return {
        "title": read.title,
        "published": read.published,
        "body_start": read.body[:80],
        "teaser_start": read.teaser[:60],
        "warnings": [warning[-160:] for warning in read.warnings],
    }
