"""The index generation searches read, held open between requests and followed as it changes,
with what searches derive from it (the date table, decoded postings, the word scorer, the words
of documents read for feedback, the spelling words).

``CurrentIndex`` checks the store's pointer at most every ``REFRESH_SECONDS`` and opens a new
generation (after ``indexer rebuild``, ``update`` or ``rollback``) without failing a request: the
new one is opened and loaded before it replaces the old, and the old one is closed only when the
last search using it is done. A generation never changes once written, so one held open needs no
refreshing.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property

from whoosh import index as whoosh_index

from indexer.index.schema import require_schema_version
from indexer.index.store import IndexStore, ReaderLease
from indexer.index.whoosh_types import Searcher
from indexer.search.completion import Completions
from indexer.search.doctable import DocTable
from indexer.search.feedback import DocumentWords
from indexer.search.kept import KeptWithin
from indexer.search.language_bm25 import LanguageBM25F
from indexer.search.postings import TermPostings
from indexer.search.query_parser import QueryReader
from indexer.search.query_words import (
    NO_QUESTION_WORDS,
    TEXT_FIELDS,
    QuestionWords,
    Word,
    question_words,
)
from indexer.search.ranking import RankingSettings, WordScorer, load_length_norms
from indexer.search.suggest import SpellingWords

REFRESH_SECONDS = 1.0


@dataclass
class OpenIndex:
    """One generation held open: its lease keeps it on disk while searches use it. What every
    search reads of it (date table, postings, spelling words) is loaded when it opens; the
    words of documents a long query learns from are read as they are asked for."""

    lease: ReaderLease
    searcher: Searcher
    reader: QueryReader
    table: DocTable
    postings: TermPostings
    spelling: SpellingWords
    results: KeptWithin  # the results of recent searches of this generation (popular ones repeat)
    checked_at: float
    scorer: WordScorer
    documents: DocumentWords
    questions: QuestionWords
    users: int = field(default=0, repr=False)  # searches running on it
    retired: bool = field(default=False, repr=False)  # replaced: close when users reach 0

    @classmethod
    def of(
        cls, lease: ReaderLease, kept_results: int, ranking: RankingSettings, language: str
    ) -> OpenIndex:
        require_schema_version(lease.generation)
        index = whoosh_index.open_dir(str(lease.generation.path))
        searcher = index.searcher(weighting=LanguageBM25F())  # each language's statistics
        try:
            postings = TermPostings(searcher)
            load_length_norms(postings, ranking)
            spelling = SpellingWords(searcher)
            spelling.words  # noqa: B018 (loads the words)
            results = KeptWithin(kept_results, size=lambda _results: 1)
            table = DocTable.of(searcher)
            reader = QueryReader(index.schema)
            questions = question_words(language) if ranking.question_words else NO_QUESTION_WORDS
            return cls(
                lease,
                searcher,
                reader,
                table,
                postings,
                spelling,
                results,
                0.0,
                WordScorer(postings, ranking),
                DocumentWords(searcher),
                questions,
            )
        except BaseException:
            searcher.close()
            raise

    @property
    def generation(self) -> str:
        return self.lease.generation.name

    @property
    def ranking(self) -> RankingSettings:
        return self.scorer.settings

    @cached_property
    def completions(self) -> Completions:
        """The phrases the search box completes prefixes to, read on first use (none in a
        generation written before there were any: ``indexer rebuild`` makes them)."""
        return Completions.of_generation(self.lease.generation.path)

    @cached_property
    def question_stems(self) -> frozenset[str]:
        """The question words as the index holds them (kept out of feedback words)."""
        listed = self.questions.words | self.questions.asking_for
        analyzer = self.searcher.schema["body"].analyzer
        return frozenset(token.text for word in listed for token in analyzer(word))

    def rarity(self, word: Word) -> float:
        """How telling a word is: BM25's IDF of the documents that have it in a text field (an
        estimate that counts a document once per field and form, cheap for words of a long
        text); 0 for a word no article has."""
        forms = [terms[0] for terms, _boost in word.alternatives]
        frequency = sum(self.searcher.doc_frequency(f, t) for f in TEXT_FIELDS for t in forms)
        if not frequency:  # in no article: it can find nothing
            return 0.0
        return self.scorer.rarity(min(frequency, self.searcher.doc_count()), forms[0])

    def close(self) -> None:
        self.searcher.close()
        self.lease.release()


class CurrentIndex:
    """The current generation of one index folder, shared by the threads of a worker."""

    def __init__(
        self, store: IndexStore, kept_results: int, ranking: RankingSettings, language: str
    ) -> None:
        self.store = store
        self.kept_results = kept_results
        self.ranking = ranking
        self.language = language
        self._open: OpenIndex | None = None
        self._lock = threading.Lock()

    @contextmanager
    def using(self) -> Iterator[OpenIndex]:
        """The current generation, kept open until the block ends."""
        opened = self._acquire()
        try:
            yield opened
        finally:
            with self._lock:
                opened.users -= 1
                if opened.retired and not opened.users:
                    opened.close()

    def close(self) -> None:
        with self._lock:
            if self._open is not None:
                self._retire(self._open)
                self._open = None

    def _acquire(self) -> OpenIndex:
        with self._lock:
            now = time.monotonic()
            if self._open is None:
                self._open = self._open_current(now)
            elif now - self._open.checked_at >= REFRESH_SECONDS:
                self._open.checked_at = now
                if self.store.pointer().get("current") != self._open.generation:
                    previous, self._open = self._open, self._open_current(now)
                    self._retire(previous)
            self._open.users += 1
            return self._open

    def _open_current(self, now: float) -> OpenIndex:
        lease = self.store.lease_current()
        try:
            opened = OpenIndex.of(lease, self.kept_results, self.ranking, self.language)
        except BaseException:
            lease.release()
            raise
        opened.checked_at = now
        return opened

    @staticmethod
    def _retire(opened: OpenIndex) -> None:
        """Close ``opened`` now, or when the last search using it ends (called under the lock)."""
        opened.retired = True
        if not opened.users:
            opened.close()
