"""Words close together: a short query's words standing near each other in an article.

For each pair of the query's words, each occurrence of the first with one of the second at most
``WINDOW`` words away (either side, in the same field) counts; the counts are weighted and
normalised by field like a word's frequency, and scored with BM25 as if the pair were a word of
its own (rarer pairs count more), times the ranking's ``proximity`` weight. Word positions come
from ``postings.position_keys``: ``document << 32 | position``, sorted.
"""

from __future__ import annotations

import math
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
) -> np.ndarray:
    """The closeness score of every document for the pairs of ``words``; ``length_norms``
    gives a field's BM25 length normalisation of every document."""
    live = max(postings.searcher.doc_count(), 1)
    scores = np.zeros(documents, dtype=np.float64)
    for first, second in combinations(words, 2):
        weighted = np.zeros(documents, dtype=np.float64)
        for fieldname in set(first.fields) & set(second.fields):
            docs, counts = pair_counts(
                postings.position_keys(fieldname, first.text),
                postings.position_keys(fieldname, second.text),
            )
            weighted[docs] += field_weight(fieldname) * counts / length_norms(fieldname)[docs]
        found = np.flatnonzero(weighted)
        if len(found):
            rarity = math.log(1 + (live - len(found) + 0.5) / (len(found) + 0.5))
            tf = weighted[found]
            scores[found] += rarity * tf * (k1 + 1) / (k1 + tf)
    return scores
