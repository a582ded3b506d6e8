"""``python -m bench``: the benchmark command (see ``bench.run``); ``python -m bench pages`` is
the page-reading evaluation (see ``bench.page_reading``), ``python -m bench page-facts`` the facts
of real pages (see ``bench.page_facts``) and ``python -m bench relevance`` the
ranking evaluation (see ``bench.relevance``); ``python -m bench stories`` measures stories (see
``bench.stories``), ``python -m bench flood`` a reader under a flood (see ``bench.flood``),
``python -m bench warm-up`` times the first search after a new index (see
``bench.first_search``), ``python -m bench request-cost`` what the request around a search
costs (see ``bench.request_cost``) and ``python -m bench suggest`` suggestions, teasers and
spelling (see ``bench.suggestions``)."""

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

if sys.argv[1:2] == ["warm-up"]:
    from bench.first_search import main as warm_up_main

    raise SystemExit(warm_up_main(sys.argv[2:]))

if sys.argv[1:2] == ["request-cost"]:
    from bench.request_cost import main as request_cost_main

    raise SystemExit(request_cost_main(sys.argv[2:]))

if sys.argv[1:2] == ["stories"]:
    from bench.stories import main as stories_main

    raise SystemExit(stories_main(sys.argv[2:]))

if sys.argv[1:2] == ["flood"]:
    from bench.flood import main as flood_main

    raise SystemExit(flood_main(sys.argv[2:]))

if sys.argv[1:2] == ["suggest"]:
    from bench.suggestions import main as suggest_main

    raise SystemExit(suggest_main(sys.argv[2:]))

from bench.run import main  # noqa: E402

raise SystemExit(main())
