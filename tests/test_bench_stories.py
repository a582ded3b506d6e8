"""``python -m bench stories``: a smoke run on the project's own samples, and the bench's own
reading of texts. Benchmarks are not tests: no figure is asserted as a target, only that the
quick run works end to end and its report has every section."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from conftest import SAMPLES
from indexer.config import PROJECT_ROOT
from processes import run_to_end

REPORT_KEYS = {
    "command",
    "machine",
    "settings",
    "first_pages",
    "copies",
    "templates",
    "false_merges",
    "stats",
    "builds",
    "notes",
    "targets",
}
SAMPLE_COUNT = sum(1 for line in SAMPLES.read_text("utf-8").splitlines() if line.strip())
MARKDOWN_SECTIONS = (
    "## Targets (issue 21)",
    "## Duplicate first pages",
    "## Grouping of made copies",
    "## Template pairs",
    "## False merges",
    "## Stories in the index",
    "## Build time and size",
    "## Notes",
    "## Machine",
)


@pytest.fixture(scope="module")
def quick_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, str]:
    out = tmp_path_factory.mktemp("bench-stories")
    command = [sys.executable, "-m", "bench", "stories", "--quick", "--corpus", str(SAMPLES)]
    command += ["--out", str(out / "results"), "--work", str(out / "work")]
    done = run_to_end(command, dict(os.environ), timeout=300, cwd=PROJECT_ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    [folder] = (out / "results").iterdir()
    assert folder.name.startswith("stories-")
    report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    markdown = (folder / "report.md").read_text(encoding="utf-8")
    assert markdown in done.stdout  # the command prints the report
    return report, markdown


def test_the_quick_run_writes_both_reports(quick_report: tuple[dict, str]) -> None:
    report, markdown = quick_report
    assert REPORT_KEYS <= set(report)
    assert "-m bench stories --quick" in report["command"]
    for section in MARKDOWN_SECTIONS:
        assert section in markdown
    assert "| target | measured | status |" in markdown
    assert {"cores", "cpu_model", "python", "date"} <= set(report["machine"])


def test_the_report_measures_every_part(quick_report: tuple[dict, str]) -> None:
    report, _markdown = quick_report
    pages = report["first_pages"]
    assert pages["collapsed"]["pages"] == pages["not_collapsed"]["pages"]
    assert pages["collapsed"]["pages"] == report["settings"]["queries"] > 0
    copies = report["copies"]
    assert copies["copies"] == report["settings"]["copies"] == 16
    assert sum(kind["copies"] for kind in copies["by_kind"].values()) == 16
    assert report["templates"]["made"]["pairs"] > 0
    stats = report["stats"]
    assert stats["corpora"]["articles"] == SAMPLE_COUNT
    made = 16 + report["templates"]["made"]["pairs"]
    assert stats["with_copies"]["articles"] == SAMPLE_COUNT + made
    assert {"corpora", "with_copies"} == set(report["false_merges"])


def test_every_target_has_a_verdict(quick_report: tuple[dict, str]) -> None:
    report, _markdown = quick_report
    assert len(report["targets"]) == 5
    assert {target["status"] for target in report["targets"]} <= {"PASS", "MISS", "NOT RUN"}
    builds = report["builds"]
    if "error" not in builds:  # a clone without the baseline commit cannot compare builds
        assert builds["baseline"]["articles"] == builds["current"]["articles"] == SAMPLE_COUNT
        assert builds["current"]["schema_version"] != builds["baseline"]["schema_version"]


def test_shingles_are_word_five_grams_and_short_texts_one_shingle() -> None:
    from bench.story_texts import jaccard, shingles_of

    assert shingles_of("One two, THREE four five six") == {
        ("one", "two", "three", "four", "five"),
        ("two", "three", "four", "five", "six"),
    }
    assert shingles_of("Just three words") == {("just", "three", "words")}
    assert shingles_of("") == frozenset()
    assert jaccard(shingles_of("a b c d e f"), shingles_of("a b c d e g")) == pytest.approx(1 / 3)


def test_copies_take_every_kind_of_edit_in_turn() -> None:
    from bench.corpora import read_records
    from bench.story_copies import EDIT_KINDS, make_copies

    records = list(read_records([Path(SAMPLES)]))
    copies = make_copies(records, len(EDIT_KINDS), seed=3)
    assert [copy.kind for copy in copies] == list(EDIT_KINDS)
    assert copies == make_copies(records, len(EDIT_KINDS), seed=3)
    ids = {record["id"] for record in records}
    assert all(copy.copy not in ids and copy.original in ids for copy in copies)
