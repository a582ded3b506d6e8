"""Scoring kept bodies against marked ones, the way the article extraction benchmark does.

``../shared/pages-benchmark/README.md`` describes it: tokens are runs of word characters; a text
becomes its 4-token shingles, counted with multiplicity; per page TP, FP and FN are shingle counts
divided by their sum (so a long page weighs no more than a short one); precision and recall are
means over pages, and F1 is taken of those two means. As in the benchmark's own evaluation, a
page where nothing was kept has no precision (it is left out of that mean) and a recall of 0.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

SHINGLE_TOKENS = 4
_TOKEN = re.compile(r"\w+")


@dataclass(frozen=True)
class PageCounts:
    """A page's shingles kept rightly (tp), kept wrongly (fp) and missed (fn), as shares."""

    tp: float
    fp: float
    fn: float

    @property
    def precision(self) -> float | None:
        """TP/(TP+FP); None when nothing was kept though something was to be kept (such a
        page is left out of the mean precision), 1 when both sides are empty."""
        return self._share(self.fp)

    @property
    def recall(self) -> float | None:
        """TP/(TP+FN); None when nothing was to be kept though something was kept."""
        return self._share(self.fn)

    @property
    def f1(self) -> float:
        precision, recall = self.precision or 0.0, self.recall or 0.0
        return 2 * precision * recall / (precision + recall) if precision + recall else 0.0

    def _share(self, wrong: float) -> float | None:
        if self.tp == self.fp == self.fn == 0:
            return 1.0
        return self.tp / (self.tp + wrong) if self.tp + wrong else None


@dataclass(frozen=True)
class Scores:
    """Means over pages, and F1 of the means (the benchmark's figures)."""

    precision: float
    recall: float
    f1: float
    pages: int


def shingles(text: str) -> Counter[tuple[str, ...]]:
    """Every run of ``SHINGLE_TOKENS`` consecutive tokens (a shorter text is one shingle)."""
    tokens = _TOKEN.findall(text or "")
    count = max(1, len(tokens) - SHINGLE_TOKENS + 1)
    runs = (tuple(tokens[start : start + SHINGLE_TOKENS]) for start in range(count))
    return Counter(run for run in runs if run)


def page_counts(marked: str, kept: str) -> PageCounts:
    """TP, FP and FN of ``kept`` against ``marked``, normalised by their sum."""
    expected, found = shingles(marked), shingles(kept)
    tp = sum((expected & found).values())
    fp = sum((found - expected).values())
    fn = sum((expected - found).values())
    total = tp + fp + fn
    if not total:
        return PageCounts(0.0, 0.0, 0.0)
    return PageCounts(tp / total, fp / total, fn / total)


def mean_scores(pages: list[PageCounts]) -> Scores:
    precisions = [p.precision for p in pages if p.precision is not None]
    recalls = [p.recall for p in pages if p.recall is not None]
    precision = sum(precisions) / len(precisions) if precisions else 0.0
    recall = sum(recalls) / len(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(precision, recall, f1, len(pages))
