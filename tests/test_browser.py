"""The site in a real headless Chromium: Debian's ``chromium`` driven by Playwright for Python.

The app runs on a real local server over the sample index (the ``site`` and ``browser`` fixtures
of conftest.py). Nothing here downloads a browser. Where Playwright or /usr/bin/chromium is
missing these tests fail, saying what to install (``.ci/run`` installs chromium): they never
skip. A developer without a browser leaves them out explicitly with ``-m "not browser"``.
Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import re

import pytest

from indexer.config import PROJECT_ROOT

pytestmark = pytest.mark.browser

ARTIFACTS = PROJECT_ROOT / "test-artifacts"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 740}
FIRST_RESULT = "ol.hits .hit-title a"


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
    assert page.locator("h1").text_content().strip() == "5 stories for “election”"
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
    assert page.locator("ol.hits > li").count() == 2  # 42 stories, 10 a page
    assert page.locator("a[rel=next]").count() == 0
    click_and_wait(page, page.locator("a[rel=prev]"))
    assert query_of(page) == "page=4"


def test_a_timeline_bar_narrows_the_dates(open_page) -> None:
    page = open_page("/?q=election")
    june = page.locator("a.timeline-row").nth(1)
    assert june.get_attribute("aria-label") == "Jun 2024: 3 articles"
    box = june.bounding_box()
    assert box["height"] >= 24 and box["width"] >= 24  # WCAG 2.2 target size
    click_and_wait(page, june)
    assert query_of(page) == "q=election&from=2024-06-01&to=2024-06-30"
    assert page.locator("ol.hits > li").count() == 3
    assert page.get_by_label("From", exact=True).input_value() == "1 Jun 2024"
    assert page.get_by_label("To", exact=True).input_value() == "30 Jun 2024"
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


# A reader keeps their place, reaches the filters, and sees where they are -------------------------

KEPT_SEARCH = (
    "q=harbour&section=Politics&section=Health&from=2024-01-01&to=2026-12-31"
    "&sort=newest&page=2&per_page=2"
)


def test_a_click_through_to_an_article_and_a_related_story_and_back_keeps_every_filter(
    open_page,
) -> None:
    page = open_page("/?" + KEPT_SEARCH)
    click_and_wait(page, page.locator(FIRST_RESULT).first)
    assert "/article/" in page.url
    click_and_wait(page, page.locator(".related .card h3 a").first)
    assert "/article/" in page.url
    click_and_wait(page, page.get_by_role("link", name="Results for “harbour”"))
    assert query_of(page) == KEPT_SEARCH
    assert page.locator(".pagination [aria-current=page]").text_content() == "2"
    assert page.get_by_role("link", name="Remove filter: Politics").count() == 1


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE])
def test_the_filters_are_one_step_from_the_search_box(open_page, viewport) -> None:
    page = open_page("/?q=harbour", viewport=viewport)
    assert page.evaluate("document.activeElement.id") == "q"
    for _presses in range(3):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('to-refine')"):
            break
    else:
        pytest.fail("the jump to the filters is not within three Tab presses of the search box")
    assert page.locator("a.to-refine").is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "refine"  # focus moved, not just scroll
    page.keyboard.press("Tab")
    assert page.evaluate("document.getElementById('refine').contains(document.activeElement)")


def test_the_sort_switch_shows_its_whole_focus_ring(open_page) -> None:
    page = open_page("/?q=harbour")
    page.locator(".sort a", has_text="Newest").focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")  # focus by keyboard, so :focus-visible applies
    style = page.evaluate(
        "(() => { const a = document.activeElement; const s = getComputedStyle(a);"
        " return [a.textContent, s.outlineStyle, getComputedStyle(a.closest('ul')).overflow,"
        " getComputedStyle(a.closest('nav')).overflow]; })()"
    )
    assert style == ["Newest", "solid", "visible", "visible"]


def test_forced_colours_mark_the_current_sort_and_page_by_more_than_weight(open_page) -> None:
    page = open_page("/?q=harbour&per_page=2&page=2")
    page.emulate_media(forced_colors="active")

    def background(selector: str) -> str:
        return page.evaluate(
            f"getComputedStyle(document.querySelector('{selector}')).backgroundColor"
        )

    assert background(".sort .current") != background(".sort a")
    assert background(".pagination a[aria-current=page]") != background(
        ".pagination a:not([aria-current])"
    )


@pytest.mark.parametrize(
    "path",
    [
        "/?q=harbour&section=Politics&from=2024-01-01",
        "/article/sample-004?q=election",
        "/?q=zzqq",
    ],
)
def test_nothing_overflows_a_320_pixel_screen(open_page, path) -> None:
    page = open_page(path, viewport={"width": 320, "height": 640})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
