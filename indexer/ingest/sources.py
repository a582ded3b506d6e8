"""Reading articles from sources: files, folders (recursively) and http(s) URLs.

A local source that cannot be read at all (missing, unreadable, corrupt compression) is an error:
the run stops and the index is left alone. A URL that cannot be fetched is a warning, and the run
fails only when no source at all could be read. Bad data inside a readable source is a warning
naming the file and line; the bad record is skipped and everything else is read.
"""

from __future__ import annotations

import gzip
import io
import json
import urllib.parse
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import IO

from indexer.errors import SourceError
from indexer.ingest.articles import ArticleRecord, article_from_raw
from indexer.ingest.feeds import read_feed
from indexer.ingest.fetch import FetchError, FetchResult, SourceStates, fetch
from indexer.ingest.records import InvalidRecord, RawRecords, ReadWarning
from indexer.ingest.webpages import read_html_page, read_text_page

Reader = Callable[[IO[bytes], str], RawRecords]  # (the bytes, the file path or URL they came from)


@dataclass
class ReadReport:
    """What reading the sources found: counts and the warnings, each naming file and line."""

    files: int = 0
    records: int = 0
    skipped: int = 0
    failed_sources: int = 0  # URLs that could not be fetched
    unchanged_sources: int = 0  # URLs that answered 304 to an update
    warnings: list[str] = field(default_factory=list)

    def warn(self, message: str) -> None:
        self.warnings.append(message)


def read_json_lines(stream: IO[bytes], location: str = "") -> RawRecords:
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        where = f"line {number}"
        try:
            text = line.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            yield where, InvalidRecord(f"not valid UTF-8 (byte {exc.start + 1})")
            continue
        try:
            yield where, json.loads(text)
        except (ValueError, RecursionError) as exc:  # ValueError: also numbers too long to read
            yield where, InvalidRecord(f"not valid JSON ({_json_problem(exc)})")


def read_json_document(stream: IO[bytes], location: str = "") -> RawRecords:
    try:
        document = json.loads(stream.read().decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        yield "file", InvalidRecord(f"not valid UTF-8 (byte {exc.start + 1})")
        return
    except (ValueError, RecursionError) as exc:  # ValueError: also numbers too long to read
        yield _json_location(exc), InvalidRecord(f"not valid JSON ({_json_problem(exc)})")
        return
    if isinstance(document, list):
        for number, item in enumerate(document, start=1):
            yield f"item {number}", item
    else:
        yield "file", document


# Source type -> reader, and file suffix (after any .gz) -> source type.
READERS: dict[str, Reader] = {
    "jsonl": read_json_lines,
    "json": read_json_document,
    "feed": read_feed,
    "html": read_html_page,
    "text": read_text_page,
}
# Content-Type of a fetched URL -> source type (else the URL's suffix decides, else sniffing).
CONTENT_TYPES: dict[str, str] = {
    "application/rss+xml": "feed",
    "application/atom+xml": "feed",
    "application/rdf+xml": "feed",
    "application/xml": "feed",
    "text/xml": "feed",
    "text/html": "html",
    "application/xhtml+xml": "html",
    "application/json": "json",
    "application/x-ndjson": "jsonl",
    "application/jsonl": "jsonl",
    "text/plain": "text",
}
SUFFIX_TYPES: dict[str, str] = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".xml": "feed",
    ".rss": "feed",
    ".atom": "feed",
    ".rdf": "feed",
    ".html": "html",
    ".htm": "html",
    ".txt": "text",
}


@dataclass(frozen=True)
class Source:
    """A location to read: its files (a folder's, recursively), or none for a URL; and its
    type when the configuration declares one."""

    location: str
    files: list[Path] | None
    declared_type: str = ""


def find_sources(
    locations: Iterable[str], declared_types: Mapping[str, str] | None = None
) -> list[Source]:
    """The sources named by ``locations``.

    Raises SourceError for a local location that is missing or of an unknown type: a typo in a
    cron line must be loud. URLs are checked only when read.
    """
    declared_types = declared_types or {}
    found = []
    for location in locations:
        declared = declared_types.get(location, "")
        if is_url(location):
            found.append(Source(location, None, declared))
        elif "://" in location:
            raise SourceError(f"{location}: only http and https URLs can be read")
        else:
            files = _local_files(Path(location).expanduser(), declared)
            found.append(Source(location, files, declared))
    return found


def read_articles(
    sources: list[Source],
    report: ReadReport,
    states: SourceStates,
    skip_unchanged: bool = False,
) -> Iterator[ArticleRecord]:
    """Every usable article of ``sources``, in order; problems go to ``report``.

    A URL that cannot be fetched is a warning (the run goes on without it); with
    ``skip_unchanged`` a URL answering 304 Not Modified is not read again.
    """
    for source in sources:
        before = report.records
        if source.files is None:
            yield from _read_url(source, report, states, skip_unchanged)
            continue
        for path in source.files:
            report.files += 1
            source_type = source.declared_type or _file_type(path)
            yield from _read_stream(partial(_open, path), str(path), source_type, report)
        states.record(source.location, f"read {report.records - before:,} records")
    if sources and report.failed_sources == len(sources):
        raise SourceError("no source could be read; the index in use was not changed")


def is_url(location: str) -> bool:
    return location.startswith(("http://", "https://"))


def _local_files(path: Path, declared_type: str) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if _is_article_file(p, path))
    if path.is_file():
        if (declared_type or _file_type(path)) not in READERS:
            known = ", ".join(sorted(SUFFIX_TYPES))
            raise SourceError(f"{path}: unknown file type (known: {known}, optionally .gz)")
        return [path]
    if path.exists():
        raise SourceError(f"{path}: not a file or folder")
    raise SourceError(f"{path}: no such file or folder")


def _read_url(
    source: Source, report: ReadReport, states: SourceStates, skip_unchanged: bool
) -> Iterator[ArticleRecord]:
    url = source.location
    try:
        fetched = fetch(url, states)
    except FetchError as exc:
        report.warn(f"{url}: {exc}; source skipped")
        report.failed_sources += 1
        states.record(url, f"failed: {exc}")
        return
    if fetched.not_modified and skip_unchanged:
        report.unchanged_sources += 1
        states.record(url, "not modified (304)")
        return
    source_type = source.declared_type or type_of_response(fetched)
    if source_type not in READERS:
        report.warn(f"{url}: cannot tell what {fetched.content_type or 'this'} is; source skipped")
        report.failed_sources += 1
        states.record(url, "failed: unknown content type")
        return
    before = report.records
    yield from _read_stream(partial(io.BytesIO, fetched.body), fetched.url, source_type, report)
    note = " (304: kept copy)" if fetched.not_modified else ""
    states.record(url, f"read {report.records - before:,} records{note}")


def type_of_response(fetched: FetchResult) -> str:
    """The source type of fetched bytes: by Content-Type, else the URL's suffix, else sniffing."""
    media_type = fetched.content_type.split(";")[0].strip().lower()
    if media_type in CONTENT_TYPES:
        return CONTENT_TYPES[media_type]
    by_suffix = _file_type(Path(urllib.parse.urlsplit(fetched.url).path))
    if by_suffix:
        return by_suffix
    head = fetched.body[:1024].lstrip().lower()
    if head.startswith(b"<?xml") or b"<rss" in head or b"<feed" in head or b"<rdf:rdf" in head:
        return "feed"
    if head.startswith((b"<!doctype html", b"<html")):
        return "html"
    return "json" if head.startswith((b"{", b"[")) else ""


def _read_stream(
    open_stream: Callable[[], IO[bytes]], location: str, source_type: str, report: ReadReport
) -> Iterator[ArticleRecord]:
    reader = READERS[source_type]
    try:
        with open_stream() as stream:
            for where, raw in reader(stream, location):
                if isinstance(raw, ReadWarning):
                    report.warn(f"{location}:{where}: {raw.message}")
                    continue
                report.records += 1
                article = _article(raw, f"{location}:{where}", report)
                if article is None:
                    report.skipped += 1
                else:
                    yield article
    except (OSError, EOFError, zlib.error) as exc:
        raise SourceError(f"{location}: cannot be read: {_os_problem(exc)}") from exc


def _article(raw: object, where: str, report: ReadReport) -> ArticleRecord | None:
    if isinstance(raw, InvalidRecord):
        report.warn(f"{where}: {raw.problem}; record skipped")
        return None
    return article_from_raw(raw, lambda message: report.warn(f"{where}: {message}"))


def _open(path: Path) -> IO[bytes]:
    if path.suffix.lower() == ".gz":
        return gzip.GzipFile(path, "rb")  # type: ignore[return-value]  # a binary file object
    return path.open("rb")


def _file_type(path: Path) -> str:
    """The source type of a file by its suffix ("" when unknown)."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes.pop()
    return SUFFIX_TYPES.get(suffixes[-1], "") if suffixes else ""


def _is_article_file(path: Path, root: Path) -> bool:
    relative = path.relative_to(root).parts
    hidden = any(part.startswith(".") for part in relative)
    return not hidden and path.is_file() and _file_type(path) in READERS


def _json_problem(exc: Exception) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"{exc.msg} at column {exc.colno}"
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    return str(exc).split(";")[0][:80] or type(exc).__name__


def _json_location(exc: Exception) -> str:
    return f"line {exc.lineno}" if isinstance(exc, json.JSONDecodeError) else "file"


def _os_problem(exc: Exception) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__
