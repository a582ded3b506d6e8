"""Hostile input and the attack surface (issue 7, points 4-6).

- Hostile queries: any string and any parameters through the API, the search page and the feed
  give a 200 or a 400, never a 500 or a hang (hypothesis); costly queries are bounded on a bigger
  index; a schemathesis fuzzing run finds no server error and no response that breaks the schema.
- Hostile articles: raw records of any shape (hypothesis) are skipped with a warning naming file
  and line, never crashing the run or corrupting the index; script and HTML in any field come out
  escaped in the page, the API, the feed and snippets; ``javascript:`` urls never become links.
- Surface: article ids and static paths cannot reach files; every response carries the security
  headers; the production app has no debug mode, answers its own failures with a friendly 500,
  and writes nothing to disk.
"""

from __future__ import annotations

import html
import http.client
import json
import os
import random
import re
import runpy
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote, quote_from_bytes, urlencode
from xml.etree import ElementTree

import pytest
import schemathesis
from click.testing import CliRunner
from hostile_strings import (
    INJECTIONS,
    MARKUP_URLS,
    TRAVERSAL_PATHS,
    UNSAFE_URLS,
    without_site_script,
)
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from test_api import conforms
from test_feeds import feed

from conftest import (
    SAMPLES,
    app_for,
    client_for_records,
    close_app,
    gunicorn_serving,
    sample_records,
    write_jsonl,
)
from indexer.cli import main
from indexer.config import PROJECT_ROOT, load_settings
from indexer.index.build import rebuild_index
from indexer.search import service as service_module
from test_pages import PageParser
from webui import create_app
from webui.openapi import openapi_document

# A ceiling that only catches hangs (README, Test), far above the search's own time limit
# (TIME_LIMIT_SECONDS, 2 s): how fast requests are is measured by the benchmark, not here.
HANG_SECONDS = 30.0
HYPOTHESIS = settings(
    derandomize=True,
    database=None,
    deadline=None,  # a per-example deadline would test speed; timed_get catches hangs
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],  # no slow "explain"
)
PARAMETERS = ["q", "section", "from", "to", "sort", "page", "per_page"]


def timed_get(client, url: str, **kwargs):
    """GET ``url``; the response, after checking it did not hang (``HANG_SECONDS``)."""
    started = time.perf_counter()
    response = client.get(url, **kwargs)
    response.get_data()
    elapsed = time.perf_counter() - started
    assert elapsed < HANG_SECONDS, f"{url} {kwargs} hung for {elapsed:.1f} s"
    return response


# 4. Hostile queries -------------------------------------------------------------------------------

QUERY_PIECES = [
    "harbour", "oil", "prices", "election", "AND", "OR", "NOT", "-", "+", '"', "(", ")", "*", "?",
    "a*", "*a", "e?", ":", "title:", "section:", "author:", "tags:", "body:", "teaser:", "id:",
    "url:", "published:", "month:", "words:", "undated:", "^2", "~", "~2", "[", "]", "{", "}",
    "TO", "\\", "/", "'", "<", ">", "&", "%", "\x00", "\x1b", "é", "🎉", "ǅ", "\u202e", "\ufeff",
    "𝕠", "Ｏ", "ß", "İ", "<script>", "''", "$1.5bn", "3.5%", "U.S.", "covid-19", "F-16",
]  # fmt: skip
ODD_VALUES = [
    "", " ", "0", "1", "2", "10", "100", "101", "1000", "100000", "999999999", "1000000000",
    "1e3", "0x10", "+5", "-1", " 7 ", "٣", "²", "①", "１", "2024-01-01", "2024-02-30",
    "9999-12-31", "0001-01-01", "0000-01-01", "2024-1-1", "２０２４-01-01", "2024-01-01T00:00",
    "newest", "oldest", "relevance", "NEWEST", "Politics", "politics", "\x00", "%00", "[]", "{}",
]  # fmt: skip
TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)
QUERY_TEXT = st.one_of(
    TEXT,
    st.lists(st.one_of(st.sampled_from(QUERY_PIECES), TEXT), max_size=12).flatmap(
        lambda pieces: st.sampled_from([" ", "", "  "]).map(lambda glue: glue.join(pieces))
    ),
    st.integers(900, 1100).map(lambda n: ("ab " * n)[:n]),  # around the length limit
)
VALUES = st.one_of(
    st.sampled_from(ODD_VALUES),
    TEXT,
    st.integers(-(10**30), 10**30).map(str),
    st.dates().map(str),
)
PARAMS = st.lists(
    st.one_of(
        st.tuples(st.just("q"), QUERY_TEXT),
        st.tuples(st.sampled_from(PARAMETERS + ["other"]), VALUES),
    ),
    max_size=8,
)  # (name, value) pairs: names repeat, parameters are missing, empty or unknown
RAW_QUERY_STRINGS = st.lists(
    st.tuples(st.sampled_from(PARAMETERS), st.binary(max_size=30)), min_size=1, max_size=4
).map(lambda pairs: "&".join(f"{name}={quote_from_bytes(raw)}" for name, raw in pairs))


def assert_json_answer(response) -> None:
    assert response.status_code in (200, 400), (response.status_code, response.json)
    assert response.mimetype == "application/json"
    if response.status_code == 400:
        conforms(response.json, "Error")
        assert response.json["error"]["code"] and response.json["error"]["message"]
    else:
        conforms(response.json, "SearchResponse")


def assert_page_answer(response) -> None:
    assert response.status_code in (200, 400), response.status_code
    text = response.get_data(as_text=True)
    assert response.mimetype == "text/html" and "<script" not in without_site_script(text).lower()
    assert "Traceback" not in text


def assert_feed_answer(response) -> None:
    assert response.status_code in (200, 400), response.status_code
    if response.status_code == 200:
        assert "<script" not in response.get_data(as_text=True).lower()
        ElementTree.fromstring(response.data)  # well-formed whatever the query held


@settings(HYPOTHESIS, max_examples=150)
@given(params=PARAMS)
@example(params=[("page", "²")])
@example(params=[("per_page", "①")])
def test_any_search_parameters_get_a_200_or_a_400_from_the_api(app, params) -> None:
    assert_json_answer(timed_get(app.test_client(), "/api/search", query_string=params))


@settings(HYPOTHESIS, max_examples=60)
@given(params=PARAMS)
@example(params=[("page", "²")])
def test_any_search_parameters_get_a_200_or_a_400_from_the_page(app, params) -> None:
    assert_page_answer(timed_get(app.test_client(), "/", query_string=params))


@settings(HYPOTHESIS, max_examples=60)
@given(params=PARAMS)
@example(params=[("per_page", "³")])
def test_any_search_parameters_get_a_200_or_a_400_from_the_feed(app, params) -> None:
    assert_feed_answer(timed_get(app.test_client(), "/search.atom", query_string=params))


@settings(HYPOTHESIS, max_examples=60)
@given(raw=RAW_QUERY_STRINGS)
def test_any_bytes_in_the_query_string_get_a_200_or_a_400(app, raw) -> None:
    client = app.test_client()
    assert_json_answer(timed_get(client, f"/api/search?{raw}"))
    assert_page_answer(timed_get(client, f"/?{raw}"))


@settings(HYPOTHESIS, max_examples=60)
@given(article_id=st.one_of(TEXT, st.sampled_from(["sample-017", "sample-030"])), q=QUERY_TEXT)
def test_any_article_id_and_query_get_a_200_or_a_404(app, article_id, q) -> None:
    client = app.test_client()
    for route in ("/article/", "/api/articles/"):
        url = route + quote(article_id, safe="")
        response = timed_get(client, url, query_string={"q": q}, follow_redirects=True)
        assert response.status_code in (200, 404), (response.status_code, article_id, q)


# Costly queries on a bigger index -----------------------------------------------------------------

BIG_INDEX_ARTICLES = 12_000


@pytest.fixture(scope="module")
def big_client(tmp_path_factory):
    """A client of an index of generated articles in the samples' vocabulary: many terms per
    prefix, many articles per word."""
    folder = tmp_path_factory.mktemp("big")
    records = vocabulary_articles(BIG_INDEX_ARTICLES, random.Random(11))
    source = write_jsonl(folder / "big.jsonl", records)
    rebuild_index(load_settings({"index_dir": folder / "index"}, environ={}), [str(source)])
    application = app_for(folder / "index")
    yield application.test_client()
    close_app(application)


def vocabulary_articles(count: int, rng: random.Random) -> list[dict]:
    text = " ".join(f"{r['title']} {r.get('body', '')}" for r in sample_records())
    words = sorted({w.lower() for w in re.findall(r"[A-Za-z]{2,}", text)})
    sections = sorted({r["section"] for r in sample_records()})
    return [
        {
            "id": f"g-{n}",
            "title": " ".join(rng.choices(words, k=6)),
            "section": rng.choice(sections),
            "published": f"{rng.randint(1990, 2026)}-{rng.randint(1, 12):02d}-1{n % 10}",
            "author": " ".join(rng.choices(words, k=2)),
            "body": " ".join(rng.choices(words, k=14)),
        }
        for n in range(count)
    ]


FREQUENT = "harbour minister council government election budget police water".split()
COSTLY_QUERIES = [
    {"q": "a*"},
    {"q": "*a"},
    {"q": "e?"},
    {"q": "s*", "sort": "oldest", "per_page": "100"},
    {"q": " ".join(f"{c}*" for c in "abcdefghijklmnopqrstuvwxyz")},
    {"q": " OR ".join(f"{a}{b}*" for a in "aeiou" for b in "abcdefghijklmnopqrstuvwxyz")[:1000]},
    {"q": " OR ".join(FREQUENT * 25)},  # a 200-word OR list (longer than the query limit)
    {"q": " OR ".join((FREQUENT * 8)[:59])},  # the longest OR list that is allowed
    {"q": " ".join(FREQUENT * 7)[:999]},
    {"q": '"' + " ".join(FREQUENT * 7) + '"'},
    {"q": "NOT a*"},
    {"q": "title:a* body:b* teaser:c* author:d* section:e* tags:f*"},
    {"q": "", "page": "100000"},
    {"q": "", "per_page": "100000"},
    {"q": "a*", "page": "100000", "per_page": "100000"},
    {"q": "a* b*", "section": [f"Section {n}" for n in range(20)]},
    {"q": "e*", "from": "1990-01-01", "to": "2026-12-31", "page": "10", "per_page": "100"},
]


@pytest.mark.parametrize("params", COSTLY_QUERIES, ids=lambda p: str(p)[:40])
@pytest.mark.parametrize("url", ["/api/search", "/", "/search.atom"])
def test_costly_queries_are_bounded(big_client, url, params, monkeypatch) -> None:
    """Each costly query is read (paging clamped, prefixes and long text cut to their limits)
    and answered, except ``*a``, refused. The search's 2 s stop, which depends on how busy the
    machine is, is raised to the hang ceiling here so the answer does not: its own tests are in
    test_errors.py and test_api.py."""
    monkeypatch.setattr(service_module, "TIME_LIMIT_SECONDS", HANG_SECONDS)
    response = timed_get(big_client, url, query_string=params)
    expected = 400 if params["q"] == "*a" else 200
    assert response.status_code == expected, response.get_data(as_text=True)[:500]
    if url == "/api/search" and expected == 400:
        assert response.json["error"]["code"] == "bad_query"


def test_article_pages_are_bounded_on_a_bigger_index(big_client) -> None:
    for url in ("/article/g-1?q=a*", "/api/articles/g-2?q=e*+s*", "/api/articles/g-3"):
        assert timed_get(big_client, url).status_code == 200


# Fuzzing the API from its OpenAPI document (schemathesis) -----------------------------------------

API_SCHEMA = schemathesis.openapi.from_dict(openapi_document())  # the document, as served


@pytest.fixture(scope="module")
def production_app(sample_settings):
    """The web app as gunicorn creates it (no TESTING), over the sample index."""
    application = create_app({"NEWSINDEX": {"index_dir": sample_settings.index_dir}})
    yield application
    close_app(application)


FUZZED = [
    (path, mode)
    for path in ("/api/search", "/api/articles/{id}")
    for mode in ("positive", "negative")
]
FUZZED.append(("/healthz", "positive"))  # it takes no parameters: no negative case exists


@pytest.mark.parametrize(("path", "mode"), FUZZED)
def test_fuzzing_the_api_finds_no_server_error_and_no_schema_break(production_app, path, mode):
    served = production_app.test_client().get("/api/openapi.json").json
    assert served == openapi_document()  # what is fuzzed is what is served
    operation = API_SCHEMA[path]["GET"]
    checks = [
        not_a_server_error,
        status_code_conformance,  # only the statuses the document declares for the operation
        content_type_conformance,  # and the media type it declares for that status
        response_schema_conformance,
    ]

    @settings(HYPOTHESIS, max_examples=50, deadline=None)
    @given(case=operation.as_strategy(generation_mode=schemathesis.GenerationMode(mode)))
    def fuzz(case) -> None:
        started = time.perf_counter()
        case.call_and_validate(app=production_app, checks=checks)
        assert time.perf_counter() - started < HANG_SECONDS

    fuzz()
    if path == "/api/articles/{id}":  # and the answer of a real article keeps the schema too
        real = operation.Case(path_parameters={"id": "sample-017"}, query={"q": "oil"})
        assert real.call_and_validate(app=production_app, checks=checks).status_code == 200


# 5. Hostile articles ------------------------------------------------------------------------------

FIELDS = "id url title section published author teaser body tags language".split()
NASTY_PIECES = INJECTIONS + UNSAFE_URLS + MARKUP_URLS + [
    "\ud800", "\udfff", "\x00", "\x1b[31m", "\u202e", "\ufeff", "\r\n", "\u2028", "&amp;",
    "&#0;", "&#x110000;", "<p>", "</p>", "<!--", "<![CDATA[", "\ufffe",
]  # fmt: skip
NASTY_TEXT = st.lists(
    st.one_of(st.text(max_size=20), st.sampled_from(NASTY_PIECES)), max_size=8
).map("".join)
DATES = st.one_of(
    st.datetimes().map(lambda d: d.isoformat()),
    st.sampled_from(["2024-02-30", "2024-01-01T25:00", "Mon, 32 Jan 2024 00:00:00 +0000", "1e9"]),
    st.sampled_from(["9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+23:59", "0001-01-01"]),
)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | NASTY_TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(NASTY_TEXT, inner, max_size=3),
    max_leaves=8,
)
RECORDS = st.dictionaries(
    st.sampled_from(FIELDS) | NASTY_TEXT, JSON_VALUES | NASTY_TEXT | DATES, max_size=10
)


def _json_bytes(value, ensure_ascii: bool = True) -> bytes:
    text = json.dumps(value, ensure_ascii=ensure_ascii)
    return text.encode("utf-8", "surrogatepass")  # a lone surrogate: bytes that are not UTF-8


LINES = st.one_of(
    RECORDS.map(_json_bytes),  # valid JSON of any content (surrogates as \ud800 escapes)
    RECORDS.map(lambda record: _json_bytes(record, ensure_ascii=False)),  # maybe not UTF-8
    JSON_VALUES.map(_json_bytes),  # valid JSON that is no object
    st.binary(min_size=1, max_size=80).map(lambda raw: raw.replace(b"\n", b" ")),
    RECORDS.map(_json_bytes).flatmap(
        lambda line: st.integers(1, max(1, len(line) - 1)).map(lambda cut: line[:cut])
    ),  # truncated JSON
    st.integers(10, 5000).map(
        lambda depth: b'{"title": "deep", "body": %s%s}' % (b"[" * depth, b"]" * depth)
    ),
    st.integers(4000, 6000).map(lambda digits: b'{"title": "big", "id": %s}' % (b"9" * digits)),
)


def good_record(number: int) -> dict:
    return {"id": f"good-{number}", "title": f"Good harbour story {number}", "body": "Calm."}


def run_indexer(*args: str, index_dir: Path):
    environment = {"NEWSINDEX_INDEX_DIR": str(index_dir), "NEWSINDEX_CONFIG": None}
    environment["NEWSINDEX_SOURCES"] = None
    return CliRunner().invoke(main, list(args), env=environment, catch_exceptions=False)


@settings(HYPOTHESIS, max_examples=40, deadline=None)
@given(lines=st.lists(st.one_of(LINES, LINES, st.none()), min_size=1, max_size=8))
def test_hostile_records_are_skipped_with_a_warning_never_crashing_the_run(lines) -> None:
    goods: list[dict] = []
    raw: list[bytes] = []
    for line in lines:  # None: a good record here
        if line is None:
            goods.append(good_record(len(goods)))
        raw.append(line if line is not None else _json_bytes(goods[-1]))
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "hostile.jsonl"
        source.write_bytes(b"\n".join(raw) + b"\n")
        index_dir = Path(folder) / "index"
        result = run_indexer("rebuild", "--json", str(source), index_dir=index_dir)
        assert "Traceback" not in result.output and "internal error" not in result.output, (
            raw,
            result.output[-2000:],
        )
        if result.exit_code != 0:
            assert result.exit_code == 1 and not goods, result.output[-2000:]
            assert "no usable article" in result.stderr
            return
        summary = json.loads(result.stdout)
        records = sum(1 for line in raw if line.strip())
        assert summary["indexed"] + summary["skipped"] + summary["duplicates"] == records
        assert_warnings_name_file_and_line(result.stderr, source, len(raw))
        assert run_indexer("check", index_dir=index_dir).exit_code == 0
        assert_hostile_index_renders(index_dir, goods)


def assert_warnings_name_file_and_line(stderr: str, source: Path, lines: int) -> None:
    for message in stderr.splitlines():
        if message.startswith("warning: ... and "):
            continue
        found = re.match(rf"warning: {re.escape(str(source))}:line (\d+): \S", message)
        assert found and 1 <= int(found.group(1)) <= lines, message


def assert_hostile_index_renders(index_dir: Path, goods: list[dict]) -> None:
    """Every article of the index shows in the API, the page, the feed and its own pages."""
    application = app_for(index_dir)
    try:
        client = application.test_client()
        listing = timed_get(client, "/api/search?per_page=100")
        assert_json_answer(listing)
        for hit in listing.json["results"]:
            assert_only_marks(hit["title_html"], hit["title"])
            assert_only_marks(hit["snippet_html"])
            assert (
                timed_get(client, "/api/articles/" + quote(hit["id"], safe="")).status_code == 200
            )
            page = timed_get(client, "/article/" + quote(hit["id"], safe=""))
            text = without_site_script(page.get_data(as_text=True))
            assert page.status_code == 200 and "<script" not in text
        ids = {hit["id"] for hit in listing.json["results"]}
        assert {record["id"] for record in goods} <= ids
        assert_page_answer(timed_get(client, "/?per_page=100"))
        assert_feed_answer(timed_get(client, "/search.atom?per_page=100"))
    finally:
        close_app(application)


def assert_only_marks(marked: str, text: str | None = None, allowed: tuple[str, ...] = ()) -> None:
    """``marked`` is escaped text whose only tags are <mark> (and ``allowed``); unescaped and
    without them it is ``text``."""
    bare = re.sub(r"</?mark>", "", marked)
    for tag in allowed:
        bare = bare.replace(f"<{tag}>", "").replace(f"</{tag}>", "")
    assert "<" not in bare and ">" not in bare, marked
    if text is not None:
        assert html.unescape(bare) == text


HOSTILE_LINES = {
    "lone surrogate in the title": b'{"id": "s1", "title": "bad \\ud800 harbour"}',
    "lone surrogate in the id": b'{"id": "s2\\udfff", "title": "harbour"}',
    "lone surrogates in names": b'{"title": "harbour", "author": "\\udc00", "tags": ["\\ud800"]}',
    "lone surrogate in the body": b'{"title": "harbour", "body": "x \\udbff y"}',
    "a 5000-digit number": b'{"title": "harbour", "id": ' + b"9" * 5000 + b"}",
    "a date that overflows in UTC": b'{"title": "harbour", "published": "9999-12-31T23:59-23:59"}',
    "a date before year 1 in UTC": b'{"title": "harbour", "published": "0001-01-01T00:00+23:59"}',
    "invalid UTF-8": b'{"title": "harbour \xff\xfe"}',
    "encoded surrogate": b'{"title": "harbour \xed\xa0\x80"}',
    "nested 100000 deep": b'{"title": "harbour", "body": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    "NaN and Infinity": b'{"title": "harbour", "published": NaN, "tags": [Infinity]}',
    "not an object": b'["harbour"]',
    "truncated": b'{"title": "harb',
    "NUL bytes": b'{"title": "harbour\\u0000 \x00"}',
    "binary": bytes(range(256)).replace(b"\n", b""),
}


@pytest.mark.parametrize("line", HOSTILE_LINES.values(), ids=HOSTILE_LINES.keys())
def test_a_hostile_record_never_stops_the_run(line, indexer, index_dir, tmp_path) -> None:
    """Bad input never stops a run (README): the record is skipped, or its bad field dropped,
    with a warning naming file and line; the good records are indexed and served."""
    source = tmp_path / "hostile.jsonl"
    source.write_bytes(_json_bytes(good_record(1)) + b"\n" + line + b"\n")
    result = indexer("rebuild", "--json", str(source))
    assert result.exit_code == 0, result.output[-2000:]
    assert "Traceback" not in result.output and "internal error" not in result.output
    summary = json.loads(result.stdout)
    assert summary["indexed"] + summary["skipped"] == 2
    assert_warnings_name_file_and_line(result.stderr, source, 2)
    assert summary["skipped"] == 0 or f"{source}:line 2: " in result.stderr
    assert indexer("check").exit_code == 0
    assert_hostile_index_renders(index_dir, [good_record(1)])


def test_huge_fields_are_indexed_without_harm(indexer, index_dir, tmp_path) -> None:
    megabyte = "harbourmasters " * 70_000  # about 1 MB in few words (analysis costs per word)
    records = [
        good_record(1),
        {"id": "huge-body", "title": "Huge body", "body": megabyte},
        {"id": "huge-title", "title": megabyte[:200_000], "section": megabyte[:100_000]},
        {"id": "x" * 1_000_000, "title": "Huge id", "url": "https://e.org/" + "a" * 1_000_000},
        {"id": "many-tags", "title": "Many tags", "tags": [f"t{n}" for n in range(20_000)]},
        {"id": "many-authors", "title": "Many authors", "author": ["Ann"] * 100_000},
    ]
    source = write_jsonl(tmp_path / "huge.jsonl", records)
    result = indexer("rebuild", "--json", str(source))
    assert result.exit_code == 0, result.output[-2000:]
    assert json.loads(result.stdout)["indexed"] == len(records)
    assert indexer("check").exit_code == 0
    assert_hostile_index_renders(index_dir, [good_record(1)])


# Escaping of hostile articles everywhere ----------------------------------------------------------


def hostile_articles() -> list[dict]:
    """Articles with every injection in every text field, and every unsafe url."""
    articles = []
    for n, trick in enumerate(INJECTIONS):
        articles.append(
            {
                "id": f"x{n}{trick}",
                "url": UNSAFE_URLS[n % len(UNSAFE_URLS)],
                "title": f"Harbour {trick} headline {n}",
                "teaser": f"Teaser harbour alert {trick}",
                "body": f"Body harbour alert {trick} text.\n\nSecond alert {trick} paragraph.",
                "section": f"Sec {trick}",
                "author": [f"Mallory {trick}", trick],
                "tags": [trick, f"tag {trick}"],
                "published": f"2025-0{1 + n % 9}-10T10:00:00Z",
            }
        )
    for n, url in enumerate(UNSAFE_URLS + MARKUP_URLS):
        articles.append({"id": f"url-{n}", "url": url, "title": f"Harbour link {n}"})
    return articles


@pytest.fixture(scope="module")
def hostile_client(tmp_path_factory):
    with client_for_records(tmp_path_factory.mktemp("hostile"), hostile_articles()) as client:
        yield client


def hostile_urls() -> list[tuple[str, int]]:
    """URLs over the hostile articles, each with the one status it gets: 404 for an article id
    that is an injection (no such article), 400 for ``page=x``, 200 for the rest."""
    ids = [article["id"] for article in hostile_articles()]
    urls = ["/?q=harbour&per_page=100", "/?q=alert&per_page=100", "/?per_page=100&sort=oldest"]
    urls += ["/search.atom?q=harbour&per_page=100", "/search.atom?q=alert"]
    urls += ["/api/search?q=harbour&per_page=100", "/api/search?q=alert&per_page=100"]
    answers = [(url, 200) for url in urls]
    for trick in INJECTIONS:
        query = quote(trick)
        answers += [(f"/?q={query}", 200), (f"/?q={query}&page=x", 400)]
        answers += [(f"/search.atom?q={query}", 200), (f"/article/{query}", 404)]
        answers += [(f"/?q=harbour&section={quote('Sec ' + trick)}", 200)]
    for article_id in ids:
        path = quote(article_id, safe="")
        answers += [(f"/article/{path}?q={quote(INJECTIONS[0])}", 200)]
        answers += [(f"/api/articles/{path}?q=alert", 200)]
    return answers


UNSAFE_SCHEME = re.compile(r"^(?:javascript|vbscript|data):", re.IGNORECASE)
RAW_UNSAFE_HREF = re.compile(
    r"""(?:href|src|action)\s*=\s*["']?\s*(?:javascript|vbscript|data|java\s|&#)""", re.IGNORECASE
)


def as_browser_sees(url: str) -> str:
    """A link as a browser resolves it: ASCII tab and newline dropped, controls and spaces at
    the ends stripped (the entities were decoded by the parser)."""
    return re.sub(r"[\t\n\r]", "", url).strip("\x00\x01\x02\x03\x04\x05\x06\x07\x08 \x0b\x0c\x0e")


@pytest.mark.parametrize(("url", "status"), hostile_urls())
def test_hostile_articles_come_out_escaped_everywhere(hostile_client, url, status) -> None:
    response = hostile_client.get(url)
    assert response.status_code == status, response.status_code
    text = response.get_data(as_text=True)
    assert RAW_UNSAFE_HREF.search(text) is None, RAW_UNSAFE_HREF.search(text)
    if response.mimetype == "application/json":
        assert_json_is_data(response.json)
    elif response.mimetype == "text/html":
        assert_html_is_escaped(text)
    else:
        assert_feed_is_escaped(response)


def assert_html_is_escaped(text: str) -> None:
    for trick in INJECTIONS:
        if "<" in trick:
            assert trick not in text and trick.lower() not in text.lower(), trick
    assert "<script" not in without_site_script(text).lower() and "<x>" not in text
    page = parse_html(without_site_script(text))
    for tag, attributes in page.tags:
        assert tag not in ("script", "iframe", "object", "embed", "x"), tag
        assert not any(name.startswith("on") for name in attributes), (tag, attributes)
        if tag == "img":
            assert attributes.get("src", "").startswith("/assets/"), attributes
        for name in ("href", "src", "action", "formaction", "xlink:href"):
            value = attributes.get(name)
            assert value is None or not UNSAFE_SCHEME.match(as_browser_sees(value)), attributes
    assert text.split("</head>")[0].count("<title") == 1  # a title that was not broken out of


def parse_html(text: str) -> PageParser:
    parser = PageParser()
    parser.feed(text)
    return parser


def assert_json_is_data(body: dict) -> None:
    """JSON strings are data: raw text as given; only the *_html fields are markup, and their
    only tags are <mark> (and <p> around paragraphs of body_html)."""
    if "error" in body:
        return
    for hit in body.get("results", [body]):
        assert_only_marks(hit["title_html"], hit["title"])
        if "snippet_html" in hit:
            assert_only_marks(hit["snippet_html"])
        if "body_html" in hit:
            assert_only_marks(hit["body_html"], allowed=("p",))


def assert_feed_is_escaped(response) -> None:
    raw = response.get_data(as_text=True)
    assert "<script" not in raw and "<img" not in raw and "<svg" not in raw and "<x>" not in raw
    root = ElementTree.fromstring(response.data)
    for element in root.iter():
        href = element.get("href")
        assert href is None or href.startswith(("http://", "https://")), href


def test_the_feed_keeps_hostile_text_as_text(hostile_client) -> None:
    parsed = feed(hostile_client, q="headline", per_page="100")
    titles = {article["title"] for article in hostile_articles() if "headline" in article["title"]}
    assert {entry.title for entry in parsed.entries} == titles
    for entry in parsed.entries:
        assert all(link.href.startswith(("http://", "https://")) for link in entry.links)
        assert entry.summary_detail.type == "text/plain"


def test_snippets_mark_words_inside_escaped_text(hostile_client) -> None:
    body = hostile_client.get("/api/search?q=alert&per_page=100").json
    assert body["total"] >= len(INJECTIONS)
    snippets = [hit["snippet_html"] for hit in body["results"]]
    assert all("<mark>alert</mark>" in snippet for snippet in snippets[: len(INJECTIONS)])
    assert any("&lt;script&gt;" in snippet for snippet in snippets), snippets


def test_unsafe_urls_never_become_links(hostile_client) -> None:
    for n, url in enumerate(UNSAFE_URLS):
        for path in (f"/article/url-{n}", "/?q=harbour+link&per_page=100"):
            page = parse_html(hostile_client.get(path).get_data(as_text=True))
            hrefs = [as_browser_sees(a["href"]) for _tag, a in page.tags if "href" in a]
            assert not any(UNSAFE_SCHEME.match(href) for href in hrefs), (url, hrefs)
            assert not any(href.startswith("//") for href in hrefs), (url, hrefs)  # off-site
    for n, url in enumerate(MARKUP_URLS, start=len(UNSAFE_URLS)):
        text = hostile_client.get(f"/article/url-{n}").get_data(as_text=True)
        original = next(
            a["href"]
            for tag, a in parse_html(text).tags
            if tag == "a" and "external" in a.get("rel", "")
        )
        assert original == url  # an http(s) link, its markup only ever an attribute value


# 6. Surface ---------------------------------------------------------------------------------------

SECRETS = ["root:x:0:0", "[build-system]", "PROJECT_ROOT", "ENVIRONMENT_VARIABLES", "bind ="]


@pytest.mark.parametrize("path", TRAVERSAL_PATHS)
def test_paths_cannot_reach_files(client, path) -> None:
    response = client.get(path, follow_redirects=True)
    text = response.get_data(as_text=True)
    assert response.status_code == 404, (path, response.status_code)
    assert not any(secret in text for secret in SECRETS), text[:500]


def test_paths_cannot_reach_files_over_real_http(sample_settings) -> None:
    """The same paths sent as raw bytes to gunicorn (no client normalises them)."""
    with gunicorn_serving(sample_settings.index_dir, workers=1) as base:
        host, port = base.removeprefix("http://").split(":")
        for path in TRAVERSAL_PATHS:
            connection = http.client.HTTPConnection(host, int(port), timeout=10)
            try:
                connection.putrequest("GET", path, skip_accept_encoding=True)
                connection.endheaders()
                response = connection.getresponse()
                text = response.read().decode("utf-8", "replace")
                assert response.status in (404, 308), (path, response.status)
                assert ".." not in (response.getheader("Location") or ""), path
                assert not any(secret in text for secret in SECRETS), text[:500]
                assert response.getheader("X-Content-Type-Options") == "nosniff"
            finally:
                connection.close()


def production_app_with_failing_routes(index_dir: Path):
    application = create_app({"NEWSINDEX": {"index_dir": index_dir}})

    @application.get("/test-only/boom")
    def boom():
        raise RuntimeError("secret detail of a bug")

    @application.get("/api/test-only/boom")
    def api_boom():
        raise RuntimeError("secret detail of a bug")

    return application


SURFACE_URLS = [
    ("GET", "/", 200),
    ("GET", "/?q=harbour", 200),
    ("GET", "/?page=zero", 400),
    ("GET", "/article/sample-001?q=harbour", 200),
    ("GET", "/article/no-such-story", 404),
    ("GET", "/search.atom?q=harbour", 200),
    ("GET", "/search.atom?from=bad", 400),
    ("GET", "/opensearch.xml", 200),
    ("GET", "/api/search?q=harbour", 200),
    ("GET", "/api/search?page=0", 400),
    ("GET", "/api/articles/sample-001", 200),
    ("GET", "/api/articles/nope", 404),
    ("GET", "/api/openapi.json", 200),
    ("GET", "/api/nothing", 404),
    ("GET", "/healthz", 200),
    ("GET", "/favicon.ico", 200),
    ("GET", "/robots.txt", 200),
    ("GET", "/assets/site.0123456789.css", 404),
    ("GET", "/static/site.css", 404),
    ("GET", "/nothing", 404),
    ("POST", "/api/search", 200),
    ("POST", "/", 405),
    ("DELETE", "/article/sample-001", 405),
    ("HEAD", "/?q=harbour", 200),
    ("OPTIONS", "/api/search", 200),
    ("GET", "/test-only/boom", 500),
    ("GET", "/api/test-only/boom", 500),
]


@pytest.fixture(scope="module")
def surface_client(sample_settings):
    application = production_app_with_failing_routes(sample_settings.index_dir)
    yield application.test_client()
    close_app(application)


@pytest.mark.parametrize(("method", "url", "status"), SURFACE_URLS)
def test_every_response_carries_the_security_headers(surface_client, method, url, status) -> None:
    response = surface_client.open(url, method=method)
    response.close()
    assert response.status_code == status
    policy = response.headers.get("Content-Security-Policy", "")
    assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy, policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
    assert response.headers.get("X-Frame-Options") == "DENY"


def test_the_production_app_has_no_debug_mode(sample_settings, monkeypatch) -> None:
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    application = create_app({"NEWSINDEX": {"index_dir": sample_settings.index_dir}})
    assert application.debug is False and application.testing is False
    assert not application.config["PROPAGATE_EXCEPTIONS"]
    assert not application.config["TRAP_HTTP_EXCEPTIONS"]
    gunicorn = runpy.run_path(str(PROJECT_ROOT / "gunicorn.conf.py"))
    assert not gunicorn.get("reload") and gunicorn.get("loglevel") != "debug"
    assert gunicorn["worker_class"] == "sync" and gunicorn.get("timeout", 30) <= 60


def test_a_failure_inside_the_app_is_a_friendly_500(surface_client, caplog) -> None:
    page = surface_client.get("/test-only/boom")
    text = page.get_data(as_text=True)
    assert page.status_code == 500 and page.mimetype == "text/html"
    assert "secret detail" not in text and "Traceback" not in text and "RuntimeError" not in text
    assert 'role="search"' in text  # a way on
    api = surface_client.get("/api/test-only/boom")
    assert api.status_code == 500
    conforms(api.json, "Error")
    assert "secret detail" not in api.get_data(as_text=True)
    logged = [record for record in caplog.records if record.exc_info]
    assert logged and "secret detail" in str(logged[0].exc_info[1])  # for the operator


# Nothing in the web app writes to disk ------------------------------------------------------------


class WriteRecorder:
    """The writes this process makes while recording, seen by an audit hook: every open for
    writing, folder made, file renamed or removed, by any library, anywhere on disk."""

    WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
    WRITE_EVENTS = {
        "os.mkdir", "os.rename", "os.remove", "os.rmdir", "os.link", "os.symlink", "os.truncate",
        "os.chmod", "os.chown", "os.utime", "shutil.rmtree", "shutil.copyfile", "shutil.move",
    }  # fmt: skip
    writes: list[tuple[str, tuple]] | None = None
    installed = False  # an audit hook cannot be removed: one, for the whole session

    @classmethod
    @contextmanager
    def recording(cls) -> Iterator[list[tuple[str, tuple]]]:
        if not cls.installed:
            sys.addaudithook(cls._audit)
            cls.installed = True
        cls.writes = found = []
        try:
            yield found
        finally:
            cls.writes = None

    @classmethod
    def _audit(cls, event: str, args: tuple) -> None:
        if cls.writes is None:
            return
        if event == "open":
            path, mode, flags = args
            writing = set(mode or "") & set("wax+") or (mode is None and flags & cls.WRITE_FLAGS)
            if writing and not isinstance(path, int):
                cls.writes.append((event, args))
        elif event in cls.WRITE_EVENTS:
            cls.writes.append((event, args))


def snapshot(root: Path, skip: frozenset[str] = frozenset()) -> dict[str, tuple[int, int]]:
    files = {}
    for path in root.rglob("*"):
        parts = path.relative_to(root).parts
        if skip & set(parts) or any(part.endswith(".egg-info") for part in parts):
            continue
        if path.is_file():
            stat = path.stat()
            files[str(path.relative_to(root))] = (stat.st_size, stat.st_mtime_ns)
    return files


# Caches and outputs of the tools (and benchmarks that may run meanwhile), not of the web app.
CACHES = frozenset({".git", ".venv", "__pycache__", ".pytest_cache", ".ruff_cache", ".hypothesis"})
CACHES |= {"test-artifacts", "node_modules", "bench"}


def test_the_web_app_writes_nothing_to_disk(tmp_path) -> None:
    index_dir = tmp_path / "index"
    rebuild_index(load_settings({"index_dir": index_dir}, environ={}), [str(SAMPLES)])
    index_before = snapshot(index_dir)
    project_before = snapshot(PROJECT_ROOT, CACHES)
    application = production_app_with_failing_routes(index_dir)
    try:
        client = application.test_client()
        with WriteRecorder.recording() as writes:
            for method, url, _status in SURFACE_URLS + [("GET", "/?q=goverment", 200)]:
                client.open(url, method=method).close()
            client.get("/api/search?" + urlencode({"q": "elect* OR harbour", "sort": "newest"}))
            (tmp_path / "probe.txt").write_text("seen", "utf-8")  # the recorder works
    finally:
        close_app(application)
    probe = [write for write in writes if str(tmp_path / "probe.txt") in map(str, write[1])]
    assert probe, "the audit hook recorded nothing"
    assert [write for write in writes if write not in probe] == []
    assert snapshot(index_dir) == index_before
    assert snapshot(PROJECT_ROOT, CACHES) == project_before
