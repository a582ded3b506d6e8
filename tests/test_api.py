"""The JSON API contract, through Flask's test client over the sample index."""

from __future__ import annotations

import html
from collections import Counter
from itertools import product

import pytest
from jsonschema import Draft202012Validator

from conftest import app_for, article, client_for_records, close_app, sample_records
from indexer.search.query_parser import MAX_PREFIX_TERMS
from webui.openapi import openapi_document

DOCUMENT = openapi_document()


def conforms(body: dict, schema_name: str) -> None:
    schema = {"$ref": f"#/components/schemas/{schema_name}", "components": DOCUMENT["components"]}
    Draft202012Validator(schema).validate(body)


def search(client, **params) -> dict:
    response = client.get("/api/search", query_string=params)
    assert response.status_code == 200, response.json
    conforms(response.json, "SearchResponse")
    return response.json


def ids(body: dict) -> list[str]:
    return [hit["id"] for hit in body["results"]]


def test_search_returns_the_documented_shape(client) -> None:
    body = search(client, q="oil prices")
    assert list(body) == [
        "query",
        "total",
        "page",
        "per_page",
        "took_ms",
        "relaxed",
        "match",
        "all_words_total",
        "counts",
        "left_out",
        "suggestion",
        "corrected",
        "results",
        "facets",
    ]
    assert body["query"] == "oil prices" and body["all_words_total"] == 4
    # Fewer than ten samples have both words: those with one of them follow the four.
    assert body["match"] == "all words first" and body["relaxed"] is True and body["total"] > 4
    first = body["results"][0]
    assert first["id"] == "sample-017"  # the story with "Oil prices" in its headline
    assert "<mark>Oil</mark> <mark>prices</mark>" in first["title_html"]
    assert "<mark>oil</mark>" in first["snippet_html"].lower()
    assert first["published"].endswith("Z") and first["language"] == "en"


def test_each_sample_article_is_found_first_by_its_own_headline(client) -> None:
    """First as itself, or as its story (a copy with the same headline may stand for it); then
    among the story's versions when every article is listed."""
    for record in sample_records():
        story = client.get(f"/api/articles/{record['id']}").json["story"]
        first = search(client, q=record["title"])["results"][0]
        assert first["id"] == record["id"] or first["story"] == story, record["title"]
        listed = ids(search(client, q=record["title"], collapse="0"))
        assert record["id"] in listed[: first["versions"] + 1], record["title"]


def test_stemming_and_accent_folding_reach_the_api(client) -> None:
    assert search(client, q="elected")["total"] >= 4
    assert ids(search(client, q="cafe")) == ids(search(client, q="café"))
    assert search(client, q="covid-19")["total"] == search(client, q="covid19")["total"] > 0


@pytest.mark.parametrize(
    ("query", "check"),
    [
        ("oil -shipping", lambda b: "sample-017" not in ids(b) and b["total"] >= 2),
        ("section:sport", lambda b: {h["section"] for h in b["results"]} == {"Sport"}),
        ("title:oil", lambda b: ids(b) == ["sample-017"]),
    ],
)
def test_query_language(client, query, check) -> None:
    assert check(search(client, q=query)), query


def searches_over(tmp_path, bodies: dict[str, str], *queries: str) -> list[dict]:
    """The answers to ``queries`` over an index of one article per body (its key is its id)."""
    records = [article(n, id=key, body=body) for n, (key, body) in enumerate(bodies.items())]
    with client_for_records(tmp_path, records) as client:
        return [search(client, q=query) for query in queries]


def test_a_phrase_matches_its_words_together_and_in_order_only(tmp_path) -> None:
    bodies = {
        "together-1": "Oil prices rose again on Monday.",
        "together-2": "Traders said oil prices will fall.",
        "apart-1": "The oil company cut its prices.",
        "apart-2": "Oil output grew while food prices fell.",
        "reversed": "Record prices oil traders saw last year.",
    }
    words, phrase = searches_over(tmp_path, bodies, "oil prices", '"oil prices"')
    assert sorted(ids(words)) == sorted(bodies) and words["relaxed"] is False
    assert sorted(ids(phrase)) == ["together-1", "together-2"]


def test_or_matches_either_word_where_all_words_match_fewer(tmp_path) -> None:
    bodies = {
        "telescope-1": "A new telescope opened.",
        "telescope-2": "The telescope saw a comet.",
        "marathon": "The marathon closed the bridge.",
        "both": "A marathon runner built a telescope.",
    }
    both, either = searches_over(tmp_path, bodies, "telescope marathon", "telescope OR marathon")
    # One article has both words, fewer than ten: those with one of them follow, and it says so.
    assert ids(both)[0] == "both" and both["all_words_total"] == 1
    assert both["relaxed"] is True and both["match"] == "all words first"
    assert sorted(ids(either)) == sorted(bodies) and either["relaxed"] is False
    assert either["match"] == "all words" and either["all_words_total"] == 4


def test_a_prefix_stands_for_its_most_frequent_words_up_to_the_cap(tmp_path) -> None:
    """MAX_PREFIX_TERMS + 10 words start with "zeb": the 10 first in alphabetical order are in
    one article each, the others in two. ``zeb*`` stands for the MAX_PREFIX_TERMS most frequent
    words: all their articles, none of the others'."""
    words = [f"zeb{a}{b}ak" for a, b in product("bdfgklmnprt", repeat=2)][: MAX_PREFIX_TERMS + 10]
    rare, frequent = words[:10], words[10:]
    records = [
        article(n, id=f"{word}-{n}", body=f"The {word} report.")
        for n, word in enumerate(frequent + frequent + rare)
    ]
    with client_for_records(tmp_path, records) as client:
        assert search(client, q=rare[0])["total"] == 1  # the rare words are indexed
        assert search(client, q=frequent[0])["total"] == 2
        expanded = search(client, q="zeb*", per_page=100)
        page_two = search(client, q="zeb*", per_page=100, page=2)
    assert expanded["total"] == 2 * MAX_PREFIX_TERMS
    found = {hit_id.split("-")[0] for hit_id in ids(expanded) + ids(page_two)}
    assert found == set(frequent)


def test_all_words_required_then_relaxed_to_most_words(client) -> None:
    strict = search(client, q="telescope marathon")
    assert strict["relaxed"] is True and strict["total"] >= 2
    assert strict["match"] == "all words first" and strict["all_words_total"] == 0
    alone = search(client, q="telescope")
    assert alone["relaxed"] is False and alone["match"] == "all words"


def test_did_you_mean_suggests_real_words(client) -> None:
    body = search(client, q="goverment")
    assert body["suggestion"] == "government"
    assert search(client, q="government")["suggestion"] is None


def test_did_you_mean_corrects_swapped_letters_and_two_typos(client) -> None:
    assert search(client, q="govrenment")["suggestion"] == "government"  # one swap
    assert search(client, q="guvernmint")["suggestion"] == "government"  # two letters wrong
    assert search(client, q="xqzvbnm")["suggestion"] is None


def test_empty_query_lists_the_newest_articles(client) -> None:
    body = search(client, per_page=100)
    dates = [hit["published"] for hit in body["results"]]
    assert body["total"] == 42 and dates == sorted(dates, reverse=True)


@pytest.mark.parametrize("sort", ["newest", "oldest"])
def test_sorting_by_date(client, sort) -> None:
    dates = [hit["published"] for hit in search(client, q="government", sort=sort)["results"]]
    assert dates == sorted(dates, reverse=sort == "newest") and len(dates) > 3


def test_section_filter_is_case_insensitive_and_repeatable(client) -> None:
    body = search(client, q="", section=["business", "SPORT"], per_page=100)
    assert {hit["section"] for hit in body["results"]} == {"Business", "Sport"}
    assert body["total"] == 11


def test_date_filter_is_inclusive_days(client) -> None:
    record = sample_records()[5]
    day = record["published"][:10]
    body = search(client, **{"from": day, "to": day})
    assert record["id"] in ids(body)
    assert all(hit["published"][:10] == day for hit in body["results"])


def brute_force_facets(records, sections=(), day_from="", day_to="") -> tuple[Counter, Counter]:
    in_dates = [r for r in records if day_from <= r["published"][:10] <= (day_to or "9999")]
    by_section = Counter(r["section"] for r in in_dates)
    chosen = [r for r in in_dates if not sections or r["section"].lower() in sections]
    return by_section, Counter(r["published"][:7] for r in chosen)


@pytest.mark.parametrize(
    ("sections", "day_from", "day_to"),
    [((), "", ""), (("politics",), "", ""), (("health", "world"), "2025-01-01", "2026-06-30")],
)
def test_facet_counts_match_brute_force(client, sections, day_from, day_to) -> None:
    """Counted as articles (collapse=0) against the records; counted as stories, the total is
    the number of distinct stories of those articles."""
    filters = {"section": list(sections), "from": day_from, "to": day_to}
    body = search(client, collapse="0", per_page="100", **filters)
    stories = {hit["story"] for hit in body["results"]}
    assert search(client, **filters)["total"] == len(stories)
    expected_sections, expected_months = brute_force_facets(
        sample_records(), sections, day_from, day_to
    )
    facets = body["facets"]
    assert {f["value"]: f["count"] for f in facets["section"]} == dict(expected_sections)
    counts = [f["count"] for f in facets["section"]]
    assert counts == sorted(counts, reverse=True)
    assert [(f["value"], f["count"]) for f in facets["published"]] == sorted(
        expected_months.items()
    )
    assert body["total"] == sum(expected_months.values())


def test_date_facet_is_per_year_over_long_spans(tmp_path) -> None:
    records = [article(n, published=f"{2000 + n}-06-01") for n in range(6)]
    with client_for_records(tmp_path, records) as client:
        body = client.get("/api/search").json
    years = [f["value"] for f in body["facets"]["published"]]
    assert years == ["2000", "2001", "2002", "2003", "2004", "2005"]


def test_undated_articles_come_last_in_both_date_orders(tmp_path) -> None:
    records = [
        article(1, published=""),
        article(2, published="2020-01-01"),
        article(3, published="2021-01-01"),
        article(4, published=None),
    ]
    with client_for_records(tmp_path, records) as client:
        newest = client.get("/api/search?q=harbour&sort=newest").json["results"]
        oldest = client.get("/api/search?q=harbour&sort=oldest").json["results"]
    assert [h["id"] for h in newest][:2] == ["t-3", "t-2"]
    assert [h["id"] for h in oldest][:2] == ["t-2", "t-3"]
    assert {h["published"] for h in newest[2:]} == {None} == {h["published"] for h in oldest[2:]}


def test_paging(client) -> None:
    first = search(client, q="", per_page=5)
    second = search(client, q="", per_page=5, page=2)
    assert len(first["results"]) == len(second["results"]) == 5
    assert not set(ids(first)) & set(ids(second))
    assert ids(search(client, q="", per_page=10))[5:] == ids(second)


def test_paging_is_clamped(client) -> None:
    assert search(client, per_page=500)["per_page"] == 100
    assert search(client, per_page=100, page=99)["page"] == 10
    assert search(client, per_page=10, page=1000)["results"] == []


def test_snippets_and_titles_are_escaped(client) -> None:
    body = search(client, q="alert")
    assert body["total"] >= 1
    text = str(body["results"])
    assert "<script" not in text and "&lt;script&gt;" in text
    for hit in body["results"]:
        stripped = hit["snippet_html"].replace("<mark>", "").replace("</mark>", "")
        assert "<" not in stripped and ">" not in stripped


def test_a_hit_matched_only_in_its_title_shows_its_teaser(client) -> None:
    record = next(r for r in sample_records() if r["id"] == "sample-017")
    hit = search(client, q="title:halcyon")["results"][0]
    assert hit["id"] == "sample-017" and "<mark>Halcyon</mark>" in hit["title_html"]
    assert hit["snippet_html"] == html.escape(record["teaser"])


HOSTILE_QUERIES = [
    '"unbalanced',
    "AND",
    "OR OR",
    "-",
    "NOT",
    "(((",
    ")))",
    "*",
    "**",
    "?",
    "a*",
    "*ment",
    "title:",
    "section:",
    ":",
    "\\",
    "\x00\x01\x02",
    "🎉🎉",
    "x" * 10_000,
    "oil " * 200,
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "%00",
    "title:(oil OR",
    "oil^99",
    "[a TO z]",
    "field:value:other",
    "\u202e",
    "𝕠𝕚𝕝",
    "ＯＩＬ",
]


# The one query of HOSTILE_QUERIES that is refused: a wildcard with no letter before its * (a
# bare * is read as "everything"); every other one gets a lenient reading (README, Query language).
REFUSED_QUERIES = {"*ment": "a wildcard needs at least one letter before the *"}


@pytest.mark.parametrize("query", HOSTILE_QUERIES)
def test_each_hostile_query_gets_its_one_expected_answer(client, query) -> None:
    response = client.get("/api/search", query_string={"q": query})
    if query in REFUSED_QUERIES:
        assert response.status_code == 400, query
        conforms(response.json, "Error")
        assert response.json["error"]["code"] == "bad_query"
        assert response.json["error"]["message"] == REFUSED_QUERIES[query]
    else:
        assert response.status_code == 200, (query, response.json)
        conforms(response.json, "SearchResponse")


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"page": "0"}, "page"),
        ({"page": "two"}, "page"),
        ({"per_page": "-1"}, "per_page"),
        ({"from": "2024-13-01"}, "from"),
        ({"to": "yesterday"}, "to"),
        ({"from": "2025-01-02", "to": "2025-01-01"}, "after"),
        ({"sort": "random"}, "sort"),
    ],
)
def test_bad_parameters_are_400_with_a_message_naming_them(client, params, message) -> None:
    response = client.get("/api/search", query_string=params)
    assert response.status_code == 400
    conforms(response.json, "Error")
    assert message in response.json["error"]["message"]


def test_article_endpoint(client) -> None:
    response = client.get("/api/articles/sample-017", query_string={"q": "oil"})
    assert response.status_code == 200
    conforms(response.json, "Article")
    body = response.json
    assert body["title"].startswith("Oil prices push Halcyon")
    assert "<mark>oil</mark>" in body["body_html"].lower()
    assert body["body_html"].startswith("<p>")
    assert 1 <= len(body["related"]) <= 5 and "sample-017" not in [r["id"] for r in body["related"]]


def test_unknown_article_and_route_are_json_404s(client) -> None:
    for path in ("/api/articles/nope", "/api/articles/../../etc/passwd", "/api/nothing"):
        response = client.get(path)
        assert response.status_code == 404, path
        conforms(response.json, "Error")


def test_healthz(client) -> None:
    body = client.get("/healthz").json
    conforms(body, "Health")
    assert (
        body["status"] == "ok" and body["articles"] == 45 and body["generation"].startswith("gen-")
    )


def test_healthz_and_search_are_503_without_an_index(tmp_path) -> None:
    application = app_for(tmp_path / "empty")
    try:
        client = application.test_client()
        health = client.get("/healthz")
        assert health.status_code == 503 and health.json["status"] == "unavailable"
        conforms(health.json, "Health")
        response = client.get("/api/search?q=oil")
        assert (
            response.status_code == 503 and "indexer rebuild" in response.json["error"]["message"]
        )
    finally:
        close_app(application)


def test_security_headers(client) -> None:
    headers = client.get("/api/search?q=oil").headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert "unsafe-inline" not in headers["Content-Security-Policy"]


def test_openapi_document_is_served_and_describes_every_route(app, client) -> None:
    served = client.get("/api/openapi.json").json
    assert served["openapi"].startswith("3.") and served == DOCUMENT
    routes = {rule.rule.replace("<path:article_id>", "{id}") for rule in app.url_map.iter_rules()}
    for path in served["paths"]:
        assert path in routes
    parameter_names = {p["name"] for p in served["paths"]["/api/search"]["get"]["parameters"]}
    assert parameter_names == {
        "q",
        "section",
        "language",
        "from",
        "to",
        "sort",
        "page",
        "per_page",
        "autocorrect",
        "collapse",
        "story",
    }


def test_importing_the_web_app_does_no_work(tmp_path) -> None:
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", "import webui; webui.create_app()"],
        env={"NEWSINDEX_INDEX_DIR": str(tmp_path / "none"), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "none").exists()


def test_a_search_past_its_time_limit_is_a_400_naming_the_limit(client, monkeypatch) -> None:
    from indexer.search import service as search_module

    monkeypatch.setattr(search_module, "TIME_LIMIT_SECONDS", -1.0)
    response = client.get("/api/search?q=oil+deadline")  # a query no other test caches
    assert response.status_code == 400
    assert "took longer than" in response.json["error"]["message"]
