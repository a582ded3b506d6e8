"""``python -m bench relevance``: the measures, the collection format, the known-item sample, and a
smoke run on a tiny collection of the tests' own. No score is asserted as a target: quality is
measured by the command, not by the tests."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench.known_item import sample_known_items
from bench.relevance_collections import read_collection
from bench.relevance_metrics import mean_scores, score_ranking
from indexer.config import PROJECT_ROOT

FIXTURE = PROJECT_ROOT / "tests" / "fixtures" / "relevance"


def test_the_measures_follow_their_definitions() -> None:
    scores = score_ranking(["a", "x", "b", "y"], {"a", "b", "c"})
    assert scores.average_precision == pytest.approx((1 / 1 + 2 / 3) / 3)
    ideal = 1 + 1 / 1.5849625007211563 + 1 / 2  # three relevant: ranks 1, 2, 3
    assert scores.ndcg_10 == pytest.approx((1 + 1 / 2) / ideal)
    assert scores.p_10 == pytest.approx(0.2)
    assert scores.recall_100 == pytest.approx(2 / 3)


def test_a_query_that_finds_nothing_scores_zero_and_counts_in_the_mean() -> None:
    perfect = score_ranking(["a"], {"a"})
    nothing = score_ranking([], {"a"})
    assert perfect.as_dict() == {"map": 1.0, "ndcg_10": 1.0, "p_10": 0.1, "recall_100": 1.0}
    assert mean_scores([perfect, nothing])["map"] == pytest.approx(0.5)


def test_only_results_within_the_depth_count() -> None:
    ranked = [f"x{n}" for n in range(1000)] + ["a"]
    assert score_ranking(ranked, {"a"}).average_precision == 0


def test_a_collection_keeps_its_judged_queries_only() -> None:
    collection = read_collection(FIXTURE / "harbour")
    assert "5" not in collection.queries  # judged 0 only: nothing relevant
    assert collection.unjudged_queries == 1
    assert collection.relevant["2"] == {"h-3", "h-4", "h-11"}


def test_a_malformed_judgment_is_named_by_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "queries.json").write_text('{"1": "cod"}')
    (tmp_path / "qrels.txt").write_text("1 0 d-1 1\n1 0 d-2\n")
    with pytest.raises(ValueError, match=r"qrels.txt:2"):
        read_collection(tmp_path)


def test_known_items_are_seeded_unique_headlines_searched_by_their_rarest_words() -> None:
    records = [
        {"id": "a", "title": "Cod quota cut angers trawler crews", "body": "cod quota"},
        {"id": "b", "title": "Cod quota talks", "body": "cod quota cod"},
        {"id": "c", "title": "Cod quota talks", "body": "repeated headline"},
        {"id": "d", "title": "Storm", "body": "one word only"},
        {"id": "e", "title": "Quota for cod raised", "body": "cod quota cut"},
    ]
    items = sample_known_items(records, 10, seed=1)
    assert sorted(item.article_id for item in items) == ["a", "e"]  # b, c share; d is one word
    by_id = {item.article_id: item for item in items}
    assert by_id["a"].query == "angers trawler crews"  # the three rarest, in headline order
    assert by_id["e"].query == "quota cod raised"
    assert sample_known_items(records, 1, seed=3) == sample_known_items(records, 1, seed=3)


def test_the_relevance_command_reports_a_tiny_collection(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "bench", "relevance", str(FIXTURE)]
    command += ["--corpora", str(FIXTURE / "harbour" / "docs.jsonl"), "--known-items", "5"]
    command += ["--out", str(tmp_path / "results"), "--work", str(tmp_path / "work")]
    done = subprocess.run(
        command, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=170, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    [folder] = (tmp_path / "results").iterdir()
    report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    harbour = report["collections"]["harbour"]
    assert harbour["queries"] == 4 and harbour["documents"] == 12
    assert set(harbour["per_query"]) == {"1", "2", "3", "4"}
    assert all(0 <= value <= 1 for value in harbour["means"].values())
    assert harbour["means"]["map"] > 0  # the harbour queries find their articles
    assert report["known_items"]["sampled"] == 5
    statuses = {row["target"]: row["status"] for row in report["targets"]}
    assert statuses["CACM MAP ≥ 0.309 (Xapian)"] == "NOT RUN"
    markdown = (folder / "report.md").read_text(encoding="utf-8")
    for section in ("## Targets (issue 12)", "## Through the API's defaults", "## Known items"):
        assert section in markdown
