"""Which documents match a query, as a set of document numbers, at the speed of set operations.

Facet counts, filters and totals need every matching document, not only the best ten. Whoosh
finds them by walking its matcher tree one document at a time in Python; here a query of terms
(the usual case: words, OR, NOT, -excluded, expanded prefixes) is answered from decoded postings
(``postings``) combined with C-level set operations, and only what needs positions (phrases) or
is unusual is left to Whoosh.
"""

from __future__ import annotations

from typing import Any

from whoosh import query
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
    intersection), then their positions checked, for those documents only."""
    candidates = set.intersection(*(set(postings.get(fieldname, w)[0]) for w in words))
    if len(words) < 2 or not candidates:
        return candidates
    found: set[int] = set()
    for segment, offset in postings.searcher.reader().leaf_readers():
        try:
            matchers = [segment.postings(fieldname, word) for word in words]
        except TermNotFound:
            continue
        size = segment.doc_count_all()
        local = sorted(d - offset for d in candidates if offset <= d < offset + size)
        for checked, docnum in enumerate(local):
            if checked % 256 == 0:
                deadline.check()
            if _adjacent(matchers, docnum):
                found.add(docnum + offset)
    return found


def _adjacent(matchers: list[Any], docnum: int) -> bool:
    """Whether the matchers' words stand one after the other somewhere in document ``docnum``
    (the matchers move forward only: documents must come in increasing order)."""
    positions = []
    for matcher in matchers:
        matcher.skip_to(docnum)
        if not matcher.is_active() or matcher.id() != docnum:
            return False
        positions.append(set(matcher.value_as("positions")))
    return any(
        all(start + i in later for i, later in enumerate(positions[1:], start=1))
        for start in positions[0]
    )


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
