"""Text analysis: NLTK tokenizing and Snowball stemming inside Whoosh analyzers.

Whoosh pickles analyzers into the index, so every class here is importable at a stable dotted path
and picklable (caches and stemmers are dropped in ``__getstate__``, as Whoosh's StemFilter does).

The token rules, applied in index mode and query mode alike:

- words are lowercased, have their accents folded (``café`` -> ``cafe``) and are stemmed with
  Snowball (``elections`` and ``elected`` -> ``elect``);
- dotted acronyms lose their dots (``U.S.`` -> ``us``);
- numbers keep their decimals and units (``$1.5bn`` -> ``1.5bn``, ``1,000`` -> ``1000``);
- hyphenated compounds (``covid-19``, ``F-16``) are indexed as their parts and, at the first part's
  position, as one joined word (``covid19``); a query for ``covid-19`` becomes the phrase
  ``covid 19``, so it finds ``covid-19`` and ``covid 19``, and ``covid19`` finds all of them;
- English stop words are left out (positions renumbered, so phrases still match).

Every token keeps the character offsets of the text it came from, for highlighting.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import cache
from importlib import resources
from typing import Any

from nltk.stem.snowball import SnowballStemmer
from nltk.tokenize import RegexpTokenizer
from whoosh.analysis import Analyzer, Filter, Token, Tokenizer

# Dotted acronyms (U.S., e.g.), else runs of letters and digits joined by inner hyphens or
# apostrophes, or by a point or comma between digits (1.5bn, 1,000, covid-19, o'neill).
TOKEN_PATTERN = r"(?:[^\W\d_]\.){2,}|[^\W_]+(?:(?:[-'’]|(?<=\d)[.,](?=\d))[^\W_]+)*"
_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?[^\W\d_]*")
_POSSESSIVE = re.compile(r"['’]s$")
_EXTRA_FOLDS = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "œ": "oe",
        "ø": "o",
        "ł": "l",
        "đ": "d",
        "ð": "d",
        "þ": "th",
        "ı": "i",
        "Æ": "AE",
        "Œ": "OE",
        "Ø": "O",
        "Ł": "L",
        "Đ": "D",
        "Ð": "D",
        "Þ": "TH",
    }
)


@cache
def stop_words(language: str) -> frozenset[str]:
    """The stop words shipped for ``language`` (an empty set where none are shipped)."""
    try:
        text = (
            resources.files("indexer.index.wordlists")
            .joinpath(f"{language}.txt")
            .read_text("utf-8")
        )
    except FileNotFoundError:
        return frozenset()
    lines = (line.strip() for line in text.splitlines())
    return frozenset(line for line in lines if line and not line.startswith("#"))


def fold_accents(text: str) -> str:
    """``café`` -> ``cafe``, ``straße`` -> ``strasse``: what readers type without accents."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text.translate(_EXTRA_FOLDS))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


class _ProjectPatternTokenizer(RegexpTokenizer):
    """NLTK's RegexpTokenizer for TOKEN_PATTERN, compiled with the standard ``re``.

    NLTK compiles caller-supplied patterns through its ReDoS guard (the ``regex`` engine with a
    timeout on every match), which made tokenizing three times slower. TOKEN_PATTERN is the
    project's own and runs in linear time (every repetition is separated by a required
    connector), so the guard buys nothing here.
    """

    _regexp: re.Pattern[str] | None

    def _check_regexp(self) -> None:
        if self._regexp is None:
            self._regexp = re.compile(self._pattern, self._flags)


class NewsTokenizer(Tokenizer):
    """Splits text into lowercased words with positions and character offsets (see module doc)."""

    def __init__(self, stoplist_language: str | None = "english") -> None:
        self.stoplist_language = stoplist_language
        self._splitter = _ProjectPatternTokenizer(TOKEN_PATTERN)

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.stoplist_language == self.stoplist_language

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.stoplist_language))

    def __getstate__(self) -> dict[str, object]:
        return {"stoplist_language": self.stoplist_language}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__init__(state["stoplist_language"])  # type: ignore[misc]

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
            yield self._whole_value(token, value, start_pos, start_char)
            return
        stops = stop_words(self.stoplist_language) if self.stoplist_language else frozenset()
        pos = start_pos
        for text, start, end, posinc in self.words(value, mode == "query"):
            token.stopped = text in stops
            if token.stopped and removestops:
                continue
            pos += posinc
            token.text = text
            token.boost = 1.0
            if keeporiginal:
                token.original = value[start:end]
            if positions:
                token.pos = pos - 1
            if chars:
                token.startchar = start_char + start
                token.endchar = start_char + end
            yield token

    def written_words(self, value: str) -> list[str]:
        """Each word of ``value`` as written (a compound is one word here)."""
        return self._splitter.tokenize(value)

    def words(self, value: str, query_mode: bool) -> Iterator[tuple[str, int, int, int]]:
        """(text, start, end, position increment) for each word; compounds give several."""
        for start, end in self._splitter.span_tokenize(value):
            raw = value[start:end]
            if raw.endswith("."):  # dotted acronym
                yield raw.replace(".", "").lower(), start, end, 1
            elif "-" in raw:
                yield from self._compound(raw, start, query_mode)
            else:
                yield _plain_word(raw), start, end, 1

    def _compound(
        self, raw: str, start: int, query_mode: bool
    ) -> Iterator[tuple[str, int, int, int]]:
        parts = [(m.group(), m.start()) for m in re.finditer(r"[^-]+", raw)]
        words = [_plain_word(text) for text, _ in parts]
        first_increment = 1
        if not query_mode:  # the joined word, at the position of the first part
            yield "".join(words), start, start + len(raw), 1
            first_increment = 0
        for number, (word, (text, offset)) in enumerate(zip(words, parts, strict=True)):
            yield (
                word,
                start + offset,
                start + offset + len(text),
                first_increment if number == 0 else 1,
            )

    @staticmethod
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


def _plain_word(raw: str) -> str:
    word = raw.lower()
    if "'" in word or "’" in word:
        word = _POSSESSIVE.sub("", word).replace("'", "").replace("’", "")
    if "," in word and _THOUSANDS.fullmatch(word):
        word = word.replace(",", "")
    return word


class StemFoldFilter(Filter):
    """Snowball-stems alphabetic words (NLTK) and folds accents, with a cache of results.

    With ``language=None`` it only folds accents (for names, and for the spelling field whose words
    must stay real words). The cache is what makes NLTK's Snowball affordable: news text repeats
    its words, and the stemmer is slow per call.
    """

    CACHE_LIMIT = 200_000

    def __init__(self, language: str | None = "english") -> None:
        self.language = language
        self._cache: dict[str, str] = {}
        self._stem = SnowballStemmer(language).stem if language else None

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.language == self.language

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.language))

    def __getstate__(self) -> dict[str, object]:
        return {"language": self.language}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__init__(state["language"])  # type: ignore[misc]

    def normalize(self, word: str) -> str:
        """The indexed form of one lowercased word."""
        found = self._cache.get(word)
        if found is None:
            folded = fold_accents(word)  # before stemming, so "straße" and "strasse" agree
            found = self._stem(folded) if self._stem and folded.isalpha() else folded
            if len(self._cache) >= self.CACHE_LIMIT:
                self._cache.clear()
            self._cache[word] = found
        return found

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        normalize = self.normalize
        for token in tokens:
            token.text = normalize(token.text)
            yield token


class NewsAnalyzer(Analyzer):
    """The tokenizer and the stem-and-fold filter as one analyzer, with a fast path for indexing.

    ``__call__`` gives Whoosh its token stream (queries, highlighting); ``term_positions`` gives
    the positions of each indexed term in one pass, without a Token object per word, which is
    what ``schema.NewsPositions`` uses to index a field.
    """

    def __init__(self, stoplist_language: str | None, stem_language: str | None) -> None:
        self.tokenizer = NewsTokenizer(stoplist_language)
        self.normalizer = StemFoldFilter(stem_language)

    def __eq__(self, other: object) -> bool:
        return (
            type(other) is type(self)
            and other.tokenizer == self.tokenizer
            and other.normalizer == self.normalizer
        )

    def __hash__(self) -> int:
        return hash((self.tokenizer, self.normalizer))

    def __call__(self, value: str, **kwargs: Any) -> Iterator[Token]:
        return self.normalizer(self.tokenizer(value, **kwargs))

    def __getstate__(self) -> dict[str, object]:
        return {"tokenizer": self.tokenizer, "normalizer": self.normalizer}  # not the cache

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)

    def term_positions(self, value: str) -> dict[str, list[int]]:
        """Each indexed term of ``value`` with its positions (index mode, stop words out).

        News text repeats its words, so the indexed term of each word as written is cached:
        most words cost one lookup instead of the token rules, the stop list and the stemmer.
        """
        terms = self.__dict__.setdefault("_terms", {})  # word as written -> term, "" if stopped
        positions: dict[str, list[int]] = {}
        position = -1
        for written in self.tokenizer.written_words(value):
            term = terms.get(written)
            if term is None:
                if "-" in written:  # a compound gives several terms
                    position = self._add_compound(written, position, positions)
                    continue
                if len(terms) >= StemFoldFilter.CACHE_LIMIT:
                    terms.clear()
                terms[written] = term = self._index_term(written)
            if term:
                position += 1
                if term in positions:
                    positions[term].append(position)
                else:
                    positions[term] = [position]
        return positions

    def _index_term(self, written: str) -> str:
        """The indexed term of one word that is not a compound ("" for a stop word)."""
        ((text, _start, _end, _increment),) = self.tokenizer.words(written, query_mode=False)
        return "" if text in self._stops() else self.normalizer.normalize(text)

    def _add_compound(self, written: str, position: int, positions: dict[str, list[int]]) -> int:
        stops = self._stops()
        for text, _start, _end, increment in self.tokenizer.words(written, query_mode=False):
            if text in stops:
                continue
            position += increment
            positions.setdefault(self.normalizer.normalize(text), []).append(position)
        return position

    def _stops(self) -> frozenset[str]:
        language = self.tokenizer.stoplist_language
        return stop_words(language) if language else frozenset()


def text_analyzer(language: str = "english") -> NewsAnalyzer:
    """Titles, teasers and bodies: stop words out, accents folded, stemmed."""
    return NewsAnalyzer(language, language)


def name_analyzer() -> NewsAnalyzer:
    """Authors: every word kept, accents folded, no stemming."""
    return NewsAnalyzer(None, None)


def word_analyzer(language: str = "english") -> NewsAnalyzer:
    """Spelling suggestions: real words (accents folded), never stems."""
    return NewsAnalyzer(language, None)
