"""``python -m bench``: the benchmark command (see ``bench.run``)."""

from bench.run import main

raise SystemExit(main())
