"""One index generation held open, with what searches derive from it: the date table, the
decoded postings, the word scorer, the words of documents read for feedback, the spelling words.
Each is built on first use (or by ``load`` before the first search) and dropped when the
generation gains segments."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from indexer.index.store import ReaderLease
from indexer.search.doctable import DocTable
from indexer.search.feedback import DocumentWords
from indexer.search.postings import TermPostings
from indexer.search.query_parser import QueryReader
from indexer.search.query_words import (
    NO_QUESTION_WORDS,
    TEXT_FIELDS,
    QuestionWords,
    question_words,
)
from indexer.search.ranking import RankingSettings, WordScorer, load_length_norms
from indexer.search.requests import SearchRequest
from indexer.search.results import SearchResults
from indexer.search.suggest import SpellingWords


@dataclass
class OpenIndex:
    """One generation held open: its lease keeps it on disk while searchers use it."""

    lease: ReaderLease
    searcher: Any
    reader: QueryReader
    checked_at: float
    ranking: RankingSettings
    language: str = "english"
    _table: DocTable | None = field(default=None, repr=False)
    _postings: TermPostings | None = field(default=None, repr=False)
    _spelling: SpellingWords | None = field(default=None, repr=False)
    _documents: DocumentWords | None = field(default=None, repr=False)
    _scorer: WordScorer | None = field(default=None, repr=False)
    # Results of recent searches of this generation, oldest first (popular queries repeat).
    results: dict[SearchRequest, SearchResults] = field(default_factory=dict, repr=False)

    @property
    def generation(self) -> str:
        return self.lease.generation.name

    @property
    def table(self) -> DocTable:
        if self._table is None:
            self._table = DocTable.of(self.searcher)
        return self._table

    @property
    def postings(self) -> TermPostings:
        if self._postings is None:
            self._postings = TermPostings(self.searcher)
        return self._postings

    @property
    def scorer(self) -> WordScorer:
        if self._scorer is None:
            self._scorer = WordScorer(self.postings, self.ranking)
        return self._scorer

    @property
    def spelling(self) -> SpellingWords:
        if self._spelling is None:
            self._spelling = SpellingWords(self.searcher)
        return self._spelling

    @property
    def documents(self) -> DocumentWords:
        if self._documents is None:
            self._documents = DocumentWords(self.searcher)
        return self._documents

    @cached_property
    def questions(self) -> QuestionWords:
        return question_words(self.language) if self.ranking.question_words else NO_QUESTION_WORDS

    @cached_property
    def question_stems(self) -> frozenset[str]:
        """The question words as the index holds them (kept out of feedback words)."""
        listed = self.questions.words | self.questions.asking_for
        analyzer = self.searcher.schema["body"].analyzer
        return frozenset(token.text for word in listed for token in analyzer(word))

    def rarity(self, text: str) -> float:
        """How telling a word is: BM25's IDF of the documents that have it in a text field (an
        estimate that counts a document once per field, cheap for words of a long text); 0 for
        a word no article has."""
        frequency = sum(self.searcher.doc_frequency(name, text) for name in TEXT_FIELDS)
        if not frequency:  # in no article: it can find nothing
            return 0.0
        return self.scorer.rarity(min(frequency, self.searcher.doc_count()))

    def load(self) -> None:
        """Read what every search uses (date table, field lengths, spelling words) now rather
        than in the first search, whose time limit it would eat into on a large index."""
        self.table.every  # noqa: B018 (loads the table)
        load_length_norms(self.postings, self.ranking)
        self.spelling.words  # noqa: B018 (loads the words)

    def refresh(self) -> None:
        """Follow new segments of the same generation (none are written by this project today,
        but Whoosh allows them), dropping what was derived from the old ones."""
        if not self.searcher.up_to_date():
            self.searcher = self.searcher.refresh()
            self._table = self._postings = self._spelling = None
            self._documents, self._scorer = None, None
            self.results.clear()

    def close(self) -> None:
        self.searcher.close()
        self.lease.release()
