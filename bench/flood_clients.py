"""The two clients of a flood: one address sending as fast as it is answered on many connections,
another reading at a person's pace. Each binds its own loopback source address (127.0.0.2,
127.0.0.3...: Linux routes all of 127/8 to the machine), so nginx sees two clients.

Used by ``python -m bench flood`` and by the tests of the limits (tests/test_flood.py).
"""

from __future__ import annotations

import asyncio
import http.client
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit

REQUEST_TIMEOUT_SECONDS = 10.0  # an answer later than this counts as a failure
REFUSALS = (429, 503)  # the answers that must carry Retry-After


@dataclass
class FloodCounts:
    """What the flooding client got: answers by status, and what went wrong."""

    statuses: Counter[int] = field(default_factory=Counter)
    content_types: Counter[tuple[int, str]] = field(default_factory=Counter)
    without_retry_after: int = 0  # 429s and 503s without Retry-After
    failures: Counter[str] = field(default_factory=Counter)  # no answer: by exception type
    samples: dict[int, bytes] = field(default_factory=dict)  # a body of each status

    @property
    def answers(self) -> int:
        return sum(self.statuses.values())


def _host_port(base_url: str) -> tuple[str, int]:
    parts = urlsplit(base_url)
    return parts.hostname or "127.0.0.1", parts.port or 80


class Flooder:
    """``connections`` kept-alive connections from ``source``, each sending GETs of ``paths`` (in
    turn) as fast as they are answered, on an asyncio loop in a thread of its own, from start()
    until stop()."""

    def __init__(self, base_url: str, paths: list[str], connections: int, source: str) -> None:
        self.host, self.port = _host_port(base_url)
        self.paths, self.connections, self.source = paths, connections, source
        self.counts = FloodCounts()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._flood()), daemon=True)

    def start(self) -> Flooder:
        self._thread.start()
        return self

    def stop(self) -> FloodCounts:
        """Stop sending; the counts once every connection's last request is answered."""
        self._stopping.set()
        self._thread.join(timeout=REQUEST_TIMEOUT_SECONDS + 30)
        assert not self._thread.is_alive(), "the flooding client did not stop"
        return self.counts

    async def _flood(self) -> None:
        await asyncio.gather(*(self._connection(number) for number in range(self.connections)))

    async def _connection(self, number: int) -> None:
        streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
        position = number * 97
        while not self._stopping.is_set():
            path = self.paths[position % len(self.paths)]
            position += 1
            try:
                if streams is None:
                    streams = await asyncio.wait_for(
                        asyncio.open_connection(self.host, self.port, local_addr=(self.source, 0)),
                        REQUEST_TIMEOUT_SECONDS,
                    )
                request = f"GET {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n\r\n"
                streams[1].write(request.encode("ascii"))
                answer = await asyncio.wait_for(read_response(streams[0]), REQUEST_TIMEOUT_SECONDS)
                self._record(*answer)
                if answer[1].get("connection", "").lower() == "close":
                    streams = _close(streams)
            except (OSError, TimeoutError, asyncio.IncompleteReadError, ValueError) as exc:
                self.counts.failures[type(exc).__name__] += 1
                streams = _close(streams)
        _close(streams)

    def _record(self, status: int, headers: dict[str, str], body: bytes) -> None:
        counts = self.counts
        counts.statuses[status] += 1
        counts.content_types[status, headers.get("content-type", "")] += 1
        if status in REFUSALS and "retry-after" not in headers:
            counts.without_retry_after += 1
        counts.samples.setdefault(status, body)


def _close(streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None) -> None:
    """Close the connection, if open; None, the connection there is now."""
    if streams is not None:
        streams[1].close()
    return None


async def read_response(reader: asyncio.StreamReader) -> tuple[int, dict[str, str], bytes]:
    """(status, headers with lower-case names, body) of one HTTP/1.1 response."""
    head = await reader.readuntil(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    status = int(status_line.split(" ", 2)[1])
    headers = {}
    for line in header_lines:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        return status, headers, await _read_chunked(reader)
    return status, headers, await reader.readexactly(int(headers.get("content-length", "0")))


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    body = b""
    while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
        body += (await reader.readexactly(size + 2))[:-2]
    while await reader.readuntil(b"\r\n") != b"\r\n":
        pass  # trailer fields, up to the empty line
    return body


@dataclass
class Reading:
    """One request of the reader: when it was sent (monotonic), its time, status or failure."""

    sent: float
    milliseconds: float
    status: int | None
    failure: str | None = None


class Reader:
    """A person's pace: one GET every ``pause`` seconds from ``source``, cycling ``paths``, on a
    kept-alive connection (a browser's), in a thread of its own from start() until stop()."""

    def __init__(self, base_url: str, paths: list[str], source: str, pause: float = 0.5) -> None:
        self.host, self.port = _host_port(base_url)
        self.paths, self.source, self.pause = paths, source, pause
        self.readings: list[Reading] = []
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._read, daemon=True)

    def start(self) -> Reader:
        self._thread.start()
        return self

    def stop(self) -> list[Reading]:
        self._stopping.set()
        self._thread.join(timeout=REQUEST_TIMEOUT_SECONDS + 30)
        assert not self._thread.is_alive(), "the reading client did not stop"
        return self.readings

    def _read(self) -> None:
        connection = None
        position = 0
        while not self._stopping.is_set():
            if connection is None:
                connection = http.client.HTTPConnection(
                    self.host, self.port, REQUEST_TIMEOUT_SECONDS, (self.source, 0)
                )
            path = self.paths[position % len(self.paths)]
            position += 1
            sent = time.monotonic()
            try:
                connection.request("GET", path)
                response = connection.getresponse()
                response.read()
                reading = Reading(sent, (time.monotonic() - sent) * 1000, response.status)
            except (OSError, http.client.HTTPException) as exc:
                reading = Reading(sent, (time.monotonic() - sent) * 1000, None, repr(exc))
                connection.close()
                connection = None
            self.readings.append(reading)
            self._stopping.wait(max(0.0, self.pause - (time.monotonic() - sent)))
        if connection is not None:
            connection.close()


def seconds_until_served(
    base_url: str, path: str, source: str, ceiling: float = 30.0
) -> tuple[float | None, Counter[int]]:
    """Seconds until a GET of ``path`` from ``source`` is answered 200 (asked every 50 ms; None if
    not within ``ceiling``), and the answers before, by status."""
    host, port = _host_port(base_url)
    before: Counter[int] = Counter()
    started = time.monotonic()
    while time.monotonic() - started < ceiling:
        connection = http.client.HTTPConnection(host, port, REQUEST_TIMEOUT_SECONDS, (source, 0))
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            if response.status == 200:
                return time.monotonic() - started, before
            before[response.status] += 1
        except (OSError, http.client.HTTPException):
            pass
        finally:
            connection.close()
        time.sleep(0.05)
    return None, before
