"""Against a real gunicorn started from the project's gunicorn.conf.py: the API answers, a
rebuild while it serves fails no request and is picked up by every worker without a restart, and
no request waits for an index load (a worker loads before it takes requests, and a new generation
in a thread of its own)."""

from __future__ import annotations

import re
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from conftest import SAMPLES, article, get_json, gunicorn_serving, write_jsonl
from indexer.config import load_settings
from indexer.index.build import rebuild_index
from indexer.index.update import update_index


@pytest.fixture
def served(tmp_path: Path):
    """(base URL, settings) of a gunicorn with two workers over a fresh sample index."""
    settings = load_settings({"index_dir": tmp_path / "index"}, environ={})
    rebuild_index(settings, [str(SAMPLES)])
    with gunicorn_serving(settings.index_dir, workers=2) as base:
        yield base, settings


def test_the_api_over_real_http(served) -> None:
    base, _settings = served
    status, body = get_json(f"{base}/api/search?q=oil+prices&section=business")
    assert status == 200 and body["all_words_total"] == 3 and body["total"] >= 3
    assert body["results"][0]["id"] == "sample-017"
    assert {hit["section"] for hit in body["results"]} == {"Business"}
    status, body = get_json(f"{base}/api/search?q=%22unbalanced&page=0")
    assert status == 400 and "page" in body["error"]["message"]
    with urllib.request.urlopen(f"{base}/healthz", timeout=10) as response:
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_rebuild_while_serving_fails_no_request_and_is_picked_up(served, tmp_path) -> None:
    base, settings = served
    failures: list[str] = []
    totals: list[int] = []
    stop = threading.Event()

    def keep_searching() -> None:
        while not stop.is_set():
            try:
                status, body = get_json(f"{base}/api/search?q=harbour")
                if status != 200:
                    failures.append(f"{status}: {body}")
                totals.append(body.get("total", -1))
            except OSError as exc:
                failures.append(repr(exc))

    threads = [threading.Thread(target=keep_searching) for _ in range(3)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(0.5)
        more = write_jsonl(tmp_path / "more.jsonl", [article(n) for n in range(200)])
        rebuild_index(settings, [str(SAMPLES), str(more)])
        rebuild_index(settings, [str(SAMPLES), str(more)])
        deadline = time.monotonic() + 60  # a ceiling that only catches hangs (README, Test)
        while time.monotonic() < deadline:
            generations = {get_json(f"{base}/healthz")[1]["generation"] for _ in range(8)}
            if generations == {"gen-000003"}:
                break
            time.sleep(0.2)
        assert generations == {"gen-000003"}
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert failures == []
    assert totals and min(totals) > 0, "a request saw no hits while the index switched"


def _loads(base: str) -> dict[str, float]:
    """The worker's ``newsindex_index_loads_total`` by ``when``, from /metrics."""
    with urllib.request.urlopen(f"{base}/metrics", timeout=10) as response:
        text = response.read().decode()
    found = re.findall(r'^newsindex_index_loads_total\{when="(\w+)"\} (\S+)$', text, re.M)
    return {when: float(count) for when, count in found}


def test_no_request_waits_for_an_index_load(tmp_path: Path) -> None:
    """One worker: the index is loaded before the first request, and after an update the new
    generation is loaded by the worker's own thread and then served, never by a request."""
    settings = load_settings({"index_dir": tmp_path / "index"}, environ={})
    rebuild_index(settings, [str(SAMPLES)])
    with gunicorn_serving(settings.index_dir, workers=1) as base:
        assert _loads(base) == {"before_requests": 1, "on_requests": 0}
        status, body = get_json(f"{base}/api/search?q=zorblax+crane&autocorrect=0")
        assert status == 200 and body["total"] == 0
        new = article(
            1, id="new-1", title="Zorblax crane returns", body="The zorblax crane is back."
        )
        update_index(settings, [str(write_jsonl(tmp_path / "new.jsonl", [new]))])
        deadline = time.monotonic() + 60  # a ceiling that only catches hangs
        while get_json(f"{base}/healthz")[1]["generation"] != "gen-000002":
            assert time.monotonic() < deadline, "the new generation was never served"
            time.sleep(0.1)
        status, body = get_json(f"{base}/api/search?q=zorblax+crane&autocorrect=0")
        assert status == 200 and [hit["id"] for hit in body["results"]] == ["new-1"]
        assert _loads(base) == {"before_requests": 2, "on_requests": 0}
