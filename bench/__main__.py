"""``python -m bench``: the benchmark command (see ``bench.run``); ``python -m bench relevance``:
ranking quality (see ``bench.relevance``)."""

import sys

if sys.argv[1:2] == ["relevance"]:
    from bench.relevance import main as relevance_main

    raise SystemExit(relevance_main(sys.argv[2:]))

from bench.run import main  # noqa: E402

raise SystemExit(main())
