"""The search box suggests, in Debian's chromium (Playwright): an ARIA 1.2 combobox whose
listbox holds the archive's phrases, Down/Up to choose, Enter to search the chosen one, Escape
to close with the typed text kept; axe finds no WCAG A/AA violation with the list open."""

from __future__ import annotations

import pytest
from test_audits import AXE, SETUP, WCAG_TAGS, need
from test_browser import open_page as open_page  # the fixture: a page failing on errors

pytestmark = pytest.mark.browser

LISTBOX = "[role=listbox]"


def typed(page, text: str):
    box = page.locator("#q")
    box.fill("")
    box.press_sequentially(text)
    page.locator(f"{LISTBOX} [role=option]").first.wait_for()
    return box


def test_typing_shows_the_archives_phrases_and_down_enter_searches_one(open_page) -> None:
    page = open_page("/")
    box = typed(page, "oil pr")
    assert box.get_attribute("role") == "combobox"
    assert box.get_attribute("aria-expanded") == "true"
    listbox = page.locator(LISTBOX)
    assert box.get_attribute("aria-controls") == listbox.get_attribute("id")
    assert "oil prices" in listbox.locator("[role=option]").all_inner_texts()
    box.press("ArrowDown")
    first = listbox.locator("[role=option]").first
    assert first.get_attribute("aria-selected") == "true"
    assert box.get_attribute("aria-activedescendant") == first.get_attribute("id")
    assert box.input_value() == "oil pr"  # the typed text stays until one is chosen
    with page.expect_navigation():
        box.press("Enter")
    assert "q=oil+prices" in page.url
    assert page.locator("#q").input_value() == "oil prices"


def test_escape_closes_the_list_and_keeps_the_typed_text(open_page) -> None:
    page = open_page("/")
    box = typed(page, "oil")
    box.press("ArrowDown")
    box.press("ArrowUp")
    box.press("Escape")
    assert page.locator(LISTBOX).is_hidden()
    assert box.get_attribute("aria-expanded") == "false"
    assert box.input_value() == "oil"
    with page.expect_navigation():
        box.press("Enter")  # the list closed: Enter searches what was typed
    assert "q=oil" in page.url and "prices" not in page.url


@pytest.mark.audit
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violation_with_the_list_open(open_page, scheme) -> None:
    need(AXE.exists(), "axe-core", SETUP)
    page = open_page("/?q=harbour", color_scheme=scheme)
    typed(page, "oil")
    page.locator("#q").press("ArrowDown")
    page.evaluate(AXE.read_text("utf-8"))  # by the browser itself: the page's CSP stays on
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    found = [
        (v["id"], v["help"], [n["target"] for n in v["nodes"][:3]]) for v in result["violations"]
    ]
    assert found == []
