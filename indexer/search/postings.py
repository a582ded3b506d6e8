"""Decoded postings (document numbers and term frequencies) of one opened index, kept in memory.

Finding the matching documents and ranking them both read a term's postings; a page of results
reads the same common words again and again across queries. Whoosh decodes a posting block by
unpickling it, positions and all, each time. Here a term's postings are decoded once into two
compact numpy arrays and kept, least recently used first out, within a budget of postings: the
documents, which are a ``DocSet`` as they come, and the term frequencies.
"""

from __future__ import annotations

import time
from array import array
from collections.abc import Iterator, Sequence
from typing import cast

import numpy as np
from whoosh.reading import TermNotFound

from indexer.index.index_formats import LENGTH_OF_BYTE_ARRAY, decode_position_block
from indexer.index.whoosh_internals import (
    posting_blocks,
    posting_value_blocks,
    segment_length_bytes,
)
from indexer.index.whoosh_types import Matcher, Searcher
from indexer.search.docsets import DOC_TYPE, DocSet, sorted_docs
from indexer.search.kept import KeptWithin
from indexer.search.language_bm25 import language_column

POSTINGS_BUDGET = 4_000_000  # postings kept per opened index: 8 bytes each, about 32 MB
POSITIONS_BUDGET = 4_000_000  # word positions kept for phrases: 8 bytes each, about 32 MB


class TermPostings:
    """The postings of terms of one searcher, decoded on first use and kept."""

    def __init__(self, searcher: Searcher, budget: int = POSTINGS_BUDGET) -> None:
        self.searcher = searcher
        self._postings: KeptWithin[tuple[DocSet, np.ndarray]] = KeptWithin(
            budget, lambda found: len(found[0])
        )
        self._positions: KeptWithin[np.ndarray] = KeptWithin(POSITIONS_BUDGET, len)
        self._norms: dict[tuple[str, float, float], np.ndarray] = {}

    def get(self, fieldname: str, text: str) -> tuple[DocSet, np.ndarray]:
        """(documents, term frequencies as float32) of a term, in document order."""
        return self._postings.get((fieldname, text), lambda: self._decode(fieldname, text))

    def docs(self, fieldname: str, text: str) -> DocSet:
        """The documents that hold a term."""
        return self.get(fieldname, text)[0]

    def position_keys(self, fieldname: str, text: str) -> np.ndarray:
        """Every occurrence of a term as ``document << 32 | position``, sorted (for phrases)."""
        return self._positions.get(
            (fieldname, text), lambda: self._decode_positions(fieldname, text)
        )

    def warm_like(self, earlier: TermPostings) -> None:
        """Decode the terms (and positions) ``earlier``, an earlier generation's, holds, in the
        order it used them: a new generation starts as warm as the one it replaces. Called from
        a background thread, it lets the searches of the worker run between terms."""
        for key in earlier._postings.keys():
            self.get(*cast(tuple[str, str], key))
            time.sleep(0)  # let a search of the worker's other thread have the GIL
        for key in earlier._positions.keys():
            self.position_keys(*cast(tuple[str, str], key))
            time.sleep(0)

    def length_norms(self, fieldname: str, k1: float, b: float) -> np.ndarray:
        """BM25's k1 * (1 - b + b * length / average length) of every document, computed once."""
        key = (fieldname, k1, b)
        if key not in self._norms:
            lengths = LENGTH_OF_BYTE_ARRAY[np.array(self._field_lengths(fieldname), dtype=np.intp)]
            # the average of each document's language (language_bm25: one number for one)
            average = language_column(self.searcher).average_lengths(
                self.searcher, fieldname, lengths
            )
            self._norms[key] = k1 * ((1 - b) + b * lengths / average)
        return self._norms[key]

    def _decode(self, fieldname: str, text: str) -> tuple[DocSet, np.ndarray]:
        ids, tfs = array("I"), array("f")
        for segment, offset in self.searcher.reader().leaf_readers():
            try:
                matcher = segment.postings(fieldname, text)
            except TermNotFound:
                continue
            for block_ids, block_tfs in posting_blocks(matcher):
                ids.extend(block_ids if not offset else [d + offset for d in block_ids])
                tfs.extend(block_tfs)
        return sorted_docs(np.frombuffer(ids, dtype=DOC_TYPE)), np.frombuffer(tfs, dtype=np.float32)

    def _decode_positions(self, fieldname: str, text: str) -> np.ndarray:
        parts: list[np.ndarray] = []
        for segment, offset in self.searcher.reader().leaf_readers():
            try:
                matcher = segment.postings(fieldname, text)
            except TermNotFound:
                continue
            parts.extend(position_blocks(matcher, offset))
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint64)

    def _field_lengths(self, fieldname: str) -> list[int]:
        """The encoded length byte of every document (by global number) for one field."""
        lengths: list[int] = []
        for segment, _offset in self.searcher.reader().leaf_readers():
            lengths.extend(segment_length_bytes(segment, fieldname))
        return lengths


def position_blocks(matcher: Matcher, offset: int) -> Iterator[np.ndarray]:
    """The occurrences of a fresh matcher's term, block by block, as ``(offset + document) << 32
    | position``; a block's values are decoded at once (``index_formats.decode_position_block``)."""
    for ids, values in posting_value_blocks(matcher):
        yield _occurrences(ids, values, offset)


def _occurrences(ids: Sequence[int], values: Sequence[bytes], offset: int) -> np.ndarray:
    counts, positions = decode_position_block(values)
    docs = np.repeat(np.asarray(ids, dtype=np.int64) + offset, counts)
    occurrences: np.ndarray = ((docs << 32) | positions).astype(np.uint64)
    return occurrences
