"""Writing a whole new index at once: postings held in memory by term, one segment per process.

Whoosh's own writer sends every posting through a pool that pickles it to a temporary run on
disk, reads it back and merges the runs in a heap, so that any amount of text can be indexed in
bounded memory. A rebuild knows all its articles up front, so it can do better:

- ``SegmentBuilder`` is Whoosh's segment writer with postings from ``TermPostings`` instead of
  that pool (``whoosh_internals.MemorySegmentWriter``). It analyses the text fields (with
  positions, or counts alone) of ANALYSED_AT_ONCE documents together
  (``analysis.tokenizer.TermTable``: the Python work once per distinct word as written, the
  rest in numpy), and the other fields one document at a time;
- ``TermPostings`` keeps a text field's postings as numpy columns (term, document, where its
  position gaps start or its count) and other fields' by term, so a segment's
  postings take a few bytes each; when the segment is written they are sorted by term, the
  values of 200,000 postings at a time made at once, and handed with the statistics of their
  blocks to ``whoosh_internals.TermWriter``;
- ``write_index`` splits the articles, in index order, into one contiguous share per process
  (more for a very large corpus, which bounds memory) and forks a process for each share, to
  write its own segment; the index is the segments in order. Forked processes first learn what
  the rebuild keeps besides the index (``archive_text``): each share's languages and story
  keys, then the sentence models, the phrases and the stories side by side. Each task has a
  process of its own, started as soon as another ends, so that no core waits while one
  learns or writes.

The segments it writes are ordinary Whoosh segments: incremental updates and searches read them
as any other.
"""

from __future__ import annotations

import gc
import math
import multiprocessing
import multiprocessing.util
import os
import pickle
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from multiprocessing.sharedctypes import Synchronized
from pathlib import Path
from typing import Any, TypeVar, cast

import numpy as np
from whoosh import index as whoosh_index
from whoosh.fields import FieldType, Schema

from indexer.analysis.language_id import load_identifier, primary_language
from indexer.analysis.tokenizer import NewsAnalyzer, TermTable
from indexer.errors import WriterDiedError
from indexer.forked import give_back_memory, setup_forked_process
from indexer.index.archive_text import (
    ArchiveText,
    archive_phrases,
    identified_languages,
    learn_archive_text,
    ready_to_write,
    train_sentences,
)
from indexer.index.documents import document_fields
from indexer.index.index_formats import frequency_values, positions_values
from indexer.index.phrases import Phrase
from indexer.index.schema import NewsFrequency, NewsPositions, build_schema
from indexer.index.sentences import SentenceModels
from indexer.index.stories import article_band_keys, group_stories
from indexer.index.story_table import StoryTable
from indexer.index.suggestion_table import SuggestionTable
from indexer.index.whoosh_internals import (
    MemorySegmentWriter,
    NewsCodec,
    PreloadedLengthsReader,
    Segment,
    TermWriter,
    W3FieldWriter,
    commit_segments,
)
from indexer.ingest.articles import ArticleRecord

PARALLEL_FROM_ARTICLES = 2000  # fewer articles are written faster by one process
SEGMENT_MAX_ARTICLES = 35_000  # per segment: bounds a writing process's memory (~4 KB an article)
PROGRESS_EVERY = 250  # articles
ANALYSED_AT_ONCE = 500  # documents whose text fields are analysed together
WRITE_POSTINGS = 200_000  # postings whose values are made at once, when a segment is written
Progress = Callable[[str, int, int | None], None]  # (phase, done, total or None)


class AnalysedPostings:
    """The postings of one text field of a segment being written (``NewsPositions``, or
    ``NewsFrequency``: counts without positions), added a batch of documents at a time: per
    posting (a term in a document) its term (its number in ``table``), its document, and where
    its position gaps start in the field's gaps or, without positions, its count."""

    def __init__(self, analyzer: NewsAnalyzer, positions: bool) -> None:
        self.table = TermTable(analyzer)
        self.positions = positions
        # term, document, and gaps' start or count of each posting, in the order added (with
        # positions, its count is where the next one's gaps start, less its own start); every
        # gap. A batch's each, joined column by column when written.
        self._columns: tuple[list[np.ndarray], ...] = ([], [], [])
        self._gaps: list[np.ndarray] = []
        self._held = 0  # gaps

    def add(self, values: Sequence[str], docnums: np.ndarray) -> np.ndarray:
        """Index ``values``, of documents ``docnums``; their lengths (terms counted)."""
        found = self.table.occurrences(values)
        if not len(found.term):
            return np.zeros(len(values), dtype=np.int64)
        order = np.lexsort((found.position, found.term, found.value))
        term, value, position = found.term[order], found.value[order], found.position[order]
        firsts = np.flatnonzero(np.r_[True, (term[1:] != term[:-1]) | (value[1:] != value[:-1])])
        if self.positions:
            gaps = position.copy()
            gaps[1:] -= position[:-1]
            gaps[firsts] = position[firsts]  # the first from 0
            third = firsts + self._held
            self._gaps.append(gaps.astype(np.uint32))
            self._held += len(gaps)
        else:
            third = np.diff(np.r_[firsts, len(term)])  # counts
        found_columns = (term[firsts], docnums[value[firsts]], third)
        for kept, column in zip(self._columns, found_columns, strict=True):
            kept.append(column.astype(np.uint32))
        return np.bincount(found.value, minlength=len(values))

    def runs(self) -> Iterator[tuple[list[bytes], list[int], np.ndarray, np.ndarray, list[bytes]]]:
        """The postings in order of term and document, in runs of whole terms of about
        WRITE_POSTINGS postings: (terms, postings of each, documents, counts, values)."""
        if not self._columns[0]:
            return
        term, docs, third = (_joined(column) for column in self._columns)
        gaps = _joined(self._gaps) if self.positions else np.zeros(0, dtype=np.uint32)
        counts = np.diff(third, append=np.uint32(len(gaps))) if self.positions else third
        terms = self.table.terms
        ranked = sorted(np.unique(term).tolist(), key=terms.__getitem__)  # code point order
        rank = np.zeros(len(terms), dtype=np.uint32)
        rank[ranked] = np.arange(len(ranked))
        ranks = rank[term]
        order = np.argsort(ranks, kind="stable")  # added in document order: kept within a term
        sizes = np.bincount(ranks, minlength=len(ranked))
        del ranks
        ends = np.cumsum(sizes)
        low = 0
        while low < len(ranked):
            begin = ends[low] - sizes[low]
            high = max(int(np.searchsorted(ends, begin + WRITE_POSTINGS, "right")), low + 1)
            at = order[begin : ends[high - 1]]
            found = counts[at].astype(np.int64)
            if self.positions:
                values = positions_values(found, third[at].astype(np.int64), gaps)
            else:
                values = frequency_values(found)
            words = [terms[number].encode("utf-8") for number in ranked[low:high]]
            yield words, sizes[low:high].tolist(), docs[at].astype(np.int64), found, values
            low = high


def _joined(arrays: list[np.ndarray]) -> np.ndarray:
    """``arrays`` joined into one, and the list emptied (one copy of them at a time)."""
    joined = np.concatenate(arrays)
    arrays.clear()
    return joined


class TermPostings:
    """The postings of one segment being written, grouped by field and term: a text field's
    analysed a batch at a time in ``AnalysedPostings``; other fields' (ids, sections, tags,
    namespaces) as ``(docnum, weight, value)`` tuples by term."""

    def __init__(self) -> None:
        self.analysed: dict[str, AnalysedPostings] = {}
        self.other: dict[str, dict[bytes, list[tuple[int, float, bytes]]]] = {}

    def add_analysed(
        self, fieldname: str, field: FieldType, values: Sequence[str], docnums: np.ndarray
    ) -> np.ndarray:
        """Index the text ``values`` of a field ``analysed_at_once``, of documents ``docnums``;
        their lengths (0 for a field that is not scored)."""
        postings = self.analysed.get(fieldname)
        if postings is None:
            positions = isinstance(field.format, NewsPositions)
            postings = self.analysed[fieldname] = AnalysedPostings(field.analyzer, positions)
        lengths = postings.add(values, docnums)
        return lengths if field.scorable else np.zeros_like(lengths)

    def add_field(self, fieldname: str, field: FieldType, value: object, docnum: int) -> int:
        """Index ``value`` as ``fieldname`` of document ``docnum`` (a field not
        ``analysed_at_once``); its length (words counted for ranking, 0 for a field that is
        not scored)."""
        length = self._add_other(fieldname, field, value, docnum)
        return length if field.scorable else 0

    def _add_other(self, fieldname: str, field: FieldType, value: object, docnum: int) -> int:
        terms = self.other.setdefault(fieldname, {})
        length = 0
        for tbytes, freq, weight, vbytes in field.index(value):
            terms.setdefault(tbytes, []).append((docnum, weight, vbytes or b""))
            length += freq
        return length

    def fieldnames(self) -> list[str]:
        return sorted(self.analysed.keys() | self.other.keys())

    def write(
        self, fieldwriter: W3FieldWriter, schema: Schema, lengths: PreloadedLengthsReader
    ) -> None:
        """Write every posting through Whoosh's ``fieldwriter``, fields and terms in order;
        ``lengths`` is the segment's per-document reader (its field lengths)."""
        no_lengths = np.zeros(lengths.doc_count_all(), dtype=np.uint8)
        for fieldname in self.fieldnames():
            field = schema[fieldname]
            stored = lengths.lengths(fieldname)
            field_lengths = np.frombuffer(stored, dtype=np.uint8) if stored else no_lengths
            terms = TermWriter(fieldwriter, fieldname, field)
            if fieldname in self.analysed:
                self._write_analysed(terms, fieldname, field.format.field_boost, field_lengths)
            else:
                self._write_other(terms, fieldname, field_lengths)
            terms.finish()

    def _write_analysed(
        self, terms: TermWriter, fieldname: str, boost: float, field_lengths: np.ndarray
    ) -> None:
        for words, sizes, ids, counts, values in self.analysed.pop(fieldname).runs():
            weights = counts.astype(np.float64) * boost
            terms.add_terms(words, sizes, ids, weights, values, field_lengths[ids])

    def _write_other(self, terms: TermWriter, fieldname: str, field_lengths: np.ndarray) -> None:
        """The terms of a field not analysed at once, about WRITE_POSTINGS postings at a time
        (each posting is a tuple until then)."""
        postings = self.other.pop(fieldname)
        words = sorted(postings)
        low = 0
        while low < len(words):
            high, held = low, 0
            while high < len(words) and (held < WRITE_POSTINGS or high == low):
                held += len(postings[words[high]])
                high += 1
            run = words[low:high]
            sizes = [len(postings[word]) for word in run]
            found = [posting for word in run for posting in postings.pop(word)]
            ids = np.fromiter((p[0] for p in found), dtype=np.int64, count=len(found))
            weights = np.fromiter((p[1] for p in found), dtype=np.float64, count=len(found))
            values = [value for _docnum, _weight, value in found]
            terms.add_terms(run, sizes, ids, weights, values, field_lengths[ids])
            low = high

    def clear(self) -> None:
        self.analysed.clear()
        self.other.clear()


class SegmentBuilder(MemorySegmentWriter):
    """A segment writer whose postings are held by ``TermPostings`` until the segment is written.

    It supports what ``schema.build_schema`` uses: no document or field boosts, no term vectors,
    no separate spelling fields.
    """

    def __init__(self, index: whoosh_index.FileIndex, holds_lock: bool = True) -> None:
        super().__init__(index, NewsCodec(), holds_lock)
        self.postings = TermPostings()
        self._pending: list[dict[str, object]] = []

    def add_document(self, **fields: object) -> None:
        """Add a document; documents are analysed ANALYSED_AT_ONCE at a time."""
        self._pending.append(fields)
        if len(self._pending) >= ANALYSED_AT_ONCE:
            self._add_pending()

    def _add_pending(self) -> None:
        documents, self._pending = self._pending, []
        first = self.docnum
        lengths = self._add_analysed(documents, first)
        perdoc = self.perdocwriter
        for number, fields in enumerate(documents):
            docnum = self.begin_document()
            for fieldname in sorted(name for name in fields if not name.startswith("_")):
                value = fields[fieldname]
                if value is None:
                    continue
                field = self.schema[fieldname]
                if fieldname in lengths:
                    length = lengths[fieldname][number]
                elif field.indexed:
                    length = self.postings.add_field(fieldname, field, value, docnum)
                else:
                    length = 0
                kept = fields.get(f"_stored_{fieldname}", value)
                perdoc.add_field(fieldname, field, kept if field.stored else None, length)
                if field.column_type and kept is not None:
                    column = field.to_column_value(kept)
                    perdoc.add_column_value(fieldname, field.column_type, column)
            self.end_document()

    def _add_analysed(
        self, documents: list[dict[str, object]], first: int
    ) -> dict[str, dict[int, int]]:
        """Index the text fields of ``documents`` that are ``analysed_at_once`` (the first
        document numbered ``first``); each field's lengths, by the document's place among
        them."""
        lengths: dict[str, dict[int, int]] = {}
        for fieldname, field in self.schema.items():
            if not analysed_at_once(field):
                continue
            places = [n for n, fields in enumerate(documents) if _text(fieldname, fields)]
            values = [cast(str, documents[n][fieldname]) for n in places]
            docnums = np.array(places, dtype=np.int64) + first
            found = self.postings.add_analysed(fieldname, field, values, docnums)
            lengths[fieldname] = dict(zip(places, found.tolist(), strict=True))
        return lengths

    def finish_segment(self) -> Segment:
        self._add_pending()
        return super().finish_segment()

    def commit(self, *arguments: object, **options: object) -> None:
        self._add_pending()
        super().commit(*arguments, **options)

    def write_postings(self, fieldwriter: W3FieldWriter, lengths: PreloadedLengthsReader) -> None:
        self.postings.write(fieldwriter, self.schema, lengths)
        self.postings.clear()


def write_index(
    path: Path,
    articles: Sequence[ArticleRecord],
    language: str,
    progress: Progress | None = None,
    processes: int = 1,
) -> ArchiveText:
    """Write ``articles``, in their order and grouped into stories, as a new Whoosh index in the
    empty folder ``path``; and learn their text (``archive_text``): what is learned, to keep."""
    index = whoosh_index.create_in(str(path), build_schema(language))
    shares = split_for_segments(articles, processes)
    if len(shares) == 1:
        if progress:
            progress("learning phrases and sentences", 0, None)
        learned, articles = learn_archive_text(articles)
        _write_one_segment(index, path, articles, progress)
        return learned
    if any(not article.language for article in articles):  # some will be identified:
        load_identifier()  # the model is loaded once, before the writing processes fork
    processes = min(processes, len(shares))
    if progress:
        progress("learning phrases and sentences", 0, None)
    tags, learned, stories = _learn(path, articles, shares, processes)
    # The learning read every article; a process forked afresh for each share copies only the
    # pages of that share as it writes it (the ones that learned had copied nearly all of them).
    sentences = learned.sentences
    tasks: list[tuple[object, ...]] = [
        (share, stories[share.start : share.stop], tags[share.start : share.stop], sentences)
        for share in shares
    ]
    with _forked_processes(processes, path, articles) as writing:
        segments = writing.run(_build_segment, tasks, progress)
    commit_segments(index, NewsCodec(), segments)
    return learned


def _write_one_segment(
    index: whoosh_index.FileIndex,
    path: Path,
    articles: Sequence[ArticleRecord],
    progress: Progress | None,
) -> None:
    stories = _stories(path, articles, article_band_keys(articles))
    builder = SegmentBuilder(index)
    try:
        _add_articles(builder, articles, stories, progress, len(articles))
        if progress:
            progress("committing", len(articles), len(articles))
        builder.commit()
    except BaseException:
        builder.cancel()
        raise


def _learn(
    path: Path, articles: Sequence[ArticleRecord], shares: list[range], processes: int
) -> tuple[list[str], ArchiveText, list[str]]:
    """What a parallel rebuild learns before writing, in two rounds: each share's languages
    and story band keys; then the phrases, the stories and the sentence models, the sentence
    models (the shortest) started when the first of the others ends (the phrases take longest
    on a small archive, the stories on a large one). The languages, what is learned, and the
    stories (kept in ``path``, the new index's folder, with their band keys)."""
    with _forked_processes(processes, path, articles) as learning:
        found = learning.run(_languages_and_band_keys, _halves(shares))
        tags = [tag for share_tags, _keys in found for tag in share_tags]
        keys = np.concatenate([share_keys for _tags, share_keys in found])
        primary = [primary_language(tag) for tag in tags]
        tasks: list[tuple[object, ...]] = [
            (_archive_phrases, (primary,)),
            (_group, (keys,)),
            (_train_sentences, (primary,)),
        ]
        phrases, stories_found, sentences = learning.run(_call, tasks)
    stories = cast(list[str], stories_found)
    StoryTable([article.id for article in articles], stories, keys).save(path)
    learned = ArchiveText(cast(SentenceModels, sentences), SuggestionTable.of(phrases))
    return tags, learned, stories


def _halves(shares: list[range]) -> list[tuple[object, ...]]:
    """Each share's two halves, as (start, stop): the first round's tasks, twice as many as
    the processes, so that one that takes longer (more articles for the language model)
    keeps the other process waiting less."""
    halves: list[tuple[object, ...]] = []
    for share in shares:
        middle = (share.start + share.stop) // 2
        halves += [(share.start, middle), (middle, share.stop)]
    return halves


def analysed_at_once(field: FieldType) -> bool:
    """Whether the bulk writer analyses ``field`` a batch of documents at a time: a text field
    with positions, or with counts alone (the spelling words), through ``NewsAnalyzer``."""
    indexed_text = isinstance(field.format, (NewsPositions, NewsFrequency))
    return bool(field.indexed) and indexed_text and isinstance(field.analyzer, NewsAnalyzer)


def _text(fieldname: str, fields: dict[str, object]) -> bool:
    """Whether a document has a value for the analysed field ``fieldname`` (text: anything
    else is a mistake of ``document_fields``)."""
    value = fields.get(fieldname)
    if value is not None and not isinstance(value, str):
        raise TypeError(f"the field {fieldname} takes text, not {type(value).__name__}")
    return value is not None


def _stories(path: Path, articles: Sequence[ArticleRecord], keys: np.ndarray) -> list[str]:
    """The story of each article (``stories``), kept in ``path`` with their band keys."""
    stories = group_stories(articles, keys)
    StoryTable([article.id for article in articles], stories, keys).save(path)
    return stories


def split_for_segments(articles: Sequence[ArticleRecord], processes: int) -> list[range]:
    """Contiguous shares of ``articles`` of about equal text (indexing time follows the length
    of the text), one per process, or more when shares would pass SEGMENT_MAX_ARTICLES: a
    multiple of the processes, so that every wave of writing keeps each of them busy."""
    if processes < 2 or len(articles) < PARALLEL_FROM_ARTICLES:
        return [range(len(articles))]
    waves = math.ceil(len(articles) / SEGMENT_MAX_ARTICLES / processes)
    count = processes * waves
    sizes = [len(a.title) + len(a.teaser) + len(a.body) + 100 for a in articles]
    total = sum(sizes)
    shares: list[range] = []
    start = done = 0
    for index, size in enumerate(sizes):
        done += size
        if done >= total * (len(shares) + 1) / count and len(shares) < count - 1:
            shares.append(range(start, index + 1))
            start = index + 1
    shares.append(range(start, len(articles)))
    return [share for share in shares if share]


def _add_articles(
    builder: SegmentBuilder,
    articles: Sequence[ArticleRecord],
    stories: Sequence[str],
    progress: Progress | None,
    total: int,
) -> None:
    for count, (article, story) in enumerate(zip(articles, stories, strict=True), start=1):
        builder.add_document(**document_fields(article, story))
        if progress and count % PROGRESS_EVERY == 0:
            progress("indexing", count, total)


# The parallel build. The writing processes are forked: they find the articles here, instead of
# receiving them pickled, and report their progress through a shared counter.
T = TypeVar("T")


class _Processes:
    """The processes of ``_forked_processes``: ``run(task, arguments, progress)`` runs
    ``task(*arguments[i])`` for every i, each in a process forked for it, at most ``processes``
    at once, and returns the results in that order. A task starts as soon as another ends (no
    core waits for the longest of a round), and its process copies only the pages it touches
    and gives them all back when it ends."""

    def __init__(
        self, processes: int, results: str, indexed: Synchronized[int], total: int
    ) -> None:
        self._processes = processes  # at most this many at once
        self._results = results  # the folder of their results
        self._indexed, self._total = indexed, total  # articles written, of how many
        self.pools: list[ProcessPoolExecutor] = []  # one a task

    def run(
        self,
        task: Callable[..., T],
        arguments: list[tuple[object, ...]],
        progress: Progress | None = None,
    ) -> list[T]:
        waiting = list(enumerate(arguments))[::-1]
        running: dict[Future[str], tuple[int, ProcessPoolExecutor]] = {}
        ended: list[tuple[int, Path]] = []  # tasks whose results are still to be read
        results: list[T] = [cast(T, None)] * len(arguments)
        while waiting or running or ended:
            while waiting and len(running) < self._processes:
                index, task_arguments = waiting.pop()
                pool = self._fork()
                future = pool.submit(_result_in_file, self._results, task, *task_arguments)
                running[future] = (index, pool)
            for index, kept in ended:  # once the next tasks have started
                results[index] = _read_result(kept)
            ended.clear()
            if not running:
                break
            done, _running = wait(running, timeout=0.5, return_when=FIRST_COMPLETED)
            for future in done:
                index, pool = running.pop(future)
                ended.append((index, Path(future.result())))  # a failure is raised at once
                pool.shutdown()  # its process ends, and gives back its memory, before the next
            if progress and running:
                progress("indexing", min(self._indexed.value, self._total), self._total)
        if progress:
            progress("committing", self._total, self._total)
        return results

    def _fork(self) -> ProcessPoolExecutor:
        pool = ProcessPoolExecutor(
            1,
            mp_context=multiprocessing.get_context("fork"),
            initializer=setup_forked_process,
            initargs=(os.getpid(),),  # read here: a child cannot tell its parent has already died
        )
        self.pools.append(pool)
        return pool


# What the forked processes find here: the index's folder (path), the articles, and the count
# of articles indexed (indexed: shared memory, for the parent's progress).
_shared: dict[str, Any] = {}


@contextmanager
def _forked_processes(
    processes: int, path: Path, articles: Sequence[ArticleRecord]
) -> Iterator[_Processes]:
    """Processes forked from this one, which find ``path`` and ``articles`` in ``_shared``, for
    the rounds of a rebuild (what it learns, then its segments)."""
    gc.freeze()  # the processes' garbage collections leave the articles (and their pages) alone
    indexed = multiprocessing.get_context("fork").Value("q", 0)
    _shared.update(path=path, articles=articles, indexed=indexed)
    results = tempfile.mkdtemp(prefix=".results-", dir=path)  # what the processes return
    forked = _Processes(processes, results, indexed, len(articles))
    try:
        yield forked
    except BrokenProcessPool as exc:
        _stop(forked.pools)
        raise WriterDiedError(
            "a process writing the new index ended unexpectedly (killed, or out of memory); "
            "the index in use was not changed"
        ) from exc
    except BaseException:
        _stop(forked.pools)
        raise
    finally:
        _shared.clear()
        gc.unfreeze()
        shutil.rmtree(results, ignore_errors=True)
    for pool in forked.pools:
        pool.shutdown()


def _result_in_file(folder: str, task: Callable[..., T], *arguments: object) -> str:
    """In a writing process: ``task(*arguments)``, pickled into a new file of ``folder``; the
    file's name.

    A result sent back through the pool's pipe takes several writes when it is large (a share's
    band keys, the stories), and a process killed between them leaves the pool's reading
    thread waiting for the rest forever: the run would hang instead of failing. A file's name
    is sent in one write, which the kernel does whole or not at all."""
    result = task(*arguments)
    handle, name = tempfile.mkstemp(dir=folder)
    with os.fdopen(handle, "wb") as out:
        pickle.dump(result, out, protocol=pickle.HIGHEST_PROTOCOL)
    del result
    give_back_memory()  # while the parent reads it, and before the process's next task
    return name


def _read_result(path: Path) -> Any:
    with path.open("rb") as kept:
        result = pickle.load(kept)  # noqa: S301 (written by this run's own process)
    path.unlink()
    return result


def _stop(pools: list[ProcessPoolExecutor]) -> None:
    """End the forked processes after a failure or an interrupt, without letting them finish
    segments that will not be used (the executor has no public way to stop them)."""
    for pool in pools:
        processes = getattr(pool, "_processes", None) or {}
        for process in list(processes.values()):
            if process.is_alive():
                process.terminate()
    for pool in pools:
        pool.shutdown(wait=True, cancel_futures=True)


def _languages_and_band_keys(start: int, stop: int) -> tuple[list[str], np.ndarray]:
    """In a forked process: the languages and story band keys of articles ``start`` to
    ``stop``."""
    share = _shared["articles"][start:stop]
    return identified_languages(share), article_band_keys(share)


def _call(task: Callable[..., T], arguments: tuple[object, ...]) -> T:
    """In a forked process: ``task(*arguments)`` (a round of different tasks)."""
    return task(*arguments)


def _train_sentences(languages: list[str]) -> SentenceModels:
    return train_sentences(_shared["articles"], languages)


def _archive_phrases(languages: list[str]) -> list[Phrase]:
    return archive_phrases(_shared["articles"], languages)


def _group(keys: np.ndarray) -> list[str]:
    return group_stories(_shared["articles"], keys)


def _build_segment(
    share: range, stories: list[str], tags: list[str], sentences: SentenceModels
) -> Segment:
    """In a writing process: the segment of the articles of ``share`` (their ``stories`` and
    ``tags``, their languages; ``sentences`` to cut their teasers), learned once the processes
    had forked."""
    index = whoosh_index.open_dir(str(_shared["path"]))
    builder = SegmentBuilder(index, holds_lock=False)  # the parent holds the index's lock
    articles = ready_to_write(_shared["articles"][share.start : share.stop], tags, sentences)
    shares = zip(articles, stories, strict=True)
    try:
        for count, (article, story) in enumerate(shares, start=1):
            builder.add_document(**document_fields(article, story))
            if count % PROGRESS_EVERY == 0:
                with _shared["indexed"].get_lock():
                    _shared["indexed"].value += PROGRESS_EVERY
        return builder.finish_segment()
    except BaseException:
        builder.cancel()
        raise
