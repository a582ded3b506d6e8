"""The index generation searches read, held open between requests and followed as it changes,
with what searches derive from it (the date table, decoded postings, the word scorer, the words
of documents read for feedback, the spelling words).

``CurrentIndex`` follows the store's pointer (a new generation after ``indexer rebuild``,
``update``, ``rollback`` or ``publish``) in one of two ways:

- following (``follow()``, what a gunicorn worker does from ``post_worker_init``): ``load()``
  opens and warms the current generation before the worker takes requests, and a background
  thread checks the pointer every ``REFRESH_SECONDS``, opens and warms a new generation beside
  the one in use and then switches to it. No search waits for a load.
- not following (``indexer search``, a bare ``SearchService``): a search checks the pointer at
  most every ``REFRESH_SECONDS`` and loads a new generation itself, as the first search does.

``loads`` counts the loads of each kind (``before_requests``: by ``load()`` or the thread;
``on_requests``: by a search). Either way no request fails: the old generation is closed only
when the last search using it is done. A generation never changes once written, so one held
open needs no refreshing.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property

from whoosh import index as whoosh_index

from indexer.errors import IndexCheckError
from indexer.index.schema import require_schema_version
from indexer.index.sentences import SentenceModels
from indexer.index.store import IndexStore, ReaderLease
from indexer.index.whoosh_internals import remember_doc_frequencies
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
from indexer.search.results import SearchResults
from indexer.search.suggest import SpellingWords

REFRESH_SECONDS = 1.0
STOP_SECONDS = 30.0  # how long close() waits for a load in progress to end

log = logging.getLogger(__name__)


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
    # the results of recent searches of this generation (popular ones repeat)
    results: KeptWithin[SearchResults]
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
            remember_doc_frequencies(searcher)
            postings = TermPostings(searcher)
            load_length_norms(postings, ranking)
            spelling = SpellingWords(searcher)
            spelling.near  # noqa: B018 (loads the words, and those near a misspelling)
            results: KeptWithin[SearchResults] = KeptWithin(kept_results, size=lambda _results: 1)
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
    def sentences(self) -> SentenceModels:
        """Where the archive's sentences end, to start snippets at one, read on first use
        (none in a generation written before there were any: the full stops then)."""
        try:
            return SentenceModels.load(self.lease.generation.path)
        except IndexCheckError:
            return SentenceModels({})

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
    """The current generation of one index folder, shared by the threads of a worker.
    ``prepare`` warms a generation just opened (runs searches on it) before searches use it."""

    def __init__(
        self,
        store: IndexStore,
        kept_results: int,
        ranking: RankingSettings,
        language: str,
        prepare: Callable[[OpenIndex], None] = lambda _opened: None,
    ) -> None:
        self.store = store
        self.kept_results = kept_results
        self.ranking = ranking
        self.language = language
        self.prepare = prepare
        self.loads: Counter[str] = Counter()  # "before_requests", "on_requests"
        self._open: OpenIndex | None = None
        self._lock = threading.Lock()
        self._follower: threading.Thread | None = None
        self._replaced: list[OpenIndex] = []  # switched from by load(), to retire
        self._stopped = threading.Event()

    def load(self) -> str:
        """Open and warm the current generation unless it is the one open (the postings the
        one open has decoded, then ``prepare``), and switch to it; its name. IndexMissingError
        (or SchemaMismatchError) when there is no usable one. The generation replaced is
        closed by the next call (or ``close()``), not at once: freeing it holds the GIL for
        milliseconds, which the first searches on the new one would wait for."""
        with self._lock:
            self._retire_replaced()
            served = self._open
        if served is not None and self.store.pointer().get("current") == served.generation:
            return served.generation
        opened = self._open_current(time.monotonic())
        try:
            if served is not None:
                opened.postings.warm_like(served.postings)
            self.prepare(opened)
        except BaseException:
            opened.close()
            raise
        with self._lock:
            previous, self._open = self._open, opened
            self.loads["before_requests"] += 1
            if previous is not None:
                self._replaced.append(previous)
        return opened.generation

    def _retire_replaced(self) -> None:
        """Retire the generations ``load`` replaced (called under the lock)."""
        while self._replaced:
            self._retire(self._replaced.pop())

    def follow(self) -> None:
        """From now on a thread of this process loads each new generation (``load()`` every
        ``REFRESH_SECONDS``) and searches no longer check the pointer; ``close()`` stops it."""
        with self._lock:
            if self._follower is not None:
                return
            self._follower = threading.Thread(
                target=self._follow, name="newsindex-generations", daemon=True
            )
        self._follower.start()

    def _follow(self) -> None:
        said = ""  # the last failure logged: a missing index is said once, not every second
        while not self._stopped.wait(REFRESH_SECONDS):
            try:
                self.load()
                said = ""
            except Exception as error:  # searches report it too; try again later
                if str(error) != said:
                    log.warning("could not load the current index generation: %s", error)
                    said = str(error)

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
        """Stop following (waiting for a load in progress) and close what is open."""
        self._stopped.set()
        follower = self._follower
        if follower is not None and follower is not threading.current_thread():
            follower.join(STOP_SECONDS)
        with self._lock:
            self._retire_replaced()
            if self._open is not None:
                self._retire(self._open)
                self._open = None

    def _acquire(self) -> OpenIndex:
        with self._lock:
            now = time.monotonic()
            if self._open is None:  # nothing loaded yet (or no index when it was tried)
                self._open = self._open_current(now)
                self.loads["on_requests"] += 1
            elif now - self._open.checked_at >= REFRESH_SECONDS and self._follower is None:
                self._open.checked_at = now
                if self.store.pointer().get("current") != self._open.generation:
                    previous, self._open = self._open, self._open_current(now)
                    self.loads["on_requests"] += 1
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
