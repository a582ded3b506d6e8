"""Each indexer run's summary for node exporter's textfile collector (when asked to).

With ``[metrics] textfile_dir`` (``NEWSINDEX_TEXTFILE_DIR``) set, ``indexer rebuild``, ``update``,
``delete`` and ``publish`` write ``newsindex_indexer_<command>.prom`` there as they finish: the
articles the run handled, its seconds, warnings and exit code, and when it finished. Node
exporter (``--collector.textfile.directory``) serves the files with the machine's other metrics,
so a dashboard sees a rebuild that failed or stopped running. Each file is written whole and
renamed into place, so the collector never reads half of one.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from prometheus_client import CollectorRegistry, Gauge, write_to_textfile

PREFIX = "newsindex_indexer_last_run"


@dataclass
class RunRecord:
    """What one indexer run did, as the textfile collector will see it."""

    command: str
    articles: int = 0  # articles indexed, changed, deleted or published
    seconds: float = 0.0
    warnings: int = 0  # warnings in the sources; for publish, replicas that failed
    exit_code: int = 0


def textfile_path(directory: Path, command: str) -> Path:
    return directory / f"newsindex_indexer_{command}.prom"


def write_run_metrics(directory: Path, record: RunRecord) -> Path:
    """Write ``record`` atomically as the textfile of its command in ``directory``."""
    registry = CollectorRegistry()
    values = {
        "articles": ("Articles indexed, changed, deleted or published", record.articles),
        "seconds": ("How long the last run took", record.seconds),
        "warnings": ("Warnings of the last run (publish: replicas that failed)", record.warnings),
        "exit_code": ("Exit code of the last run (0: done)", record.exit_code),
        "timestamp_seconds": ("When the last run finished, in Unix time", time.time()),
    }
    for name, (documentation, value) in values.items():
        gauge = Gauge(f"{PREFIX}_{name}", documentation, ["command"], registry=registry)
        gauge.labels(record.command).set(value)
    path = textfile_path(directory, record.command)
    directory.mkdir(parents=True, exist_ok=True)
    write_to_textfile(str(path), registry)  # a temporary file renamed into place
    return path
