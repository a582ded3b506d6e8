"""Did you mean: a differently spelled query that finds many more articles.

Suggestions come from the ``words`` field, which holds real words (accents folded, never stems) of
titles and teasers, so a suggestion is always something a reader could have typed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from indexer.errors import QueryError
from indexer.query_parser import QueryReader

SUGGEST_BELOW = 5  # only queries finding fewer results than this get a suggestion
MIN_GAIN = 3  # the suggestion must find this many times more results
_PLAIN_WORD = re.compile(r"[^\W\d_]{3,}")


def suggest_spelling(
    searcher: Any, reader: QueryReader, q: str, total: int, count: Callable[[Any], int]
) -> str | None:
    """The corrected query text, or None when there is nothing better to suggest; ``count``
    tells how many articles a parsed query finds."""
    if total >= SUGGEST_BELOW or not q.strip():
        return None
    words = q.split()
    corrector = searcher.corrector("words")
    changed = False
    for position, word in enumerate(words):
        if not _PLAIN_WORD.fullmatch(word):
            continue  # operators, fields, phrases, numbers: left as typed
        lowered = word.lower()
        if searcher.doc_frequency("words", lowered) > 0:
            continue
        found = corrector.suggest(lowered, limit=1, maxdist=2, prefix=1)
        if found:
            words[position] = found[0]
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
