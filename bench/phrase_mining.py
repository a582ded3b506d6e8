"""``python -m bench.phrase_mining``: ``mine_phrases`` of this tree against a git ref's (default
``main``) on the corpora (default ``../shared/corpora``), for a change to how phrases are mined
that must not change what is mined.

- ``compare``: both mine each corpus; the phrases (text, language, count, in order) must be
  identical. Exit status 1 if any differ.
- ``time``: both mine each corpus ``--turns`` times, alternating; medians of wall and CPU
  seconds.
- ``memory FILE --tree this|ref [--traced]``: one process's RSS (MB) before it mines the
  articles of ``FILE`` and its peak while mining, and a digest of the phrases; run once a
  process (Linux: it reads /proc/self).
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import importlib.util
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

from bench.suggestions import read_articles
from indexer.analysis.language_id import primary_language
from indexer.index import phrases
from indexer.index.archive_text import identified_languages, language_texts
from indexer.index.phrases import LanguageText, Phrase

ROOT = Path(__file__).resolve().parent.parent
CORPORA = ("reuters21578.jsonl", "bbc.jsonl", "huffpost.jsonl")
Miner = Callable[[dict[str, LanguageText]], list[Phrase]]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.phrase_mining")
    parser.add_argument("task", choices=["compare", "time", "memory"])
    parser.add_argument("file", nargs="?", type=Path, help="memory: the JSON Lines to mine")
    parser.add_argument("--ref", default="main", help="the git ref mined against")
    parser.add_argument("--tree", choices=["this", "ref"], default="this")
    parser.add_argument("--turns", type=int, default=3)
    parser.add_argument("--traced", action="store_true", help="memory: tracemalloc's peak too")
    parser.add_argument("--corpora", type=Path, default=ROOT.parent / "shared" / "corpora")
    args = parser.parse_args(argv)
    reference = reference_module(args.ref).mine_phrases
    if args.task == "memory":
        miner = phrases.mine_phrases if args.tree == "this" else reference
        return peak_memory(args.file, miner, args.traced)
    corpora = [args.corpora / name for name in CORPORA]
    if args.task == "compare":
        return compare(corpora, reference)
    return timed(corpora, reference, args.turns)


def reference_module(ref: str) -> ModuleType:
    """``indexer/index/phrases.py`` as ``ref`` has it, imported under another name."""
    source = subprocess.run(
        ["git", "show", f"{ref}:indexer/index/phrases.py"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    path = Path(tempfile.mkdtemp()) / "reference_phrases.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("reference_phrases", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def texts_of(paths: list[Path]) -> dict[str, LanguageText]:
    """The texts the rebuild mines from the articles of ``paths``."""
    articles = read_articles(paths)
    tags = identified_languages(articles)
    return language_texts(articles, [primary_language(tag) for tag in tags])


def compare(corpora: list[Path], reference: Miner) -> int:
    differing = 0
    for corpus in corpora:
        texts = texts_of([corpus])
        mined, expected = phrases.mine_phrases(texts), reference(texts)
        same = [tuple_of(p) for p in mined] == [tuple_of(p) for p in expected]
        differing += not same
        counts = sum(p.count for p in mined)
        print(f"{corpus.name}: {len(mined)} phrases (counts adding up to {counts}), ", end="")
        print(f"{len(expected)} by the ref: {'identical' if same else 'DIFFERENT'}")
    return 1 if differing else 0


def tuple_of(phrase: Phrase) -> tuple[str, str, int]:
    return (phrase.text, phrase.language, phrase.count)


def timed(corpora: list[Path], reference: Miner, turns: int) -> int:
    """Wall and CPU seconds (the process's: on cores shared with other work the wall time
    varies more than the change measured)."""
    for corpus in corpora:
        texts = texts_of([corpus])
        wall: dict[str, list[float]] = {"ref": [], "this": []}
        cpu: dict[str, list[float]] = {"ref": [], "this": []}
        for _ in range(turns):
            for tree, miner in (("ref", reference), ("this", phrases.mine_phrases)):
                start, start_cpu = time.perf_counter(), time.process_time()
                miner(texts)
                wall[tree].append(time.perf_counter() - start)
                cpu[tree].append(time.process_time() - start_cpu)
        print(f"{corpus.name}: {medians(wall, 'wall')}; {medians(cpu, 'CPU')}")
        print(f"  wall turns ref {fmt(wall['ref'])}, this {fmt(wall['this'])}")
    return 0


def medians(seconds: dict[str, list[float]], kind: str) -> str:
    ref, this = (statistics.median(seconds[tree]) for tree in ("ref", "this"))
    return f"{kind} ref {ref:.3f} s, this {this:.3f} s ({this / ref:.2f}x)"


def fmt(values: list[float]) -> str:
    return " ".join(f"{value:.3f}" for value in values)


def peak_memory(path: Path, miner: Miner, traced: bool) -> int:
    """The mining's own peak: the reading's (a whole file's text and its records) is higher, so
    the process's peak (``ru_maxrss``) is reset (``/proc/self/clear_refs``) once the texts are
    read; with ``traced``, tracemalloc's peak of the mining's allocations besides."""
    texts = texts_of([path])
    gc.collect()
    read_peak, before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, rss("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")
    if traced:
        tracemalloc.start()
    start = time.perf_counter()
    mined = miner(texts)
    seconds = time.perf_counter() - start
    traced_peak = tracemalloc.get_traced_memory()[1] / 2**20 if traced else None
    peak = rss("VmHWM")
    print(
        f"{path.name}: {len(mined)} phrases in {seconds:.1f} s; RSS {before:.0f} MB before ", end=""
    )
    print(
        f"mining (the reading's peak {read_peak:.0f} MB), its peak {peak:.0f} MB while mining ",
        end="",
    )
    print(f"(+{peak - before:.0f} MB)", end="")
    print(f"; tracemalloc peak {traced_peak:.0f} MB" if traced_peak is not None else "", end="")
    print(f"; phrases' digest {digest(mined)}")
    return 0


def rss(field: str) -> float:
    """``field`` (VmRSS: now; VmHWM: the peak) of /proc/self/status, in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    raise LookupError(field)


def digest(mined: list[Phrase]) -> str:
    """A fingerprint of the phrases, to compare two processes' outputs."""
    text = "\n".join(f"{p.text}\t{p.language}\t{p.count}" for p in mined)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


if __name__ == "__main__":
    sys.exit(main())
