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
import subprocess
from pathlib import Path

import pytest

from conftest import CHROMIUM, require

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


@pytest.mark.timeout(400)  # two runs of Lighthouse at most
@pytest.mark.parametrize("path", LIGHTHOUSE_PAGES)
def test_lighthouse_scores_accessibility_best_practices_and_seo_at_100(site, path, tmp_path):
    node = shutil.which("node")
    need(node is not None, "node", "apt-get install nodejs npm")
    need(LIGHTHOUSE.exists(), "lighthouse", SETUP)
    need(CHROMIUM.exists(), f"the browser {CHROMIUM}", "apt-get install chromium")
    report = tmp_path / "lighthouse.json"
    for _attempt in range(2):  # once more when Lighthouse's own trace failed (it says so)
        run = subprocess.run(
            [
                node,
                str(LIGHTHOUSE),
                site + path,
                "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
                "--only-categories=performance,accessibility,best-practices,seo",
                "--output=json",
                f"--output-path={report}",
                "--quiet",
            ],
            env={**os.environ, "CHROME_PATH": str(CHROMIUM)},
            capture_output=True,
            text=True,
            timeout=170,
        )
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
