"""``GET /metrics``: the web app's numbers in Prometheus' text format, through prometheus_client.

Under gunicorn each worker is a process of its own. With ``PROMETHEUS_MULTIPROC_DIR`` set (the
project's gunicorn.conf.py sets it) every worker writes its counts to files in that folder and
``/metrics`` adds up the files of all workers, living and gone, whichever worker answers. Without
it (the Flask development server, tests) the counts are those of the one process.

- ``newsindex_http_requests_total{route,method,status}``: requests by route (the URL rule, never
  the path asked for) and status; ``newsindex_http_request_duration_seconds{route}`` their time.
- ``newsindex_searches_total``: searches answered; ``newsindex_search_cache_hits_total``: of them,
  answered from the worker's results cache; ``newsindex_search_duration_seconds``: the time of
  the searches that ran (not the cache hits).
- ``newsindex_index_available``, ``newsindex_index_info{generation}`` (its name, as /healthz
  gives it), ``newsindex_index_articles``, ``newsindex_index_built_timestamp_seconds`` and
  ``newsindex_index_age_seconds``: the generation being served, read as the page is asked for
  (every worker follows a new generation within a second). A generation published to several
  replicas keeps its build time on each, so equal build times mean the same index.
- ``newsindex_index_loads_total{when}``: the index generations the answering worker loaded,
  ``before_requests`` (as it started, and each new one in its background thread) or
  ``on_requests`` (by a search, which then waited for it: under gunicorn only when no index
  existed as the worker started).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache

from flask import Blueprint, Response, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    InfoMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector

from indexer.errors import NewsindexError
from indexer.search.results import SearchResults
from indexer.search.service import SearchService
from webui.search_data import search_service

MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"
WARM_UP_ENVIRON = "newsindex.warm_up"  # set on the requests a worker makes itself as it starts
SEARCH_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0)

blueprint = Blueprint("metrics", __name__)


@dataclass(frozen=True)
class _Meters:
    """This process's metrics; ``registry`` is None when the workers' files are added up."""

    requests: Counter
    request_seconds: Histogram
    searches: Counter
    cache_hits: Counter
    search_seconds: Histogram
    registry: CollectorRegistry | None


def multiprocess_mode() -> bool:
    return bool(os.environ.get(MULTIPROCESS_ENV))


@cache
def _meters() -> _Meters:
    """Made once per process, at its first request: a gunicorn worker's files then carry its own
    process id, never the master's."""
    registry = None if multiprocess_mode() else CollectorRegistry()
    return _Meters(
        requests=Counter(
            "newsindex_http_requests",
            "HTTP requests answered, by route, method and status",
            ["route", "method", "status"],
            registry=registry,
        ),
        request_seconds=Histogram(
            "newsindex_http_request_duration_seconds",
            "Time to answer an HTTP request, by route",
            ["route"],
            registry=registry,
        ),
        searches=Counter("newsindex_searches", "Searches answered", registry=registry),
        cache_hits=Counter(
            "newsindex_search_cache_hits",
            "Searches answered from the worker's results cache",
            registry=registry,
        ),
        search_seconds=Histogram(
            "newsindex_search_duration_seconds",
            "Time of the searches that ran (results cache misses)",
            buckets=SEARCH_BUCKETS,
            registry=registry,
        ),
        registry=registry,
    )


def _record_search(meters: _Meters, results: SearchResults) -> None:
    """Count a search, and its time when it ran rather than came from the results cache."""
    meters.searches.inc()
    if results.from_cache:
        meters.cache_hits.inc()
    else:
        meters.search_seconds.observe(results.took_ms / 1000)


@blueprint.before_app_request
def _start_clock() -> None:
    g.metrics_started = time.perf_counter()


@blueprint.after_app_request
def _count_request(response: Response) -> Response:
    if request.environ.get(WARM_UP_ENVIRON):
        _meters()  # made, not counted
        return response
    route = request.url_rule.rule if request.url_rule is not None else "(unmatched)"
    meters = _meters()
    meters.requests.labels(route, request.method, str(response.status_code)).inc()
    started = g.get("metrics_started")
    if started is not None:
        meters.request_seconds.labels(route).observe(time.perf_counter() - started)
    results = g.get("search_results")  # set by search_data.search_results
    if results is not None:
        _record_search(meters, results)
    return response


@blueprint.get("/metrics")
def metrics() -> Response:
    registry = CollectorRegistry()
    if multiprocess_mode():
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_ProcessMeters())
    registry.register(_ServedIndex(search_service()))
    return Response(generate_latest(registry), headers={"Content-Type": CONTENT_TYPE_LATEST})


class _ProcessMeters(Collector):
    """The one process's metrics (no gunicorn workers to add up)."""

    def collect(self) -> Iterator[Metric]:
        registry = _meters().registry
        if registry is not None:
            yield from registry.collect()


class _ServedIndex(Collector):
    """The generation this worker serves, read at the time of the scrape."""

    def __init__(self, service: SearchService) -> None:
        self.service = service

    def collect(self) -> Iterator[Metric]:
        loads = CounterMetricFamily(
            "newsindex_index_loads", "Index generations this worker loaded", labels=["when"]
        )
        for when, count in self.service.loads().items():
            loads.add_metric([when], count)
        yield loads
        try:
            generation = self.service.generation_served()
        except NewsindexError:
            yield GaugeMetricFamily("newsindex_index_available", "An index is served", 0)
            return
        manifest = generation.manifest
        built = datetime.fromisoformat(manifest["built_at"])
        built_at = (built if built.tzinfo else built.replace(tzinfo=UTC)).timestamp()
        gauges = {
            "available": ("An index is served", 1),
            "articles": ("Articles in the generation served", manifest.get("articles", 0)),
            "built_timestamp_seconds": ("When the generation served was built", built_at),
            "age_seconds": ("Seconds since it was built", max(0.0, time.time() - built_at)),
        }
        for name, (documentation, value) in gauges.items():
            yield GaugeMetricFamily(f"newsindex_index_{name}", documentation, value)
        served = {"generation": generation.name}  # as /healthz names it
        yield InfoMetricFamily("newsindex_index", "The generation served", value=served)
