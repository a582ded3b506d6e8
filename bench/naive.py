"""The naive baseline: Whoosh used the way its documentation shows a newcomer.

One schema with ``StemmingAnalyzer`` on title and body, one ``ix.writer()`` with its defaults,
``add_document`` per article and one commit; searches through ``MultifieldParser`` and
``search_page``, a snippet from ``hit.highlights("body")`` per hit, filters as ``Term`` and
``DateRange`` queries, and facets with ``groupedby=["section"]``. Nothing here is tuned: it is the
yardstick the issue's ratios are measured against. The one kindness is that the searcher is opened
once and reused, as a newcomer's long-running web app would (reopening per query is slower).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from datetime import time as day_time
from pathlib import Path
from typing import Any

from whoosh import index
from whoosh.analysis import StemmingAnalyzer
from whoosh.fields import DATETIME, ID, TEXT, Schema
from whoosh.qparser import MultifieldParser
from whoosh.query import And, DateRange, Term

from bench.corpora import read_records
from bench.queries import BenchQuery


def naive_schema() -> Schema:
    return Schema(
        id=ID(stored=True, unique=True),
        title=TEXT(analyzer=StemmingAnalyzer(), stored=True),
        body=TEXT(analyzer=StemmingAnalyzer(), stored=True),
        section=ID(stored=True),
        published=DATETIME(stored=True),
    )


def parse_published(text: Any) -> datetime | None:
    """What a newcomer writes after Whoosh refused an aware datetime: ISO dates, made naive UTC."""
    if not isinstance(text, str) or not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


def build_naive_index(corpus: Path, index_dir: Path) -> int:
    """Index every article of ``corpus`` in a new index in ``index_dir``; the article count."""
    index_dir.mkdir(parents=True, exist_ok=True)
    ix = index.create_in(str(index_dir), naive_schema())
    writer = ix.writer()
    count = 0
    for fields in article_fields(corpus):
        writer.add_document(**fields)
        count += 1
    writer.commit()
    return count


def article_fields(corpus: Path) -> Iterator[dict[str, Any]]:
    """What every engine of the benchmark indexes of each titled article: id, title, body, and
    section and published (a naive UTC datetime) where the article has them."""
    for number, record in enumerate(read_records([corpus])):
        if not record.get("title"):
            continue
        fields = {
            "id": str(record.get("id") or number),
            "title": record["title"],
            "body": record.get("body") or "",
        }
        if record.get("section"):
            fields["section"] = record["section"]
        published = parse_published(record.get("published"))
        if published is not None:
            fields["published"] = published
        yield fields


class NaiveSearch:
    """Results pages from a naive index: the top hits of one page with a highlighted snippet."""

    def __init__(self, index_dir: Path) -> None:
        self.index = index.open_dir(str(index_dir))
        self.searcher = self.index.searcher()
        self.parser = MultifieldParser(["title", "body"], self.index.schema)

    def results_page(self, bench_query: BenchQuery, facets: bool) -> dict[str, Any]:
        """One results page as plain data, as a web page would show it."""
        parsed = self.parser.parse(bench_query.q)
        options: dict[str, Any] = {"filter": _filter(bench_query)}
        if facets:
            options["groupedby"] = ["section"]
        page = self.searcher.search_page(parsed, bench_query.page, pagelen=10, **options)
        hits = [
            {
                "id": hit["id"],
                "title": hit["title"],
                "section": hit.get("section"),
                "published": hit.get("published"),
                "snippet": hit.highlights("body"),
            }
            for hit in page
        ]
        sections = page.results.groups("section") if facets else {}
        return {"total": page.total, "hits": hits, "sections": sections}

    def close(self) -> None:
        self.searcher.close()


def _filter(bench_query: BenchQuery) -> Any:
    parts = []
    if bench_query.section:
        parts.append(Term("section", bench_query.section))
    if bench_query.date_from or bench_query.date_to:
        start = datetime.combine(bench_query.date_from, day_time.min)
        end = datetime.combine(bench_query.date_to, day_time.max)
        parts.append(DateRange("published", start, end))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else And(parts)
