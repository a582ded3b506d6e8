"""Relevance ranking of a known set of matching documents: BM25F from decoded postings.

Whoosh ranks by walking a tree of union and intersection matchers one document at a time, which
was most of a results page's time, and its top-k search of an AND of ORs (every multi-word query)
can miss better matches than the ones it returns: for "bank rates" on Reuters it returned a
document scoring 39.70 first and left out one scoring 39.73 (Whoosh scores that one 39.73 itself).

Here the matching documents are already known (``docsets``), and a document's score is the sum of
its terms' BM25F scores, exactly as Whoosh sums them, computed from ``postings`` as array
arithmetic (numpy) over each term's postings at once. A phrase counts as its words (Whoosh would
score it by how often the phrase occurs, which needs its slow span matching). Queries with
anything else (the any-word fallback's coordination factor, phrases with slop) get None, and
Whoosh ranks them, collecting every match.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from whoosh import query
from whoosh.scoring import BM25F

from indexer.index.whoosh_internals import bm25f_field_b
from indexer.search.deadline import NO_DEADLINE, Deadline
from indexer.search.docsets import DocSet
from indexer.search.postings import TermPostings
from indexer.search.query_parser import ExpandedPrefix

WeightedTerm = tuple[str, str, float]  # field, text, boost


def top_by_relevance(
    postings: TermPostings,
    parsed: query.Query,
    candidates: DocSet,
    limit: int,
    tie_rank: np.ndarray,
    deadline: Deadline = NO_DEADLINE,
) -> list[tuple[int, float]] | None:
    """The best ``limit`` of ``candidates`` as (docnum, score), equal scores in ``tie_rank``
    order (the rank of each document by date, newest first); None when this query is not one of
    terms only."""
    terms = weighted_terms(parsed)
    weighting = postings.searcher.weighting
    if not terms or not isinstance(weighting, BM25F) or not len(candidates):
        return None
    scores = np.zeros(postings.searcher.doc_count_all(), dtype=np.float64)
    for fieldname, text, boost in terms:
        deadline.check()
        _add_term_scores(postings, weighting, fieldname, text, boost, scores)
    return _best(candidates, scores[candidates], limit, tie_rank)


def _best(
    docs: DocSet, scores: np.ndarray, limit: int, tie_rank: np.ndarray
) -> list[tuple[int, float]]:
    """The ``limit`` best (docnum, score) of ``docs``: the scores above the limit-th best one,
    and every document scoring just that (their order is decided by ``tie_rank``)."""
    if len(docs) > limit:
        threshold = np.partition(scores, len(scores) - limit)[len(scores) - limit]
        kept = scores >= threshold
        docs, scores = docs[kept], scores[kept]
    order = np.lexsort((tie_rank[docs], -scores))[:limit]
    return list(zip(docs[order].tolist(), scores[order].tolist(), strict=True))


def load_length_norms(postings: TermPostings, fieldnames: Sequence[str]) -> None:
    """Compute the length normalisations of ``fieldnames`` that ranking will ask for."""
    weighting = postings.searcher.weighting
    if isinstance(weighting, BM25F):  # or LanguageBM25F, its statistics by language
        for fieldname in fieldnames:
            b = bm25f_field_b(weighting, fieldname)
            postings.length_norms(fieldname, weighting.K1, b)


def weighted_terms(parsed: query.Query) -> list[WeightedTerm] | None:
    """The scored terms of a query of terms, with their boosts; None for any other query."""
    if type(parsed) is query.Term:
        return [(parsed.fieldname, _text(parsed.text), parsed.boost)]
    if type(parsed) in (query.And, query.Or, ExpandedPrefix) and not getattr(parsed, "scale", None):
        found: list[WeightedTerm] = []
        for child in parsed.subqueries:
            child_terms = weighted_terms(child)
            if child_terms is None:
                return None
            found.extend((f, t, b * parsed.boost) for f, t, b in child_terms)
        return found
    if type(parsed) is query.Phrase:  # scored by its words, as if they were ANDed
        return [(parsed.fieldname, _text(word), parsed.boost) for word in parsed.words]
    if type(parsed) is query.AndNot:  # the excluded part adds nothing to the score
        return weighted_terms(parsed.a)
    if parsed is query.NullQuery:  # a word no field has (a prefix that expands to nothing)
        return []
    return None


def _add_term_scores(
    postings: TermPostings,
    weighting: BM25F,
    fieldname: str,
    text: str,
    boost: float,
    scores: np.ndarray,
) -> None:
    """Add one term's BM25F score to every document that contains it, in the order of Whoosh's
    arithmetic (an unscored field, such as section, adds the posting's weight, as Whoosh does)."""
    searcher = postings.searcher
    docs, tfs = postings.get(fieldname, text)
    if not len(docs):
        return
    weights = tfs.astype(np.float64)
    if not searcher.schema[fieldname].scorable:
        scores[docs] += weights * boost
        return
    k1 = weighting.K1
    b = bm25f_field_b(weighting, fieldname)
    norms = postings.length_norms(fieldname, k1, b)
    factor = searcher.idf(fieldname, text) * boost * (k1 + 1)
    scores[docs] += factor * weights / (weights + norms[docs])


def _text(term: str | bytes) -> str:
    return term.decode("utf-8") if isinstance(term, bytes) else term
