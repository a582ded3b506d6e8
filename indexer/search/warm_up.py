"""The searches that warm a generation just opened, before any reader's search uses it.

Opening a generation loads what every search reads (``open_index.OpenIndex.of``), but the first
searches still pay once for what is loaded on first use: modules imported lazily (numpy's, ICU's
language names), the query parser's and the snippets' first calls, the decoded postings of the
words searched. A handful of searches of every kind the search page offers, made of the newest
article's own words, section and day, pays that before the generation is switched to.
"""

from __future__ import annotations

import re
from datetime import timedelta

from indexer.search.open_index import OpenIndex
from indexer.search.requests import SearchRequest

WORDS = re.compile(r"[^\W\d_]+")
LONG_WORD = 4  # letters: words this long are seldom stop words
DAYS_AROUND = 15


def warm_up_requests(opened: OpenIndex) -> list[SearchRequest]:
    """Searches of each kind (a word, two words, a phrase, a misspelling, a section, a date
    range, a later page, the newest articles) built from the newest article of ``opened``."""
    table = opened.table
    requests = [SearchRequest(), SearchRequest(sort="oldest", collapse=False)]
    newest = table.by_date(table.every, True, 1).tolist()
    if not newest:
        return requests
    stored = opened.searcher.stored_fields(newest[0])
    first, second = _two_words(stored.get("title", ""))
    requests += [
        SearchRequest(q=first),
        SearchRequest(q=f"{first} {second}"),
        SearchRequest(q=f'"{first} {second}"'),
        SearchRequest(q=first + first[-1] + "x"),  # no such word: spelling suggestions
        SearchRequest(q=first, page=2, collapse=False),
    ]
    if stored.get("section"):
        requests.append(SearchRequest(q=second, sections=(stored["section"],)))
    if table.newest_published is not None:
        day = table.newest_published.date()
        span = timedelta(days=DAYS_AROUND)
        requests.append(SearchRequest(q=second, date_from=day - span, date_to=day + span))
    return requests


def _two_words(title: str) -> tuple[str, str]:
    """Two long words of ``title`` next to each other (a phrase that finds something), else
    its two longest words."""
    words = [word.lower() for word in WORDS.findall(title)] or ["news"]
    for first, second in zip(words, words[1:], strict=False):
        if len(first) >= LONG_WORD and len(second) >= LONG_WORD:
            return first, second
    longest = sorted(words, key=len, reverse=True)
    return longest[0], longest[1] if len(longest) > 1 else longest[0]
