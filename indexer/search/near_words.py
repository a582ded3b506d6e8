"""The words of a field within two edits of a word, found without reading the whole term index.

Whoosh's corrector (``searcher.corrector(field).suggest``) walks every term of the field that
starts with the word's letter and computes its distance in Python (``terms_within``): 10 to 20
ms a word, the slowest part of a results page with a rare word. ``NearWords`` finds the same
words from the field's words held in memory:

- an edit changes the count of at most two letters by one each (a transposition changes none),
  so a word two edits away has letter counts at most four apart from the word's, and a length
  at most two apart: numpy compares the counts of every word of the same first letter and
  length at once, leaving a few dozen;
- their distance is then Whoosh's own (``damerau_levenshtein``: an adjacent transposition is
  one edit), and they are ranked as Whoosh's corrector ranks them: the most frequent first.

Whoosh answers this way when an index has several segments; on a single segment it uses a
Levenshtein automaton, which counts a transposition as two edits. ``NearWords`` answers the
first way for every index.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
from whoosh.support.levenshtein import damerau_levenshtein

MAX_EDITS = 2
LETTER_BUCKETS = 32  # a-z counted each; other characters folded into the 6 left
_LETTERS = 26
_COUNT_MAX = 255  # counts kept as bytes (a lower count only loosens the filter)


@dataclass(frozen=True)
class _Words:
    """The words of one first letter, sorted by length: their lengths and letter counts."""

    words: list[str]
    lengths: np.ndarray
    counts: np.ndarray  # (words, LETTER_BUCKETS) uint8

    @classmethod
    def of(cls, words: list[str]) -> _Words:
        words = sorted(words, key=lambda word: (len(word), word))
        lengths = np.fromiter(map(len, words), dtype=np.int64, count=len(words))
        return cls(words, lengths, _letter_counts("".join(words), lengths))

    def within(self, word: str, edits: int) -> list[str]:
        """The words whose letter counts and length allow ``edits`` edits from ``word``, and
        whose distance is no more."""
        low = int(np.searchsorted(self.lengths, len(word) - edits, side="left"))
        high = int(np.searchsorted(self.lengths, len(word) + edits, side="right"))
        wanted = _letter_counts(word, np.array([len(word)])).astype(np.int16)
        apart = np.abs(self.counts[low:high].astype(np.int16) - wanted).sum(axis=1)
        close = np.flatnonzero(apart <= 2 * edits) + low
        found = (self.words[i] for i in close.tolist())
        return [w for w in found if damerau_levenshtein(w, word, limit=edits) <= edits]


def _letter_counts(text: str, lengths: np.ndarray) -> np.ndarray:
    """The letter counts (LETTER_BUCKETS a word) of the words ``text`` joins, of ``lengths``."""
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    buckets = _LETTERS + codes % (LETTER_BUCKETS - _LETTERS)
    letters = (codes >= ord("a")) & (codes <= ord("z"))
    buckets[letters] = codes[letters] - ord("a")
    owners = np.repeat(np.arange(len(lengths)), lengths)
    counts = np.bincount(owners * LETTER_BUCKETS + buckets, minlength=len(lengths) * LETTER_BUCKETS)
    return np.minimum(counts, _COUNT_MAX).astype(np.uint8).reshape(len(lengths), LETTER_BUCKETS)


class NearWords:
    """The words of a field, by first letter, for the words near a misspelt one."""

    def __init__(self, words: Iterable[str]) -> None:
        by_letter: dict[str, list[str]] = defaultdict(list)
        for word in words:
            if word:
                by_letter[word[0]].append(word)
        self._by_letter = {letter: _Words.of(found) for letter, found in by_letter.items()}

    def suggest(self, word: str, frequency: Callable[[str], float], limit: int) -> list[str]:
        """What Whoosh's ``corrector.suggest(word, limit, maxdist=2, prefix=1)`` answers: the
        ``limit`` most frequent words (``frequency``: a word's count in the field) within two
        edits of ``word`` that start with its letter, most frequent first."""
        near = self._by_letter.get(word[:1])
        if near is None:
            return []
        # Whoosh's score of a suggestion, and its order: ties go to the later word
        found = near.within(word, MAX_EDITS)
        scored = [(-(MAX_EDITS + 1.0 / (frequency(w) or 1) * 0.5), w) for w in found]
        best = heapq.nlargest(limit, scored)
        return [w for _score, w in sorted(best, key=lambda item: (0 - item[0], item[1]))]
