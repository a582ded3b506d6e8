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

from nltk.stem.snowball import SnowballStemmer
from nltk.tokenize import RegexpTokenizer
from whoosh.analysis import Filter, Token, Tokenizer

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
        text = resources.files("indexer.wordlists").joinpath(f"{language}.txt").read_text("utf-8")
    except FileNotFoundError:
        return frozenset()
    return frozenset(w for w in text.split() if not w.startswith("#"))


def fold_accents(text: str) -> str:
    """``café`` -> ``cafe``, ``straße`` -> ``strasse``: what readers type without accents."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text.translate(_EXTRA_FOLDS))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


class NewsTokenizer(Tokenizer):
    """Splits text into lowercased words with positions and character offsets (see module doc)."""

    def __init__(self, stoplist_language: str | None = "english") -> None:
        self.stoplist_language = stoplist_language
        self._splitter = RegexpTokenizer(TOKEN_PATTERN)

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
        for text, start, end, posinc in self._words(value, mode == "query"):
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

    def _words(self, value: str, query_mode: bool) -> Iterator[tuple[str, int, int, int]]:
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
        for number, (word, (text, offset)) in enumerate(zip(words, parts, strict=True)):
            yield word, start + offset, start + offset + len(text), 1
            if number == 0 and not query_mode:  # the joined word shares the first part's position
                yield "".join(words), start, start + len(raw), 0

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


def text_analyzer(language: str = "english"):  # -> whoosh CompositeAnalyzer
    """Titles, teasers and bodies: stop words out, stemmed, accents folded."""
    return NewsTokenizer(language) | StemFoldFilter(language)


def name_analyzer():
    """Authors: every word kept, accents folded, no stemming."""
    return NewsTokenizer(None) | StemFoldFilter(None)


def word_analyzer(language: str = "english"):
    """Spelling suggestions: real words (accents folded), never stems."""
    return NewsTokenizer(language) | StemFoldFilter(None)
