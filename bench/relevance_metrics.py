"""Ranking quality of one ranked list against the documents judged relevant (binary judgments).

The usual measures of the test collections, as ``trec_eval`` defines them: average precision over
the first ``depth`` results (its mean over queries is MAP), nDCG at 10 with gains 0 or 1, precision
at 10 and recall at 100. A query that finds nothing scores 0 on each.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

MEASURES = ("map", "ndcg_10", "p_10", "recall_100")
DEPTH = 1000


@dataclass(frozen=True)
class QueryScores:
    """The measures of one query."""

    average_precision: float
    ndcg_10: float
    p_10: float
    recall_100: float

    def as_dict(self) -> dict[str, float]:
        return dict(zip(MEASURES, self.values(), strict=True))

    def values(self) -> tuple[float, float, float, float]:
        return (self.average_precision, self.ndcg_10, self.p_10, self.recall_100)


def score_ranking(ranked: Sequence[str], relevant: Collection[str]) -> QueryScores:
    """The measures of ``ranked`` (document ids, best first) for a query whose relevant
    documents are ``relevant`` (not empty)."""
    ranked = ranked[:DEPTH]
    hits = [doc in relevant for doc in ranked]
    return QueryScores(
        average_precision=_average_precision(hits, len(relevant)),
        ndcg_10=_ndcg(hits[:10], len(relevant)),
        p_10=sum(hits[:10]) / 10,
        recall_100=sum(hits[:100]) / len(relevant),
    )


def mean_scores(scores: Iterable[QueryScores]) -> dict[str, float]:
    """Each measure's mean over the queries (0 for none)."""
    listed = list(scores)
    if not listed:
        return dict.fromkeys(MEASURES, 0.0)
    columns = zip(*(s.values() for s in listed), strict=True)
    return {name: sum(column) / len(listed) for name, column in zip(MEASURES, columns, strict=True)}


def _average_precision(hits: Sequence[bool], relevant_count: int) -> float:
    found, total = 0, 0.0
    for rank, hit in enumerate(hits, start=1):
        if hit:
            found += 1
            total += found / rank
    return total / relevant_count


def _ndcg(hits: Sequence[bool], relevant_count: int) -> float:
    gain = sum(1 / math.log2(rank + 1) for rank, hit in enumerate(hits, start=1) if hit)
    ideal = sum(1 / math.log2(rank + 1) for rank in range(1, min(relevant_count, 10) + 1))
    return gain / ideal
