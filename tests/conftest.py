"""Shared fixtures: settings that point at a temporary index, the project's sample articles, and
helpers to run the ``indexer`` command the way users and cron do."""

from __future__ import annotations

import html
import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer.cli import main
from indexer.config import PROJECT_ROOT, Settings, load_settings
from indexer.index.build import rebuild_index
from processes import Run, run_to_end

SAMPLES = PROJECT_ROOT / "samples" / "articles.jsonl"
SHARED_CORPORA = PROJECT_ROOT.parent / "shared" / "corpora"
# NEWSINDEX_LONG_TESTS=1: the long variants of the reliability tests, each with its own time
# limit instead of pyproject's 180 s.
LONG_TESTS = os.environ.get("NEWSINDEX_LONG_TESTS", "") not in ("", "0")
LONG_TIMEOUT = 1800  # seconds


def with_long_variant_limit(test: Callable) -> Callable:
    """``test``, given LONG_TIMEOUT seconds when its long variant runs."""
    return pytest.mark.timeout(LONG_TIMEOUT)(test) if LONG_TESTS else test


# The only reasons a test may skip (README, Test): what this machine lacks and CI cannot install.
DOCUMENTED_SKIPS = (
    "../shared/",  # the real corpora and pages are not committed
    "real mounts need root",  # the read-only and full-disk mounts; simulated tests always run
    "cannot mount here",
    "cannot remount read-only here",
)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    """A skip for any other reason fails: no test may go quietly missing."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and not hasattr(report, "wasxfail"):
        reason = str(report.longrepr)
        if not any(documented in reason for documented in DOCUMENTED_SKIPS):
            report.outcome = "failed"
            report.longrepr = f"skipped for a reason not documented in the README: {reason}"


def write_jsonl(path: Path, records: list, raw_lines: list[str] = ()) -> Path:
    """A JSON Lines file of ``records`` (dicts) followed by ``raw_lines`` as written."""
    lines = [json.dumps(record, ensure_ascii=False) for record in records] + list(raw_lines)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def article(number: int, **fields) -> dict:
    """A small valid article; ``fields`` override or add fields."""
    record = {
        "id": f"t-{number}",
        "title": f"Harbour story number {number}",
        "section": "Local",
        "published": f"2024-0{1 + number % 9}-1{number % 10}T10:00:00Z",
        "body": f"Body of story {number}. The harbour board met on Tuesday.",
    }
    record.update(fields)
    return record


def repeated_run(snippet_html: str, length: int = 5) -> str | None:
    """A run of ``length`` words that a snippet holds twice, if any (marks and escapes aside)."""
    text = html.unescape(re.sub(r"</?mark>", "", snippet_html))
    words, seen = re.findall(r"\w+", text.lower()), set()
    for start in range(len(words) - length + 1):
        run = tuple(words[start : start + length])
        if run in seen:
            return " ".join(run)
        seen.add(run)
    return None


@pytest.fixture
def index_dir(tmp_path: Path) -> Path:
    return tmp_path / "index"


@pytest.fixture
def settings(index_dir: Path) -> Settings:
    return load_settings({"index_dir": index_dir}, environ={})


@pytest.fixture
def cli_env(index_dir: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Environment of a CLI run: the temporary index, the project's config file."""
    monkeypatch.setenv("NEWSINDEX_INDEX_DIR", str(index_dir))
    for name in ("NEWSINDEX_CONFIG", "NEWSINDEX_SOURCES", "NEWSINDEX_LANGUAGE"):
        monkeypatch.delenv(name, raising=False)
    return {**os.environ}


@pytest.fixture
def indexer(cli_env: dict[str, str]) -> Callable[..., object]:
    """Run ``indexer ARGS`` in-process through the click entry point; returns the click result."""
    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(main, list(args), catch_exceptions=False)

    return run


@pytest.fixture
def indexer_process(cli_env: dict[str, str]) -> Callable[..., subprocess.CompletedProcess]:
    """Run the installed ``indexer`` script as a separate process (as cron does); nothing of it
    is left running afterwards, even when it times out."""

    def run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        return run_to_end([sys.executable, "-m", "indexer", *args], cli_env, timeout, cwd="/")

    return run


@pytest.fixture(scope="session")
def sample_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings of an index built once from the project's sample articles (read-only!)."""
    index_dir = tmp_path_factory.mktemp("sample-index")
    settings = load_settings({"index_dir": index_dir}, environ={})
    rebuild_index(settings, [str(SAMPLES)])
    return settings


def sample_records() -> list[dict]:
    return [json.loads(line) for line in SAMPLES.read_text("utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="session")
def app(sample_settings: Settings):
    """The web app over the sample index (flaskr's ``app`` fixture)."""
    from webui import create_app

    application = create_app(
        {"TESTING": True, "NEWSINDEX": {"index_dir": sample_settings.index_dir}}
    )
    yield application
    service = application.extensions.get("newsindex.search")
    if service is not None:
        service.close()


@pytest.fixture
def client(app):
    return app.test_client()


def app_for(index_dir: Path):
    """A web app over another index (close its service with ``close_app``)."""
    from webui import create_app

    return create_app({"TESTING": True, "NEWSINDEX": {"index_dir": index_dir}})


@contextmanager
def client_for_records(tmp_path: Path, records: list[dict]) -> Iterator[object]:
    """A test client of a web app over a small index of ``records``."""
    index_dir = tmp_path / "index"
    source = write_jsonl(tmp_path / "records.jsonl", records)
    rebuild_index(load_settings({"index_dir": index_dir}, environ={}), [str(source)])
    application = app_for(index_dir)
    try:
        yield application.test_client()
    finally:
        close_app(application)


def close_app(application) -> None:
    service = application.extensions.get("newsindex.search")
    if service is not None:
        service.close()


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get_json(url: str) -> tuple[int, dict]:
    """(status, JSON body) of a GET over real HTTP."""
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.loads(error.read())


@contextmanager
def gunicorn_serving(index_dir: Path, workers: int) -> Iterator[str]:
    """The base URL of a gunicorn started from the project's config over ``index_dir``; its log
    goes to a file (a pipe left unread fills up and stalls gunicorn) and must hold no
    traceback and no worker timeout when it stops. Stopped, or if the tests die, none of its
    processes is left."""
    import time

    port = free_port()
    env = {
        "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
        "NEWSINDEX_INDEX_DIR": str(index_dir),
        "NEWSINDEX_BIND": f"127.0.0.1:{port}",
        "NEWSINDEX_WORKERS": str(workers),
    }
    command = [sys.executable, "-m", "gunicorn", "webui:create_app()"]
    # SIGTERM if the tests die: gunicorn then stops its workers too.
    with Run(command, env, cwd=PROJECT_ROOT, death_signal=signal.SIGTERM) as server:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if get_json(f"{base}/healthz")[0] == 200:
                    break
            except OSError:
                assert server.poll() is None, server.output()
                time.sleep(0.1)
        else:
            raise AssertionError("gunicorn did not start")
        yield base
        server.process.terminate()  # a graceful stop, whose log is checked
        server.wait(timeout=30)
    output = "".join(server.output())
    assert "Traceback" not in output and "WORKER TIMEOUT" not in output, output[-5000:]


# The site on a real local server, and Debian's chromium (browser tests and audits) -------------


def require(available: bool, what: str, how: str, marker: str) -> None:
    """Go on when ``available``, else fail saying how to get it: a missing tool is never a
    reason to pass (``.ci/run`` installs every one). A developer without it leaves its tests
    out explicitly with ``-m "not MARKER"``."""
    if not available:
        pytest.fail(
            f"{what} is missing: {how} (or leave these tests out: pytest -m 'not {marker}')",
            pytrace=False,
        )


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def site(sample_settings) -> Iterator[str]:
    """The base URL of the web app served over the sample index on a free local port."""
    import threading

    from werkzeug.serving import make_server

    application = app_for(sample_settings.index_dir)
    server = make_server("127.0.0.1", 0, application, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="test-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        close_app(application)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Debian's chromium, driven by Playwright (never a downloaded browser)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    require(
        sync_playwright is not None, "Playwright for Python", "pip install -e '.[test]'", "browser"
    )
    require(CHROMIUM.exists(), f"the browser {CHROMIUM}", "apt-get install chromium", "browser")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
