"""``python -m bench pages`` runs end to end and writes its report. A smoke run on a tiny
benchmark-shaped folder of the project's own pages (the real benchmark stays in ``../shared``);
no score is asserted, only that both readers were scored and every trap fixture was checked."""

from __future__ import annotations

import gzip
import json
import os
import sys
from pathlib import Path

from conftest import PROJECT_ROOT
from processes import run_to_end

TRAPS = Path(__file__).parent / "fixtures" / "traps"
PAGES = {
    "it-page": ("it-site-suffix.html", "Dopo due anni di lavori e quasi undici milioni di euro"),
    "fi-page": ("fi-domain-suffix.html", "Kaupungin satama-allas ruopataan kesäkuussa"),
    "cs-page": ("cs-domain-suffix.html", "Oba portálové jeřáby v říčním přístavu"),
}


def test_the_page_reading_benchmark_writes_both_reports(tmp_path: Path) -> None:
    benchmark = tmp_path / "benchmark"
    (benchmark / "html").mkdir(parents=True)
    truth = {}
    for key, (name, body) in PAGES.items():
        html = (TRAPS / name).read_bytes()
        (benchmark / "html" / f"{key}.html.gz").write_bytes(gzip.compress(html))
        truth[key] = {"articleBody": body, "url": f"https://news.example/{key}"}
    (benchmark / "ground-truth.json").write_text(json.dumps(truth), encoding="utf-8")
    command = [sys.executable, "-m", "bench", "pages", "--pages", str(benchmark)]
    command += ["--out", str(tmp_path / "results"), "--processes", "1"]
    done = run_to_end(command, dict(os.environ), timeout=170, cwd=PROJECT_ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    [folder] = (tmp_path / "results").iterdir()
    report = json.loads((folder / "report.json").read_text("utf-8"))
    markdown = (folder / "report.md").read_text("utf-8")
    assert "-m bench pages --pages" in report["command"]
    assert report["benchmark"]["pages"] == 3
    for reader in ("newsindex", "trafilatura"):
        scores = report["benchmark"]["scores"][reader]
        assert set(scores) == {"f1", "precision", "recall"}
        assert all(0 <= value <= 1 for value in scores.values())
    traps = json.loads(TRAPS.with_suffix(".json").read_text("utf-8"))
    assert [row["file"] for row in report["traps"]["fixtures"]] == [t["file"] for t in traps]
    assert report["traps"]["newsindex"]["fixtures"] == len(traps)
    assert {t["status"] for t in report["targets"]} <= {"PASS", "MISS"}
    for section in ("## Targets (issue 15)", "## Bodies: 3 pages", "## Trap fixtures"):
        assert section in markdown
