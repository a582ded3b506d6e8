"""Test helpers that stand up newsindex as an operator would on several machines, on loopback:
gunicorn web nodes started from the project's gunicorn.conf.py, each over its own index folder,
and Debian's nginx in front of them with the project's own site (deploy/nginx-newsindex.conf)
rendered for free ports. nginx runs in the foreground with every path under a temporary folder.

Every process is a ``processes.Run``: stopped (or killed, with its children) whole, and never
left running whatever happens to the test."""

from __future__ import annotations

import contextlib
import gzip
import http.client
import itertools
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

from bench.nginx import REFUSALS_LOG, nginx_command, render_nginx_site
from conftest import free_port
from indexer.config import PROJECT_ROOT
from processes import Run, run_to_end

DEPLOY = PROJECT_ROOT / "deploy"
FAKE_SSH = PROJECT_ROOT / "tests" / "fixtures" / "fake_ssh"
# gunicorn's access log with the worker's process id first: "<1234> GET /api/search?q=x 200".
ACCESS_LOG_FORMAT = "%(p)s %(m)s %(U)s?%(q)s %(s)s"
START_CEILING_SECONDS = 60  # generous: only a hang takes this long


def http_get(
    url: str, timeout: float = 10, source: str | None = None
) -> tuple[int, bytes, dict[str, str]]:
    """(status, body, headers) of a GET that accepts gzip (the body comes back unzipped), from the
    loopback address ``source`` if given (nginx's limits are per client address); HTTP errors
    are answers too."""
    parts = urlsplit(url)
    address = (source, 0) if source else None
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout, address)
    try:
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        connection.request("GET", path or "/", headers={"Accept-Encoding": "gzip"})
        response = connection.getresponse()
        status, body, headers = response.status, response.read(), dict(response.headers)
    finally:
        connection.close()
    if headers.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    return status, body, headers


def wait_until(condition: Callable[[], bool], ceiling: float, what: str) -> float:
    """Seconds until ``condition()`` held; AssertionError naming ``what`` after ``ceiling``."""
    started = time.monotonic()
    while time.monotonic() - started < ceiling:
        try:
            if condition():
                return time.monotonic() - started
        except OSError:
            pass  # not listening yet
        time.sleep(0.05)
    raise AssertionError(f"{what}: not within {ceiling} s")


class GunicornNode:
    """One web node: gunicorn from the project's config over ``index_dir``, on a port of its own
    that stays the same across restarts."""

    def __init__(self, name: str, index_dir: Path, workdir: Path, workers: int = 2) -> None:
        self.name, self.index_dir, self.workdir, self.workers = name, index_dir, workdir, workers
        self.port = free_port()
        self.run: Run | None = None
        self.metrics_dir: Path | None = workdir / f"{name}-metrics"

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def environment(self) -> dict[str, str]:
        env = {
            "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
            "NEWSINDEX_INDEX_DIR": str(self.index_dir),
            "NEWSINDEX_BIND": f"127.0.0.1:{self.port}",
            "NEWSINDEX_WORKERS": str(self.workers),
            "GUNICORN_CMD_ARGS": f"--access-logformat '{ACCESS_LOG_FORMAT}'",
            "TMPDIR": str(self.workdir),
        }
        if self.metrics_dir is not None:
            env["PROMETHEUS_MULTIPROC_DIR"] = str(self.metrics_dir)
        return env

    def start(self) -> GunicornNode:
        command = [sys.executable, "-m", "gunicorn", "webui:create_app()"]
        # SIGTERM if the tests die: gunicorn then stops its workers too.
        self.run = Run(command, self.environment(), PROJECT_ROOT, death_signal=signal.SIGTERM)
        wait_until(
            lambda: http_get(f"{self.base}/healthz", timeout=2)[0] == 200,
            START_CEILING_SECONDS,
            f"node {self.name} answering /healthz",
        )
        return self

    def kill(self) -> None:
        """Kill the node and its workers at once, as when its machine dies."""
        assert self.run is not None
        self.run.stop()

    def stop(self) -> None:
        """A graceful stop (whose log is kept), then nothing of the node left running."""
        if self.run is not None and self.run.poll() is None:
            self.run.process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.run.wait(timeout=30)
        if self.run is not None:
            self.run.stop()

    def log(self) -> str:
        """This start's log (gunicorn's own lines and the access log)."""
        return "".join(self.run.output()) if self.run is not None else ""

    def served_requests(self, path_prefix: str) -> Counter[str]:
        """Requests for paths starting with ``path_prefix`` in this start's access log, by the
        process id of the worker that answered them."""
        pattern = re.compile(rf"^<(\d+)> GET {re.escape(path_prefix)}\S* \d{{3}}$", re.MULTILINE)
        return Counter(match.group(1) for match in pattern.finditer(self.log()))

    def health(self) -> dict:
        status, body, _headers = http_get(f"{self.base}/healthz", timeout=5)
        return json.loads(body) if status == 200 else {}


class Nginx:
    """Debian's nginx in the foreground, all its paths in ``workdir``, serving the project's site
    in front of ``nodes``."""

    def __init__(self, workdir: Path, nodes: list[GunicornNode]) -> None:
        self.workdir = workdir
        self.port = free_port()
        self.nodes = nodes
        self.run: Run | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        """nginx's command, its configuration written around the project's site, and the site's
        files exported for it as an operator exports them (deploy/export_assets.py)."""
        assets_root = self.workdir / "www"
        # The files of this tree, as its nodes serve them (gunicorn runs from the project
        # folder): not those of wherever the Python environment has newsindex installed.
        env = {"PYTHONPATH": str(PROJECT_ROOT)}
        exported = run_to_end(
            [sys.executable, str(DEPLOY / "export_assets.py"), str(assets_root)], env, timeout=60
        )
        assert exported.returncode == 0, exported.stderr
        ports = [node.port for node in self.nodes]
        site = render_nginx_site(self.port, ports, assets_root, self.workdir)
        return nginx_command(self.workdir, site)

    @property
    def refusals_log(self) -> Path:
        """The site's log of the requests nginx refused itself (limited, shed)."""
        return self.workdir / REFUSALS_LOG

    def start(self, through_to_nodes: bool = True) -> Nginx:
        """nginx started, once it answers /healthz from a node (or, not ``through_to_nodes``, once
        it accepts connections at all)."""
        command = self.command()
        checked = run_to_end([*command, "-t"], {"PATH": "/usr/sbin:/usr/bin:/bin"}, timeout=30)
        assert checked.returncode == 0, f"nginx refuses the site: {checked.stderr}"
        self.run = Run(command, {"PATH": "/usr/sbin:/usr/bin:/bin"}, death_signal=signal.SIGTERM)
        wait_until(
            self.answers_healthz if through_to_nodes else self.accepts_connections,
            START_CEILING_SECONDS,
            "nginx answering",
        )
        return self

    def answers_healthz(self) -> bool:
        return http_get(f"{self.base}/healthz", timeout=2)[0] == 200

    def accepts_connections(self) -> bool:
        socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
        return True

    def stop(self) -> None:
        if self.run is not None and self.run.poll() is None:
            os.kill(self.run.pid, signal.SIGQUIT)  # nginx's graceful stop
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.run.wait(timeout=30)
        if self.run is not None:
            self.run.stop()


class SteadyLoad:
    """Client threads sending GETs through nginx, round and round; ``check(url, status, body)``
    returns a problem to record, or None. Each request comes from another of 250 loopback
    addresses: many readers, none of them near nginx's limits per client."""

    def __init__(
        self,
        urls: list[str],
        check: Callable[[str, int, bytes], str | None],
        threads: int = 3,
        pause: float = 0.03,
    ) -> None:
        self.urls, self.check, self.threads, self.pause = urls, check, threads, pause
        self.requests = 0
        self.problems: list[str] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._pool = ThreadPoolExecutor(max_workers=threads)

    def __enter__(self) -> SteadyLoad:
        self._clients = [self._pool.submit(self._run, n) for n in range(self.threads)]
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._pool.shutdown(wait=True)
        for client in self._clients:
            client.result()  # a client that broke down is a failure of the test

    def _run(self, offset: int) -> None:
        for number in itertools.count(offset):
            if self._stop.is_set():
                return
            url = self.urls[number % len(self.urls)]
            try:
                status, body, _headers = http_get(url, source=f"127.0.1.{number % 250 + 1}")
                problem = self.check(url, status, body)
            except Exception as exc:  # refused, reset, timed out: every one a failure
                problem = f"{url}: {exc!r}"
            with self._lock:
                self.requests += 1
                if problem:
                    self.problems.append(problem)
            self._stop.wait(self.pause)
