"""Ranking and the match rule through the search API: BM25F of whole words, every word for a
short query and most words for a long one (and saying so), question words left out, repeated
words counting more, words close together first, feedback for long queries, and long text read
as text rather than refused."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

import pytest
from whoosh import index as whoosh_index
from whoosh.reading import TermNotFound

from conftest import app_for, close_app, write_jsonl
from indexer.config import load_settings
from indexer.index.build import rebuild_index
from indexer.index.schema import SEARCH_FIELD_BOOSTS
from indexer.index.store import IndexStore
from indexer.search import finding, query_parser
from indexer.search.query_parser import QueryReader
from indexer.search.ranking import DEFAULT_RANKING
from indexer.search.requests import SearchRequest
from indexer.search.service import SearchService

FILLER = "The weather was mild and the tide was low that morning. " * 2
RECORDS = [
    {"id": "cod-1", "title": "Fishing news", "body": f"cod cod cod quota. {FILLER}"},
    {"id": "cod-2", "title": "Fishing news", "body": f"quota quota quota cod. {FILLER}"},
    {"id": "near", "title": "Port report", "body": f"The harbour crane stood idle. {FILLER}"},
    {"id": "far", "title": "Port report", "body": f"The harbour stood idle. {FILLER} A crane."},
    {"id": "fleet-1", "title": "Trawler fleet protests cod quota", "body": "Trawler crews "
     "blocked the harbour in protest at the cod quota; the trawler fleet sailed home."},
    {"id": "fleet-2", "title": "Cod quota cut angers trawler fleet", "body": "The trawler "
     "fleet says the cod quota cut will cost jobs; trawler owners plan a protest."},
    {"id": "trawlers", "title": "New trawler launched", "body": "A trawler, the third trawler "
     "built on the river this year, joins the fleet: trawler orders are rising."},
    {"id": "yard", "title": "Trawler yard", "body": "Trawler after trawler: a trawler a year."},
    {"id": "bike", "title": "How to fix a bike", "body": "Fixing a bike takes a spanner."},
    {"id": "opera", "title": "Opera season opens", "body": "The opera house opened its season."},
]  # fmt: skip


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("ranking")
    source = write_jsonl(folder / "records.jsonl", RECORDS)
    rebuild_index(load_settings({"index_dir": folder / "index"}, environ={}), [str(source)])
    return folder / "index"


@pytest.fixture(scope="module")
def api(index_dir: Path):
    application = app_for(index_dir)
    yield application.test_client()
    close_app(application)


def search(api, **params) -> dict:
    """Articles ranked (collapse=0: the fixtures share filler text, so some are one story)."""
    response = api.get("/api/search", query_string={"collapse": "0", **params})
    assert response.status_code == 200, response.json
    return response.json


def ids(body: dict) -> list[str]:
    return [hit["id"] for hit in body["results"]]


def test_a_repeated_word_counts_more(api) -> None:
    """cod-1 has cod three times and quota once, cod-2 the other way round."""
    first = ids(search(api, q="cod cod quota"))
    assert first.index("cod-1") < first.index("cod-2")
    second = ids(search(api, q="quota quota cod"))
    assert second.index("cod-2") < second.index("cod-1")


def test_words_close_together_come_first(api) -> None:
    found = ids(search(api, q="harbour crane"))
    assert found.index("near") < found.index("far")


def test_a_short_query_wants_every_word_and_then_says_most_words_follow(api) -> None:
    body = search(api, q="opera harbour")
    assert body["match"] == "all words first" and body["relaxed"] is True
    assert body["all_words_total"] == 0 and {"opera", "near", "far"} <= set(ids(body))
    body = search(api, q="trawler fleet")
    assert body["all_words_total"] == 3
    assert set(ids(body)[:3]) == {"fleet-1", "fleet-2", "trawlers"}


def test_a_long_query_ranks_the_articles_with_most_of_its_words(api) -> None:
    body = search(api, q="the trawler fleet protest about the cod quota in the harbour")
    assert body["match"] == "most words" and body["relaxed"] is True
    found = ids(body)
    assert found[:2] in (["fleet-1", "fleet-2"], ["fleet-2", "fleet-1"])
    assert "near" in found and "opera" not in found  # harbour only: still a match, last
    assert found.index("near") > found.index("trawlers")


def test_exclusions_and_phrases_stay_required(api) -> None:
    assert "fleet-1" not in ids(search(api, q="trawler fleet protest quota -harbour"))
    body = search(api, q='"cod quota" protest')
    assert set(ids(body)) == {"fleet-1", "fleet-2"}


def test_question_words_are_left_out_and_said_so(api) -> None:
    asked = search(api, q="What information on cod quota?")
    assert asked["left_out"]["question_words"] == ["What", "information"]
    assert ids(asked) == ids(search(api, q="cod quota"))
    assert search(api, q="HOW bike")["left_out"]["question_words"] == []  # capitals: a word
    assert search(api, q="how bike")["left_out"]["question_words"] == ["how"]
    only = search(api, q="how")  # nothing but a question word: searched for after all
    assert only["left_out"]["question_words"] == [] and ids(only) == ["bike"]


def test_long_text_is_read_as_text_never_refused(api) -> None:
    words = " ".join(f"word{n}" for n in range(80))
    body = search(api, q=f"trawler fleet {words}")
    assert len(body["left_out"]["over_limit"]) == 82 - 60  # the made-up words no article has
    assert not {"trawler", "fleet"} & set(body["left_out"]["over_limit"])
    assert set(ids(body)[:3]) == {"fleet-1", "fleet-2", "trawlers"}
    pasted = "The trawler fleet -cod and the harbour. " * 40  # 1,600 characters: plain text
    assert "fleet-1" in ids(search(api, q=pasted))  # "-cod" excludes nothing in a text
    assert search(api, q="cod " * 20_000)["left_out"]["text_cut_at"] == 50_000


def test_a_long_text_can_be_posted(api) -> None:
    pasted = "Trawler owners and the fleet protest at the cod quota cut. " * 80
    posted = api.post("/api/search", data={"q": pasted, "per_page": "5"})
    assert posted.status_code == 200
    assert ids(posted.json) == ids(search(api, q=pasted, per_page=5))
    assert posted.json["per_page"] == 5 and posted.json["match"] == "most words"


def test_a_query_of_another_shape_is_still_ranked_by_its_words(api) -> None:
    body = search(api, q="+cod quota")  # "+word": matched as the parser reads it
    assert body["match"] == "all words" and all(hit["score"] for hit in body["results"])
    assert {"cod-1", "cod-2"} <= set(ids(body))


def test_a_query_of_another_shape_is_read_once_for_each_reading(index_dir, monkeypatch) -> None:
    """No article has both required words, so the parser's reading of every word finds
    nothing, and that of any word is tried: the text is cleaned once and parsed once for each."""
    readings: list[bool] = []
    cleaned: list[str] = []
    parse, clean = QueryReader.parse, finding.clean_query_text

    def counted_parse(reader: QueryReader, text: str, any_word: bool = False):
        readings.append(any_word)
        return parse(reader, text, any_word)

    def counted_clean(text: str) -> str:
        cleaned.append(text)
        return clean(text)

    monkeypatch.setattr(QueryReader, "parse", counted_parse)
    monkeypatch.setattr(finding, "clean_query_text", counted_clean)
    monkeypatch.setattr(query_parser, "clean_query_text", counted_clean)
    settings = load_settings({"index_dir": index_dir, "result_cache": 0}, environ={})
    with SearchService(settings) as service:
        found = service.ranked_ids(SearchRequest(q="+opera  +spanner", collapse=False), 10)
    assert found == []
    assert readings == [False, True] and cleaned == ["+opera  +spanner"]


def test_feedback_raises_articles_in_the_words_of_the_best_matches(index_dir) -> None:
    """'trawlers' has one word of the query, 'cod-1' two; the best matches (fleet-1, fleet-2)
    teach that trawler matters. 'yard' has trawler but no word asked for: never a result."""
    query = "fleet protest cod quota harbour jobs"
    settings = load_settings({"index_dir": index_dir, "result_cache": 0}, environ={})
    without = replace(DEFAULT_RANKING, feedback_docs=0)
    shares, found = [], []
    for ranking in (without, DEFAULT_RANKING):
        with SearchService(settings, ranking=ranking) as service:
            hits = service.search(SearchRequest.from_params({"q": query})).hits
        score = {hit.id: hit.score or 0.0 for hit in hits}
        shares.append(score["trawlers"] / score["cod-1"])
        found.append({hit.id for hit in hits})
    assert shares[1] > shares[0] * 1.1
    assert found[0] == found[1] and "yard" not in found[1]


LEAD_FILLER = "The hearing went on into the evening and the committee adjourned. " * 5
LEAD_RECORDS = [
    {"id": f"strike-{n}", "title": "Keepers strike over pay", "body": "Lighthouse keepers "
     f"walked out over pay and lanterns at the coast. {LEAD_FILLER} The union spoke of beacons."}
    for n in (1, 2)
] + [
    {"id": "lanterns", "title": "Old lanterns", "body": "The lanterns of the pier, restored."},
    {"id": "beacons", "title": "Old beacons", "body": "The beacons of the pier, restored."},
]  # fmt: skip


def test_feedback_counts_a_story_s_lead_twice(tmp_path: Path) -> None:
    """The best matches say 'lanterns' in their lead and 'beacons' once further down: the
    second pass learns 'lanterns' more, so of two articles alike but for those words the one
    with 'lanterns' ranks first (counted once each, they would tie)."""
    source = write_jsonl(tmp_path / "records.jsonl", LEAD_RECORDS)
    settings = load_settings({"index_dir": tmp_path / "index", "result_cache": 0}, environ={})
    rebuild_index(settings, [str(source)])
    query = "lighthouse keepers strike pay coast pier"
    with SearchService(settings) as service:
        hits = service.search(SearchRequest.from_params({"q": query, "collapse": "0"})).hits
    score = {hit.id: hit.score or 0.0 for hit in hits}
    assert score["lanterns"] > score["beacons"] * 1.01


def test_scores_are_bm25f_of_whole_words(sample_settings) -> None:
    """A long query's scores, recomputed from Whoosh's public reader by the formula the README
    gives (no feedback, no proximity: those are tested by their effect above)."""
    query = "harbour council budget election government minister"
    plain = replace(DEFAULT_RANKING, feedback_docs=0, proximity=0.0)
    with SearchService(sample_settings, ranking=plain) as service:
        request = SearchRequest.from_params({"q": query, "per_page": "10", "collapse": "0"})
        hits = service.search(request).hits
    generation = IndexStore(sample_settings.index_dir).current()
    with whoosh_index.open_dir(str(generation.path)).searcher() as searcher:
        expected = _bm25f(searcher, query)
    best = sorted(expected.items(), key=lambda item: -item[1])[:10]
    assert [round(h.score or 0, 4) for h in hits] == [round(score, 4) for _doc, score in best]
    assert [h.id for h in hits][:3] == [searcher_id(sample_settings, d) for d, _ in best[:3]]


def _bm25f(searcher, text: str) -> dict[int, float]:
    ranking = DEFAULT_RANKING
    reader, documents, k1 = searcher.reader(), searcher.doc_count(), ranking.k1
    stems = [token.text for token in searcher.schema["body"].analyzer(text)]
    scores: dict[int, float] = defaultdict(float)
    for stem in set(stems):
        weighted: dict[int, float] = defaultdict(float)
        for fieldname in SEARCH_FIELD_BOOSTS:
            weight, b = ranking.field_weight(fieldname), ranking.field_length_discount(fieldname)
            try:
                postings = reader.postings(fieldname, stem)
            except TermNotFound:
                continue
            average = searcher.avg_field_length(fieldname)
            for doc, frequency in postings.items_as("frequency"):
                length = reader.doc_field_length(doc, fieldname)
                weighted[doc] += weight * frequency / (1 - b + b * length / average)
        rarity = math.log(1 + (documents - len(weighted) + 0.5) / (len(weighted) + 0.5))
        repeated = 1 + ranking.repeated_words * math.log(stems.count(stem))
        for doc, tf in weighted.items():
            scores[doc] += repeated * rarity * tf * (k1 + 1) / (k1 + tf)
    return scores


def searcher_id(settings, docnum: int) -> str:
    generation = IndexStore(settings.index_dir).current()
    with whoosh_index.open_dir(str(generation.path)).searcher() as searcher:
        return searcher.stored_fields(docnum)["id"]
