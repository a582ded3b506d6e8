"""A reader keeps their place: every link that leaves a search (a result, a related story, the way
back, the feed's entries) carries the whole search (query, sections, dates, sort and page)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import feedparser

from test_pages import get, link_named, parse, result_ids

SEARCH = {
    "q": "harbour",
    "section": ["Politics", "Health"],
    "from": "2024-01-01",
    "to": "2026-12-31",
    "sort": "newest",
    "page": "2",
    "per_page": "2",
}
EXPECTED = {key: value if isinstance(value, list) else [value] for key, value in SEARCH.items()}


def params_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def article_links(response) -> list[str]:
    return [link["href"] for link in parse(response).links if link["href"].startswith("/article/")]


def test_every_result_link_carries_the_whole_search(client) -> None:
    response = get(client, "/", **SEARCH)
    links = article_links(response)
    assert len(links) == 2 and len(result_ids(response)) == 2
    assert all(params_of(href) == EXPECTED for href in links)


def test_the_article_leads_back_to_the_same_page_of_the_same_search(client) -> None:
    first = article_links(get(client, "/", **SEARCH))[0]
    page = parse(get(client, first))
    back = link_named(page, "← Results for “harbour”")["href"]
    assert urlsplit(back).path == "/" and params_of(back) == EXPECTED
    related = [link["href"] for link in page.links if link["href"].startswith("/article/")]
    assert related and all(params_of(href) == EXPECTED for href in related)
    second = parse(get(client, related[0]))  # and again from a related story
    assert params_of(link_named(second, "← Results for “harbour”")["href"]) == EXPECTED


def test_an_article_reached_from_filters_without_words_leads_back_too(client) -> None:
    page = parse(get(client, "/article/sample-004", section="Politics", page="3"))
    assert params_of(link_named(page, "← Back to the results")["href"]) == {
        "section": ["Politics"],
        "page": ["3"],
    }


def test_an_unreadable_search_in_an_article_link_still_opens_the_article(client) -> None:
    response = get(client, "/article/sample-004", q="harbour", to="someday")
    assert "Back to" not in response.get_data(as_text=True)
    assert "Results for" not in response.get_data(as_text=True)


def test_an_article_has_one_canonical_address_whatever_search_led_to_it(client) -> None:
    text = get(client, "/article/sample-004", **SEARCH).get_data(as_text=True)
    assert '<link rel="canonical" href="http://localhost/article/sample-004">' in text


def test_feed_entries_lead_to_the_article_within_the_search(client) -> None:
    response = client.get("/search.atom", query_string={"q": "harbour", "section": "Politics"})
    entries = feedparser.parse(response.data).entries
    assert entries
    for entry in entries:
        assert params_of(entry.link) == {"q": ["harbour"], "section": ["Politics"]}
        assert "?" not in entry.id  # the id is the article's, not the search's
