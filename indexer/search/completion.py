"""Completing what a reader is typing: the archive's phrases that start with it, the most
used first (the generation's ``suggestions-<hash>.npz``, mined at rebuild by
``indexer.index.phrases``).

The prefix is read as the phrases were mined (lowercased, punctuation and digits as word breaks,
spaces squeezed; spaces left out of text written without them), then the sorted phrases that
start with it are found by bisection and the most frequent of them taken with numpy: a few
microseconds, whatever the prefix.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from pathlib import Path

import numpy as np

from indexer.analysis.scripts import CJK_CLASS
from indexer.errors import IndexCheckError, QueryError
from indexer.index.suggestion_table import SuggestionTable

MAX_COMPLETIONS = 8
MAX_PREFIX_CHARS = 200  # a longer prefix is refused (400), as a longer query is
_NOT_WORD = re.compile(r"[^\w\s]+|\d+|_")
_SPACE_IN_UNSPACED = re.compile(f"(?<=[{CJK_CLASS}])\\s+(?=[{CJK_CLASS}])")
_CONTROLS = re.compile(r"[\x00-\x1f\x7f]")
_LAST = "\U0010ffff"


class Completions:
    """One generation's phrases, ready to complete prefixes."""

    def __init__(self, table: SuggestionTable) -> None:
        self.phrases = table.phrases
        self.counts = table.counts

    @classmethod
    def of_generation(cls, folder: Path) -> Completions:
        """The phrases of the generation in ``folder``; none for a generation written before
        there were any (``indexer rebuild`` makes them; ``indexer check`` reports it)."""
        try:
            return cls(SuggestionTable.load(folder))
        except IndexCheckError:
            return cls(SuggestionTable([], [], np.zeros(0, dtype=np.int64)))

    def complete(self, prefix: str, limit: int = MAX_COMPLETIONS) -> list[str]:
        """The phrases starting with ``prefix``, most used first (ties in text order)."""
        start = normalized_prefix(prefix)
        if not start.strip():
            return []
        low = bisect.bisect_left(self.phrases, start)
        high = bisect.bisect_left(self.phrases, start + _LAST, lo=low)
        if low == high:
            return []
        counts = self.counts[low:high]
        order = np.lexsort((np.arange(len(counts)), -counts))[:limit]
        return [self.phrases[low + int(row)] for row in order]


def normalized_prefix(prefix: str) -> str:
    """``prefix`` as the phrases are written; QueryError for one too long to be typed."""
    if len(prefix) > MAX_PREFIX_CHARS:
        raise QueryError(f"a prefix to complete is at most {MAX_PREFIX_CHARS} characters")
    text = unicodedata.normalize("NFKC", _CONTROLS.sub(" ", prefix)).lower()
    ends_a_word = text[-1:].isspace() or bool(_NOT_WORD.fullmatch(text[-1:]))
    words = " ".join(_NOT_WORD.sub(" ", text).split())
    words = _SPACE_IN_UNSPACED.sub("", words)
    return words + " " if words and ends_a_word else words
