"""Configuration, from one place.

Settings flow one way: built-in defaults, then the TOML config file, then environment variables
(``NEWSINDEX_*``), then explicit overrides (tests, command-line options). Paths never depend on the
current directory: relative paths in the config file are relative to that file, and the defaults are
relative to the project folder, so cron can run the indexer from anywhere.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypedDict
from urllib.parse import urlsplit

from indexer.errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG_FILE = PROJECT_ROOT / "newsindex.toml"
# What ``[index] language`` may name: the language that text is analysed in when its own cannot
# be told (indexer.analysis.word_forms has the analysis of each).
STEMMER_LANGUAGES = (
    "arabic armenian basque catalan czech danish dutch english esperanto estonian finnish "
    "french german greek hindi hungarian indonesian irish italian lithuanian nepali norwegian "
    "persian polish portuguese romanian russian serbian sesotho spanish swedish tamil turkish "
    "yiddish"
).split()

# Every setting -> its environment variable. Documented in the README (a test checks).
ENVIRONMENT_VARIABLES = {
    "config": "NEWSINDEX_CONFIG",
    "index_dir": "NEWSINDEX_INDEX_DIR",
    "language": "NEWSINDEX_LANGUAGE",
    "build_processes": "NEWSINDEX_BUILD_PROCESSES",
    "result_cache": "NEWSINDEX_RESULT_CACHE",
    "sources": "NEWSINDEX_SOURCES",
    "base_url": "NEWSINDEX_BASE_URL",
    "bind": "NEWSINDEX_BIND",  # read by gunicorn.conf.py
    "workers": "NEWSINDEX_WORKERS",  # read by gunicorn.conf.py
    "replicas": "NEWSINDEX_REPLICAS",
    "ssh": "NEWSINDEX_SSH",
    "remote_indexer": "NEWSINDEX_REMOTE_INDEXER",
    "textfile_dir": "NEWSINDEX_TEXTFILE_DIR",
    # prometheus_client's own name, read by gunicorn.conf.py and the web app's /metrics
    "metrics_dir": "PROMETHEUS_MULTIPROC_DIR",
}
# ssh never waits for a password under cron, and gives up on a host that does not answer.
DEFAULT_SSH = "ssh -o BatchMode=yes -o ConnectTimeout=10 -o ServerAliveInterval=15"


SOURCE_TYPES = ("jsonl", "json", "feed", "html", "text")


@dataclass(frozen=True)
class SourceConfig:
    """A source of articles named in the config file: a file, folder or http(s) URL, and its
    type where the file suffix or the server's Content-Type would not tell."""

    name: str
    location: str
    type: str = ""


@dataclass(frozen=True)
class Settings:
    """Everything the indexer and the web app can be configured with."""

    index_dir: Path = PROJECT_ROOT / "var" / "index"
    language: str = "english"
    build_processes: int = field(default_factory=lambda: os.cpu_count() or 1)
    result_cache: int = 512  # recent searches a web worker keeps per generation (0: none)
    sources: tuple[SourceConfig, ...] = field(default_factory=tuple)
    # The site's public address ("https://news.example.org"): absolute links and feed ids use it
    # rather than the request's Host header ("": the Host header, for a site on one address).
    base_url: str = ""
    # Section names as the sources write them -> as readers see them ({"acq": "Acquisitions"}).
    section_names: Mapping[str, str] = field(default_factory=dict)
    # `indexer publish`: the replicas' index folders (local paths or host:/path), the ssh command
    # rsync and the replica's side are reached with, and the `indexer` command on the replicas
    # ("": the same path as this machine's).
    replicas: tuple[str, ...] = field(default_factory=tuple)
    ssh: str = DEFAULT_SSH
    remote_indexer: str = ""
    # Where indexer runs write their summary for node exporter's textfile collector (None: not).
    textfile_dir: Path | None = None
    config_file: Path | None = None


class SettingsChanges(TypedDict, total=False):
    """Settings read from the config file or the environment, to replace the defaults."""

    index_dir: Path
    language: str
    build_processes: int
    result_cache: int
    sources: tuple[SourceConfig, ...]
    base_url: str
    section_names: Mapping[str, str]
    replicas: tuple[str, ...]
    ssh: str
    remote_indexer: str
    textfile_dir: Path | None


def load_settings(
    overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> Settings:
    """Build the settings: defaults, then config file, then environment, then ``overrides``."""
    environ = os.environ if environ is None else environ
    overrides = dict(overrides or {})
    config_file = _config_file(overrides.pop("config_file", None), environ)
    settings = Settings(config_file=config_file)
    if config_file is not None:
        settings = _apply_config_file(settings, config_file)
    settings = _apply_environment(settings, environ)
    if "index_dir" in overrides:
        overrides["index_dir"] = Path(overrides["index_dir"]).expanduser().resolve()
    settings = replace(settings, **overrides)
    _validate(settings)
    return settings


def _config_file(explicit: str | Path | None, environ: Mapping[str, str]) -> Path | None:
    named = explicit or environ.get("NEWSINDEX_CONFIG")
    if named:
        path = Path(named).expanduser().resolve()
        if not path.is_file():
            raise ConfigError(f"config file not found: {path}")
        return path
    return DEFAULT_CONFIG_FILE if DEFAULT_CONFIG_FILE.is_file() else None


def _apply_config_file(settings: Settings, path: Path) -> Settings:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read config file {path}: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from exc
    _reject_unknown(data, {"index", "sources", "web", "publish", "metrics"}, path, "")
    index = data.get("index", {})
    _reject_unknown(index, {"dir", "language", "build_processes"}, path, "index.")
    changes: SettingsChanges = {}
    if "dir" in index:
        changes["index_dir"] = _resolve(_string(index["dir"], path, "index.dir"), path.parent)
    if "language" in index:
        changes["language"] = _string(index["language"], path, "index.language")
    if "build_processes" in index:
        changes["build_processes"] = _processes(
            index["build_processes"], f"{path}: index.build_processes"
        )
    if "sources" in data:
        changes["sources"] = _sources_from_toml(data["sources"], path)
    changes.update(_web_from_toml(data.get("web", {}), path))
    changes.update(_publish_from_toml(data.get("publish", {}), path))
    changes.update(_metrics_from_toml(data.get("metrics", {}), path))
    return replace(settings, **changes)


def _web_from_toml(web: object, path: Path) -> SettingsChanges:
    if not isinstance(web, dict):
        raise ConfigError(f"{path}: 'web' must be a table ([web])")
    _reject_unknown(web, {"base_url", "section_names"}, path, "web.")
    changes: SettingsChanges = {}
    if "base_url" in web:
        changes["base_url"] = _base_url(web["base_url"], f"{path}: web.base_url")
    names = web.get("section_names", {})
    if not isinstance(names, dict) or not all(
        isinstance(name, str) and name.strip() for name in names.values()
    ):
        raise ConfigError(f"{path}: web.section_names must be a table of non-empty strings")
    if names:
        changes["section_names"] = {code.lower(): name.strip() for code, name in names.items()}
    return changes


def _base_url(value: object, where: str) -> str:
    """An absolute http(s) URL without query or fragment, kept without a trailing slash."""
    text = value.strip() if isinstance(value, str) else ""
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ConfigError(f"{where} must be an http(s) URL such as https://news.example.org")
    return text.rstrip("/")


def _publish_from_toml(table: object, path: Path) -> SettingsChanges:
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: 'publish' must be a table ([publish])")
    _reject_unknown(table, {"replicas", "ssh", "remote_indexer"}, path, "publish.")
    changes: SettingsChanges = {}
    if "replicas" in table:
        replicas = table["replicas"]
        if not isinstance(replicas, list):
            raise ConfigError(f"{path}: publish.replicas must be a list of index folders")
        changes["replicas"] = tuple(
            _replica(_string(r, path, "publish.replicas"), path.parent) for r in replicas
        )
    for key in ("ssh", "remote_indexer"):
        if key in table:
            changes[key] = _string(table[key], path, f"publish.{key}")
    return changes


def _metrics_from_toml(table: object, path: Path) -> SettingsChanges:
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: 'metrics' must be a table ([metrics])")
    _reject_unknown(table, {"textfile_dir"}, path, "metrics.")
    if "textfile_dir" not in table:
        return {}
    textfile_dir = _string(table["textfile_dir"], path, "metrics.textfile_dir")
    return {"textfile_dir": _resolve(textfile_dir, path.parent)}


def _replica(destination: str, base: Path) -> str:
    """A replica's index folder: ``host:/path`` as written, a local path resolved from ``base``."""
    return destination if is_remote(destination) else str(_resolve(destination, base))


def is_remote(destination: str) -> bool:
    """Whether ``destination`` is ``[user@]host:path`` (rsync's rule: a colon before any slash)."""
    head, colon, _path = destination.partition(":")
    return bool(colon) and bool(head) and "/" not in head


def _sources_from_toml(entries: object, path: Path) -> tuple[SourceConfig, ...]:
    if not isinstance(entries, list):
        raise ConfigError(f"{path}: 'sources' must be an array of tables ([[sources]])")
    sources = []
    for number, entry in enumerate(entries, start=1):
        where = f"sources[{number}]"
        if not isinstance(entry, dict):
            raise ConfigError(f"{path}: {where} must be a table with a 'location'")
        _reject_unknown(entry, {"name", "location", "type"}, path, f"{where}.")
        if "location" not in entry:
            raise ConfigError(f"{path}: {where} has no 'location'")
        location = _string(entry["location"], path, f"{where}.location")
        if "://" not in location:
            location = str(_resolve(location, path.parent))
        name = _string(entry.get("name", Path(location).name), path, f"{where}.name")
        source_type = _string(entry.get("type", "jsonl"), path, f"{where}.type")
        if source_type not in SOURCE_TYPES:
            raise ConfigError(f"{path}: {where}.type must be one of: {', '.join(SOURCE_TYPES)}")
        sources.append(SourceConfig(name, location, entry.get("type", "")))
    return tuple(sources)


def _apply_environment(settings: Settings, environ: Mapping[str, str]) -> Settings:
    changes: SettingsChanges = {}
    if environ.get("NEWSINDEX_INDEX_DIR"):
        changes["index_dir"] = _resolve(environ["NEWSINDEX_INDEX_DIR"], Path.cwd())
    if environ.get("NEWSINDEX_LANGUAGE"):
        changes["language"] = environ["NEWSINDEX_LANGUAGE"]
    if environ.get("NEWSINDEX_RESULT_CACHE"):
        text = environ["NEWSINDEX_RESULT_CACHE"]
        if not text.isascii() or not text.isdigit():
            raise ConfigError("NEWSINDEX_RESULT_CACHE must be a whole number (0 turns it off)")
        changes["result_cache"] = int(text)
    if environ.get("NEWSINDEX_BUILD_PROCESSES"):
        changes["build_processes"] = _processes(
            environ["NEWSINDEX_BUILD_PROCESSES"], "NEWSINDEX_BUILD_PROCESSES"
        )
    if environ.get("NEWSINDEX_BASE_URL"):
        changes["base_url"] = _base_url(environ["NEWSINDEX_BASE_URL"], "NEWSINDEX_BASE_URL")
    if environ.get("NEWSINDEX_SOURCES"):
        locations = [p for p in environ["NEWSINDEX_SOURCES"].split(os.pathsep) if p]
        changes["sources"] = tuple(
            SourceConfig(name=Path(p).name, location=str(_resolve(p, Path.cwd())))
            for p in locations
        )
    changes.update(_publish_from_environment(environ))
    return replace(settings, **changes)


def _publish_from_environment(environ: Mapping[str, str]) -> SettingsChanges:
    """The settings of ``indexer publish`` and of the runs' metrics from the environment."""
    changes: SettingsChanges = {}
    if environ.get("NEWSINDEX_REPLICAS"):
        replicas = environ["NEWSINDEX_REPLICAS"].split()
        changes["replicas"] = tuple(_replica(r, Path.cwd()) for r in replicas)
    for key in ("ssh", "remote_indexer"):
        if environ.get(ENVIRONMENT_VARIABLES[key]):
            changes[key] = environ[ENVIRONMENT_VARIABLES[key]]
    if environ.get("NEWSINDEX_TEXTFILE_DIR"):
        changes["textfile_dir"] = _resolve(environ["NEWSINDEX_TEXTFILE_DIR"], Path.cwd())
    return changes


def _validate(settings: Settings) -> None:
    if settings.language not in STEMMER_LANGUAGES:
        raise ConfigError(
            f"unknown language {settings.language!r}; choose one of: {', '.join(STEMMER_LANGUAGES)}"
        )


def _processes(value: Any, where: str) -> int:  # Any: int() tries what TOML or a variable holds
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if isinstance(value, bool) or not 1 <= number <= 64:
        raise ConfigError(f"{where} must be a whole number of processes from 1 to 64")
    return number


def _reject_unknown(table: Mapping[str, object], known: set[str], path: Path, prefix: str) -> None:
    unknown = sorted(set(table) - known)
    if unknown:
        raise ConfigError(f"{path}: unknown setting {prefix}{unknown[0]}")


def _string(value: object, path: Path, key: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{path}: {key} must be a non-empty string")
    return value


def _resolve(value: str, base: Path) -> Path:
    path = Path(value).expanduser()
    return (path if path.is_absolute() else base / path).resolve()
