"""Reliability under load, crashes and disk trouble (issue 7, points 1-3).

- Reindex under load: a real gunicorn with several workers serves the JSON API to client threads
  while ``indexer rebuild`` and ``indexer update`` run again and again as separate processes: no
  request fails, and no query that has hits in every version of the index ever sees zero hits.
- Crashes: ``kill -9`` of rebuilds and updates at random (seeded) moments; after each kill the
  served index is valid and complete, the lock does not block and the next run succeeds.
- Disk trouble: a read-only index folder and a full disk (real mounts where this machine allows
  them, else skipped with the reason; simulated ``OSError`` tests always run): a clear error, exit
  code 1, the served index intact.

The short variants run in CI. The long variant (30 reindex cycles over at least three minutes of
load, 100 kills) is ``NEWSINDEX_LONG_TESTS=1 .venv/bin/python -m pytest tests/test_reliability.py``;
its tests have a time limit of their own (``LONG_TIMEOUT``).
"""

from __future__ import annotations

import builtins
import errno
import io
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

import pytest
from test_generations import total

from conftest import (
    LONG_TESTS,
    SAMPLES,
    app_for,
    article,
    close_app,
    get_json,
    gunicorn_serving,
    sample_records,
    with_long_variant_limit,
    write_jsonl,
)
from indexer.config import Settings
from indexer.index.build import rebuild_index
from indexer.index.store import WRITE_LOCK_FILE, IndexStore
from processes import Run, run_to_end, wait_until_gone

LONG = LONG_TESTS
LOAD_CYCLES = 30 if LONG else 4  # rebuild + update pairs while the API is under load
LOAD_MIN_SECONDS = 180 if LONG else 0  # the long variant keeps reindexing for this long at least
CRASH_KILLS = 100 if LONG else 20
CRASH_CORPUS = 3000  # articles: a rebuild of them as a process takes about 2 s here
CRASH_UPDATE = 600  # new articles per update trial
CLIENT_THREADS = 4
CLIENT_PAUSE_SECONDS = 0.02  # steady, not saturating: two cores also run the indexer
SEED = 7
HANG_SECONDS = 60  # a ceiling that only catches hangs (README, Test): no speed is tested here

# Queries with hits in the sample articles, so in every version of the index below (each one
# holds the samples), and the shapes of query they exercise.
STEADY_QUERIES = [
    "harbour",
    "election",
    "oil prices",
    '"oil prices"',
    "elect*",
    "budget OR festival",
    "section:business",
    "harbour -zebra",
]


def indexer_run(env: dict[str, str], *args: str) -> Run:
    """``python -m indexer ARGS`` started as its own process, as cron starts it."""
    return Run([sys.executable, "-m", "indexer", *args], env, cwd="/")


def generated(path: Path, numbers: range, label: str = "") -> Path:
    """Small valid articles numbered ``numbers``; every one has "harbour" in its body."""
    topics = "council budget ferry storm election market school river festival".split()
    records = [
        article(n, title=f"{label}Story {n} about the {topics[n % len(topics)]}") for n in numbers
    ]
    return write_jsonl(path, records)


# 1. Reindex under load ----------------------------------------------------------------------------


class SteadyLoad:
    """Client threads sending ``STEADY_QUERIES`` round and round; they record every failure."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.failures: list[str] = []
        self.zero_hits: list[str] = []
        self.requests = 0
        self._count_lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(target=self._run, args=(n,)) for n in range(CLIENT_THREADS)
        ]

    def __enter__(self) -> SteadyLoad:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join()

    def _run(self, offset: int) -> None:
        number = offset
        while not self._stop.is_set():
            query = STEADY_QUERIES[number % len(STEADY_QUERIES)]
            number += 1
            url = f"{self.base}/api/search?{urlencode({'q': query})}"
            try:
                status, body = get_json(url)
            except Exception as exc:  # refused, reset, timed out, not JSON: all failures
                self.failures.append(f"{query!r}: {exc!r}")
                continue
            with self._count_lock:
                self.requests += 1
            if status != 200:
                self.failures.append(f"{query!r}: HTTP {status} {body}")
            elif body.get("total", 0) == 0:
                self.zero_hits.append(f"{query!r} saw no hits: {body}")
            self._stop.wait(CLIENT_PAUSE_SECONDS)


@with_long_variant_limit
def test_rebuilds_and_updates_under_load_fail_no_request(
    index_dir, settings, cli_env, tmp_path
) -> None:
    """Issue 7.1: steady API load over loopback while rebuilds and updates switch generations."""
    rng = random.Random(SEED)
    rebuild_index(settings, [str(SAMPLES)])
    samples = sample_records()
    with gunicorn_serving(index_dir, workers=3) as base:
        for query in STEADY_QUERIES:  # the premise: every query has hits in every version
            assert get_json(f"{base}/api/search?{urlencode({'q': query})}")[1]["total"] > 0, query
        runs: list[str] = []
        started = time.monotonic()
        with SteadyLoad(base) as load:
            cycle = 0
            while cycle < LOAD_CYCLES or time.monotonic() - started < LOAD_MIN_SECONDS:
                extra = generated(tmp_path / "extra.jsonl", range(50 + 50 * (cycle % 3)))
                runs.append(run_to_completion(cli_env, "rebuild", str(SAMPLES), str(extra)))
                changed = dict(rng.choice(samples))
                changed["body"] = f"{changed.get('body', '')}\n\nUpdated in cycle {cycle}."
                fresh = range(10_000 + 50 * cycle, 10_050 + 50 * cycle)
                news = generated(tmp_path / "news.jsonl", fresh, label="News ")
                changes = write_jsonl(tmp_path / "changed.jsonl", [changed])
                runs.append(run_to_completion(cli_env, "update", str(news), str(changes)))
                cycle += 1
            final = IndexStore(index_dir).current().name
            picked_up = wait_until_all_workers_serve(base, final)
        assert load.failures == [], load.failures[:20]
        assert load.zero_hits == [], load.zero_hits[:20]
    assert picked_up, f"not every worker switched to {final}"
    assert load.requests >= 20 * len(runs), f"too little load: {load.requests} requests"


def run_to_completion(env: dict[str, str], command: str, *sources: str) -> str:
    done = run_to_end([sys.executable, "-m", "indexer", command, "--json", *sources], env, 300)
    assert done.returncode == 0, f"indexer {command} failed: {done.stderr}"
    return json.loads(done.stdout)["generation"]


def wait_until_all_workers_serve(base: str, generation: str, timeout: float = HANG_SECONDS) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        seen = {get_json(f"{base}/healthz")[1]["generation"] for _ in range(12)}
        if seen == {generation}:
            return True
        time.sleep(0.2)
    return False


# 2. Crashes --------------------------------------------------------------------------------------


class ServedState:
    """What the index folder serves, read the way an operator would, and checked."""

    def __init__(self, indexer: Callable, settings: Settings) -> None:
        check = indexer("check", "--json")
        assert check.exit_code == 0, check.output
        assert json.loads(check.stdout)["ok"] is True
        stats = indexer("stats", "--json")
        assert stats.exit_code == 0, stats.output
        found = json.loads(stats.stdout)
        self.generation: str = found["generation"]
        self.articles: int = found["articles"]
        # Complete: every article has "harbour" in its body, so a search finds each of them.
        assert total(settings, "harbour") == self.articles, "the served index is incomplete"


def kill_at(run: Run, delay: float, index_dir: Path, once_building: bool) -> tuple[bool, bool]:
    """``kill -9`` the run's main process ``delay`` seconds after it started, or after its build
    folder appeared if ``once_building``: whether it was still running then, and whether it was
    writing a new generation (its build folder existed). Nothing the run started (a parallel
    writer, say) may live on."""
    deadline = time.monotonic() + HANG_SECONDS
    while once_building and not building_now(run, index_dir) and run.poll() is None:
        assert time.monotonic() < deadline, "the run never started writing"
        time.sleep(0.01)
    time.sleep(delay)
    building = building_now(run, index_dir)
    run.kill_main()
    assert run.poll() in (0, -signal.SIGKILL), f"the run failed by itself: {run.output()[1]}"
    left = wait_until_gone(run, 2)
    assert left == [], f"processes of the killed run live on: {left}"
    killed = run.poll() == -signal.SIGKILL
    return killed, killed and building


def building_now(run: Run, index_dir: Path) -> bool:
    return any(index_dir.glob(f"build-{run.pid}-*"))


def assert_lock_is_free(index_dir: Path) -> None:
    """The write lock of the dead run is free (the kernel released its flock), even though its
    lock file still names the dead process: taking it does not raise IndexBusyError."""
    with IndexStore(index_dir).write_lock():
        pass


@with_long_variant_limit
def test_kill_9_at_random_moments_leaves_a_valid_complete_index(
    index_dir, settings, cli_env, indexer, tmp_path
) -> None:
    """Issue 7.2: at least 20 kills of rebuilds and updates; the index survives every one."""
    rng = random.Random(SEED)
    corpora = {
        "base": generated(tmp_path / "base.jsonl", range(CRASH_CORPUS)),
        "alt": generated(tmp_path / "alt.jsonl", range(CRASH_CORPUS + 200), label="Alt "),
    }
    durations = {}
    started = time.monotonic()
    run_to_completion(cli_env, "rebuild", str(corpora["base"]))
    durations["rebuild"] = time.monotonic() - started
    state = ServedState(indexer, settings)
    kills = trial = kills_while_building = 0
    while kills < CRASH_KILLS:
        assert trial < 4 * CRASH_KILLS, "the kills keep missing the runs"
        command, source, count_if_done = crash_trial_run(trial, state, corpora, tmp_path)
        if command not in durations:  # measure an update once, then kill them too
            started = time.monotonic()
            run_to_completion(cli_env, command, str(source))
            durations[command] = time.monotonic() - started
            state = ServedState(indexer, settings)
            trial += 1
            continue
        # Every other kill of each command aims at its writing (not left to chance: the time
        # a run spends reading its sources varies with the load of the machine).
        once_building = trial // 2 % 2 == 1
        delay = rng.uniform(0, durations[command] / (3 if once_building else 1))
        with indexer_run(cli_env, command, str(source)) as run:
            killed, building = kill_at(run, delay, index_dir, once_building)
        kills += killed
        kills_while_building += building
        trial += 1
        after = ServedState(indexer, settings)
        if after.generation == state.generation:
            assert after.articles == state.articles, "the served generation changed its count"
        else:  # killed after the switch (or finished): the new generation is complete
            assert after.articles == count_if_done, (command, after.generation, killed)
        assert_lock_is_free(index_dir)
        state = next_run_succeeds(indexer, settings, tmp_path, trial, after)
    assert not list(index_dir.glob("build-*")), "a dead run's build folder was left behind"
    assert len(list(index_dir.glob("gen-*"))) <= 2, sorted(p.name for p in index_dir.iterdir())
    assert kills_while_building >= CRASH_KILLS // 4, "too few kills hit a run while it wrote"


def crash_trial_run(
    trial: int, state: ServedState, corpora: dict[str, Path], tmp_path: Path
) -> tuple[str, Path, int]:
    """(command, source, article count if it completes) of one trial: rebuilds and updates."""
    if trial % 2 == 0:
        name = "alt" if trial % 4 == 0 else "base"
        count = CRASH_CORPUS + 200 if name == "alt" else CRASH_CORPUS
        return "rebuild", corpora[name], count
    first = 100_000 + trial * CRASH_UPDATE
    source = generated(tmp_path / "update.jsonl", range(first, first + CRASH_UPDATE), "Update ")
    return "update", source, state.articles + CRASH_UPDATE


def next_run_succeeds(
    indexer: Callable, settings: Settings, tmp_path: Path, trial: int, state: ServedState
) -> ServedState:
    """The run after a kill: a one-article update, at once; it also clears the dead build."""
    one = generated(tmp_path / "one.jsonl", range(900_000 + trial, 900_001 + trial), "After ")
    result = indexer("update", "--json", str(one))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["added"] == 1
    assert not list(settings.index_dir.glob("build-*")), "a dead run's build folder was kept"
    after = ServedState(indexer, settings)
    assert after.articles == state.articles + 1
    return after


def dead_pid() -> int:
    """The pid of a process that has exited (and been reaped)."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_a_lock_file_left_by_a_dead_process_is_stale(index_dir, indexer_process) -> None:
    """A crashed run leaves ``indexer.lock`` naming it; that file never blocks the next run."""
    first = indexer_process("rebuild", str(SAMPLES))
    assert first.returncode == 0, first.stderr
    (index_dir / WRITE_LOCK_FILE).write_text(f"{dead_pid()}\n", "ascii")
    for command in ("rebuild", "update"):
        # A run waiting for the dead process would end in TimeoutExpired: a ceiling for hangs.
        result = indexer_process(command, str(SAMPLES), timeout=HANG_SECONDS)
        assert result.returncode == 0, result.stderr
    assert (index_dir / WRITE_LOCK_FILE).read_text("ascii").strip() != ""


# 3. Disk trouble ---------------------------------------------------------------------------------


def mount_or_skip(*args: str) -> None:
    """Run ``mount ARGS``, or skip the test saying why this machine cannot."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("real mounts need root and mount(8); the simulated test covers this")
    done = subprocess.run(["mount", *args], capture_output=True, text=True, timeout=30)
    if done.returncode != 0:
        pytest.skip(f"cannot mount here ({done.stderr.strip()}); the simulated test covers this")


def unmount(target: Path) -> None:
    done = subprocess.run(["umount", str(target)], capture_output=True, text=True, timeout=30)
    if done.returncode != 0:
        subprocess.run(["umount", "-l", str(target)], check=True, timeout=30)


@contextmanager
def read_only_bind_mount(folder: Path) -> Iterator[None]:
    """``folder`` made read-only by a read-only bind mount of itself (root ignores chmod)."""
    mount_or_skip("--bind", str(folder), str(folder))
    try:
        remount = ["mount", "-o", "remount,bind,ro", str(folder)]
        done = subprocess.run(remount, capture_output=True, text=True, timeout=30)
        if done.returncode != 0:
            pytest.skip(f"cannot remount read-only here ({done.stderr.strip()})")
        yield
    finally:
        unmount(folder)


@contextmanager
def small_tmpfs(folder: Path, size: str) -> Iterator[None]:
    folder.mkdir(parents=True, exist_ok=True)
    mount_or_skip("-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder))
    try:
        yield
    finally:
        unmount(folder)


def assert_refused_cleanly(result, reason: str) -> None:
    """Exit 1 with one clear line naming ``reason``; nothing that looks like a crash."""
    stderr = result.stderr
    assert result.exit_code == 1, (result.exit_code, stderr)
    assert reason in stderr.lower() and "the index in use was not changed" in stderr, stderr
    assert "Traceback" not in stderr and "internal error" not in stderr, stderr


def assert_still_serving(indexer, settings: Settings, articles: int) -> None:
    state = ServedState(indexer, settings)
    assert state.articles == articles
    application = app_for(settings.index_dir)
    try:
        response = application.test_client().get("/api/search?q=harbour")
        assert response.status_code == 200 and response.json["total"] == articles
    finally:
        close_app(application)


def index_with_previous(indexer, tmp_path: Path) -> Path:
    """An index folder with two generations (so a rollback has somewhere to go): 40, then 50
    articles. Returns the source of the current one."""
    assert indexer("rebuild", str(generated(tmp_path / "first.jsonl", range(40)))).exit_code == 0
    source = generated(tmp_path / "second.jsonl", range(50))
    assert indexer("rebuild", str(source)).exit_code == 0
    return source


READ_ONLY_COMMANDS = [("rebuild",), ("update",), ("delete", "t-1"), ("rollback",)]


def test_a_read_only_index_folder_is_refused_clearly(indexer, settings, tmp_path) -> None:
    """Issue 7.3: a real read-only folder (a read-only bind mount)."""
    source = index_with_previous(indexer, tmp_path)
    more = generated(tmp_path / "more.jsonl", range(500, 510))
    with read_only_bind_mount(settings.index_dir):
        for command in READ_ONLY_COMMANDS:
            sources = [str(more)] if command[0] in ("rebuild", "update") else []
            assert_refused_cleanly(indexer(*command, *sources), "read-only")
            assert_still_serving(indexer, settings, 50)
    assert indexer("rebuild", str(source)).exit_code == 0  # writable again: all is well


@pytest.mark.parametrize("command", READ_ONLY_COMMANDS, ids=lambda c: c[0])
def test_a_read_only_index_folder_is_refused_clearly_simulated(
    command, indexer, settings, tmp_path, monkeypatch
) -> None:
    """Issue 7.3, always run: every write under the index folder fails with EROFS."""
    index_with_previous(indexer, tmp_path)
    sources = [str(generated(tmp_path / "more.jsonl", range(500, 510)))]
    with monkeypatch.context() as patch:
        refuse_writes(patch, settings.index_dir, errno.EROFS, lambda path: True, EVERY_WRITE)
        result = indexer(*command, *(sources if command[0] in ("rebuild", "update") else []))
    assert_refused_cleanly(result, "read-only")
    assert_still_serving(indexer, settings, 50)


def test_no_space_left_is_refused_clearly(indexer, indexer_process, settings, tmp_path) -> None:
    """Issue 7.3: a real full disk: the index folder is a 1 MB tmpfs. The runs are processes, as
    cron starts them."""
    small = generated(tmp_path / "small.jsonl", range(20))
    big = generated(tmp_path / "big.jsonl", range(1000, 1000 + CRASH_CORPUS))
    with small_tmpfs(settings.index_dir, "1m"):
        assert indexer_process("rebuild", str(small)).returncode == 0
        for command in ("rebuild", "update"):
            assert_refused_cleanly(ProcessResult(indexer_process(command, str(big))), "no space")
            assert_still_serving(indexer, settings, 20)
            assert not list(settings.index_dir.glob("build-*")), "the failed build was kept"
        result = indexer_process("rebuild", str(small))  # the failed runs gave their space back
        assert result.returncode == 0, result.stderr
        assert_still_serving(indexer, settings, 20)


class ProcessResult:
    """A finished process seen as a click result (``exit_code``, ``stderr``)."""

    def __init__(self, completed: subprocess.CompletedProcess) -> None:
        self.exit_code = completed.returncode
        self.stderr = completed.stderr
        self.output = completed.stdout + completed.stderr


@pytest.mark.parametrize("command", ["rebuild", "update"])
def test_no_space_left_is_refused_clearly_simulated(
    command, indexer, settings, tmp_path, monkeypatch
) -> None:
    """Issue 7.3, always run: creating files and folders inside a new generation fails with
    ENOSPC, as on a full disk where a new folder needs a block (Whoosh's writer makes one); the
    lock and the state of the sources can still be written, as on a nearly full disk."""
    small = generated(tmp_path / "small.jsonl", range(20))
    assert indexer("rebuild", str(small)).exit_code == 0
    big = generated(tmp_path / "big.jsonl", range(1000, 1300))

    def in_new_index(path: str) -> bool:
        return Path(path).parent.name.startswith("build-") and not path.endswith("LOCK")

    with monkeypatch.context() as patch:
        refuse_writes(patch, settings.index_dir, errno.ENOSPC, in_new_index, ("mkdir",))
        result = indexer(command, str(big))
    assert_refused_cleanly(result, "no space")
    assert not list(settings.index_dir.glob("build-*")), "the failed build was kept"
    assert_still_serving(indexer, settings, 20)


EVERY_WRITE = ("mkdir", "rename", "replace", "unlink", "rmdir", "link")


def refuse_writes(
    patch: pytest.MonkeyPatch,
    root: Path,
    error: int,
    applies: Callable[[str], bool],
    operations: tuple[str, ...],
) -> None:
    """Make writing files under ``root`` for which ``applies(path)`` fail with ``error``, and the
    ``os`` functions named in ``operations`` too (a full disk still deletes, renames and links;
    a read-only one does nothing)."""
    prefix = str(root.resolve()) + os.sep

    def check(*paths: object) -> None:
        for path in paths:
            if not isinstance(path, str | bytes | os.PathLike):
                continue
            text = os.path.abspath(os.fsdecode(path))
            if text.startswith(prefix) and applies(text):
                raise OSError(error, os.strerror(error), text)

    writes = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
    real_os_open, real_io_open = os.open, io.open

    def os_open(path, flags, mode=0o777, *, dir_fd=None):
        if flags & writes:
            check(path)
        return real_os_open(path, flags, mode, dir_fd=dir_fd)

    def io_open(file, mode="r", *args, **kwargs):
        if set(mode) & set("wax+"):
            check(file)
        return real_io_open(file, mode, *args, **kwargs)

    patch.setattr(os, "open", os_open)
    patch.setattr(io, "open", io_open)
    patch.setattr(builtins, "open", io_open)
    for name in operations:
        patch.setattr(os, name, _checked(getattr(os, name), check, both=name != "mkdir"))


def _checked(function: Callable, check: Callable, both: bool) -> Callable:
    def wrapper(*args, **kwargs):
        check(*(args[:2] if both else args[:1]))
        return function(*args, **kwargs)

    return wrapper
