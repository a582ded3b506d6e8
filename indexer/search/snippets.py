"""Highlighted snippets: the matched words in ``<mark>``, every other character HTML-escaped.

Article text is untrusted, so these functions are the only place that produces HTML from it, and the
only markup they produce is ``<mark>``. Matches are found with the index's own analyzer (so
``elections`` marks ``Elections`` and ``elected``), reading words and offsets straight from the
tokenizer, without Whoosh's per-token objects: a results page marks ten bodies.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator
from functools import lru_cache
from html import escape

from indexer.index.analysis import ASCII_TOKEN, NewsAnalyzer
from indexer.search.languages import Highlight

SNIPPET_CHARS = 220  # the length of one fragment around matches
SNIPPET_FRAGMENTS = 2
LEAD_CHARS = 60  # context before a fragment's first match
ANALYSED_CHARS = 20_000  # how far into a long body matches are looked for
_WHITESPACE = re.compile(r"\s+")

Span = tuple[int, int]
Piece = tuple[str, int, int, int]  # term, start, end, position


def matched_spans(
    text: str,
    terms: Collection[Highlight],
    analyzer: NewsAnalyzer,
    language: str = "",
    enough: int | None = None,
) -> list[Span]:
    """Where in ``text`` (of an article in ``language``) the words whose indexed term is one of
    ``terms`` are, and the runs of an unspaced word's terms (a tuple) in order; merged and in
    order. With ``enough``, the scan stops once that many were found well past the first one."""
    if not terms:
        return []
    singles = {t for t in terms if isinstance(t, str)}
    sequences = [t for t in terms if isinstance(t, tuple)]
    wanted = singles.union(*sequences)
    found: list[Span] = []
    pieces: list[Piece] = []
    for term, start, end, position in _candidate_pieces(text, wanted, analyzer, language):
        if enough and len(found) >= enough and start > found[0][0] + 4 * SNIPPET_CHARS:
            break
        if term in singles:
            found.append((start, end))
        if sequences:
            pieces.append((term, start, end, position))
    found.extend(_sequence_spans(pieces, sequences))
    return _merged(found)


def _merged(spans: list[Span]) -> list[Span]:
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:  # a compound and its parts: one mark
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _sequence_spans(pieces: list[Piece], sequences: list[tuple[str, ...]]) -> Iterator[Span]:
    """The spans where the terms of a sequence stand at consecutive positions."""
    at: dict[tuple[str, int], tuple[int, int]] = {}
    for term, start, end, position in pieces:
        at.setdefault((term, position), (start, end))
    for sequence in sequences:
        for (term, position), (start, _end) in list(at.items()):
            if term != sequence[0]:
                continue
            ends = [at.get((t, position + k)) for k, t in enumerate(sequence)]
            if all(ends):
                yield start, ends[-1][1]  # type: ignore[index]


def _candidate_pieces(
    text: str, terms: set[str], analyzer: NewsAnalyzer, language: str
) -> Iterator[Piece]:
    """The indexed terms of ``text`` with their spans and positions, or, in ASCII text, those of
    the words that may be one of ``terms``, found by one C-level regex scan: Snowball rewrites
    only the ends of words, so a stem begins with its word's first two letters. (Positions are
    then only those of the candidates: ASCII text holds no unspaced word.)"""
    analysed_as = analyzer.analysis_language(language)
    if not text.isascii():
        yield from analyzer.spans(text, analysed_as)
        return
    consumed = 0
    starts = frozenset(_unnamespaced(t)[:2] for t in terms)
    for candidate in _prefix_pattern(starts).finditer(text):
        if candidate.start() < consumed:
            continue
        token = ASCII_TOKEN.match(text, candidate.start())
        if token is None:
            continue
        consumed = token.end()
        for term, start, end, _increment in analyzer.token_spans(token.group(), analysed_as):
            yield term, token.start() + start, token.start() + end, 0


def _unnamespaced(term: str) -> str:
    return term.split(":", 1)[1] if ":" in term else term


@lru_cache(maxsize=512)
def _prefix_pattern(prefixes: frozenset[str]) -> re.Pattern[str]:
    """Words starting with one of ``prefixes``; a dot or hyphen may follow the first character,
    as in words indexed without them (U.S. -> us, F-16 -> f16)."""
    alternatives = "|".join(
        re.escape(p[0]) + r"[.-]?" + re.escape(p[1:])
        for p in sorted(prefixes, key=len, reverse=True)
        if p
    )
    return re.compile(rf"(?<![0-9A-Za-z])(?:{alternatives})", re.IGNORECASE)


def marked_html(
    text: str, terms: Collection[Highlight], analyzer: NewsAnalyzer, language: str = ""
) -> str:
    """All of ``text`` (of an article in ``language``), escaped, with the matched words marked."""
    return _marked(text, 0, len(text), matched_spans(text, terms, analyzer, language))


def snippet_html(
    text: str, terms: Collection[Highlight], analyzer: NewsAnalyzer, language: str = ""
) -> str:
    """Up to two fragments of ``text`` around its matches, or "" when nothing matches."""
    head = text[:ANALYSED_CHARS]
    spans = matched_spans(head, terms, analyzer, language, enough=4 * SNIPPET_FRAGMENTS)
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
