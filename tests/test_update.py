"""``indexer update`` and ``delete``: incremental changes as new generations, and sources read over
HTTP from a local server (no network): 200, 304 on the second run, 404, a timeout, a redirect."""

from __future__ import annotations

import email.utils
import gzip
import hashlib
import http.server
import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from conftest import SAMPLES, article, write_jsonl
from indexer.errors import IndexBusyError
from indexer.index.store import IndexStore
from indexer.index.update import update_index
from indexer.ingest import fetch as fetch_module
from indexer.search import open_index
from indexer.search.requests import SearchRequest
from indexer.search.service import SearchService


class FeedServer:
    """A local HTTP server of routes: path -> (content type, body); it honours ETags, or, for
    the paths in ``dated``, Last-Modified (the time the route was last served)."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[str, bytes]] = {}
        self.dated: dict[str, str] = {}  # path -> its Last-Modified
        self.requests: list[tuple[str, dict[str, str]]] = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (the name http.server calls)
                server.requests.append((self.path, dict(self.headers)))
                server.answer(self)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_port}"

    def answer(self, handler: http.server.BaseHTTPRequestHandler) -> None:
        if handler.path == "/slow":
            time.sleep(2)
        if handler.path == "/moved":
            handler.send_response(301)
            handler.send_header("Location", "/feed.jsonl")
            handler.end_headers()
            return
        if handler.path not in self.routes:
            handler.send_error(404)
            return
        content_type, body = self.routes[handler.path]
        etag = '"' + hashlib.sha1(body).hexdigest() + '"'
        last_modified = self.dated.get(handler.path)
        if last_modified:
            unchanged = handler.headers.get("If-Modified-Since") == last_modified
        else:
            unchanged = handler.headers.get("If-None-Match") == etag
        if unchanged:
            handler.send_response(304)
            handler.end_headers()
            return
        gzipped = "gzip" in handler.headers.get("Accept-Encoding", "")
        payload = gzip.compress(body) if gzipped else body
        handler.send_response(200)
        handler.send_header("Content-Type", content_type)
        if last_modified:
            handler.send_header("Last-Modified", last_modified)
        else:
            handler.send_header("ETag", etag)
        handler.send_header("Content-Length", str(len(payload)))
        if gzipped:
            handler.send_header("Content-Encoding", "gzip")
        handler.end_headers()
        handler.wfile.write(payload)

    def serve(self, path: str, records: list[dict], dated: bool = False) -> str:
        body = "".join(json.dumps(r) + "\n" for r in records).encode()
        self.routes[path] = ("application/x-ndjson", body)
        if dated:  # a new date at every change, as a web server would give
            self.dated[path] = email.utils.format_datetime(
                datetime(2024, 1, 1, tzinfo=UTC) + timedelta(days=len(self.requests)), usegmt=True
            )
        return self.base + path


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    server = FeedServer()
    thread = threading.Thread(target=server.httpd.serve_forever, daemon=True)
    thread.start()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()
    thread.join()


def run_json(indexer, *args: str) -> dict:
    result = indexer(*args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_update_adds_new_replaces_changed_and_leaves_the_rest(indexer, tmp_path) -> None:
    first = write_jsonl(tmp_path / "a.jsonl", [article(1), article(2), article(3)])
    run_json(indexer, "rebuild", str(first))
    second = write_jsonl(
        tmp_path / "b.jsonl",
        [article(1), article(2, title="Harbour story two, corrected"), article(4)],
    )
    summary = run_json(indexer, "update", str(second))
    assert (summary["added"], summary["updated"], summary["unchanged"]) == (1, 1, 1)
    assert summary["changed"] is True and summary["generation"] == "gen-000002"
    found = run_json(indexer, "search", "corrected")
    assert [hit["id"] for hit in found["results"]] == ["t-2"]
    assert run_json(indexer, "stats")["articles"] == 4
    assert indexer("check").exit_code == 0
    again = run_json(indexer, "update", str(second))
    assert (again["added"], again["updated"], again["unchanged"], again["changed"]) == (
        0,
        0,
        3,
        False,
    )
    assert again["generation"] == "gen-000002"


def test_update_without_an_index_builds_one(indexer, tmp_path) -> None:
    source = write_jsonl(tmp_path / "a.jsonl", [article(1), article(2)])
    summary = run_json(indexer, "update", str(source))
    assert summary["added"] == 2 and run_json(indexer, "stats")["articles"] == 2


def test_an_update_never_changes_the_generation_in_use(
    settings, indexer, tmp_path, monkeypatch
) -> None:
    assert indexer("rebuild", str(SAMPLES)).exit_code == 0
    monkeypatch.setattr(open_index, "REFRESH_SECONDS", 3600.0)  # the service keeps its generation

    def halcyon_ids(service: SearchService) -> list[str]:
        found = service.search(SearchRequest.from_params({"q": "halcyon"}))
        return sorted(hit.id for hit in found.hits)

    def halcyon_ids_now() -> list[str]:
        return sorted(hit["id"] for hit in run_json(indexer, "search", "halcyon")["results"])

    with SearchService(settings) as service:
        in_use = halcyon_ids(service)
        assert "sample-017" in in_use and "t-9" not in in_use
        changed = write_jsonl(tmp_path / "c.jsonl", [article(9, title="Halcyon again")])
        assert indexer("update", str(changed)).exit_code == 0
        assert indexer("delete", "sample-017").exit_code == 0
        assert halcyon_ids(service) == in_use  # the generation in use did not change
    updated = sorted({*in_use, "t-9"} - {"sample-017"})
    assert halcyon_ids_now() == updated  # a new search sees the update and the delete
    assert indexer("rollback").exit_code == 0  # undoes the delete, not the update
    assert halcyon_ids_now() == sorted({*in_use, "t-9"})


def test_searchers_see_an_update_without_restart(settings, indexer, tmp_path, monkeypatch):
    assert indexer("rebuild", str(SAMPLES)).exit_code == 0
    monkeypatch.setattr(open_index, "REFRESH_SECONDS", 0.0)
    with SearchService(settings) as service:
        assert service.search(SearchRequest.from_params({"q": "zeppelin"})).hits == []
        source = write_jsonl(tmp_path / "z.jsonl", [article(5, title="Zeppelin")])
        assert indexer("update", str(source)).exit_code == 0
        found = service.search(SearchRequest.from_params({"q": "zeppelin"}))
        assert [hit.id for hit in found.hits] == ["t-5"]


def test_delete_reports_missing_ids_and_rollback_restores(indexer) -> None:
    assert indexer("rebuild", str(SAMPLES)).exit_code == 0
    summary = run_json(indexer, "delete", "sample-001", "sample-002", "no-such-id")
    assert summary["deleted"] == ["sample-001", "sample-002"]
    assert summary["not_found"] == ["no-such-id"]
    assert run_json(indexer, "stats")["articles"] == 43
    assert indexer("check").exit_code == 0
    assert indexer("rollback").exit_code == 0
    assert run_json(indexer, "stats")["articles"] == 45
    nothing = run_json(indexer, "delete", "no-such-id")
    assert nothing["deleted"] == [] and nothing["generation"] == "gen-000001"


def test_update_shares_the_rebuild_lock(settings, tmp_path) -> None:
    source = write_jsonl(tmp_path / "a.jsonl", [article(1)])
    update_index(settings, [str(source)])
    with IndexStore(settings.index_dir).write_lock(), pytest.raises(IndexBusyError):
        update_index(settings, [str(source)])


def test_a_url_source_costs_one_304_when_unchanged(indexer, feed_server) -> None:
    url = feed_server.serve("/feed.jsonl", [article(1), article(2)])
    first = run_json(indexer, "update", url)
    assert first["added"] == 2
    second = run_json(indexer, "update", url)
    assert second["unchanged_sources"] == 1 and second["changed"] is False
    path, headers = feed_server.requests[-1]
    assert headers.get("If-None-Match") and "newsindex" in headers["User-Agent"]
    assert "gzip" in headers["Accept-Encoding"]
    feed_server.serve("/feed.jsonl", [article(1), article(2), article(3)])
    third = run_json(indexer, "update", url)
    assert (third["added"], third["unchanged"]) == (1, 2)


def test_a_url_source_with_a_date_but_no_etag_costs_one_304_when_unchanged(
    indexer, feed_server
) -> None:
    url = feed_server.serve("/dated.jsonl", [article(1), article(2)], dated=True)
    assert run_json(indexer, "update", url)["added"] == 2
    second = run_json(indexer, "update", url)
    assert second["unchanged_sources"] == 1 and second["changed"] is False
    headers = feed_server.requests[-1][1]
    assert headers["If-Modified-Since"] == feed_server.dated["/dated.jsonl"]
    assert "If-None-Match" not in headers
    feed_server.serve("/dated.jsonl", [article(1), article(2), article(3)], dated=True)
    third = run_json(indexer, "update", url)
    assert (third["added"], third["unchanged"]) == (1, 2)


def test_a_rebuild_indexes_a_url_that_answered_304_from_the_kept_copy(indexer, feed_server):
    url = feed_server.serve("/feed.jsonl", [article(1), article(2)])
    run_json(indexer, "rebuild", url)
    summary = run_json(indexer, "rebuild", url)
    assert summary["indexed"] == 2
    assert feed_server.requests[-1][1].get("If-None-Match")


def test_redirects_are_followed(indexer, feed_server) -> None:
    feed_server.serve("/feed.jsonl", [article(1)])
    assert run_json(indexer, "rebuild", feed_server.base + "/moved")["indexed"] == 1


def test_a_broken_source_is_a_warning_and_the_others_are_indexed(
    indexer, feed_server, monkeypatch
) -> None:
    monkeypatch.setattr(fetch_module, "TIMEOUT_SECONDS", 0.3)
    good = feed_server.serve("/feed.jsonl", [article(1), article(2)])
    result = indexer(
        "rebuild",
        "--json",
        good,
        feed_server.base + "/missing",
        feed_server.base + "/slow",
        "http://127.0.0.1:9/refused",
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["indexed"] == 2 and summary["warnings"] == 3
    assert "/missing: HTTP 404" in result.stderr
    assert "/slow: no answer within 0 s" in result.stderr  # the time limit, rounded
    assert "/refused: unreachable" in result.stderr
    strict = indexer("rebuild", "--strict", good, feed_server.base + "/missing")
    assert strict.exit_code == 1


def test_the_run_fails_when_every_source_fails(indexer, feed_server) -> None:
    assert indexer("rebuild", str(SAMPLES)).exit_code == 0
    result = indexer("rebuild", feed_server.base + "/missing", feed_server.base + "/gone")
    assert result.exit_code == 1 and "no source could be read" in result.stderr
    assert run_json(indexer, "stats")["articles"] == 45


def test_sources_lists_the_configured_sources_with_their_last_read(
    indexer, feed_server, tmp_path, monkeypatch
) -> None:
    url = feed_server.serve("/feed.jsonl", [article(1)])
    config = tmp_path / "newsindex.toml"
    config.write_text(
        f'[[sources]]\nname = "wire"\nlocation = "{url}"\ntype = "jsonl"\n'
        f'[[sources]]\nname = "archive"\nlocation = "{SAMPLES}"\n',
        "utf-8",
    )
    monkeypatch.setenv("NEWSINDEX_CONFIG", str(config))
    assert json.loads(indexer("sources", "--json").stdout)[0]["result"] == ""
    run_json(indexer, "update")
    rows = json.loads(indexer("sources", "--json").stdout)
    assert [(r["name"], r["type"]) for r in rows] == [("wire", "jsonl"), ("archive", "")]
    assert rows[0]["result"] == "read 1 records" and rows[0]["checked_at"]
    run_json(indexer, "update")
    assert json.loads(indexer("sources", "--json").stdout)[0]["result"] == "not modified (304)"
    assert "wire" in indexer("sources").stdout
