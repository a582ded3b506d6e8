"""Stories in a search: one result per story, totals and facets that count stories.

The indexer groups the copies of a story (``indexer.index.stories``) and writes each article's
story id as a column. ``StoryColumn`` holds that column of one opened generation as numbers,
with how many live articles each story has. A collapsed search ranks articles as ever and keeps
the first of each story in the order asked for, so a story ranks by its best article; filters
apply to articles before that, so a story shows when any of its articles matches them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

from indexer.search.docsets import EMPTY, DocSet, subset, where

Ranked = TypeVar("Ranked")


@dataclass(frozen=True)
class StoryColumn:
    """The story of every document of one opened generation (deleted ones keep a slot)."""

    codes: np.ndarray  # the story of each document, as a number
    names: list[str]  # the story ids, by number
    sizes: np.ndarray  # how many live articles each story has, by number
    grouped: np.ndarray  # per document: its story has other live articles
    largest: int  # the live articles of the largest story

    @classmethod
    def of(cls, stories: list[str], every: DocSet) -> StoryColumn:
        names = sorted(set(stories))
        number = {name: code for code, name in enumerate(names)}
        codes = np.array([number[story] for story in stories], dtype=np.int64)
        sizes = np.bincount(codes[every], minlength=len(names))
        largest = int(sizes.max()) if len(sizes) else 1
        return cls(codes, names, sizes, sizes[codes] > 1, max(largest, 1))

    def story_of(self, docnum: int) -> str:
        name: str = self.names[self.codes[docnum]]
        return name

    def versions(self, docnum: int) -> int:
        """How many other live articles the document's story has."""
        return int(self.sizes[self.codes[docnum]]) - 1

    def members(self, story: str, docs: DocSet | None = None) -> DocSet:
        """The documents of ``docs`` (or the live documents) of the story with the id
        ``story``. (A deleted document's story is "", no story's id.)"""
        at = int(np.searchsorted(self.names, story)) if self.names else 0
        if not story or at >= len(self.names) or self.names[at] != story:
            return EMPTY
        if docs is None:
            return where(self.codes == at)
        return subset(docs, self.codes[docs] == at)

    def count(self, docs: DocSet) -> int:
        """How many stories ``docs`` hold."""
        grouped = docs[self.grouped[docs]]
        return len(docs) - len(grouped) + len(np.unique(self.codes[grouped]))

    def counts(self, values: np.ndarray, docs: DocSet, size: int) -> np.ndarray:
        """How many stories of ``docs`` have each value: ``values`` holds one number below
        ``size`` per document of ``docs``; a story whose articles have two values counts in
        each."""
        counts = np.bincount(values, minlength=size)
        grouped = self.grouped[docs]
        if grouped.any():
            values, stories = values[grouped], self.codes[docs[grouped]]
            pairs = np.unique(values.astype(np.int64) * len(self.names) + stories)
            counts -= np.bincount(values, minlength=size)
            counts += np.bincount(pairs // len(self.names), minlength=size)
        return counts

    def hidden(self, docs: DocSet) -> int:
        """How many of ``docs`` a collapsed list leaves out (all but one of each story)."""
        return len(docs) - self.count(docs)

    def depth_for(self, stories: int, hidden: int) -> int:
        """How many ranked articles hold the first ``stories`` stories (``hidden``: how many
        of the matches the collapse leaves out): no more than that many more, and no more than
        that many stories of the largest size."""
        return min(stories + hidden, stories * self.largest)

    def first_of_each(
        self, ranked: Sequence[tuple[int, Ranked]], limit: int
    ) -> list[tuple[int, Ranked]]:
        """The first document of each story in ``ranked`` (document, anything) pairs, up to
        ``limit`` of them."""
        seen: set[int] = set()
        kept: list[tuple[int, Ranked]] = []
        for item in ranked:
            if len(kept) == limit:
                break
            docnum = item[0]
            if self.grouped[docnum]:
                code = int(self.codes[docnum])
                if code in seen:
                    continue
                seen.add(code)
            kept.append(item)
        return kept


def value_counts(
    values: np.ndarray, docs: DocSet, size: int, stories: StoryColumn | None
) -> np.ndarray:
    """How many of ``docs`` (or, given ``stories``, of their stories) have each value below
    ``size``; ``values`` holds one per document of ``docs``."""
    if stories is None:
        return np.bincount(values, minlength=size)
    return stories.counts(values, docs, size)
