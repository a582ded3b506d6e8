"""Feeds and browser integration: the Atom feed of a search (read with feedparser, as feed
readers do) and the OpenSearch description (checked against the OpenSearch 1.1 spec)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit
from xml.etree import ElementTree

import feedparser
import pytest

from conftest import article, client_for_records, sample_records, write_jsonl
from indexer.config import load_settings
from indexer.index.build import rebuild_index
from indexer.search import open_index

OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"


def feed(client, **params):
    response = client.get("/search.atom", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)[:1000]
    assert response.mimetype == "application/atom+xml"
    parsed = feedparser.parse(response.data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


def api_total(client, **params) -> int:
    return client.get("/api/search", query_string=params).json["total"]


def test_atom_feed_of_a_search_lists_matches_newest_first(client) -> None:
    parsed = feed(client, q="said")
    assert parsed.version == "atom10"
    assert parsed.feed.title == "newsindex: said"
    total = api_total(client, q="said")
    assert int(parsed.feed.opensearch_totalresults) == total > 20
    assert len(parsed.entries) == 20 and int(parsed.feed.opensearch_itemsperpage) == 20
    published = [entry.published_parsed for entry in parsed.entries]
    assert published == sorted(published, reverse=True)
    newest = client.get("/api/search?q=said&sort=newest&per_page=20").json["results"]
    assert [entry.id for entry in parsed.entries] == [
        f"http://localhost/article/{hit['id']}" for hit in newest
    ]
    assert [entry.link for entry in parsed.entries] == [
        f"http://localhost/article/{hit['id']}?q=said" for hit in newest
    ]


def test_atom_entries_carry_title_author_section_summary_and_the_original(client) -> None:
    entry = feed(client, q="title:halcyon").entries[0]
    assert entry.id == "http://localhost/article/sample-017"
    assert entry.link == "http://localhost/article/sample-017?q=title:halcyon"
    record = next(r for r in sample_records() if r["id"] == "sample-017")
    assert (entry.title, entry.author, entry.summary) == (
        record["title"],
        record["author"],
        record["teaser"],
    )
    assert [(tag.term, tag.label) for tag in entry.tags] == [("Business", "Business")]
    related = [link.href for link in entry.links if link.rel == "related"]
    assert related and related[0].startswith("https://news.example.org/")


def test_atom_feed_links_to_itself_the_page_and_the_opensearch_description(client) -> None:
    parsed = feed(client, q="oil", section="Business", sort="oldest", page="1")
    links = {link.rel: link.href for link in parsed.feed.links}
    assert parse_qs(urlsplit(links["self"]).query) == {"q": ["oil"], "section": ["Business"]}
    assert links["alternate"] == "http://localhost/?q=oil&section=Business"
    assert links["search"] == "http://localhost/opensearch.xml"
    assert int(parsed.feed.opensearch_totalresults) == api_total(
        client, q="oil", section="Business"
    )


def test_atom_feed_pages_and_filters_like_the_search(client) -> None:
    first = feed(client, per_page="5")
    second = feed(client, per_page="5", page="2")
    assert int(second.feed.opensearch_startindex) == 6
    assert int(first.feed.opensearch_totalresults) == 42
    assert not {e.id for e in first.entries} & {e.id for e in second.entries}
    assert first.feed.title == "newsindex: latest articles"
    empty = feed(client, q="zzzzqqq")
    assert int(empty.feed.opensearch_totalresults) == 0 and empty.entries == []
    assert empty.feed.updated  # a valid feed even without entries


def test_atom_feed_of_hostile_articles_is_well_formed_and_links_only_http(tmp_path) -> None:
    records = [
        {
            "id": "evil<x>&",
            "title": "Harbour <script>alert(1)</script> & co",
            "url": "javascript:alert(1)",
            "author": "<b>Mallory</b>",
            "section": "A&B",
            "teaser": "Teaser with ]]> and \u0007 bell",
        }
    ]
    with client_for_records(tmp_path, records) as client:
        parsed = feed(client, q="harbour")
    entry = parsed.entries[0]
    assert entry.title == "Harbour <script>alert(1)</script> & co"  # text, not markup
    assert entry.id == "http://localhost/article/evil%3Cx%3E&"
    assert [link.rel for link in entry.links] == ["alternate"]  # no link to javascript:


def test_a_feed_with_bad_parameters_is_a_400(client) -> None:
    response = client.get("/search.atom?from=2024-99-99")
    assert response.status_code == 400


def test_opensearch_description_has_the_required_elements(client) -> None:
    response = client.get("/opensearch.xml")
    assert response.status_code == 200
    assert response.mimetype == "application/opensearchdescription+xml"
    root = ElementTree.fromstring(response.data)
    assert root.tag == f"{OPENSEARCH}OpenSearchDescription"
    short_name = root.findtext(f"{OPENSEARCH}ShortName")
    description = root.findtext(f"{OPENSEARCH}Description")
    assert short_name and len(short_name) <= 16  # the spec's limits
    assert description and len(description) <= 1024
    urls = {url.get("type"): url.get("template") for url in root.iter(f"{OPENSEARCH}Url")}
    assert {"text/html", "application/atom+xml"} <= set(urls)
    for template in urls.values():
        assert template.startswith("http://localhost/")
    for url_type in ("text/html", "application/atom+xml"):
        assert "{searchTerms}" in urls[url_type]


@pytest.mark.parametrize("url_type", ["text/html", "application/atom+xml"])
def test_opensearch_templates_lead_to_working_searches(client, url_type) -> None:
    root = ElementTree.fromstring(client.get("/opensearch.xml").data)
    template = next(
        u.get("template") for u in root.iter(f"{OPENSEARCH}Url") if u.get("type") == url_type
    )
    url = template.replace("{searchTerms}", "election").replace("{startPage?}", "")
    response = client.get(url.removeprefix("http://localhost"))
    assert response.status_code == 200 and response.mimetype == url_type
    assert b"election" in response.data


def test_every_page_links_to_the_opensearch_description(client) -> None:
    for url in ("/", "/?q=oil", "/article/sample-001", "/article/missing", "/?from=x"):
        text = client.get(url).get_data(as_text=True)
        assert '<link rel="search" type="application/opensearchdescription+xml"' in text, url
    search_page = client.get("/?q=oil&section=Business").get_data(as_text=True)
    feed_link = '<link rel="alternate" type="application/atom+xml" title="Atom feed of this search"'
    assert f'{feed_link} href="/search.atom?q=oil&amp;section=Business">' in search_page


# A feed that feed readers can poll ---------------------------------------------------------------


def test_two_polls_give_the_same_bytes_and_a_conditional_poll_gets_a_304(client) -> None:
    first = client.get("/search.atom?q=harbour")
    second = client.get("/search.atom?q=harbour")
    assert first.data == second.data
    assert first.headers["ETag"] == second.headers["ETag"]
    assert "max-age=" in first.headers["Cache-Control"]
    again = client.get("/search.atom?q=harbour", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    other = client.get("/search.atom?q=election", headers={"If-None-Match": first.headers["ETag"]})
    assert other.status_code == 200


def test_a_rebuild_that_changes_a_feed_changes_its_etag(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(open_index, "REFRESH_SECONDS", 0.0)  # each request sees the newest build
    records = [article(1), article(2)]
    url = "/search.atom?q=harbour"

    def rebuild(name: str, new_records: list[dict]) -> None:
        source = write_jsonl(tmp_path / name, new_records)
        rebuild_index(load_settings({"index_dir": tmp_path / "index"}, environ={}), [str(source)])

    with client_for_records(tmp_path, records) as client:
        before = client.get(url)
        tag = before.headers["ETag"]
        rebuild("same.jsonl", records)  # a new generation, the same feed
        same = client.get(url, headers={"If-None-Match": tag})
        assert same.status_code == 304, same.status_code
        rebuild("changed.jsonl", [*records, article(3, title="Harbour story three")])
        changed = client.get(url, headers={"If-None-Match": tag})
        assert changed.status_code == 200, changed.status_code
        assert b"Harbour story three" in changed.data and changed.headers["ETag"] != tag
        again = client.get(url, headers={"If-None-Match": changed.headers["ETag"]})
        assert again.status_code == 304, again.status_code


def test_undated_articles_and_empty_feeds_are_dated_by_the_index_build(tmp_path) -> None:
    records = [{"id": "u1", "title": "Harbour notice without a date"}]
    with client_for_records(tmp_path, records) as client:
        built_at = client.get("/healthz").json["built_at"]
        parsed = feed(client, q="harbour")
        empty = feed(client, q="zzzzqqq")
    built = built_at.replace("+00:00", "Z")
    assert parsed.feed.updated == parsed.entries[0].updated == built
    assert empty.feed.updated == built


def test_the_feed_is_updated_when_its_newest_article_was_published(client) -> None:
    parsed = feed(client, q="election")
    assert parsed.feed.updated == parsed.entries[0].published == "2026-05-18T06:00:00Z"


def test_feed_pages_link_to_each_other_as_rfc_5005_says(client) -> None:
    def paging(**params) -> dict[str, dict]:
        links = feed(client, per_page="10", **params).feed.links
        return {link.rel: parse_qs(urlsplit(link.href).query) for link in links}

    first = paging()
    assert first["first"] == first["self"] == {"per_page": ["10"]}
    assert first["next"] == {"per_page": ["10"], "page": ["2"]}
    assert first["last"] == {"per_page": ["10"], "page": ["5"]} and "previous" not in first
    middle = paging(page="3")
    assert middle["previous"]["page"] == ["2"] and middle["next"]["page"] == ["4"]
    assert "next" not in paging(page="5")


def test_ids_and_links_use_the_configured_address_whatever_the_host_header(sample_settings):
    from conftest import close_app
    from webui import create_app

    application = create_app(
        {
            "TESTING": True,
            "NEWSINDEX": {
                "index_dir": sample_settings.index_dir,
                "base_url": "https://news.example.org",
            },
        }
    )
    try:
        client = application.test_client()
        evil = client.get("/search.atom?q=harbour", headers={"Host": "evil.example"})
        plain = client.get("/search.atom?q=harbour")
        description = client.get("/opensearch.xml", headers={"Host": "evil.example"}).data
    finally:
        close_app(application)
    assert evil.data == plain.data and b"evil.example" not in evil.data + description
    parsed = feedparser.parse(evil.data)
    assert parsed.feed.id == "https://news.example.org/search.atom?q=harbour"
    assert parsed.entries[0].id.startswith("https://news.example.org/article/")
    assert b"https://news.example.org/search?" not in description


def test_without_a_configured_address_links_follow_the_host_header(client) -> None:
    parsed = feedparser.parse(
        client.get("/search.atom?q=harbour", base_url="http://a.example").data
    )
    assert parsed.feed.id == "http://a.example/search.atom?q=harbour"
