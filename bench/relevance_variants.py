"""Each ranking choice turned off in turn, measured on the same indexes: what each one brings.

A variant is the measured ranking (``RankingSettings()``) with one choice changed back to what
newsindex did before issue 12, or left out. Variants are ranked through the same
``SearchService`` as the main run, asking only for the ids of the first 1,000 results
(``SearchService.ranked_ids``: no pages, snippets or facets), which the main run checks gives
the ids its pages give.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

VARIANTS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("as measured: every choice below", {}),
    ("without the match rule by length (every word; any word only when none has all)",
     {"any_word_when_long": False}),
    ("without question words left out", {"question_words": False}),
    ("without BM25F of whole words (Whoosh's BM25F: each field saturated alone)",
     {"combined_fields": False}),
    ("without k1 = 1.4 (Whoosh's 1.2)", {"k1": 1.2}),
    ("without title b = 0.9 (0.75 as the other fields)", {"field_b": ()}),
    ("without field weights 2.25 / 1.5 / 1 (Whoosh's 3 / 2 / 1)",
     {"field_weights": (("title", 3.0), ("teaser", 2.0), ("body", 1.0))}),
    ("without repeated query words counting more", {"repeated_words": 0.0}),
    ("without feedback for long queries", {"feedback_docs": 0}),
    ("without proximity for short queries", {"proximity": 0.0}),
    ("without most words after fewer than 10 with all (only when none)", {"relax_below": 1}),
)  # fmt: skip


@contextmanager
def ranking_searcher(index_dir: Path, changes: dict[str, Any]) -> Iterator[Callable]:
    """``search(text, depth) -> ids`` with the measured ranking changed by ``changes``."""
    from indexer.config import load_settings
    from indexer.search.ranking import DEFAULT_RANKING
    from indexer.search.requests import SearchRequest
    from indexer.search.service import SearchService

    settings = load_settings({"index_dir": index_dir, "result_cache": 0}, environ={})
    ranking = replace(DEFAULT_RANKING, **changes)
    with SearchService(settings, ranking=ranking) as service:
        yield lambda text, depth: service.ranked_ids(SearchRequest.from_params({"q": text}), depth)
