"""Fetching sources over HTTP: polite, bounded, and cheap when nothing changed.

Every request names the project in its User-Agent, has a timeout, accepts gzip and follows
redirects. ETag and Last-Modified are remembered between runs (in the index folder), so an
unchanged feed costs one 304; the last body is kept beside them, so a rebuild can still index a
feed that answered 304.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import socket
import urllib.error
import urllib.request
import zlib
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from indexer import __version__

USER_AGENT = f"newsindex/{__version__} (news archive indexer)"
TIMEOUT_SECONDS = 20.0
MAX_BYTES = 32 * 1024 * 1024


class FetchError(Exception):
    """A source URL could not be fetched (the message says why, for a warning)."""


@dataclass
class FetchResult:
    url: str  # after redirects
    body: bytes
    content_type: str
    not_modified: bool  # the server answered 304: ``body`` is the one kept from last time


@dataclass
class SourceState:
    """What is remembered of one source between runs (``indexer sources`` shows it)."""

    checked_at: str = ""
    result: str = ""
    etag: str = ""
    last_modified: str = ""
    content_type: str = ""


class SourceStates:
    """The remembered state of all sources, kept in ``<index>/sources/`` (written under the
    indexer's write lock)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._path = folder / "state.json"
        try:
            raw = json.loads(self._path.read_text("utf-8"))
        except (OSError, ValueError):
            raw = {}
        self.states = {key: SourceState(**value) for key, value in raw.items()}

    def get(self, location: str) -> SourceState:
        return self.states.setdefault(location, SourceState())

    def record(self, location: str, result: str) -> None:
        state = self.get(location)
        state.checked_at = datetime.now(UTC).isoformat(timespec="seconds")
        state.result = result

    def save(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        temporary = self._path.with_suffix(".tmp")
        data = {key: asdict(value) for key, value in self.states.items()}
        temporary.write_text(json.dumps(data, indent=2), "utf-8")
        temporary.replace(self._path)

    def body_path(self, url: str) -> Path:
        return self.folder / f"{hashlib.sha1(url.encode()).hexdigest()[:20]}.body"


def fetch(url: str, states: SourceStates) -> FetchResult:
    """GET ``url`` conditionally; FetchError when it cannot be had (nothing is raised else)."""
    state = states.get(url)
    cached = states.body_path(url)
    request = urllib.request.Request(url, headers=_headers(state, cached.is_file()))
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            body = _decoded(response.read(MAX_BYTES + 1), response.headers.get("Content-Encoding"))
            if len(body) > MAX_BYTES:
                raise FetchError(f"larger than {MAX_BYTES // 2**20} MB")
            state.etag = response.headers.get("ETag", "")
            state.last_modified = response.headers.get("Last-Modified", "")
            state.content_type = response.headers.get("Content-Type", "")
            _keep(cached, body)
            return FetchResult(response.geturl(), body, state.content_type, not_modified=False)
    except urllib.error.HTTPError as error:
        with error:
            if error.code == 304 and cached.is_file():
                return FetchResult(url, cached.read_bytes(), state.content_type, not_modified=True)
            raise FetchError(f"HTTP {error.code} {error.reason}") from None
    except urllib.error.URLError as error:
        raise FetchError(f"unreachable ({_reason(error.reason)})") from None
    except TimeoutError:
        raise FetchError(f"no answer within {TIMEOUT_SECONDS:.0f} s") from None
    except (OSError, EOFError, zlib.error, ValueError) as error:
        raise FetchError(f"broken response ({error})") from None


def _headers(state: SourceState, has_cached_body: bool) -> dict[str, str]:
    headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "gzip", "Accept": "*/*"}
    if has_cached_body and state.etag:
        headers["If-None-Match"] = state.etag
    if has_cached_body and state.last_modified:
        headers["If-Modified-Since"] = state.last_modified
    return headers


def _decoded(body: bytes, encoding: str | None) -> bytes:
    if encoding and encoding.lower() == "gzip":
        return gzip.decompress(body)
    return body


def _keep(path: Path, body: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_bytes(body)
    temporary.replace(path)


def _reason(reason: object) -> str:
    if isinstance(reason, socket.timeout | TimeoutError):
        return f"no answer within {TIMEOUT_SECONDS:.0f} s"
    return str(getattr(reason, "strerror", None) or reason)
