"""RSS and Atom feeds as article sources: the reader on fixture feeds (RSS 2.0, 1.0 and 0.91, Atom,
a lenient and a broken feed), and the whole way through ``indexer rebuild`` and ``indexer search``.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from indexer.ingest.articles import ArticleRecord, article_from_raw
from indexer.ingest.feeds import person_name, read_feed
from indexer.ingest.records import InvalidRecord, ReadWarning

FEEDS = Path(__file__).parent / "fixtures" / "feeds"


def read(name: str, location: str | None = None) -> list[tuple[str, Any]]:
    with (FEEDS / name).open("rb") as stream:
        return list(read_feed(stream, location or str(FEEDS / name)))


def read_bytes(data: bytes, location: str = "feed.xml") -> list[tuple[str, Any]]:
    return list(read_feed(io.BytesIO(data), location))


def items(name: str) -> dict[str, dict[str, Any]]:
    return dict(read(name))


def article(raw: dict[str, Any]) -> ArticleRecord:
    warnings: list[str] = []
    record = article_from_raw(raw, warnings.append)
    assert record is not None and not warnings, warnings
    return record


def rss(items_xml: str, channel_xml: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>'
        f"{channel_xml}{items_xml}</channel></rss>"
    ).encode()


def test_an_rss_2_item_becomes_an_article_with_every_field() -> None:
    raw = items("coast-courier.xml")["item 1"]
    assert "id" not in raw  # the link is the id: article_from_raw derives a stable one from it
    record = article(raw)
    assert record.title == "Harbour cranes return after a long refit"
    assert record.url == "https://coastcourier.example/business/harbour-cranes-return"
    assert record.published.isoformat() == "2024-03-07T09:30:00"
    assert record.authors == ("Mara Quillon",)
    assert record.section == "Business"
    assert record.tags == ("Business", "Port", "Shipping")
    assert record.language == "en-GB"


def test_html_in_cdata_descriptions_and_content_encoded_becomes_text() -> None:
    record = article(items("coast-courier.xml")["item 1"])
    assert (
        record.teaser == "The two container cranes are back on the quay at last, four months late."
    )
    paragraphs = record.body.split("\n\n")
    assert paragraphs[0].startswith("The two container cranes that left Port Alder")
    assert paragraphs[-1].startswith("“We lost a season of capacity,” she said.")
    assert "<" not in record.body and "&ldquo;" not in record.body


def test_an_escaped_html_description_becomes_text_paragraphs() -> None:
    record = article(items("coast-courier.xml")["item 3"])
    assert record.teaser == (
        "Early sailings to Skerry Island move twenty minutes later.\n\n"
        "The last boat back leaves at 22:40."
    )


def test_an_item_without_a_link_is_named_by_its_guid() -> None:
    raw = items("coast-courier.xml")["item 3"]
    assert "url" not in raw
    assert article(raw).id == "cc-2024-0311-ferry"


def test_non_ascii_text_and_an_email_style_author() -> None:
    record = article(items("coast-courier.xml")["item 2"])
    assert record.title == "Café Zoë reopens on the quay — with crème brûlée at half price"
    assert record.teaser.startswith(
        "After a winter of repairs the café is open again. Fish & chips"
    )
    assert record.authors == ("Ida Brannock",)


@pytest.mark.parametrize(
    ("feed", "where", "published"),
    [
        ("coast-courier.xml", "item 2", "2024-03-08T23:05:00+00:00"),  # zone name, no seconds
        ("coast-courier.xml", "item 3", "2024-03-09T05:15:00+00:00"),  # two-digit year
        ("valle-verde.rdf", "item 1", "2024-02-14T11:00:00+00:00"),  # W3C-DTF with offset
        ("valle-verde.rdf", "item 2", "2024-02-15T00:00:00+00:00"),  # a date alone
        ("fjordposten.atom", "item 2", "2024-04-03T08:15:30+00:00"),  # fractional seconds
        ("kaikou-shimbun.xml", "item 2", "2024-03-16T22:30:00+00:00"),  # +0900
    ],
)
def test_odd_date_formats_become_iso_8601_in_utc(feed: str, where: str, published: str) -> None:
    assert items(feed)[where]["published"] == published


def test_an_unreadable_date_is_passed_on_so_the_warning_shows_it() -> None:
    raw = items("coast-courier.xml")["item 5"]
    assert raw["published"] == "sometime last week"
    warnings: list[str] = []
    record = article_from_raw(raw, warnings.append)
    assert record is not None and record.published is None
    assert warnings == ["field 'published': unrecognised date 'sometime last week'; field dropped"]


def test_an_item_without_a_title_is_passed_on_and_skipped_with_a_warning() -> None:
    raw = items("coast-courier.xml")["item 4"]
    assert "title" not in raw
    warnings: list[str] = []
    assert article_from_raw(raw, warnings.append) is None
    assert warnings == ["record has no title; record skipped"]


def test_rss_1_0_items_with_dublin_core_fields() -> None:
    first, second = (article(raw) for _, raw in read("valle-verde.rdf"))
    assert first.title == "La cosecha de aceitunas supera lo previsto en el valle"
    assert first.authors == ("Lucía Peñalver",)
    assert first.section == "Campo"
    assert first.language == "es"
    assert second.title == "Año récord para la cooperativa de Peñas Altas"
    assert second.authors == ()


def test_rss_0_91_in_iso_8859_1_without_dates() -> None:
    records = [article(raw) for _, raw in read("gruenwalder-bote.rss")]
    assert [r.title for r in records] == [
        "Die alte Mühle in Grünwalde dreht sich wieder",
        "Straßenfest am Marktplatz: Anwohner dürfen länger feiern",
    ]
    assert all(r.published is None and r.language == "de" for r in records)
    assert "Bachstraße" in records[0].teaser


def test_atom_entries_with_updated_only_and_xml_lang() -> None:
    entries = items("fjordposten.atom")
    bridge = article(entries["item 1"])
    assert bridge.title == "Ny bro over Sørfjorden åpner i mai"  # type="html" title as text
    assert bridge.url == "https://fjordposten.example/nyheter/ny-bro-over-sorfjorden"  # xml:base
    assert bridge.published.isoformat() == "2024-04-02T10:00:00"
    assert bridge.authors == ("Fjordposten-redaksjonen",)  # the feed's author
    assert bridge.language == "nb"
    assert bridge.body.startswith("Etter fire års arbeid står den nye brua")
    assert bridge.teaser == ""  # no summary: feedparser's copy of the content is not a teaser
    quay = article(entries["item 2"])
    assert quay.authors == ("Siri Åsland", "Per Kvåle")
    assert quay.tags == ("Næringsliv", "Fiske")
    assert quay.teaser == "Kommunen betaler halvparten av den nye kaia."
    assert quay.body.split("\n\n") == [
        "Kaia i Hamnøy har vært stengt siden stormen i januar.",
        "Den nye skal stå klar før sildesesongen.",
    ]
    assert article(entries["item 3"]).language == "en"  # the entry's own xml:lang


def test_a_lenient_feed_with_a_flaw_still_gives_its_items_and_says_so() -> None:
    found = read("kaikou-shimbun.xml")  # an undefined entity: feedparser flags it, reads on
    [(where, warning)] = [(where, raw) for where, raw in found if isinstance(raw, ReadWarning)]
    assert where == "feed"
    assert warning.message.startswith("not well-formed XML (undefined entity at line")
    assert warning.message.endswith("its items were read with a recovering parser")
    items = [raw for _, raw in found if isinstance(raw, dict)]
    assert [raw["title"] for raw in items] == [
        "市立図書館が木曜日の夜間開館を始める",
        "港の朝市に三百人",
    ]
    assert all(raw["language"] == "ja" and raw["section"] == "地域" for raw in items)


def test_a_broken_feed_is_one_invalid_record_naming_the_problem() -> None:
    [(where, problem)] = read("night-desk-broken.xml")
    assert where == "feed" and isinstance(problem, InvalidRecord)
    assert problem.problem.startswith("not a valid RSS or Atom feed: not well-formed")
    assert "line 5" in problem.problem


@pytest.mark.parametrize(
    "data", [b"", b"<html><body><p>A web page, not a feed</p></body></html>", b"\x00\xff\x10"]
)
def test_something_that_is_not_a_feed_is_an_invalid_record(data: bytes) -> None:
    [(where, problem)] = read_bytes(data)
    assert where == "feed" and problem.problem.startswith("not a valid RSS or Atom feed")


def test_a_feed_that_names_a_file_or_url_is_not_followed() -> None:
    for content in (str(FEEDS / "coast-courier.xml"), "https://news.example/feed.xml"):
        [(where, problem)] = read_bytes(content.encode())
        assert where == "feed" and isinstance(problem, InvalidRecord)


def test_an_empty_feed_gives_nothing_and_no_warning() -> None:
    assert read_bytes(rss("")) == []


def test_relative_links_are_resolved_against_the_channel_link_or_the_feed_url() -> None:
    item = "<item><title>Quay</title><link>story/1</link></item>"
    with_channel = read_bytes(rss(item, "<link>https://news.example/local/</link>"))
    assert with_channel[0][1]["url"] == "https://news.example/local/story/1"
    fetched = read_bytes(rss(item), location="https://news.example/feeds/main.xml")
    assert fetched[0][1]["url"] == "https://news.example/feeds/story/1"


def test_without_a_date_there_is_no_published_field() -> None:
    [(_, raw)] = read_bytes(rss("<item><title>Quay</title><link>https://n.example/1</link></item>"))
    assert "published" not in raw


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Ida Brannock", "Ida Brannock"),
        ("desk@coastcourier.example (Ida Brannock)", "Ida Brannock"),
        ("Ida Brannock <ida@news.example>", "Ida Brannock"),
        ("Ida Brannock (ida@news.example)", "Ida Brannock"),
        ("ida@news.example", ""),
        ("  Dr. Ida B.  Brannock, Jr. ", "Dr. Ida B. Brannock, Jr."),
    ],
)
def test_person_name(text: str, name: str) -> None:
    assert person_name(text) == name


# End to end: the feeds folder through `indexer rebuild` and `indexer search`.


@pytest.fixture
def feeds_index(indexer) -> dict[str, Any]:
    result = indexer("rebuild", str(FEEDS), "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def search(indexer, query: str) -> list[dict[str, Any]]:
    result = indexer("search", query, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["results"]


def test_a_broken_feed_is_a_warning_and_the_other_feeds_are_indexed(feeds_index) -> None:
    assert feeds_index["files"] == 6
    assert feeds_index["indexed"] == 13
    broken = [w for w in feeds_index["warning_messages"] if "night-desk-broken.xml" in w]
    assert len(broken) == 1 and "feed: not a valid RSS or Atom feed" in broken[0]


@pytest.mark.parametrize(
    ("query", "title", "published", "section", "language", "teaser_start"),
    [
        ("cranes refit", "Harbour cranes return after a long refit", "2024-03-07T09:30:00Z",
         "Business", "en-GB", "The two container cranes are back on the quay at last"),
        # accent-folded; no summary, so the teaser is the opening of the body
        ("sorfjorden", "Ny bro over Sørfjorden åpner i mai", "2024-04-02T10:00:00Z",
         "Samferdsel", "nb", "Etter fire års arbeid"),
        ("aceitunas", "La cosecha de aceitunas supera lo previsto en el valle",
         "2024-02-14T11:00:00Z", "Campo", "es", "Los olivareros recogieron"),
        ("Mühle Grünwalde", "Die alte Mühle in Grünwalde dreht sich wieder", None, "", "de",
         "Nach drei Jahren Stillstand"),
    ],
)  # fmt: skip
def test_feed_items_come_out_of_search(
    feeds_index, indexer, query, title, published, section, language, teaser_start
) -> None:
    hit = search(indexer, query)[0]
    assert hit["title"] == title
    assert hit["published"] == published
    assert hit["section"] == section
    assert hit["language"] == language
    assert hit["teaser"].startswith(teaser_start)
