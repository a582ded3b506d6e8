"""Static files' URLs carry a digest of the file: ``/static/site.css?v=3f2a9c1d``.

nginx serves ``/static/`` itself and lets browsers keep the files for a year (deploy/nginx); a
changed file gets a new URL with the next start of the web app, so nobody keeps an old one.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import Any

from flask import Flask

VERSION_PARAMETER = "v"


def register(app: Flask) -> None:
    static_folder = Path(app.static_folder or "")

    @app.url_defaults
    def _add_version(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint == "static" and "filename" in values and VERSION_PARAMETER not in values:
            version = file_digest(static_folder, values["filename"])
            if version:
                values[VERSION_PARAMETER] = version


@cache
def file_digest(folder: Path, filename: str) -> str:
    """The first 8 hex digits of the SHA-256 of ``folder/filename``; "" if it is not a file of
    ``folder`` (read once per process: a deploy restarts the web app)."""
    path = (folder / filename).resolve()
    if not path.is_relative_to(folder.resolve()) or not path.is_file():
        return ""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:8]
