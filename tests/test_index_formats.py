"""The byte formats of what the index stores (``indexer.index.index_formats``): each round-trips
and reads as Whoosh reads it; no other module packs or unpacks them.

Whoosh's own habit: small indexes in ``RamStorage``.
"""

from __future__ import annotations

import re
from array import array
from pathlib import Path

import numpy as np
import pytest
from whoosh.filedb.filestore import RamStorage
from whoosh.formats import Frequency, Positions
from whoosh.util.numeric import byte_to_length, length_to_byte

from indexer.config import PROJECT_ROOT
from indexer.index import index_formats
from indexer.index.bulk_writer import SegmentBuilder
from indexer.index.index_formats import (
    LENGTH_OF_BYTE_ARRAY,
    decode_position_block,
    decode_positions,
    encode_positions,
    field_length,
    frequency_value,
    frequency_values,
    length_byte,
    position_gaps,
    positions_value,
    positions_values,
    term_text,
)
from indexer.index.schema import build_schema
from indexer.index.whoosh_internals import posting_value_blocks

PACKAGE = PROJECT_ROOT / "indexer"
FORMATS = PACKAGE / "index" / "index_formats.py"
SHAPES = {
    "one at 0": [0],
    "one": [7],
    "two adjacent": [3, 4],
    "many": list(range(0, 600, 3)),
    "large gaps": [0, 1, 2**20, 2**31, 2**32 - 1],
    "repeated gap sizes": [5, 10, 15, 20],
}


@pytest.mark.parametrize("positions", SHAPES.values(), ids=SHAPES.keys())
def test_positions_round_trip(positions: list[int]) -> None:
    value = encode_positions(positions)
    assert decode_positions(value) == positions
    assert positions_value(array("I", position_gaps(positions))) == value


@pytest.mark.parametrize("positions", SHAPES.values(), ids=SHAPES.keys())
def test_whoosh_reads_the_count_of_positions_and_the_frequency(positions: list[int]) -> None:
    assert Positions().decode_frequency(encode_positions(positions)) == len(positions)
    assert Frequency().decode_frequency(frequency_value(len(positions))) == len(positions)


def test_a_block_of_position_values_decodes_as_each_value() -> None:
    values = [encode_positions(p) for p in SHAPES.values()]
    counts, positions = decode_position_block(values)
    assert counts.tolist() == [len(p) for p in SHAPES.values()]
    assert positions.tolist() == [x for p in SHAPES.values() for x in p]


def test_values_made_at_once_from_gaps_held_out_of_order_are_each_values() -> None:
    shapes = list(SHAPES.values())
    held = array("I")  # the gaps of each shape, held in reverse order (as documents came)
    starts = {}
    for number in reversed(range(len(shapes))):
        starts[number] = len(held)
        held.extend(position_gaps(shapes[number]))
    counts = np.array([len(p) for p in shapes], dtype=np.int64)
    where = np.array([starts[n] for n in range(len(shapes))], dtype=np.int64)
    values = positions_values(counts, where, np.frombuffer(held, dtype=np.uint32))
    assert values == [encode_positions(p) for p in shapes]


def test_frequency_values_made_at_once_are_each_counts_value() -> None:
    counts = [1, 2, 255, 256, 70_000, 2**32 - 1]
    made = frequency_values(np.array(counts, dtype=np.int64))
    assert made == [frequency_value(count) for count in counts]


@pytest.mark.parametrize("code", range(256))
def test_every_length_byte_is_whooshs(code: int) -> None:
    assert field_length(code) == byte_to_length(code) == LENGTH_OF_BYTE_ARRAY[code]
    assert length_byte(field_length(code)) == code == length_to_byte(byte_to_length(code))


@pytest.mark.parametrize("length", [0, 1, 2, 9, 10, 11, 100, 1000, 65_535, 10**6, 10**9])
def test_lengths_are_stored_as_whoosh_stores_them(length: int) -> None:
    assert length_byte(length) == length_to_byte(length)
    assert field_length(length_byte(length)) == byte_to_length(length_to_byte(length))


JAPAN = "ja:\u65e5\u672c"


@pytest.mark.parametrize("term", [b"en:cat", "en:cat", JAPAN.encode(), JAPAN])
def test_a_term_is_text_from_stored_bytes_or_text(term: str | bytes) -> None:
    text = term_text(term)
    assert isinstance(text, str) and text.encode("utf-8") == (
        term if isinstance(term, bytes) else term.encode("utf-8")
    )


TEXTS = [
    "the cat sat on the mat and the cat slept",
    "a dog",
    " ".join(["news"] * 300 + ["cat"]),  # more than one position block's worth of positions
] * 70  # more than one posting block of 128 for the common terms


def test_what_the_bulk_writer_wrote_reads_as_whooshs_stock_reader_returns_it() -> None:
    schema = build_schema("english")
    index = RamStorage().create_index(schema)
    writer = SegmentBuilder(index)
    for text in TEXTS:
        writer.add_document(body=text)
    writer.commit()
    analyzer = schema["body"].analyzer
    expected = [analyzer.term_positions(text) for text in TEXTS]
    with index.reader() as reader:
        for term in [t for f, t in reader.all_terms() if f == "body"]:
            docs, values = _stock_postings(reader.postings("body", term))
            text = term_text(term)
            assert docs == [d for d, terms in enumerate(expected) if text in terms]
            assert [decode_positions(v) for v in values] == [expected[d][text] for d in docs]
            assert [Positions().decode_frequency(v) for v in values] == [
                len(expected[d][text]) for d in docs
            ]
            counts, positions = _blocks(reader.postings("body", term))
            assert counts.tolist() == [len(expected[d][text]) for d in docs]
            assert positions.tolist() == [p for d in docs for p in expected[d][text]]
        lengths = [reader.doc_field_length(d, "body") for d in range(len(TEXTS))]
    stored = [length_byte(sum(map(len, terms.values()))) for terms in expected]
    assert lengths == [field_length(code) for code in stored]


def _stock_postings(matcher) -> tuple[list[int], list[bytes]]:
    docs, values = [], []
    while matcher.is_active():
        docs.append(matcher.id())
        values.append(matcher.value())
        matcher.next()
    return docs, values


def _blocks(matcher) -> tuple[np.ndarray, np.ndarray]:
    decoded = [decode_position_block(values) for _ids, values in posting_value_blocks(matcher)]
    return np.concatenate([c for c, _p in decoded]), np.concatenate([p for _c, p in decoded])


# Packing or unpacking a stored value, or a copy of term_text: only index_formats may.
PACKING = re.compile(
    r"\b(?:pack_uint|unpack_uint|byte_to_length|length_to_byte|frombytes|POSITIONS_COUNT_BYTES)\b"
    r"|^\s*(?:import|from) struct\b"
    r"|\.decode\(\"utf-8\"\) if isinstance\(",
    re.MULTILINE,
)


def test_nothing_else_packs_or_unpacks_what_the_index_stores() -> None:
    assert Path(index_formats.__file__) == FORMATS
    for path in sorted(PACKAGE.rglob("*.py")):
        if path == FORMATS or "__pycache__" in path.parts:
            continue
        found = PACKING.findall(path.read_text("utf-8"))
        assert not found, f"{path.relative_to(PROJECT_ROOT)} packs or unpacks itself: {found}"
