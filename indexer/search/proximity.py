"""Words close together: a short query's words standing near each other in an article.

For each pair of the query's words, each occurrence of the first with one of the second at most
``WINDOW`` words away (either side, in the same field) counts; the counts are weighted and
normalised by field like a word's frequency, and scored with BM25 as if the pair were a word of
its own (rarer pairs count more), times the ranking's ``proximity`` weight. Word positions come
from ``postings.position_keys``: ``document << 32 | position``, sorted.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import combinations

import numpy as np

from indexer.search.postings import TermPostings
from indexer.search.query_words import Word

WINDOW = 5  # words apart, at most


def pair_counts(first: np.ndarray, second: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(documents, occurrences of ``first`` with one of ``second`` within WINDOW words), from
    two sorted arrays of position keys."""
    if not len(first) or not len(second):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
    a, b = first.astype(np.int64), second.astype(np.int64)
    at = np.searchsorted(b, a)
    nearest = np.full(len(a), WINDOW + 1, dtype=np.int64)
    for neighbour in (at - 1, at):
        inside = np.clip(neighbour, 0, len(b) - 1)
        distance = np.abs(b[inside] - a)
        usable = (neighbour >= 0) & (neighbour < len(b)) & ((b[inside] >> 32) == (a >> 32))
        nearest = np.minimum(nearest, np.where(usable, distance, WINDOW + 1))
    docs, counts = np.unique(a[nearest <= WINDOW] >> 32, return_counts=True)
    return docs, counts.astype(np.float64)


def proximity_scores(
    postings: TermPostings,
    words: list[Word],
    field_weight: Callable[[str], float],
    length_norms: Callable[[str], np.ndarray],
    k1: float,
    documents: int,
    rarity: Callable[[int, str], float],
) -> np.ndarray:
    """The closeness score of every document for the pairs of ``words``; ``length_norms``
    gives a field's BM25 length normalisation of every document, ``rarity`` the IDF of a
    number of documents in the language of a term."""
    scores = np.zeros(documents, dtype=np.float64)
    for first, second in combinations(words, 2):
        weighted = np.zeros(documents, dtype=np.float64)
        for fieldname in set(first.fields) & set(second.fields):
            docs, counts = pair_counts(
                _positions(postings, fieldname, first), _positions(postings, fieldname, second)
            )
            weighted[docs] += field_weight(fieldname) * counts / length_norms(fieldname)[docs]
        found = np.flatnonzero(weighted)
        if len(found):
            pair_rarity = rarity(len(found), first.alternatives[0][0][0])
            tf = weighted[found]
            scores[found] += pair_rarity * tf * (k1 + 1) / (k1 + tf)
    return scores


def _positions(postings: TermPostings, fieldname: str, word: Word) -> np.ndarray:
    """The sorted position keys of a word's one-term forms in a field (an unspaced word's
    bigrams stand apart: they are no word of their own to be near)."""
    keys = [postings.position_keys(fieldname, t[0]) for t, _b in word.alternatives if len(t) == 1]
    if len(keys) == 1:
        return keys[0]
    return np.unique(np.concatenate(keys)) if keys else np.zeros(0, dtype=np.uint64)
