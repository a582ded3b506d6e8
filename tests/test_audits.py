"""The audits readers' tools would run, in ``make test``: axe-core (WCAG 2.2 A and AA) in Debian's
chromium over a handful of pages in light and dark, at 1280 and 390 px; the Nu HTML Checker
(vnu-jar) over the same pages; Lighthouse (accessibility, best practices and SEO at 100).

The tools come from ``tests/tools`` (``npm ci``, run by ``make setup``) and need node, java and
/usr/bin/chromium, which ``.ci/run`` installs. Where one is missing these tests fail, saying
what to install: they never skip. A developer without them leaves them out with
``-m "not audit"``.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from conftest import CHROMIUM, require
from processes import run_to_end, wait_until_ended

TOOLS = Path(__file__).parent / "tools" / "node_modules"
AXE = TOOLS / "axe-core" / "axe.min.js"
VNU = TOOLS / "vnu-jar" / "build" / "dist" / "vnu.jar"
LIGHTHOUSE = TOOLS / "lighthouse" / "cli" / "index.js"
# Lighthouse's words when recording the page load failed in Chromium, not in the page (its
# NO_NAVSTART, NO_FCP...): a second run is what it asks for.
LIGHTHOUSE_TRACE_FAILED = "Please run Lighthouse again"
SETUP = "make setup runs npm ci --prefix tests/tools"
PAGES = [
    "/",
    "/?q=harbour&section=Politics&from=2024-01-01&page=2&per_page=2",
    "/?q=electon",
    "/?q=zzqq",
    "/article/sample-004?q=election",
    "/no-such-page",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
LIGHTHOUSE_PAGES = ["/?q=harbour", "/article/sample-004?q=election"]


pytestmark = pytest.mark.audit


def need(available: bool, what: str, how: str) -> None:
    require(available, what, how, "audit")


@pytest.fixture(scope="module")
def chromium_browser(request):
    need(CHROMIUM.exists(), f"the browser {CHROMIUM}", "apt-get install chromium")
    return request.getfixturevalue("browser")


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [1280, 390])
def test_axe_finds_no_wcag_violation(chromium_browser, site, scheme, width) -> None:
    need(AXE.exists(), "axe-core", SETUP)
    source = AXE.read_text("utf-8")
    context = chromium_browser.new_context(
        viewport={"width": width, "height": 900}, color_scheme=scheme
    )
    found = {}
    try:
        page = context.new_page()
        for path in PAGES:
            page.goto(site + path)
            page.evaluate(source)  # evaluated by the browser itself: the page's CSP stays on
            result = page.evaluate(
                "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
            )
            for violation in result["violations"]:
                targets = [node["target"] for node in violation["nodes"][:3]]
                found.setdefault(path, []).append((violation["id"], violation["help"], targets))
    finally:
        context.close()
    assert found == {}


def test_the_nu_html_checker_finds_no_error(client, tmp_path) -> None:
    java = shutil.which("java")
    need(java is not None, "java", "apt-get install default-jre-headless")
    need(VNU.exists(), "vnu-jar", SETUP)
    files = []
    for number, path in enumerate(PAGES):
        response = client.get(path)
        assert response.mimetype == "text/html", path
        files.append(tmp_path / f"page-{number}.html")
        files[-1].write_bytes(response.data)
    checked = subprocess.run(
        [java, "-jar", str(VNU), "--format", "json", "--exit-zero-always", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=170,
    )
    messages = json.loads(checked.stderr or checked.stdout)["messages"]
    problems = [
        (PAGES[int(Path(m["url"]).stem.split("-")[1])], m["type"], m.get("subType"), m["message"])
        for m in messages
        if m["type"] == "error" or m.get("subType") == "warning"
    ]
    assert problems == []


def run_lighthouse(url: str, report: Path, timeout: float) -> subprocess.CompletedProcess:
    """Lighthouse on ``url`` (its JSON report in ``report``), ended after ``timeout`` seconds
    (``subprocess.TimeoutExpired``). It runs as a ``processes.Run``: the Chromium it launches
    leads a process group of its own (chrome-launcher's ``detached``), so killing Lighthouse's
    group would leave it; the run's marker, which Chromium inherits, finds and kills it however
    the run ends (done, failed, timed out, or the test stopped by pytest-timeout)."""
    node = shutil.which("node")
    need(node is not None, "node", "apt-get install nodejs npm")
    need(LIGHTHOUSE.exists(), "lighthouse", SETUP)
    need(CHROMIUM.exists(), f"the browser {CHROMIUM}", "apt-get install chromium")
    command = [
        node,
        str(LIGHTHOUSE),
        url,
        "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
        "--only-categories=performance,accessibility,best-practices,seo",
        "--output=json",
        f"--output-path={report}",
        "--quiet",
    ]
    return run_to_end(command, {**os.environ, "CHROME_PATH": str(CHROMIUM)}, timeout)


@pytest.mark.timeout(400)  # two runs of Lighthouse at most
@pytest.mark.parametrize("path", LIGHTHOUSE_PAGES)
def test_lighthouse_scores_accessibility_best_practices_and_seo_at_100(site, path, tmp_path):
    report = tmp_path / "lighthouse.json"
    for _attempt in range(2):  # once more when Lighthouse's own trace failed (it says so)
        run = run_lighthouse(site + path, report, timeout=170)
        if run.returncode == 0 or LIGHTHOUSE_TRACE_FAILED not in run.stderr:
            break
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(report.read_text("utf-8"))
    scores = {key: category["score"] for key, category in result["categories"].items()}
    failing = [
        (category["id"], ref["id"], result["audits"][ref["id"]]["score"])
        for category in result["categories"].values()
        for ref in category["auditRefs"]
        if ref["weight"] > 0 and (result["audits"][ref["id"]]["score"] or 1) < 1
    ]
    assert scores["accessibility"] == scores["best-practices"] == scores["seo"] == 1, failing
    for audit in ("uses-text-compression", "uses-long-cache-ttl", "meta-description"):
        assert result["audits"][audit]["score"] in (1, None), (audit, failing)
    assert scores["performance"] >= 0.5, failing  # a generous floor: timing is the bench's job


@contextmanager
def page_that_never_answers() -> Iterator[tuple[str, threading.Event]]:
    """A local URL whose server takes connections and never answers; the event is set once a
    browser connected."""
    connected = threading.Event()
    held: list[socket.socket] = []
    with socket.create_server(("127.0.0.1", 0)) as server:
        server.settimeout(0.2)

        def accept() -> None:
            while not stopping.is_set():
                try:
                    held.append(server.accept()[0])
                    connected.set()
                except TimeoutError:
                    continue

        stopping = threading.Event()
        thread = threading.Thread(target=accept, name="silent-server", daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.getsockname()[1]}/", connected
        finally:
            stopping.set()
            thread.join(timeout=10)
            for connection in held:
                connection.close()


def test_a_lighthouse_run_that_times_out_leaves_no_chromium(tmp_path, monkeypatch) -> None:
    """Lighthouse on a page that never loads, ended by its time limit while Chromium waits for
    the page (Lighthouse's own wait, 45 s, is longer): none of its processes, Chromium's
    included, is left. The processes are found by a marker of this test's own in the
    environment they inherit."""
    marker = f"audit-{os.getpid()}-{id(tmp_path)}"
    monkeypatch.setenv("NEWSINDEX_AUDIT_PROBE", marker)

    def left() -> list[int]:
        token = f"NEWSINDEX_AUDIT_PROBE={marker}".encode()
        found = []
        for entry in Path("/proc").glob("[0-9]*"):
            try:
                if token in (entry / "environ").read_bytes().split(b"\0"):
                    found.append(int(entry.name))
            except OSError:
                continue
        return found

    with page_that_never_answers() as (url, connected):
        with pytest.raises(subprocess.TimeoutExpired):
            run_lighthouse(url, tmp_path / "report.json", timeout=30)
        assert connected.is_set(), "Chromium never asked for the page: the test proved nothing"
    assert wait_until_ended(left, 2) == [], "processes of the Lighthouse run live on"
