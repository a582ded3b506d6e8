"""Incremental changes: ``indexer update`` (add new articles, replace changed ones) and
``indexer delete``.

A change never edits the generation in use. It derives a new generation from the current one:
Whoosh's segment files are written once and never modified, so the new generation starts as hard
links to the current files (instant, no copy), gets the change as a new segment, is checked, and
is switched to atomically like a rebuild. Searchers see it within a second; ``indexer rollback``
undoes it; a kill at any moment leaves the current generation serving.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from whoosh import index as whoosh_index

from indexer.config import Settings
from indexer.errors import SourceError
from indexer.index.archive_text import article_phrases, identified_languages, ready_to_write
from indexer.index.build import (
    RebuildSummary,
    declared_types,
    generation_manifest,
    read_sources,
    rebuild_index,
    refuse_unusable,
    verify_index,
)
from indexer.index.bulk_writer import Progress
from indexer.index.documents import document_fields
from indexer.index.schema import require_schema_version
from indexer.index.sentences import SentenceModels
from indexer.index.store import MANIFEST_FILE, READERS_LOCK_FILE, IndexStore, translate_os_errors
from indexer.index.story_table import STORIES_FILES, IndexStories, StoryTable
from indexer.index.suggestion_table import SUGGESTIONS_FILES, SuggestionTable, words_of_articles
from indexer.index.whoosh_internals import NewsCodec
from indexer.index.whoosh_types import IndexWriter
from indexer.ingest.articles import ArticleRecord
from indexer.ingest.sources import ReadReport, find_sources

WRITER_MEMORY_MB = 128
_NOT_LINKED = (MANIFEST_FILE, READERS_LOCK_FILE)


@dataclass
class UpdateSummary:
    """What an update did: added / updated / unchanged, and the counts of a rebuild."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    duplicates: int = 0
    warnings: int = 0
    unchanged_sources: int = 0
    seconds: float = 0.0
    generation: str = ""
    changed: bool = False
    warning_messages: list[str] = field(default_factory=list, repr=False)

    def as_json(self) -> dict[str, object]:
        data = asdict(self)
        data["warning_messages"] = self.warning_messages[:100]
        return data


@dataclass
class Change:
    """What one change did to a generation: articles written, and the change in article count."""

    written: list[ArticleRecord]
    count_delta: int

    def __bool__(self) -> bool:
        return bool(self.written) or self.count_delta != 0


@dataclass
class DeleteSummary:
    deleted: list[str]
    not_found: list[str]
    generation: str

    def as_json(self) -> dict[str, object]:
        return asdict(self)


def update_index(
    settings: Settings,
    locations: Sequence[str] = (),
    strict: bool = False,
    progress: Progress | None = None,
) -> UpdateSummary:
    """Add the new and replace the changed articles of ``locations`` (or the configured sources).

    Without an index yet, this is a rebuild: every article is new.
    """
    started = time.perf_counter()
    store = IndexStore(settings.index_dir)
    if not store.pointer().get("current"):
        return _first_build(rebuild_index(settings, locations, strict=strict, progress=progress))
    locations = list(locations) or [source.location for source in settings.sources]
    if not locations:
        raise SourceError("no sources given, and none are configured ([[sources]] in the config)")
    summary = UpdateSummary()
    with store.write_lock():
        store.prune()
        report = ReadReport()
        sources = find_sources(locations, declared_types(settings))
        articles, summary.duplicates = read_sources(
            store, sources, report, progress, skip_unchanged=True
        )
        if articles or not report.unchanged_sources:
            refuse_unusable(articles, report, strict)
            sentences = SentenceModels.load(store.current().path)  # the rebuild's
            articles = ready_to_write(articles, identified_languages(articles), sentences)

        def apply(writer: IndexWriter, stories: IndexStories) -> Change:
            changed = _apply_articles(writer, stories, articles, summary)
            return Change(changed, count_delta=summary.added)

        summary.generation, summary.changed = _derive_generation(store, settings, locations, apply)
    summary.skipped, summary.warnings = report.skipped, len(report.warnings)
    summary.warning_messages = report.warnings
    summary.unchanged_sources = report.unchanged_sources
    summary.seconds = round(time.perf_counter() - started, 3)
    return summary


def _first_build(rebuilt: RebuildSummary) -> UpdateSummary:
    """An update without an index is a rebuild in which every article is new."""
    return UpdateSummary(
        added=rebuilt.indexed,
        skipped=rebuilt.skipped,
        duplicates=rebuilt.duplicates,
        warnings=rebuilt.warnings,
        seconds=rebuilt.seconds,
        generation=rebuilt.generation,
        changed=True,
        warning_messages=rebuilt.warning_messages,
    )


def delete_articles(settings: Settings, ids: Sequence[str]) -> DeleteSummary:
    """Remove the articles with ``ids``; ids not in the index are reported, not an error."""
    store = IndexStore(settings.index_dir)
    deleted: list[str] = []
    not_found: list[str] = []

    def apply(writer: IndexWriter, stories: IndexStories) -> Change:
        for article_id in dict.fromkeys(ids):
            found = stories.searcher.document_number(id=article_id) is not None
            (deleted if found else not_found).append(article_id)
            if found:
                writer.delete_by_term("id", article_id)
                stories.delete(article_id)
        return Change([], count_delta=-len(deleted))

    with store.write_lock():
        store.prune()
        generation, _changed = _derive_generation(store, settings, ["delete"], apply)
    return DeleteSummary(deleted=deleted, not_found=not_found, generation=generation)


def _apply_articles(
    writer: IndexWriter,
    stories: IndexStories,
    articles: list[ArticleRecord],
    summary: UpdateSummary,
) -> list[ArticleRecord]:
    """Write the new and changed articles, each in its story; return them (the new generation
    is checked on them)."""
    searcher = stories.searcher
    changed = []
    for article in reversed(articles):  # oldest first, so the newest ends up last written
        docnum = searcher.document_number(id=article.id)
        if docnum is None:
            summary.added += 1
        elif searcher.stored_fields(docnum).get("checksum") == article.checksum:
            summary.unchanged += 1
            continue
        else:
            summary.updated += 1
        writer.update_document(**document_fields(article, stories.story(article)))
        changed.append(article)
    return changed


def _derive_generation(
    store: IndexStore,
    settings: Settings,
    locations: Sequence[str],
    apply: Callable[[IndexWriter, IndexStories], Change],
) -> tuple[str, bool]:
    """Run ``apply(writer, stories)`` on a copy of the current generation (``stories``: its
    stories, with its searcher) and switch to it.

    Returns the generation now serving and whether it is a new one (no change, no generation).
    """
    started = time.perf_counter()
    current = store.current()
    require_schema_version(current)
    table = StoryTable.load(current.path)
    build_dir = store.new_build_dir()
    try:
        with translate_os_errors(store.root, "prepare the new index"):
            _link_index_files(current.path, build_dir)
            index = whoosh_index.open_dir(str(build_dir))
            writer = index.writer(limitmb=WRITER_MEMORY_MB, codec=NewsCodec())
        with index.searcher() as searcher, translate_os_errors(store.root, "write the new index"):
            before = searcher.doc_count()
            stories = IndexStories(searcher, table)
            change = apply(writer, stories)
            gone_words = words_of_articles(searcher, stories.gone)
        if not change:
            writer.cancel()
            shutil.rmtree(build_dir, ignore_errors=True)
            return current.name, False
        with translate_os_errors(store.root, "write the new index"):
            writer.commit()
            stories.changed_table().save(build_dir)
            _save_suggestions(current.path, build_dir, change.written, gone_words)
        expected = before + change.count_delta
        verify_index(build_dir, expected, change.written)
        seconds = time.perf_counter() - started
        manifest = generation_manifest(build_dir, settings, locations, seconds)
        manifest["derived_from"] = current.name
        manifest["change"] = {"before": before, "after": expected}
        return store.publish(build_dir, manifest).name, True
    except BaseException:
        shutil.rmtree(build_dir, ignore_errors=True)
        raise


def _save_suggestions(
    current: Path, build_dir: Path, written: list[ArticleRecord], gone_words: set[str]
) -> None:
    """The suggestions of the generation in ``current`` changed by an update (``written``:
    the articles it wrote; ``gone_words``: the words of those it replaced or deleted) into the
    new generation in ``build_dir``."""
    table = SuggestionTable.load(current)
    index = whoosh_index.open_dir(str(build_dir))
    with index.searcher() as searcher:
        changed = table.changed(article_phrases(written), gone_words, searcher, index.schema)
    changed.save(build_dir)


def _link_index_files(source: Path, target: Path) -> None:
    """Hard links to the Whoosh files of ``source`` (never its manifest, lock files, band
    table of stories or suggestions: a changed one is written anew)."""
    for path in source.iterdir():
        if path.name in _NOT_LINKED or path.name.endswith("LOCK"):
            continue
        if path.match(STORIES_FILES) or path.match(SUGGESTIONS_FILES):
            continue
        os.link(path, target / path.name)
