"""The site in a real headless Chromium: Debian's ``chromium`` driven by Playwright for Python.

The app runs on a real local server over the sample index. Nothing here downloads a browser.
Where Playwright or /usr/bin/chromium is missing these tests fail, saying what to install
(``.ci/run`` installs chromium): they never skip. A developer without a browser leaves them out
explicitly with ``-m "not browser"``. Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from conftest import app_for, close_app
from indexer.config import PROJECT_ROOT

try:
    from playwright import sync_api
except ImportError:  # reported by the ``browser`` fixture, as a failure of each test
    sync_api = None

pytestmark = pytest.mark.browser
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
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 740}
FIRST_RESULT = "ol.hits .hit-title a"


@pytest.fixture(scope="module")
def site(sample_settings) -> Iterator[str]:
    """The base URL of the web app served over the sample index on a free local port."""
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
    leave_out = 'or leave the browser tests out: pytest -m "not browser"'
    if sync_api is None:
        pytest.fail(f"Playwright for Python is missing: pip install -e '.[test]' ({leave_out})")
    if not CHROMIUM.exists():
        pytest.fail(f"no browser: {CHROMIUM} is missing: apt-get install chromium ({leave_out})")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def open_page(browser, site):
    """``open_page(path, viewport=..., **context options)``: a new page at ``site + path``.

    Every console error (a Content-Security-Policy violation shows up as one) fails the test."""
    contexts, errors = [], []

    def open_at(path: str, viewport: dict = DESKTOP, **options):
        context = browser.new_context(viewport=viewport, **options)
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(site + path)
        return page

    yield open_at
    for context in contexts:
        context.close()
    assert errors == []


def click_and_wait(page, locator) -> None:
    with page.expect_navigation():
        locator.click()


def query_of(page) -> str:
    return page.url.split("?", 1)[1] if "?" in page.url else ""


def test_search_shows_results_with_marked_words(open_page) -> None:
    page = open_page("/")
    page.get_by_label("Search the news").fill("election")
    with page.expect_navigation():
        page.get_by_role("button", name="Search").click()
    assert query_of(page) == "q=election"
    assert page.locator("h1").text_content().strip() == "5 results for “election”"
    assert page.locator("ol.hits > li").count() == 5
    assert page.locator("ol.hits mark").count() >= 5
    assert page.get_by_label("Search the news").input_value() == "election"


def test_a_section_facet_filters_and_its_chip_removes_the_filter(open_page) -> None:
    page = open_page("/?q=harbour")
    everything = page.locator("ol.hits > li").count()
    click_and_wait(page, page.locator(".facet a", has_text="Politics"))
    assert "section=Politics" in query_of(page)
    sections = page.locator("ol.hits .meta-section").all_text_contents()
    assert sections and set(sections) == {"Politics"} and len(sections) < everything
    click_and_wait(page, page.get_by_role("link", name="Remove filter: Politics"))
    assert query_of(page) == "q=harbour"
    assert page.locator("ol.hits > li").count() == everything


def test_pagination(open_page) -> None:
    page = open_page("/")
    first_page = page.locator(FIRST_RESULT).first.get_attribute("href")
    click_and_wait(page, page.locator("a[rel=next]"))
    assert query_of(page) == "page=2"
    assert page.locator(".pagination [aria-current=page]").text_content() == "2"
    assert page.locator(FIRST_RESULT).first.get_attribute("href") != first_page
    click_and_wait(page, page.get_by_role("link", name="Page 5"))
    assert page.locator("ol.hits > li").count() == 2  # 42 articles, 10 a page
    assert page.locator("a[rel=next]").count() == 0
    click_and_wait(page, page.locator("a[rel=prev]"))
    assert query_of(page) == "page=4"


def test_a_timeline_bar_narrows_the_dates(open_page) -> None:
    page = open_page("/?q=election")
    june = page.locator("svg.timeline-chart a").nth(1)
    assert june.get_attribute("aria-label") == "Jun 2024: 3 articles"
    click_and_wait(page, june)
    assert query_of(page) == "q=election&from=2024-06-01&to=2024-06-30"
    assert page.locator("ol.hits > li").count() == 3
    assert page.get_by_label("From", exact=True).input_value() == "2024-06-01"
    assert page.get_by_label("To", exact=True).input_value() == "2024-06-30"
    assert page.get_by_role("link", name="Remove filter: 1 Jun 2024 – 30 Jun 2024").count() == 1


def test_the_date_form_sets_a_range(open_page) -> None:
    page = open_page("/?q=election")
    page.get_by_label("From", exact=True).fill("2024-06-15")
    with page.expect_navigation():
        page.get_by_role("button", name="Apply dates").click()
    assert "q=election" in query_of(page) and "from=2024-06-15" in query_of(page)
    assert page.locator("ol.hits > li").count() == 2


def test_the_article_page_and_its_related_stories(open_page) -> None:
    page = open_page("/?q=harbour")
    headline = page.locator(FIRST_RESULT).first.text_content()
    click_and_wait(page, page.locator(FIRST_RESULT).first)
    assert re.search(r"/article/[^?]+\?q=harbour$", page.url)
    assert page.locator("h1").text_content() == headline
    assert page.locator(".story-body mark").count() >= 1
    cards = page.locator(".related .card")
    assert cards.count() >= 1
    related = cards.first.locator("h3 a")
    title = related.text_content()
    click_and_wait(page, related)
    assert page.locator("h1").text_content() == title


def test_a_keyboard_only_search(open_page) -> None:
    page = open_page("/")
    assert page.evaluate("document.activeElement.id") == "q"  # focused on load
    page.keyboard.type("harbour")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert query_of(page) == "q=harbour"
    assert page.evaluate("document.activeElement.id") == "q"
    for _presses in range(12):
        page.keyboard.press("Tab")
        if page.evaluate(f"document.activeElement === document.querySelector('{FIRST_RESULT}')"):
            break
    else:
        pytest.fail("Tab never reached the first result")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # focus is visible
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/article/" in page.url and page.locator("h1").is_visible()


def test_the_search_works_without_javascript(open_page) -> None:
    page = open_page("/", java_script_enabled=False)
    page.get_by_label("Search the news").fill("goverment")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    click_and_wait(page, page.locator("a.suggestion"))
    assert query_of(page) == "q=government" and page.locator("ol.hits mark").count() >= 1


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE, {"width": 360, "height": 740}])
@pytest.mark.parametrize("path", ["/?q=harbour", "/article/sample-004?q=election", "/?q=zzqq"])
def test_screenshots_and_no_horizontal_scrolling(open_page, viewport, path) -> None:
    page = open_page(path, viewport=viewport)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"], f"{path} scrolls sideways at {viewport['width']} px"
    if viewport["width"] != 360:
        ARTIFACTS.mkdir(exist_ok=True)
        name = "search" if path.startswith("/?q=h") else "article" if "article" in path else "empty"
        page.screenshot(path=str(ARTIFACTS / f"{name}-{viewport['width']}.png"), full_page=True)


def test_dark_mode_screenshot(open_page) -> None:
    page = open_page("/?q=election", viewport=PHONE, color_scheme="dark")
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(20, 20, 20)"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "search-375-dark.png"), full_page=True)


def test_pagination_tap_targets_are_large_enough_on_a_phone(open_page) -> None:
    page = open_page("/", viewport=PHONE)
    links = [link for link in page.locator(".pagination a").all() if link.is_visible()]
    assert len(links) >= 2  # the current page and the next
    for link in links:
        box = link.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44
