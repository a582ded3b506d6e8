"""Known-item searches: finding one remembered article by a few of its headline's words.

From the news corpora, ``count`` headlines are sampled with ``random.Random(seed)``; each becomes a
query of its *distinctive words*: the three words of the headline that the fewest articles of the
corpora contain (not stop words; numbers count as words, as people type them), in the order of the
headline. A headline shared by several articles (Reuters repeats many) names no single article and
is not sampled, nor is one with fewer than two such words. The score is the share of queries whose
article comes in the first three results.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from indexer.analysis.tokenizer import TOKEN_PATTERN
from indexer.analysis.word_lists import stop_words

DISTINCTIVE_WORDS = 3
TOP = 3
_WORD = re.compile(TOKEN_PATTERN)  # words as the project reads them: 455,000 is one


@dataclass(frozen=True)
class KnownItem:
    """One known-item search: the article sought, its headline and the query made of it."""

    article_id: str
    headline: str
    query: str


def sample_known_items(records: Iterable[dict[str, Any]], count: int, seed: int) -> list[KnownItem]:
    """``count`` known-item searches drawn from ``records`` (fewer if fewer qualify)."""
    stops = stop_words("en")
    headlines: list[tuple[str, str, list[str]]] = []
    frequency: Counter[str] = Counter()
    for record in records:
        title = str(record.get("title") or "")
        text = " ".join(str(record.get(name) or "") for name in ("title", "teaser", "body"))
        frequency.update(set(_words(text)))
        words = [w for w in _words(title) if w not in stops and len(w) > 1]
        headlines.append((str(record.get("id") or ""), title, words))
    shared = Counter(tuple(_words(title)) for _id, title, _words_ in headlines)
    eligible = [
        (article_id, title, words)
        for article_id, title, words in headlines
        if article_id and shared[tuple(_words(title))] == 1 and len(set(words)) >= 2
    ]
    chosen = random.Random(seed).sample(eligible, min(count, len(eligible)))
    return [
        KnownItem(article_id, title, " ".join(_distinctive(words, frequency)))
        for article_id, title, words in chosen
    ]


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _distinctive(words: list[str], frequency: Counter[str]) -> list[str]:
    """The ``DISTINCTIVE_WORDS`` rarest of ``words`` (ties: the earlier), in headline order."""
    unique = list(dict.fromkeys(words))
    rarest = sorted(range(len(unique)), key=lambda i: (frequency[unique[i]], i))
    kept = sorted(rarest[:DISTINCTIVE_WORDS])
    return [unique[i] for i in kept]


def found_in_top(ranked: list[str], article_id: str, top: int = TOP) -> bool:
    return article_id in ranked[:top]
