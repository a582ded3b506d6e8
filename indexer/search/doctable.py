"""Per-document facts of one open index, in plain Python lists: section, month and date of every
document, the orders by date, and the documents of each section.

Filters, facet counts and date sorting read these instead of asking Whoosh per document (a date
range as a Whoosh query is a union of many numeric terms and took a second on 21k articles). The
table is built once per opened generation, segment by segment, and then only read.
"""

from __future__ import annotations

import bisect
import heapq
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np

from indexer.search.docsets import as_doc_array

UNDATED = float("inf")  # sorts after every date


@dataclass(frozen=True)
class DocTable:
    """Lists indexed by document number (deleted documents keep an empty slot)."""

    every: frozenset[int]  # the live (not deleted) documents
    section: list[str]  # as written in the article
    month: list[str]  # "YYYY-MM", "" when undated
    newest_rank: list[int]  # position in newest-first order (undated last)
    oldest_rank: list[int]  # position in oldest-first order (undated last)
    newest_first: list[int]
    oldest_first: list[int]
    dated_timestamps: list[float]  # sorted, with the documents in the same order:
    dated_docs: list[int]
    by_section: dict[str, frozenset[int]]  # lowercased section -> its documents
    section_codes: Codes  # section, month and day as numbers, for counting
    month_codes: Codes
    day_codes: Codes  # "YYYY-MM-DD", "" when undated

    @classmethod
    def of(cls, searcher: Any) -> DocTable:
        every, section, month, day, timestamp = _columns(searcher)
        dated = sorted((timestamp[d], d) for d in every if timestamp[d] != UNDATED)
        undated = sorted(d for d in every if timestamp[d] == UNDATED)
        dated_docs = [d for _t, d in dated]
        newest_first, oldest_first = dated_docs[::-1] + undated, dated_docs + undated
        by_section: dict[str, set[int]] = defaultdict(set)
        for docnum in every:
            if section[docnum]:
                by_section[section[docnum].lower()].add(docnum)
        return cls(
            every=frozenset(every),
            section=section,
            month=month,
            newest_rank=_ranks(newest_first, len(section)),
            oldest_rank=_ranks(oldest_first, len(section)),
            newest_first=newest_first,
            oldest_first=oldest_first,
            dated_timestamps=[t for t, _d in dated],
            dated_docs=dated_docs,
            by_section={key: frozenset(docs) for key, docs in by_section.items()},
            section_codes=Codes.of(section),
            month_codes=Codes.of(month),
            day_codes=Codes.of(day),
        )

    def published_between(self, start: datetime | None, end: datetime | None) -> set[int]:
        """Documents published from ``start`` to ``end`` (both inclusive, naive UTC)."""
        times = self.dated_timestamps
        low = bisect.bisect_left(times, _utc_timestamp(start)) if start else 0
        high = bisect.bisect_right(times, _utc_timestamp(end)) if end else len(times)
        return set(self.dated_docs[low:high])

    def in_sections(self, names: Iterable[str]) -> set[int]:
        found: set[int] = set()
        for name in names:
            found |= self.by_section.get(name.lower(), frozenset())
        return found

    def section_counts(self, docs: Collection[int] | np.ndarray) -> Counter[str]:
        return _counts(self.section_codes, docs)

    def month_counts(self, docs: Collection[int] | np.ndarray) -> Counter[str]:
        return _counts(self.month_codes, docs)

    def day_counts(self, docs: Collection[int] | np.ndarray) -> Counter[str]:
        return _counts(self.day_codes, docs)

    def by_date(self, docs: set[int], newest: bool, count: int) -> list[int]:
        """The first ``count`` of ``docs`` in date order (undated last in both orders)."""
        order = self.newest_first if newest else self.oldest_first
        if len(docs) * 8 >= len(order):  # most documents: walk the ready-made order
            picked = []
            for docnum in order:
                if docnum in docs:
                    picked.append(docnum)
                    if len(picked) == count:
                        break
            return picked
        rank = self.newest_rank if newest else self.oldest_rank
        return heapq.nsmallest(count, docs, key=rank.__getitem__)


@dataclass(frozen=True)
class Codes:
    """A column of strings as a number per document and the list of the distinct strings."""

    codes: np.ndarray
    names: list[str]

    @classmethod
    def of(cls, column: list[str]) -> Codes:
        names = sorted(set(column))
        number = {name: code for code, name in enumerate(names)}
        return cls(np.array([number[value] for value in column], dtype=np.int32), names)


def _counts(column: Codes, docs: Collection[int] | np.ndarray) -> Counter[str]:
    """How many of ``docs`` have each value of ``column`` (empty values left out), counted by
    numpy: a facet counts every match, tens of thousands on a large index."""
    picked = column.codes[as_doc_array(docs)]
    counts = np.bincount(picked, minlength=len(column.names))
    found = Counter({column.names[code]: int(counts[code]) for code in np.flatnonzero(counts)})
    found.pop("", None)
    return found


def _ranks(order: list[int], size: int) -> list[int]:
    ranks = [0] * size
    for position, docnum in enumerate(order):
        ranks[docnum] = position
    return ranks


def _utc_timestamp(moment: datetime) -> float:
    return moment.replace(tzinfo=UTC).timestamp()


def _columns(searcher: Any) -> tuple[list[int], list[str], list[str], list[str], list[float]]:
    reader = searcher.reader()
    size = reader.doc_count_all()
    every: list[int] = []
    section, month, day, timestamp = [""] * size, [""] * size, [""] * size, [UNDATED] * size
    # Segment by segment: Whoosh's multi-segment column reader fails on random access.
    for segment, offset in reader.leaf_readers():
        sections = segment.column_reader("section")
        months = segment.column_reader("month")
        undated = segment.column_reader("undated")
        published = segment.column_reader("published")
        for local in segment.all_doc_ids():
            docnum = offset + local
            every.append(docnum)
            section[docnum] = sections[local]
            month[docnum] = months[local]
            if not undated[local]:
                timestamp[docnum] = _utc_timestamp(published[local])
                day[docnum] = published[local].date().isoformat()
    return every, section, month, day, timestamp
