"""The parts of Whoosh's public API the project calls, as Protocols, so that mypy checks the calls
(Whoosh ships no type information) and a reader sees what the project needs of Whoosh: the
surface a replacement engine would have to offer.

What stays ``Any`` is typed by the schema, not by the API: a stored field's value (text, a date,
a number, by field), a column's value (by column), and a field's analyzer (``NewsAnalyzer`` for
the text fields).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Protocol

StoredFields = dict[str, Any]  # a document's stored fields; each value of its field's type


class Analyzer(Protocol):
    """``whoosh.analysis.Analyzer``: text in, tokens (``.text``, ``.pos``...) out."""

    def __call__(self, value: str, **kwargs: object) -> Iterator[Token]: ...


class Token(Protocol):
    """``whoosh.analysis.Token``: one term of analysed text (Whoosh reuses one object)."""

    text: str


class Field(Protocol):
    """``whoosh.fields.FieldType``: a schema's field and how its text is analysed."""

    analyzer: Any  # the schema's own analyzer class (``NewsAnalyzer`` for text fields)


class Schema(Protocol):
    """``whoosh.fields.Schema``: the fields by name."""

    def __getitem__(self, name: str) -> Field: ...
    def names(self) -> list[str]: ...


class Matcher(Protocol):
    """``whoosh.matching.Matcher``: a term's postings, one document at a time."""

    def is_active(self) -> bool: ...
    def id(self) -> int: ...
    def weight(self) -> float: ...
    def value(self) -> bytes: ...
    def next(self) -> None: ...
    def all_ids(self) -> Iterator[int]: ...


class ColumnReader(Protocol):
    """``whoosh.columns.ColumnReader``: one value per document of a segment."""

    def __getitem__(self, docnum: int) -> Any: ...  # of the column's type


class IndexReader(Protocol):
    """``whoosh.reading.IndexReader``: one segment, or all of them (``leaf_readers``)."""

    schema: Schema

    def leaf_readers(self) -> list[tuple[IndexReader, int]]: ...
    def doc_count_all(self) -> int: ...
    def all_doc_ids(self) -> Iterator[int]: ...
    def doc_frequency(self, fieldname: str, text: str | bytes) -> int: ...
    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int | None: ...
    def expand_prefix(self, fieldname: str, prefix: str) -> Iterator[bytes | str]: ...
    def lexicon(self, fieldname: str) -> Iterator[bytes]: ...
    def column_reader(self, fieldname: str) -> ColumnReader: ...
    def postings(self, fieldname: str, text: str) -> Matcher: ...


class Hit(Protocol):
    """``whoosh.searching.Hit``: a found document's number and stored fields."""

    docnum: int

    def __getitem__(self, fieldname: str) -> Any: ...  # of the field's type
    def get(self, fieldname: str, default: object = None) -> Any: ...


class Results(Protocol):
    """``whoosh.searching.Results``: the hits of one search, best first."""

    top_n: list[tuple[float, int]]  # (score, document number) of the scored hits

    def __iter__(self) -> Iterator[Hit]: ...
    def docs(self) -> set[int]: ...


class Corrector(Protocol):
    """``whoosh.spelling.Corrector``: the words close to a word."""

    def suggest(
        self, text: str, limit: int = 5, maxdist: int = 2, prefix: int = 0
    ) -> list[str]: ...


class IndexWriter(Protocol):
    """``whoosh.writing.IndexWriter``: changes to a copy of a generation (``indexer update``)."""

    def update_document(self, **fields: object) -> None: ...
    def delete_by_term(self, fieldname: str, text: str) -> int: ...
    def cancel(self) -> None: ...
    def commit(self) -> None: ...


class Searcher(Protocol):
    """``whoosh.searching.Searcher``: an open generation's statistics, stored fields and search."""

    schema: Schema
    weighting: object

    def reader(self) -> IndexReader: ...
    def get_parent(self) -> Searcher: ...
    def leaf_searchers(self) -> Sequence[tuple[Searcher, int]]: ...
    def doc_count(self) -> int: ...
    def doc_count_all(self) -> int: ...
    def avg_field_length(self, fieldname: str, default: float | None = None) -> float: ...
    def idf(self, fieldname: str, text: str | bytes) -> float: ...
    def frequency(self, fieldname: str, text: str | bytes) -> float: ...
    def doc_frequency(self, fieldname: str, text: str | bytes) -> int: ...
    def stored_fields(self, docnum: int) -> StoredFields: ...
    def document_number(self, **kw: str) -> int | None: ...
    def docs_for_query(self, q: object) -> Iterable[int]: ...
    def search(
        self,
        q: object,
        limit: int | None = 10,
        filter: Iterable[int] | None = None,
        mask: Iterable[int] | None = None,
    ) -> Results: ...
    def key_terms_from_text(
        self, fieldname: str, text: str, numterms: int = 5, normalize: bool = True
    ) -> list[tuple[str, float]]: ...
    def corrector(self, fieldname: str) -> Corrector: ...
    def close(self) -> None: ...
