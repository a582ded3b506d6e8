"""Errors a user or a script can tell apart: each has its code, its message and its exit code,
and a bug can be traced with ``indexer --debug``."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys

import pytest

from conftest import SAMPLES
from indexer import cli
from indexer.errors import DiskError
from indexer.index.build import rebuild_index


def test_a_malformed_search_and_a_search_past_its_time_limit_have_different_codes(
    client, monkeypatch
) -> None:
    from indexer.search import service

    malformed = client.get("/api/search?q=oil&page=zero")
    assert malformed.status_code == 400
    assert malformed.json["error"]["code"] == "bad_query"
    assert "page" in malformed.json["error"]["message"]
    monkeypatch.setattr(service, "TIME_LIMIT_SECONDS", -1.0)
    slow = client.get("/api/search?q=oil+timed+out")  # a query no other test caches
    assert slow.status_code == 400
    assert slow.json["error"]["code"] == "search_timeout"
    assert "took longer than" in slow.json["error"]["message"]


def test_the_openapi_document_lists_the_error_codes(client) -> None:
    document = client.get("/api/openapi.json").json
    codes = document["components"]["schemas"]["ErrorDetail"]["properties"]["code"]["description"]
    for code in ("bad_query", "search_timeout", "not_found", "no_index"):
        assert f"`{code}`" in codes


def test_an_index_folder_that_cannot_be_made_is_a_disk_error(settings, tmp_path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")  # unwritable even for root, unlike a read-only folder
    unusable = dataclasses.replace(settings, index_dir=blocker / "index")
    with pytest.raises(DiskError, match="the index in use was not changed"):
        rebuild_index(unusable, [str(SAMPLES)])


def test_a_disk_error_is_named_for_scripts(indexer, monkeypatch) -> None:
    def no_space(*_args, **_kwargs):
        raise DiskError("cannot write the new index in /x: no space left on the device")

    monkeypatch.setattr(cli, "rebuild_index", no_space)
    result = indexer("rebuild", "--json", str(SAMPLES))
    assert result.exit_code == 1
    assert json.loads(result.stdout)["error"]["code"] == "disk"
    assert "no space left" in result.stderr


def test_a_bug_is_one_line_and_its_traceback_is_one_flag_away(indexer, monkeypatch) -> None:
    def broken(_settings):
        raise RuntimeError("a bug in stats")

    monkeypatch.setattr(cli, "index_stats", broken)
    plain = indexer("stats")
    assert plain.exit_code == 1
    assert "internal error (RuntimeError: a bug in stats)" in plain.stderr
    assert "Traceback" not in plain.stderr and "--debug" in plain.stderr
    debugged = indexer("--debug", "stats")
    assert debugged.exit_code == 1
    assert "Traceback" in debugged.stderr and 'raise RuntimeError("a bug in stats")' in (
        debugged.stderr
    )


def test_output_read_by_a_reader_that_stops_early_is_no_error(sample_settings) -> None:
    """``indexer search ... | head -3``: once the reader has gone, writing fails (EPIPE); the
    command stops quietly instead of reporting an internal error."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first line is written
    try:
        finished = subprocess.run(
            [sys.executable, "-m", "indexer", "search", "harbour"],
            stdout=write_end,
            stderr=subprocess.PIPE,
            env={**os.environ, "NEWSINDEX_INDEX_DIR": str(sample_settings.index_dir)},
            text=True,
            timeout=120,
        )
    finally:
        os.close(write_end)
    assert finished.returncode == 0 and finished.stderr == "", finished.stderr
