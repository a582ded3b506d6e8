"""Spelling help as readers know it from the big search engines: nothing found for a misspelt
query shows the results of the right spelling and says so; a word no article has gets a "Did
you mean" even when the other words found something; a rare misspelling of a frequent word
(``goverment``) gets one too, but names and words that are simply rare do not."""

from __future__ import annotations

import pytest

from conftest import client_for_records
from indexer.search.requests import SearchRequest
from indexer.search.service import SearchService
from test_pages import get, link_named, parse, result_ids


def search(client, **params) -> dict:
    response = client.get("/api/search", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.json


def test_nothing_found_searches_for_the_suggestion_and_says_so(client) -> None:
    body = search(client, q="electon")
    right = search(client, q="election")
    assert body["corrected"] is True and body["suggestion"] == "election"
    assert body["query"] == "electon" and body["total"] == right["total"] == 5
    assert [hit["id"] for hit in body["results"]] == [hit["id"] for hit in right["results"]]
    assert "<mark>" in body["results"][0]["snippet_html"]
    assert right["corrected"] is False


def test_the_query_as_typed_on_request(client) -> None:
    body = search(client, q="electon", autocorrect="0")
    assert body["corrected"] is False and body["total"] == 0
    assert body["suggestion"] == "election"


def test_the_page_shows_the_corrected_results_and_offers_the_words_as_typed(client) -> None:
    response = get(client, "/", q="electon")
    text = response.get_data(as_text=True)
    assert "5 stories for “election”" in text
    assert "Showing results for" in text and "search instead for" in text
    page = parse(response)
    assert link_named(page, "electon")["href"] == "/?q=electon&autocorrect=0"
    assert result_ids(response) == result_ids(get(client, "/", q="election"))
    first_article = next(link["href"] for link in page.links if "/article/" in link["href"])
    assert first_article.endswith("?q=election")  # its words are marked on the article page
    as_typed = get(client, "/", q="electon", autocorrect="0").get_data(as_text=True)
    assert "No results for “electon”" in as_typed and "Did you mean" in as_typed


def test_the_service_answers_with_the_corrected_results_itself(sample_settings) -> None:
    with SearchService(sample_settings) as service:
        corrected = service.search(SearchRequest(q="electon"))
        as_typed = service.search(SearchRequest(q="electon", autocorrect=False))
        right = service.search(SearchRequest(q="election"))
    assert (corrected.query, corrected.suggestion, corrected.corrected) == (
        "electon",
        "election",
        True,
    )
    assert [hit.id for hit in corrected.hits] == [hit.id for hit in right.hits]
    assert corrected.total == right.total and corrected.date_facets == right.date_facets
    assert (as_typed.total, as_typed.suggestion, as_typed.corrected) == (0, "election", False)


def test_a_corrected_search_is_asked_of_the_service_once(client, monkeypatch) -> None:
    """The web layer does not search again for the suggestion: the service did."""
    asked: list[str] = []
    search_once = SearchService.search

    def counted(service: SearchService, request: SearchRequest):
        asked.append(request.q)
        return search_once(service, request)

    monkeypatch.setattr(SearchService, "search", counted)
    assert search(client, q="electon")["corrected"] is True
    assert "Showing results for" in get(client, "/", q="electon").get_data(as_text=True)
    assert asked == ["electon", "electon"]


def test_a_word_that_finds_nothing_gets_a_suggestion_beside_the_other_words_results(
    client,
) -> None:
    body = search(client, q="oil pirces")
    assert body["relaxed"] is True and body["total"] > 0 and body["corrected"] is False
    assert body["suggestion"] == "oil prices"
    page = parse(get(client, "/", q="oil pirces"))
    assert link_named(page, "oil prices")["href"] == "/?q=oil+prices"


def record(number: int, title: str, body: str) -> dict:
    return {"id": f"s{number}", "title": title, "body": body, "published": "2024-05-01"}


SPELLING_RECORDS = (
    [record(n, f"The government plan {n}", "Ministers met.") for n in range(60)]
    + [record(100 + n, f"Goals of the week {n}", "The mark was high.") for n in range(60)]
    + [record(200 + n, f"Timber trade {n}", "Oak wood sold well.") for n in range(20)]
    + [
        record(300, "Wire copy", "The goverment said on Tuesday that taxes would rise."),
        record(301, "More wire copy", "A goverment spokesman declined to comment."),
        record(302, "Interview", "Speaking to Andrew Marr, the minister said no."),
        record(303, "Television", "On the Marr show, Marr asked about taxes."),
        record(304, "Sheep farms", "Prices of wool rose."),
        record(305, "Sheep farms again", "The wool clip was small."),
    ]
)


@pytest.fixture(scope="module")
def spelling_client(tmp_path_factory):
    with client_for_records(tmp_path_factory.mktemp("spelling"), SPELLING_RECORDS) as client:
        yield client


@pytest.mark.parametrize(
    ("q", "total", "suggestion"),
    [
        ("goverment", 2, "government"),  # a rare misspelling of a far more frequent word
        ("marr", 2, None),  # a name: written with a capital letter
        ("wool", 2, None),  # simply rare: wood is more frequent, but not by far
        ("government", 60, None),
    ],
)
def test_a_rare_misspelling_of_a_frequent_word_but_no_name_or_rare_word(
    spelling_client, q, total, suggestion
) -> None:
    body = search(spelling_client, q=q)
    assert (body["total"], body["suggestion"], body["corrected"]) == (total, suggestion, False)
