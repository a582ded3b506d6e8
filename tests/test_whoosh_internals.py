"""The contract with Whoosh's internals (``indexer.index.whoosh_internals``): the installed Whoosh
is the release they were read from, each internal still exists, and each still behaves as the
project assumes. A failure names the internal that moved.

Whoosh's own habit: small indexes in ``RamStorage``.
"""

from __future__ import annotations

import pytest
from whoosh import scoring
from whoosh.codec.whoosh3 import W3LeafMatcher, W3PerDocReader
from whoosh.fields import ID, TEXT, Schema
from whoosh.filedb.filestore import RamStorage

from indexer.index.index_formats import POSITIONS_COUNT_BYTES
from indexer.index.schema import NewsPositions
from indexer.index.whoosh_internals import (
    BM25F_ATTRIBUTES,
    CODEC_ATTRIBUTES,
    FIELD_WRITER_ATTRIBUTES,
    INTERNALS,
    MATCHER_ATTRIBUTES,
    SEGMENT_READER_ATTRIBUTES,
    TERM_TABLE_ATTRIBUTES,
    WHOOSH_VERSION,
    WRITER_ATTRIBUTES,
    NewsCodec,
    PreloadedLengthsReader,
    bm25f_field_b,
    installed_whoosh_version,
    posting_blocks,
    posting_value_blocks,
    remember_doc_frequencies,
    segment_length_bytes,
)

DOCUMENTS = 700  # more than one posting block (Whoosh's block limit is 128)


@pytest.fixture(scope="module")
def ram_index():
    """An index of DOCUMENTS short texts in memory, written with the project's codec."""
    body = TEXT()
    body.format = NewsPositions(field_boost=body.format.field_boost)
    index = RamStorage().create_index(Schema(id=ID(stored=True), body=body))
    writer = index.writer(codec=NewsCodec())
    for number in range(DOCUMENTS):
        words = ["common"] * (1 + number % 3) + ["word"] + ["rare"] * (number % 50 == 0)
        writer.add_document(id=str(number), body=" ".join(words + ["x"] * (number % 7)))
    writer.commit()
    return index


def test_the_installed_whoosh_is_the_release_the_internals_were_read_from() -> None:
    assert installed_whoosh_version() == WHOOSH_VERSION, (
        f"Whoosh {installed_whoosh_version()} is installed; the internals in "
        f"indexer/index/whoosh_internals.py were read from {WHOOSH_VERSION}: check each again"
    )


@pytest.mark.parametrize("internal", INTERNALS, ids=lambda i: i.name)
def test_each_internal_still_exists(internal) -> None:
    owner = getattr(internal.owner, "__name__", internal.owner)
    assert hasattr(internal.owner, internal.name), (
        f"Whoosh internal {owner}.{internal.name} moved; it is needed because {internal.why}"
    )


def test_the_instance_attributes_the_writers_use_exist(ram_index) -> None:
    writer = ram_index.writer()
    try:
        _assert_attributes(writer, WRITER_ATTRIBUTES, "SegmentWriter")
        writer.fieldwriter.start_field("body", ram_index.schema["body"])  # sets its number
        _assert_attributes(writer.fieldwriter, FIELD_WRITER_ATTRIBUTES, "W3FieldWriter")
        _assert_attributes(writer.fieldwriter._codec, CODEC_ATTRIBUTES, "W3Codec")
        term_table = writer.fieldwriter._tindex
        _assert_attributes(term_table, TERM_TABLE_ATTRIBUTES, "OrderedHashWriter")
    finally:
        writer.cancel()


def test_the_instance_attributes_the_readers_use_exist(ram_index) -> None:
    with ram_index.searcher(weighting=scoring.BM25F()) as searcher:
        segment = searcher.reader()
        _assert_attributes(segment, SEGMENT_READER_ATTRIBUTES, "SegmentReader")
        matcher = segment.postings("body", "common")
        assert isinstance(matcher, W3LeafMatcher), "a long posting list is no W3LeafMatcher"
        _assert_attributes(matcher, MATCHER_ATTRIBUTES, "W3LeafMatcher")
        _assert_attributes(searcher.weighting, BM25F_ATTRIBUTES, "BM25F")


@pytest.mark.parametrize("term", ["common", "rare"])  # blocks, and an inlined short list
def test_posting_blocks_hold_what_the_public_matcher_yields(ram_index, term) -> None:
    with ram_index.searcher() as searcher:
        expected = _public_postings(searcher.reader().postings("body", term))
        blocks = list(posting_blocks(searcher.reader().postings("body", term)))
        with_values = list(posting_value_blocks(searcher.reader().postings("body", term)))
    assert (len(blocks) > 1) == (term == "common")
    ids = [i for block_ids, _ in blocks for i in block_ids]
    weights = [w for _, block_weights in blocks for w in block_weights]
    values = [v for _, block_values in with_values for v in block_values]
    assert ids == [i for i, _w, _v in expected]
    assert weights == [w for _i, w, _v in expected]
    assert values == [v for _i, _w, v in expected]


def test_a_posting_value_starts_with_the_count_of_its_positions(ram_index) -> None:
    with ram_index.searcher() as searcher:
        matcher = searcher.reader().postings("body", "common")
        value = matcher.value()
        positions = NewsPositions().decode_positions(value)
    assert int.from_bytes(value[:POSITIONS_COUNT_BYTES], "big") == len(positions) == 1


def test_preloaded_lengths_are_the_stock_readers(ram_index) -> None:
    with ram_index.searcher() as searcher:
        segment = searcher.reader()
        assert isinstance(segment._perdoc, PreloadedLengthsReader)
        stock = W3PerDocReader(segment.storage(), segment.segment())
        lengths = [stock.doc_field_length(d, "body") for d in range(DOCUMENTS)]
        assert [segment.doc_field_length(d, "body") for d in range(DOCUMENTS)] == lengths
        assert len(segment_length_bytes(segment, "body")) == DOCUMENTS


@pytest.mark.parametrize("term", ["common", "rare", "x", "absent", b"word"])
def test_remembered_doc_frequencies_are_the_readers_and_the_searcher_asks_them(
    ram_index, term
) -> None:
    with ram_index.searcher() as stock, ram_index.searcher() as searcher:
        remember_doc_frequencies(searcher)
        expected = stock.doc_frequency("body", term)
        assert searcher.doc_frequency("body", term) == expected  # asked
        assert searcher.reader().doc_frequency("body", term) == expected  # remembered
        assert searcher.doc_frequency is searcher.reader().doc_frequency


def test_the_field_b_is_the_one_bm25f_scores_with() -> None:
    weighting = scoring.BM25F(B=0.75, title_B=0.3)
    assert bm25f_field_b(weighting, "title") == 0.3
    assert bm25f_field_b(weighting, "body") == 0.75


def _assert_attributes(instance: object, names: tuple[str, ...], owner: str) -> None:
    for name in names:
        assert hasattr(instance, name), f"Whoosh internal {owner}.{name} moved"


def _public_postings(matcher) -> list[tuple[int, float, bytes]]:
    found = []
    while matcher.is_active():
        found.append((matcher.id(), matcher.weight(), matcher.value()))
        matcher.next()
    return found
