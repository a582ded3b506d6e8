"""One index generation held open, with what searches derive from it: the date table, the
decoded postings, the spelling words. Each is built on first use (or by ``load`` before the first
search) and dropped when the generation gains segments."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from indexer.index.store import ReaderLease
from indexer.search.doctable import DocTable
from indexer.search.postings import TermPostings
from indexer.search.query_parser import QueryReader
from indexer.search.ranking import load_length_norms
from indexer.search.requests import SearchRequest
from indexer.search.results import SearchResults
from indexer.search.suggest import SpellingWords

TEXT_FIELDS = ("title", "teaser", "body")


@dataclass
class OpenIndex:
    """One generation held open: its lease keeps it on disk while searchers use it."""

    lease: ReaderLease
    searcher: Any
    reader: QueryReader
    checked_at: float
    _table: DocTable | None = field(default=None, repr=False)
    _postings: TermPostings | None = field(default=None, repr=False)
    _spelling: SpellingWords | None = field(default=None, repr=False)
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
    def spelling(self) -> SpellingWords:
        if self._spelling is None:
            self._spelling = SpellingWords(self.searcher)
        return self._spelling

    def load(self) -> None:
        """Read what every search uses (date table, field lengths, spelling words) now rather
        than in the first search, whose time limit it would eat into on a large index."""
        self.table.every  # noqa: B018 (loads the table)
        load_length_norms(self.postings, TEXT_FIELDS)
        self.spelling.words  # noqa: B018 (loads the words)

    def refresh(self) -> None:
        """Follow new segments of the same generation (none are written by this project today,
        but Whoosh allows them), dropping what was derived from the old ones."""
        if not self.searcher.up_to_date():
            self.searcher = self.searcher.refresh()
            self._table = self._postings = self._spelling = None
            self.results.clear()

    def close(self) -> None:
        self.searcher.close()
        self.lease.release()
