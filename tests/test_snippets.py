"""Snippets that read well: two or three lines, the passage where the query's words are densest
first, whole words at the cut, and never the same passage twice (wire copy repeats itself)."""

from __future__ import annotations

import html
import re

import pytest

from conftest import client_for_records, repeated_run
from indexer.analysis.tokenizer import text_analyzer
from indexer.search.snippets import SNIPPET_CHARS, snippet_html, teaser_html

ANALYZER = text_analyzer()
FILLER = "The committee heard evidence from several witnesses during a long afternoon session. "
WIRE_COPY = (
    "Crude oil prices rose again on Monday in nervous trading. This will bring the posted price "
    "for West Texas Intermediate to 20.24 dlrs a barrel, traders said. " + FILLER * 3 + "This "
    "will bring the posted price for West Texas Intermediate to 20.24 dlrs a barrel, the company "
    "said in a statement, adding that oil prices could rise further. " + FILLER * 2
)


def en(*stems: str) -> set[str]:
    """Indexed terms of English text: stems in the English namespace."""
    return {f"en:{stem}" for stem in stems}


def text_of(snippet: str) -> str:
    return html.unescape(re.sub(r"</?mark>", "", snippet))


def passages(snippet: str) -> list[str]:
    return [part.strip() for part in text_of(snippet).split("…") if part.strip()]


@pytest.mark.parametrize(
    "terms",
    [en("oil", "price"), en("price", "texa"), en("dlrs", "barrel"), en("bring", "post", "compani")],
)
def test_a_passage_the_text_repeats_is_shown_once(terms) -> None:
    snippet = snippet_html(WIRE_COPY, terms, ANALYZER)
    assert "<mark>" in snippet
    assert repeated_run(snippet) is None, snippet


def test_a_snippet_is_two_or_three_lines_and_cut_at_whole_words() -> None:
    body = " ".join(f"Paragraph {n}: " + FILLER + "Harbour fees rose." for n in range(30))
    snippet = snippet_html(body, en("harbour", "fee"), ANALYZER)
    assert len(text_of(snippet)) <= SNIPPET_CHARS + 20
    words = set(re.findall(r"\w+", body))
    for passage in passages(snippet):  # every word whole: no half words at either end
        assert set(re.findall(r"\w+", passage)) <= words
        assert passage in body


def test_the_densest_passage_comes_first() -> None:
    body = (
        "Harbour news in brief. "
        + FILLER * 4
        + "The harbour board raised harbour fees and ferry fares as the harbour dredging began. "
        + FILLER * 4
        + "Ferry timetables change in spring."
    )
    snippet = snippet_html(body, en("harbour", "fee", "ferri"), ANALYZER)
    assert passages(snippet)[0].startswith("The harbour board raised")
    assert snippet.count("<mark>") >= 5


def test_two_passages_when_the_words_are_far_apart_the_better_one_first() -> None:
    body = "Pilots met. " + FILLER * 5 + "Later the ferry and tug crews met in the harbour."
    snippet = snippet_html(body, en("pilot", "ferri", "tug"), ANALYZER)
    first, second = passages(snippet)
    assert "ferry" in first and "tug" in first and second.startswith("Pilots met")
    assert len(text_of(snippet)) <= SNIPPET_CHARS + 20


def test_a_long_teaser_shown_as_the_snippet_is_cut_too() -> None:
    teaser = "Harbour fees " + FILLER * 6
    shown = text_of(teaser_html(teaser, en("harbour"), ANALYZER))
    assert len(shown) <= SNIPPET_CHARS + 20 and shown.endswith("…")
    assert teaser_html("Short teaser", set(), ANALYZER) == "Short teaser"


def test_results_of_the_api_have_snippets_that_read_well(tmp_path) -> None:
    records = [{"id": "w1", "title": "Oil prices", "body": WIRE_COPY}]
    with client_for_records(tmp_path, records) as client:
        hit = client.get("/api/search?q=posted+price").json["results"][0]
    assert repeated_run(hit["snippet_html"]) is None
    assert len(text_of(hit["snippet_html"])) <= SNIPPET_CHARS + 20
