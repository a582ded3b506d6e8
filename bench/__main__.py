"""``python -m bench``: the benchmark command (see ``bench.run``); ``python -m bench pages`` is
the page-reading evaluation (see ``bench.page_reading``), ``python -m bench page-facts`` the facts
of real pages (see ``bench.page_facts``) and ``python -m bench relevance`` the
ranking evaluation (see ``bench.relevance``); ``python -m bench stories`` measures stories (see
``bench.stories``), and ``python -m bench flood`` a reader under a flood (see ``bench.flood``)."""

import sys

if sys.argv[1:2] == ["pages"]:
    from bench.page_reading import main as pages_main

    raise SystemExit(pages_main(sys.argv[2:]))

if sys.argv[1:2] == ["page-facts"]:
    from bench.page_facts import main as page_facts_main

    raise SystemExit(page_facts_main(sys.argv[2:]))

if sys.argv[1:2] == ["relevance"]:
    from bench.relevance import main as relevance_main

    raise SystemExit(relevance_main(sys.argv[2:]))

if sys.argv[1:2] == ["versus"]:
    from bench.versus import main as versus_main

    raise SystemExit(versus_main(sys.argv[2:]))

if sys.argv[1:2] == ["stories"]:
    from bench.stories import main as stories_main

    raise SystemExit(stories_main(sys.argv[2:]))

if sys.argv[1:2] == ["flood"]:
    from bench.flood import main as flood_main

    raise SystemExit(flood_main(sys.argv[2:]))

from bench.run import main  # noqa: E402

raise SystemExit(main())
