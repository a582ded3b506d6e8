"""Per-document facts of one open index as numpy columns: section, month and date of every
document, and its rank in either date order.

Filters, facet counts and date sorting index these columns with a ``DocSet`` instead of asking
Whoosh per document (a date range as a Whoosh query is a union of many numeric terms and took a
second on 21k articles). The table is built once per opened generation, segment by segment, and
then only read.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as day_time

import numpy as np

from indexer.index.whoosh_types import Searcher
from indexer.search.collapse import StoryColumn, value_counts
from indexer.search.docsets import DOC_TYPE, DocSet

SECONDS_A_DAY = 86_400
EPOCH = date(1970, 1, 1)
UNDATED = float("inf")  # sorts after every date


@dataclass(frozen=True)
class DocTable:
    """Columns indexed by document number (deleted documents keep a slot, in no DocSet)."""

    every: DocSet  # the live (not deleted) documents
    timestamp: np.ndarray  # UTC seconds of publication, UNDATED when unknown
    newest_rank: np.ndarray  # position in newest-first order (undated last)
    oldest_rank: np.ndarray  # position in oldest-first order (undated last)
    section_codes: Codes  # section as written in the article, as numbers, for counting
    month_codes: Codes  # "YYYY-MM", "" when undated
    stories: StoryColumn  # the story of every document
    newest_published: datetime | None  # of the newest live document (naive UTC); None: undated

    @classmethod
    def of(cls, searcher: Searcher) -> DocTable:
        every, section, month, timestamp, story = _columns(searcher)
        live_timestamps = timestamp[every]
        dated = live_timestamps != UNDATED
        by_time = every[dated][np.argsort(live_timestamps[dated], kind="stable")]
        undated = every[~dated]
        return cls(
            every=every,
            timestamp=timestamp,
            newest_rank=_ranks(np.concatenate([by_time[::-1], undated]), len(timestamp)),
            oldest_rank=_ranks(np.concatenate([by_time, undated]), len(timestamp)),
            section_codes=Codes.of(section),
            month_codes=Codes.of(month),
            stories=StoryColumn.of(story, every),
            newest_published=_utc_datetime(float(timestamp[by_time[-1]])) if len(by_time) else None,
        )

    def published_between(
        self, docs: DocSet, start: datetime | None, end: datetime | None
    ) -> DocSet:
        """The documents of ``docs`` published from ``start`` to ``end`` (both inclusive, naive
        UTC; either may be open)."""
        times = self.timestamp[docs]
        kept = times != UNDATED
        if start:
            kept &= times >= _utc_timestamp(start)
        if end:
            kept &= times <= _utc_timestamp(end)
        dated: DocSet = docs[kept]
        return dated

    def in_sections(self, docs: DocSet, names: Iterable[str]) -> DocSet:
        """The documents of ``docs`` in any of the sections ``names`` (case does not matter)."""
        wanted = {name.lower() for name in names}
        codes = [
            code for code, name in enumerate(self.section_codes.names) if name.lower() in wanted
        ]
        return docs[np.isin(self.section_codes.codes[docs], codes)]

    def section_counts(self, docs: DocSet, stories: bool = False) -> Counter[str]:
        """How many of ``docs`` (``stories``: how many of their stories) are in each section."""
        return _counts(self.section_codes, docs, self.stories if stories else None)

    def month_counts(self, docs: DocSet, stories: bool = False) -> Counter[str]:
        return _counts(self.month_codes, docs, self.stories if stories else None)

    def day_counts(self, docs: DocSet, stories: bool = False) -> Counter[str]:
        """How many of ``docs`` (or of their stories) were published on each day ('YYYY-MM-DD',
        UTC), undated left out: from the timestamps, as only searches within a few weeks ask
        for days."""
        times = self.timestamp[docs]
        dated = times != UNDATED
        days = np.floor(times[dated] / SECONDS_A_DAY).astype(np.int64)
        first = int(days.min()) if len(days) else 0
        offsets = days - first
        size = int(offsets.max()) + 1 if len(days) else 0
        counts = value_counts(offsets, docs[dated], size, self.stories if stories else None)
        return Counter(
            {
                (EPOCH + timedelta(days=first + int(offset))).isoformat(): int(counts[offset])
                for offset in np.flatnonzero(counts)
            }
        )

    def by_date(self, docs: DocSet, newest: bool, count: int) -> DocSet:
        """The first ``count`` of ``docs`` in date order (undated last in both orders), in that
        order (so not a DocSet's ascending order)."""
        ranks = (self.newest_rank if newest else self.oldest_rank)[docs]
        if len(docs) > count:
            first = np.argpartition(ranks, count)[:count]
            docs, ranks = docs[first], ranks[first]
        return docs[np.argsort(ranks, kind="stable")]


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


def _counts(column: Codes, docs: DocSet, stories: StoryColumn | None) -> Counter[str]:
    """How many of ``docs`` (or of their ``stories``) have each value of ``column`` (empty
    values left out), counted by numpy: a facet counts every match, tens of thousands on a
    large index."""
    counts = value_counts(column.codes[docs], docs, len(column.names), stories)
    found = Counter({column.names[code]: int(counts[code]) for code in np.flatnonzero(counts)})
    found.pop("", None)
    return found


def _ranks(order: np.ndarray, size: int) -> np.ndarray:
    """The position of each document in ``order`` (documents not in it: after all of them)."""
    ranks = np.full(size, size, dtype=np.int64)
    ranks[order] = np.arange(len(order))
    return ranks


def _utc_timestamp(moment: datetime) -> float:
    return moment.replace(tzinfo=UTC).timestamp()


def _utc_datetime(timestamp: float) -> datetime:
    """``_utc_timestamp`` undone (by adding to the epoch: ``fromtimestamp`` fails before year 1
    on some platforms)."""
    return datetime.combine(EPOCH, day_time.min) + timedelta(seconds=timestamp)


def _columns(searcher: Searcher) -> tuple[DocSet, list[str], list[str], np.ndarray, list[str]]:
    reader = searcher.reader()
    size = reader.doc_count_all()
    every: list[int] = []
    section, month, timestamp, story = [""] * size, [""] * size, [UNDATED] * size, [""] * size
    # Segment by segment: Whoosh's multi-segment column reader fails on random access.
    for segment, offset in reader.leaf_readers():
        sections = segment.column_reader("section")
        months = segment.column_reader("month")
        undated = segment.column_reader("undated")
        published = segment.column_reader("published")
        stories = segment.column_reader("story")
        for local in segment.all_doc_ids():
            docnum = offset + local
            every.append(docnum)
            story[docnum] = stories[local]
            section[docnum] = sections[local]
            month[docnum] = months[local]
            if not undated[local]:
                timestamp[docnum] = _utc_timestamp(published[local])
    live = np.array(every, dtype=DOC_TYPE)
    return live, section, month, np.array(timestamp, dtype=np.float64), story
