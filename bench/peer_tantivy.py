"""tantivy (its PyPI wheel) as its documentation shows it: a schema with the English stemming
tokenizer, one writer, ``parse_query`` over title and body, ``SnippetGenerator`` (see
``bench.peers``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from datetime import time as day_time
from pathlib import Path
from typing import Any

from bench.naive import article_fields
from bench.pages import PageFunction, PageOutcome
from bench.queries import BenchQuery

PAGE_SIZE = 10
WRITER_HEAP = 200_000_000


def library() -> Any:
    import tantivy

    return tantivy


def _schema() -> Any:
    tantivy = library()
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw")
    builder.add_text_field("title", stored=True, tokenizer_name="en_stem")
    builder.add_text_field("body", stored=True, tokenizer_name="en_stem")
    builder.add_text_field("section", stored=True, tokenizer_name="raw")
    builder.add_date_field("published", stored=True, indexed=True, fast=True)
    return builder.build()


def build(corpus: Path, index_dir: Path) -> int:
    tantivy = library()
    index_dir.mkdir(parents=True, exist_ok=True)
    index = tantivy.Index(_schema(), path=str(index_dir))
    writer = index.writer(WRITER_HEAP)
    count = 0
    for fields in article_fields(corpus):
        writer.add_document(tantivy.Document(**fields))
        count += 1
    writer.commit()
    writer.wait_merging_threads()
    return count


def _query(index: Any, bench_query: BenchQuery) -> Any:
    """Every word required (``+word``), or one phrase; the section and dates as filters."""
    from bench.peers import query_words

    tantivy = library()
    words, phrase = query_words(bench_query.q)
    text = '"' + " ".join(words) + '"' if phrase else " ".join(f"+{w}" for w in words)
    parts = [(tantivy.Occur.Must, index.parse_query(text, ["title", "body"]))]
    schema = index.schema
    if bench_query.section:
        section = tantivy.Query.term_query(schema, "section", bench_query.section)
        parts.append((tantivy.Occur.Must, section))
    if bench_query.date_from and bench_query.date_to:
        start = datetime.combine(bench_query.date_from, day_time.min)
        end = datetime.combine(bench_query.date_to, day_time.max)
        dates = tantivy.Query.range_query(schema, "published", tantivy.FieldType.Date, start, end)
        parts.append((tantivy.Occur.Must, dates))
    return parts[0][1] if len(parts) == 1 else tantivy.Query.boolean_query(parts)


@contextmanager
def pages(index_dir: Path) -> Iterator[PageFunction]:
    tantivy = library()
    index = tantivy.Index.open(str(index_dir))
    index.reload()
    searcher = index.searcher()

    def run_page(bench_query: BenchQuery) -> PageOutcome:
        query = _query(index, bench_query)
        offset = (bench_query.page - 1) * PAGE_SIZE
        found = searcher.search(query, PAGE_SIZE, count=True, offset=offset)
        snippets = tantivy.SnippetGenerator.create(searcher, query, index.schema, "body")
        for _score, address in found.hits:
            document = searcher.doc(address)
            document.to_dict()
            snippets.snippet_from_doc(document).to_html()
        return PageOutcome(found.count or 0)

    yield run_page
