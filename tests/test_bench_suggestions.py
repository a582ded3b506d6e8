"""``python -m bench suggest``: a smoke run on the project's own samples. Benchmarks are not
tests: no figure is asserted as a target, only that the run works end to end and reports every
part (issue 23's targets are measured on ../shared/corpora, see the README)."""

from __future__ import annotations

import json
import os
import sys

from conftest import SAMPLES
from indexer.config import PROJECT_ROOT
from processes import run_to_end


def test_the_run_reports_every_part(tmp_path) -> None:
    command = [sys.executable, "-m", "bench", "suggest", "--corpus", str(SAMPLES)]
    command += ["--baseline", "none", "--out", str(tmp_path)]
    done = run_to_end(command, dict(os.environ), timeout=300, cwd=PROJECT_ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    [folder] = tmp_path.iterdir()
    report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    assert {"named", "seeded", "http", "teasers", "spelling", "targets", "snippet_starts"} <= set(
        report
    )
    assert report["snippet_starts"]["passages"] > 0
    assert report["named"]["oil pr"] == ["oil prices"]
    assert report["seeded"]["prefixes"] == 200
    assert report["seeded"]["finding_none"] == []
    assert report["http"]["requests"] == 200
    assert report["teasers"]["now"]["over_limit"] == 0
    assert "| target | met |" in (folder / "report.md").read_text(encoding="utf-8")
