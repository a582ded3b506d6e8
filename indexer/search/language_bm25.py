"""Each language's own statistics for BM25F, and the language of every document.

Terms are tagged with the namespace of their language (``indexer.analysis.word_forms``), so a term's
document frequency already counts the articles of its own language only. The rest of BM25F's
statistics are kept per language too, so that a language's ranking is what it would be in an
index of that language alone, whatever else the index holds:

- a term's IDF is computed against the number of articles that have terms in its namespace
  (``doc_frequency("analyses", namespace)``), not against the whole index: German terms are not
  made rare by ten thousand English articles, nor English ones common by them;
- a document's length is compared with the average length of the articles of its own language:
  Chinese text, cut into bigrams and characters, has several times the terms per sentence of
  English, and would otherwise make every English article look short.

With one language in the index both are exactly Whoosh's statistics. ``LanguageBM25F`` is
Whoosh's BM25F with these statistics (for the searches Whoosh scores itself); the array ranking
(``ranking``) reads the same IDF through it and the same averages through ``postings``.
"""

from __future__ import annotations

import math
import threading
import weakref
from collections import Counter
from collections.abc import Iterable

import numpy as np
from whoosh.scoring import BM25F, BaseScorer, BM25FScorer, bm25

from indexer.analysis.word_forms import analysis_language, namespace_of_term
from indexer.index.index_formats import term_text
from indexer.index.whoosh_types import Matcher, Searcher
from indexer.search.collapse import StoryColumn, value_counts
from indexer.search.docsets import EMPTY, DocSet, where

NAMESPACES_FIELD = "analyses"
LANGUAGE_COLUMN = "language_code"


class LanguageColumn:
    """The language of every document of one searcher (by global document number)."""

    def __init__(self, searcher: Searcher) -> None:
        reader = searcher.reader()
        size = reader.doc_count_all()
        codes = [""] * size
        live = np.zeros(size, dtype=bool)
        for segment, offset in reader.leaf_readers():
            column = segment.column_reader(LANGUAGE_COLUMN)
            for local in segment.all_doc_ids():
                codes[offset + local] = column[local]
                live[offset + local] = True
        self.names = sorted(set(codes))
        number = {name: index for index, name in enumerate(self.names)}
        self.codes = np.array([number[code] for code in codes], dtype=np.int32)
        self.live = live
        default = _default_language(searcher)
        analysed = [analysis_language(name or "und", default) for name in self.names]
        self.group_names = sorted(set(analysed))
        group_of = np.array([self.group_names.index(a) for a in analysed], dtype=np.int32)
        self.groups = group_of[self.codes] if len(self.codes) else self.codes
        self._averages: dict[str, float | np.ndarray] = {}
        self._lock = threading.Lock()

    def docs_of(self, languages: Iterable[str]) -> DocSet:
        """The live documents in any of ``languages`` (primary subtags, any case)."""
        wanted = [self.names.index(c) for c in {x.lower() for x in languages} if c in self.names]
        if not wanted:
            return EMPTY
        return where(np.isin(self.codes, wanted) & self.live)

    def counts(self, docs: DocSet, stories: StoryColumn | None = None) -> Counter[str]:
        """How many of ``docs`` (or of their ``stories``) are in each language."""
        counts = value_counts(self.codes[docs], docs, len(self.names), stories)
        return Counter({self.names[c]: int(counts[c]) for c in np.flatnonzero(counts)})

    def average_lengths(
        self, searcher: Searcher, fieldname: str, lengths: np.ndarray | None = None
    ) -> float | np.ndarray:
        """The average length of ``fieldname`` in each document's language, per document (a
        number when the index has one language: then it is Whoosh's own average)."""
        with self._lock:
            if fieldname not in self._averages:
                self._averages[fieldname] = self._average(searcher, fieldname, lengths)
            return self._averages[fieldname]

    def _average(
        self, searcher: Searcher, fieldname: str, lengths: np.ndarray | None
    ) -> float | np.ndarray:
        whole = searcher.avg_field_length(fieldname) or 1
        if len(self.group_names) < 2:
            return whole
        if lengths is None:
            lengths = _field_lengths(searcher, fieldname)
        # Each language's mean of Whoosh's one-byte lengths (exact up to a few dozen words),
        # scaled by how far those fall from the exact total, from which Whoosh's own average
        # is taken: so a language that is most of the index keeps almost exactly that average.
        groups = len(self.group_names)
        live_groups = self.groups[self.live]
        total = np.bincount(live_groups, weights=lengths[self.live], minlength=groups)
        count = np.bincount(live_groups, minlength=groups)
        approximate = total.sum() / max(int(count.sum()), 1)
        scale = whole / approximate if approximate > 0 else 1.0
        averages = np.where(count > 0, scale * total / np.maximum(count, 1), whole)
        averages = np.where(averages > 0, averages, 1.0)
        return averages[self.groups]


_columns: weakref.WeakKeyDictionary[Searcher, LanguageColumn] = weakref.WeakKeyDictionary()
_columns_lock = threading.Lock()


def language_column(searcher: Searcher) -> LanguageColumn:
    """The language column of a (top-level) searcher, read once."""
    top = searcher.get_parent()
    with _columns_lock:
        found = _columns.get(top)
        if found is None:
            found = _columns[top] = LanguageColumn(top)
        return found


def namespace_size(searcher: Searcher, term: str) -> int:
    """The number of documents a term's IDF is computed against: those with terms in its
    namespace (every document for a term without one, such as a number)."""
    top = searcher.get_parent()
    space = namespace_of_term(term)
    if space is None:
        return top.doc_count_all()
    return top.doc_frequency(NAMESPACES_FIELD, space) or top.doc_count_all()


class LanguageBM25F(BM25F):
    """BM25F with each language's statistics (see the module doc)."""

    def idf(self, searcher: Searcher, fieldname: str, text: bytes | str) -> float:
        term = term_text(text)
        top = searcher.get_parent()
        frequency = top.doc_frequency(fieldname, text)
        return math.log(max(namespace_size(top, term), frequency) / (frequency + 1)) + 1

    def scorer(
        self, searcher: Searcher, fieldname: str, text: bytes | str, qf: int = 1
    ) -> BaseScorer:
        scorer = super().scorer(searcher, fieldname, text, qf=qf)
        if not isinstance(scorer, BM25FScorer):
            return scorer
        top = searcher.get_parent()
        averages = language_column(top).average_lengths(top, fieldname)
        if isinstance(averages, float | int):
            return scorer
        offset = next((o for s, o in top.leaf_searchers() if s is searcher), 0)
        return _LanguageAverageScorer(scorer, averages, offset)


class _LanguageAverageScorer(BaseScorer):
    """Whoosh's BM25F scorer of one term, with each document's length compared with the
    average of its language."""

    def __init__(self, scorer: BM25FScorer, averages: np.ndarray, offset: int) -> None:
        self.base = scorer
        self.averages = averages
        self.offset = offset

    def supports_block_quality(self) -> bool:
        return False

    def max_quality(self) -> float:
        return float("inf")

    def score(self, matcher: Matcher) -> float:
        base = self.base
        average = float(self.averages[self.offset + matcher.id()])
        length = base.dfl(matcher.id())
        score: float = bm25(base.idf, matcher.weight(), length, average, base.B, base.K1)
        return score


def _default_language(searcher: Searcher) -> str:
    analyzer = searcher.schema[NAMESPACES_FIELD].analyzer
    return getattr(analyzer, "default_language", "en")


def _field_lengths(searcher: Searcher, fieldname: str) -> np.ndarray:
    reader = searcher.reader()
    lengths = np.zeros(reader.doc_count_all(), dtype=np.float64)
    for segment, offset in reader.leaf_readers():
        for local in segment.all_doc_ids():
            lengths[offset + local] = segment.doc_field_length(local, fieldname, 0) or 0
    return lengths
