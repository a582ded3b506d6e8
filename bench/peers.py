"""The engines a reader of the issue would pick instead of newsindex, on the same results page.

Each peer builds its own index of the corpus (``build``: corpus, folder -> articles indexed) and
answers the benchmark's ``BenchQuery`` with a results page as its documentation shows one: the
total, the top 10 of the page asked for, and a highlighted snippet of each hit's body from the
engine's own snippet function. The query mix is read the same way by all: plain words must all
match (title or body), a quoted phrase matches as a phrase, a section is an exact filter, a date
range a range of the article's day. No peer computes facets (newsindex always does).

- ``fts5``: SQLite FTS5 through Python's own sqlite3 (porter stemmer, ``bm25()``, ``snippet()``).
- ``tantivy``: tantivy's PyPI wheel (``pip install -e '.[bench]'``; English stemming tokenizer,
  its BM25, ``SnippetGenerator``).
- ``xapian``: Debian's python3-xapian (``apt-get install python3-xapian``), imported from the
  system's dist-packages when the venv's Python is the same version (``QueryParser`` with the
  English stemmer, BM25, ``MSet.snippet``).

A peer whose library cannot be imported is skipped, and the report says why.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.pages import PageFunction

PEERS = ("fts5", "tantivy", "xapian")
_MODULES = {name: f"bench.peer_{name}" for name in PEERS}
WORD = re.compile(r"\w+")


def query_words(q: str) -> tuple[list[str], bool]:
    """The words of a mix query (lower case), and whether they are one quoted phrase."""
    return WORD.findall(q.lower()), q.startswith('"')


def unavailable(name: str) -> str | None:
    """Why the peer ``name`` cannot run here, or None when it can."""
    try:
        importlib.import_module(_MODULES[name]).library()
    except ImportError as error:
        return f"{name} is not importable here ({error})"
    return None


def builder(name: str) -> Callable[[Path, Path], int]:
    """The peer's build function: (corpus JSONL, index folder) -> articles indexed."""
    return importlib.import_module(_MODULES[name]).build


@contextmanager
def peer_pages(name: str, index_dir: Path) -> Iterator[PageFunction]:
    """Results pages from the peer's index in ``index_dir``."""
    module: Any = importlib.import_module(_MODULES[name])
    with module.pages(index_dir) as run_page:
        yield run_page
