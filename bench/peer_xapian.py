"""Xapian (Debian's python3-xapian) as its documentation shows it: a ``TermGenerator`` with the
English stemmer, the section a boolean term, the day a value; ``QueryParser`` with AND as the
default operator, ``Enquire`` (BM25), ``MSet.snippet`` (see ``bench.peers``). The total is
Xapian's estimate, as a Xapian results page shows it."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.naive import article_fields
from bench.pages import PageFunction, PageOutcome
from bench.queries import BenchQuery

SYSTEM_PACKAGES = "/usr/lib/python3/dist-packages"  # Debian's python3-xapian
PAGE_SIZE = 10
DAY_SLOT = 0
SECTION_PREFIX = "XS"
SNIPPET_CHARS = 200


def library() -> Any:
    """xapian, from the venv or else from Debian's dist-packages (only that module is taken)."""
    try:
        import xapian
    except ImportError:
        if SYSTEM_PACKAGES in sys.path:
            raise
        sys.path.append(SYSTEM_PACKAGES)
        try:
            import xapian
        finally:
            sys.path.remove(SYSTEM_PACKAGES)
    return xapian


def build(corpus: Path, index_dir: Path) -> int:
    xapian = library()
    index_dir.mkdir(parents=True, exist_ok=True)
    db = xapian.WritableDatabase(str(index_dir), xapian.DB_CREATE_OR_OVERWRITE)
    terms = xapian.TermGenerator()
    terms.set_stemmer(xapian.Stem("english"))
    count = 0
    for fields in article_fields(corpus):
        document = xapian.Document()
        terms.set_document(document)
        terms.index_text(fields["title"], 2)  # the title weighs twice the body
        terms.increase_termpos()
        terms.index_text(fields["body"])
        if "section" in fields:
            document.add_boolean_term(SECTION_PREFIX + fields["section"])
        if "published" in fields:
            document.add_value(DAY_SLOT, fields["published"].strftime("%Y%m%d"))
        stored = {key: fields[key] for key in ("id", "title", "body")}
        document.set_data(json.dumps(stored))
        db.add_document(document)
        count += 1
    db.commit()
    db.close()
    return count


@contextmanager
def pages(index_dir: Path) -> Iterator[PageFunction]:
    from bench.peers import query_words

    xapian = library()
    db = xapian.Database(str(index_dir))
    stemmer = xapian.Stem("english")
    parser = xapian.QueryParser()
    parser.set_stemmer(stemmer)
    parser.set_stemming_strategy(xapian.QueryParser.STEM_SOME)
    parser.set_database(db)
    parser.set_default_op(xapian.Query.OP_AND)
    enquire = xapian.Enquire(db)

    def run_page(bench_query: BenchQuery) -> PageOutcome:
        words, phrase = query_words(bench_query.q)
        text = '"' + " ".join(words) + '"' if phrase else " ".join(words)
        query = parser.parse_query(text, xapian.QueryParser.FLAG_PHRASE)
        if bench_query.section:
            section = xapian.Query(SECTION_PREFIX + bench_query.section)
            query = xapian.Query(xapian.Query.OP_FILTER, query, section)
        if bench_query.date_from and bench_query.date_to:
            days = (bench_query.date_from, bench_query.date_to)
            start, end = (day.strftime("%Y%m%d") for day in days)
            dates = xapian.Query(xapian.Query.OP_VALUE_RANGE, DAY_SLOT, start, end)
            query = xapian.Query(xapian.Query.OP_FILTER, query, dates)
        enquire.set_query(query)
        matches = enquire.get_mset((bench_query.page - 1) * PAGE_SIZE, PAGE_SIZE)
        for match in matches:
            stored = json.loads(match.document.get_data())
            matches.snippet(stored["body"] or "", SNIPPET_CHARS, stemmer)
        return PageOutcome(matches.get_matches_estimated())

    try:
        yield run_page
    finally:
        db.close()
