"""The atomic switch: searchers never see a half-built index, failures and kills leave the old one
serving, overlapping runs are refused, and rollback switches back."""

from __future__ import annotations

import json
import os
import signal
import subprocess
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


def big_corpus(path: Path, count: int) -> Path:
    words = "harbour council budget ferry storm election market school river festival".split()
    records = [
        article(n, title=f"Story {n} about {words[n % 10]}", body=" ".join(words * 30))
        for n in range(count)
    ]
    return write_jsonl(path, records)


def start_rebuild(env: dict[str, str], source: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "indexer", "rebuild", str(source)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_build_dir(index_dir: Path, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(index_dir.glob("build-*/*.toc")) or any(index_dir.glob("build-*/*.seg")):
            return
        if any(index_dir.glob("build-*")) and process.poll() is None:
            time.sleep(0.3)  # inside the build: let it write for a moment
            return
        assert process.poll() is None, process.communicate()
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
    process = start_rebuild(cli_env, source)
    wait_for_build_dir(settings.index_dir, process)
    os.kill(process.pid, signal.SIGKILL)
    process.communicate()
    assert json.loads(indexer("stats", "--json").stdout)["articles"] == 42
    assert indexer("check").exit_code == 0
    assert total(settings, "election") > 0
    result = indexer("rebuild", str(SAMPLES))  # the lock of the dead run is not in the way
    assert result.exit_code == 0, result.output
    assert not list(settings.index_dir.glob("build-*")), "the dead build was not cleaned up"


def test_a_second_rebuild_while_one_runs_exits_at_once(settings, cli_env, indexer, tmp_path):
    source = big_corpus(tmp_path / "big.jsonl", 4000)
    process = start_rebuild(cli_env, source)
    try:
        wait_for_build_dir(settings.index_dir, process)
        started = time.monotonic()
        second = indexer("rebuild", str(SAMPLES))
        assert time.monotonic() - started < 5
        assert second.exit_code == 3
        assert f"(pid {process.pid})" in second.stderr and "another indexer run" in second.stderr
    finally:
        process.kill()
        process.communicate()


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
    assert json.loads(indexer("stats", "--json").stdout)["articles"] == 42
    indexer("rollback")
    assert json.loads(indexer("stats", "--json").stdout)["articles"] == 1


def test_commands_on_a_missing_index_say_what_to_do(indexer, settings) -> None:
    for command in (["stats"], ["check"], ["search", "oil"], ["rollback"]):
        result = indexer(*command)
        assert result.exit_code == 1, command
        assert "indexer rebuild" in result.stderr, command
    with pytest.raises(IndexMissingError):
        SearchService(settings).search(SearchRequest())


def test_a_parallel_rebuild_killed_leaves_no_writer_behind(settings, cli_env, indexer, tmp_path):
    """The parallel writers die with the run that forked them and do not keep its lock."""
    assert indexer("rebuild", str(SAMPLES)).exit_code == 0
    source = big_corpus(tmp_path / "parallel-corpus.jsonl", 6000)
    process = start_rebuild({**cli_env, "NEWSINDEX_BUILD_PROCESSES": "2"}, source)
    deadline = time.monotonic() + 60
    while len(processes_reading(source)) < 3 and time.monotonic() < deadline:
        assert process.poll() is None, "the rebuild ended before its writers started"
        time.sleep(0.05)
    assert len(processes_reading(source)) >= 3, "no parallel writers were started"
    time.sleep(0.5)  # let the writers work
    os.kill(process.pid, signal.SIGKILL)
    try:
        process.communicate(timeout=10)  # writers left alive would keep its pipes open
    except subprocess.TimeoutExpired:
        for pid in processes_reading(source):
            os.kill(pid, signal.SIGKILL)
        process.communicate()
        raise AssertionError("the rebuild's writers outlived it") from None
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and processes_reading(source):
        time.sleep(0.1)
    assert processes_reading(source) == []
    started = time.monotonic()
    assert indexer("rebuild", str(SAMPLES)).exit_code == 0
    assert time.monotonic() - started < 10


def processes_reading(source: Path) -> list[int]:
    """Processes whose command line names ``source`` (the run and its writers)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if entry.name.isdigit() and str(source).encode() in command:
            found.append(int(entry.name))
    return found
