"""``python -m bench page-facts`` scores facts the way ``../shared/pages-facts/README.md`` says,
and runs end to end on a tiny facts-shaped folder of the project's own pages (the real set stays
in ``../shared``)."""

from __future__ import annotations

import gzip
import json
import os
import sys
from pathlib import Path

import pytest

from bench.fact_scores import same_date, same_start, score_page
from conftest import PROJECT_ROOT
from processes import run_to_end

TRAPS = Path(__file__).parent / "fixtures" / "traps"


@pytest.mark.parametrize(
    ("fact", "found", "right"),
    [
        ("2020-01-28", "2020-01-28T23:10:00+00:00", True),  # a date alone: its parts
        ("2021-06-02T08:05+02:00", "2021-06-02T06:05:30+00:00", True),  # the same instant
        ("2021-06-02T08:05+02:00", "2021-06-02T08:05:30+00:00", False),  # a zone ignored
        ("2018-11-04T17:45", "2018-11-04T17:45:10+00:00", True),  # clock times
        ("2018-11-04T17:45", "2018-11-04T00:00:00+00:00", False),
        ("2019-05-15", "", False),
    ],
)
def test_dates_are_compared_as_the_facts_readme_says(fact: str, found: str, right: bool) -> None:
    assert same_date(fact, found) is right


def test_starts_compare_eight_words_or_twenty_characters() -> None:
    assert same_start("One two three four five six seven eight", "one two  three four five "
                      "six seven eight nine")  # fmt: skip
    assert not same_start("One two three", "Zero one two three")
    assert same_start(
        "海湾港新吊车正式投入使用港口的装卸能力提高",
        "海湾港新吊车 正式投入使用港口的装卸能力提高了",
        "chars",
    )


def test_null_facts_and_empty_author_lists_are_not_scored() -> None:
    facts = {"title": "A", "published": None, "author": [], "language": "en", "teaser": None}
    scores = score_page(facts, {"title": "a", "language": "en-GB", "authors": ["Desk"]})
    assert [(s.field, s.right) for s in scores] == [("title", True), ("language", True)]


def test_the_page_facts_benchmark_writes_its_reports(tmp_path: Path) -> None:
    folder = tmp_path / "facts"
    (folder / "html").mkdir(parents=True)
    page = (TRAPS / "it-site-suffix.html").read_bytes()
    (folder / "html" / "it-page.html.gz").write_bytes(gzip.compress(page))
    facts = {"it-page": {"title": "Il porto di Levante riapre la diga foranea",
                         "published": "2024-02-09", "section": None, "author": [],
                         "language": "it", "body_start": "Dopo due anni di lavori",
                         "body_start_unit": "words", "teaser": None}}  # fmt: skip
    (folder / "facts.json").write_text(json.dumps(facts), encoding="utf-8")
    command = [sys.executable, "-m", "bench", "page-facts", "--facts", str(folder), "--no-bodies"]
    command += ["--out", str(tmp_path / "results"), "--processes", "1"]
    done = run_to_end(command, dict(os.environ), timeout=170, cwd=PROJECT_ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    [report_folder] = (tmp_path / "results").iterdir()
    report = json.loads((report_folder / "report.json").read_text("utf-8"))
    assert report["facts"]["scored"] == 4
    assert set(report["facts"]["fields"]) >= {"title", "published", "body_start"}
    markdown = (report_folder / "report.md").read_text("utf-8")
    assert "## Targets (issue 24)" in markdown and "## Misses" in markdown
    assert report["facts"]["implausible_dates"] == report["facts"]["unread_pages"] == []
    assert done.stdout.startswith("facts ")
