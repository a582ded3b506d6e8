"""The Whoosh schema: which fields the index has and how each is analysed.

This module, ``indexer.index.analysis`` and ``indexer.index.documents`` (how an article fills the
fields) are the only places that define what is in the index. The schema is versioned: an index
records the version it was built with, and ``require_schema_version`` refuses an index of another
version with a message to run ``indexer rebuild``.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterator
from itertools import accumulate
from typing import TYPE_CHECKING, Any

from whoosh.analysis import IDAnalyzer
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3Codec, W3PerDocReader, _lenfield
from whoosh.fields import DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.formats import _INT_SIZE, Positions
from whoosh.system import pack_uint
from whoosh.util.numeric import byte_to_length

from indexer.errors import SchemaMismatchError
from indexer.index.analysis import (
    NamespaceAnalyzer,
    name_analyzer,
    text_analyzer,
    word_analyzer,
)
from indexer.index.languages import default_language_code

if TYPE_CHECKING:
    from indexer.index.store import Generation

# 5: the analyzers pickled into the index moved to indexer.index.analysis.
# 6: analysis by language: terms tagged with their namespace, ``language_code`` and ``analyses``.
SCHEMA_VERSION = 6

# The text fields a query searches, with their weights in BM25F ranking: a word in the headline
# says more about what a story is about than the same word deep in its body.
SEARCH_FIELD_BOOSTS = {"title": 3.0, "teaser": 2.0, "body": 1.0}


class NewsPositions(Positions):
    """Whoosh's Positions format, fed in one pass by ``NewsAnalyzer.term_positions`` and with the
    positions packed as a C array instead of pickled: the two costs per posting that dominate
    indexing after Whoosh's own pool and merge."""

    def word_values(self, value: Any, analyzer: Any, **kwargs: Any) -> Iterator[tuple]:
        if not isinstance(value, str) or not hasattr(analyzer, "term_positions"):
            yield from super().word_values(value, analyzer, **kwargs)
            return
        boost = self.field_boost
        for term, positions in analyzer.term_positions(value).items():
            yield term, len(positions), len(positions) * boost, self.encode(positions)

    def encode(self, poslist: list[int]) -> bytes:
        deltas = array("I", (b - a for a, b in zip([0, *poslist], poslist, strict=False)))
        return pack_uint(len(deltas)) + deltas.tobytes()

    def decode_positions(self, valuestring: bytes) -> list[int]:
        deltas = array("I")
        deltas.frombytes(valuestring[_INT_SIZE:])
        return list(accumulate(deltas))


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
        return byte_to_length(lbyte) if lbyte else None  # as the stock reader answers

    def derived(self, key: Any, compute: Callable[[], Any]) -> Any:
        """A value computed once from this segment's lengths (ranking's normalisations)."""
        cache = self.__dict__.setdefault("_derived", {})
        if key not in cache:
            cache[key] = compute()
        return cache[key]

    def lengths(self, fieldname: str) -> array | None:
        """The field's encoded length byte of every document of the segment (None: no column)."""
        cache = self.__dict__.setdefault("_preloaded_lengths", {})
        if fieldname not in cache:
            reader = self._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
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

    def per_document_reader(self, storage: Any, segment: Any) -> PreloadedLengthsReader:
        return PreloadedLengthsReader(storage, segment)


def _text_field(analyzer: Any, **options: Any) -> TEXT:
    field = TEXT(analyzer=analyzer, multitoken_query="phrase", **options)
    field.format = NewsPositions(field_boost=field.format.field_boost)
    return field


def _column_only(field: Any) -> Any:
    """A field kept as a column (and stored, if it is) but not indexed: dates are filtered and
    counted from the columns (``indexer.search.doctable``), so their terms (eight per date for
    Whoosh's DATETIME) would only slow indexing down."""
    field.indexed = False
    return field


def build_schema(language: str = "english") -> Schema:
    """The schema; ``language`` (the ``[index] language`` setting) is how text whose language
    cannot be told is analysed."""
    default = default_language_code(language)
    text = text_analyzer(default)
    return Schema(
        id=ID(stored=True, unique=True),
        checksum=STORED(),
        url=STORED(),
        title=_text_field(text, stored=True),
        teaser=_text_field(text, stored=True),
        body=_text_field(text, stored=True),
        author=_text_field(name_analyzer(), stored=True),
        section=ID(analyzer=IDAnalyzer(lowercase=True), stored=True, sortable=True),
        tags=KEYWORD(stored=True, commas=True, lowercase=True, scorable=True),
        published=_column_only(DATETIME(stored=True, sortable=True)),
        undated=_column_only(NUMERIC(int, bits=8, signed=False, sortable=True, default=0)),
        month=_column_only(ID(sortable=True)),
        language=ID(stored=True),  # the BCP 47 tag, as declared or identified
        language_code=_column_only(ID(sortable=True)),  # its primary subtag: filter and facet
        analyses=KEYWORD(analyzer=NamespaceAnalyzer(default)),  # the namespaces of its terms
        words=TEXT(analyzer=word_analyzer(default), phrase=False),
    )


def require_schema_version(generation: Generation) -> None:
    """Refuse a generation built with another schema version (SchemaMismatchError)."""
    found = generation.manifest.get("schema_version")
    if found != SCHEMA_VERSION:
        raise SchemaMismatchError(
            f"the index {generation.name} has schema version {found}, this newsindex needs "
            f"{SCHEMA_VERSION}: run `indexer rebuild`"
        )
