"""newsindex's benchmark: the project's index against the naive Whoosh baseline, in one run.

Run it from the project folder with ``.venv/bin/python -m bench --help``. It prepares the corpora
in a work folder, builds both indexes (each in its own process, for its peak memory), times a fixed
seeded query mix through both search APIs, loads the JSON API under gunicorn, and writes
``report.md`` and ``report.json`` under ``bench/results/<timestamp>/``. Benchmarks are not tests:
the test suite only runs ``--quick`` and checks that a report is written.
"""
