"""Which documents match a query, as a set of document numbers, at the speed of set operations.

Facet counts, filters and totals need every matching document, not only the best ten. Whoosh
finds them by walking its matcher tree one document at a time in Python; here a query of terms
(the usual case: words, OR, NOT, -excluded, expanded prefixes) is answered from decoded postings
(``postings``) combined with C-level set operations, and only what needs positions (phrases) or
is unusual is left to Whoosh.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import Any

from whoosh import query
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.reading import TermNotFound

from indexer.deadline import NO_DEADLINE, Deadline
from indexer.postings import TermPostings


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
    """Documents with ``words`` one after the other: the documents having every word (a set
    intersection), then the positions of the words in those documents only."""
    candidates = set.intersection(*(set(postings.get(fieldname, w)[0]) for w in words))
    if len(words) < 2 or not candidates:
        return candidates
    found: set[int] = set()
    for segment, offset in postings.searcher.reader().leaf_readers():
        size = segment.doc_count_all()
        local = {d - offset for d in candidates if offset <= d < offset + size}
        if not local:
            continue
        positions = [word_positions(segment, fieldname, w, local, deadline) for w in words]
        found.update(d + offset for d in local if _adjacent([p.get(d, []) for p in positions]))
    return found


def word_positions(
    segment: Any, fieldname: str, word: str, docs: set[int], deadline: Deadline = NO_DEADLINE
) -> dict[int, list[int]]:
    """The positions of ``word`` in each of ``docs`` that has it (segment document numbers).

    Only the word's posting blocks that can hold a candidate are read, and only the candidates'
    positions decoded (Whoosh 2.7 internals, as ``postings.posting_blocks``); moving a matcher
    to each candidate decoded them one call at a time, which made phrases the slowest searches.
    """
    try:
        matcher = segment.postings(fieldname, word)
    except TermNotFound:
        return {}
    decode = segment.schema[fieldname].format.decode_positions
    found: dict[int, list[int]] = {}
    if not isinstance(matcher, W3LeafMatcher):  # the few postings of a rare term, inlined
        while matcher.is_active():
            if matcher.id() in docs:
                found[matcher.id()] = decode(matcher.value())
            matcher.next()
        return found
    wanted = sorted(docs)
    at = 0  # the first of ``wanted`` not reached yet
    while matcher.is_active() and at < len(wanted):
        deadline.check()
        if wanted[at] <= matcher.block_max_id():  # else no candidate in this block: skipped
            if matcher._ids is None:
                matcher._read_ids()
            ids = matcher._ids
            hits = [i for i, docnum in enumerate(ids) if docnum in docs]
            if hits:
                if matcher._values is None:
                    matcher._read_values()
                for i in hits:
                    found[ids[i]] = decode(matcher._values[i])
            at = bisect_right(wanted, matcher.block_max_id(), at)
        matcher._next_block()
    return found


def _adjacent(positions: list[list[int]]) -> bool:
    """Whether the words, given their positions in one document, stand one after the other."""
    first, *later = positions
    following = [set(p) for p in later]
    return any(all(start + i in s for i, s in enumerate(following, 1)) for start in first)


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
