"""The atomic switch: searchers never see a half-built index, failures and kills leave the old one
serving, overlapping runs are refused, and rollback switches back."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pytest

from conftest import SAMPLES, article, write_jsonl
from indexer.errors import IndexBusyError, IndexMissingError, SourceError
from indexer.index.build import rebuild_index
from indexer.index.store import IndexStore
from indexer.search import open_index
from indexer.search.requests import SearchRequest
from indexer.search.service import SearchService
from processes import Run, wait_until_gone


def big_corpus(path: Path, count: int) -> Path:
    words = "harbour council budget ferry storm election market school river festival".split()
    records = [
        article(n, title=f"Story {n} about {words[n % 10]}", body=" ".join(words * 30))
        for n in range(count)
    ]
    return write_jsonl(path, records)


def start_rebuild(env: dict[str, str], source: Path) -> Run:
    """``indexer rebuild SOURCE`` as a process (stop it, or use it as a context manager)."""
    return Run([sys.executable, "-m", "indexer", "rebuild", str(source)], env)


def wait_for_build_dir(index_dir: Path, run: Run, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(index_dir.glob("build-*/*.toc")) or any(index_dir.glob("build-*/*.seg")):
            return
        if any(index_dir.glob("build-*")) and run.poll() is None:
            time.sleep(0.3)  # inside the build: let it write for a moment
            return
        assert run.poll() is None, run.output()
        time.sleep(0.02)
    raise AssertionError("the rebuild never started building")


def total(settings, q: str) -> int:
    service = SearchService(settings)
    try:
        return service.search(SearchRequest.from_params({"q": q})).total
    finally:
        service.close()


def test_a_rebuild_switches_generations_and_keeps_the_previous(settings, indexer) -> None:
    assert indexer("rebuild", str(SAMPLES)).exit_code == 0
    assert indexer("rebuild", str(SAMPLES)).exit_code == 0
    found = json.loads(indexer("stats", "--json").stdout)
    assert (found["generation"], found["previous_generation"]) == ("gen-000002", "gen-000001")


def test_a_searcher_opened_before_a_rebuild_keeps_working(settings, tmp_path, monkeypatch) -> None:
    rebuild_index(settings, [str(SAMPLES)])
    service = SearchService(settings)
    before = service.search(SearchRequest.from_params({"q": "harbour"})).total
    other = write_jsonl(tmp_path / "other.jsonl", [article(n) for n in range(3)])
    rebuild_index(settings, [str(other)])
    rebuild_index(settings, [str(other)])  # gen 1 is now neither current nor previous
    assert (settings.index_dir / "gen-000001").exists(), "a generation in use was removed"
    assert service.search(SearchRequest.from_params({"q": "harbour"})).total == before
    monkeypatch.setattr(open_index, "REFRESH_SECONDS", 0.0)
    assert service.search(SearchRequest.from_params({"q": "harbour"})).total == 3
    service.close()
    rebuild_index(settings, [str(other)])
    assert not (settings.index_dir / "gen-000001").exists(), "an unused generation was kept"


def test_a_failed_rebuild_leaves_the_previous_index(settings, tmp_path) -> None:
    rebuild_index(settings, [str(SAMPLES)])
    with pytest.raises(SourceError):
        rebuild_index(settings, [str(tmp_path / "missing.jsonl")])
    assert total(settings, "harbour") > 0
    assert not list(settings.index_dir.glob("build-*"))


def test_a_rebuild_killed_midway_leaves_the_previous_index(
    settings, cli_env, indexer, tmp_path
) -> None:
    assert indexer("rebuild", str(SAMPLES)).exit_code == 0
    source = big_corpus(tmp_path / "big.jsonl", 4000)
    with start_rebuild(cli_env, source) as run:
        wait_for_build_dir(settings.index_dir, run)
        run.kill_main()
        assert wait_until_gone(run, 2) == [], "processes of the killed rebuild live on"
    assert json.loads(indexer("stats", "--json").stdout)["articles"] == 45
    assert indexer("check").exit_code == 0
    assert total(settings, "election") > 0
    result = indexer("rebuild", str(SAMPLES))  # the lock of the dead run is not in the way
    assert result.exit_code == 0, result.output
    assert not list(settings.index_dir.glob("build-*")), "the dead build was not cleaned up"


def test_a_second_rebuild_while_one_runs_exits_at_once(settings, cli_env, indexer, tmp_path):
    """Refused, not queued: were it to wait for the lock, it would succeed once the first run
    ended (exit 0). The first run is ended without waiting for it (``Run.stop``)."""
    source = big_corpus(tmp_path / "big.jsonl", 4000)
    with start_rebuild(cli_env, source) as run:
        wait_for_build_dir(settings.index_dir, run)
        second = indexer("rebuild", str(SAMPLES))
        assert second.exit_code == 3
        assert f"(pid {run.pid})" in second.stderr and "another indexer run" in second.stderr


def test_the_write_lock_is_exclusive(settings) -> None:
    store = IndexStore(settings.index_dir)
    with store.write_lock():
        with pytest.raises(IndexBusyError):
            rebuild_index(settings, [str(SAMPLES)])
    rebuild_index(settings, [str(SAMPLES)])


def test_rollback_switches_back_and_forth(indexer, tmp_path) -> None:
    other = write_jsonl(tmp_path / "other.jsonl", [article(1)])
    assert indexer("rollback").exit_code == 1  # nothing built yet
    indexer("rebuild", str(SAMPLES))
    result = indexer("rollback")
    assert result.exit_code == 1 and "no previous" in result.stderr
    indexer("rebuild", str(other))
    assert json.loads(indexer("stats", "--json").stdout)["articles"] == 1
    result = indexer("rollback")
    assert result.exit_code == 0 and "gen-000001" in result.stdout
    assert json.loads(indexer("stats", "--json").stdout)["articles"] == 45
    indexer("rollback")
    assert json.loads(indexer("stats", "--json").stdout)["articles"] == 1


def test_commands_on_a_missing_index_say_what_to_do(indexer, settings) -> None:
    for command in (["stats"], ["check"], ["search", "oil"], ["rollback"]):
        result = indexer(*command)
        assert result.exit_code == 1, command
        assert "indexer rebuild" in result.stderr, command
    with pytest.raises(IndexMissingError):
        SearchService(settings).search(SearchRequest())
