"""How the words of each language are normalised, and which namespace of terms they go to.

Every indexed term of a text field is tagged with the *namespace* of the analysis that made it:
``en:elect``, ``de:wahl``, ``ja:体罰``. A namespace is the language of the article when the word is
in that language's own script (``de`` for the German words of a German article), and the word's
script otherwise (``latn`` for the English names in a Japanese article, ``hani`` for Chinese
characters quoted in an English one). Numbers are the same in every language and carry no tag.
The search side reads the tags to keep each language's statistics apart
(``search.query_languages``).

A word's normal form in its namespace:

- Snowball stemming (PyStemmer: about thirty languages, Polish and Czech among them, where NLTK's
  Snowball has neither) for a language that has a stemmer, in that language's script only;
- accent folding for Latin letters only (``café`` -> ``cafe``): after stemming, since the
  stemmers of French, Portuguese, Czech... read the accents of their suffixes; English keeps its
  old order (fold, then stem), so an English index is analysed as before;
- Arabic: diacritics and tatweel out, the alef forms (أ إ آ ٱ) to ا, ى and ی to ي, ة to ه; then
  Larkey's light stemmer (light10, as Lucene's ArabicStemmer: one of the prefixes ال وال بال كال
  فال لل و and the common suffixes off) instead of Snowball's, which conflates a word with and
  without its article inconsistently (الانتخابات -> انتخاب but انتخابات -> انتخابا, and سيارات ->
  يارا); Hebrew: points out. Every other letter, combining marks included, is kept: Japanese が,
  Russian й, Thai tone marks and the Burmese asat stay as written.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Callable

import Stemmer

from indexer.analysis.scripts import cutting_of, writing_scripts
from indexer.analysis.word_lists import stop_words

UNDETERMINED = "und"
NAMESPACE_SEPARATOR = ":"

SNOWBALL_STEMMERS = {
    "ca": "catalan",
    "cs": "czech",
    "da": "danish",
    "de": "german",
    "el": "greek",
    "en": "english",
    "eo": "esperanto",
    "es": "spanish",
    "et": "estonian",
    "eu": "basque",
    "fa": "persian",
    "fi": "finnish",
    "fr": "french",
    "ga": "irish",
    "hi": "hindi",
    "hu": "hungarian",
    "hy": "armenian",
    "id": "indonesian",
    "it": "italian",
    "lt": "lithuanian",
    "ne": "nepali",
    "nl": "dutch",
    "no": "norwegian",
    "pl": "polish",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "sr": "serbian",
    "st": "sesotho",
    "sv": "swedish",
    "ta": "tamil",
    "tr": "turkish",
    "yi": "yiddish",
}
# Languages analysed as another: Norwegian's written standards, Arabic's dialects, Chinese's.
ANALYSED_AS = {
    "nb": "no",
    "nn": "no",
    "ary": "ar",
    "arz": "ar",
    "yue": "zh",
    "wuu": "zh",
    "hbo": "he",
    "grc": "el",
    "iw": "he",
    "in": "id",
}
_FOLD_FIRST = frozenset({"en"})  # fold accents before stemming (as before languages came)

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
_ARABIC_MARKS = re.compile(r"[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_ARABIC_LETTERS = str.maketrans(
    {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ی": "ي", "ة": "ه"}
)
_ARABIC_PREFIXES = ("ال", "وال", "بال", "كال", "فال", "لل", "و")
_ARABIC_SUFFIXES = ("ها", "ان", "ات", "ون", "ين", "يه", "ية", "ه", "ة", "ي")
_HEBREW_POINTS = re.compile(r"[\u0591-\u05c7]")
_DIGIT = re.compile(r"\d")
_LATIN_BASE_MARKS = re.compile(r"(?<=[A-Za-z])[\u0300-\u036f]+")


def default_language_code(setting: str) -> str:
    """The ``[index] language`` setting (a stemmer's name such as ``english``, or a language
    code) as a language code."""
    by_name = {name: code for code, name in SNOWBALL_STEMMERS.items()} | {"arabic": "ar"}
    return by_name.get(setting.lower(), setting.lower())


def analysis_language(language: str, default: str) -> str:
    """The language whose analysis an article gets: its primary language subtag, an alias
    resolved, ``default`` for an undetermined one."""
    primary = language.split("-", 1)[0].lower() if language else UNDETERMINED
    if primary in ("und", "mul", "zxx", "mis"):
        return default
    return ANALYSED_AS.get(primary, primary)


def namespace(language: str, script: str) -> str:
    """The namespace of a word in ``script`` in an article analysed as ``language``."""
    own = writing_scripts(language)
    if script in own or (cutting_of(script) == "CJK" and any(cutting_of(s) == "CJK" for s in own)):
        return language
    return "hani" if cutting_of(script) == "CJK" else script.lower()


def tagged(namespace_name: str, text: str) -> str:
    return f"{namespace_name}{NAMESPACE_SEPARATOR}{text}"


def namespace_of_term(term: str) -> str | None:
    """The namespace a term is tagged with; None for an untagged term (a number)."""
    separator = term.find(NAMESPACE_SEPARATOR)
    return term[:separator] if separator > 0 else None


def fold_accents(text: str) -> str:
    """``café`` -> ``cafe``, ``straße`` -> ``strasse``: what readers type without accents. For
    Latin letters only: the caller gives it Latin words."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text.translate(_EXTRA_FOLDS))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def normalize_arabic(word: str) -> str:
    return _ARABIC_MARKS.sub("", word).translate(_ARABIC_LETTERS)


def arabic_light_stem(word: str) -> str:
    """Larkey's light10 stemmer of a normalised Arabic word: at most one prefix off, then each
    suffix in turn, always leaving at least two letters."""
    for prefix in _ARABIC_PREFIXES:
        if word.startswith(prefix) and len(word) >= len(prefix) + 2:
            if len(prefix) > 1 or len(word) >= 4:  # a lone و only off a longer word
                word = word[len(prefix) :]
                break
    for suffix in _ARABIC_SUFFIXES:
        if word.endswith(suffix) and len(word) >= len(suffix) + 2:
            word = word[: -len(suffix)]
    return word


def plain_form(word: str, script: str) -> str:
    """A lowercased word normalised as in its namespace, but not stemmed (for prefixes)."""
    word = word.lower()
    if script == "Latn":
        return fold_accents(unicodedata.normalize("NFC", word))
    if script == "Arab":
        return normalize_arabic(word)
    return _HEBREW_POINTS.sub("", word) if script == "Hebr" else word


class WordNormalizer:
    """The normal form of a lowercased word in one namespace (stemmed or not); not picklable
    itself (PyStemmer), so analyzers create theirs as they need them."""

    def __init__(self, namespace_name: str, stemming: bool) -> None:
        self.namespace = namespace_name
        stemmer = SNOWBALL_STEMMERS.get(namespace_name) if stemming else None
        self._stemmer: Callable[[str], str] | None = (
            Stemmer.Stemmer(stemmer).stemWord if stemmer else None
        )
        self._arabic = stemming and namespace_name == "ar"
        self._lock = threading.Lock()  # PyStemmer's stemmers are not thread-safe
        self.stops = stop_words(namespace_name)

    def normalize(self, word: str, script: str) -> str:
        """The normal form of ``word``, a lowercased word of ``script``."""
        if script == "Latn":
            return self._latin(word)
        if script == "Arab":
            word = normalize_arabic(word)
            if self._arabic and not _DIGIT.search(word):
                return arabic_light_stem(word)
        elif script == "Hebr":
            word = _HEBREW_POINTS.sub("", word)
        return self._stem(word)

    def _latin(self, word: str) -> str:
        if word.isascii():
            return self._stem(word)
        if self.namespace in _FOLD_FIRST:
            return self._stem(fold_accents(word))
        word = _LATIN_BASE_MARKS.sub("", unicodedata.normalize("NFC", word))
        return fold_accents(self._stem(word))

    def _stem(self, word: str) -> str:
        if self._stemmer is None or _DIGIT.search(word):
            return word
        with self._lock:
            return self._stemmer(word)
