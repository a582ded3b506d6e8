"""Count the requests nginx refused itself, for Prometheus: ``/metrics`` on the nginx machine.

A request over a client's limits (429) or that no node could take (503, shed) never reaches a node,
so the nodes' own ``/metrics`` cannot count it. deploy/nginx-newsindex.conf writes one line for
each to a log of their own ("<time> <reason> <area> <status>"); this reads the new lines at each
scrape and answers with

- ``newsindex_nginx_refused_total{reason,area}``: reason ``limited`` (429: the client was over
  its rate or its requests at once) or ``shed`` (503: every node at its max_conns, down, or not
  answering in time); area ``api``, ``feed`` or ``page``.

Counts start at zero when this starts (lines already in the log are not counted twice after a
restart; Prometheus reads a restart as a counter reset), and follow the log across logrotate's
rename (the old file is read to its end before the new one) and copytruncate. Run it on the
nginx machine with the project's Python (deploy/newsindex-refusals.service):

    /srv/newsindex/.venv/bin/python /srv/newsindex/deploy/nginx_refusals.py \\
        /var/log/nginx/newsindex.refusals.log --listen 127.0.0.1:9114
"""

from __future__ import annotations

import argparse
import os
import signal
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from prometheus_client import CollectorRegistry, start_http_server
from prometheus_client.core import CounterMetricFamily, Metric
from prometheus_client.registry import Collector

REASONS = ("limited", "shed")
AREAS = ("api", "feed", "page")


class RefusalLog(Collector):
    """The refusals log, read from where it ended when this started; counts by (reason, area)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.counts = {(reason, area): 0 for reason in REASONS for area in AREAS}
        self._file: BinaryIO | None = None
        self._partial = b""
        self._lock = threading.Lock()
        self._open(at_end=True)

    def _open(self, at_end: bool) -> None:
        try:
            self._file = open(self.path, "rb")  # kept open across scrapes, to follow a rename
        except FileNotFoundError:
            self._file = None
            return
        if at_end:
            self._file.seek(0, os.SEEK_END)
        self._partial = b""

    def read_new_lines(self) -> None:
        """Count the lines written since the last call, following a rotated or truncated log."""
        with self._lock:
            if self._file is None:
                self._open(at_end=False)
            if self._file is None:
                return
            if os.fstat(self._file.fileno()).st_size < self._file.tell():
                self._file.seek(0)  # truncated in place (copytruncate)
                self._partial = b""
            self._count(self._file.read())
            if self._rotated():
                self._file.close()
                self._open(at_end=False)
                if self._file is not None:
                    self._count(self._file.read())

    def _rotated(self) -> bool:
        assert self._file is not None
        try:
            return os.stat(self.path).st_ino != os.fstat(self._file.fileno()).st_ino
        except FileNotFoundError:
            return False  # renamed away, the new one not made yet: the next scrape opens it

    def _count(self, data: bytes) -> None:
        *lines, self._partial = (self._partial + data).split(b"\n")
        for line in lines:
            fields = line.decode("ascii", "replace").split()
            if len(fields) == 4 and (fields[1], fields[2]) in self.counts:
                self.counts[fields[1], fields[2]] += 1

    def collect(self) -> Iterator[Metric]:
        self.read_new_lines()
        family = CounterMetricFamily(
            "newsindex_nginx_refused",
            "Requests nginx answered itself: limited (429) or shed (503), by area",
            labels=["reason", "area"],
        )
        for (reason, area), count in sorted(self.counts.items()):
            family.add_metric([reason, area], count)
        yield family


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("log", type=Path, help="the refusals log the nginx site writes")
    parser.add_argument("--listen", default="127.0.0.1:9114", help="address:port of /metrics")
    args = parser.parse_args(argv)
    address, _colon, port = args.listen.rpartition(":")
    registry = CollectorRegistry()
    registry.register(RefusalLog(args.log))
    stop = {signal.SIGINT, signal.SIGTERM}
    signal.pthread_sigmask(signal.SIG_BLOCK, stop)  # before the server's thread: it inherits it
    start_http_server(int(port), addr=address or "127.0.0.1", registry=registry)
    print(f"nginx_refusals: counting {args.log} on http://{args.listen}/metrics", flush=True)
    signal.sigwait(stop)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
