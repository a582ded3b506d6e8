"""Building an index generation: read the sources, write a new index, check it, switch to it.

``rebuild_index`` is what ``indexer rebuild`` runs. The index in use is never touched: the new
one is built beside it and becomes current only after it passed its checks, by one atomic rename
of the pointer. A failure or a kill at any moment leaves the previous index serving.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.query import And, Term

from indexer.analysis.language_id import load_identifier_in_background
from indexer.analysis.tokenizer import LanguageText
from indexer.config import Settings
from indexer.errors import DiskError, IndexCheckError, SourceError, StrictModeError
from indexer.index.bulk_writer import Progress, write_index
from indexer.index.schema import SCHEMA_VERSION
from indexer.index.status import index_facts
from indexer.index.store import IndexStore, Manifest, translate_os_errors
from indexer.index.whoosh_types import Schema, Searcher
from indexer.ingest.articles import ArticleRecord
from indexer.ingest.fetch import SourceStates
from indexer.ingest.sources import ReadReport, Source, find_sources, read_articles

LOW_SPACE_BYTES = 64 * 2**20  # below this much free space a failed write is a full disk


@dataclass
class RebuildSummary:
    """What a rebuild did: the counts cron mails and scripts read (``--json``)."""

    indexed: int
    skipped: int
    duplicates: int
    warnings: int
    seconds: float
    generation: str
    files: int
    warning_messages: list[str] = field(default_factory=list, repr=False)

    def as_json(self) -> dict[str, object]:
        data = asdict(self)
        data["warning_messages"] = self.warning_messages[:100]
        return data


def rebuild_index(
    settings: Settings,
    locations: Sequence[str] = (),
    strict: bool = False,
    progress: Progress | None = None,
) -> RebuildSummary:
    """Build a new generation from ``locations`` (or the configured sources) and switch to it."""
    started = time.perf_counter()
    locations = list(locations) or [source.location for source in settings.sources]
    if not locations:
        raise SourceError("no sources given, and none are configured ([[sources]] in the config)")
    store = IndexStore(settings.index_dir)
    with store.write_lock():
        store.prune()
        report = ReadReport()
        articles, duplicates = read_sources(
            store,
            find_sources(locations, declared_types(settings)),
            report,
            progress,
            identifier_early=True,
        )
        refuse_unusable(articles, report, strict)
        generation = _build_and_publish(store, articles, settings, locations, progress)
    return RebuildSummary(
        indexed=len(articles),
        skipped=report.skipped,
        duplicates=duplicates,
        warnings=len(report.warnings),
        seconds=round(time.perf_counter() - started, 3),
        generation=generation,
        files=report.files,
        warning_messages=report.warnings,
    )


def declared_types(settings: Settings) -> dict[str, str]:
    """The source types the configuration declares, by location."""
    return {source.location: source.type for source in settings.sources if source.type}


def read_sources(
    store: IndexStore,
    sources: list[Source],
    report: ReadReport,
    progress: Progress | None = None,
    skip_unchanged: bool = False,
    identifier_early: bool = False,
) -> tuple[list[ArticleRecord], int]:
    """The articles of ``sources`` with duplicate ids resolved (the last one wins), and how many
    duplicates there were. What each source gave is remembered for ``indexer sources``.

    ``identifier_early``: the first article without a language starts loading the language
    identifier's model beside the reading (a rebuild identifies every such article; an update
    identifies a few, most of them without the model)."""
    states = SourceStates(store.root / "sources")
    by_id: dict[str, ArticleRecord] = {}
    duplicates = 0
    try:
        articles = read_articles(sources, report, states, skip_unchanged)
        for count, article in enumerate(articles, start=1):
            if identifier_early and not article.language:
                load_identifier_in_background()
            if article.id in by_id:
                duplicates += 1
                del by_id[article.id]  # re-inserted: the last one wins and sits where it was read
            by_id[article.id] = article
            if progress and count % 1000 == 0:
                progress("reading", count, None)
    finally:
        with translate_os_errors(store.root, "remember the state of the sources"):
            states.save()
    return newest_first(by_id.values()), duplicates


def newest_first(articles: Iterable[ArticleRecord]) -> list[ArticleRecord]:
    """Articles by date, newest first, undated last: the index order, so that among equally good
    matches the newer story ranks first at no cost per query."""
    return sorted(articles, key=lambda a: a.published or datetime.min, reverse=True)


def refuse_unusable(articles: list[ArticleRecord], report: ReadReport, strict: bool) -> None:
    if strict and report.warnings:
        raise StrictModeError(
            f"{len(report.warnings)} warning(s) in the sources and --strict was given; "
            "the index in use was not changed"
        )
    if not articles:
        raise SourceError("the sources hold no usable article; the index in use was not changed")


def _build_and_publish(
    store: IndexStore,
    articles: list[ArticleRecord],
    settings: Settings,
    locations: list[str],
    progress: Progress | None,
) -> str:
    started = time.perf_counter()
    build_dir = store.new_build_dir()
    try:
        with translate_os_errors(store.root, "write the new index"):
            learned = write_index(
                build_dir, articles, settings.language, progress, settings.build_processes
            )
            learned.save(build_dir)
        if progress:
            progress("checking", 0, None)
        try:
            verify_index(build_dir, len(articles), articles)
        except IndexCheckError:
            _refuse_if_disk_full(store.root)  # a parallel writer that ran out of space
            raise
        manifest = generation_manifest(
            build_dir, settings, locations, time.perf_counter() - started
        )
        return store.publish(build_dir, manifest).name
    except BaseException:
        shutil.rmtree(build_dir, ignore_errors=True)
        raise


def _refuse_if_disk_full(root: Path) -> None:
    """Report a missing part of the new index as what it almost surely is on a full disk."""
    usage = shutil.disk_usage(root)
    if usage.free < max(LOW_SPACE_BYTES, usage.total // 100):
        raise DiskError(
            f"cannot write the new index in {root}: no space left on the device; "
            "the index in use was not changed"
        )


def verify_index(path: Path, expected_count: int, articles: Sequence[ArticleRecord]) -> None:
    """Refuse an index that does not open, has the wrong count, or cannot find ``articles`` (a
    few of them are probed) by their own titles."""
    try:
        index = whoosh_index.open_dir(str(path))
    except Exception as exc:  # Whoosh raises a variety of errors for a damaged index
        raise IndexCheckError(f"the new index does not open ({exc}); it was not used") from exc
    with index.searcher() as searcher:
        if searcher.doc_count() != expected_count:
            raise IndexCheckError(
                f"the new index holds {searcher.doc_count()} articles, but {expected_count} "
                "were expected; it was not used"
            )
        for article in _probe_articles(articles):
            if not _finds_itself(searcher, index.schema, article):
                raise IndexCheckError(
                    f"the new index does not find article {article.id!r} by its own title; "
                    "it was not used"
                )


def _probe_articles(articles: Sequence[ArticleRecord]) -> list[ArticleRecord]:
    if not articles:
        return []
    picks = {0, len(articles) // 2, len(articles) - 1}
    return [articles[i] for i in sorted(picks)]


def _finds_itself(searcher: Searcher, schema: Schema, article: ArticleRecord) -> bool:
    docnum = searcher.document_number(id=article.id)
    if docnum is None:
        return False
    language = searcher.stored_fields(docnum).get("language", "")  # as it was indexed
    title = LanguageText(article.title, language)
    words = {token.text for token in schema["title"].analyzer(title, mode="index")}
    if not words:
        return True  # a title of stop words only
    results = searcher.search(And([Term("title", word) for word in sorted(words)]), limit=None)
    return docnum in set(results.docs())


def generation_manifest(
    path: Path, settings: Settings, locations: Sequence[str], seconds: float
) -> Manifest:
    """The manifest of the index in ``path``: its facts, counted from the index itself."""
    return {
        "schema_version": SCHEMA_VERSION,
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        **index_facts(path),
        "language": settings.language,
        "sources": list(locations),
        "build_seconds": round(seconds, 3),
    }
