"""Processes the tests start, and every process those start in turn.

A test that starts a process must never wait forever for it, nor leave any of its processes
running, whatever happens to the test (a failure, a hang ended by pytest-timeout, the tests
themselves killed). So a ``Run``:

- marks its environment with a token of its own (``RUN_MARKER``); every process of the run, forked
  or started by it, inherits it, so ``Run.processes()`` finds them all in ``/proc``;
- writes its output to files, never to pipes: a pipe that a stray grandchild still holds open
  would keep the reader waiting for an end of file that never comes;
- leads a process group of its own (``start_new_session``), which ``Run.stop()`` kills whole, and
  is killed by the kernel if the tests die first (``PR_SET_PDEATHSIG``);
- is a context manager whose exit is ``stop()``.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import IO

RUN_MARKER = "NEWSINDEX_TEST_RUN"  # environment variable: the run a process belongs to
PR_SET_PDEATHSIG = 1  # prctl option, from <sys/prctl.h>


class Run:
    """``command`` started as a process of its own (see the module's docstring)."""

    def __init__(
        self,
        command: list[str],
        env: dict[str, str],
        cwd: str | Path | None = None,
        death_signal: int = signal.SIGKILL,
    ) -> None:
        self.marker = uuid.uuid4().hex
        self._stdout: IO[str] = tempfile.TemporaryFile("w+", encoding="utf-8")
        self._stderr: IO[str] = tempfile.TemporaryFile("w+", encoding="utf-8")
        self.process = subprocess.Popen(
            command,
            env={**env, RUN_MARKER: self.marker},
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=self._stdout,
            stderr=self._stderr,
            start_new_session=True,
            preexec_fn=lambda: _die_with_parent(death_signal),
        )
        self.pid = self.process.pid
        self._final_output: tuple[str, str] | None = None

    def __enter__(self) -> Run:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def poll(self) -> int | None:
        return self.process.poll()

    def wait(self, timeout: float) -> int:
        """The main process's exit code once it ends (``subprocess.TimeoutExpired`` after
        ``timeout`` seconds). Its children may still run: see ``processes``."""
        return self.process.wait(timeout=timeout)

    def output(self) -> tuple[str, str]:
        """(stdout, stderr) written so far (all of it once stopped)."""
        if self._final_output is not None:
            return self._final_output
        return _read(self._stdout), _read(self._stderr)

    def processes(self) -> list[int]:
        """The pids of the run's processes still running (the main one included)."""
        return processes_marked(self.marker)

    def first_child(self, timeout: float) -> int | None:
        """The pid of a child of the main process, once it has one; None when the main
        process ended first, or ``timeout`` seconds passed."""
        children = Path(f"/proc/{self.pid}/task/{self.pid}/children")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.poll() is None:
            try:
                found = children.read_text().split()
            except OSError:
                return None
            if found:
                return int(found[0])
            time.sleep(0.001)
        return None

    def kill_main(self) -> None:
        """``kill -9`` of the main process only, as the OOM killer or an operator would."""
        if self.process.poll() is None:
            os.kill(self.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        """End every process of the run, by its group and by its marker; wait for the main one
        and keep its output."""
        if self._final_output is not None:
            return
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        for pid in self.processes():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.process.wait()
        self._final_output = self.output()
        self._stdout.close()
        self._stderr.close()


def run_to_end(
    command: list[str], env: dict[str, str], timeout: float, cwd: str | Path | None = None
) -> subprocess.CompletedProcess:
    """``command`` run to its end (``subprocess.TimeoutExpired`` after ``timeout`` seconds), its
    output captured; nothing of it is left running either way."""
    with Run(command, env, cwd=cwd) as run:
        returncode = run.wait(timeout)
    return subprocess.CompletedProcess(command, returncode, *run.output())


def processes_marked(marker: str) -> list[int]:
    """The live processes whose environment has ``RUN_MARKER`` = ``marker`` (zombies, already
    dead, are not listed)."""
    token = f"{RUN_MARKER}={marker}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if token in (entry / "environ").read_bytes().split(b"\0"):
                found.append(int(entry.name))
        except OSError:  # gone meanwhile, or not ours
            continue
    return found


def wait_until_gone(run: Run, seconds: float) -> list[int]:
    """Wait up to ``seconds`` for every process of ``run`` to end; the pids still running."""
    return wait_until_ended(run.processes, seconds)


def wait_until_ended(pids: Callable[[], list[int]], seconds: float) -> list[int]:
    """Wait up to ``seconds`` until none of ``pids()`` runs; those still running."""
    deadline = time.monotonic() + seconds
    left = [pid for pid in pids() if is_running(pid)]
    while left and time.monotonic() < deadline:
        time.sleep(0.05)
        left = [pid for pid in pids() if is_running(pid)]
    return left


def is_running(pid: int) -> bool:
    """Whether ``pid`` exists and is not a zombie (an orphan's zombie waits for init to reap
    it)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def _die_with_parent(death_signal: int) -> None:
    """In the child, before it runs the command: receive ``death_signal`` when the tests end."""
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, death_signal)


def _read(file: IO[str]) -> str:
    file.flush()
    file.seek(0)
    return file.read()
