"""Test collections for ranking: documents, queries as people wrote them, relevance judgments.

A collection is a folder (the format of ``../shared/relevance``): ``docs.jsonl`` (articles in the
project's schema, read by ``indexer rebuild`` as they are), ``queries.json`` (``{"query id":
"query text"}``) and ``qrels.txt`` (TREC: ``query-id 0 document-id grade``, a grade above 0 is
relevant). Queries without a relevant document are left out of the means.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

DOCUMENTS, QUERIES, JUDGMENTS = "docs.jsonl", "queries.json", "qrels.txt"


@dataclass(frozen=True)
class Collection:
    """One test collection, read from its folder."""

    name: str
    folder: Path
    queries: dict[str, str]  # judged queries only: id -> text
    relevant: dict[str, frozenset[str]]  # query id -> ids of the relevant documents
    unjudged_queries: int

    @property
    def documents(self) -> Path:
        return self.folder / DOCUMENTS

    @property
    def judgments(self) -> int:
        return sum(len(docs) for docs in self.relevant.values())


def is_collection(folder: Path) -> bool:
    return all((folder / name).is_file() for name in (DOCUMENTS, QUERIES, JUDGMENTS))


def find_collections(folders: list[Path]) -> list[Path]:
    """The collection folders among ``folders``, or inside them (one level down), sorted."""
    found: list[Path] = []
    for folder in folders:
        if is_collection(folder):
            found.append(folder)
        elif folder.is_dir():
            found.extend(sorted(child for child in folder.iterdir() if is_collection(child)))
    return found


def read_collection(folder: Path) -> Collection:
    """The collection in ``folder``; ValueError naming the file and line when one is malformed."""
    queries_path = folder / QUERIES
    try:
        every_query = json.loads(queries_path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise ValueError(f"{queries_path}: not JSON: {exc}") from None
    if not isinstance(every_query, dict):
        raise ValueError(f"{queries_path}: expected an object of query id -> text")
    relevant = _read_judgments(folder / JUDGMENTS)
    judged = {str(q): str(text) for q, text in every_query.items() if relevant.get(str(q))}
    return Collection(
        name=folder.name,
        folder=folder,
        queries=judged,
        relevant={q: frozenset(relevant[q]) for q in judged},
        unjudged_queries=len(every_query) - len(judged),
    )


def _read_judgments(path: Path) -> dict[str, set[str]]:
    relevant: dict[str, set[str]] = defaultdict(set)
    with open(path, encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            fields = line.split()
            if not fields:
                continue
            if len(fields) != 4:
                raise ValueError(f"{path}:{number}: expected 'query-id 0 document-id grade'")
            query_id, _iteration, document_id, grade = fields
            try:
                is_relevant = int(grade) > 0
            except ValueError:
                raise ValueError(f"{path}:{number}: the grade must be a whole number") from None
            if is_relevant:
                relevant[query_id].add(document_id)
    return relevant
