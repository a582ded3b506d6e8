"""Preparing the benchmark's corpora: JSON Lines files written to the work folder, never the repo.

A corpus of any size is the given files read in order and, when they hold too few articles,
read again with suffixed ids (``-r1``, ``-r2``, ...) so that every copy is a distinct article; the
stream stops at the size asked for. The "200k" corpus is the three shared corpora repeated this
way, and the growth sizes (20k, 100k, 200k) are prefixes of the same stream.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MAX_COPIES = 10_000  # a guard against a corpus that holds no article at all


@dataclass(frozen=True)
class Corpus:
    """A prepared corpus: one JSON Lines file and how many articles it holds."""

    name: str
    path: Path
    articles: int


def read_records(paths: Sequence[Path]) -> Iterator[dict[str, Any]]:
    """The JSON objects of the given JSON Lines files, in order; unreadable lines are skipped
    (both indexers would skip them too, and the benchmark is not a validator)."""
    for path in paths:
        with open(path, encoding="utf-8") as lines:
            for line in lines:
                try:
                    record = json.loads(line)
                except ValueError:
                    continue
                if isinstance(record, dict):
                    yield record


def repeated_records(paths: Sequence[Path]) -> Iterator[dict[str, Any]]:
    """The records of ``paths``, then again and again with ``-r1``, ``-r2``, ... added to the
    ids, without end (the caller takes as many as it needs)."""
    for copy in range(MAX_COPIES):
        found = False
        for number, record in enumerate(read_records(paths), start=1):
            found = True
            if copy:
                record = dict(record, id=f"{record.get('id') or f'line-{number}'}-r{copy}")
            yield record
        if not found:
            return


def write_corpus(name: str, paths: Sequence[Path], articles: int | None, folder: Path) -> Corpus:
    """``folder/<name>.jsonl``: the records of ``paths`` (all of them once when ``articles`` is
    None, else exactly ``articles`` of them, repeated with suffixed ids as needed)."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{name}.jsonl"
    records = read_records(paths) if articles is None else repeated_records(paths)
    count = 0
    with open(target, "w", encoding="utf-8") as out:
        for record in records:
            if articles is not None and count >= articles:
                break
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
    return Corpus(name=name, path=target, articles=count)


def corpus_label(paths: Sequence[Path]) -> str:
    """A short name for a set of corpus files: their stems joined by ``+``."""
    return "+".join(path.name.split(".")[0] for path in paths)


def size_label(articles: int) -> str:
    """``20000`` -> ``20k``; sizes that are not whole thousands stay as they are."""
    return f"{articles // 1000}k" if articles % 1000 == 0 and articles >= 1000 else str(articles)
