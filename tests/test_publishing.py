"""Publishing a generation, step by step, with a fault at each step: the new generation renamed
into place, the pointer ``CURRENT.json`` written to a temporary file and replaced. Whatever
fails (an I/O error, or the run killed just before or just after a step), readers get a
complete generation: the previous one, which keeps serving, until the pointer is replaced.

The faults come from ``tests/fixtures/faults/sitecustomize.py`` in a real ``indexer rebuild``
process; the project's code has no hook for them. The kill -9 trials of test_reliability.py hit
random moments and cannot land in these short windows."""

from __future__ import annotations

import json
import sys

import pytest

from conftest import PROJECT_ROOT, article, write_jsonl
from indexer.search import open_index
from indexer.search.requests import SearchRequest
from indexer.search.service import SearchService
from processes import run_to_end

FAULTS = PROJECT_ROOT / "tests" / "fixtures" / "faults"
KILLED = -9  # the return code of a process ended by SIGKILL

# (step, when, the generation readers get afterwards)
FAULTS_AND_OUTCOMES = [
    ("generation-rename", "raise", "previous"),
    ("generation-rename", "kill", "previous"),
    ("generation-rename", "kill-after", "previous"),  # a crash between the rename and the switch
    ("pointer-write", "raise", "previous"),
    ("pointer-write", "kill", "previous"),
    ("pointer-replace", "raise", "previous"),
    ("pointer-replace", "kill", "previous"),
    ("pointer-replace", "kill-after", "new"),
]


def run_json(indexer, *args: str) -> dict:
    result = indexer(*args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def found_ids(indexer, q: str) -> list[str]:
    return sorted(hit["id"] for hit in run_json(indexer, "search", q)["results"])


def rebuild_with_fault(cli_env: dict[str, str], source, fault: str):
    path = [str(FAULTS), *filter(None, [cli_env.get("PYTHONPATH")])]
    env = {**cli_env, "PYTHONPATH": ":".join(path), "NEWSINDEX_TEST_FAULT": fault}
    return run_to_end([sys.executable, "-m", "indexer", "rebuild", str(source)], env, 120, "/")


@pytest.mark.parametrize(("step", "when", "outcome"), FAULTS_AND_OUTCOMES)
def test_a_fault_while_publishing_leaves_readers_a_complete_generation(
    settings, cli_env, indexer, tmp_path, monkeypatch, step, when, outcome
) -> None:
    old = write_jsonl(tmp_path / "old.jsonl", [article(1), article(2)])
    zeppelin = article(3, title="Zeppelin", body="An airship over the bay.")
    new = write_jsonl(tmp_path / "new.jsonl", [article(1), article(2), zeppelin])
    assert indexer("rebuild", str(old)).exit_code == 0
    monkeypatch.setattr(open_index, "REFRESH_SECONDS", 0.0)  # the reader follows the pointer
    with SearchService(settings) as reader:
        result = rebuild_with_fault(cli_env, new, f"{step}:{when}")
        if when == "raise":
            assert result.returncode == 1 and "injected I/O error" in result.stderr, result
            assert "the index in use was not changed" in result.stderr
        else:
            assert result.returncode == KILLED, result
        found = reader.search(SearchRequest.from_params({"q": "zeppelin"}))
        expected = ["t-3"] if outcome == "new" else []
        assert [hit.id for hit in found.hits] == expected  # the reader kept serving
    assert indexer("check").exit_code == 0
    generation = run_json(indexer, "stats")
    assert generation["generation"] == ("gen-000002" if outcome == "new" else "gen-000001")
    assert generation["articles"] == (3 if outcome == "new" else 2)
    assert found_ids(indexer, "zeppelin") == expected
    assert found_ids(indexer, "harbour") == ["t-1", "t-2"]
    # and the next run goes through, leaving nothing of the failed one
    assert indexer("rebuild", str(new)).exit_code == 0
    assert found_ids(indexer, "zeppelin") == ["t-3"] and indexer("check").exit_code == 0
    assert not list(settings.index_dir.glob("build-*"))
    assert not list(settings.index_dir.glob(".*.tmp"))


def test_the_fault_hook_changes_nothing_when_no_fault_is_asked(cli_env, indexer, tmp_path):
    source = write_jsonl(tmp_path / "a.jsonl", [article(1)])
    result = rebuild_with_fault(cli_env, source, "")
    assert result.returncode == 0, result
    assert found_ids(indexer, "harbour") == ["t-1"]
