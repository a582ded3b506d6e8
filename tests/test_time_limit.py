"""A hang fails instead of blocking (issue 11.6): a test that hangs ends, at its time limit
(pytest-timeout, configured in pyproject.toml), as a failure with a traceback of where it hung;
and none of the processes it had started is left running, the grandchildren included."""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

from conftest import SAMPLES
from indexer.config import PROJECT_ROOT
from processes import run_to_end, wait_until_ended

TESTS = Path(__file__).parent
LIMIT_SECONDS = 20  # the hanging test's limit: long enough for it to start everything first

HANGING_TEST = """
import json, os, sys, time
from pathlib import Path

sys.path.insert(0, {tests!r})
from conftest import gunicorn_serving, load_settings, rebuild_index
from processes import Run, run_to_end


def processes_with(token):
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and token in (entry / "environ").read_bytes().split(b"\\0"):
                found.append(int(entry.name))
        except OSError:
            pass
    return found


def test_that_hangs(tmp_path):
    settings = load_settings({{"index_dir": tmp_path / "index"}}, environ={{}})
    rebuild_index(settings, [{samples!r}])
    with gunicorn_serving(settings.index_dir, workers=2) as base:
        bind = "NEWSINDEX_BIND=" + base.removeprefix("http://")
        # A process that starts one of its own, then a wait that never ends.
        with Run(["sh", "-c", "sleep 600 & sleep 600"], dict(os.environ)) as shell:
            while len(shell.processes()) < 2:
                time.sleep(0.05)
            started = processes_with(bind.encode()) + shell.processes()
            Path({pids!r}).write_text(json.dumps(started))
            run_to_end(["sleep", "600"], dict(os.environ), timeout=600)
"""


def test_a_hanging_test_fails_at_its_limit_and_leaves_no_process(tmp_path) -> None:
    pids = tmp_path / "pids.json"
    test_file = tmp_path / "test_hanging.py"
    test_file.write_text(
        textwrap.dedent(HANGING_TEST).format(tests=str(TESTS), samples=str(SAMPLES), pids=str(pids))
    )
    command = [sys.executable, "-m", "pytest", str(test_file), "-p", "no:cacheprovider", "-q"]
    command += ["-c", str(PROJECT_ROOT / "pyproject.toml"), f"--timeout={LIMIT_SECONDS}"]
    done = run_to_end(command, env={"PATH": "/usr/bin:/bin"}, timeout=LIMIT_SECONDS + 60)
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert f"Timeout (>{LIMIT_SECONDS}.0s)" in output and "test_that_hangs" in output, output
    assert "in run_to_end" in output, "the failure shows where the test hung"
    started = json.loads(pids.read_text())
    assert len(started) >= 2 + 3, started  # sh and its sleep; gunicorn and its 2 workers
    left = wait_until_ended(lambda: started, 2)
    assert left == [], f"processes of the timed-out test live on: {left}"
