"""Teasers that end where a sentence ends: where the source gives none, the teaser is the body's
first sentences up to 240 characters, at boundaries NLTK's Punkt learned from the archive itself
at rebuild (abbreviations such as "U.S." and "Gen." included), kept for ``indexer update``; and
snippets that start where a sentence starts, by the same boundaries."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import app_for, article, close_app, write_jsonl
from indexer.config import load_settings
from indexer.index.build import rebuild_index
from indexer.index.update import update_index

FILLER = [
    "The U.S. Treasury said on Monday that Gen. Smith would retire in Jan. next year.",
    "Officials of the U.S. Army told Mr. Brown that Gen. Jones had left for Europe.",
    "Sales in the U.S. rose again, Mr. Brown said, and prices in Jan. were lower.",
]
SHORT_FIRST = (
    "The U.S. Navy asked Gen. Adams to lead the review of its ships in the Pacific. "
    "The review will start in March and take a year, officials said on Tuesday. "
    "Gen. Adams, who led the fleet in the U.S. Atlantic, accepted at once and said little more. "
    "More follows later in the day."
)
LONG_FIRST = (
    "Negotiators from both sides of the long dispute over fishing rights in the northern "
    "waters met again on Wednesday in a small town near the border, where they talked for "
    "eleven hours without a break about quotas, boats, nets, harbours, inspections and the "
    "fines that each side wants the other to pay for the catches of the past ten years. "
    "Nothing was agreed."
)
YARD = "The yard built ships for a century, and the town grew around its gates and wages. " * 3
FRIGATE = YARD + "Talks resumed. Gen. Harlow of the U.S. Navy praised the frigate design on Friday."
TEASER_LENGTH = 240


def records() -> list[dict]:
    background = [
        article(n, body=" ".join(FILLER[(n + k) % 3] for k in range(9))) for n in range(120)
    ]
    return [
        *background,
        article(500, title="Navy review", body=SHORT_FIRST + "\n\nSecond paragraph."),
        article(501, title="Fishing talks", body=LONG_FIRST),
        article(502, title="Short body", body="A short first paragraph.\n\nAnother one."),
        article(503, title="Given teaser", teaser="The source's own teaser.", body=LONG_FIRST),
        article(504, title="Shipyard", teaser="A yard.", body=FRIGATE),
        article(
            505,
            title="Dockyard",
            teaser="A dock.",
            language="en-GB",
            body=FRIGATE.replace("frigate", "corvette"),
        ),  # fmt: skip
    ]


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("teasers")
    source = write_jsonl(folder / "records.jsonl", records())
    rebuild_index(load_settings({"index_dir": folder / "index"}, environ={}), [str(source)])
    return folder / "index"


def teaser_of(index_dir: Path, article_id: str, query: str, field: str = "teaser") -> str:
    application = app_for(index_dir)
    try:
        body = application.test_client().get("/api/search", query_string={"q": query}).json
    finally:
        close_app(application)
    return next(hit[field] for hit in body["results"] if hit["id"] == article_id)


def test_a_snippet_starts_where_its_sentence_starts_not_after_an_abbreviation(index_dir) -> None:
    """The last ". " before "frigate" follows "U.S.", and the one before that "Gen.": the
    sentence starts at "Gen.", as Punkt learned from the archive."""
    snippet = teaser_of(index_dir, "t-504", "frigate", field="snippet_html")
    assert snippet.startswith("… Gen. Harlow of the U.S. Navy praised the <mark>frigate</mark>")
    regional = teaser_of(index_dir, "t-505", "corvette", field="snippet_html")  # en-GB: en's
    assert regional.startswith("… Gen. Harlow of the U.S. Navy praised the <mark>corvette")


def test_a_teaser_is_the_first_sentences_that_fit_past_abbreviations(index_dir) -> None:
    teaser = teaser_of(index_dir, "t-500", "navy review")
    first_two = SHORT_FIRST.split(" Gen. Adams, who")[0]
    assert teaser == first_two  # not cut after "U.S." or "Gen.", and whole sentences only
    assert len(teaser) <= TEASER_LENGTH


def test_a_long_first_sentence_is_cut_at_a_word_and_marked(index_dir) -> None:
    teaser = teaser_of(index_dir, "t-501", "fishing talks")
    assert teaser.endswith("…") and len(teaser) <= TEASER_LENGTH + 1
    assert LONG_FIRST.startswith(teaser[:-1]) and LONG_FIRST[len(teaser) - 1] in " ,;"


def test_a_short_paragraph_and_a_given_teaser_are_kept(index_dir) -> None:
    assert teaser_of(index_dir, "t-502", "short body") == "A short first paragraph."
    assert teaser_of(index_dir, "t-503", "given teaser") == "The source's own teaser."


def test_update_cuts_teasers_as_the_rebuild_did(tmp_path) -> None:
    settings = load_settings({"index_dir": tmp_path / "index"}, environ={})
    rebuild_index(settings, [str(write_jsonl(tmp_path / "a.jsonl", records()[:120]))])
    added = article(600, title="Navy review again", body=SHORT_FIRST)
    update_index(settings, [str(write_jsonl(tmp_path / "b.jsonl", [added]))])
    teaser = teaser_of(settings.index_dir, "t-600", "navy review again")
    assert teaser == SHORT_FIRST.split(" Gen. Adams, who")[0]


def test_a_body_of_one_endless_word_is_cut_and_found_without_delay(tmp_path) -> None:
    """Punkt's time limit on each match is off (see ``indexer.index.sentences``), and it
    reads short text only: a body that is one 200,000-character word full of periods is
    learned from, cut to a teaser and found with a snippet (the test's time limit catches a
    match that would not end)."""
    endless = "U.S.A." * 33_334
    records = [*[article(n, body=" ".join(FILLER * 3)) for n in range(120)]]
    body = f"{endless[:3000]} harbour {endless}"  # a doubtful period before the word found
    records.append(article(700, title="Endless word", body=body))
    settings = load_settings({"index_dir": tmp_path / "index"}, environ={})
    rebuild_index(settings, [str(write_jsonl(tmp_path / "a.jsonl", records))])
    teaser = teaser_of(settings.index_dir, "t-700", "endless word")
    assert teaser.startswith("U.S.A.U.S.A.") and len(teaser) <= TEASER_LENGTH + 1
    snippet = teaser_of(settings.index_dir, "t-700", "harbour", field="snippet_html")
    assert "<mark>harbour</mark>" in snippet
