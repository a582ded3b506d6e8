"""``python -m bench``: the benchmark command (see ``bench.run``); ``python -m bench pages`` is
the page-reading evaluation (see ``bench.page_reading``)."""

import sys

if sys.argv[1:2] == ["pages"]:
    from bench.page_reading import main as pages_main

    raise SystemExit(pages_main(sys.argv[2:]))

from bench.run import main

raise SystemExit(main())
