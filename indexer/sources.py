"""Reading articles from sources: files and folders of JSON Lines and JSON, plain or gzipped.

A source that cannot be read at all (missing, unreadable, corrupt compression) is an error: the run
stops and the index is left alone. Bad data inside a readable source is a warning naming the file
and line; the bad record is skipped and everything else is read.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from indexer.articles import ArticleRecord, article_from_raw
from indexer.errors import SourceError

RawRecords = Iterator[tuple[str, Any]]  # (where, such as "line 12"; a raw record or InvalidRecord)
Reader = Callable[[IO[bytes], str], RawRecords]  # (the bytes, the file path or URL they came from)


@dataclass
class ReadReport:
    """What reading the sources found: counts and the warnings, each naming file and line."""

    files: int = 0
    records: int = 0
    skipped: int = 0
    warnings: list[str] = field(default_factory=list)

    def warn(self, message: str) -> None:
        self.warnings.append(message)


class InvalidRecord:
    """A record that could not even be decoded, with what was wrong (a reader yields it)."""

    def __init__(self, problem: str) -> None:
        self.problem = problem


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
        except (json.JSONDecodeError, RecursionError) as exc:
            yield where, InvalidRecord(f"not valid JSON ({_json_problem(exc)})")


def read_json_document(stream: IO[bytes], location: str = "") -> RawRecords:
    try:
        document = json.loads(stream.read().decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        yield "file", InvalidRecord(f"not valid UTF-8 (byte {exc.start + 1})")
        return
    except (json.JSONDecodeError, RecursionError) as exc:
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
}
SUFFIX_TYPES: dict[str, str] = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
}


def find_source_files(locations: Iterable[str]) -> list[Path]:
    """The readable files named by ``locations`` (files, or folders searched recursively)."""
    files: list[Path] = []
    for location in locations:
        path = Path(location).expanduser()
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if _is_article_file(p, path)))
        elif path.is_file():
            if _file_type(path) not in READERS:
                known = ", ".join(sorted(SUFFIX_TYPES))
                raise SourceError(f"{path}: unknown file type (known: {known}, optionally .gz)")
            files.append(path)
        elif path.exists():
            raise SourceError(f"{path}: not a file or folder")
        else:
            raise SourceError(f"{path}: no such file or folder")
    return files


def read_articles(files: Iterable[Path], report: ReadReport) -> Iterator[ArticleRecord]:
    """Every usable article in ``files``, in order; problems go to ``report``."""
    for path in files:
        report.files += 1
        yield from _read_file(path, report)


def _read_file(path: Path, report: ReadReport) -> Iterator[ArticleRecord]:
    reader = READERS[_file_type(path)]
    try:
        with _open(path) as stream:
            for where, raw in reader(stream, str(path)):
                report.records += 1
                article = _article(raw, f"{path}:{where}", report)
                if article is None:
                    report.skipped += 1
                else:
                    yield article
    except (OSError, EOFError, zlib.error) as exc:
        raise SourceError(f"{path}: cannot be read: {_os_problem(exc)}") from exc


def _article(raw: Any, where: str, report: ReadReport) -> ArticleRecord | None:
    if isinstance(raw, InvalidRecord):
        report.warn(f"{where}: {raw.problem}; record skipped")
        return None
    return article_from_raw(raw, lambda message: report.warn(f"{where}: {message}"))


def _open(path: Path) -> IO[bytes]:
    if path.suffix.lower() == ".gz":
        return gzip.open(path, "rb")
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
    return "nested too deeply"


def _json_location(exc: Exception) -> str:
    return f"line {exc.lineno}" if isinstance(exc, json.JSONDecodeError) else "file"


def _os_problem(exc: Exception) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__
