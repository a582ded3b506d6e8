"""What is in the index, whether it is sound, and switching back to the previous generation."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TypedDict

from whoosh import index as whoosh_index

from indexer.config import Settings
from indexer.errors import IndexCheckError, SchemaMismatchError
from indexer.index.schema import require_schema_version
from indexer.index.sentences import SentenceModels
from indexer.index.store import Generation, IndexStore, Manifest
from indexer.index.story_table import StoryTable
from indexer.index.suggestion_table import SuggestionTable
from indexer.index.whoosh_types import IndexReader
from indexer.ingest.fetch import SourceState, SourceStates


@dataclass
class IndexStats:
    """``indexer stats``: what the current generation holds."""

    articles: int
    stories: int  # copies of one story (``stories``) count once
    stories_of_several: int  # stories with more than one article
    largest_story: int  # articles in the largest story
    sections: dict[str, int]
    undated: int
    first_published: str | None
    last_published: str | None
    size_bytes: int
    generation: str
    built_at: str
    previous_generation: str | None
    index_dir: str

    def as_json(self) -> dict[str, object]:
        return asdict(self)


@dataclass
class CheckReport:
    """``indexer check``: the current generation opens and agrees with its recorded counts."""

    generation: str
    articles: int
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_json(self) -> dict[str, object]:
        return {**asdict(self), "ok": self.ok}


def index_stats(settings: Settings) -> IndexStats:
    store = IndexStore(settings.index_dir)
    current = store.current()
    previous = store.previous()
    manifest = current.manifest
    return IndexStats(
        articles=manifest["articles"],
        stories=manifest["stories"],
        stories_of_several=manifest["stories_of_several"],
        largest_story=manifest["largest_story"],
        sections=manifest["sections"],
        undated=manifest["undated"],
        first_published=manifest["first_published"],
        last_published=manifest["last_published"],
        size_bytes=_size_on_disk(current.path),
        generation=current.name,
        built_at=manifest["built_at"],
        previous_generation=previous.name if previous else None,
        index_dir=str(settings.index_dir),
    )


def check_index(settings: Settings) -> CheckReport:
    current = IndexStore(settings.index_dir).current()
    report = CheckReport(generation=current.name, articles=current.manifest.get("articles", 0))
    try:
        require_schema_version(current)
    except SchemaMismatchError as exc:
        report.problems.append(str(exc))
        return report
    try:
        facts = index_facts(current.path)
    except Exception as exc:  # a damaged index can fail inside Whoosh in many ways
        report.problems.append(f"the index does not open: {exc}")
        return report
    report.problems.extend(manifest_disagreements(facts, current.manifest))
    report.problems.extend(_story_table_problems(current.path, facts["articles"]))
    report.problems.extend(_archive_text_problems(current.path))
    return report


def _archive_text_problems(path: Path) -> list[str]:
    """The generation's suggestions and sentence models (``archive_text``) are there and
    readable."""
    problems = []
    for load in (SuggestionTable.load, SentenceModels.load):
        try:
            load(path)
        except IndexCheckError as exc:
            problems.append(str(exc))
    return problems


def _story_table_problems(path: Path, articles: int) -> list[str]:
    """The generation's table of stories (``stories``) is there, readable, and of every
    article."""
    try:
        table = StoryTable.load(path)
    except IndexCheckError as exc:
        return [str(exc)]
    if len(table.ids) != articles:
        return [f"the table of stories holds {len(table.ids)} articles, the index {articles}"]
    return []


class IndexFacts(TypedDict):
    """What a manifest records of an index, counted from the index itself (``index_facts``)."""

    articles: int
    sections: dict[str, int]
    undated: int
    first_published: str | None
    last_published: str | None
    stories: int
    stories_of_several: int
    largest_story: int


def manifest_disagreements(facts: IndexFacts, manifest: Manifest) -> list[str]:
    """Where the facts counted from an index (``index_facts``) differ from its manifest."""
    problems = []
    if facts["articles"] != manifest.get("articles"):
        problems.append(
            f"index holds {facts['articles']} articles, manifest says {manifest.get('articles')}"
        )
    for name in ("sections", "undated", "first_published", "last_published", "stories"):
        if facts[name] != manifest.get(name):
            problems.append(f"{name} in the index differ from the manifest")
    return problems


def source_report(settings: Settings) -> list[dict[str, str]]:
    """The configured sources with what their last read gave (``indexer sources``)."""
    states = SourceStates(settings.index_dir / "sources")
    rows = []
    for source in settings.sources:
        state = states.states.get(source.location) or SourceState()
        row = {"name": source.name, "location": source.location, "type": source.type}
        rows.append({**row, "checked_at": state.checked_at, "result": state.result})
    return rows


def rollback_index(settings: Settings) -> Generation:
    store = IndexStore(settings.index_dir)
    with store.write_lock():
        return store.rollback()


def index_facts(path: Path) -> IndexFacts:
    """What a manifest records, counted from the index itself: articles, sections, date range,
    stories."""
    index = whoosh_index.open_dir(str(path))
    sections: Counter[str] = Counter()
    stories: Counter[str] = Counter()
    first: datetime | None = None
    last: datetime | None = None
    undated = 0
    with index.searcher() as searcher:
        # Segment by segment: Whoosh's multi-segment column reader fails on random access.
        for segment, _offset in searcher.reader().leaf_readers():
            live = list(segment.all_doc_ids())  # not the deleted ones
            sections.update(_column_values(segment, "section", live))
            stories.update(_column_values(segment, "story", live))
            is_undated = _column_values(segment, "undated", live)
            undated += sum(1 for flag in is_undated if flag)
            dated = [d for d, flag in zip(live, is_undated, strict=True) if not flag]
            first, last = _date_range(segment, dated, first, last)
        articles = searcher.doc_count()
    sections.pop("", None)
    return {
        "articles": articles,
        "sections": dict(sections.most_common()),
        "undated": undated,
        "first_published": first.isoformat() if first else None,
        "last_published": last.isoformat() if last else None,
        "stories": len(stories),
        "stories_of_several": sum(1 for count in stories.values() if count > 1),
        "largest_story": max(stories.values(), default=0),
    }


def _column_values(
    segment: IndexReader, name: str, docnums: list[int], translate: bool = True
) -> list[Any]:
    """The values of column ``name`` of ``docnums`` (as stored unless ``translate``), read in
    one pass (reading a column one document at a time is a Python call each)."""
    values = list(segment.column_reader(name, translate=translate))
    return [values[docnum] for docnum in docnums]


def _date_range(
    segment: IndexReader, dated: list[int], first: datetime | None, last: datetime | None
) -> tuple[datetime | None, datetime | None]:
    """The earliest and latest dates of ``first``, ``last`` and the documents ``dated``
    (compared as stored, and only those two made dates)."""
    if not dated:
        return first, last
    stored = _column_values(segment, "published", dated, translate=False)
    dates = segment.column_reader("published")
    earliest = dates[dated[min(range(len(dated)), key=stored.__getitem__)]]
    latest = dates[dated[max(range(len(dated)), key=stored.__getitem__)]]
    return (
        earliest if first is None else min(first, earliest),
        latest if last is None else max(last, latest),
    )


def _size_on_disk(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
