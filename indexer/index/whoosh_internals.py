"""Every private part of Whoosh that newsindex relies on, in one place, each with its reason.

Whoosh-Reloaded 2.7.5 is unmaintained upstream. newsindex uses Whoosh's public API wherever it is
fast enough, and the internals below where it was measured not to be. They all live here, so that
an upgrade or a security fix of Whoosh breaks this module only, and
``tests/test_whoosh_internals.py`` names the internal that moved. No other module may use a
private Whoosh name, ``whoosh.codec`` or ``whoosh.filedb`` (a test checks).

Writing (a rebuild writes its segments itself: ``indexer.index.bulk_writer``):

- ``SegmentWriter._flush_segment`` (overridden), ``_check_state``, ``_added`` and its ``_lk``
  option: a segment writer whose postings come from memory instead of Whoosh's pool, which pickles
  every posting to temporary runs and merges them (a third of a rebuild's time). Parallel writing
  processes finish their segments without committing (``_finalize_segment``) and the parent
  commits them together (``_close_segment``, ``_commit_toc``, ``_finish``), as Whoosh's own
  multiprocessing writer does.
- ``W3FieldWriter``'s files and field number (``_postfile``, ``_tindex``, ``_fieldid``), its
  ``_codec``'s ``_compression``, ``W3TermInfo._struct`` and ``WHOOSH3_HEADER_MAGIC``: a term's
  postings are written as Whoosh's posting blocks and term info in one call (``TermWriter``),
  where Whoosh's postings writer takes one call, with its type assertions, per posting, and
  pickles each block with protocol 2 (a Python call per posting value). The term infos of a
  run of terms go into the term table (``_tindex``, an ``OrderedHashWriter``: its ``dbfile``,
  ``hashfn``, ``buckets``, ``index``, ``lastkey``, and ``filetables._lengths``) in one write,
  where its ``add`` takes a dozen Python calls a term.

Reading:

- ``W3LeafMatcher`` and its current block (``_ids``, ``_weights``, ``_values``, ``_read_ids``,
  ``_read_weights``, ``_read_values``, ``_next_block``): a term's postings decoded a block at a
  time into arrays, where the public matcher yields one posting per Python call.
- ``W3Codec``, ``W3PerDocReader._cached_reader``, ``_lenfield``, ``LENGTHS_COLUMN``: each field's
  length column read into memory once (the stock reader unpacks one byte per call: once per
  posting when writing, once per scored document when searching); ``SegmentReader._perdoc`` to
  reach it from a searcher.
- ``BM25F._field_B``: BM25F's per-field ``b``, to rank in numpy exactly as Whoosh does.

Types, for annotations only: ``whoosh.codec.base.Segment``, ``W3FieldWriter``,
``whoosh.filedb.filestore.Storage`` and ``whoosh.index.FileIndex`` name what the writer and the
codec above handle (Whoosh has no type information, so mypy sees them as Any); ``Segment`` and
``W3FieldWriter`` are re-exported for ``bulk_writer``'s annotations.

The byte formats of what the index stores (positions, frequencies, field lengths) are packed and
unpacked by ``indexer.index.index_formats``, which uses Whoosh's public packing functions only.
"""

from __future__ import annotations

import pickle
import zlib
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from importlib import metadata

import numpy as np
from whoosh import scoring
from whoosh.codec import whoosh3
from whoosh.codec.base import Segment as Segment
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3Codec, W3LeafMatcher, W3PerDocReader
from whoosh.codec.whoosh3 import W3FieldWriter as W3FieldWriter
from whoosh.fields import FieldType
from whoosh.filedb import filetables
from whoosh.filedb.filestore import Storage
from whoosh.index import FileIndex
from whoosh.reading import SegmentReader
from whoosh.system import pack_int, pack_long, pack_ushort
from whoosh.writing import SegmentWriter

from indexer.index.index_formats import field_length, length_byte
from indexer.index.whoosh_types import IndexReader, Matcher, Searcher

WHOOSH_DISTRIBUTION = "Whoosh-Reloaded"
WHOOSH_VERSION = "2.7.5"  # the release these internals were read from


@dataclass(frozen=True)
class Internal:
    """A private name of Whoosh this module uses, where it lives, and why."""

    owner: object  # the class or module that has it
    name: str
    why: str


_WRITE = "a rebuild writes its segments from memory"
_BLOCK = "postings are written a block at a time"
_READ = "postings are decoded a block at a time"
_TERM_TABLE = "a field's terms are added to the term table at once"
INTERNALS = (
    Internal(SegmentWriter, "_flush_segment", _WRITE + " (overridden)"),
    Internal(SegmentWriter, "_check_state", _WRITE),
    Internal(SegmentWriter, "_finalize_segment", "writing processes finish their segments"),
    Internal(SegmentWriter, "_close_segment", "the parent commits the processes' segments"),
    Internal(SegmentWriter, "_commit_toc", "the parent commits the processes' segments"),
    Internal(SegmentWriter, "_finish", "the parent commits the processes' segments"),
    Internal(whoosh3.W3TermInfo, "_struct", _BLOCK),
    Internal(whoosh3, "WHOOSH3_HEADER_MAGIC", _BLOCK),
    Internal(filetables, "_lengths", _TERM_TABLE),
    Internal(W3LeafMatcher, "_read_ids", _READ),
    Internal(W3LeafMatcher, "_read_weights", _READ),
    Internal(W3LeafMatcher, "_read_values", _READ),
    Internal(W3LeafMatcher, "_next_block", _READ),
    Internal(W3PerDocReader, "_cached_reader", "field lengths are read into memory once"),
    Internal(whoosh3, "_lenfield", "field lengths are read into memory once"),
)
# Instance attributes, checked on live objects by the contract test.
WRITER_ATTRIBUTES = ("_added",)
FIELD_WRITER_ATTRIBUTES = ("_postfile", "_tindex", "_fieldid", "_codec")
TERM_TABLE_ATTRIBUTES = ("dbfile", "hashfn", "buckets", "index", "lastkey")
CODEC_ATTRIBUTES = ("_compression",)
MATCHER_ATTRIBUTES = ("_ids", "_weights", "_values")
SEGMENT_READER_ATTRIBUTES = ("_perdoc",)
BM25F_ATTRIBUTES = ("_field_B",)


def installed_whoosh_version() -> str:
    return metadata.version(WHOOSH_DISTRIBUTION)


def missing_internals() -> list[str]:
    """The internals (class-level) that this Whoosh no longer has, each with why it is needed."""
    return [
        f"{getattr(i.owner, '__name__', i.owner)}.{i.name} ({i.why})"
        for i in INTERNALS
        if not hasattr(i.owner, i.name)
    ]


# Writing --------------------------------------------------------------------------------------


class _NoPool:
    """What ``SegmentWriter`` expects of its pool, for a writer whose postings it never sees
    (Whoosh's pool would create temporary files)."""

    fieldnames: set[str] = set()

    def add(self, item: object) -> None:
        raise TypeError("this segment writer takes its postings from write_postings()")

    def cleanup(self) -> None:
        pass


class MemorySegmentWriter(SegmentWriter):
    """Whoosh's segment writer, with the postings written by ``write_postings`` (a subclass's)
    when the segment is flushed, instead of collected through Whoosh's pool.

    A subclass adds documents with ``begin_document`` / ``end_document`` around the per-document
    writer (``self.perdocwriter``) and writes the postings in ``write_postings``.
    """

    def __init__(self, index: FileIndex, codec: W3Codec, holds_lock: bool = True) -> None:
        options = {} if holds_lock else {"_lk": False}  # the parent process holds the lock
        super().__init__(index, codec=codec, **options)
        self.pool = _NoPool()

    def begin_document(self) -> int:
        """Start the next document; its number."""
        self._check_state()
        docnum: int = self.docnum
        self.perdocwriter.start_doc(docnum)
        return docnum

    def end_document(self) -> None:
        self.perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1

    def write_postings(self, fieldwriter: W3FieldWriter, lengths: PreloadedLengthsReader) -> None:
        """Write every posting of the segment through ``fieldwriter``; ``lengths`` is the
        segment's per-document reader (field lengths). For subclasses."""
        raise TypeError(f"{type(self).__name__} must define write_postings")

    def finish_segment(self) -> Segment:
        """Write the segment's files without committing it (for ``commit_segments``)."""
        return self._finalize_segment()

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        lengths = self.per_document_reader()
        try:
            self.write_postings(self.fieldwriter, lengths)
        finally:
            lengths.close()
        self.fieldwriter.close()


def commit_segments(index: FileIndex, codec: W3Codec, segments: list[Segment]) -> None:
    """Make ``segments``, in their order, the content of ``index`` (as Whoosh's multi-process
    writer does, without merging)."""
    writer = SegmentWriter(index, codec=codec)
    try:
        writer._close_segment()
        writer._commit_toc(segments)
    finally:
        writer._finish()


BLOCK_POSTINGS = 128  # postings in a block, as Whoosh's W3Codec writes them
COMPRESSED_FROM = 64  # bytes of a block's data: smaller data is stored as it is
BLOCK_DATA_PROTOCOL = 4  # pickles bytes natively (Whoosh's 2 makes a Python call of each)
BLOCK_INFO_PROTOCOL = 2  # as Whoosh writes a block's info
FLUSH_BYTES = 1 << 22  # postings held before they are written to the file


class TermWriter:
    """Writes the terms of one field, in order, with their postings, as Whoosh's own writer
    (``W3FieldWriter`` and ``W3PostingsWriter``) writes them for its readers: posting blocks of
    BLOCK_POSTINGS, each with its info, and a term info of the whole list in the term table.

    It takes a term's postings at once, where Whoosh's writer takes one ``add`` call per posting,
    and two things differ, both read by Whoosh's readers as they are: a block's data is pickled
    with protocol 4, where Whoosh's protocol 2 pickles each posting's value through a Python
    call (eight times slower to write and to read); and data under COMPRESSED_FROM bytes is not
    compressed (zlib only adds to it, at a cost a block).
    """

    def __init__(self, fieldwriter: W3FieldWriter, fieldname: str, field: FieldType) -> None:
        fieldwriter.start_field(fieldname, field)
        self._fieldwriter = fieldwriter
        self._postfile = fieldwriter._postfile
        self._term_table = fieldwriter._tindex
        self._key_prefix: bytes = pack_ushort(fieldwriter._fieldid)
        self._compression: int = fieldwriter._codec._compression
        fixed_size = field.format.fixed_value_size()
        self._values_kept = fixed_size is None or fixed_size < 0  # else none, or joined
        self._values_joined = bool(fixed_size and fixed_size > 0)
        self._buffer = bytearray()
        self._offset = self._postfile.tell()  # where the buffer goes in the file

    def add_terms(
        self,
        terms: list[bytes],
        sizes: list[int],
        ids: np.ndarray,
        weights: np.ndarray,
        values: list[bytes],
        length_bytes: np.ndarray,
    ) -> None:
        """Terms in order, and their postings one term after the other: ``sizes[t]`` postings
        of ``terms[t]``, each with its document number (``ids``, ascending within a term), its
        weight, its value and the byte of its document's field length. The statistics Whoosh
        keeps of each block and term are counted for all of them at once."""
        if not terms:
            return
        starts = np.cumsum([0, *sizes])
        blocks = _Blocks.of(starts, ids, weights, length_bytes)
        gaps, kept_weights = blocks.gaps.tolist(), blocks.weights32.tolist()
        block_ends, block_info = blocks.ends.tolist(), blocks.info()
        term_info = _TermStatistics.of(starts, ids, weights, length_bytes)
        buffer = self._buffer
        block = 0
        bounds = starts.tolist()
        infos: list[bytes] = []
        for number in range(len(terms)):
            start = self._offset + len(buffer)
            buffer += whoosh3.WHOOSH3_HEADER_MAGIC
            low, end = bounds[number], bounds[number + 1]
            while low < end:
                high = block_ends[block]
                same_weight, weight, *info = block_info[block]
                if not same_weight:
                    weight = tuple(kept_weights[low:high])
                elif weight == 1.0:  # Whoosh keeps None for all 1s, else the one weight
                    weight = None
                data = (tuple(gaps[low:high]), weight, self._kept_values(values[low:high]))
                self._add_block(data, info, last=high == end)
                low, block = high, block + 1
            where = pack_long(start) + pack_int(self._offset + len(buffer) - start)
            infos.append(term_info[number] + where)
        self._add_term_infos([self._key_prefix + term for term in terms], infos)
        if len(buffer) >= FLUSH_BYTES:
            self._flush()

    def _add_term_infos(self, keys: list[bytes], infos: list[bytes]) -> None:
        """Keys (field number and term) in order, with their term infos, written to the term
        table as its ``add`` writes them one at a time, in one write: its records (key and
        value lengths, key, value), its hash buckets, and its ordered index of positions."""
        table = self._term_table
        if keys[0] <= table.lastkey:
            raise ValueError(f"terms must increase: {table.lastkey!r}..{keys[0]!r}")
        start = table.dbfile.tell()
        records = bytearray()
        positions: list[int] = []
        hash_key, buckets = table.hashfn, table.buckets
        for key, info in zip(keys, infos, strict=True):
            position = start + len(records)
            positions.append(position)
            records += filetables._lengths.pack(len(key), len(info))
            records += key
            records += info
            hashed = hash_key(key)
            buckets[hashed & 255].append((hashed, position))
        table.dbfile.write(bytes(records))
        table.index.extend(positions)
        table.lastkey = keys[-1]

    def _kept_values(self, values: list[bytes]) -> object:
        """A block's values as Whoosh keeps them for the field's format."""
        if self._values_kept:
            return tuple(values)
        return b"".join(values) if self._values_joined else None

    def _add_block(self, data: tuple[object, ...], info: list[object], last: bool) -> None:
        """A block: its ``data`` (ids, weights, values as Whoosh stores them) and ``info``
        (postings, last id, highest weight, shortest and longest field length byte)."""
        databytes = pickle.dumps(data, BLOCK_DATA_PROTOCOL)
        level = self._compression if len(databytes) >= COMPRESSED_FROM else 0
        if level:
            databytes = zlib.compress(databytes, level)
        count, last_id, top_weight, shortest, longest = info
        infobytes = pickle.dumps(
            (count, last_id, top_weight, level, shortest, longest), BLOCK_INFO_PROTOCOL
        )
        size = len(infobytes) + len(databytes)
        self._buffer += pack_int(-size if last else size)  # the last block's size is negative
        self._buffer += infobytes
        self._buffer += databytes

    def _flush(self) -> None:
        self._postfile.write(bytes(self._buffer))
        self._buffer.clear()
        self._offset = self._postfile.tell()

    def finish(self) -> None:
        """Write what is held, and end the field."""
        self._flush()
        self._fieldwriter.finish_field()


@dataclass(frozen=True)
class _Blocks:
    """The posting blocks of a run of terms (BLOCK_POSTINGS postings each, the last of a term
    fewer), with what Whoosh keeps of each, counted at once."""

    ends: np.ndarray  # where each block's postings end
    gaps: np.ndarray  # each id as stored: the first of its block, then the gap from the last
    weights32: np.ndarray  # the weights as stored (32-bit)
    same_weight: np.ndarray  # whether all weights of the block are equal
    first_weight: np.ndarray
    count: np.ndarray
    last_id: np.ndarray
    top_weight: np.ndarray
    shortest: np.ndarray  # the smallest field length byte but 0
    longest: np.ndarray

    @classmethod
    def of(
        cls, starts: np.ndarray, ids: np.ndarray, weights: np.ndarray, length_bytes: np.ndarray
    ) -> _Blocks:
        sizes = np.diff(starts)
        per_term = -(-sizes // BLOCK_POSTINGS)
        first_block = np.repeat(np.cumsum(per_term) - per_term, per_term)
        nth = np.arange(len(first_block)) - first_block
        begins = np.repeat(starts[:-1], per_term) + nth * BLOCK_POSTINGS
        ends = np.minimum(begins + BLOCK_POSTINGS, np.repeat(starts[1:], per_term))
        gaps = ids.copy()
        gaps[1:] -= ids[:-1]
        gaps[begins] = ids[begins]
        weights32 = weights.astype(np.float32)
        first = weights32[begins]
        differ = np.add.reduceat(weights32 != np.repeat(first, ends - begins), begins)
        lengths = length_bytes.astype(np.int64)
        shortest = np.minimum.reduceat(np.where(lengths == 0, 256, lengths), begins)
        return cls(
            ends=ends,
            gaps=gaps,
            weights32=weights32,
            same_weight=differ == 0,
            first_weight=first,
            count=ends - begins,
            last_id=ids[ends - 1],
            top_weight=np.maximum(np.maximum.reduceat(weights, begins), 0),
            shortest=np.where(shortest == 256, 0, shortest),
            longest=np.maximum.reduceat(lengths, begins),
        )

    def info(self) -> list[tuple[object, ...]]:
        """Per block: whether its weights are equal, its first weight, its count of postings,
        last id, highest weight, shortest and longest field length byte (Python numbers)."""
        columns = (
            self.same_weight,
            self.first_weight,
            self.count,
            self.last_id,
            self.top_weight,
            self.shortest,
            self.longest,
        )
        return list(zip(*(column.tolist() for column in columns), strict=True))


class _TermStatistics:
    """The term info Whoosh keeps of each of a run of terms, packed as ``W3TermInfo`` packs
    it (without where its postings are, which follows)."""

    @staticmethod
    def of(
        starts: np.ndarray, ids: np.ndarray, weights: np.ndarray, length_bytes: np.ndarray
    ) -> list[bytes]:
        begins, ends = starts[:-1], starts[1:]
        lengths = length_bytes.astype(np.int64)
        shortest = np.minimum.reduceat(np.where(lengths == 0, 256, lengths), begins)
        columns = (
            np.add.reduceat(weights.astype(np.float32).astype(np.float64), begins),
            ends - begins,
            np.where(shortest == 256, 0, shortest),
            np.maximum.reduceat(lengths, begins),
            np.maximum(np.maximum.reduceat(weights, begins), 0),
            ids[begins],
            ids[ends - 1],
        )
        pack = whoosh3.W3TermInfo._struct.pack
        rows = zip(*(column.tolist() for column in columns), strict=True)
        return [pack(False, *row) for row in rows]  # False: not inlined


# Reading --------------------------------------------------------------------------------------


def posting_blocks(matcher: Matcher) -> Iterator[tuple[Sequence[int], Sequence[float]]]:
    """(ids, term frequencies) of each posting block of a fresh matcher."""
    if not isinstance(matcher, W3LeafMatcher):  # the few postings of a rare term, inlined
        ids, weights = [], []
        while matcher.is_active():
            ids.append(matcher.id())
            weights.append(matcher.weight())
            matcher.next()
        yield ids, weights
        return
    while matcher.is_active():
        if matcher._ids is None:
            matcher._read_ids()
        if matcher._weights is None:
            matcher._read_weights()
        yield matcher._ids, matcher._weights
        matcher._next_block()


def posting_value_blocks(matcher: Matcher) -> Iterator[tuple[Sequence[int], Sequence[bytes]]]:
    """(ids, values) of each posting block of a fresh matcher (a value holds the positions)."""
    if not isinstance(matcher, W3LeafMatcher):  # the few postings of a rare term, inlined
        ids, values = [], []
        while matcher.is_active():
            ids.append(matcher.id())
            values.append(matcher.value())
            matcher.next()
        yield ids, values
        return
    while matcher.is_active():
        if matcher._ids is None:
            matcher._read_ids()
        if matcher._values is None:
            matcher._read_values()
        yield matcher._ids, matcher._values
        matcher._next_block()


DOC_FREQUENCIES_KEPT = 200_000  # terms whose document frequency a searcher keeps


def remember_doc_frequencies(searcher: Searcher) -> None:
    """Keep the answers of the searcher's ``doc_frequency`` (and its reader's) in a dict.

    Whoosh looks a term up in each segment's term table, through Python reads of the file,
    every time; a search asks for a few dozen (each word's forms, in each text field, for its
    rarity and its languages), and an opened generation never changes. Whoosh's searcher
    copies the reader's method when it is made (``Searcher.__init__``), so both are replaced.
    """
    reader = searcher.reader()
    lookup = reader.doc_frequency
    known: dict[tuple[str, str | bytes], int] = {}

    def doc_frequency(fieldname: str, text: str | bytes) -> int:
        key = (fieldname, text)
        found = known.get(key)
        if found is None:
            if len(known) >= DOC_FREQUENCIES_KEPT:
                known.clear()
            found = known[key] = lookup(fieldname, text)
        return found

    setattr(reader, "doc_frequency", doc_frequency)  # noqa: B010 (a method replaced)
    setattr(searcher, "doc_frequency", doc_frequency)  # noqa: B010


class PreloadedLengthsReader(W3PerDocReader):
    """Whoosh's per-document reader, with each field's length column read into memory once.

    Whoosh looks up a document's field length once per posting when it writes a segment (for
    its block statistics) and once per scored document when it searches; the stock reader
    unpacks one byte from the file each time, which was an eighth of indexing time.
    """

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int | None:
        lengths = self.lengths(fieldname)
        if lengths is None or docnum >= len(lengths):
            return default
        lbyte = lengths[docnum]
        return field_length(lbyte) if lbyte else None  # as the stock reader answers

    def lengths(self, fieldname: str) -> array[int] | None:
        """The field's encoded length byte of every document of the segment (None: no column)."""
        cache: dict[str, array[int] | None] = self.__dict__.setdefault("_preloaded_lengths", {})
        if fieldname not in cache:
            reader = self._cached_reader(whoosh3._lenfield(fieldname), LENGTHS_COLUMN)
            if reader is None:
                cache[fieldname] = None
            else:  # the column ends at its last non-default value: pad it to every document
                lengths = reader.load()
                lengths.extend([0] * (self.doc_count_all() - len(lengths)))
                cache[fieldname] = lengths
        return cache[fieldname]


class NewsCodec(W3Codec):
    """Whoosh's current codec with ``PreloadedLengthsReader``, and posting blocks compressed at
    zlib's fastest level (Whoosh's default, 3, took 6% more of a rebuild for a 1% smaller
    index). Segments keep their codec, so searchers use the preloaded lengths too."""

    def __init__(self) -> None:
        super().__init__(compression=1)

    def per_document_reader(self, storage: Storage, segment: Segment) -> PreloadedLengthsReader:
        return PreloadedLengthsReader(storage, segment)


def segment_length_bytes(segment: IndexReader, fieldname: str) -> list[int] | array[int]:
    """The encoded length byte of ``fieldname`` for every document of one segment reader."""
    per_document = getattr(segment, "_perdoc", None) if isinstance(segment, SegmentReader) else None
    if isinstance(per_document, PreloadedLengthsReader):
        return per_document.lengths(fieldname) or [0] * segment.doc_count_all()
    return [
        length_byte(segment.doc_field_length(d, fieldname) or 0)
        for d in range(segment.doc_count_all())
    ]


def bm25f_field_b(weighting: scoring.BM25F, fieldname: str) -> float:
    """The ``b`` BM25F uses for ``fieldname`` (a per-field value, else its default)."""
    b: float = weighting._field_B.get(fieldname, weighting.B)
    return b
