"""Cutting text written without spaces into terms.

- Chinese, Japanese and Korean (``CJK`` scripts): overlapping character bigrams, and each single
  character too, so that a one-character word is found. A character's unigram and the bigram that
  starts with it share its position, so the bigrams of a longer word follow one another and a
  query for it is their phrase (``人工智能``: ``人工 工智 智能``).
- Thai, Lao, Khmer and Burmese (``DICTIONARY`` scripts): words from ICU's dictionary word
  breaker (PyICU). Where PyICU is not installed, grapheme-cluster bigrams instead, cut like CJK
  text (a cluster is a letter with the vowel signs and tone marks on it, which are never split
  off). An index records which of the two it was built with (``Segmenter.kind``), since its
  queries must be cut the same way.
"""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Iterator
from typing import Protocol

from indexer.errors import SchemaMismatchError

_ICU_WORD_STATUS = 100  # ICU's rule status of a word (numbers, letters, kana, ideographs)
Piece = tuple[str, int, int, int]  # text, start, end (offsets in the run), position increment


def bigram_pieces(units: list[tuple[int, int]], run: str, query: bool) -> Iterator[Piece]:
    """Unigrams and overlapping bigrams of a run cut into ``units`` (start, end); in query mode
    only the bigrams (a one-unit run: its unigram)."""
    if query and len(units) > 1:
        for (start, _end), (_start, end) in zip(units, units[1:], strict=False):
            yield run[start:end], start, end, 1
        return
    for number, (start, end) in enumerate(units):
        yield run[start:end], start, end, 1
        if not query and number + 1 < len(units):
            bigram_end = units[number + 1][1]
            yield run[start:bigram_end], start, bigram_end, 0


def character_units(run: str) -> list[tuple[int, int]]:
    return [(at, at + 1) for at in range(len(run))]


def grapheme_units(run: str) -> list[tuple[int, int]]:
    """Grapheme clusters, as far as the dictionary scripts need: a base character with the
    combining marks that follow it."""
    units: list[tuple[int, int]] = []
    for at, char in enumerate(run):
        kind = unicodedata.category(char)[0]
        if kind == "M" and units and units[-1][1] == at:
            units[-1] = (units[-1][0], at + 1)
        elif kind in "LN":  # punctuation (the Burmese section mark...) is no unit
            units.append((at, at + 1))
    return units


def icu_available() -> bool:
    try:
        import icu  # noqa: F401
    except ImportError:
        return False
    return True


class WordBreaker(Protocol):
    """What is used of ICU's word ``BreakIterator``: the ends of a text's pieces, and whether
    each is a word."""

    def setText(self, text: str) -> None: ...
    def __iter__(self) -> Iterator[int]: ...
    def getRuleStatus(self) -> int: ...


class Segmenter:
    """Cuts runs of the dictionary scripts: ``kind`` is ``icu`` or ``graphemes``."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._local = threading.local()  # ICU's break iterators are not thread-safe

    def __getstate__(self) -> dict[str, str]:
        return {"kind": self.kind}

    def __setstate__(self, state: dict[str, str]) -> None:
        self.__init__(state["kind"])  # type: ignore[misc]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Segmenter) and other.kind == self.kind

    def __hash__(self) -> int:
        return hash(self.kind)

    def pieces(self, run: str, query: bool) -> Iterator[Piece]:
        if self.kind == "graphemes":
            yield from bigram_pieces(grapheme_units(run), run, query)
            return
        breaker = self._breaker()
        breaker.setText(run)
        start = 0
        for end in breaker:
            if breaker.getRuleStatus() >= _ICU_WORD_STATUS:  # a word, not a space or a mark
                yield run[start:end], start, end, 1
            start = end

    def _breaker(self) -> WordBreaker:
        breaker: WordBreaker | None = getattr(self._local, "breaker", None)
        if breaker is None:
            try:
                import icu
            except ImportError:
                raise SchemaMismatchError(
                    "this index cuts Thai, Lao, Khmer and Burmese text with ICU's word breaker, "
                    "but PyICU is not installed: install it (pip install PyICU) or run "
                    "`indexer rebuild`"
                ) from None
            breaker = icu.BreakIterator.createWordInstance(icu.Locale.getRoot())
            self._local.breaker = breaker
        return breaker
