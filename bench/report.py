"""The benchmark's report: ``report.json`` (every figure) and ``report.md`` (the tables to read).

Both are written from one dict built by ``bench.run``; the markdown never holds a figure the JSON
lacks. Figures are medians of repeated runs; ratios are taken within the run.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import platform
import shlex
import subprocess
import sys
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

from bench.report_markdown import markdown

PROJECT_ROOT = Path(__file__).resolve().parent.parent
REPORT_KEYS = (
    "command",
    "machine",
    "settings",
    "main",
    "growth",
    "http",
    "http_cached",
    "targets",
    "notes",
)


def machine_facts() -> dict[str, Any]:
    """What the figures depend on: cores, memory, CPU, load, versions, date, commit."""
    return {
        "date": time.strftime("%Y-%m-%d %H:%M:%S %z"),
        "cores": os.cpu_count(),
        "memory_gb": round(_meminfo_kb("MemTotal") / 1024 / 1024, 1),
        "cpu_model": _cpu_model(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "os": platform.platform(),
        "python": platform.python_version(),
        "whoosh": package_version("Whoosh-Reloaded"),
        "pystemmer": package_version("PyStemmer"),
        "py3langid": package_version("py3langid"),
        "gunicorn": package_version("gunicorn"),
        "git_commit": _git_commit(),
        "source_fingerprint": source_fingerprint(),
    }


def command_line(arguments: list[str]) -> str:
    """How the benchmark was run, as a shell line from the project folder."""
    python = Path(sys.executable)
    if python.is_relative_to(PROJECT_ROOT):
        python = python.relative_to(PROJECT_ROOT)
    return shlex.join([str(python), "-m", "bench", *arguments])


def source_fingerprint() -> str:
    """A hash of the code being measured (``indexer/``, ``webui/``, ``gunicorn.conf.py``): the
    commit alone does not say what an uncommitted working tree ran, and a change during a run
    means its figures mix versions (``bench.run`` notes it)."""
    digest = hashlib.sha256()
    files = [PROJECT_ROOT / "gunicorn.conf.py"]
    for package in ("indexer", "webui"):
        files += (PROJECT_ROOT / package).rglob("*.py")
    for path in sorted(files):
        digest.update(str(path.relative_to(PROJECT_ROOT)).encode())
        digest.update(path.read_bytes() if path.is_file() else b"")
    return digest.hexdigest()[:12]


def _meminfo_kb(name: str) -> int:
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith(f"{name}:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def package_version(distribution: str) -> str:
    """The installed version of ``distribution``, or "not installed"."""
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "not installed"


def _git_commit() -> str:
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=10,
        )
    except OSError:
        return "unknown"
    return done.stdout.strip() or "unknown"


def plain(value: Any) -> Any:
    """JSON-ready: floats rounded to 3 digits, NaN (not measured) as null, paths as text."""
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 3)
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, Path):
        return str(value)
    return value


def write_reports(
    report: dict[str, Any], folder: Path, render: Callable[[dict[str, Any]], str] = markdown
) -> tuple[Path, Path]:
    """``report.json`` and ``report.md`` (``render`` of the same data) in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    data = plain(report)
    json_path = folder / "report.json"
    json_path.write_text(json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n")
    markdown_path = folder / "report.md"
    markdown_path.write_text(render(data))
    return markdown_path, json_path
