"""The authors of an article page: people's names from its metadata, else from its byline.

Metadata and bylines state authors as prose: "By Ada Brook And Ian Moss For The Weekly Post",
"Ana Lima, Rui Costa", "Jan Nowak, Gazeta Insight". The names are the parts between the words
and marks that join names (commas, "and" in the languages the readers know, "&", "、"), without
the byline's "By"/"por"/"von", without what follows "for" (the publication), up to a part that
names the site (the publisher, then its address), and only parts that can be names (a few
capitalised words, not a company's "… SA" or "… GmbH": not tags or places in lower case).
When the metadata names nobody, the first byline on the page does (an element marked
``rel=author``, ``itemprop=author`` or with a class naming an author or byline, outside lists,
menus and footers): its links to author pages, else the parts marked as authors in it, else its
``itemprop=name`` parts, else its text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from lxml.html import HtmlElement

from indexer.ingest.titles import words_of

_BYLINE_PREFIX = re.compile(
    r"^\s*(?:(?:written|reported|text|texto|texte)\s+)?(?:by|por|von|par|di|door|przez|av|af|"
    r"from)\s*[:\s]\s*",
    re.I,
)
_PUBLICATION_AFTER = re.compile(r"\s+(?:for|para|für|pour|per|dla)\s+.*$", re.I)
_BETWEEN_NAMES = re.compile(r"\s*(?:[,;&、，/|·•]|\s(?:and|y|e|und|et|i|og|och|ja)\s)\s*", re.I)
_AUTHOR_CLASS = re.compile(
    r"^(?:[\w-]*[-_])?(?:authors?|byline|autor|autore|autores|auteur|signature|firma)"
    r"(?:[-_](?:name|names|text|info|link))?$",
    re.I,
)
_OUTSIDE_THE_STORY = frozenset({"nav", "footer", "aside", "ul", "ol"})
# An editor credited in the page's text ("责任编辑：…", "Editor: …"): a CMS often puts the editor
# in ``meta author``.
_CREDITED_WORD = r"[^\s:：︱|\[\]()（）]"
_EDITOR_CREDIT = re.compile(
    r"(?:责任编辑|编辑|edited by|editor|redakteur(?:in)?|redaktion|redacción|edición|édition|"
    rf"a cura di)\s*[:：︱|]?\s*({_CREDITED_WORD}{{2,40}}(?: [A-ZÀ-Ý]{_CREDITED_WORD}+){{0,2}})",
    re.I,
)
# The authors a Chinese page credits in its text: "作者︱名", "记者 名 名" (not "记者 名 摄", a
# photographer), "（评论员 名 名）", each name of two to four characters before a space, "、", a
# closing bracket or the end.
_CHINESE_CREDIT = re.compile(
    r"(?:作者\s*[:：︱|]|记者|评论员|通讯员)\s*((?:[\u4e00-\u9fff]{2,4}(?:[\s、]+|$|(?=[）)])))+)(?!摄)"
)
_NAME_WORDS = 5
_SHORTEST_KEY = 4
# The endings of companies' names: "… SA", "… GmbH", "… Ltd" name no person.
_LEGAL_FORMS = frozenset(
    "sa s.a ag gmbh ltd inc llc plc spa s.p.a srl bv nv oy ab as asa kk".split()
)
_PARTICLE_LENGTH = 3  # "de", "van", "bin": lower case inside names
_BYLINE_LONGEST = 120


def author_names(stated: Sequence[str], site_names: Sequence[str]) -> list[str]:
    """The people ``stated`` names, each once, in order (parts that name the site left out)."""
    site = {"".join(words_of(name)) for name in site_names}
    site.discard("")
    names: list[str] = []
    for text in stated:
        text = _PUBLICATION_AFTER.sub("", _BYLINE_PREFIX.sub("", " ".join(text.split())))
        for part in _BETWEEN_NAMES.split(text):
            part = part.strip(" .:-–—")
            if _names_site(part, site):
                break  # the publisher, and its address or desk after it
            if _is_name(part) and part not in names:
                names.append(part)
    return names


def editor_names(page_text: str) -> list[str]:
    """The names the page credits as its editors."""
    return [match.group(1).strip() for match in _EDITOR_CREDIT.finditer(page_text)]


def credited_names(page_text: str) -> list[str]:
    """The authors a credit in a Chinese page's text names ([] when none)."""
    for match in _CHINESE_CREDIT.finditer(page_text):
        names = [name for name in re.split(r"[\s、]+", match.group(1)) if name]
        if names and not page_text[match.end() :].lstrip().startswith("摄"):
            return names
    return []


def byline_texts(document: HtmlElement) -> list[str]:
    """The texts of the page's first byline: the names it links, else its ``itemprop=name``
    parts, else its text; [] when it has none."""
    for element in document.iter():
        if not isinstance(element.tag, str) or not _is_byline(element):
            continue
        text = " ".join(element.text_content().split())
        if not text or len(text) > _BYLINE_LONGEST:
            continue
        links = [" ".join(a.text_content().split()) for a in element.iter("a")]
        links = [link for link in links if _is_name(link)]
        if links:
            return links
        inner = [part for part in element.iterdescendants() if _is_byline(part)]
        parts = inner or element.xpath(".//*[@itemprop='name']")
        return [part.text_content() for part in parts] or [text]
    return []


def _is_byline(element: HtmlElement) -> bool:
    marked = element.get("rel") == "author" or element.get("itemprop") == "author"
    classes = (element.get("class") or "").split()
    if not (marked or any(_AUTHOR_CLASS.match(name) for name in classes)):
        return False
    return not any(parent.tag in _OUTSIDE_THE_STORY for parent in element.iterancestors())


def _is_name(part: str) -> bool:
    """A person's name could be this: a few words, no digits, no handle or address."""
    words = part.split()
    return (
        0 < len(words) <= _NAME_WORDS
        and not any(char.isdigit() for char in part)
        and not part.startswith("@")
        and "://" not in part
        and bool(words_of(part))
        and all(_capitalised(word) for word in words if len(word) > _PARTICLE_LENGTH)
        and words[-1].strip(".,").casefold() not in _LEGAL_FORMS
    )


def _capitalised(word: str) -> bool:
    """A word of a name: capitalised, or in a script without capitals."""
    first = next((char for char in word if char.isalpha()), "")
    return not first or first.isupper() or first.lower() == first.upper()


def _names_site(part: str, site: set[str]) -> bool:
    key = "".join(words_of(part))
    return any(name in key or (len(key) >= _SHORTEST_KEY and key in name) for name in site)
