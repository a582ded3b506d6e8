"""Which documents match a query, as one representation from postings to the page.

A set of documents is a ``DocSet``: a numpy array of document numbers, sorted and without
repeats. Postings are already in that form, so a term's documents cost nothing; AND is a binary
search of the smaller set in the larger, OR a merge, NOT a difference; date and section filters,
facet counts and ranking index per-document columns with the set directly. Facet counts, filters
and totals need every matching document, not only the best ten: Whoosh would find them by walking
its matcher tree one document at a time in Python.

A query of terms (words, OR, NOT, -excluded, expanded prefixes, phrases) is answered here; what
is unusual is left to Whoosh and its answer turned into a DocSet once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import numpy as np
from whoosh import query

from indexer.index.index_formats import term_text
from indexer.search.deadline import NO_DEADLINE, Deadline

if TYPE_CHECKING:
    from indexer.search.postings import TermPostings

DocSet = np.ndarray  # document numbers, sorted ascending, no repeats (DOC_TYPE)
DOC_TYPE = np.uint32
EMPTY: DocSet = np.zeros(0, dtype=DOC_TYPE)


def docset(numbers: Iterable[int]) -> DocSet:
    """A DocSet of any document numbers (sorted and deduplicated here)."""
    return np.unique(np.fromiter(numbers, dtype=DOC_TYPE))


def intersection(first: DocSet, second: DocSet) -> DocSet:
    """The documents in both: each of the smaller set looked up in the larger by binary search."""
    small, large = (first, second) if len(first) <= len(second) else (second, first)
    if not len(small) or not len(large):
        return EMPTY
    at = np.minimum(np.searchsorted(large, small), len(large) - 1)
    found: DocSet = small[large[at] == small]
    return found


def union(sets: Sequence[DocSet]) -> DocSet:
    """The documents in any of ``sets``: their sorted runs merged (a stable sort of sorted runs
    is a merge, linear; numpy's hash-based ``unique`` took twenty times as long at 200k), then
    the repeats out."""
    if not sets:
        return EMPTY
    if len(sets) == 1:
        return sets[0]
    merged = np.sort(np.concatenate(sets), kind="stable")
    if len(merged) < 2:
        return merged
    first = np.empty(len(merged), dtype=bool)
    first[0] = True
    np.not_equal(merged[1:], merged[:-1], out=first[1:])
    return merged[first]


def difference(kept: DocSet, removed: DocSet) -> DocSet:
    """The documents of ``kept`` that are not in ``removed``."""
    if not len(kept) or not len(removed):
        return kept
    at = np.minimum(np.searchsorted(removed, kept), len(removed) - 1)
    left: DocSet = kept[removed[at] != kept]
    return left


def matching_docs(
    postings: TermPostings,
    parsed: query.Query,
    every: DocSet,
    deadline: Deadline = NO_DEADLINE,
) -> DocSet:
    """The documents ``parsed`` matches; ``every`` is the DocSet of all live documents."""
    deadline.check()
    kind = type(parsed)
    if kind is query.Term:
        return postings.docs(parsed.fieldname, term_text(parsed.text))
    if isinstance(parsed, query.Or | query.DisjunctionMax):
        return union([matching_docs(postings, q, every, deadline) for q in parsed.subqueries])
    if kind is query.And or kind is query.Require:
        parts = [matching_docs(postings, q, every, deadline) for q in parsed.subqueries]
        return _intersect_all(parts)
    if kind is query.AndNot:
        excluded = matching_docs(postings, parsed.b, every, deadline)
        return difference(matching_docs(postings, parsed.a, every, deadline), excluded)
    if kind is query.AndMaybe:
        return matching_docs(postings, parsed.a, every, deadline)
    if kind is query.Not:
        return difference(every, matching_docs(postings, parsed.query, every, deadline))
    if kind is query.Every:
        return every
    if parsed is query.NullQuery:
        return EMPTY
    if kind is query.Phrase and parsed.slop == 1:
        words = [term_text(w) for w in parsed.words]
        return phrase_docs(postings, parsed.fieldname, words, deadline)
    whoosh_answer = postings.searcher.docs_for_query(parsed)  # the rest: Whoosh's way
    return intersection(docset(whoosh_answer), every)


def _intersect_all(parts: list[DocSet]) -> DocSet:
    """Smallest first, so every step is as cheap as the smallest set allows."""
    if not parts:
        return EMPTY
    parts = sorted(parts, key=len)
    found = parts[0]
    for part in parts[1:]:
        found = intersection(found, part)
    return found


def phrase_docs(
    postings: TermPostings, fieldname: str, words: list[str], deadline: Deadline = NO_DEADLINE
) -> DocSet:
    """Documents with ``words`` one after the other. Each word's occurrences are a sorted array
    of ``document << 32 | position`` (``postings.position_keys``); the occurrences of the rarest
    word that have every other word at the right distance are found by binary search in numpy."""
    if len(words) < 2:
        return postings.docs(fieldname, words[0]) if words else EMPTY
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
    return np.unique((starts >> np.uint64(32)).astype(DOC_TYPE))


def positive_terms(parsed: query.Query | None) -> set[tuple[str, str]]:
    """The (field, text) terms a query looks for, leaving out the excluded ones (for marking)."""
    if parsed is None or parsed is query.NullQuery or isinstance(parsed, query.Not):
        return set()
    if isinstance(parsed, query.Term):
        return {(parsed.fieldname, term_text(parsed.text))}
    if isinstance(parsed, query.Phrase):
        return {(parsed.fieldname, term_text(word)) for word in parsed.words}
    if isinstance(parsed, query.AndNot):
        return positive_terms(parsed.a)
    if isinstance(parsed, query.CompoundQuery | query.AndMaybe):
        children = (
            parsed.subqueries if isinstance(parsed, query.CompoundQuery) else (parsed.a, parsed.b)
        )
        return set().union(*(positive_terms(child) for child in children))
    return {(field, term_text(text)) for field, text in parsed.iter_all_terms()}
