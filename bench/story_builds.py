"""Build time and size with and without stories, for ``bench stories``.

The baseline is another commit (by default the one before stories) checked out in a temporary
``git worktree``; each build is ``indexer rebuild --json`` of the same sources in a process of
its own, the tree's ``indexer`` package first on its path, into a fresh index folder. Baseline
and current builds alternate (baseline, current, baseline, current, ...) so that a change in the
machine's load falls on both; the figures are medians, with the ratio of each turn and of the
fastest runs (load only ever adds time) beside them.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_BASELINE = "0ff30fd"  # the commit before stories
_REBUILD = "from indexer.cli import main; main()"


def compare_builds(
    sources: Sequence[Path], baseline: str, repeat: int, work: Path
) -> dict[str, Any]:
    """Both trees' rebuilds of ``sources``, alternating, ``repeat`` times each; or why the
    baseline could not be built."""
    load_before = os.getloadavg()
    try:
        with baseline_tree(baseline, work) as tree:
            runs: dict[str, list[dict[str, Any]]] = {"baseline": [], "current": []}
            for turn in range(repeat):
                for label, root in (("baseline", tree), ("current", PROJECT_ROOT)):
                    index_dir = work / f"build-{label}-{turn}"
                    runs[label].append(timed_rebuild(root, sources, index_dir))
    except (OSError, subprocess.SubprocessError, RuntimeError) as failed:
        return {"baseline_rev": baseline, "error": str(failed)[-2000:]}
    return {
        "baseline_rev": baseline,
        "baseline_commit": tree_commit(baseline),
        "repeat": repeat,
        "baseline": summarize(runs["baseline"]),
        "current": summarize(runs["current"]),
        "ratio_wall": _ratio(runs, "wall_seconds"),
        "ratio_cpu": _ratio(runs, "cpu_seconds"),
        "ratio_rebuild": _ratio(runs, "rebuild_seconds"),
        "ratio_size": _ratio(runs, "generation_mb"),
        "ratio_wall_fastest": _fastest(runs["current"]) / _fastest(runs["baseline"]),
        "ratio_wall_each_turn": [
            current["wall_seconds"] / baseline["wall_seconds"]
            for baseline, current in zip(runs["baseline"], runs["current"], strict=True)
        ],
        "load_average": {"before": list(load_before), "after": list(os.getloadavg())},
    }


@contextmanager
def baseline_tree(revision: str, work: Path) -> Iterator[Path]:
    """A detached worktree of ``revision`` in a temporary folder, removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="newsindex-baseline-", dir=work))
    tree = folder / "tree"
    _git("worktree", "add", "--detach", str(tree), revision)
    try:
        yield tree
    finally:
        _git("worktree", "remove", "--force", str(tree), check=False)
        shutil.rmtree(folder, ignore_errors=True)


def tree_commit(revision: str) -> str:
    return _git("rev-parse", revision).stdout.strip()


def _git(*arguments: str, check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run(
        ["git", "-C", str(PROJECT_ROOT), *arguments],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if check and done.returncode != 0:
        raise RuntimeError(f"git {' '.join(arguments)}: {done.stderr.strip()}")
    return done


def timed_rebuild(root: Path, sources: Sequence[Path], index_dir: Path) -> dict[str, Any]:
    """``indexer rebuild`` of ``sources`` by the tree at ``root`` into a fresh ``index_dir``:
    the process's wall time, the rebuild's own seconds, the generation's schema and size."""
    shutil.rmtree(index_dir, ignore_errors=True)
    env = {**os.environ, "PYTHONPATH": str(root), "NEWSINDEX_INDEX_DIR": str(index_dir)}
    command = [sys.executable, "-c", _REBUILD, "rebuild", "--json", *map(str, sources)]
    started, cpu_before = time.perf_counter(), _children_cpu_seconds()
    done = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    cpu = _children_cpu_seconds() - cpu_before  # the rebuild's and its writing processes'
    if done.returncode != 0:
        raise RuntimeError(f"rebuild by {root} failed:\n{done.stderr[-2000:]}")
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    generation = index_dir / summary["generation"]
    manifest = json.loads((generation / "manifest.json").read_text("utf-8"))
    run = {
        "wall_seconds": wall,
        "cpu_seconds": cpu,
        "rebuild_seconds": summary["seconds"],
        "articles": summary["indexed"],
        "schema_version": manifest.get("schema_version"),
        "generation_mb": folder_bytes(generation) / 2**20,
    }
    shutil.rmtree(index_dir, ignore_errors=True)
    return run


def _children_cpu_seconds() -> float:
    """CPU seconds of the ended child processes (and theirs): unlike wall time, barely moved
    by other work on a shared machine."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def folder_bytes(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def summarize(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Medians of a tree's runs, and each run's figures."""
    return {
        "articles": runs[0]["articles"],
        "schema_version": runs[0]["schema_version"],
        "wall_seconds": _median(runs, "wall_seconds"),
        "cpu_seconds": _median(runs, "cpu_seconds"),
        "rebuild_seconds": _median(runs, "rebuild_seconds"),
        "generation_mb": _median(runs, "generation_mb"),
        "runs_wall_seconds": [run["wall_seconds"] for run in runs],
        "runs_generation_mb": [run["generation_mb"] for run in runs],
    }


def _median(runs: list[dict[str, Any]], key: str) -> float:
    return statistics.median(run[key] for run in runs)


def _fastest(runs: list[dict[str, Any]]) -> float:
    return min(run["wall_seconds"] for run in runs)


def _ratio(runs: dict[str, list[dict[str, Any]]], key: str) -> float:
    baseline = _median(runs["baseline"], key)
    return _median(runs["current"], key) / baseline if baseline else float("nan")
