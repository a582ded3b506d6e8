"""SQLite FTS5 as its documentation shows it: one FTS5 table, ``MATCH``, ``ORDER BY bm25()``,
``snippet()`` (see ``bench.peers``)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.naive import article_fields
from bench.pages import PageFunction, PageOutcome
from bench.queries import BenchQuery

DATABASE = "articles.db"
TITLE_WEIGHT = 2.0  # bm25() weight of the title against the body's 1
PAGE_SIZE = 10


def library() -> object:
    sqlite3.connect(":memory:").execute("CREATE VIRTUAL TABLE probe USING fts5(x)")
    return sqlite3


def build(corpus: Path, index_dir: Path) -> int:
    index_dir.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(index_dir / DATABASE) as db:
        db.execute(
            "CREATE VIRTUAL TABLE articles USING fts5(id UNINDEXED, title, body, "
            "section UNINDEXED, published UNINDEXED, tokenize='porter unicode61')"
        )
        rows = (
            (
                fields["id"],
                fields["title"],
                fields["body"],
                fields.get("section", ""),
                fields["published"].date().isoformat() if "published" in fields else "",
            )
            for fields in article_fields(corpus)
        )
        db.executemany("INSERT INTO articles VALUES (?, ?, ?, ?, ?)", rows)
        count = db.execute("SELECT count(*) FROM articles").fetchone()[0]
    db.close()
    return count


def match_text(bench_query: BenchQuery) -> str:
    """The query in FTS5's syntax: each word quoted (all must match), or one quoted phrase."""
    from bench.peers import query_words

    words, phrase = query_words(bench_query.q)
    if phrase:
        return '"' + " ".join(words) + '"'
    return " ".join(f'"{word}"' for word in words)


def _where(bench_query: BenchQuery) -> tuple[str, list[object]]:
    clauses, values = ["articles MATCH ?"], [match_text(bench_query)]
    if bench_query.section:
        clauses.append("section = ?")
        values.append(bench_query.section)
    if bench_query.date_from and bench_query.date_to:
        clauses.append("published BETWEEN ? AND ?")
        values += [bench_query.date_from.isoformat(), bench_query.date_to.isoformat()]
    return " AND ".join(clauses), values


@contextmanager
def pages(index_dir: Path) -> Iterator[PageFunction]:
    db = sqlite3.connect(index_dir / DATABASE, check_same_thread=False)

    def run_page(bench_query: BenchQuery) -> PageOutcome:
        where, values = _where(bench_query)
        total = db.execute(f"SELECT count(*) FROM articles WHERE {where}", values).fetchone()[0]
        offset = (bench_query.page - 1) * PAGE_SIZE
        db.execute(
            "SELECT id, title, section, published, "
            "snippet(articles, 2, '<mark>', '</mark>', '…', 32) "
            f"FROM articles WHERE {where} ORDER BY bm25(articles, 0, {TITLE_WEIGHT}, 1) "
            "LIMIT ? OFFSET ?",
            [*values, PAGE_SIZE, offset],
        ).fetchall()
        return PageOutcome(total)

    try:
        yield run_page
    finally:
        db.close()
