"""The real corpora of ../shared/corpora, when they are there: every record that can be kept is,
and the results pages read well on real news copy (which repeats itself)."""

from __future__ import annotations

import html
import json
import re
import statistics

import pytest
from click.testing import CliRunner

from conftest import SHARED_CORPORA, repeated_run
from indexer.cli import main
from indexer.config import load_settings
from indexer.search.requests import SearchRequest
from indexer.search.service import SearchService

CORPORA = sorted(SHARED_CORPORA.glob("*.jsonl")) if SHARED_CORPORA.is_dir() else []
pytestmark = pytest.mark.skipif(
    len(CORPORA) < 3, reason="the shared corpora (../shared/corpora) are not present"
)
COMMON_QUERIES = [
    "oil prices",
    "election",
    "government",
    "bank",
    "trade deficit",
    "interest rates",
    "film",
    "football",
    "dollar",
    "stock market",
]


@pytest.fixture(scope="module")
def corpora_index(tmp_path_factory):
    """The three corpora rebuilt once by the CLI: (index folder, the rebuild's --json summary)."""
    index_dir = tmp_path_factory.mktemp("corpora") / "index"
    result = CliRunner(env={"NEWSINDEX_INDEX_DIR": str(index_dir)}).invoke(
        main, ["rebuild", "--json", *map(str, CORPORA)], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    return index_dir, json.loads(result.stdout)


def run_indexer(index_dir, *args: str) -> dict:
    runner = CliRunner(env={"NEWSINDEX_INDEX_DIR": str(index_dir)})
    return json.loads(runner.invoke(main, list(args), catch_exceptions=False).stdout)


def test_all_three_corpora_are_indexed_with_nothing_lost(corpora_index) -> None:
    index_dir, summary = corpora_index
    expected = sum(len(path.read_bytes().strip().splitlines()) for path in CORPORA)
    assert summary["indexed"] == expected == 33_065
    assert summary["skipped"] == 0 and summary["duplicates"] == 0
    stats = run_indexer(index_dir, "stats", "--json")
    assert stats["articles"] == 33_065
    assert stats["first_published"].startswith("1987-")
    found = run_indexer(index_dir, "search", "oil prices", "--json")
    assert found["total"] > 100
    wire = [hit for hit in found["results"] if hit["id"].startswith("reuters-")]
    assert wire and all(hit["published"].startswith("1987-") for hit in wire)
    assert sum("oil" in hit["title"].lower() for hit in found["results"]) >= 5


def test_snippets_of_common_queries_never_repeat_and_fit_in_three_lines(corpora_index) -> None:
    index_dir, _summary = corpora_index
    settings = load_settings({"index_dir": index_dir, "result_cache": 0}, environ={})
    snippets = []
    with SearchService(settings) as service:
        for q in COMMON_QUERIES:
            for page in (1, 2):
                snippets += [
                    hit.snippet_html for hit in service.search(SearchRequest(q, page=page)).hits
                ]
    assert len(snippets) == 200
    repeats = [(snippet, run) for snippet in snippets if (run := repeated_run(snippet))]
    assert repeats == []
    lengths = [len(html.unescape(re.sub(r"</?mark>", "", snippet))) for snippet in snippets]
    assert max(lengths) <= 240 and statistics.mean(lengths) <= 230
    assert all("<mark>" in snippet for snippet in snippets[:10])
