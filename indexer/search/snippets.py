"""Highlighted snippets: the matched words in ``<mark>``, every other character HTML-escaped.

Article text is untrusted, so these functions are the only place that produces HTML from it, and the
only markup they produce is ``<mark>``. Matches are found with the index's own analyzer (so
``elections`` marks ``Elections`` and ``elected``), reading words and offsets straight from the
tokenizer, without Whoosh's per-token objects: a results page marks ten bodies.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Collection, Iterator
from functools import lru_cache
from html import escape

from indexer.analysis.tokenizer import PLAIN_TOKEN, NewsAnalyzer
from indexer.search.query_languages import Highlight

SNIPPET_CHARS = 220  # a snippet's length: two or three lines of a results page
LEAD_CHARS = 50  # context before a passage's first match
ANALYSED_CHARS = 20_000  # how far into a long body matches are looked for
ENOUGH_MATCHES = 16  # matches after which a long body is read no further for better passages
REPEAT_WORDS = 5  # a run of this many words seen twice is a repeated passage
_WHITESPACE = re.compile(r"\s+")
_WORD = re.compile(r"\w+")
_TRAILING = " ,;:-–—("  # what a passage does not end on

Span = tuple[int, int]
TermSpan = tuple[int, int, str]  # a matched word: where, and the indexed term it matched
Piece = tuple[str, int, int, int]  # an indexed term, its start and end, its position
# Where a sentence starts in text[low:high] (the last such offset), or None: text, low, high.
SentenceStart = Callable[[str, int, int], int | None]


def after_full_stop(text: str, low: int, high: int) -> int | None:
    """The last start after ". " from ``low`` to ``high`` (where no sentence models are)."""
    found = text.rfind(". ", low, high)
    return found + 2 if found != -1 else None


def matched_spans(
    text: str,
    terms: Collection[Highlight],
    analyzer: NewsAnalyzer,
    language: str = "",
    enough: int | None = None,
) -> list[Span]:
    """Where in ``text`` (of an article in ``language``) the words whose indexed term is one of
    ``terms`` are, merged and in order; with ``enough``, the scan stops once that many were
    found well past the first one."""
    return [(s, e) for s, e, _term in _term_spans(text, terms, analyzer, language, enough)]


def _term_spans(
    text: str,
    terms: Collection[Highlight],
    analyzer: NewsAnalyzer,
    language: str = "",
    enough: int | None = None,
) -> list[TermSpan]:
    """``matched_spans`` with the indexed term each span matched. A tuple of terms (an unspaced
    word: its bigrams or dictionary words) is marked only where they follow one another."""
    if not terms:
        return []
    singles = {t for t in terms if isinstance(t, str)}
    sequences = [t for t in terms if isinstance(t, tuple)]
    spans: list[TermSpan] = []
    pieces: list[Piece] = []
    wanted = singles.union(*sequences)
    for term, start, end, position in _candidate_pieces(text, wanted, analyzer, language):
        if enough and len(spans) >= enough and start > spans[0][0] + 4 * SNIPPET_CHARS:
            break
        if term in singles:
            spans.append((start, end, term))
        if sequences:
            pieces.append((term, start, end, position))
    spans.extend(_sequence_spans(pieces, sequences))
    return _merged(spans)


def _merged(spans: list[TermSpan]) -> list[TermSpan]:
    merged: list[TermSpan] = []
    for start, end, term in sorted(spans):
        if merged and start <= merged[-1][1]:  # a compound and its parts: one mark
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]), merged[-1][2])
        else:
            merged.append((start, end, term))
    return merged


def _sequence_spans(pieces: list[Piece], sequences: list[tuple[str, ...]]) -> Iterator[TermSpan]:
    """The spans where the terms of a sequence stand at consecutive positions."""
    at: dict[tuple[str, int], Span] = {}
    for term, start, end, position in pieces:
        at.setdefault((term, position), (start, end))
    for sequence in sequences:
        for (term, position), (start, _end) in list(at.items()):
            if term != sequence[0]:
                continue
            found = [at.get((t, position + k)) for k, t in enumerate(sequence)]
            last = found[-1]
            if last is not None and all(found):
                yield start, last[1], " ".join(sequence)


def _candidate_pieces(
    text: str, terms: set[str], analyzer: NewsAnalyzer, language: str
) -> Iterator[Piece]:
    """The indexed terms of ``text`` with their spans and positions, or, in ASCII text, those of
    the words that may be one of ``terms``, found by one C-level regex scan: Snowball rewrites
    only the ends of words, so a stem begins with its word's first two letters. (Positions are
    then those of the candidates only: ASCII text holds no unspaced word to sequence.)"""
    analysed_as = analyzer.analysis_language(language)
    if not text.isascii():
        yield from analyzer.spans(text, analysed_as)
        return
    consumed = 0
    starts = frozenset(_unnamespaced(t)[:2] for t in terms)
    for candidate in _prefix_pattern(starts).finditer(text):
        if candidate.start() < consumed:
            continue
        token = PLAIN_TOKEN.match(text, candidate.start())
        if token is None:
            continue
        consumed = token.end()
        for term, start, end, _increment in analyzer.token_spans(token.group(), analysed_as):
            yield term, token.start() + start, token.start() + end, 0


def _unnamespaced(term: str) -> str:
    return term.split(":", 1)[1] if ":" in term else term


@lru_cache(maxsize=512)
def _prefix_pattern(prefixes: frozenset[str]) -> re.Pattern[str]:
    """Words of ASCII text starting with one of ``prefixes`` (case ignored); a dot or hyphen may
    follow the first character, as in words indexed without them (U.S. -> us, F-16 -> f16).

    The pattern opens with the set of first characters, case-sensitively, so that the regex
    engine skips every other character at C speed (a pattern opening with a lookbehind, or
    with case ignored, is tried at every position: twice as slow over a body); the word
    boundary is checked behind that character, the rest of the prefix with case ignored."""
    alternatives: list[str] = []
    firsts: set[str] = set()
    for prefix in sorted(prefixes, key=len, reverse=True):
        first = _ascii_cases(prefix[:1]) if prefix else ""
        if first:
            firsts.update(first)
            rest = re.escape(prefix[1:])
            alternatives.append(rf"(?<=[{re.escape(first)}])(?i:[.-]?{rest})")
    if not firsts:
        return re.compile(r"(?!)")  # matches nothing
    every = re.escape("".join(sorted(firsts)))
    return re.compile(rf"[{every}](?<![0-9A-Za-z].)(?:{'|'.join(alternatives)})")


def _ascii_cases(character: str) -> str:
    """The ASCII characters that ``character`` matches with case ignored."""
    pattern = re.compile(re.escape(character), re.IGNORECASE)
    return "".join(chr(code) for code in range(128) if pattern.fullmatch(chr(code)))


def marked_html(
    text: str, terms: Collection[Highlight], analyzer: NewsAnalyzer, language: str = ""
) -> str:
    """All of ``text`` (of an article in ``language``), escaped, with the matched words marked."""
    return _marked(text, 0, len(text), matched_spans(text, terms, analyzer, language))


def snippet_html(
    text: str,
    terms: Collection[Highlight],
    analyzer: NewsAnalyzer,
    language: str = "",
    sentence_start: SentenceStart = after_full_stop,
) -> str:
    """The passage of ``text`` where the query's words are densest, about SNIPPET_CHARS long and
    cut at whole words, or two shorter passages, the better one first, when together they hold
    more of the query's words; each starts where a sentence does (``sentence_start``) when one
    starts shortly before its first match. Nothing is shown twice. "" when nothing matches."""
    head = text[:ANALYSED_CHARS]
    spans = _term_spans(head, terms, analyzer, language, enough=ENOUGH_MATCHES)
    if not spans:
        return ""
    passages = [
        (start, _before_repeat(head, start, end))
        for start, end in _best_passages(head, spans, sentence_start)
    ]
    parts = [_marked(head, start, end, [(s, e) for s, e, _t in spans]) for start, end in passages]
    lead = "… " if passages[0][0] > 0 else ""
    tail = " …" if passages[-1][1] < len(text.rstrip()) else ""
    return lead + " … ".join(parts) + tail


def teaser_html(
    teaser: str, terms: Collection[Highlight], analyzer: NewsAnalyzer, language: str = ""
) -> str:
    """A teaser as a snippet (where the body has no match): its words marked, and no longer
    than a snippet, cut at a whole word."""
    if len(teaser) <= SNIPPET_CHARS + 20:
        return marked_html(teaser, terms, analyzer, language)
    found = snippet_html(teaser, terms, analyzer, language)
    if found:
        return found
    end = _word_end(teaser, 0, SNIPPET_CHARS)
    return _plain(teaser[:end]).strip() + " …"


def escaped_line(text: str) -> str:
    """Plain text as one escaped line (a teaser shown where nothing in the body matched)."""
    return _plain(text).strip()


class _Matches:
    """The matched spans of one text (merged: in order and apart, so their starts and their
    ends both ascend), for asking which lie inside a window by binary search; and where the
    text's sentences start, for starting a window."""

    def __init__(self, spans: list[TermSpan], sentence_start: SentenceStart) -> None:
        self.spans = spans
        self.sentence_start = sentence_start
        self.starts = [start for start, _end, _term in spans]
        self.ends = [end for _start, end, _term in spans]

    def inside(self, window: Span) -> list[TermSpan]:
        return self.spans[bisect_left(self.starts, window[0]) : bisect_right(self.ends, window[1])]

    def terms_inside(self, window: Span) -> set[str]:
        return {term for _s, _e, term in self.inside(window)}

    def end_of_word_at(self, at: int) -> int:
        """``at``, or the end of the matched word ``at`` falls inside (never cut one in two)."""
        last = bisect_left(self.starts, at) - 1
        return self.ends[last] if last >= 0 and at < self.ends[last] else at


def _best_passages(text: str, spans: list[TermSpan], sentence_start: SentenceStart) -> list[Span]:
    """One passage of SNIPPET_CHARS, or two of half that when they hold more distinct terms."""
    matches = _Matches(spans, sentence_start)
    one = _best_window(text, spans, SNIPPET_CHARS, [], matches) or spans[0][:2]
    distinct = {term for _s, _e, term in spans}
    in_one = matches.terms_inside(one)
    if in_one == distinct:
        return [one]
    first = _best_window(text, spans, SNIPPET_CHARS // 2, [], matches) or spans[0][:2]
    in_first = matches.terms_inside(first)
    missing = [span for span in spans if span[2] not in in_first]
    second = _best_window(text, missing, SNIPPET_CHARS // 2, [first], matches)
    if second is None or len(in_first | matches.terms_inside(second)) <= len(in_one):
        return [one]
    return [first, second]


def _best_window(
    text: str, anchors: list[TermSpan], length: int, taken: list[Span], matches: _Matches
) -> Span | None:
    """The window of about ``length`` around one of ``anchors`` that holds the most distinct
    terms, then the most matches (of all the text's ``matches``), the earliest on a tie;
    never overlapping or repeating a ``taken`` window. None when every window would. The
    windows are weighed as starting after a full stop; the one chosen then starts where
    ``matches`` says its sentence does (the sentence models are asked once, not per anchor)."""
    taken_runs = {run for other in taken for run in _runs(_lowered_words(text, *other))}
    best: Span | None = None
    best_key: tuple[int, int, int] | None = None
    best_anchor = 0
    for anchor in anchors:
        window = _window(text, matches, anchor[0], length, after_full_stop)
        if _clashes(text, window, taken, taken_runs):
            continue
        inside = matches.inside(window)
        key = (len({term for _s, _e, term in inside}), len(inside), -window[0])
        if best_key is None or key > best_key:
            best, best_key, best_anchor = window, key, anchor[0]
    if best is None or best[0] == 0:
        return best
    at_sentence = _window(text, matches, best_anchor, length, matches.sentence_start)
    if at_sentence == best:
        return best  # the full stop was a sentence's end, or no sentence starts near
    return best if _clashes(text, at_sentence, taken, taken_runs) else at_sentence


def _clashes(text: str, window: Span, taken: list[Span], taken_runs: set[tuple[str, ...]]) -> bool:
    """Whether ``window`` overlaps a ``taken`` one or repeats a run of its words."""
    return any(_overlaps(window, other) for other in taken) or bool(
        taken_runs and not taken_runs.isdisjoint(_runs(_lowered_words(text, *window)))
    )


def _window(
    text: str, matches: _Matches, first_match: int, length: int, sentence_start: SentenceStart
) -> Span:
    """About ``length`` characters from a little before ``first_match``: from the start of its
    sentence when that is near, else from a whole word; to a whole word, never cutting a marked
    word."""
    start = max(0, first_match - LEAD_CHARS)
    if start > 0:
        sentence = sentence_start(text, start, first_match)
        space = text.find(" ", start, first_match)
        start = sentence if sentence is not None else space + 1 if space != -1 else first_match
    end = _word_end(text, start, length)
    end = max(end, min(len(text), first_match + 1))
    return start, matches.end_of_word_at(end)


def _word_end(text: str, start: int, length: int) -> int:
    """Where a passage of at most ``length`` characters from ``start`` ends at a whole word."""
    end = min(len(text), start + length)
    if end < len(text) and not text[end].isspace():
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    return _stripped_end(text, start, end)


def _stripped_end(text: str, start: int, end: int) -> int:
    """``end``, moved back over spaces and the punctuation a passage should not end on (what
    ``len(text[:end].rstrip(...))`` gives, without copying the text before ``start``)."""
    kept = len(text[start:end].rstrip(_TRAILING))
    return start + kept if kept else len(text[:start].rstrip(_TRAILING))


def _lowered_words(text: str, start: int, end: int) -> list[str]:
    """The words of ``text[start:end]`` in lower case (ASCII text lowered at once: the same
    words, as lowering changes no ASCII character's class)."""
    passage = text[start:end]
    if passage.isascii():
        return _WORD.findall(passage.lower())
    return [word.lower() for word in _WORD.findall(passage)]


def _runs(lowered: list[str]) -> list[tuple[str, ...]]:
    """Each run of REPEAT_WORDS words (lower case), in order."""
    return list(zip(*(lowered[shift:] for shift in range(REPEAT_WORDS)), strict=False))


def _before_repeat(text: str, start: int, end: int) -> int:
    """``end``, or where a run of words already seen in ``text[start:end]`` begins again."""
    runs = _runs(_lowered_words(text, start, end))
    if len(set(runs)) == len(runs):  # most passages: no run twice
        return end
    seen: set[tuple[str, ...]] = set()
    for index, run in enumerate(runs):
        if run in seen:
            repeat_start = list(_WORD.finditer(text, start, end))[index].start()
            return _stripped_end(text, start, repeat_start)
        seen.add(run)
    return end


def _overlaps(window: Span, other: Span) -> bool:
    return window[0] < other[1] and other[0] < window[1]


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
