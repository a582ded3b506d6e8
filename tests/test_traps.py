"""The trap fixtures (``tests/fixtures/traps/``): each holds one way publishers trip a reader up
(site names in titles, truncated headlines, ruby readings, dates in local forms, standfirsts,
captions, bylines, a broken feed, wrong charset declarations). Each is read through the reading
API ``indexer rebuild`` uses, and the whole folder through ``indexer rebuild`` and ``indexer
search``; feeds also over HTTP from a local server. ``fixtures/traps.json`` says what a person
reads off each fixture; ``python -m bench pages`` counts the same facts.
"""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_pages_ingest import search

from indexer.ingest.articles import ArticleRecord
from indexer.ingest.fetch import SourceStates
from indexer.ingest.sources import ReadReport, find_sources, read_articles
from indexer.ingest.webpages import read_html_page

TRAPS_FOLDER = Path(__file__).parent / "fixtures" / "traps"
TRAPS = json.loads(TRAPS_FOLDER.with_suffix(".json").read_text("utf-8"))


def read(location: str, tmp_path: Path) -> tuple[list[ArticleRecord], list[str]]:
    """The articles and warnings of a source, read as ``indexer rebuild`` reads them."""
    report = ReadReport()
    states = SourceStates(tmp_path / "sources")
    return list(read_articles(find_sources([location]), report, states)), report.warnings


@pytest.mark.parametrize("trap", TRAPS, ids=[trap["file"] for trap in TRAPS])
def test_each_trap_is_read_as_a_person_reads_it(trap: dict[str, Any], tmp_path: Path) -> None:
    articles, warnings = read(str(TRAPS_FOLDER / trap["file"]), tmp_path)
    article = articles[trap.get("item", 1) - 1]
    assert article.title == trap["title"]
    published = article.published.isoformat() if article.published else None
    assert published == trap["published"]
    assert article.body.startswith(trap["body_start"]), article.body[:200]
    for not_the_story in trap.get("not_in_body", []):
        assert not_the_story not in article.body
    assert article.teaser.startswith(trap.get("teaser_start", ""))
    expected_warnings = [trap["warning"]] if "warning" in trap else []
    assert [w for w in warnings if any(e in w for e in expected_warnings)] == warnings
    assert len(warnings) == len(expected_warnings), warnings


@pytest.mark.parametrize(
    ("name", "published"),
    [
        ("de-site-and-date-affixes.html", "2020-01-19"),  # a date alone stays a date alone
        ("en-logo-in-h1-no-metadata.html", "2023-11-02"),
        ("ar-date-in-visible-line.html", "2020-10-14"),
        ("es-time-free-text.html", "2019-05-14T18:30:00"),  # a stated time, no zone: as stated
        ("ko-iso-basic-date.html", "2018-06-19T05:50:00+09:00"),  # the zone kept for UTC
        ("en-date-without-year.html", None),  # "Monday 14 October": no invented year
    ],
)
def test_page_dates_are_passed_on_as_stated(name: str, published: str | None) -> None:
    with (TRAPS_FOLDER / name).open("rb") as stream:
        [(_where, raw)] = read_html_page(stream, str(TRAPS_FOLDER / name))
    assert raw.get("published") == published


def test_the_ruby_readings_never_run_into_the_words(tmp_path: Path) -> None:
    """A page whose headline is only in an <h1> with readings over its kanji."""
    page = (TRAPS_FOLDER / "ja-ruby-prefix.html").read_text("utf-8")
    head, _, rest = page.partition("</head>")
    only_h1 = tmp_path / "ruby.html"
    only_h1.write_text('<html lang="ja"><head><meta charset="utf-8"></head>' + rest, "utf-8")
    [article], _warnings = read(str(only_h1), tmp_path)
    assert article.title == "港に新しいクレーンが来ました"
    assert "みなと" not in article.body
    assert "クレーンは高さが八十メートルあります。" in article.body


def test_json_ld_in_cdata_gives_its_section_and_author(tmp_path: Path) -> None:
    [article], _warnings = read(str(TRAPS_FOLDER / "de-json-ld-in-cdata.html"), tmp_path)
    assert (article.section, article.authors) == ("Wirtschaft", ("Hauke Petersen",))


def test_a_stray_windows_1252_byte_in_a_utf8_page_is_read(tmp_path: Path) -> None:
    [article], _warnings = read(str(TRAPS_FOLDER / "en-utf8-with-one-cp1252-byte.html"), tmp_path)
    assert "Its crème brûlée costs €3 again." in article.body
    assert "Zoë Marchetti" in article.body


def test_every_item_of_the_recovered_and_the_mis_declared_feeds(tmp_path: Path) -> None:
    broken, warnings = read(str(TRAPS_FOLDER / "broken-atom-undeclared-prefixes.atom"), tmp_path)
    assert [a.title for a in broken] == [
        "Fog closes the estuary to shipping",
        "Night buses run late after the concert",
    ]
    assert broken[0].url == "https://nightdesk.example/2024/06/fog-closes-estuary"
    assert broken[0].section == "Shipping" and broken[1].body == ""
    [warning] = warnings
    assert "broken-atom-undeclared-prefixes.atom:feed: not well-formed XML" in warning
    cyrillic, _ = read(str(TRAPS_FOLDER / "ru-cp1251-declared-utf8-full-text.rss"), tmp_path)
    assert [a.section for a in cyrillic] == ["Порт", "Порт"]
    assert cyrillic[1].body.startswith("Ледокол «Капитан Соколов» вернулся к причалу")
    portuguese, _ = read(str(TRAPS_FOLDER / "pt-localized-pubdate.rss"), tmp_path)
    assert portuguese[1].published.isoformat() == "2018-09-21T11:05:00"  # "Sex, 21 Set 2018"


# The whole folder through `indexer rebuild` and `indexer search`.


@pytest.fixture
def traps_index(indexer) -> dict[str, Any]:
    result = indexer("rebuild", str(TRAPS_FOLDER), "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_the_traps_folder_is_indexed_with_exactly_the_warnings_it_calls_for(traps_index) -> None:
    assert traps_index["files"] == 24
    assert traps_index["indexed"] == 27  # 21 pages and 3 feeds of 2 items
    assert traps_index["warnings"] == 3
    messages = " ".join(traps_index["warning_messages"])
    assert "en-future-date.html:page: field 'published': date '2099-01-01" in messages
    assert "is in the future; field dropped" in messages
    assert "en-date-before-1800.html:page: field 'published'" in messages
    assert "broken-atom-undeclared-prefixes.atom:feed: not well-formed XML" in messages


@pytest.mark.parametrize(
    ("query", "title", "published", "teaser_start"),
    [
        ("diga foranea", "Il porto di Levante riapre la diga foranea", "2024-02-09T06:15:00Z",
         "Dopo due anni di lavori"),
        ("Hafenstreik", "Hafenstreik legt Bremerhaven lahm", "2020-01-19T00:00:00Z",
         "Seit dem Morgen wird kein Schiff mehr entladen."),
        ("lifeboat Skerry", "Lifeboat station to close after 140 years", "2024-09-03T07:00:00Z",
         "The volunteer crew at Skerry Point will move to a new base"),
        ("balsa", "Balsa entre as duas margens volta a operar à noite", "2018-09-24T22:42:40Z",
         "A travessia noturna tinha sido suspensa em julho."),
        ("estuary fog", "Fog closes the estuary to shipping", "2024-06-01T22:10:00Z",
         "Pilots stopped boarding ships at ten o'clock"),
        ("tide gauge", "Harbour board approves the new tide gauge", None,
         "The harbour board has approved a new tide gauge"),
    ],
)  # fmt: skip
def test_traps_come_out_of_search_as_read(
    traps_index, indexer, query: str, title: str, published: str | None, teaser_start: str
) -> None:
    hit = search(indexer, query)["results"][0]
    assert (hit["title"], hit["published"]) == (title, published)
    assert hit["teaser"].startswith(teaser_start)


@pytest.mark.parametrize("query", ["Mara Quillon", "Ida Brannock", "Camille Dufresne"])
def test_bylines_and_captions_cannot_be_found(traps_index, indexer, query: str) -> None:
    assert search(indexer, query)["total"] == 0


# Feeds over HTTP: what the server says about the charset must not matter either.


class _FeedServer(http.server.BaseHTTPRequestHandler):
    """Serves the trap feeds with a Content-Type that claims UTF-8."""

    def do_GET(self) -> None:  # noqa: N802 (the name http.server calls)
        path = TRAPS_FOLDER / self.path.lstrip("/")
        if path.parent != TRAPS_FOLDER or not path.is_file():
            self.send_error(404)
            return
        body = path.read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def feed_server() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _FeedServer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_broken_and_mis_declared_feeds_over_http(indexer, feed_server: str) -> None:
    names = ("broken-atom-undeclared-prefixes.atom", "ru-cp1251-declared-utf8-full-text.rss")
    urls = [f"{feed_server}/{name}" for name in names]
    result = indexer("rebuild", *urls, "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["indexed"] == 4
    [warning] = summary["warning_messages"]
    assert warning.startswith(f"{urls[0]}:feed: not well-formed XML")
    hit = search(indexer, "портальный кран")["results"][0]
    assert hit["title"] == "Новый портальный кран прибыл в порт"
    assert hit["published"] == "2024-03-12T05:30:00Z"
    assert search(indexer, "сорока тонн")["total"] == 1  # in yandex:full-text only
