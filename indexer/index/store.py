"""Index generations on disk, and the atomic switch between them.

Layout of the index folder::

    CURRENT.json      {"current": "gen-000007", "previous": "gen-000006"}, replaced atomically
    indexer.lock      held (flock) by the one indexer run that may write; the kernel releases it
                      when that process dies, even by kill -9, so a lock is never stale
    gen-000007/       a complete Whoosh index + manifest.json + readers.lock
    build-<pid>-<t>/  a generation being built; never read; removed if its builder died

Readers open the generation named by CURRENT.json and hold a shared lock on its ``readers.lock``
while they use it; a generation other than the current and previous one is removed only when no
reader holds that lock.
"""

from __future__ import annotations

import errno
import fcntl
import json
import multiprocessing.util
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from indexer.errors import DiskError, IndexBusyError, IndexMissingError, NewsindexError

POINTER_FILE = "CURRENT.json"
WRITE_LOCK_FILE = "indexer.lock"
MANIFEST_FILE = "manifest.json"
# A generation's manifest.json as read: the facts ``build.generation_manifest`` wrote, as JSON
# values (older generations may lack some).
Manifest = dict[str, Any]
READERS_LOCK_FILE = "readers.lock"
GENERATION_PREFIX = "gen-"
BUILD_PREFIX = "build-"


@dataclass(frozen=True)
class Generation:
    """One complete index on disk, with what was recorded when it was built."""

    name: str
    path: Path
    manifest: Manifest


class ReaderLease:
    """A shared lock on a generation: while held, the generation is not removed."""

    def __init__(self, generation: Generation) -> None:
        self.generation = generation
        self._fd: int | None = os.open(generation.path / READERS_LOCK_FILE, os.O_RDONLY)
        fcntl.flock(self._fd, fcntl.LOCK_SH)

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


class IndexStore:
    """The index folder: which generation is current, and the only way to change that."""

    def __init__(self, root: Path) -> None:
        self.root = root

    # Reading -----------------------------------------------------------------------------------

    def pointer(self) -> dict[str, str]:
        try:
            data = json.loads((self.root / POINTER_FILE).read_text("utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            raise IndexMissingError(f"cannot read {self.root / POINTER_FILE}: {exc}") from exc
        return data if isinstance(data, dict) else {}

    def current(self) -> Generation:
        """The generation searchers should use; IndexMissingError when there is none yet."""
        name = self.pointer().get("current")
        if not name:
            raise IndexMissingError(
                f"no index in {self.root} yet: run `indexer rebuild` to build one"
            )
        return self.generation(name)

    def previous(self) -> Generation | None:
        name = self.pointer().get("previous")
        if not name or not (self.root / name / MANIFEST_FILE).is_file():
            return None
        return self.generation(name)

    def generation(self, name: str) -> Generation:
        path = self.root / name
        try:
            manifest = json.loads((path / MANIFEST_FILE).read_text("utf-8"))
        except (OSError, ValueError) as exc:
            raise IndexMissingError(
                f"index generation {name} in {self.root} is missing or damaged ({exc}): "
                "run `indexer rebuild`"
            ) from exc
        return Generation(name=name, path=path, manifest=manifest)

    def lease_current(self) -> ReaderLease:
        """The current generation, locked against removal until the lease is released."""
        for _attempt in range(3):
            generation = self.current()
            try:
                return ReaderLease(generation)
            except FileNotFoundError:
                time.sleep(0.05)  # switched and pruned between reading the pointer and locking
        raise IndexMissingError(f"the index in {self.root} keeps changing; try again")

    # Writing (only under write_lock) -------------------------------------------------------------

    @contextmanager
    def write_lock(self) -> Iterator[None]:
        """Exclusive right to write; IndexBusyError at once when another run has it."""
        with translate_os_errors(self.root, "prepare the index folder"):
            self.root.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.root / WRITE_LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip() or "unknown"
                raise IndexBusyError(
                    f"another indexer run (pid {holder}) is writing {self.root}; this run stopped"
                ) from None
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
            # Processes forked while writing (the parallel index writers) must not keep the lock
            # alive: an flock lasts while any copy of its descriptor is open.
            held = _HeldLock(fd)
            multiprocessing.util.register_after_fork(held, _HeldLock.close_in_child)
            yield
        finally:
            os.close(fd)

    def new_build_dir(self) -> Path:
        path = self.root / f"{BUILD_PREFIX}{os.getpid()}-{time.time_ns()}"
        with translate_os_errors(self.root, "create a build folder"):
            path.mkdir()
        return path

    def publish(self, build_dir: Path, manifest: Manifest) -> Generation:
        """Make the index in ``build_dir`` the current generation, atomically."""
        name = f"{GENERATION_PREFIX}{self._next_number():06d}"
        with translate_os_errors(self.root, "publish the new index"):
            manifest = {**manifest, "generation": name}
            _write_durably(build_dir / MANIFEST_FILE, json.dumps(manifest, indent=2))
            (build_dir / READERS_LOCK_FILE).touch()
            os.rename(build_dir, self.root / name)
            _fsync_dir(self.root)
            current = self.pointer().get("current")
            self._switch({"current": name, "previous": current} if current else {"current": name})
        self.prune()
        return self.generation(name)

    def rollback(self) -> Generation:
        """Switch back to the previous generation (a second rollback switches forward again)."""
        current, previous = self.current(), self.previous()
        if previous is None:
            raise NewsindexError(f"no previous index generation in {self.root} to roll back to")
        with translate_os_errors(self.root, "switch generations"):
            self._switch({"current": previous.name, "previous": current.name})
        return previous

    def prune(self) -> list[str]:
        """Remove dead builds, generations nobody reads that are neither current nor previous,
        and the pointer's temporary copies left by a run killed while switching."""
        keep = set(self.pointer().values())
        removed = []
        for path in sorted(self.root.iterdir()):
            if path.name.startswith(f".{POINTER_FILE}.") and path.name.endswith(".tmp"):
                path.unlink(missing_ok=True)
                removed.append(path.name)
            elif path.name.startswith(BUILD_PREFIX) or (
                path.name.startswith(GENERATION_PREFIX) and path.name not in keep and _unread(path)
            ):
                shutil.rmtree(path, ignore_errors=True)
                removed.append(path.name)
        return removed

    def _next_number(self) -> int:
        numbers = [
            int(p.name.removeprefix(GENERATION_PREFIX))
            for p in self.root.glob(f"{GENERATION_PREFIX}*")
            if p.name.removeprefix(GENERATION_PREFIX).isdigit()
        ]
        return max(numbers, default=0) + 1

    def _switch(self, pointer: dict[str, str]) -> None:
        _write_durably(self.root / POINTER_FILE, json.dumps(pointer))


class _HeldLock:
    """The write lock's descriptor, for closing it in forked children."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def close_in_child(self) -> None:
        try:
            os.close(self.fd)
        except OSError:
            pass  # already closed: the parent released the lock before forking


def _unread(generation_path: Path) -> bool:
    try:
        fd = os.open(generation_path / READERS_LOCK_FILE, os.O_RDONLY)
    except FileNotFoundError:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(fd)


def _write_durably(path: Path, text: str) -> None:
    """Write ``path`` so that readers see the old content or the new, never a part."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with temporary.open("w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    _fsync_dir(path.parent)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def translate_os_errors(root: Path, action: str) -> Iterator[None]:
    """Disk trouble (no space, read-only folder) as a clear DiskError."""
    try:
        yield
    except OSError as exc:
        reason = exc.strerror or str(exc)
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            reason = "no space left on the device"
        raise DiskError(
            f"cannot {action} in {root}: {reason}; the index in use was not changed"
        ) from exc
