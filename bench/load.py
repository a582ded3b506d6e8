"""Loading the JSON API under gunicorn on loopback, at a few concurrencies.

gunicorn is started from the project folder the way the README serves the site (its
``gunicorn.conf.py``, the default number of workers), on a free loopback port, over the index to
measure; it is stopped at the end, also on an error or Ctrl-C. The load generator is Debian's
``wrk`` when it is on PATH (a Lua script cycles through the query mix's URLs), else a Python one
(threads with ``http.client``); both run for a bounded time and stop by themselves.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.stats import percentile

PROJECT_ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT_SECONDS = 60
REQUEST_TIMEOUT_SECONDS = 10
PR_SET_PDEATHSIG = 1  # prctl option, from <sys/prctl.h>
# A search refused for passing its time limit (the error's own words: articles say "took longer").
TIMED_OUT = re.compile(rb'"message": ?"this search took longer than')
_WRK_SCRIPT = """
paths = {%s}
local threads = {}
function setup(thread)
  thread:set("offset", #threads * 97)
  table.insert(threads, thread)
end
function init(args)
  position = offset or 0
  timed_out = 0
  server_errors = 0
end
function request()
  position = position + 1
  return wrk.format("GET", paths[(position %% #paths) + 1])
end
function response(status, headers, body)
  if status >= 500 then
    server_errors = server_errors + 1
  end
  if body and string.find(body, '"this search took longer than', 1, true) then
    timed_out = timed_out + 1
  end
end
function done(summary, latency, requests)
  local e = summary.errors
  local cut, failed = 0, 0
  for _, thread in ipairs(threads) do
    cut = cut + (thread:get("timed_out") or 0)
    failed = failed + (thread:get("server_errors") or 0)
  end
  io.write(string.format(
    'BENCH {"requests":%%d,"microseconds":%%d,"errors":%%d,"timed_out":%%d,'
    .. '"server_errors":%%d,"socket_errors":%%d,"p50":%%d,"p95":%%d,"p99":%%d}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.status + e.timeout,
    cut, failed, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


@dataclass(frozen=True)
class LoadResult:
    """One load run at one concurrency."""

    concurrency: int
    requests: int
    seconds: float
    errors: int  # HTTP status >= 400, refused or broken connections, no answer in time
    server_errors: int  # of which HTTP 5xx
    socket_errors: int  # of which connection errors and timeouts (no HTTP status at all)
    timed_out: int  # of which searches refused for passing their time limit (a 400 naming it)
    p50_ms: float
    p95_ms: float
    p99_ms: float

    @property
    def requests_per_s(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


@dataclass(frozen=True)
class Server:
    base_url: str
    log_path: Path

    def workers(self) -> int:
        """How many workers gunicorn booted (from its log)."""
        return self.log_path.read_text(errors="replace").count("Booting worker")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn_server(
    index_dir: Path,
    log_path: Path,
    access_log: bool,
    settings: dict[str, str],
    ready_path: str = "/healthz",
) -> Iterator[Server]:
    """gunicorn serving ``index_dir`` on a free loopback port until the block ends; every other
    setting at its default but for the ``NEWSINDEX_*`` variables in ``settings``. It is ready
    when ``ready_path`` answers 200."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSINDEX_")}
    env.update(settings)
    env.update(NEWSINDEX_INDEX_DIR=str(index_dir), NEWSINDEX_BIND=f"127.0.0.1:{port}")
    command = [sys.executable, "-m", "gunicorn", "webui:create_app()"]
    if not access_log:
        command += ["--access-logfile", "/dev/null"]
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            command,
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=log,
            preexec_fn=stop_when_parent_dies,
        )
    server = Server(f"http://127.0.0.1:{port}", log_path)
    try:
        _wait_until_healthy(server, process, ready_path)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def stop_when_parent_dies() -> None:
    """In the gunicorn child, before exec: ask Linux for SIGTERM when the benchmark dies, even by
    SIGKILL, so that no server is left running on a shared machine. Elsewhere: nothing."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass


def _wait_until_healthy(server: Server, process: subprocess.Popen, ready_path: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited; see {server.log_path}")
        try:
            with urllib.request.urlopen(f"{server.base_url}{ready_path}", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not become healthy; see {server.log_path}")


GENERATORS = ("auto", "wrk", "python")


def choose_generator(requested: str) -> str:
    """``wrk`` when asked for or when ``auto`` finds it on PATH, else ``python``."""
    if requested == "wrk" and shutil.which("wrk") is None:
        raise RuntimeError("wrk is not on PATH (Debian: apt-get install wrk)")
    if requested == "auto":
        return "wrk" if shutil.which("wrk") else "python"
    return requested


def run_load(
    server: Server,
    paths: Sequence[str],
    concurrency: int,
    seconds: float,
    generator: str,
    work: Path,
) -> LoadResult:
    """Load ``paths`` (cycled) at ``concurrency`` for ``seconds`` with wrk or with Python."""
    if generator == "wrk":
        return wrk_load(server, paths, concurrency, seconds, work)
    return python_load(server, paths, concurrency, seconds)


def wrk_load(
    server: Server, paths: Sequence[str], concurrency: int, seconds: float, work: Path
) -> LoadResult:
    script = work / "bench-paths.lua"
    script.write_text(_WRK_SCRIPT % ", ".join(json.dumps(path) for path in paths))
    threads = min(concurrency, os.cpu_count() or 1)
    command = ["wrk", f"-t{threads}", f"-c{concurrency}", f"-d{max(1, round(seconds))}s"]
    command += ["--timeout", f"{REQUEST_TIMEOUT_SECONDS}s", "-s", str(script), server.base_url]
    finished = subprocess.run(
        command, capture_output=True, text=True, timeout=seconds + 60, check=True
    )
    line = next(x for x in finished.stdout.splitlines() if x.startswith("BENCH "))
    figures = json.loads(line.removeprefix("BENCH "))
    return LoadResult(
        concurrency=concurrency,
        requests=figures["requests"],
        seconds=figures["microseconds"] / 1e6,
        errors=figures["errors"],
        timed_out=figures["timed_out"],
        server_errors=figures["server_errors"],
        socket_errors=figures["socket_errors"],
        p50_ms=figures["p50"] / 1000,
        p95_ms=figures["p95"] / 1000,
        p99_ms=figures["p99"] / 1000,
    )


def python_load(
    server: Server, paths: Sequence[str], concurrency: int, seconds: float
) -> LoadResult:
    """A plain load generator: ``concurrency`` threads, each its own HTTP connection (gunicorn's
    sync workers close it after every response, and http.client reopens it)."""
    clients = [_PythonClient(server.base_url, paths, number * 97) for number in range(concurrency)]
    started = time.perf_counter()
    deadline = started + seconds
    threads = [threading.Thread(target=client.run, args=(deadline,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    every = [ms for client in clients for ms in client.latencies_ms]
    return LoadResult(
        concurrency=concurrency,
        requests=len(every),
        seconds=time.perf_counter() - started,
        errors=sum(client.errors for client in clients),
        timed_out=sum(client.timed_out for client in clients),
        server_errors=sum(client.server_errors for client in clients),
        socket_errors=sum(client.socket_errors for client in clients),
        p50_ms=percentile(every, 50),
        p95_ms=percentile(every, 95),
        p99_ms=percentile(every, 99),
    )


class _PythonClient:
    """One connection requesting ``paths`` in turn until a deadline; HTTP >= 400 is an error."""

    def __init__(self, base_url: str, paths: Sequence[str], offset: int) -> None:
        host, port = base_url.removeprefix("http://").split(":")
        self.connection = http.client.HTTPConnection(
            host, int(port), timeout=REQUEST_TIMEOUT_SECONDS
        )
        self.paths, self.position = paths, offset
        self.latencies_ms: list[float] = []
        self.errors = 0
        self.server_errors = 0
        self.socket_errors = 0
        self.timed_out = 0

    def run(self, deadline: float) -> None:
        while time.perf_counter() < deadline:
            self.position += 1
            begun = time.perf_counter()
            try:
                self.connection.request("GET", self.paths[self.position % len(self.paths)])
                response = self.connection.getresponse()
                body = response.read()
                self.errors += response.status >= 400
                self.server_errors += response.status >= 500
                self.timed_out += TIMED_OUT.search(body) is not None
            except (OSError, http.client.HTTPException):
                self.errors += 1
                self.socket_errors += 1
                self.connection.close()
            self.latencies_ms.append((time.perf_counter() - begun) * 1000)
        self.connection.close()
