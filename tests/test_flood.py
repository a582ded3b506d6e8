"""A flood from one client leaves the site fast for everyone else (issue 25).

The project's nginx site (deploy/nginx-newsindex.conf) in front of two gunicorn nodes on loopback;
one client address (127.0.0.2) floods the API or the Atom feed on 128 connections while another
(127.0.0.3) searches at a person's pace, two searches a second, and a third (127.0.0.4) polls
/healthz through nginx while /metrics is scraped on the nodes. The flooder gets quick 429s with
Retry-After, never a time-out nor a 502/504; the reader is never limited and never fails; once
the flood stops everyone is served within 2 s; deploy/nginx_refusals.py counts every 429. A node
that cannot take more requests makes nginx shed the next one at once: 503 with Retry-After.
How fast the reader is served meanwhile is the benchmark's (``python -m bench flood``).
"""

from __future__ import annotations

import json
import re
import socket
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pytest
from cluster import GunicornNode, Nginx, http_get, wait_until
from prometheus_client.parser import text_string_to_metric_families

from bench.flood_clients import Flooder, Reader, seconds_until_served
from conftest import SAMPLES, free_port
from indexer.config import PROJECT_ROOT, load_settings
from indexer.index.build import rebuild_index
from processes import Run
from webui.assets import load_assets

FLOODER, READER, MONITOR = "127.0.0.2", "127.0.0.3", "127.0.0.4"
CONNECTIONS = 128
FLOOD_SECONDS = 4.0
RECOVERY_SECONDS = 2.0  # the target: everyone served as before within 2 s
CEILING_SECONDS = 30  # catches a hang
SITE = PROJECT_ROOT / "deploy" / "nginx-newsindex.conf"
EXPORTER = PROJECT_ROOT / "deploy" / "nginx_refusals.py"
READMES = PROJECT_ROOT / "README.md"


@dataclass
class Site:
    nginx: Nginx
    nodes: list[GunicornNode]
    exporter: str  # base URL of deploy/nginx_refusals.py's /metrics

    def refused(self) -> dict[tuple[str, str], float]:
        return refused_counts(self.exporter)


def refused_counts(exporter: str) -> dict[tuple[str, str], float]:
    """newsindex_nginx_refused_total by (reason, area), as Prometheus would scrape it."""
    status, body, _headers = http_get(f"{exporter}/metrics", timeout=5)
    assert status == 200
    return {
        (sample.labels["reason"], sample.labels["area"]): sample.value
        for family in text_string_to_metric_families(body.decode())
        if family.name == "newsindex_nginx_refused"
        for sample in family.samples
        if sample.name == "newsindex_nginx_refused_total"
    }


def start_exporter(stack: ExitStack, log: Path) -> str:
    """deploy/nginx_refusals.py counting ``log``, as its systemd unit runs it; its base URL."""
    port = free_port()
    command = [sys.executable, str(EXPORTER), str(log), "--listen", f"127.0.0.1:{port}"]
    stack.enter_context(Run(command, {"PATH": "/usr/bin:/bin"}, PROJECT_ROOT))
    base = f"http://127.0.0.1:{port}"
    wait_until(lambda: http_get(f"{base}/metrics")[0] == 200, CEILING_SECONDS, "the exporter")
    return base


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    workdir = tmp_path_factory.mktemp("flood")
    settings = load_settings({"index_dir": workdir / "index"}, environ={})
    rebuild_index(settings, [str(SAMPLES)])
    nodes = [GunicornNode(name, settings.index_dir, workdir) for name in "ab"]
    nginx = Nginx(workdir / "nginx", nodes)
    with ExitStack() as stack:
        for node in nodes:
            stack.callback(node.stop)
            node.start()
        stack.callback(nginx.stop)
        nginx.start()
        yield Site(nginx, nodes, start_exporter(stack, nginx.refusals_log))
    for node in nodes:
        assert "Traceback" not in node.log(), node.log()[-3000:]


FLOODS = {
    "api": ["/api/search?q=harbour", "/api/search?q=election&sort=newest"],
    "feed": ["/search.atom?q=harbour", "/search.atom?q=election"],
}
READS = {
    "api": ["/api/search?q=budget", "/api/search?q=harbour&page=2", "/api/search?q=rain"],
    "feed": ["/search.atom?q=budget", "/search.atom?q=rain"],
}


@pytest.mark.parametrize("area", ["api", "feed"])
def test_a_flood_gets_quick_429s_and_the_reader_is_never_limited(site: Site, area: str) -> None:
    base = site.nginx.base
    before = site.refused()
    with ExitStack() as stack:
        reader = Reader(base, READS[area], READER).start()
        stack.callback(reader.stop)
        health = Reader(base, ["/healthz"], MONITOR, pause=0.25).start()
        stack.callback(health.stop)
        scrapes = [Reader(node.base, ["/metrics"], "127.0.0.1").start() for node in site.nodes]
        for scrape in scrapes:
            stack.callback(scrape.stop)
        time.sleep(1)  # the reader alone first
        flooder = Flooder(base, FLOODS[area], CONNECTIONS, FLOODER).start()
        stack.callback(flooder.stop)
        started = time.monotonic()
        time.sleep(FLOOD_SECONDS)
        flood = flooder.stop()
        flooded_seconds = time.monotonic() - started
        recovered, refused_after = seconds_until_served(
            base, FLOODS[area][0], FLOODER, CEILING_SECONDS
        )
        time.sleep(1)  # the reader after the flood
    assert flood.failures == {}, flood.failures  # no time-out, no reset: answers
    assert set(flood.statuses) <= {200, 429, 503}, flood.statuses
    assert flood.without_retry_after == 0
    assert flood.statuses[429] > 10 * flood.statuses[200], flood.statuses
    rate, burst = scripts_limit()
    assert flood.statuses[200] <= 2 * (burst + rate * flooded_seconds), flood.statuses
    assert_refusal_answers(flood.samples, flood.content_types, area)
    for client in (reader, health, *scrapes):
        problems = [r for r in client.readings if r.status != 200]
        assert problems == [], problems[:10]
        assert len(client.readings) >= FLOOD_SECONDS, len(client.readings)  # it kept reading
    assert recovered is not None and recovered <= RECOVERY_SECONDS, recovered
    limited = flood.statuses[429] + refused_after[429]
    wait_until(
        lambda: site.refused()["limited", area] - before["limited", area] == limited,
        CEILING_SECONDS,
        f"newsindex_nginx_refused_total{{reason=limited,area={area}}} counting every 429",
    )


def assert_refusal_answers(
    samples: dict[int, bytes], content_types: dict[tuple[int, str], int], area: str
) -> None:
    """429s in the API's error shape on the API, as a short page elsewhere."""
    refused_types = {kind for status, kind in content_types if status == 429}
    if area == "api":
        assert refused_types == {"application/json"}
        assert json.loads(samples[429])["error"]["code"] == "rate_limited"
    else:
        assert refused_types == {"text/html; charset=utf-8"}
        assert b"<h1>Too many requests</h1>" in samples[429]


def scripts_limit() -> tuple[float, int]:
    """(requests a second, burst) the site allows each client on the API and the feeds."""
    site = SITE.read_text()
    rate = re.search(r"zone=newsindex_scripts:\S+ rate=(\d+)r/s;", site)
    burst = re.search(r"limit_req zone=newsindex_scripts burst=(\d+)", site)
    assert rate and burst, "the site has no limit on the API"
    return float(rate.group(1)), int(burst.group(1))


def test_the_site_files_are_never_limited(site: Site) -> None:
    stylesheet = f"/assets/{load_assets()['site.css'].url_name}"
    flood = Flooder(site.nginx.base, [stylesheet], 16, "127.0.0.5").start()
    time.sleep(1)
    counts = flood.stop()
    assert counts.failures == {} and set(counts.statuses) == {200}, counts.statuses
    assert counts.answers > 100  # far past any limit per client


def test_a_request_no_node_can_take_is_shed_at_once_with_retry_after(tmp_path: Path) -> None:
    """A node that accepts connections but answers none (every worker stuck): once nginx has
    max_conns requests waiting there, the next one is answered 503 at once."""
    max_conns = int(re.search(r"max_conns=(\d+)", SITE.read_text()).group(1))
    with ExitStack() as stack:
        stuck = stack.enter_context(socket.create_server(("127.0.0.1", 0), backlog=64))
        nginx = Nginx(tmp_path / "nginx", [SimpleNamespace(port=stuck.getsockname()[1])])
        stack.callback(nginx.stop)
        nginx.start(through_to_nodes=False)
        exporter = start_exporter(stack, nginx.refusals_log)
        for number in range(max_conns):  # each from its own address: no limit per client
            waiting = socket.create_connection(
                ("127.0.0.1", nginx.port), timeout=5, source_address=(f"127.0.3.{number + 1}", 0)
            )
            stack.enter_context(waiting)
            waiting.sendall(b"GET /api/search?q=harbour HTTP/1.1\r\nHost: x\r\n\r\n")
        time.sleep(0.5)  # nginx has passed them on to the node
        status, body, headers = http_get(f"{nginx.base}/api/search?q=rain", 5, "127.0.3.100")
        assert (status, headers.get("Retry-After")) == (503, "2"), (status, body)
        assert json.loads(body)["error"]["code"] == "overloaded"
        status, body, headers = http_get(f"{nginx.base}/?q=rain", 5, "127.0.3.101")
        assert (status, headers.get("Retry-After")) == (503, "2") and b"<h1>Busy</h1>" in body
        wait_until(
            lambda: (
                refused_counts(exporter)["shed", "api"]
                == refused_counts(exporter)["shed", "page"]
                == 1
            ),
            CEILING_SECONDS,
            "newsindex_nginx_refused_total counting the shed requests",
        )


def test_the_readme_states_the_limits_the_site_sets() -> None:
    site, readme = SITE.read_text(), READMES.read_text()
    rate, burst = scripts_limit()
    assert f"{rate:g} requests a second" in readme and f"burst of {burst}" in readme
    pages_rate = re.search(r"zone=newsindex_pages:\S+ rate=(\d+)r/s;", site)
    pages_burst = re.search(r"limit_req zone=newsindex_pages burst=(\d+)", site)
    assert pages_rate and pages_burst
    assert f"{pages_rate.group(1)} requests a second" in readme
    assert f"burst of {pages_burst.group(1)}" in readme
    assert "backlog = 64" in (PROJECT_ROOT / "gunicorn.conf.py").read_text()
    assert "backlog (64)" in readme and f"max_conns={max_conns_of(site)}" in readme


def max_conns_of(site: str) -> int:
    found = re.search(r"max_conns=(\d+)", site)
    assert found, "the upstream has no max_conns"
    return int(found.group(1))


def test_the_refusal_counts_follow_the_log_across_rotation(tmp_path: Path) -> None:
    """Lines written before the exporter started are not counted; after logrotate's rename (and
    nginx reopening the log) and after copytruncate, every new line is."""
    log = tmp_path / "refusals.log"
    log.write_text("1.0 limited api 429\n")
    with ExitStack() as stack:
        exporter = start_exporter(stack, log)
        assert refused_counts(exporter)["limited", "api"] == 0
        with log.open("a") as lines:
            lines.write("2.0 limited api 429\n2.1 shed page 503\n2.2 limited feed 429\n")
        log.rename(tmp_path / "refusals.log.1")  # logrotate's rename; nginx still writes there
        with (tmp_path / "refusals.log.1").open("a") as lines:
            lines.write("3.0 limited api 429\n")
        log.write_text("4.0 limited api 429\n")  # nginx reopened the log (USR1)
        assert refused_counts(exporter)["limited", "api"] == 3
        log.write_text("5.0 shed api 503\n")  # copytruncate: the same file, shorter
        counts = refused_counts(exporter)
        assert (counts["limited", "api"], counts["shed", "api"], counts["shed", "page"]) == (
            3,
            1,
            1,
        )
        assert counts["limited", "feed"] == 1
