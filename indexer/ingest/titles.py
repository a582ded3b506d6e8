"""The headline of an article page, by evidence.

A page states its headline several times: JSON-LD ``headline``, ``og:title`` (or
``twitter:title``), ``<title>`` and ``<h1>``; most add the site's name or other affixes to some of
them ("… - La Stampa", "NEWS WEB EASY|…", "… | DW | 19.01.2020", "… ：日本経済新聞"). An affix is
cut where evidence says it is not part of the headline: it names the site (``og:site_name``, the
JSON-LD publisher, a label of the domain), it is a date, or what is left of the title is stated
elsewhere on the page without it. Of the statements left, the first in the order above is the
headline, unless another one is longer and starts with it (an ellipsis aside): the first was cut
short ("… Hong Kong leader…" in JSON-LD, whole in the ``<h1>``). An ``<h1>`` that holds the
logo's text before the headline loses the logo's text.
"""

from __future__ import annotations

import re
import unicodedata
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass, field

from indexer.ingest.dates import read_date

# Between a headline and an affix: spaced dashes, bars, bullets and guillemets; unspaced bars
# (ASCII and full-width), the full-width colon and the underscore of Chinese and Japanese
# titles, and a hyphen between Chinese or Japanese characters. A spaced ASCII colon is French
# punctuation inside headlines, so it is no separator.
_SEPARATOR = re.compile(
    r"(\s+[-–—·»/]\s+|\s*[|｜：_]\s*|\s+::\s+|(?<=[\u3000-\u9fff\uff00-\uffef])\s*[-－]\s*"
    r"(?=[\u3040-\u30ff\u3400-\u9fff]))"
)
_ELLIPSIS = re.compile(r"\s*(?:…|\.\.\.)\s*$")
_DOMAIN_ENDING = re.compile(r"\.[a-z]{2,6}$", re.I)
_SHORT_SUFFIX_WORDS = 5
_LOGO_WORDS = 6
_PARTS_WITH_SUFFIX = 3
_SITE_KEY_IN_PART = 3  # a site's key this long names the site inside a longer part ("bbc…")
_SECTION_WORDS, _SECTION_CHARACTERS = 4, 30  # [headline, separator, suffix]
_REPEATED_NAME_CHARACTERS = 16
_H1_SHARE = 0.4  # an <h1> under this share of the shortest other statement is no headline
_CREDIT = re.compile(
    r"\s*[（(]\s*(?:写真|画像|映像|動画|撮影|photo|foto|video|vídeo|image|picture|credit)s?\s*"
    r"[＝=:：/／][^（）()]{1,40}[）)]\s*$",
    re.I,
)
_GENERIC_LABELS = frozenset("www m amp mobile co com org net gov edu ac ne or go".split())


@dataclass
class HeadlineStatements:
    """Every statement of a page's headline, best first, and the names of its site."""

    linked_data: str = ""
    social: list[str] = field(default_factory=list)  # og:title, twitter:title
    title_element: str = ""
    h1s: list[str] = field(default_factory=list)
    site_names: list[str] = field(default_factory=list)  # og:site_name, publisher, ...
    urls: list[str] = field(default_factory=list)  # og:url, canonical, where the page was read
    page_text: str = ""  # the visible text of the page, where the site names itself


def headline(statements: HeadlineStatements) -> str:
    """The page's headline ("" when it states none)."""
    names = _name_keys(statements.site_names)  # the site's names, and affixes cut from titles
    site = names | _domain_keys(statements.urls)
    site |= _repeated_names([statements.title_element, *statements.social], statements.page_text)
    stated = _lines([statements.linked_data, *statements.social, statements.title_element])
    h1s = _lines(statements.h1s)
    everything = stated + h1s
    found = []
    for text in stated:
        kept, affixes = _without_affixes(text, site, [o for o in everything if o != text])
        names |= _name_keys(affixes)
        found.append(kept)
    h1s = list(dict.fromkeys([*h1s, *(_without_logo(h1, names) for h1 in h1s)]))
    seen = _headline_readers_see(h1s, stated, names)
    if seen:
        return _without_credit(seen)
    for h1 in h1s:
        found.append(_without_affixes(h1, site, stated)[0])
    return _without_credit(_longest_consistent([text for text in found if text]))


def _repeated_names(titles: list[str], page_text: str) -> set[str]:
    """The last parts of ``titles`` that are short and that the page repeats in its own text
    (a logo, a copyright line): the site's name ("…-海湾日报", "… | Harbour Gazette")."""
    names = set()
    for title in titles:
        parts = _SEPARATOR.split(_one_line(title))
        if len(parts) < _PARTS_WITH_SUFFIX:
            continue
        suffix = parts[-1].strip()
        if len(suffix) <= _REPEATED_NAME_CHARACTERS and page_text.count(suffix) >= 2:
            names |= _name_keys([suffix])
    return names


def _headline_readers_see(h1s: list[str], stated: list[str], names: set[str]) -> str:
    """The ``<h1>`` that the other statements confirm: its words stand in one of them (which
    may add a site name, a section or a kicker, or differ from it in the words between:
    the social headline of an updated story). The longest such; never a name of the site,
    nor an ``<h1>`` much shorter than every statement (a section's name above the story)."""
    if not stated:
        return ""
    shortest = min(len(text) for text in stated)
    confirmed = [
        h1 for h1 in h1s
        if _key(h1) not in names
        and len(h1) >= _H1_SHARE * shortest
        and any(_contains_words(text, h1) for text in stated)
    ]  # fmt: skip
    return max(confirmed, key=len, default="")


def _without_credit(headline: str) -> str:
    """A headline without a picture's or video's credit in brackets at its end
    ("…（写真＝ロイター）", "… (Photo: Reuters)")."""
    return _CREDIT.sub("", headline).strip() or headline


def section_in_title(statements: HeadlineStatements, headline: str) -> str:
    """The section a ``<title>`` names beside the headline and the site's name ("Headline -
    Site - Section", "Headline _Section _Site"): its one part left when the headline, the
    site's names (or parts holding one) and dates are set aside; "" when not just one is."""
    site = _name_keys(statements.site_names) | _domain_keys(statements.urls)
    site |= _repeated_names([statements.title_element], statements.page_text)
    parts = _SEPARATOR.split(_one_line(statements.title_element))[::2]
    stated = words_of(headline)
    left = [
        part.strip() for part in parts
        if part.strip() and words_of(part) != stated and read_date(part) is None
        and not any(name in _key(part) for name in site if len(name) >= _SITE_KEY_IN_PART)
    ]  # fmt: skip
    if len(left) != 1 or len(left) == len(parts):
        return ""
    section = left[0]
    short = len(section.split()) <= _SECTION_WORDS and len(section) <= _SECTION_CHARACTERS
    return section if short and not _contains_words(headline, section) else ""


def title_without_site_name(title: str, site_name: str, url: str) -> str:
    """``title`` without the affixes that name the site (``site_name`` or the domain of
    ``url``), that are dates, or that follow " | " and are short."""
    site = _name_keys([site_name]) | _domain_keys([url])
    return _without_affixes(_one_line(title), site, [])[0]


def _without_affixes(text: str, site: set[str], others: Sequence[str]) -> tuple[str, list[str]]:
    """``text`` without its affixes, and the affixes cut."""
    tokens = _SEPARATOR.split(text)  # [part, separator, part, ...]
    cut: list[str] = []
    while len(tokens) > 1:
        if _is_affix(tokens[-1], tokens[-2], tokens[:-2], site, others, suffix=True):
            cut.append(tokens[-1])
            tokens = tokens[:-2]
        elif _is_affix(tokens[0], tokens[1], tokens[2:], site, others, suffix=False):
            cut.append(tokens[0])
            tokens = tokens[2:]
        else:
            break
    return "".join(tokens).strip(), cut


def _is_affix(
    part: str, separator: str, rest: list[str], site: set[str], others: Sequence[str], suffix: bool
) -> bool:
    remainder = "".join(rest).strip()
    if not part.strip() or not remainder:
        return False
    if _key(part) in site or read_date(part) is not None:
        return True
    if any(_contains_words(other, remainder) for other in others):
        return True  # the headline is stated elsewhere without this part
    short = len(part.split()) <= _SHORT_SUFFIX_WORDS and len(part) <= len(remainder)
    return suffix and separator.strip() == "|" and separator != "|" and short


def _without_logo(h1: str, names: set[str]) -> str:
    """An ``<h1>`` without the site's name (``names``: keys of names, never of mere domain
    labels, which can be words of a headline) before or after the headline."""
    words = h1.split()
    for count in range(min(_LOGO_WORDS, len(words) - 1), 0, -1):
        if _key(" ".join(words[:count])) in names:
            return " ".join(words[count:])
        if _key(" ".join(words[-count:])) in names:
            return " ".join(words[:-count])
    return h1


def _longest_consistent(found: list[str]) -> str:
    """The first statement, or a longer one that starts with it (it was cut short)."""
    if not found:
        return ""
    chosen = found[0]
    for other in found[1:]:
        stem = words_of(_ELLIPSIS.sub("", chosen))
        longer = words_of(other)
        if len(longer) > len(stem) and longer[: len(stem)] == stem:
            chosen = other
    return chosen


def _contains_words(text: str, words: str) -> bool:
    """Whether ``words`` occur in ``text`` as whole words (case and accents aside)."""
    inner, outer = words_of(words), words_of(text)
    if not inner or len(inner) >= len(outer) + 1:
        return False
    return any(outer[i : i + len(inner)] == inner for i in range(len(outer) - len(inner) + 1))


def _name_keys(names: Sequence[str]) -> set[str]:
    keys = {_key(name) for name in names}
    return {key for key in keys if len(key) >= 2}


def _domain_keys(urls: Sequence[str]) -> set[str]:
    """The labels of the site's domains that can name it: not "www", not the top-level domain
    or a generic second level ("co" of "co.uk"), at least three letters."""
    keys = set()
    for url in urls:
        labels = (urllib.parse.urlsplit(url).hostname or "").split(".")[:-1]
        keys |= {_key(label) for label in labels if label not in _GENERIC_LABELS}
    return {key for key in keys if len(key) >= 3}


def _key(name: str) -> str:
    """A name reduced for comparison: "The Coast-Courier" -> "coastcourier", "Přístav.cz" ->
    "pristav", "WN.COM" -> "wn"."""
    name = _DOMAIN_ENDING.sub("", name.strip()) if " " not in name.strip() else name
    key = "".join(words_of(name))
    return key[3:] if key.startswith("the") and len(key) > 6 else key


def words_of(text: str) -> list[str]:
    """The words of ``text``, lower case, without accents or punctuation: what two statements
    of a headline are compared by."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in folded if not unicodedata.combining(c))
    return re.findall(r"\w+", plain)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _lines(texts: Sequence[str]) -> list[str]:
    return [line for line in map(_one_line, texts) if line]
