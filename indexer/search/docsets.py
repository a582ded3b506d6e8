"""Which documents match a query, as a set of document numbers, at the speed of set operations.

Facet counts, filters and totals need every matching document, not only the best ten. Whoosh
finds them by walking its matcher tree one document at a time in Python; here a query of terms
(the usual case: words, OR, NOT, -excluded, expanded prefixes) is answered from decoded postings
(``postings``) combined with C-level set operations, and only what needs positions (phrases) or
is unusual is left to Whoosh.
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
from whoosh import query

from indexer.search.deadline import NO_DEADLINE, Deadline
from indexer.search.postings import TermPostings


def matching_docs(
    postings: TermPostings,
    parsed: query.Query,
    every: frozenset[int],
    deadline: Deadline = NO_DEADLINE,
) -> set[int]:
    """The document numbers ``parsed`` matches; ``every`` is the set of all live documents."""
    deadline.check()
    kind = type(parsed)
    if kind is query.Term:
        return set(postings.get(parsed.fieldname, _text(parsed.text))[0])
    if isinstance(parsed, query.Or | query.DisjunctionMax):
        return set().union(
            *(matching_docs(postings, q, every, deadline) for q in parsed.subqueries)
        )
    if kind is query.And or kind is query.Require:
        parts = [matching_docs(postings, q, every, deadline) for q in parsed.subqueries]
        return set.intersection(*parts) if parts else set()
    if kind is query.AndNot:
        excluded = matching_docs(postings, parsed.b, every, deadline)
        return matching_docs(postings, parsed.a, every, deadline) - excluded
    if kind is query.AndMaybe:
        return matching_docs(postings, parsed.a, every, deadline)
    if kind is query.Not:
        return set(every) - matching_docs(postings, parsed.query, every, deadline)
    if kind is query.Every:
        return set(every)
    if parsed is query.NullQuery:
        return set()
    if kind is query.Phrase and parsed.slop == 1:
        words = [_text(w) for w in parsed.words]
        return phrase_docs(postings, parsed.fieldname, words, deadline)
    return set(postings.searcher.docs_for_query(parsed)) & every  # the rest: Whoosh's way


def phrase_docs(
    postings: TermPostings, fieldname: str, words: list[str], deadline: Deadline = NO_DEADLINE
) -> set[int]:
    """Documents with ``words`` one after the other. Each word's occurrences are a sorted array
    of ``document << 32 | position`` (``postings.position_keys``); the occurrences of the rarest
    word that have every other word at the right distance are found by binary search in numpy."""
    if len(words) < 2:
        return set(postings.get(fieldname, words[0])[0]) if words else set()
    occurrences = []
    for word in words:
        deadline.check()
        occurrences.append(postings.position_keys(fieldname, word))
    anchor = min(range(len(words)), key=lambda i: len(occurrences[i]))
    starts = occurrences[anchor]
    for i, keys in enumerate(occurrences):
        if i != anchor and len(starts):
            wanted = (starts.astype(np.int64) + (i - anchor)).astype(np.uint64)
            at = np.minimum(np.searchsorted(keys, wanted), max(len(keys) - 1, 0))
            starts = starts[keys[at] == wanted] if len(keys) else starts[:0]
    return set((starts >> np.uint64(32)).tolist())


def as_doc_array(docs: Collection[int] | np.ndarray) -> np.ndarray:
    """Document numbers as a numpy array (for counting and ranking them as arrays)."""
    if isinstance(docs, np.ndarray):
        return docs
    return np.fromiter(docs, dtype=np.int64, count=len(docs))


def positive_terms(parsed: query.Query | None) -> set[tuple[str, str]]:
    """The (field, text) terms a query looks for, leaving out the excluded ones (for marking)."""
    if parsed is None or parsed is query.NullQuery or isinstance(parsed, query.Not):
        return set()
    if isinstance(parsed, query.Term):
        return {(parsed.fieldname, _text(parsed.text))}
    if isinstance(parsed, query.Phrase):
        return {(parsed.fieldname, _text(word)) for word in parsed.words}
    if isinstance(parsed, query.AndNot):
        return positive_terms(parsed.a)
    if isinstance(parsed, query.CompoundQuery | query.AndMaybe):
        children = (
            parsed.subqueries if isinstance(parsed, query.CompoundQuery) else (parsed.a, parsed.b)
        )
        return set().union(*(positive_terms(child) for child in children))
    return {(field, _text(text)) for field, text in parsed.iter_all_terms()}


def _text(term: str | bytes) -> str:
    return term.decode("utf-8") if isinstance(term, bytes) else term
