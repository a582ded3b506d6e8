"""The section of an article page as its readers see it: the leaf of its breadcrumb trail, else
a short label the page marks as the story's section.

Publishers' ``article:section`` and JSON-LD ``articleSection`` are often an internal name
("news", a desk's code) or missing, while the page shows the section in a breadcrumb ("Home >
Business > <headline>") or as a label above the headline. The trail is read from the page's
JSON-LD ``BreadcrumbList``, from an element marked as a breadcrumb, or from links parted by
">" as trails are; its leaf is its last item that is neither the first (the home page) nor the
headline. A label is the first short element whose class names a section, category or kicker,
in the story's header (with its headline) or outside lists, menus, pictures and headings; else
a short link just above the headline. What the page shows comes first, then the metadata, then
a JSON-LD trail (not always shown).
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterable, Sequence
from typing import Any

from lxml.html import HtmlElement

from indexer.ingest.titles import words_of

_BREADCRUMB = re.compile(r"bread-?crumb|crumbs", re.I)
_LABEL_CLASS = re.compile(
    r"^(?:[\w-]*[-_])?(?:section|category|rubri[ck]|ressort|kicker|unibrow)$", re.I
)
_LABEL_LONGEST = 40
_TRAIL_MARKS = frozenset(">›»/→")  # not "|", which parts the links of menus
_LEADING_MARKS = re.compile(r"^[\W_]+")
_BLOCKS = ("ul", "ol", "li", "p", "h1", "h2", "h3", "h4", "div", "nav")
_LABEL_WORDS = 4
# Where a label belongs to something else: lists and teasers of other stories, menus, pictures.
_OUTSIDE_THE_STORY = frozenset(
    {"li", "nav", "footer", "aside", "ul", "ol", "figure", "h2", "h3", "h4", "h5", "h6"}
)
_ENDS = re.compile(r"^[\W_]+|[\W_]+$")  # brackets and arrows around a trail's items


def page_section(
    document: HtmlElement,
    linked_data: Iterable[dict[str, Any]],
    headlines: Sequence[str],
    stated: str = "",
) -> str:
    """The section the page shows in a breadcrumb trail or as a label marked as the section,
    else ``stated`` (what its metadata says), else the leaf of its JSON-LD trail (which pages
    do not always show); "" when there is none."""
    headline_words = [words_of(text) for text in headlines if text]
    shown = (
        _first_leaf(_visible_trails(document), headline_words)
        or _section_label(document)
        or _link_over_headline(document, headline_words)
    )
    return shown or stated or _first_leaf(_linked_data_trails(linked_data), headline_words)


def _first_leaf(trails: list[list[str]], headline_words: list[list[str]]) -> str:
    return next(filter(None, (_leaf(trail, headline_words) for trail in trails)), "")


def _leaf(trail: list[str], headline_words: list[list[str]]) -> str:
    """The last item of a trail that is not its first (home) nor the headline."""
    items = [_ENDS.sub("", " ".join(item.split())) for item in trail]
    items = [item for item in items[1:] if item and words_of(item)]
    kept = [item for item in items if not _is_headline(item, headline_words)]
    return kept[-1] if kept else ""


def _is_headline(item: str, headline_words: list[list[str]]) -> bool:
    """The headline as a trail's last item (perhaps with its kicker), or as long as one."""
    words = words_of(item)
    if len(words) > _LABEL_WORDS * 2:
        return True
    return any(_holds(words, headline) for headline in headline_words if headline)


def _holds(words: list[str], part: list[str]) -> bool:
    return any(words[i : i + len(part)] == part for i in range(len(words) - len(part) + 1))


def _linked_data_trails(nodes: Iterable[dict[str, Any]]) -> list[list[str]]:
    trails = []
    for node in nodes:
        if "BreadcrumbList" not in str(node.get("@type", "")):
            continue
        items = node.get("itemListElement")
        items = (
            [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []
        )
        items.sort(
            key=lambda item: item.get("position") if isinstance(item.get("position"), int) else 0
        )
        trails.append([_item_name(item) for item in items])
    return trails


def _item_name(item: dict[str, Any]) -> str:
    name = item.get("name")
    inner = item.get("item")
    if not isinstance(name, str) and isinstance(inner, dict):
        name = inner.get("name")
    return name if isinstance(name, str) else ""


def _visible_trails(document: HtmlElement) -> list[list[str]]:
    """The link texts of each element marked as a breadcrumb trail, or written as one."""
    trails = []
    for element in document.iter("nav", "div", "ol", "ul", "p", "span"):
        marks = (
            f"{element.get('class', '')} {element.get('id', '')} {element.get('aria-label', '')}"
        )
        marked = _BREADCRUMB.search(marks) or "BreadcrumbList" in element.get("itemtype", "")
        if not marked and not _reads_as_trail(element):
            continue
        links = [link.text_content() for link in element.iter("a") if not _to_home(link)]
        if links:
            trails.append(["", *links])  # the home page left out already
    return trails


def _reads_as_trail(element: HtmlElement) -> bool:
    """An element written as a trail: two or more links and, between them, nothing but the
    marks trails put there ("Home > Business > Ports", "评论 > 海外观察")."""
    links = [child for child in element if child.tag == "a"]
    if len(links) < 2 or len(links) != len(element):
        return False
    between = [element.text or "", *((link.tail or "") for link in links)]
    between += [_leading_marks(link.text_content()) for link in links[1:]]  # "<a>> …</a>"
    marks = "".join("".join(between).split())
    return bool(marks) and set(marks) <= _TRAIL_MARKS


def _leading_marks(text: str) -> str:
    found = _LEADING_MARKS.match(text)
    return found[0] if found else ""


def _to_home(link: HtmlElement) -> bool:
    """A link to the site's front page ("/", "https://news.example/")."""
    href = (link.get("href") or "").strip()
    return urllib.parse.urlsplit(href).path in ("", "/") and not href.startswith("#")


def _section_label(document: HtmlElement) -> str:
    for element in document.iter("a", "div", "span", "p", "strong"):
        classes = (element.get("class") or "").split()
        if not any(_LABEL_CLASS.match(name) for name in classes):
            continue
        if not _beside_the_story(element) or element.get("href", "").startswith("#"):
            continue
        if any(True for _block in element.iterdescendants(*_BLOCKS)):
            continue
        text = _ENDS.sub("", " ".join(element.text_content().split()))
        plain = len(text) <= _LABEL_LONGEST and len(text.split()) <= _LABEL_WORDS
        if text and plain and not any(char.isdigit() for char in text):
            return text
    return ""


def _beside_the_story(element: HtmlElement) -> bool:
    """Not in a list, navigation, footer, picture or heading, nor in the page's header (an
    article's own ``<header>`` is where labels go)."""
    parents = list(element.iterancestors())
    if any(parent.tag == "header" and parent.find(".//h1") is not None for parent in parents):
        return True  # the story's own header, with its headline
    if any(parent.tag in _OUTSIDE_THE_STORY for parent in parents):
        return False
    in_article = any(parent.tag == "article" for parent in parents)
    return in_article or not any(parent.tag == "header" for parent in parents)


def _link_over_headline(document: HtmlElement, headline_words: list[list[str]]) -> str:
    """A short link just above the headline, beside it in the story's header: the section it
    belongs to, linking to the section's page ("<a href=/topics/apps>Apps</a><h1>…")."""
    for heading in document.iter("h1"):
        if words_of(heading.text_content()) not in headline_words:
            continue
        above = heading.getprevious()
        while above is not None and not isinstance(above.tag, str):
            above = above.getprevious()
        if above is None or above.tag != "a" or _to_home(above):
            return ""
        text = _ENDS.sub("", " ".join(above.text_content().split()))
        plain = len(text) <= _LABEL_LONGEST and len(text.split()) <= _LABEL_WORDS
        return text if plain and not any(char.isdigit() for char in text) else ""
    return ""
