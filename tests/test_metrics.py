"""Metrics: ``GET /metrics`` in Prometheus' text format (read back with prometheus_client's own
parser), and indexer runs' summaries for node exporter's textfile collector. (Counts added up over
gunicorn's workers: tests/test_cluster.py.)"""

from __future__ import annotations

import json
import os
import runpy
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

import pytest
from cluster import GunicornNode, http_get
from prometheus_client.parser import text_string_to_metric_families

from conftest import SAMPLES, app_for, close_app
from indexer.config import PROJECT_ROOT
from indexer.index.store import IndexStore


def scrape(client) -> dict[tuple[str, tuple], float]:
    """Every sample of /metrics by (name, sorted labels)."""
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.content_type.startswith("text/plain; version=")
    samples = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def requests_of(samples, route: str, status: str) -> float:
    labels = (("method", "GET"), ("route", route), ("status", status))
    return samples.get(("newsindex_http_requests_total", labels), 0.0)


def test_requests_are_counted_by_route_and_status(client) -> None:
    before = scrape(client)
    for q in ("harbour", "harbour", "election"):
        assert client.get(f"/api/search?q={q}").status_code == 200
    assert client.get("/api/search?page=0").status_code == 400
    assert client.get("/api/articles/sample-017").status_code == 200
    assert client.get("/api/articles/no-such-story").status_code == 404
    after = scrape(client)
    changes = {
        ("/api/search", "200"): 3,
        ("/api/search", "400"): 1,
        ("/api/articles/<path:article_id>", "200"): 1,  # the route, never the path asked for
        ("/api/articles/<path:article_id>", "404"): 1,
    }
    for (route, status), count in changes.items():
        assert requests_of(after, route, status) - requests_of(before, route, status) == count
    duration = ("newsindex_http_request_duration_seconds_count", (("route", "/api/search"),))
    assert after[duration] - before.get(duration, 0) == 4


def test_searches_cache_hits_and_search_time(client) -> None:
    before = scrape(client)
    query = f"/api/search?q=festival+{time.time_ns()}"  # a query no test asked before
    client.get(query)
    client.get(query)  # the same search again: from the worker's results cache
    client.get("/?q=festival")  # the search page counts as a search too
    after = scrape(client)

    def change(name: str) -> float:
        return after[(name, ())] - before.get((name, ()), 0.0)

    assert change("newsindex_searches_total") == 3
    assert change("newsindex_search_cache_hits_total") >= 1
    ran = change("newsindex_search_duration_seconds_count")
    assert ran == 3 - change("newsindex_search_cache_hits_total") and ran >= 1
    assert change("newsindex_search_duration_seconds_sum") > 0


def test_the_generation_served_its_size_and_age(client, sample_settings) -> None:
    samples = scrape(client)
    current = IndexStore(sample_settings.index_dir).current()
    health = client.get("/healthz").get_json()
    assert samples[("newsindex_index_available", ())] == 1
    served = ("newsindex_index_info", (("generation", health["generation"]),))
    assert samples[served] == 1 and health["generation"] == current.name
    assert samples[("newsindex_index_articles", ())] == health["articles"] == 45
    built = datetime.fromisoformat(current.manifest["built_at"]).timestamp()
    assert samples[("newsindex_index_built_timestamp_seconds", ())] == built
    age = samples[("newsindex_index_age_seconds", ())]
    assert 0 <= age <= time.time() - built + 5


def test_metrics_without_an_index_say_so(tmp_path) -> None:
    application = app_for(tmp_path / "nothing")
    try:
        samples = scrape(application.test_client())
    finally:
        close_app(application)
    assert samples[("newsindex_index_available", ())] == 0
    assert ("newsindex_index_articles", ()) not in samples


# Indexer runs for the textfile collector ------------------------------------------------------


def textfile(folder: Path, command: str) -> dict[str, float]:
    text = (folder / f"newsindex_indexer_{command}.prom").read_text()
    return {
        sample.name.removeprefix("newsindex_indexer_last_run_"): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.labels == {"command": command}
    }


def test_runs_write_their_summary_for_the_textfile_collector(
    indexer, tmp_path, monkeypatch
) -> None:
    folder = tmp_path / "textfiles"
    indexer("rebuild", str(SAMPLES))
    assert not folder.exists()  # only when asked to
    monkeypatch.setenv("NEWSINDEX_TEXTFILE_DIR", str(folder))
    started = time.time()
    assert indexer("rebuild", str(SAMPLES)).exit_code == 0
    done = textfile(folder, "rebuild")
    assert done["articles"] == 45 and done["exit_code"] == 0 and done["warnings"] == 0
    assert done["seconds"] > 0 and done["timestamp_seconds"] >= int(started)
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"title": "A fine story"}\nnot json\n')
    assert indexer("rebuild", "--strict", str(broken)).exit_code == 1
    failed = textfile(folder, "rebuild")
    assert failed["exit_code"] == 1 and failed["articles"] == 0
    assert indexer("delete", "sample-001").exit_code == 0
    assert textfile(folder, "delete")["articles"] == 1
    assert sorted(p.name for p in folder.iterdir()) == [  # no temporary file left behind
        "newsindex_indexer_delete.prom",
        "newsindex_indexer_rebuild.prom",
    ]


def test_publish_reports_failed_replicas_in_its_textfile(indexer, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("NEWSINDEX_TEXTFILE_DIR", str(tmp_path / "textfiles"))
    monkeypatch.setenv("NEWSINDEX_SSH", str(Path(__file__).parent / "fixtures" / "fake_ssh"))
    indexer("rebuild", str(SAMPLES))
    result = indexer("publish", "--json", str(tmp_path / "r1"), "unreachable.example:/srv/x")
    assert result.exit_code == 1 and json.loads(result.stdout)["failed"]
    published = textfile(tmp_path / "textfiles", "publish")
    assert published == pytest.approx(
        {
            "articles": 45,
            "warnings": 1,
            "exit_code": 1,
            "seconds": published["seconds"],
            "timestamp_seconds": published["timestamp_seconds"],
        }
    )


# Under gunicorn -------------------------------------------------------------------------------


def test_reading_the_gunicorn_config_changes_nothing(monkeypatch) -> None:
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    before = dict(os.environ)
    runpy.run_path(str(PROJECT_ROOT / "gunicorn.conf.py"))
    assert dict(os.environ) == before  # the metrics folder is made as gunicorn starts


def test_gunicorn_adds_up_its_workers_in_a_folder_of_its_own(tmp_path, sample_settings) -> None:
    node = GunicornNode("solo", sample_settings.index_dir, tmp_path, workers=2)
    node.metrics_dir = None  # none given: gunicorn makes one (in TMPDIR, here tmp_path)
    left_by_a_killed_gunicorn = tmp_path / "newsindex-metrics-999999999-x1y2"  # no such pid
    of_a_running_one = tmp_path / f"newsindex-metrics-{os.getpid()}-z3"
    for folder in (left_by_a_killed_gunicorn, of_a_running_one):
        folder.mkdir()
    try:
        node.start()
        assert not left_by_a_killed_gunicorn.exists() and of_a_running_one.exists()
        of_a_running_one.rmdir()
        # Batches of 60 until both workers have served some (the second may still be loading
        # the index when the first answers: then the first serves a whole batch alone).
        sent = 0
        while sent < 1200:
            urls = [f"{node.base}/api/search?q=word{n}" for n in range(60)]
            with ThreadPoolExecutor(max_workers=6) as pool:
                statuses = [status for status, _body, _headers in pool.map(http_get, urls)]
            assert statuses == [200] * 60
            sent += 60
            served = node.served_requests("/api/search")
            if len(served) == 2:
                break
        assert list(tmp_path.glob("newsindex-metrics-*/counter_*.db"))
        deadline = time.monotonic() + 10  # the access log is written after each answer
        while sum(served.values()) < sent and time.monotonic() < deadline:
            time.sleep(0.05)
            served = node.served_requests("/api/search")
        families = text_string_to_metric_families(http_get(f"{node.base}/metrics")[1].decode())
        requests = next(f for f in families if f.name == "newsindex_http_requests").samples
        counted = sum(s.value for s in requests if s.labels["route"] == "/api/search")
        assert counted == sum(served.values()) == sent and len(served) == 2, served
    finally:
        node.stop()
    assert not list(tmp_path.glob("newsindex-metrics-*")), "gunicorn left its folder behind"
