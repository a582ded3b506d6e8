"""Did you mean: a differently spelled query that finds many more articles.

Suggestions come from the ``words`` field, which holds real words (accents folded, never stems) of
titles and teasers, so a suggestion is always something a reader could have typed.

A word one edit away (a letter missing, extra, wrong, or two letters swapped) is found by trying
every such edit against the field's words, held in memory: a fraction of a millisecond, where
Whoosh's Levenshtein automaton takes 10 to 20. Only a word that is in no article at all is then
given Whoosh's search two edits away; a real but rare word is not second-guessed that far.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Iterator
from typing import Any

from indexer.errors import QueryError
from indexer.index.whoosh_types import Searcher
from indexer.search.languages import is_indexed
from indexer.search.query_parser import QueryReader

SUGGEST_BELOW = 5  # only queries finding fewer results than this get a suggestion
MIN_GAIN = 3  # the suggestion must find this many times more results
_PLAIN_WORD = re.compile(r"[^\W\d_]{3,}")


class SpellingWords:
    """The words of one generation's ``words`` field, read on first use."""

    def __init__(self, searcher: Searcher) -> None:
        self.searcher = searcher
        self._words: frozenset[str] | None = None

    @property
    def words(self) -> frozenset[str]:
        if self._words is None:
            lexicon = self.searcher.reader().lexicon("words")
            self._words = frozenset(term.decode("utf-8") for term in lexicon)
        return self._words

    def correct(self, word: str) -> str | None:
        """The most frequent word one edit away that starts with the same letter; failing
        that, for a word in no article, the best of Whoosh's within two edits."""
        close = {w for w in one_edit_away(word) if w in self.words and w[0] == word[0]}
        close.discard(word)
        if close:
            frequency = self.searcher.frequency
            return max(sorted(close), key=lambda w: frequency("words", w))
        if self._indexed(word):
            return None
        found = self.searcher.corrector("words").suggest(word, limit=1, maxdist=2, prefix=1)
        return found[0] if found else None

    def _indexed(self, word: str) -> bool:
        """Whether a search for ``word`` finds anything (in any searched field and language)."""
        return is_indexed(self.searcher, word)


def one_edit_away(word: str) -> Iterator[str]:
    """Every string one deletion, transposition, substitution or insertion (a-z) from
    ``word``; some more than once, and ``word`` itself."""
    letters = string.ascii_lowercase
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    for left, right in splits:
        if right:
            yield left + right[1:]
            for letter in letters:
                yield left + letter + right[1:]
        if len(right) > 1:
            yield left + right[1] + right[0] + right[2:]
        for letter in letters:
            yield left + letter + right


def suggest_spelling(
    spelling: SpellingWords,
    reader: QueryReader,
    q: str,
    total: int,
    count: Callable[[Any], int],
) -> str | None:
    """The corrected query text, or None when there is nothing better to suggest; ``count``
    tells how many articles a parsed query finds."""
    if total >= SUGGEST_BELOW or not q.strip():
        return None
    searcher = spelling.searcher
    words = q.split()
    changed = False
    for position, word in enumerate(words):
        if not _PLAIN_WORD.fullmatch(word):
            continue  # operators, fields, phrases, numbers: left as typed
        lowered = word.lower()
        if lowered in spelling.words:
            continue
        found = spelling.correct(lowered)
        if found:
            words[position] = found
            changed = True
    if not changed:
        return None
    suggestion = " ".join(words)
    try:
        parsed = reader.read(suggestion, searcher.reader())
    except QueryError:
        return None
    found_total = count(parsed) if parsed is not None else 0
    return suggestion if found_total >= max(1, total * MIN_GAIN) else None
