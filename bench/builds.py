"""Timing an index build in a process of its own, and its peak memory.

Each build runs in a fresh interpreter (``python -m bench.builds KIND CORPUS INDEX_DIR``), so one
build's memory never counts in another's and the figure is what ``indexer rebuild`` would take.
The child times the build call itself (for newsindex: ``rebuild_index``, the whole pipeline of
reading, analysis, writing, checking and switching) and reports its own peak RSS. A watched
build is also sampled by the parent: the memory of the child's whole process tree, in case a
build uses worker processes. The sampling slows what it watches (newsindex's Reuters rebuild,
which keeps both cores busy, by 0.55 s or 9%; the naive build, on one core, not measurably), so
the times come from builds nobody watches and the memory from watched ones.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench.peers import PEERS, builder

PROJECT_ROOT = Path(__file__).resolve().parent.parent
KINDS = ("naive", "newsindex")  # and the peers of bench.peers
SAMPLE_SECONDS = 0.1  # spikes shorter than this can be missed


@dataclass(frozen=True)
class BuildRun:
    """One build: articles indexed, seconds taken by the build call, peak memory in MB (see
    ``TreeMemorySampler``)."""

    articles: int
    seconds: float
    peak_mb: float
    peak_rss_sum_mb: float

    @property
    def articles_per_s(self) -> float:
        return self.articles / self.seconds if self.seconds else 0.0


def run_build(kind: str, corpus: Path, index_dir: Path, watched: bool = True) -> BuildRun:
    """Build the ``kind`` index of ``corpus`` into ``index_dir`` in a child process; its memory
    sampled if ``watched`` (else only the largest process's own peak RSS is known)."""
    command = [sys.executable, "-m", "bench.builds", kind, str(corpus), str(index_dir)]
    child = subprocess.Popen(
        command, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    sampler = TreeMemorySampler(child.pid)
    if watched:
        sampler.start()
    try:
        output, errors = child.communicate()
    finally:
        if watched:
            sampler.stop()
    if child.returncode != 0:
        raise RuntimeError(f"the {kind} build of {corpus} failed:\n{errors[-3000:]}")
    reported = json.loads(output.strip().splitlines()[-1])
    return BuildRun(
        articles=reported["articles"],
        seconds=reported["seconds"],
        peak_mb=round(max(reported["peak_mb"], sampler.peak_mb), 1),
        peak_rss_sum_mb=round(max(reported["peak_mb"], sampler.peak_rss_sum_mb), 1),
    )


class TreeMemorySampler(threading.Thread):
    """Samples the memory of a process and its descendants (Linux ``/proc``) until stopped.

    ``peak_mb`` sums PSS (each shared page divided among the processes that map it), so forked
    writer processes sharing their parent's pages are not counted twice: it is the physical
    memory the whole build holds. ``peak_rss_sum_mb`` sums RSS, which counts shared pages once
    per process: an upper bound, kept for comparison."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_mb = 0.0
        self.peak_rss_sum_mb = 0.0
        self._stopped = threading.Event()

    def run(self) -> None:
        while not self._stopped.wait(SAMPLE_SECONDS):
            tree = _process_tree(self.pid)
            pss_kb = sum(_memory_kb(pid, "smaps_rollup", "Pss:") for pid in tree)
            rss_kb = sum(_memory_kb(pid, "status", "VmRSS:") for pid in tree)
            self.peak_mb = max(self.peak_mb, (pss_kb or rss_kb) / 1024)
            self.peak_rss_sum_mb = max(self.peak_rss_sum_mb, rss_kb / 1024)

    def stop(self) -> None:
        self._stopped.set()
        self.join()


def _process_tree(pid: int) -> list[int]:
    tree, pending = [], [pid]
    while pending:
        current = pending.pop()
        tree.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as children:
                    pending.extend(int(child) for child in children.read().split())
        except OSError:
            continue
    return tree


def _memory_kb(pid: int, proc_file: str, label: str) -> int:
    """A ``label`` line of ``/proc/<pid>/<proc_file>`` in KB; 0 when the process is gone."""
    try:
        with open(f"/proc/{pid}/{proc_file}") as lines:
            for line in lines:
                if line.startswith(label):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _builder(kind: str) -> Callable[[Path, Path], int]:
    """The build function of ``kind``, imported before the clock starts: (corpus, index folder)
    -> the number of articles indexed."""
    if kind == "naive":
        from bench.naive import build_naive_index

        return build_naive_index
    if kind in PEERS:
        return builder(kind)
    from indexer.config import load_settings
    from indexer.index.build import rebuild_index

    def build_newsindex(corpus: Path, index_dir: Path) -> int:
        settings = load_settings({"index_dir": index_dir}, environ={})
        return rebuild_index(settings, [str(corpus)]).indexed

    return build_newsindex


def _own_peak_mb() -> float:
    """Peak RSS of this process and of its waited-for children (Linux reports KB)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


def main(arguments: list[str]) -> None:
    kind, corpus, index_dir = arguments
    if kind not in (*KINDS, *PEERS):
        raise SystemExit(f"kind must be one of {(*KINDS, *PEERS)}")
    build = _builder(kind)
    started = time.perf_counter()
    articles = build(Path(corpus), Path(index_dir))
    seconds = time.perf_counter() - started
    result = {"articles": articles, "seconds": round(seconds, 3), "peak_mb": _own_peak_mb()}
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
