"""Relevance ranking of a known set of matching documents: BM25F from decoded postings (numpy).

A word's score in a document is BM25F (Robertson and Zaragoza): the word's frequency in each text
field, weighted (``SEARCH_FIELD_BOOSTS``: a word in the headline counts 2.25 times one in the
body) and normalised by that field's length against its average, is summed over the fields and
then saturated once (``k1``), times the word's rarity (the IDF of the documents that have it in
any field, among the articles of the term's language: ``language_bm25``). A word that stands
in several languages is scored in each (``languages.word_forms``). A query's words add up, a
repeated word counting ``1 + 0.75 ln(count)`` times.
Whoosh's BM25F saturates each field on its own, with its own IDF, and adds the fields up, so a
word in the headline and the body counts about twice: the combined form is worth 8 to 23% of
MAP on three of the four test collections and within 1% on the fourth (the README's Ranking
section has the figures of every choice in ``RankingSettings``).

What is scored is known beforehand (``word_match``); each word's postings are read once
(``postings``) and scored as array arithmetic over all its documents at once. Long queries get a
second pass with words from their best matches (``feedback``); queries the word reading does not
take (``top_by_relevance``) are scored by their terms the same way.
"""

from __future__ import annotations

import math
from collections.abc import Container, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from whoosh import query

from indexer.index.index_formats import term_text
from indexer.index.schema import SEARCH_FIELD_BOOSTS
from indexer.search.deadline import NO_DEADLINE, Deadline
from indexer.search.docsets import EMPTY, DocSet, union
from indexer.search.feedback import DocumentWords, feedback_words
from indexer.search.language_bm25 import namespace_size
from indexer.search.postings import TermPostings
from indexer.search.proximity import proximity_scores
from indexer.search.query_parser import ExpandedPrefix
from indexer.search.query_words import SHORT_QUERY_WORDS, QueryWords, Word
from indexer.search.word_match import MatchRule, WordMatch

Scored = list[tuple[int, float]]  # (document, score), best first


@dataclass(frozen=True)
class RankingSettings:
    """The choices of ranking, each kept because it measured better on the test collections
    (``python -m bench relevance --variants`` measures each one turned off)."""

    k1: float = 1.4  # saturation of a word's frequency (1.2 was Whoosh's)
    b: float = 0.75  # how much a field's length discounts its words
    field_b: tuple[tuple[str, float], ...] = (("title", 0.9),)  # where not ``b``
    field_weights: tuple[tuple[str, float], ...] = tuple(SEARCH_FIELD_BOOSTS.items())
    # (SEARCH_FIELD_BOOSTS: title 2.25, teaser 1.5, body 1; Whoosh's ranking here had 3, 2, 1)
    combined_fields: bool = True  # BM25F; False: Whoosh's (each field saturated alone)
    repeated_words: float = 0.75  # a repeated query word counts 1 + this * ln(count) times
    question_words: bool = True  # "what articles are there about" left out of queries
    any_word_when_long: bool = True  # False: every word, any word only when none has them all
    relax_below: int = 10  # a short query adds articles with most words below this many
    feedback_docs: int = 10  # a long query's best matches its second pass learns from
    feedback_words: int = 20  # words taken from them
    feedback_weight: float = 0.35  # their share of the second pass's query
    proximity: float = 0.5  # weight of a short query's words standing close together

    def field_weight(self, fieldname: str) -> float:
        return dict(self.field_weights).get(fieldname, 1.0)

    def field_length_discount(self, fieldname: str) -> float:
        return dict(self.field_b).get(fieldname, self.b)


DEFAULT_RANKING = RankingSettings()


class WordScorer:
    """BM25F scores of words over every document of one opened index."""

    def __init__(self, postings: TermPostings, settings: RankingSettings) -> None:
        self.postings = postings
        self.settings = settings
        self.documents = postings.searcher.doc_count_all()
        self.live_documents = max(postings.searcher.doc_count(), 1)

    def add(self, scores: np.ndarray, word: Word, weight: float = 1.0) -> None:
        """Add ``weight`` times the word's score to ``scores`` (one slot per document)."""
        docs, word_scores = self.score(word)
        scores[docs] += weight * word_scores

    def score(self, word: Word) -> tuple[DocSet, np.ndarray]:
        """(documents that have the word, their BM25F scores for it): the scores of its forms
        (one per language it stands in; an unspaced word's bigrams count as words), each
        against the statistics of its own language, times their boosts."""
        shares = self._shares(word) if len(word.alternatives) > 1 else [1.0]
        per_form: list[tuple[DocSet, np.ndarray]] = []
        for (terms, boost), share in zip(word.alternatives, shares, strict=True):
            weight = boost * share
            for term in terms:
                docs, scores = self.term_score(term, word.fields)
                if len(docs):
                    per_form.append((docs, scores if weight == 1.0 else weight * scores))
        return _summed(per_form)

    def _shares(self, word: Word) -> list[float]:
        """How likely a word of several languages is meant in each: as likely as the
        language's articles are many, against the most common of them. (Each language's IDF
        is its own: a word in all of 6 English articles and the one German article would rank
        the German one first, the IDF of a small language being the less sure.)"""
        sizes = [namespace_size(self.postings.searcher, t[0]) for t, _b in word.alternatives]
        largest = max(sizes) or 1
        return [size / largest for size in sizes]

    def term_score(self, term: str, fields: Sequence[str]) -> tuple[DocSet, np.ndarray]:
        """(documents that have ``term`` in any of ``fields``, their BM25F scores for it)."""
        settings = self.settings
        k1 = settings.k1
        per_field: list[tuple[DocSet, np.ndarray]] = []
        for fieldname in fields:
            docs, frequencies = self.postings.get(fieldname, term)
            if not len(docs):
                continue
            weight = settings.field_weight(fieldname)
            frequency = frequencies.astype(np.float64) / self.length_norms(fieldname)[docs]
            if settings.combined_fields:  # weighted frequencies, saturated below
                per_field.append((docs, weight * frequency))
            else:  # Whoosh's BM25F: each field saturated alone, with its own IDF
                field_rarity = math.log(self.documents / (len(docs) + 1)) + 1
                saturated = frequency * (k1 + 1) / (k1 + frequency)
                per_field.append((docs, field_rarity * weight * saturated))
        found, summed = _summed(per_field)
        if not settings.combined_fields or not len(found):
            return found, summed
        rarity = self.rarity(len(found), term)
        return found, rarity * summed * (k1 + 1) / (k1 + summed)

    def closeness(self, words: list[Word]) -> np.ndarray:
        """How close together ``words`` stand in every document (``proximity``)."""
        settings = self.settings
        return proximity_scores(
            self.postings,
            words,
            settings.field_weight,
            self.length_norms,
            settings.k1,
            self.documents,
            self.rarity,
        )

    def length_norms(self, fieldname: str) -> np.ndarray:
        """BM25's 1 - b + b * length / average length of the field, for every document."""
        b = self.settings.field_length_discount(fieldname)
        return self.postings.length_norms(fieldname, 1.0, b)

    def rarity(self, document_frequency: int, term: str = "") -> float:
        """BM25's IDF, never negative: ln(1 + (N - df + 0.5) / (df + 0.5)), N the articles of
        the term's language (``language_bm25.namespace_size``; every article for no term)."""
        n = self.live_documents
        if term:
            n = min(n, namespace_size(self.postings.searcher, term))
        n = max(n, document_frequency)
        return math.log(1 + (n - document_frequency + 0.5) / (document_frequency + 0.5))

    def scores(
        self, weighted_words: Iterable[tuple[Word, float]], deadline: Deadline = NO_DEADLINE
    ) -> np.ndarray:
        """The summed scores of ``weighted_words`` for every document."""
        scores = np.zeros(self.documents, dtype=np.float64)
        for word, weight in weighted_words:
            deadline.check()
            self.add(scores, word, weight)
        return scores


def _summed(parts: list[tuple[DocSet, np.ndarray]]) -> tuple[DocSet, np.ndarray]:
    """The documents of any part (a field, a form) and each one's values added up over the
    parts (sparse: a dense array of every document, scanned for its non-zeros, cost more at
    200k articles)."""
    if len(parts) == 1:
        return parts[0]
    if not parts:
        return EMPTY, np.zeros(0, dtype=np.float64)
    found = union([docs for docs, _values in parts])
    summed = np.zeros(len(found), dtype=np.float64)
    for docs, values in parts:
        summed[np.searchsorted(found, docs)] += values
    return found, summed


def query_weight(word: Word, settings: RankingSettings) -> float:
    return 1 + settings.repeated_words * math.log(word.count)


def rank_by_words(
    scorer: WordScorer,
    words: QueryWords,
    match: WordMatch,
    candidates: DocSet,
    limit: int,
    tie_rank: np.ndarray,
    documents: DocumentWords,
    unwanted: Container[str],
    deadline: Deadline = NO_DEADLINE,
) -> Scored:
    """The best ``limit`` of ``candidates`` for a query read as words. With the articles that
    have every word first (``MatchRule.ALL_FIRST``), the more words the earlier; a long query
    gets a second pass with words of its first pass's best matches (``feedback``: read from
    ``documents``, none of ``unwanted``)."""
    settings = scorer.settings
    weighted = [(word, query_weight(word, settings)) for word in words.words]
    weighted += [(word, 1.0) for word in words_of_clauses(words.required)]
    scores = scorer.scores(weighted, deadline)
    if settings.proximity and 1 < len(words.words) <= SHORT_QUERY_WORDS and not words.long:
        deadline.check()
        scores += settings.proximity * scorer.closeness(list(words.words))
    scores = scores[candidates]
    if match.rule is MatchRule.ALL_FIRST:
        present = match.words_present(candidates)
        order = np.lexsort((tie_rank[candidates], -scores, -present))[:limit]
        return list(zip(candidates[order].tolist(), scores[order].tolist(), strict=True))
    if words.long and settings.feedback_docs and len(candidates):
        first_pass = best(candidates, scores, settings.feedback_docs, tie_rank)
        learned = feedback_words(documents, first_pass, settings.feedback_words, unwanted)
        if learned:
            total = sum(weight for _word, weight in weighted)
            own = 1 - settings.feedback_weight
            weighted = [(word, own * weight / total) for word, weight in weighted]
            weighted += [(word, settings.feedback_weight * weight) for word, weight in learned]
            scores = scorer.scores(weighted, deadline)[candidates]
    return best(candidates, scores, limit, tie_rank)


def best(docs: DocSet, scores: np.ndarray, limit: int, tie_rank: np.ndarray) -> Scored:
    """The ``limit`` best (docnum, score) of ``docs`` (``scores``: theirs, in the same order):
    the scores above the limit-th best one, and every document scoring just that (their order
    is decided by ``tie_rank``: the rank of each document by date, newest first)."""
    if len(docs) > limit:
        threshold = np.partition(scores, len(scores) - limit)[len(scores) - limit]
        kept = scores >= threshold
        docs, scores = docs[kept], scores[kept]
    order = np.lexsort((tie_rank[docs], -scores))[:limit]
    return list(zip(docs[order].tolist(), scores[order].tolist(), strict=True))


def top_by_relevance(
    scorer: WordScorer,
    parsed: query.Query,
    candidates: DocSet,
    limit: int,
    tie_rank: np.ndarray,
    deadline: Deadline = NO_DEADLINE,
) -> Scored | None:
    """The best ``limit`` of ``candidates`` for a query read as the parser reads it, its terms
    scored as words of their field; None when it is not a query of terms only."""
    terms = weighted_terms(parsed)
    if not terms or not len(candidates):
        return None
    text_terms = [(f, t, b) for f, t, b in terms if f in SEARCH_FIELD_BOOSTS]
    words = [(Word(t, t, 1, (f,)), b / SEARCH_FIELD_BOOSTS[f]) for f, t, b in text_terms]
    scores = scorer.scores(words, deadline)
    return best(candidates, scores[candidates], limit, tie_rank)


def load_length_norms(postings: TermPostings, settings: RankingSettings) -> None:
    """Compute the length normalisations ranking will ask for."""
    for fieldname, _weight in settings.field_weights:
        postings.length_norms(fieldname, 1.0, settings.field_length_discount(fieldname))


def weighted_terms(parsed: query.Query) -> list[tuple[str, str, float]] | None:
    """The scored terms of a query of terms, with their boosts; None for any other query."""
    if type(parsed) is query.Term:
        return [(parsed.fieldname, term_text(parsed.text), parsed.boost)]
    if type(parsed) in (query.And, query.Or, ExpandedPrefix) and not getattr(parsed, "scale", None):
        found: list[tuple[str, str, float]] = []
        for child in parsed.subqueries:
            child_terms = weighted_terms(child)
            if child_terms is None:
                return None
            found.extend((f, t, b * parsed.boost) for f, t, b in child_terms)
        return found
    if type(parsed) is query.Phrase:  # scored by its words, as if they were ANDed
        return [(parsed.fieldname, term_text(word), parsed.boost) for word in parsed.words]
    if type(parsed) is query.AndNot:  # the excluded part adds nothing to the score
        return weighted_terms(parsed.a)
    if parsed is query.NullQuery:  # a word no field has (a prefix that expands to nothing)
        return []
    return None


def words_of_clauses(clauses: Sequence[query.Query]) -> list[Word]:
    """The words of required clauses (phrases, ``title:`` terms, prefixes) as words of their
    fields, to be scored like the query's own words; field terms of other fields score nothing
    (every match has them)."""
    words: list[Word] = []
    for clause in clauses:
        by_text: dict[str, list[str]] = {}
        for fieldname, text, _boost in weighted_terms(clause) or []:
            if fieldname in SEARCH_FIELD_BOOSTS:
                by_text.setdefault(text, []).append(fieldname)
        words.extend(Word(text, text, 1, tuple(fields)) for text, fields in by_text.items())
    return words
