"""The real corpora of ../shared/corpora, when they are there: every record that can be kept is."""

from __future__ import annotations

import json

import pytest

from conftest import SHARED_CORPORA

CORPORA = sorted(SHARED_CORPORA.glob("*.jsonl")) if SHARED_CORPORA.is_dir() else []
pytestmark = pytest.mark.skipif(
    len(CORPORA) < 3, reason="the shared corpora (../shared/corpora) are not present"
)


def test_all_three_corpora_are_indexed_with_nothing_lost(indexer) -> None:
    expected = sum(len(path.read_bytes().strip().splitlines()) for path in CORPORA)
    result = indexer("rebuild", "--json", *map(str, CORPORA))
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["indexed"] == expected == 33_065
    assert summary["skipped"] == 0 and summary["duplicates"] == 0
    stats = json.loads(indexer("stats", "--json").stdout)
    assert stats["articles"] == 33_065
    assert stats["first_published"].startswith("1987-")
    found = json.loads(indexer("search", "oil prices", "--json").stdout)
    assert found["total"] > 100
    wire = [hit for hit in found["results"] if hit["id"].startswith("reuters-")]
    assert wire and all(hit["published"].startswith("1987-") for hit in wire)
    assert sum("oil" in hit["title"].lower() for hit in found["results"]) >= 5
