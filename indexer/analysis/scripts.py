"""Writing systems: which script a character or a text is written in.

Both reading sources (an article's language from its script) and analysis (how a word is cut and
normalised) depend on it, and searching reads it for queries, so it lives beside ``config`` and
``errors``, importable from every stage. It uses no library: a table of the Unicode blocks that
news is written in, by ISO 15924 script code (``Latn``, ``Cyrl``, ``Hani``...).

Scripts fall into three ways of being cut into words:

- ``WORDS``: words between spaces and punctuation (Latin, Cyrillic, Greek, Arabic, Hebrew, the
  Indic scripts...);
- ``CJK``: no spaces; cut into overlapping character bigrams (Han, kana, Hangul);
- ``DICTIONARY``: no spaces; cut by a dictionary word breaker (Thai, Lao, Khmer, Myanmar).
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from functools import cache

# (first, last, script) of each block, in order. Marks inside a block belong to its script.
_BLOCKS = (
    (0x0041, 0x005A, "Latn"),
    (0x0061, 0x007A, "Latn"),
    (0x00AA, 0x00AA, "Latn"),
    (0x00BA, 0x00BA, "Latn"),
    (0x00C0, 0x024F, "Latn"),
    (0x0250, 0x02AF, "Latn"),
    (0x0300, 0x036F, "Zinh"),  # combining diacritics: the script of the letter before them
    (0x0370, 0x03FF, "Grek"),
    (0x0400, 0x052F, "Cyrl"),
    (0x0531, 0x058F, "Armn"),
    (0x0591, 0x05FF, "Hebr"),
    (0x0600, 0x06FF, "Arab"),
    (0x0700, 0x074F, "Syrc"),
    (0x0750, 0x077F, "Arab"),
    (0x0780, 0x07BF, "Thaa"),
    (0x08A0, 0x08FF, "Arab"),
    (0x0900, 0x097F, "Deva"),
    (0x0980, 0x09FF, "Beng"),
    (0x0A00, 0x0A7F, "Guru"),
    (0x0A80, 0x0AFF, "Gujr"),
    (0x0B00, 0x0B7F, "Orya"),
    (0x0B80, 0x0BFF, "Taml"),
    (0x0C00, 0x0C7F, "Telu"),
    (0x0C80, 0x0CFF, "Knda"),
    (0x0D00, 0x0D7F, "Mlym"),
    (0x0D80, 0x0DFF, "Sinh"),
    (0x0E00, 0x0E7F, "Thai"),
    (0x0E80, 0x0EFF, "Laoo"),
    (0x0F00, 0x0FFF, "Tibt"),
    (0x1000, 0x109F, "Mymr"),
    (0x10A0, 0x10FF, "Geor"),
    (0x1100, 0x11FF, "Hang"),
    (0x1200, 0x139F, "Ethi"),
    (0x1780, 0x17FF, "Khmr"),
    (0x1800, 0x18AF, "Mong"),
    (0x19E0, 0x19FF, "Khmr"),
    (0x1AB0, 0x1AFF, "Zinh"),
    (0x1C80, 0x1C8F, "Cyrl"),
    (0x1C90, 0x1CBF, "Geor"),
    (0x1DC0, 0x1DFF, "Zinh"),
    (0x1E00, 0x1EFF, "Latn"),
    (0x1F00, 0x1FFF, "Grek"),
    (0x20D0, 0x20FF, "Zinh"),
    (0x2C60, 0x2C7F, "Latn"),
    (0x2D00, 0x2D2F, "Geor"),
    (0x2DE0, 0x2DFF, "Cyrl"),
    (0x3005, 0x3007, "Hani"),  # 々 〆 〇
    (0x3021, 0x3029, "Hani"),
    (0x303B, 0x303B, "Hani"),
    (0x3041, 0x309F, "Hira"),
    (0x30A1, 0x30FA, "Kana"),
    (0x30FC, 0x30FF, "Kana"),  # ー and the katakana iteration marks
    (0x3131, 0x318E, "Hang"),
    (0x31F0, 0x31FF, "Kana"),
    (0x3400, 0x4DBF, "Hani"),
    (0x4E00, 0x9FFF, "Hani"),
    (0xA640, 0xA69F, "Cyrl"),
    (0xA720, 0xA7FF, "Latn"),
    (0xA9E0, 0xA9FF, "Mymr"),
    (0xAA60, 0xAA7F, "Mymr"),
    (0xAB30, 0xAB6F, "Latn"),
    (0xAC00, 0xD7AF, "Hang"),
    (0xF900, 0xFAFF, "Hani"),
    (0xFB00, 0xFB06, "Latn"),
    (0xFB1D, 0xFB4F, "Hebr"),
    (0xFB50, 0xFDFF, "Arab"),
    (0xFE20, 0xFE2F, "Zinh"),
    (0xFE70, 0xFEFF, "Arab"),
    (0xFF21, 0xFF3A, "Latn"),
    (0xFF41, 0xFF5A, "Latn"),
    (0xFF66, 0xFF9F, "Kana"),
    (0x20000, 0x3134F, "Hani"),
)
_STARTS = [first for first, _last, _script in _BLOCKS]

CJK_SCRIPTS = frozenset({"Hani", "Hira", "Kana", "Hang"})
DICTIONARY_SCRIPTS = frozenset({"Thai", "Laoo", "Khmr", "Mymr"})
RIGHT_TO_LEFT_SCRIPTS = frozenset({"Arab", "Hebr", "Syrc", "Thaa"})


# The languages written in a script other than Latin alone (every other language: Latin).
LANGUAGES_BY_SCRIPT = {
    "Cyrl": ("ru", "uk", "bg", "be", "kk", "ky", "mk", "mn", "sr", "ba", "tg", "tt"),
    "Arab": ("ar", "fa", "ur", "ps", "ug", "ary", "arz", "sdh", "uzs", "ckb"),
    "Deva": ("hi", "mr", "ne", "sa", "gom"),
    "Beng": ("bn", "as"),
    "Grek": ("el", "grc"),
    "Hebr": ("he", "hbo", "yi"),
}
# Scripts that name their language outright.
SCRIPT_LANGUAGE = {
    "Hang": "ko",
    "Thai": "th",
    "Laoo": "lo",
    "Khmr": "km",
    "Mymr": "my",
    "Armn": "hy",
    "Geor": "ka",
    "Ethi": "am",
    "Gujr": "gu",
    "Guru": "pa",
    "Orya": "or",
    "Taml": "ta",
    "Telu": "te",
    "Knda": "kn",
    "Mlym": "ml",
    "Sinh": "si",
    "Thaa": "dv",
    "Tibt": "bo",
    "Syrc": "syr",
}
_WRITING_SCRIPTS = {
    "ja": frozenset({"Hani", "Hira", "Kana"}),
    "zh": frozenset({"Hani"}),
    "yue": frozenset({"Hani"}),
    "wuu": frozenset({"Hani"}),
    "ko": frozenset({"Hang", "Hani"}),
    "sr": frozenset({"Cyrl", "Latn"}),
    "mn": frozenset({"Cyrl", "Mong"}),
    **{
        lang: frozenset({script}) for script, langs in LANGUAGES_BY_SCRIPT.items() for lang in langs
    },
    **{lang: frozenset({script}) for script, lang in SCRIPT_LANGUAGE.items()},
}
_LATIN = frozenset({"Latn"})


def writing_scripts(language: str) -> frozenset[str]:
    """The scripts a language (a primary subtag such as ``ja``) is written in."""
    return _WRITING_SCRIPTS.get(language, _LATIN)


def _class_of(scripts: frozenset[str]) -> str:
    """A regular-expression character class (without brackets) of the blocks of ``scripts``."""
    return "".join(
        f"{re.escape(chr(first))}-{re.escape(chr(last))}"
        for first, last, script in _BLOCKS
        if script in scripts
    )


CJK_CLASS = _class_of(CJK_SCRIPTS)
DICTIONARY_CLASS = _class_of(DICTIONARY_SCRIPTS)
_LETTER = re.compile(r"[^\W\d_]")
_ASCII_NON_LETTERS = bytes(c for c in range(128) if not chr(c).isalpha())
_NOT_LATIN_LETTER = re.compile(r"[^\W\d_A-Za-z\u00aa\u00b5\u00ba\u00c0-\u024f\u1e00-\u1eff]")


def script_of(char: str) -> str:
    """The ISO 15924 code of the script of one character; ``Zyyy`` (common) for digits,
    punctuation and anything outside the table, ``Zinh`` for a combining mark of no one script."""
    code = ord(char)
    at = bisect.bisect_right(_STARTS, code) - 1
    if at >= 0:
        first, last, script = _BLOCKS[at]
        if first <= code <= last:
            return script
    return "Zyyy"


@cache
def cutting_of(script: str) -> str:
    """How text of ``script`` is cut into words: ``WORDS``, ``CJK`` or ``DICTIONARY``."""
    if script in CJK_SCRIPTS:
        return "CJK"
    if script in DICTIONARY_SCRIPTS:
        return "DICTIONARY"
    return "WORDS"


def word_script(word: str) -> str:
    """The script of a word: that of its first letter (``Zyyy`` for a word without letters,
    such as a number). An ASCII word is Latin at once."""
    if word.isascii():
        return "Latn" if _LETTER.search(word) else "Zyyy"
    for char in word:
        if char.isalpha():
            return script_of(char)
    return "Zyyy"


def letter_scripts(text: str, limit: int = 2000) -> Counter[str]:
    """How many letters of each script the first ``limit`` characters of ``text`` have."""
    sample = text[:limit]
    if sample.isascii():
        return Counter({"Latn": ascii_letters(sample)})
    if not _NOT_LATIN_LETTER.search(sample):  # Latin letters only (curly quotes, £...): in C too
        return Counter({"Latn": len(_LETTER.findall(sample))})
    return Counter(script_of(c) for c in sample if c.isalpha())


def ascii_letters(text: str) -> int:
    """The letters of ASCII text, counted in C: what is left when the rest is taken out."""
    return len(text.encode("ascii").translate(None, _ASCII_NON_LETTERS))


def scripts_present(text: str, limit: int = 4000) -> set[str]:
    """The scripts of the letters of the first ``limit`` characters of ``text``; quick for
    text in the Latin script alone (one scan in C)."""
    sample = text[:limit]
    if sample.isascii() or not _NOT_LATIN_LETTER.search(sample):
        return {"Latn"} if _LETTER.search(sample) else set()
    return set(letter_scripts(sample, limit))


def is_right_to_left(script: str) -> bool:
    return script in RIGHT_TO_LEFT_SCRIPTS
