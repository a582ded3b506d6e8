"""``python -m bench``: the benchmark command (see ``bench.run``); ``python -m bench pages`` is
the page-reading evaluation (see ``bench.page_reading``) and ``python -m bench relevance`` the
ranking evaluation (see ``bench.relevance``); ``python -m bench stories`` measures stories (see
``bench.stories``); ``python -m bench suggest`` suggestions, teasers and spelling (see
``bench.suggestions``)."""

import sys

if sys.argv[1:2] == ["pages"]:
    from bench.page_reading import main as pages_main

    raise SystemExit(pages_main(sys.argv[2:]))

if sys.argv[1:2] == ["relevance"]:
    from bench.relevance import main as relevance_main

    raise SystemExit(relevance_main(sys.argv[2:]))

if sys.argv[1:2] == ["versus"]:
    from bench.versus import main as versus_main

    raise SystemExit(versus_main(sys.argv[2:]))

if sys.argv[1:2] == ["stories"]:
    from bench.stories import main as stories_main

    raise SystemExit(stories_main(sys.argv[2:]))

if sys.argv[1:2] == ["suggest"]:
    from bench.suggestions import main as suggest_main

    raise SystemExit(suggest_main(sys.argv[2:]))

from bench.run import main  # noqa: E402

raise SystemExit(main())
