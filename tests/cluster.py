"""Test helpers that stand up newsindex as an operator would on several machines, on loopback:
gunicorn web nodes started from the project's gunicorn.conf.py, each over its own index folder,
and Debian's nginx in front of them with the project's own site (deploy/nginx-newsindex.conf)
rendered for free ports. nginx runs in the foreground with every path under a temporary folder.

Every process is a ``processes.Run``: stopped (or killed, with its children) whole, and never
left running whatever happens to the test."""

from __future__ import annotations

import contextlib
import gzip
import itertools
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from conftest import free_port
from indexer.config import PROJECT_ROOT
from processes import Run, run_to_end

DEPLOY = PROJECT_ROOT / "deploy"
NGINX_SITE = DEPLOY / "nginx-newsindex.conf"
FAKE_SSH = PROJECT_ROOT / "tests" / "fixtures" / "fake_ssh"
# gunicorn's access log with the worker's process id first: "<1234> GET /api/search?q=x 200".
ACCESS_LOG_FORMAT = "%(p)s %(m)s %(U)s?%(q)s %(s)s"
START_CEILING_SECONDS = 60  # generous: only a hang takes this long


def http_get(url: str, timeout: float = 10) -> tuple[int, bytes, dict[str, str]]:
    """(status, body, headers) of a GET that accepts gzip (the body comes back unzipped); HTTP
    errors are answers too."""
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, body, headers = response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        with error:
            status, body, headers = error.code, error.read(), dict(error.headers)
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


def render_nginx_site(listen_port: int, nodes: list[GunicornNode], assets_root: Path) -> str:
    """The project's nginx site with its EDIT lines set for this test: the listening port, the
    nodes, the folder of the site's files. Fails if the site no longer has a line this rendering
    sets."""
    site = NGINX_SITE.read_text("utf-8")
    server_line = re.compile(r"^(\s*)server \S+:\d+( [^;]*)?;$", re.MULTILINE)
    parameters = server_line.search(site)
    assert parameters, "the nginx site has no upstream server line"
    servers = "".join(
        f"{parameters.group(1)}server 127.0.0.1:{node.port}{parameters.group(2) or ''};\n"
        for node in nodes
    )
    site, upstream_lines = server_line.subn("", site)
    site = site.replace("upstream newsindex {\n", "upstream newsindex {\n" + servers, 1)
    site, listens = re.subn(r"listen 80;", f"listen 127.0.0.1:{listen_port};", site)
    site = re.sub(r"\n\s*listen \[::\]:80;", "", site)
    site, roots = re.subn(r"root /srv/newsindex/var/www;", f"root {assets_root};", site)
    assert (upstream_lines >= 1, listens, roots) == (True, 1, 1), "the nginx site changed shape"
    return site


def nginx_binary() -> str:
    found = shutil.which("nginx", path=f"{os.environ.get('PATH', '')}:/usr/sbin:/sbin")
    assert found, "nginx is not installed (apt-get install nginx; .ci/run installs it)"
    return found


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

    def write_config(self) -> Path:
        """nginx's own configuration around the project's site, and the site's files exported
        for it as an operator exports them (deploy/export_assets.py)."""
        assets_root = self.workdir / "www"
        # The files of this tree, as its nodes serve them (gunicorn runs from the project
        # folder): not those of wherever the Python environment has newsindex installed.
        env = {"PYTHONPATH": str(PROJECT_ROOT)}
        exported = run_to_end(
            [sys.executable, str(DEPLOY / "export_assets.py"), str(assets_root)], env, timeout=60
        )
        assert exported.returncode == 0, exported.stderr
        site = render_nginx_site(self.port, self.nodes, assets_root)
        (self.workdir / "site.conf").write_text(site)
        user = "user root;\n" if os.geteuid() == 0 else ""  # else nginx cannot read its folder
        temp_paths = "".join(
            f"    {kind}_temp_path {self.workdir}/{kind};\n"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        config = self.workdir / "nginx.conf"
        config.write_text(
            f"{user}worker_processes 1;\ndaemon off;\npid {self.workdir}/nginx.pid;\n"
            f"error_log {self.workdir}/error.log warn;\n"
            "events { worker_connections 512; }\n"
            "http {\n    include /etc/nginx/mime.types;\n"
            "    default_type application/octet-stream;\n"
            f"    access_log {self.workdir}/access.log;\n{temp_paths}"
            f"    include {self.workdir}/site.conf;\n}}\n"
        )
        return config

    def start(self) -> Nginx:
        self.workdir.mkdir(parents=True, exist_ok=True)
        config = self.write_config()
        command = [nginx_binary(), "-p", str(self.workdir), "-c", str(config)]
        command += ["-e", str(self.workdir / "error.log")]
        checked = run_to_end([*command, "-t"], {"PATH": "/usr/sbin:/usr/bin:/bin"}, timeout=30)
        assert checked.returncode == 0, f"nginx refuses the site: {checked.stderr}"
        self.run = Run(command, {"PATH": "/usr/sbin:/usr/bin:/bin"}, death_signal=signal.SIGTERM)
        wait_until(
            lambda: http_get(f"{self.base}/healthz", timeout=2)[0] == 200,
            START_CEILING_SECONDS,
            "nginx answering /healthz",
        )
        return self

    def stop(self) -> None:
        if self.run is not None and self.run.poll() is None:
            os.kill(self.run.pid, signal.SIGQUIT)  # nginx's graceful stop
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.run.wait(timeout=30)
        if self.run is not None:
            self.run.stop()


class SteadyLoad:
    """Client threads sending GETs through nginx, round and round; ``check(url, status, body)``
    returns a problem to record, or None."""

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
                status, body, _headers = http_get(url)
                problem = self.check(url, status, body)
            except Exception as exc:  # refused, reset, timed out: every one a failure
                problem = f"{url}: {exc!r}"
            with self._lock:
                self.requests += 1
                if problem:
                    self.problems.append(problem)
            self._stop.wait(self.pause)
