"""The Whoosh schema: which fields the index has and how each is analysed.

This module, ``indexer.analysis.tokenizer`` and ``indexer.index.documents`` (how an article fills
the fields) are the only places that define what is in the index. The schema is versioned: an index
records the version it was built with, and ``require_schema_version`` refuses an index of another
version with a message to run ``indexer rebuild``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from whoosh.analysis import IDAnalyzer
from whoosh.fields import DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, FieldType, Schema
from whoosh.formats import Frequency, Positions

from indexer.analysis.tokenizer import (
    NamespaceAnalyzer,
    NewsAnalyzer,
    name_analyzer,
    text_analyzer,
    word_analyzer,
)
from indexer.analysis.word_forms import default_language_code
from indexer.errors import SchemaMismatchError
from indexer.index.index_formats import decode_positions, encode_positions, frequency_value

if TYPE_CHECKING:
    from indexer.index.store import Generation

# 5: the analyzers pickled into the index moved to indexer.analysis.tokenizer.
# 6: analysis by language: terms tagged with their namespace, ``language_code`` and ``analyses``.
# 7: stories: ``story``, the id of the article's story (a column), and ``stories-<hash>.npz``.
SCHEMA_VERSION = 7

# The text fields a query searches, with their weights in BM25F ranking: a word in the headline
# says more about what a story is about than the same word deep in its body.
SEARCH_FIELD_BOOSTS = {"title": 2.25, "teaser": 1.5, "body": 1.0}


class _FedByTermPositions:
    """A Whoosh format fed in one pass by ``NewsAnalyzer.term_positions`` (a term's posting
    value made by ``value_of``), and by Whoosh's own analysis for any other analyzer."""

    field_boost: float

    def word_values(
        self, value: object, analyzer: object, **kwargs: object
    ) -> Iterator[tuple[str, int, float, bytes]]:
        if not isinstance(value, str) or not hasattr(analyzer, "term_positions"):
            yield from super().word_values(value, analyzer, **kwargs)  # type: ignore[misc]
            return
        boost = self.field_boost
        for term, positions in analyzer.term_positions(value).items():
            yield term, len(positions), len(positions) * boost, self.value_of(positions)

    def value_of(self, positions: list[int]) -> bytes:
        raise NotImplementedError


class NewsPositions(_FedByTermPositions, Positions):
    """Whoosh's Positions format, fed in one pass and with the positions packed as a C array
    instead of pickled: the two costs per posting that dominate indexing after Whoosh's own pool
    and merge."""

    def value_of(self, positions: list[int]) -> bytes:
        return self.encode(positions)

    def encode(self, poslist: list[int]) -> bytes:
        return encode_positions(poslist)

    def decode_positions(self, valuestring: bytes) -> list[int]:
        return decode_positions(valuestring)


class NewsFrequency(_FedByTermPositions, Frequency):
    """Whoosh's Frequency format (counts, no positions), fed in one pass like ``NewsPositions``:
    the spelling words of every article, at the cost of a lookup a word."""

    def value_of(self, positions: list[int]) -> bytes:
        return frequency_value(len(positions))


def _text_field(analyzer: NewsAnalyzer, **options: object) -> TEXT:
    field = TEXT(analyzer=analyzer, multitoken_query="phrase", **options)
    field.format = NewsPositions(field_boost=field.format.field_boost)
    return field


def _spelling_field(analyzer: NewsAnalyzer) -> TEXT:
    field = TEXT(analyzer=analyzer, phrase=False)
    field.format = NewsFrequency(field_boost=field.format.field_boost)
    return field


def _column_only(field: FieldType) -> FieldType:
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
        words=_spelling_field(word_analyzer(default)),
        story=_column_only(ID(sortable=True)),  # the story's id (``indexer.index.stories``)
    )


def require_schema_version(generation: Generation) -> None:
    """Refuse a generation built with another schema version (SchemaMismatchError)."""
    found = generation.manifest.get("schema_version")
    if found != SCHEMA_VERSION:
        raise SchemaMismatchError(
            f"the index {generation.name} has schema version {found}, this newsindex needs "
            f"{SCHEMA_VERSION}: run `indexer rebuild`"
        )
