"""Text analysis: words cut by script, normalised by language, as Whoosh analyzers.

Whoosh pickles analyzers into the index, so every class here is importable at a stable dotted path
and picklable (caches, stemmers and word breakers are dropped in ``__getstate__``, as Whoosh's
StemFilter does).

Cutting text into words, by script (``indexer.analysis.scripts``):

- words between spaces and punctuation, combining marks kept inside them (Devanagari vowel
  signs, Arabic and Hebrew points: Python's ``\\w`` does not match them). Dotted acronyms lose
  their dots (``U.S.`` -> ``us``); numbers keep their decimals and units (``$1.5bn`` ->
  ``1.5bn``, ``1,000`` -> ``1000``); hyphenated compounds (``covid-19``, ``F-16``) are indexed as
  their parts and, at the first part's position, as one joined word (``covid19``), and a query for
  ``covid-19`` is the phrase ``covid 19``;
- Chinese, Japanese and Korean as character bigrams and single characters, Thai, Lao, Khmer and
  Burmese by ICU's dictionary (``indexer.analysis.unspaced``).

Each word is then normalised in its namespace, and a text field's terms are tagged with it
(``en:elect``; ``indexer.analysis.word_forms``). The article's language comes with the text as a
``LanguageText``; plain text is analysed in the index's default language. English stop words are
left out of English text (positions renumbered, so phrases still match). Every token keeps the
character offsets of the text it came from, for highlighting.

In query mode a text field's analyzer gives the words as typed (lowercased, compounds in parts,
each unspaced run whole, nothing left out): the query's language is not known, so
``indexer.search.query_languages`` analyses each word in every language of the index.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
from whoosh.analysis import Analyzer, Token

from indexer.analysis.scripts import (
    CJK_CLASS,
    DICTIONARY_CLASS,
    scripts_present,
    word_script,
    writing_scripts,
)
from indexer.analysis.unspaced import (
    Piece,
    Segmenter,
    bigram_pieces,
    character_units,
    icu_available,
)
from indexer.analysis.word_forms import (
    UNDETERMINED,
    WordNormalizer,
    analysis_language,
    fold_accents,
    namespace,
    tagged,
)

__all__ = [
    "IndexedTerms",
    "LanguageText",
    "NewsAnalyzer",
    "TermTable",
    "fold_accents",
    "text_analyzer",
]

# Dotted acronyms (U.S., e.g.), else runs of letters and digits joined by inner hyphens or
# apostrophes, or by a point or comma between digits (1.5bn, 1,000, covid-19, o'neill). For text
# without unspaced runs or combining marks; other text gets ``unicode_token_pattern``.
TOKEN_PATTERN = r"(?:[^\W\d_]\.){2,}|[^\W_]+(?:(?:[-'’]|(?<=\d)[.,](?=\d))[^\W_]+)*"
PLAIN_TOKEN = re.compile(TOKEN_PATTERN)
_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?[^\W\d_]*")
_POSSESSIVE = re.compile(r"['’]s$")
_CJK_START = re.compile(f"[{CJK_CLASS}]")
_DICTIONARY_START = re.compile(f"[{DICTIONARY_CLASS}]")
CACHE_LIMIT = 200_000  # words as written, per language, whose terms are kept

Entry = str | tuple[Piece, ...]  # a written word's terms: one term ("" if left out), or pieces


@dataclass(frozen=True)
class IndexedTerms:
    """Term occurrences of several values (``TermTable.occurrences``): ``term[i]`` (a term's
    number in the table), the value it is in (``value[i]``, in order) and its position there;
    the occurrences of each value in order of position."""

    term: np.ndarray
    value: np.ndarray
    position: np.ndarray


class TermTable:
    """The terms of one field's values, analysed a batch of values at a time by ``analyzer``
    as ``term_positions`` analyses one (index mode, stop words out), with the Python work done
    once per distinct word as written and the rest in numpy. A term's number is its place in
    ``terms``; a word's entry is its run of (term, position increment) in flat arrays."""

    def __init__(self, analyzer: NewsAnalyzer) -> None:
        self.analyzer = analyzer
        self.terms: list[str] = []
        self._term_numbers: dict[str, int] = {}
        self._entries: dict[str, dict[str, int]] = {}  # per language: word as written -> entry
        self._first: list[int] = []  # per entry: its first piece
        self._count: list[int] = []  # per entry: its pieces
        self._piece_terms: list[int] = []
        self._piece_steps: list[int] = []

    def occurrences(self, values: Sequence[str]) -> IndexedTerms:
        """Every term occurrence of ``values``."""
        per_value: list[list[int]] = []
        for value in values:
            language = self.analyzer.language_of(value)
            known = self._entries.setdefault(language, {})
            tokens = written_tokens(value)
            for written in set(tokens).difference(known):
                known[written] = self._entry(self.analyzer.token_spans(written, language))
            per_value.append(list(map(known.__getitem__, tokens)))
        return self._occurrences(per_value)

    def _entry(self, pieces: tuple[Piece, ...]) -> int:
        """A new entry of ``pieces`` (term, start, end, position increment); its number."""
        self._first.append(len(self._piece_terms))
        self._count.append(len(pieces))
        for term, _start, _end, increment in pieces:
            number = self._term_numbers.get(term)
            if number is None:
                number = self._term_numbers[term] = len(self.terms)
                self.terms.append(term)
            self._piece_terms.append(number)
            self._piece_steps.append(increment)
        return len(self._first) - 1

    def _occurrences(self, per_value: list[list[int]]) -> IndexedTerms:
        """The term occurrences of values given as their words' entries."""
        words = np.array([n for entries in per_value for n in entries], dtype=np.int64)
        owner = np.repeat(np.arange(len(per_value)), [len(e) for e in per_value])
        counts = np.array(self._count, dtype=np.int64)[words]
        total = int(counts.sum())
        if not total:
            none = np.zeros(0, dtype=np.int64)
            return IndexedTerms(none, none, none)
        firsts = np.array(self._first, dtype=np.int64)[words]
        runs = np.cumsum(counts) - counts
        pieces = np.arange(total) - np.repeat(runs - firsts, counts)
        steps = np.array(self._piece_steps, dtype=np.int64)[pieces]
        value = np.repeat(owner, counts)
        reached = np.cumsum(steps)  # position + 1, counted across all the values
        starts = np.flatnonzero(np.r_[True, value[1:] != value[:-1]])  # each value's first
        before = np.repeat(reached[starts] - steps[starts], np.diff(np.r_[starts, total]))
        term = np.array(self._piece_terms, dtype=np.int64)[pieces]
        return IndexedTerms(term, value, reached - before - 1)


class LanguageText(str):
    """Text of an article with the article's language (a BCP 47 tag), for text fields."""

    language: str

    def __new__(cls, text: str, language: str) -> LanguageText:
        value = super().__new__(cls, text)
        value.language = language
        return value

    def __reduce__(self) -> tuple[type[LanguageText], tuple[str, str]]:
        return (LanguageText, (str(self), self.language))


@cache
def unicode_token_pattern() -> re.Pattern[str]:
    """The token pattern for any text: an unspaced run, or a word whose letters may carry
    combining marks (computed once: the marks of the Basic Multilingual Plane)."""
    unspaced = CJK_CLASS + DICTIONARY_CLASS
    letter = rf"(?:[^\W_{unspaced}]|[{_combining_marks()}])"
    word = rf"(?:[^\W\d_{unspaced}]\.){{2,}}|{letter}+(?:(?:[-'’]|(?<=\d)[.,](?=\d)){letter}+)*"
    return re.compile(rf"[{CJK_CLASS}]+|[{DICTIONARY_CLASS}]+|{word}")


def _combining_marks() -> str:
    ranges: list[list[int]] = []
    for code in range(0x300, 0x10000):
        if unicodedata.category(chr(code))[0] == "M":
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1][1] = code
            else:
                ranges.append([code, code])
    return "".join(f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges)


@cache
def _unspaced_or_marked() -> re.Pattern[str]:
    """Any character that the plain token pattern would cut wrongly: an unspaced script's, or a
    combining mark."""
    return re.compile(f"[{CJK_CLASS}{DICTIONARY_CLASS}{_combining_marks()}]")


def token_pattern(value: str) -> re.Pattern[str]:
    """The plain pattern for text without unspaced runs or combining marks (English, French,
    Russian...: its letters are all ``\\w``), else the one for any text."""
    if value.isascii() or not _unspaced_or_marked().search(value):
        return PLAIN_TOKEN
    return unicode_token_pattern()


def tokens_of(value: str) -> Iterator[re.Match[str]]:
    """The written tokens of ``value`` (words, compounds, unspaced runs)."""
    return token_pattern(value).finditer(value)


def written_tokens(value: str) -> list[str]:
    return token_pattern(value).findall(value)


def surface_words(raw: str, query: bool) -> Iterator[Piece]:
    """(lowercased word, start, end, position increment) of one spaced token; a compound gives
    its joined word (index mode only) and its parts."""
    if raw.endswith("."):  # dotted acronym
        yield raw.replace(".", "").lower(), 0, len(raw), 1
    elif "-" not in raw:
        yield _plain_word(raw), 0, len(raw), 1
    else:
        parts = [(m.group(), m.start()) for m in re.finditer(r"[^-]+", raw)]
        words = [_plain_word(text) for text, _ in parts]
        first_increment = 1
        if not query:  # the joined word, at the position of the first part
            yield "".join(words), 0, len(raw), 1
            first_increment = 0
        for number, (word, (text, offset)) in enumerate(zip(words, parts, strict=True)):
            yield word, offset, offset + len(text), first_increment if number == 0 else 1


def _plain_word(raw: str) -> str:
    word = raw.lower()
    if "'" in word or "’" in word:
        word = _POSSESSIVE.sub("", word).replace("'", "").replace("’", "")
    if "," in word and _THOUSANDS.fullmatch(word):
        word = word.replace(",", "")
    return word


def cutting_of_token(token: str) -> str:
    if token.isascii():
        return "WORDS"
    if _CJK_START.match(token):
        return "CJK"
    return "DICTIONARY" if _DICTIONARY_START.match(token) else "WORDS"


class NewsAnalyzer(Analyzer):
    """Cuts, normalises and (for text fields) tags words; see the module doc.

    ``tagged``: terms carry their namespace (text fields); ``stemming``: words are stemmed;
    ``stops``: stop words are left out; ``unspaced``: CJK and dictionary-script runs are indexed
    (the spelling field leaves them out); ``default_language``: the analysis of text whose language
    is not known; ``segmenter``: how Thai, Lao, Khmer and Burmese are cut (``icu`` or
    ``graphemes``).
    """

    def __init__(
        self,
        tagged: bool,
        stemming: bool,
        stops: bool,
        default_language: str = "en",
        unspaced: bool = True,
        segmenter: str | None = None,
    ) -> None:
        self.tagged = tagged
        self.stemming = stemming
        self.stops = stops
        self.default_language = default_language
        self.unspaced = unspaced
        kind = segmenter or ("icu" if icu_available() else "graphemes")
        self.segmenter = Segmenter(kind)
        self._setup()

    def _setup(self) -> None:
        self._caches: dict[str, dict[str, Entry]] = {}
        self._normalizers: dict[str, WordNormalizer] = {}
        self._lock = threading.Lock()

    def _options(self) -> tuple[object, ...]:
        return (
            self.tagged,
            self.stemming,
            self.stops,
            self.default_language,
            self.unspaced,
            self.segmenter.kind,
        )

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other._options() == self._options()

    def __hash__(self) -> int:
        return hash(self._options())

    def __getstate__(self) -> dict[str, object]:
        names = ("tagged", "stemming", "stops", "default_language", "unspaced")
        return {**{name: self.__dict__[name] for name in names}, "segmenter": self.segmenter.kind}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(**state)  # type: ignore[misc]

    # Index mode -------------------------------------------------------------------------------

    def language_of(self, value: str) -> str:
        """The analysis language of a field value (its article's, else the default)."""
        return self.analysis_language(getattr(value, "language", ""))

    def analysis_language(self, tag: str) -> str:
        """The analysis language of an article whose language is ``tag`` (BCP 47, or "")."""
        return analysis_language(tag or UNDETERMINED, self.default_language)

    def term_positions(self, value: str) -> dict[str, list[int]]:
        """Each indexed term of ``value`` with its positions (index mode, stop words out). The
        terms of each word as written are cached: most words cost one lookup."""
        language = self.language_of(value)
        cache = self._cache(language)
        positions: dict[str, list[int]] = {}
        position = -1
        for written in written_tokens(value):
            entry = cache.get(written)
            if entry is None:
                entry = self._remember(cache, written, language)
            if isinstance(entry, str):
                if entry:
                    position += 1
                    if entry in positions:
                        positions[entry].append(position)
                    else:
                        positions[entry] = [position]
                continue
            for term, _start, _end, increment in entry:
                position += increment
                positions.setdefault(term, []).append(position)
        return positions

    def spans(self, value: str, language: str | None = None) -> Iterator[tuple[str, int, int, int]]:
        """(term, start, end, position) of every indexed term of ``value`` (index mode), in an
        article of ``language`` (default: the value's own)."""
        language = language or self.language_of(value)
        position = -1
        for match in tokens_of(value):
            offset = match.start()
            for term, start, end, increment in self.token_spans(match.group(), language):
                position += increment
                yield term, offset + start, offset + end, position

    def token_spans(self, written: str, language: str) -> tuple[Piece, ...]:
        """The (term, start, end, increment) of one written token in an article of
        ``language``."""
        cache = self._cache(language)
        entry = cache.get(written)
        if entry is None:
            entry = self._remember(cache, written, language)
        if isinstance(entry, str):
            return ((entry, 0, len(written), 1),) if entry else ()
        return entry

    def _cache(self, language: str) -> dict[str, Entry]:
        cache = self._caches.get(language)
        if cache is None:
            cache = self._caches.setdefault(language, {})
        return cache

    def _remember(self, cache: dict[str, Entry], written: str, language: str) -> Entry:
        """Compute and keep the terms of a written token in ``language`` (its ``cache``)."""
        pieces = tuple(self._index_pieces(written, language))
        entry: Entry = pieces
        if not pieces and cutting_of_token(written) == "WORDS" and "-" not in written:
            entry = ""  # a stop word
        elif len(pieces) == 1 and pieces[0][1:] == (0, len(written), 1):
            entry = pieces[0][0]
        if len(cache) >= CACHE_LIMIT:
            cache.clear()
        cache[written] = entry
        return entry

    def _index_pieces(self, written: str, language: str) -> Iterator[Piece]:
        cutting = cutting_of_token(written)
        if cutting != "WORDS":
            if self.unspaced:
                yield from self._unspaced_terms(written, language, cutting, query=False)
            return
        for word, start, end, increment in surface_words(written, query=False):
            term = self.word_term(word, language)
            if term:
                yield term, start, end, increment

    # Words and runs in one language -----------------------------------------------------------

    def word_term(self, word: str, language: str) -> str:
        """The term of one lowercased spaced word in an article of ``language`` ("" for a stop
        word). A number is the same in every language: it has no namespace."""
        script = word_script(word)
        if script == "Zyyy":
            return word
        space = namespace(language, script)
        normalizer = self.normalizer(space)
        if self.stops and word in normalizer.stops:
            return ""
        normal = normalizer.normalize(word, script)
        return tagged(space, normal) if self.tagged else normal

    def _unspaced_terms(
        self, run: str, language: str, cutting: str, query: bool, followed: bool = False
    ) -> Iterator[Piece]:
        space = namespace(language, word_script(run))
        if cutting == "CJK":
            pieces = bigram_pieces(character_units(run), run, query)
        else:
            pieces = self.segmenter.pieces(run, query)
        last: Piece | None = None
        for text, start, end, increment in pieces:
            last = (text, start, end, increment)
            yield (tagged(space, text) if self.tagged else text), start, end, increment
        # In a phrase the next word comes after the run's last character: its unigram holds
        # that position (CJK and grapheme bigrams only; a dictionary word is one position).
        if followed and last is not None and last[2] - last[1] > 1 and cutting == "CJK":
            tail = run[last[2] - 1 : last[2]]
            yield (tagged(space, tail) if self.tagged else tail), last[2] - 1, last[2], 1

    def normalizer(self, space: str) -> WordNormalizer:
        found = self._normalizers.get(space)
        if found is None:
            with self._lock:
                found = self._normalizers.setdefault(space, WordNormalizer(space, self.stemming))
        return found

    def query_terms(self, surface: str, language: str, followed: bool = False) -> list[str]:
        """The terms one word of a query (as the query-mode analyzer gave it) stands for in an
        article of ``language``: one for a spaced word ([] for a stop word), several (a
        phrase) for an unspaced run. ``followed``: more words of a phrase follow it."""
        cutting = cutting_of_token(surface)
        if cutting == "WORDS":
            term = self.word_term(surface, language)
            return [term] if term else []
        pieces = self._unspaced_terms(surface, language, cutting, query=True, followed=followed)
        return [term for term, _start, _end, _increment in pieces]

    # Whoosh's token stream ----------------------------------------------------------------------

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: object,
    ) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            yield _whole_value(token, value, start_pos, start_char)
            return
        query = mode == "query"
        pieces = self._query_pieces(value) if query else self._indexed_pieces(value)
        for text, start, end, position in pieces:
            token.text = text
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = value[start:end]
            if positions:
                token.pos = start_pos + position
            if chars:
                token.startchar = start_char + start
                token.endchar = start_char + end
            yield token

    def _indexed_pieces(self, value: str) -> Iterator[tuple[str, int, int, int]]:
        return self.spans(value)

    def _query_pieces(self, value: str) -> Iterator[tuple[str, int, int, int]]:
        """Query mode: words as typed for a tagged analyzer (``search.query_languages`` analyses
        them), else the index's own terms with only the bigrams of unspaced runs."""
        position = -1
        for match in tokens_of(value):
            written, offset = match.group(), match.start()
            cutting = cutting_of_token(written)
            if cutting != "WORDS":
                if not self.unspaced:
                    continue
                if self.tagged:
                    pieces: Iterator[Piece] = iter(((written.lower(), 0, len(written), 1),))
                else:
                    language = self.default_language
                    pieces = self._unspaced_terms(written, language, cutting, query=True)
            elif self.tagged:
                pieces = surface_words(written, query=True)
            else:
                pieces = self._plain_pieces(written)
            for text, start, end, increment in pieces:
                position += increment
                yield text, offset + start, offset + end, position

    def _plain_pieces(self, written: str) -> Iterator[Piece]:
        for word, start, end, increment in surface_words(written, query=True):
            term = self.word_term(word, self.default_language)
            if term:
                yield term, start, end, increment


class NamespaceAnalyzer(Analyzer):
    """The namespaces an article's text uses (the ``analyses`` field): how many articles have
    terms in each namespace, for that namespace's statistics (``search.query_languages``). Read from
    the scripts of the text's letters, which decide the namespaces."""

    def __init__(self, default_language: str = "en") -> None:
        self.default_language = default_language

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.default_language == self.default_language

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.default_language))

    def namespaces(self, value: str) -> set[str]:
        language = getattr(value, "language", "") or UNDETERMINED
        analysed_as = analysis_language(language, self.default_language)
        own = min(writing_scripts(analysed_as))  # the article's own namespace is always there
        return {namespace(analysed_as, s) for s in scripts_present(value) | {own}}

    def __call__(self, value: str, **kwargs: object) -> Iterator[Token]:
        token = Token(**kwargs)
        for name in sorted(self.namespaces(value)):
            token.text = name
            token.boost = 1.0
            token.stopped = False
            yield token


def _whole_value(token: Token, value: str, start_pos: int, start_char: int) -> Token:
    token.original = token.text = value
    token.boost = 1.0
    token.stopped = False
    if token.positions:
        token.pos = start_pos
    if token.chars:
        token.startchar = start_char
        token.endchar = start_char + len(value)
    return token


def text_analyzer(default_language: str = "en") -> NewsAnalyzer:
    """Titles, teasers and bodies: tagged by namespace, stemmed, English stop words out."""
    return NewsAnalyzer(tagged=True, stemming=True, stops=True, default_language=default_language)


def name_analyzer() -> NewsAnalyzer:
    """Authors: every word kept, accents folded, no stemming, no namespaces."""
    return NewsAnalyzer(tagged=False, stemming=False, stops=False)


def word_analyzer(default_language: str = "en") -> NewsAnalyzer:
    """Spelling suggestions: real words (accents folded), never stems; no unspaced runs."""
    return NewsAnalyzer(
        tagged=False,
        stemming=False,
        stops=True,
        default_language=default_language,
        unspaced=False,
    )
