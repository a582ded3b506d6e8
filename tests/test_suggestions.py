"""Suggestions as one types: ``/suggest`` completes a prefix to the archive's own phrases (mined
at rebuild, kept in the generation, changed by update and delete), in the OpenSearch
Suggestions format, linked from /opensearch.xml; every suggestion finds an article."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree

import pytest
from hostile_strings import INJECTIONS

from conftest import SAMPLES, app_for, article, close_app, write_jsonl
from indexer.config import load_settings
from indexer.index.build import rebuild_index
from indexer.index.update import delete_articles, update_index

SUGGESTIONS_TYPE = "application/x-suggestions+json"
MARKETS = [
    ("Oil prices rise as output falls", "Oil prices rose sharply on Monday. Traders said so."),
    ("Oil prices slip", "Oil prices fell after the meeting. Oil production was steady."),
    ("Interest rates held", "Interest rates were held by the central bank on Tuesday."),
    ("Interest rates to rise", "Interest rates will rise, the bank said. Oil prices fell."),
    ("Wall Street gains", "Wall Street closed higher as interest rates eased again."),
    ("Wall Street slips", "Wall Street fell as oil prices rose. Analysts were calm."),
    ("Prime Minister visits", "The Prime Minister visited Wall Street on Friday morning."),
    ("Prime Minister speaks", "The Prime Minister spoke about interest rates and oil prices."),
    ("Zebra crossings painted", "Zebra crossings were painted near the school this week."),
    ("More zebra crossings", "Zebra crossings help children. New zebra crossings came."),
    ("Crude market steady", "Oil prices have risen this year. Traders agree."),
    ("Crude market quiet", "Oil prices have fallen since May, dealers said."),
    ("Crude market mixed", "Oil prices have held near their highs."),
    ("中国经济增长", "中国经济增长放缓。中国经济面临压力。"),
    ("中国经济前景", "专家认为中国经济前景稳定。中国经济仍在增长。"),
    ("中国经济数据", "中国经济数据公布。市场关注中国经济。"),
]


def market_records() -> list[dict]:
    records = []
    for number, (title, body) in enumerate(MARKETS):
        language = "zh" if title.startswith("中") else "en"
        records.append(article(number, title=title, body=body, language=language))
    return records


@pytest.fixture(scope="module")
def market_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("markets")
    source = write_jsonl(folder / "markets.jsonl", market_records())
    rebuild_index(load_settings({"index_dir": folder / "index"}, environ={}), [str(source)])
    return folder / "index"


@pytest.fixture(scope="module")
def market_client(market_index: Path):
    application = app_for(market_index)
    yield application.test_client()
    close_app(application)


def suggest(client, prefix: str) -> list[str]:
    response = client.get("/suggest", query_string={"q": prefix})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == SUGGESTIONS_TYPE
    echoed, completions = json.loads(response.get_data(as_text=True))
    assert echoed == prefix
    assert len(completions) <= 8
    return completions


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        ("oil pr", "oil prices"),
        ("Interest r", "interest rates"),
        ("wall st", "wall street"),
        ("prime min", "prime minister"),
        ("zebra", "zebra crossings"),
    ],
)
def test_a_prefix_completes_to_the_archives_phrases(market_client, prefix, expected) -> None:
    assert expected in suggest(market_client, prefix)


def test_the_most_used_phrase_comes_first(market_client) -> None:
    assert suggest(market_client, "p")[0] == "prime minister"  # 4 times; "prices" as a word: 3


def test_phrases_never_start_or_end_with_a_stop_word(market_client) -> None:
    for prefix in ("the", "oil", "wall", "a", "interest"):
        for completion in suggest(market_client, prefix):
            words = completion.split()
            assert words[0] not in {"the", "a", "and", "of"}, completion
            assert words[-1] not in {"the", "a", "and", "of", "on"}, completion


def test_phrases_never_end_with_a_function_word(market_client) -> None:
    """The phrase "oil prices have" is seen three times, but "have" ends no phrase."""
    completions = suggest(market_client, "oil prices")
    assert "oil prices" in completions and "oil prices have" not in completions


def test_a_word_ended_completes_only_phrases_of_it(market_client) -> None:
    assert all(c.startswith("oil ") for c in suggest(market_client, "oil "))
    assert suggest(market_client, "oilx") == []


def test_a_chinese_prefix_completes_to_chinese_phrases(market_client) -> None:
    completions = suggest(market_client, "中国")
    assert "中国经" in completions or "中国经济" in [c[:4] for c in completions]
    assert all(completion.startswith("中国") for completion in completions)


def test_every_suggestion_finds_an_article(market_client) -> None:
    for prefix in ("o", "i", "w", "p", "z", "oil", "中"):
        for completion in suggest(market_client, prefix):
            found = market_client.get("/api/search", query_string={"q": completion}).json
            assert found["total"] >= 1 and not found["corrected"], completion


@pytest.mark.parametrize(
    "prefix", ["", " ", "\x00", "%", "' OR 1=1 --", *INJECTIONS, "\u202e" * 50]
)
def test_hostile_prefixes_get_an_answer_never_an_error(market_client, prefix) -> None:
    response = market_client.get("/suggest", query_string={"q": prefix})
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        echoed, completions = response.json if response.is_json else json.loads(response.data)
        assert echoed == prefix and isinstance(completions, list)


def test_bytes_that_are_no_utf_8_get_an_answer(market_client) -> None:
    for raw in ("%ED%A0%80", "%FF%FE", "%C0%AF", "oil%00pr", "q[]=1"):
        response = market_client.get(f"/suggest?q={raw}")
        assert response.status_code == 200 and response.mimetype == SUGGESTIONS_TYPE


def test_a_huge_prefix_is_refused_clearly(market_client) -> None:
    response = market_client.get("/suggest", query_string={"q": "oil " * 1000})
    assert response.status_code == 400
    assert "at most" in response.json["error"]["message"]
    assert market_client.get("/suggest").status_code == 200  # no q: nothing to complete


def test_the_opensearch_description_links_the_suggestions(market_client) -> None:
    document = ElementTree.fromstring(market_client.get("/opensearch.xml").data)
    urls = document.findall("{http://a9.com/-/spec/opensearch/1.1/}Url")
    suggestions = [url for url in urls if url.get("type") == SUGGESTIONS_TYPE]
    assert len(suggestions) == 1
    template = suggestions[0].get("template")
    assert template.endswith("/suggest?q={searchTerms}") and template.startswith("http")


def test_update_adds_phrases_and_delete_takes_away_those_found_no_more(tmp_path) -> None:
    settings = load_settings({"index_dir": tmp_path / "index"}, environ={})
    rebuild_index(settings, [str(write_jsonl(tmp_path / "a.jsonl", market_records()))])
    news = [
        article(100 + n, title=f"Tulip bulbs {n}", body="Tulip bulbs sold out. Tulip bulbs!")
        for n in range(3)
    ]
    update_index(settings, [str(write_jsonl(tmp_path / "b.jsonl", news))])
    assert any(c.startswith("tulip bulbs") for c in suggestions_of(settings.index_dir, "tulip b"))
    assert "zebra crossings" in suggestions_of(settings.index_dir, "zeb")
    delete_articles(settings, ["t-8", "t-9"])  # the zebra crossings' articles
    assert "zebra crossings" not in suggestions_of(settings.index_dir, "zeb")
    assert "oil prices" in suggestions_of(settings.index_dir, "oil")


def suggestions_of(index_dir: Path, prefix: str) -> list[str]:
    application = app_for(index_dir)
    try:
        return suggest(application.test_client(), prefix)
    finally:
        close_app(application)


@pytest.mark.parametrize("damaged", ["suggestions-*.npz", "sentences-*.json"])
def test_check_reports_a_generation_without_its_phrases_or_sentences(
    indexer, index_dir, damaged
) -> None:
    indexer("rebuild", str(SAMPLES))
    assert indexer("check").exit_code == 0
    (path,) = (index_dir / "gen-000001").glob(damaged)
    path.write_bytes(b"not what was written")
    result = indexer("check")
    assert result.exit_code == 1 and damaged in result.stderr and "indexer rebuild" in result.stderr
