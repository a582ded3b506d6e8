"""Highlighted snippets: the matched words in ``<mark>``, every other character HTML-escaped.

Article text is untrusted, so these functions are the only place that produces HTML from it, and the
only markup they produce is ``<mark>``. Matches are found with the index's own analyzer (so
``elections`` marks ``Elections`` and ``elected``), reading words and offsets straight from the
tokenizer, without Whoosh's per-token objects: a results page marks ten bodies.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from html import escape

from indexer.index.analysis import TOKEN_PATTERN, NewsAnalyzer

SNIPPET_CHARS = 220  # the length of one fragment around matches
SNIPPET_FRAGMENTS = 2
LEAD_CHARS = 60  # context before a fragment's first match
ANALYSED_CHARS = 20_000  # how far into a long body matches are looked for
_WHITESPACE = re.compile(r"\s+")
TOKEN_RE = re.compile(TOKEN_PATTERN)

Span = tuple[int, int]


def matched_spans(
    text: str, terms: set[str], analyzer: NewsAnalyzer, enough: int | None = None
) -> list[Span]:
    """Where in ``text`` the words whose indexed form is in ``terms`` are, merged and in order;
    with ``enough``, the scan stops once that many were found well past the first one."""
    if not terms:
        return []
    normalize = analyzer.normalizer.normalize
    spans: list[Span] = []
    for word, start, end, _increment in _candidate_words(text, terms, analyzer):
        if enough and len(spans) >= enough and start > spans[0][0] + 4 * SNIPPET_CHARS:
            break
        if normalize(word) in terms:
            if spans and start <= spans[-1][1]:  # a compound and its parts: one mark
                spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
            else:
                spans.append((start, end))
    return spans


def _candidate_words(
    text: str, terms: set[str], analyzer: NewsAnalyzer
) -> Iterator[tuple[str, int, int, int]]:
    """The words of ``text`` that may be one of ``terms``. In ASCII text only the words starting
    like a term are analysed (found by one C-level regex scan): Snowball rewrites only the ends of
    words, so a stem begins with its word's first two letters. Other text is analysed whole."""
    tokenizer = analyzer.tokenizer
    if not text.isascii():
        yield from tokenizer.words(text, query_mode=False)
        return
    consumed = 0
    for candidate in _prefix_pattern(frozenset(t[:2] for t in terms)).finditer(text):
        if candidate.start() < consumed:
            continue
        token = TOKEN_RE.match(text, candidate.start())
        if token is None:
            continue
        consumed = token.end()
        for word, start, end, increment in tokenizer.words(token.group(), query_mode=False):
            yield word, token.start() + start, token.start() + end, increment


@lru_cache(maxsize=512)
def _prefix_pattern(prefixes: frozenset[str]) -> re.Pattern[str]:
    """Words starting with one of ``prefixes``; a dot or hyphen may follow the first character,
    as in words indexed without them (U.S. -> us, F-16 -> f16)."""
    alternatives = "|".join(
        re.escape(p[0]) + r"[.-]?" + re.escape(p[1:])
        for p in sorted(prefixes, key=len, reverse=True)
    )
    return re.compile(rf"(?<![0-9A-Za-z])(?:{alternatives})", re.IGNORECASE)


def marked_html(text: str, terms: set[str], analyzer: NewsAnalyzer) -> str:
    """All of ``text``, escaped, with the matched words marked."""
    return _marked(text, 0, len(text), matched_spans(text, terms, analyzer))


def snippet_html(text: str, terms: set[str], analyzer: NewsAnalyzer) -> str:
    """Up to two fragments of ``text`` around its matches, or "" when nothing matches."""
    head = text[:ANALYSED_CHARS]
    spans = matched_spans(head, terms, analyzer, enough=4 * SNIPPET_FRAGMENTS)
    if not spans:
        return ""
    windows = _best_windows(head, spans)
    parts = [_marked(head, start, end, spans) for start, end in windows]
    lead = "… " if windows[0][0] > 0 else ""
    tail = " …" if windows[-1][1] < len(text.rstrip()) else ""
    return lead + " … ".join(parts) + tail


def escaped_line(text: str) -> str:
    """Plain text as one escaped line (a teaser shown where nothing in the body matched)."""
    return _plain(text).strip()


def _best_windows(text: str, spans: list[Span]) -> list[Span]:
    """The (start, end) windows of about SNIPPET_CHARS holding the most matches, in text order."""
    chosen: list[Span] = []
    remaining = spans
    while remaining and len(chosen) < SNIPPET_FRAGMENTS:
        start, end = max(
            (_window(text, spans, span[0]) for span in remaining),
            key=lambda window: (_count_inside(spans, window), -window[0]),
        )
        chosen.append((start, end))
        remaining = [s for s in remaining if s[1] <= start or s[0] >= end]
    return sorted(chosen)


def _window(text: str, spans: list[Span], first_match: int) -> Span:
    start = max(0, first_match - LEAD_CHARS)
    if start > 0:  # begin at a word
        space = text.find(" ", start, first_match)
        start = space + 1 if space != -1 else first_match
    end = min(len(text), start + SNIPPET_CHARS)
    if end < len(text):  # end after a word
        space = text.rfind(" ", start, end)
        end = space if space > first_match else end
    for span_start, span_end in spans:  # never cut a marked word in two
        if span_start < end < span_end:
            end = span_end
    return start, end


def _count_inside(spans: Iterable[Span], window: Span) -> int:
    return sum(1 for s, e in spans if s >= window[0] and e <= window[1])


def _marked(text: str, start: int, end: int, spans: list[Span]) -> str:
    parts = []
    index = start
    for span_start, span_end in spans:
        if span_start < index or span_end > end:
            continue
        parts.append(_plain(text[index:span_start]))
        parts.append(f"<mark>{_plain(text[span_start:span_end])}</mark>")
        index = span_end
    parts.append(_plain(text[index:end]))
    return "".join(parts).strip()


def _plain(text: str) -> str:
    """Escaped, with line and paragraph breaks folded into spaces."""
    return escape(_WHITESPACE.sub(" ", text))
