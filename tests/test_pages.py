"""The HTML pages through Flask's test client: the search page and every link it offers, the
article page, error pages, escaping of hostile articles, and the security headers."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from markupsafe import escape

from conftest import (
    app_for,
    article,
    client_for_records,
    close_app,
    sample_records,
    write_jsonl,
)
from indexer.config import load_settings
from indexer.index.build import rebuild_index
from webui import create_app
from webui.display import http_url, news_date, section_name
from webui.search_page import page_numbers


class PageParser(HTMLParser):
    """The elements of a page a test looks at: links (with their text), inputs, and all tags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[dict] = []
        self.inputs: list[dict] = []
        self.tags: list[tuple[str, dict]] = []
        self._open_links: list[dict] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag == "a":
            link = {**attributes, "text": ""}
            self.links.append(link)
            self._open_links.append(link)
        elif tag == "input":
            self.inputs.append(attributes)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._open_links:
            self._open_links.pop()

    def handle_data(self, data: str) -> None:
        for link in self._open_links:
            link["text"] += data


def parse(response) -> PageParser:
    parser = PageParser()
    parser.feed(response.get_data(as_text=True))
    return parser


def get(client, url: str, status: int = 200, **params):
    response = client.get(url, query_string=params or None)
    assert response.status_code == status, response.get_data(as_text=True)[:2000]
    return response


def params_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def link_named(page: PageParser, label: str) -> dict:
    """The link whose aria-label or text is ``label``."""
    for link in page.links:
        if link.get("aria-label") == label or " ".join(link["text"].split()) == label:
            return link
    raise AssertionError(f"no link {label!r} in {[link.get('aria-label') for link in page.links]}")


def result_ids(response) -> list[str]:
    """The article ids of the results, in order, from their headline links."""
    ids = []
    for tag, attributes in parse(response).tags:
        if tag == "ol" and "hits" in attributes.get("class", ""):
            ids = []  # results start here
        if tag == "a" and attributes.get("href", "").startswith("/article/"):
            ids.append(unquote(urlsplit(attributes["href"]).path.removeprefix("/article/")))
    return ids


def timeline_links(response) -> list[dict]:
    return [link for link in parse(response).links if "article" in link.get("aria-label", "")]


# The search page --------------------------------------------------------------------------------


def test_search_page_shows_ranked_results_with_marked_words(client) -> None:
    response = get(client, "/", q="election")
    text = response.get_data(as_text=True)
    assert "5 stories for “election”" in text and " ms</p>" not in text  # no developer figure
    assert "<mark>elections</mark>" in text and "<mark>elected</mark>" in text
    assert result_ids(response)[0] == "sample-037"
    assert any(link["href"] == "/article/sample-037?q=election" for link in parse(response).links)
    assert '<span class="meta-section">Politics</span>' in text
    assert '<time datetime="2026-05-18T06:00:00Z">18 May 2026</time>' in text
    assert "Marta Quennell" in text


def test_search_box_keeps_the_query_is_labelled_and_focused(client) -> None:
    page = parse(get(client, "/", q='oil "prices"'))
    box = next(i for i in page.inputs if i.get("name") == "q")
    assert box["type"] == "search" and box["value"] == 'oil "prices"' and "autofocus" in box
    assert ("label", {"class": "visually-hidden", "for": box["id"]}) in page.tags
    landmarks = {tag for tag, _ in page.tags} | {a.get("role") for _, a in page.tags}
    assert {"header", "main", "footer", "aside", "nav", "search"} <= landmarks


@pytest.mark.parametrize(
    "params",
    [
        {"q": "harbour"},
        {"q": "harbour", "sort": "newest"},
        {"q": "harbour", "section": ["Politics", "culture"]},
        {"q": "", "page": "2"},
        {"q": "harbour zebra"},  # relaxed to any word
        {"q": "flu", "from": "2024-01-01", "to": "2025-12-31", "sort": "oldest"},
        {"q": "", "per_page": "5", "page": "3"},
    ],
)
def test_page_and_api_show_the_same_articles_in_the_same_order(client, params) -> None:
    api = client.get("/api/search", query_string=params).json
    page = get(client, "/", **params)
    assert result_ids(page) == [hit["id"] for hit in api["results"]]
    assert result_ids(page), "the comparison needs results"


def test_empty_query_lists_the_latest_news_without_a_sort_switch(client) -> None:
    response = get(client, "/")
    text = response.get_data(as_text=True)
    assert "Latest news" in text and "42 stories" in text
    assert 'aria-label="Sort results"' not in text
    assert result_ids(response)[0] == "sample-042"  # the newest sample


def test_sort_switch_marks_the_current_order_and_resets_the_page(client) -> None:
    page = parse(get(client, "/", q="harbour", page="2", section="Politics"))
    newest = link_named(page, "Newest")
    assert params_of(newest["href"]) == {
        "q": ["harbour"],
        "section": ["Politics"],
        "sort": ["newest"],
    }
    assert '<span aria-current="true" class="current">Relevance</span>' in get(
        client, "/", q="harbour"
    ).get_data(as_text=True)


def test_pagination_links_keep_the_search_and_mark_the_current_page(client) -> None:
    response = get(client, "/", page="2", to="2026-12-31")
    page = parse(response)
    numbers = [link for link in page.links if link.get("aria-label", "").startswith("Page ")]
    assert [link["text"] for link in numbers] == ["1", "2", "3", "4", "5"]
    assert [link.get("aria-current") for link in numbers].count("page") == 1
    assert numbers[1]["aria-current"] == "page"
    previous, following = link_named(page, "‹ Previous"), link_named(page, "Next ›")
    assert params_of(previous["href"]) == {"to": ["2026-12-31"]}  # page 1 has no page parameter
    assert params_of(following["href"]) == {"to": ["2026-12-31"], "page": ["3"]}
    assert previous["rel"] == "prev" and following["rel"] == "next"
    assert 'start="11"' in response.get_data(as_text=True)


def test_a_page_past_the_last_one_links_back(client) -> None:
    text = get(client, "/", q="election", page="9").get_data(as_text=True)
    assert "page 9 is empty" in text and 'href="/?q=election">Go to the last page' in text
    assert "Page 9 of" not in text


def test_per_page_is_kept_in_every_link(client) -> None:
    page = parse(get(client, "/", q="harbour", per_page="3"))
    search_links = [link["href"] for link in page.links if link["href"].startswith("/?")]
    assert search_links and all(params_of(href)["per_page"] == ["3"] for href in search_links)


@pytest.mark.parametrize(
    ("current", "last", "expected"),
    [
        (1, 1, [1]),
        (1, 5, [1, 2, 3, 4, 5]),  # a gap of one page shows the page
        (1, 6, [1, 2, 3, None, 6]),
        (3, 5, [1, 2, 3, 4, 5]),
        (7, 20, [1, None, 5, 6, 7, 8, 9, None, 20]),
        (20, 20, [1, None, 18, 19, 20]),
        (4, 9, [1, 2, 3, 4, 5, 6, None, 9]),
    ],
)
def test_page_numbers(current, last, expected) -> None:
    assert page_numbers(current, last) == expected


def test_section_facet_filters_and_the_filter_is_removable(client) -> None:
    page = parse(get(client, "/", q="harbour"))
    politics = next(link for link in page.links if link["text"].split()[:1] == ["Politics"])
    assert params_of(politics["href"]) == {"q": ["harbour"], "section": ["Politics"]}

    filtered = get(client, politics["href"])
    api = client.get("/api/search?q=harbour&section=Politics").json
    assert result_ids(filtered) == [hit["id"] for hit in api["results"]]
    assert {hit["section"] for hit in api["results"]} == {"Politics"}
    page = parse(filtered)
    selected = next(link for link in page.links if link.get("aria-current") == "true")
    assert "Politics" in selected["text"] and params_of(selected["href"]) == {"q": ["harbour"]}
    chip = link_named(page, "Remove filter: Politics")
    assert chip["href"] == "/?q=harbour"


def test_sections_add_up_and_each_chip_removes_only_its_own_filter(client) -> None:
    page = parse(get(client, "/", q="harbour", section=["Politics", "Culture"], to="2026-01-01"))
    chips = {link["aria-label"]: link["href"] for link in page.links if link.get("class") == "chip"}
    assert params_of(chips["Remove filter: Politics"]) == {
        "q": ["harbour"],
        "section": ["Culture"],
        "to": ["2026-01-01"],
    }
    assert params_of(chips["Remove filter: Until 1 Jan 2026"]) == {
        "q": ["harbour"],
        "section": ["Politics", "Culture"],
    }
    assert link_named(page, "Clear all")["href"] == "/?q=harbour"


def test_many_sections_fold_into_more_but_a_chosen_one_stays_in_view(tmp_path) -> None:
    records = [article(n, section=f"Desk {n:02d}") for n in range(1, 13)]
    with client_for_records(tmp_path, records) as client:
        text = get(client, "/", q="harbour", section="Desk 12").get_data(as_text=True)
    shown, more = text.split("<summary>")
    more = more.split("</details>")[0]
    assert "1 more section<" in more and ">Desk 11</span>" in more and "Desk 12</span>" not in more
    assert shown.count('<span class="facet-name">') == 11 and "✓ </span>Desk 12" in shown


def test_the_search_box_and_the_date_form_keep_the_other_filters(client) -> None:
    page = parse(get(client, "/", q="harbour", section="Politics", sort="newest", page="2"))
    hidden = [(i["name"], i["value"]) for i in page.inputs if i.get("type") == "hidden"]
    query_form = [("section", "Politics"), ("sort", "newest")]  # then the date form's
    assert hidden == query_form + [("q", "harbour"), ("section", "Politics"), ("sort", "newest")]
    date_inputs = {i["name"]: i for i in page.inputs if i.get("name") in ("from", "to")}
    assert set(date_inputs) == {"from", "to"}


def test_timeline_bars_link_to_their_month_and_narrow_the_results(client) -> None:
    response = get(client, "/", q="election")
    bars = timeline_links(response)
    assert [bar["aria-label"] for bar in bars] == [
        "Mar 2024: 1 article",
        "Jun 2024: 3 articles",
        "May 2026: 1 article",
    ]
    june = bars[1]
    assert params_of(june["href"]) == {
        "q": ["election"],
        "from": ["2024-06-01"],
        "to": ["2024-06-30"],
    }
    narrowed = client.get("/api/search", query_string=params_of(june["href"])).json
    assert narrowed["total"] == 3


def test_timeline_narrows_within_dates_already_chosen(client) -> None:
    bars = timeline_links(get(client, "/", q="election", **{"from": "2024-06-15"}, page="1"))
    assert params_of(bars[0]["href"])["from"] == ["2024-06-15"]
    assert params_of(bars[0]["href"])["to"] == ["2024-06-30"]


def test_did_you_mean_links_to_the_corrected_search(client) -> None:
    page = parse(get(client, "/", q="goverment"))
    assert link_named(page, "government")["href"] == "/?q=government"


def test_relaxed_results_say_so(client) -> None:
    text = get(client, "/", q="harbour zebra").get_data(as_text=True)
    assert "No article has all of these words: these have <strong>most</strong>" in text
    assert result_ids(client.get("/?q=harbour zebra"))
    text = get(client, "/", q="oil prices").get_data(as_text=True)
    assert "The 4 with <strong>all</strong> of these words come first" in text
    assert "all of these words" not in get(client, "/", q="harbour").get_data(as_text=True)


def test_a_long_query_says_it_ranks_by_most_words_and_names_what_it_left_out(client) -> None:
    query = "What is there about the harbour board, the council and the dredging budget?"
    text = get(client, "/", q=query).get_data(as_text=True)
    assert "A long query: articles with <strong>most</strong> of its words" in text
    assert "Not searched for: What, about (words of asking)." in text


def test_empty_state_helps_and_offers_to_remove_the_filters(client) -> None:
    response = get(client, "/", q="telescope", section="Sport", **{"from": "2024-01-01"})
    text = response.get_data(as_text=True)
    assert "No results for “telescope”" in text and "Check the spelling" in text
    assert (
        link_named(parse(response), "Search again without the filters")["href"] == "/?q=telescope"
    )
    assert result_ids(response) == []


@pytest.mark.parametrize(
    ("params", "reason"),
    [
        ({"from": "2024-99-99"}, "The From date “2024-99-99” is not a date we can read"),
        ({"q": "oil", "page": "zero"}, "parameter &#39;page&#39;"),
        ({"q": "oil", "sort": "random"}, "parameter &#39;sort&#39;"),
        ({"q": "*abc"}, "a wildcard needs at least one letter"),
    ],
)
def test_a_search_that_cannot_be_read_gets_a_friendly_400_page(client, params, reason) -> None:
    response = get(client, "/", status=400, **params)
    text = response.get_data(as_text=True)
    assert response.mimetype == "text/html"
    assert "We couldn’t read that search" in text and reason in text
    assert "Traceback" not in text and 'role="search"' in text


def test_the_friendly_400_keeps_the_query_and_offers_it_alone(client) -> None:
    page = parse(get(client, "/", status=400, q="oil", to="someday"))
    assert next(i for i in page.inputs if i.get("name") == "q")["value"] == "oil"
    assert link_named(page, "Search for “oil” without the other settings")["href"] == "/?q=oil"


@pytest.mark.parametrize(
    "query",
    [
        '"unbalanced',
        "a:b:c (((",
        "AND OR NOT",
        "-",
        "*",
        "<script>alert(1)</script>",
        "title:",
        "\x00",
    ],
)
def test_odd_queries_get_a_page_of_results(client, query) -> None:
    response = client.get("/", query_string={"q": query})
    assert response.status_code == 200, query  # read leniently (README, Query language)
    assert "<script>alert(1)</script>" not in response.get_data(as_text=True)


# The article page -------------------------------------------------------------------------------


def test_article_page_shows_the_story_with_the_query_marked_and_related_stories(client) -> None:
    response = get(client, "/article/sample-030", q="script")
    text = response.get_data(as_text=True)
    assert '<h1 id="headline">SecHarbour conference warns' in text
    assert "&lt;<mark>script</mark>&gt;alert(" in text and "<script>alert" not in text
    assert "By Oliver Strand" in text and "15 Oct 2025" in text
    page = parse(response)
    assert link_named(page, "Technology")["href"] == "/?section=Technology"
    original = link_named(page, "Read the original ↗")
    assert original["href"].startswith("https://news.example.org/technology/")
    assert link_named(page, "← Results for “script”")["href"] == "/?q=script"
    assert 'id="related-heading">Related stories</h2>' in text
    related = [link for link in page.links if link["href"].startswith("/article/")]
    assert len(related) == 5 and all(link["href"].endswith("?q=script") for link in related)


def test_article_page_without_a_query_marks_nothing(client) -> None:
    text = get(client, "/article/sample-001").get_data(as_text=True)
    assert "<mark>" not in text and "Results for" not in text
    assert "Greyhaven General Hospital has opened an extra ward" in text


def test_article_without_body_shows_its_teaser(tmp_path) -> None:
    records = [
        {"id": "a1", "title": "Ferry timetable", "teaser": "The winter timetable starts today."},
        {"id": "a2", "title": "Ferry fares", "body": "Fares rise by 3%.\n\nSeason tickets too."},
    ]
    with client_for_records(tmp_path, records) as client:
        teaser_only = get(client, "/article/a1").get_data(as_text=True)
        body_only = get(client, "/article/a2").get_data(as_text=True)
    assert "<p>The winter timetable starts today.</p>" in teaser_only
    assert "standfirst" not in teaser_only and "standfirst" not in body_only  # no repetition
    assert "<p>Fares rise by 3%.</p><p>Season tickets too.</p>" in body_only


def test_unknown_article_is_a_friendly_404_page(client) -> None:
    response = get(client, "/article/no-such-story", status=404)
    text = response.get_data(as_text=True)
    assert response.mimetype == "text/html" and "We can’t find that page" in text
    assert 'role="search"' in text


def test_without_an_index_the_pages_say_so_with_a_503(tmp_path) -> None:
    application = app_for(tmp_path / "no-index")
    try:
        client = application.test_client()
        for url in ("/", "/?q=oil", "/article/x", "/search.atom?q=oil"):
            response = client.get(url)
            text = response.get_data(as_text=True)
            assert response.status_code == 503 and "The search is not available yet" in text
        assert client.get("/opensearch.xml").status_code == 200  # needs no index
    finally:
        close_app(application)


# Safety: escaping, links from article data, headers -------------------------------------------

HOSTILE = "<img src=x onerror=alert(1)>"
HOSTILE_RECORDS = [
    {
        "id": f"evil{HOSTILE}",
        "url": "javascript:alert(1)",
        "title": f"Harbour {HOSTILE} headline",
        "section": f"Sec{HOSTILE}",
        "author": f'Mallory "{HOSTILE}"',
        "teaser": f"Teaser {HOSTILE} harbour",
        "body": f"Body {HOSTILE} about the harbour.\n\nSecond <b>bold</b> paragraph.",
        "tags": [HOSTILE],
        "published": "2025-05-05T10:00:00Z",
    },
    {"id": "data-url", "url": "data:text/html,<script>alert(1)</script>", "title": "Harbour data"},
    {"id": "vb", "url": " JaVaScRiPt:alert(1)", "title": "Harbour mixed case"},
    {"id": "fine", "url": "https://example.org/harbour?a=1&b=2", "title": "Harbour fine"},
]


@pytest.fixture(scope="module")
def hostile_client(tmp_path_factory):
    with client_for_records(tmp_path_factory.mktemp("hostile"), HOSTILE_RECORDS) as client:
        yield client


@pytest.mark.parametrize(
    "url",
    [
        "/?q=harbour",
        "/?q=harbour&section=Sec<img src=x onerror=alert(1)>",
        "/?q=<img src=x onerror=alert(1)>",
        "/article/evil<img src=x onerror=alert(1)>?q=harbour",
        "/article/data-url",
        "/article/vb",
        "/search.atom?q=harbour",
    ],
)
def test_hostile_article_text_is_always_escaped(hostile_client, url) -> None:
    response = hostile_client.get(url)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "<img src=x" not in text and "<b>" not in text and "<script>" not in text
    parser = PageParser() if response.mimetype == "text/html" else None
    if parser:
        parser.feed(text)
        hrefs = [link.get("href", "") for link in parser.links]
        assert all(not href.strip().lower().startswith(("javascript:", "data:")) for href in hrefs)
        assert not any(tag == "img" and a.get("src") == "x" for tag, a in parser.tags)


def test_only_http_article_urls_become_links(hostile_client) -> None:
    for article_id in ("evil<img src=x onerror=alert(1)>", "data-url", "vb"):
        text = get(hostile_client, f"/article/{article_id}").get_data(as_text=True)
        assert "Read the original" not in text
    fine = parse(get(hostile_client, "/article/fine"))
    assert link_named(fine, "Read the original ↗")["href"] == "https://example.org/harbour?a=1&b=2"


def test_hostile_ids_round_trip_through_result_links(hostile_client) -> None:
    ids = result_ids(get(hostile_client, "/", q="headline"))
    assert ids == ["evil<img src=x onerror=alert(1)>"]
    get(hostile_client, "/article/" + "evil%3Cimg%20src=x%20onerror=alert(1)%3E")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.org/a", "https://example.org/a"),
        ("http://example.org", "http://example.org"),
        ("HTTPS://EXAMPLE.ORG/", "HTTPS://EXAMPLE.ORG/"),
        ("javascript:alert(1)", None),
        (" javascript:alert(1)", None),
        ("data:text/html,x", None),
        ("//example.org/a", None),
        ("/relative", None),
        ("https:///no-host", None),
        ("ftp://example.org", None),
        ("http://[::1", None),
        ("", None),
        (None, None),
    ],
)
def test_http_url(url, expected) -> None:
    assert http_url(url) == expected


@pytest.mark.parametrize(
    ("published", "shown"),
    [("2025-03-14T08:00:00Z", "14 Mar 2025"), ("2024-12-01T00:00:00Z", "1 Dec 2024"), (None, "")],
)
def test_dates_are_shown_for_readers(published, shown) -> None:
    assert news_date(published) == shown


@pytest.mark.parametrize(
    "url",
    ["/", "/?q=oil", "/?from=bad", "/article/sample-001", "/article/nope", "/opensearch.xml"],
)
def test_security_headers_on_every_page(client, url) -> None:
    response = client.get(url)
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("url", ["/?q=election", "/?q=goverment", "/article/sample-030?q=script"])
def test_pages_need_nothing_inline_and_nothing_from_elsewhere(client, url) -> None:
    response = get(client, url)
    text = response.get_data(as_text=True)
    assert "<style" not in text
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", text, re.S)
    assert all(" src=" in attributes and not body for attributes, body in scripts)  # files only
    tags = parse(response).tags
    assert not any(name == "style" or name.startswith("on") for _, attrs in tags for name in attrs)
    for tag, attributes in tags:
        if tag in ("link", "img", "script") and attributes.get("rel") != "canonical":
            # everything the page loads is our own
            source = attributes.get("href") or attributes.get("src")
            assert source.startswith("/") and not source.startswith("//"), attributes
    assert ("link", {**OPENSEARCH_LINK}) in tags


OPENSEARCH_LINK = {
    "rel": "search",
    "type": "application/opensearchdescription+xml",
    "title": "newsindex",
    "href": "/opensearch.xml",
}


def test_static_files_are_served(client) -> None:
    page = parse(get(client, "/"))
    stylesheet = next(a["href"] for tag, a in page.tags if a.get("rel") == "stylesheet")
    css = get(client, stylesheet)
    assert css.mimetype == "text/css" and len(css.data) < 20_000  # small CSS
    assert "prefers-color-scheme: dark" in css.get_data(as_text=True)
    assert "http" not in css.get_data(as_text=True)  # no external fonts or images
    css.close()
    icon = next(a["href"] for tag, a in page.tags if a.get("type") == "image/svg+xml")
    assert get(client, icon).mimetype == "image/svg+xml"


def test_every_sample_article_has_a_page(client) -> None:
    for record in sample_records():
        text = get(client, f"/article/{record['id']}").get_data(as_text=True)
        assert f"<title>{escape(record['title'])} · newsindex</title>" in text


def test_sections_show_in_one_case_and_by_their_configured_names(tmp_path) -> None:
    records = [
        article(1, section="money-fx", title="Harbour dollar falls"),
        article(2, section="acq", title="Harbour board buys a ferry line"),
        article(3, section="Politics", title="Harbour vote"),
    ]
    index_dir = tmp_path / "index"
    source = write_jsonl(tmp_path / "records.jsonl", records)
    rebuild_index(load_settings({"index_dir": index_dir}, environ={}), [str(source)])
    application = create_app(
        {"TESTING": True, "NEWSINDEX": {"index_dir": index_dir, "section_names": {"acq": "Deals"}}}
    )
    try:
        client = application.test_client()
        page = parse(get(client, "/", q="harbour", section="acq"))
        text = get(client, "/", q="harbour", section="acq").get_data(as_text=True)
        article_text = get(client, "/article/t-1").get_data(as_text=True)
        atom = client.get("/search.atom?q=harbour").get_data(as_text=True)
    finally:
        close_app(application)
    assert link_named(page, "Remove filter: Deals")["href"] == "/?q=harbour"
    assert '<span class="meta-section">Deals</span>' in text and "✓ </span>Deals" in text
    assert "Money-fx" in text and ">money-fx<" not in text and ">acq<" not in text
    assert ">Money-fx</a>" in article_text
    assert 'term="acq" label="Deals"' in atom and 'term="money-fx" label="Money-fx"' in atom


def test_a_section_name_is_its_configured_name_or_the_source_name_capitalised() -> None:
    names = {"acq": "Acquisitions"}
    assert section_name("acq", names) == "Acquisitions" == section_name("ACQ", names)
    assert section_name("money-fx", names) == "Money-fx"
    assert section_name("U.S. News", names) == "U.S. News"


# What tabs, bookmarks, search engines and lost readers see -----------------------------------


def test_the_title_tells_the_query_the_filters_and_the_page(client) -> None:
    text = get(client, "/", q="harbour", section="Politics", to="2026-01-01", page="2").get_data(
        as_text=True
    )
    assert "<title>“harbour” · Politics · Until 1 Jan 2026 · page 2 · newsindex</title>" in text
    assert "<title>Latest news · newsindex</title>" in get(client, "/").get_data(as_text=True)


def test_every_page_has_a_meta_description(client) -> None:
    for url, expected in [
        ("/", "The latest news: 42 stories in the newsindex archive."),
        ("/?q=election", "5 stories about “election” in the newsindex archive."),
        ("/article/sample-001", "The hospital has opened an extra 30-bed ward"),
        ("/no-such-page", "Search an archive of news articles"),
    ]:
        page = parse(client.get(url))
        described = [a["content"] for tag, a in page.tags if a.get("name") == "description"]
        assert len(described) == 1 and expected in described[0], (url, described)
        assert len(described[0]) <= 160


def test_a_missing_page_is_our_own_404_with_a_way_on(client) -> None:
    response = get(client, "/no-such-page", status=404)
    text = response.get_data(as_text=True)
    assert "We can’t find that page" in text and "requested URL was not found" not in text
    assert 'role="search"' in text and link_named(parse(response), "see the latest news")
