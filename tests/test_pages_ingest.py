"""Article pages as sources: HTML pages (JSON-LD, OpenGraph, plain meta tags, wrong and right
charsets, other languages) and plain-text saves, read on their own and through ``indexer rebuild``
and ``indexer search``. The fixture pages carry navigation, ads, comment prompts and lists of other
stories; none of that may reach a body.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from conftest import PROJECT_ROOT
from indexer.ingest.articles import ArticleRecord, article_from_raw
from indexer.ingest.boilerplate import story_lines
from indexer.ingest.charsets import declared_charset, decode_page
from indexer.ingest.page_metadata import linked_data_article
from indexer.ingest.titles import title_without_site_name
from indexer.ingest.webpages import (
    parse_html,
    read_html_page,
    read_text_page,
    text_paragraphs,
)

PAGES = Path(__file__).parent / "fixtures" / "pages"
SEED_PAGE = PROJECT_ROOT.parent / "shared" / "seed" / "news-page.txt"
NOT_THE_STORY = (
    "ADVERTISEMENT", "Marina Mart", "Subscribe", "Sponsored", "Publicité", "広告", "Bakery",
    "comment", "commentaire", "Join the conversation", "More from", "Related stories",
    "You may also like", "À lire aussi", "よく読まれている記事", "Read more", "Regatta",
    "Harbour cranes return", "All rights reserved", "By Mara Quillon",
)  # fmt: skip


def read_page(name: str, location: str | None = None) -> dict[str, Any]:
    reader = read_text_page if name.endswith(".txt") else read_html_page
    with (PAGES / name).open("rb") as stream:
        [(where, raw)] = reader(stream, location or str(PAGES / name))
    assert where == "page"
    return raw


def html_page(markup: str, location: str = "saved.html") -> dict[str, Any]:
    [(_, raw)] = read_html_page(io.BytesIO(markup.encode("utf-8")), location)
    return raw


def article(raw: dict[str, Any]) -> ArticleRecord:
    warnings: list[str] = []
    record = article_from_raw(raw, warnings.append)
    assert record is not None and not warnings, warnings
    return record


def assert_only_the_story(body: str) -> None:
    for boilerplate in NOT_THE_STORY:
        assert boilerplate.lower() not in body.lower(), boilerplate


def test_json_ld_comes_first_and_the_body_is_the_story_alone() -> None:
    raw = read_page("night-trains-jsonld.html")
    record = article(raw)
    assert record.title == "Night trains to the coast return this summer"  # not og:title
    assert record.url == "https://coastcourier.example/transport/night-trains-return"
    assert record.published.isoformat() == "2024-05-02T06:45:00"
    assert record.authors == ("Mara Quillon", "Tobias Wren")
    assert record.section == "Transport"  # the first articleSection, not article:section
    assert record.tags == ("rail", "night trains", "tourism")
    assert (
        record.teaser == "The sleeper service from the capital to Port Alder runs again from June."
    )
    assert record.language == "en-GB"
    paragraphs = record.body.split("\n\n")
    assert len(paragraphs) == 4  # trafilatura's paragraphs, not the one-sentence articleBody
    assert paragraphs[0].startswith("The sleeper service from the capital to Port Alder will run")
    assert paragraphs[-1].endswith("by the middle of May.")
    assert_only_the_story(record.body)


def test_json_ld_in_a_graph_with_an_author_reference() -> None:
    record = article(read_page("peche-record-graph.html"))
    assert record.title == "Pêche : une saison record à l’île aux Grèbes"  # entity decoded
    assert record.url == "https://lephare.example/economie/peche-saison-record/"
    assert record.published.isoformat() == "2024-06-12T20:20:00"  # not article:published_time
    assert record.authors == ("Camille Dufresne",)
    assert record.section == "Économie"
    assert record.tags == ("pêche", "homard", "île aux Grèbes")
    assert record.language == "fr-CA"  # inLanguage before <html lang="fr">
    assert record.body.startswith("Les homardiers de l’île aux Grèbes ont terminé mardi")
    assert_only_the_story(record.body)


def test_opengraph_and_article_meta_tags_without_json_ld() -> None:
    record = article(read_page("rowing-opengraph.html"))
    assert record.title == "Saltmere rowers take the estuary cup for the first time"
    assert record.url == "https://valleypost.example/sport/estuary-cup-saltmere"
    assert record.published.isoformat() == "2024-07-20T17:10:00"
    assert record.section == "Sport"
    assert record.tags == ("rowing", "Saltmere", "estuary cup")
    assert record.authors == ("Ida Brannock",)  # article:author is a profile URL: <meta name>
    assert record.teaser == "A crew of eight club rowers beat the university boat by half a length."
    assert record.language == "en-US"
    assert record.body.startswith("Eight club rowers from Saltmere won the estuary cup")
    assert_only_the_story(record.body)


def test_a_page_with_neither_json_ld_nor_opengraph() -> None:
    record = article(read_page("library-plain-meta.html"))
    assert record.title == "Harbourside library opens late on Thursdays"  # site name cut off
    assert record.url == "https://harboursideherald.example/local/library-late-opening"
    assert record.published.isoformat() == "2024-08-01T06:00:00"
    assert record.authors == ("Tobias Wren",)
    assert record.tags == ("library", "opening hours", "Harbourside")
    assert record.teaser.startswith("From next month the library stays open until nine")
    assert record.language == ""
    assert record.body.startswith("The town library will stay open until nine o'clock")
    assert_only_the_story(record.body)


def test_a_page_whose_declared_charset_is_wrong_is_read_by_its_bytes() -> None:
    record = article(read_page("cafe-zoe-wrong-charset.html"))  # says utf-8, is windows-1252
    assert record.title == "Café Zoë reopens on the quay"
    assert "the crème brûlée was half price all day: €2 instead of €4." in record.body
    assert "“We nearly gave up in February,” said the owner, Zoë Marchetti." in record.body
    assert record.section == "Food"
    assert_only_the_story(record.body)


def test_a_shift_jis_page_in_japanese() -> None:
    record = article(read_page("library-shift-jis.html"))
    assert record.title == "市立図書館、木曜日は夜九時まで開館"
    assert record.language == "ja"
    assert record.published.isoformat() == "2024-03-13T01:00:00"
    assert record.body.startswith(
        "海口市立図書館は来月から、毎週木曜日の開館時間を午後九時まで延長する。"
    )
    assert len(record.body.split("\n\n")) == 3
    assert_only_the_story(record.body)


def test_an_iso_8859_1_page_in_german() -> None:
    record = article(read_page("muehle-latin1.htm"))
    assert record.title == "Grünwalder Mühle: Führungen ab Mai"
    assert record.language == "de-AT"
    assert record.published.isoformat() == "2024-04-20T00:00:00"
    assert record.body.startswith("Die alte Mühle an der Bachstraße öffnet ab dem ersten Mai")


def test_json_ld_article_body_is_used_when_the_page_shows_no_story() -> None:
    markup = """<html><head><script type="application/ld+json">{"@type": "NewsArticle",
        "headline": "Quay lights", "articleBody": "The quay lights are back on. All of them."}
        </script></head><body><div id="app"></div></body></html>"""
    assert html_page(markup)["body"] == "The quay lights are back on. All of them."


CANONICAL = '<title>Quay</title><link rel="canonical" href="/local/quay-2">'


@pytest.mark.parametrize(
    ("markup", "location", "url"),
    [
        ("<title>Quay</title>", "https://news.example/quay", "https://news.example/quay"),
        (CANONICAL, "https://news.example/quay?ref=rss", "https://news.example/local/quay-2"),
        (CANONICAL, "saved/quay.html", None),  # relative, and nothing to resolve it against
        ("<title>Quay</title>", "saved/quay.html", None),
    ],
)
def test_the_url_of_a_page(markup: str, location: str, url: str | None) -> None:
    assert html_page(markup, location).get("url") == url


def test_an_empty_page_is_an_invalid_record() -> None:
    [(where, problem)] = read_html_page(io.BytesIO(b"  \n"), "empty.html")
    assert where == "page" and problem.problem == "the page is empty"


@pytest.mark.parametrize(
    ("scripts", "headline"),
    [
        (['{"@type": "http://schema.org/ReportageNewsArticle", "headline": "A"}'], "A"),
        (['{"@type": ["WebPage"], "mainEntity": {"@type": "BlogPosting", "name": "B"}}'], "B"),
        (["{not json", '[{"@type": "Person"}, {"@type": "OpinionNewsArticle", "name": "C"}]'], "C"),
        (['{"@type": "WebPage", "name": "Not an article"}'], None),
    ],
)
def test_the_article_object_of_json_ld(scripts: list[str], headline: str | None) -> None:
    blocks = "".join(f'<script type="application/ld+json">{s}</script>' for s in scripts)
    found = linked_data_article(parse_html(f"<html><head>{blocks}</head></html>"))
    assert (found.get("headline") or found.get("name")) == headline


def test_json_ld_authors_keywords_and_language_in_their_other_shapes() -> None:
    linked = """{"@type": "Article", "headline": "Quay", "author": "Ida Brannock",
        "keywords": ["quay", "lights"], "articleSection": "Local",
        "inLanguage": {"@type": "Language", "name": "Welsh", "alternateName": "cy"}}"""
    raw = html_page(f'<script type="application/ld+json">{linked}</script>')
    assert (raw["author"], raw["tags"], raw["section"]) == (
        ["Ida Brannock"],
        ["quay", "lights"],
        "Local",
    )
    assert raw["language"] == "cy"


MODIFIED_ONLY = '{"@type": "NewsArticle", "headline": "Q", "dateModified": "2024-05-09"}'
OG_DATE = '<meta property="article:published_time" content="2024-05-07T10:00:00Z">'


@pytest.mark.parametrize(
    ("linked", "meta", "published"),
    [
        ('{"@type": "NewsArticle", "headline": "Q", "datePublished": "last Tuesday"}', OG_DATE,
         "2024-05-07T10:00:00+00:00"),  # an unreadable date gives way to a readable one
        (MODIFIED_ONLY, OG_DATE, "2024-05-07T10:00:00+00:00"),  # publication, not modification
        (MODIFIED_ONLY, "", "2024-05-09"),
        ('{"@type": "NewsArticle", "headline": "Q", "datePublished": "last Tuesday"}', "",
         "last Tuesday"),  # passed on, so that the warning names it
    ],
)  # fmt: skip
def test_the_date_of_a_page(linked: str, meta: str, published: str) -> None:
    raw = html_page(f'<script type="application/ld+json">{linked}</script>{meta}')
    assert raw["published"] == published


LONG_TAIL = "Why | the council changed its mind on the lights"


@pytest.mark.parametrize(
    ("title", "site_name", "url", "expected"),
    [
        ("Quay lights | The Coast Courier", "The Coast Courier", "", "Quay lights"),
        ("Quay lights - The Coast Courier", "The Coast Courier", "", "Quay lights"),
        ("Quay lights — Harbourside Herald", "", "http://harboursideherald.example", "Quay lights"),
        ("Quay lights | Valley Post", "", "", "Quay lights"),
        ("Up - and down the quay", "", "https://news.example/", "Up - and down the quay"),
        (LONG_TAIL, "", "", LONG_TAIL),  # too long to be a site name
        ("The Coast Courier", "The Coast Courier", "", "The Coast Courier"),
    ],
)
def test_title_without_site_name(title: str, site_name: str, url: str, expected: str) -> None:
    assert title_without_site_name(title, site_name, url) == expected


RUSSIAN = '<meta charset="koi8-r"><p>Новый кран прибыл в порт сегодня утром.</p>'


@pytest.mark.parametrize(
    ("data", "text"),
    [
        ("Café".encode("utf-8-sig"), "Café"),
        ("Café".encode("utf-16"), "Café"),
        ('<meta charset="utf-8"><p>Café Zoë, crème brûlée</p>'.encode("cp1252"), "Café Zoë"),
        ('<meta charset="iso-8859-1"><p>Grüße aus Köln</p>'.encode("latin-1"), "Grüße aus Köln"),
        ('<meta charset="iso-8859-1"><p>Grüße aus Köln</p>'.encode(), "Grüße aus Köln"),
        (RUSSIAN.encode("koi8-r"), "Новый кран прибыл"),
        (b"<p>Plain ASCII</p>", "Plain ASCII"),
    ],
)
def test_pages_are_decoded_by_what_their_bytes_are(data: bytes, text: str) -> None:
    assert text in decode_page(data)


@pytest.mark.parametrize(
    ("head", "codec"),
    [
        (b'<meta charset="UTF-8">', "utf-8"),
        (b"<meta http-equiv='Content-Type' content='text/html; charset=Shift_JIS'>", "shift_jis"),
        (b'<meta charset="iso-8859-1">', "cp1252"),  # as browsers read it
        (b'<meta charset="x-no-such-charset">', ""),
        (b"<title>no declaration</title>", ""),
    ],
)
def test_declared_charset(head: bytes, codec: str) -> None:
    assert declared_charset(b"<html><head>" + head + b"</head></html>") == codec


# Plain-text saved pages


def test_a_text_page_keeps_the_story_and_leaves_out_what_follows_it() -> None:
    record = article(read_page("ferry-strike-saved.txt"))
    assert record.title == "Ferry crews vote to strike over winter rota"
    paragraphs = record.body.split("\n\n")
    assert paragraphs[0].startswith("Crews on the Skerry Island ferry have voted to strike")
    assert paragraphs[-1].startswith("Islanders have been told to stock up on medicines")
    assert len(paragraphs) == 7  # one per line, the "Read more:" promotion left out
    assert_only_the_story(record.body)
    assert record.url == ""


def test_a_hard_wrapped_text_page_in_windows_1252() -> None:
    record = article(read_page("village-hall-wrapped.txt"))
    assert record.title == "Village hall roof saved by a winter of bake sales"
    paragraphs = record.body.split("\n\n")
    assert len(paragraphs) == 3
    assert paragraphs[1].endswith("said the treasurer, Søren Åkesson.")
    assert "€1,800" in paragraphs[1]
    assert "oak tree" not in record.body


def test_a_text_page_from_a_url_has_that_url() -> None:
    raw = read_page("ferry-strike-saved.txt", location="https://coastcourier.example/ferry-strike")
    assert raw["url"] == "https://coastcourier.example/ferry-strike"


@pytest.mark.parametrize("data", [b"", b"\n \n\t\n"])
def test_an_empty_text_page_is_an_invalid_record(data: bytes) -> None:
    [(where, problem)] = read_text_page(io.BytesIO(data), "empty.txt")
    assert where == "page" and problem.problem == "the page is empty"


@pytest.mark.skipif(not SEED_PAGE.is_file(), reason="../shared/seed/news-page.txt is not present")
def test_the_seed_page_keeps_its_story_and_nothing_after_it() -> None:
    lines = [line.strip() for line in SEED_PAGE.read_text("utf-8").splitlines()]
    with SEED_PAGE.open("rb") as stream:
        [(_, raw)] = read_text_page(stream, str(SEED_PAGE))
    paragraphs = raw["body"].split("\n\n")
    assert raw["title"] == lines[0]
    assert paragraphs[0] == next(line for line in lines[1:] if line)
    last = lines.index(paragraphs[-1])
    assert "comment" in lines[last + 1].lower()  # the story ends where the notice begins
    assert "More from" not in raw["body"] and "comment" not in raw["body"].lower()


@pytest.mark.parametrize(
    "marker",
    [
        "Comments are closed.",
        "We have switched off comments. Join the conversation on our social pages.",
        "Sign in to comment on this story",
        "12 Comments",
        "More from The Coast Courier",
        "Related stories",
        "RELATED ARTICLES",
        "You may also like",
        "Trending now",
        "Most read",
    ],
)
def test_story_lines_stop_at_what_follows_a_story(marker: str) -> None:
    lines = ["The story.", "", "Its second paragraph.", marker, "Another story entirely."]
    assert story_lines(lines) == ["The story.", "", "Its second paragraph."]


@pytest.mark.parametrize(
    "line",
    [
        "Trending upwards all year, prices at the fish market fell for the first time in March.",
        "The council said comments on the plan can be sent in until Friday.",
        "More from the harbour master: she also wants a second tug.",
        "Most read books in the library this year were about the sea",
    ],
)
def test_story_lines_keep_story_text_that_only_looks_like_a_marker(line: str) -> None:
    lines = ["The story.", line, "The end."]
    assert story_lines(lines) == lines


def test_story_lines_drop_promotions_of_other_stories_and_ignore_a_leading_marker() -> None:
    lines = ["Trending", "The story.", "READ MORE: Quay lights are back", "The end."]
    assert story_lines(lines) == ["Trending", "The story.", "The end."]


def test_text_paragraphs_join_hard_wrapped_lines_only() -> None:
    wrapped = ["The quay lights were switched", "on again on Friday after a", "month.", ""]
    one_per_line = ["First sentence.", "Second sentence.", "Third sentence."]
    assert text_paragraphs(wrapped + one_per_line) == [
        "The quay lights were switched on again on Friday after a month.",
        *one_per_line,
    ]


# End to end: the pages folder through `indexer rebuild` and `indexer search`.


@pytest.fixture
def pages_index(indexer) -> dict[str, Any]:
    result = indexer("rebuild", str(PAGES), "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def search(indexer, query: str) -> dict[str, Any]:
    result = indexer("search", query, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_every_fixture_page_is_indexed_without_warnings(pages_index) -> None:
    assert (pages_index["files"], pages_index["indexed"], pages_index["warnings"]) == (9, 9, 0)


@pytest.mark.parametrize(
    ("query", "title", "published", "section", "language", "teaser_start"),
    [
        ("sleeper service", "Night trains to the coast return this summer",
         "2024-05-02T06:45:00Z", "Transport", "en-GB",
         "The sleeper service from the capital to Port Alder runs again from June."),
        # accent-folded, from a page declared utf-8 but written in windows-1252; no description,
        # so the teaser is the opening of the body
        ("brulee", "Café Zoë reopens on the quay", "2024-03-08T23:00:00Z", "Food", "en",
         "After a winter of repairs, Café Zoë opened its doors again"),
        ("homardiers", "Pêche : une saison record à l’île aux Grèbes", "2024-06-12T20:20:00Z",
         "Économie", "fr-CA", "Les homardiers de l’île ont débarqué"),
        # a plain-text save declares no language: it is identified from the text
        ("skerry strike", "Ferry crews vote to strike over winter rota", None, "", "en",
         "Crews on the Skerry Island ferry have voted to strike"),
    ],
)  # fmt: skip
def test_pages_come_out_of_search(
    pages_index, indexer, query, title, published, section, language, teaser_start
) -> None:
    hit = search(indexer, query)["results"][0]
    assert hit["title"] == title
    assert hit["published"] == published
    assert hit["section"] == section
    assert hit["language"] == language
    assert hit["teaser"].startswith(teaser_start)


@pytest.mark.parametrize("query", ["Marina Mart", "regatta", "bakery", "gazette", "oak tree"])
def test_what_is_not_the_story_cannot_be_found(pages_index, indexer, query: str) -> None:
    assert search(indexer, query)["total"] == 0
