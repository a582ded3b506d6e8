"""The story of an HTML article page: its body, and its standfirst (which is the teaser).

trafilatura, a maintained extraction library, finds the story among the navigation, ads and
lists of other stories. It runs twice, favouring precision and favouring recall: the precise
reading is kept unless it has less than half the text of the other, which means it lost part of
the story (a page that splits its story over several containers). Before it runs, the
standfirst is taken out of the page: it is the teaser, and the body starts after it. After it
runs, the lines around the story that are not the story are left out (``boilerplate``). The
JSON-LD ``articleBody`` is the body when the visible page has (almost) none.

Measured on the article extraction benchmark by ``python -m bench pages``.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from lxml.html import HtmlElement

from indexer.ingest.boilerplate import page_story_lines
from indexer.ingest.page_metadata import OFF_SCREEN, heading_text
from indexer.ingest.titles import words_of

# Classes and ids publishers give the standfirst (English, French, Spanish, Portuguese, German,
# Czech, ...), as a whole class name or its last part ("article__lead", "meldung_anrisstext").
# Not "teaser" or "excerpt": those name the promotions of other stories as often. "summary",
# "intro" and "abstract" name a story's first paragraph as often as a standfirst: an element so
# marked must stand apart from the story's paragraphs.
_STANDFIRST_MARK = re.compile(
    r"(?:^|[-_])(?:standfirst|dek|deck|subline|sub-?title|sub-?head(?:line)?|lede|lead|"
    r"lead-?text|chap[oô]|chapeau|strapline|sapo|entradilla|bajada|linha-fina|anriss\w*|"
    r"perex)$",
    re.I,
)
_AMBIGUOUS_MARK = re.compile(r"(?:^|[-_])(?:summary|intro|abstract)$", re.I)
_STANDFIRST_TAGS = ("p", "h2", "h3", "h4", "div", "ul")
_BULLETS, _BULLET_CHARACTERS = 5, 40  # a standfirst as bullet points: a few sentences
_DESCRIPTION_WORDS = 8  # a description cut short still states the standfirst's opening
_STANDFIRST_LENGTH = (30, 600)
_STANDFIRST_SOURCE_LONGEST = 2000  # characters with the spaces of the markup
_PRECISE_SHARE = 0.5  # the precise reading must keep at least this share of the broad one's text
_JSON_LD_BODY_RATIO = 2  # articleBody wins when it is this many times longer than the page's


@dataclass(frozen=True)
class Story:
    body: str
    standfirst: str = ""


def page_story(
    document: HtmlElement,
    url: str,
    headlines: Sequence[str],
    description: str = "",
    article_body: str = "",
    languages: Sequence[str] = (),
) -> Story:
    """The story of ``document`` (whose standfirst element is removed from it)."""
    _drop_hidden(document)
    standfirst = _take_standfirst(document, description, headlines)
    _join_split_story(document)
    precise = _extracted(document, url, precision=True)
    broad = _extracted(document, url, precision=False)
    chosen = precise if len(precise) >= _PRECISE_SHARE * len(broad) else broad
    lines = page_story_lines(chosen.splitlines(), [*headlines, standfirst], languages)
    body = "\n\n".join(lines)
    if len(article_body) > _JSON_LD_BODY_RATIO * len(body):
        body = article_body
    return Story(body, standfirst)


def _drop_hidden(document: HtmlElement) -> None:
    """Remove the text a page keeps for screen readers only (a heading over the share buttons,
    a logo's text): it is not the story, and would run into it. Content hidden otherwise (a
    collapsed part of the story that a button shows) stays."""
    for element in list(document.iter()):
        if isinstance(element.tag, str) and OFF_SCREEN.search(element.get("class", "")):
            element.drop_tree()


def _extracted(document: HtmlElement, url: str, precision: bool) -> str:
    """trafilatura's text of the page, favouring precision or recall."""
    import trafilatura  # here, not at the top: it takes longer to import than a search takes

    text = trafilatura.extract(
        document,
        url=url or None,
        include_comments=False,
        output_format="txt",
        favor_precision=precision,
        favor_recall=not precision,
    )
    return text or ""


def _take_standfirst(document: HtmlElement, description: str, headlines: Sequence[str]) -> str:
    """The text of the page's standfirst, removed from ``document``; "" when it has none.

    A standfirst stands under the headline, outside links, lists of links and asides. It is an
    element marked as one by its class; or one that states the page's description (or is
    marked "summary", "intro", "abstract") and stands apart from the story's paragraphs, with
    the story following; or a list of a few sentences, without links, before the paragraphs of
    the story beside it (bullet points summing the story up). A first paragraph of the story
    that the description merely repeats is not one: it stays in the body."""
    described = words_of(description)[:_DESCRIPTION_WORDS]
    after_headline = _after_headline(document, headlines)
    for element in document.iter(*_STANDFIRST_TAGS):
        if not after_headline(element) or _among_other_stories(element) or _unseen(element):
            continue
        if len(element.text_content()) > _STANDFIRST_SOURCE_LONGEST:
            continue  # a container of much more than a standfirst (and costly to copy)
        text = " ".join(heading_text(element).split())  # without a kicker run into it
        fits = _STANDFIRST_LENGTH[0] <= len(text) <= _STANDFIRST_LENGTH[1]
        if fits and _is_standfirst(element, text, described):
            element.drop_tree()
            return text
    return ""


def _is_standfirst(element: HtmlElement, text: str, described: list[str]) -> bool:
    if _holds_paragraphs(element):
        return False  # a container of the story's paragraphs, whatever its class says
    marks = [mark for mark in [*(element.get("class") or "").split(), element.get("id")] if mark]
    if any(_STANDFIRST_MARK.search(mark) for mark in marks):
        return True
    states_description = bool(described) and words_of(text)[: len(described)] == described
    ambiguous = any(_AMBIGUOUS_MARK.search(mark) for mark in marks)
    apart = _stands_apart(element) and _story_follows(element) and not _is_bold_lede(element)
    if (states_description or ambiguous) and apart:
        return True
    return _is_summing_up_list(element) and _leads_its_paragraphs(element)


def _leads_its_paragraphs(element: HtmlElement) -> bool:
    """Whether ``element`` comes before the story's paragraphs, among them: no long paragraph
    beside it comes before it, and some come after it."""

    def long(sibling: HtmlElement) -> bool:
        return sibling.tag == "p" and len(sibling.text_content()) > _PARAGRAPH_CHARACTERS

    before = any(long(sibling) for sibling in element.itersiblings(preceding=True))
    after = sum(1 for sibling in element.itersiblings() if long(sibling))
    return not before and after >= _CONTAINER_PARAGRAPHS


def _is_bold_lede(element: HtmlElement) -> bool:
    """A paragraph set in bold as a whole: the story's opening sentence, printed as a lede."""
    bold = [child for child in element if child.tag in ("strong", "b")]
    text = "".join(element.text_content().split())
    return (
        element.tag == "p"
        and bool(bold)
        and "".join("".join(child.text_content().split()) for child in bold) == text
    )


def _is_summing_up_list(element: HtmlElement) -> bool:
    """A list of a few sentences without links: bullet points over the story."""
    items = [" ".join(item.text_content().split()) for item in element.iterchildren("li")]
    sentences = [item for item in items if len(item) >= _BULLET_CHARACTERS]
    return (
        element.tag == "ul"
        and 0 < len(items) <= _BULLETS
        and len(sentences) == len(items)
        and element.find(".//a") is None
    )


def _after_headline(document: HtmlElement, headlines: Sequence[str]) -> Callable[[Any], bool]:
    """Whether an element comes after the page's headline (its ``<h1>``; any element when the
    page shows none): a standfirst stands under the headline, a promotion above it is none."""
    stated = [words_of(text) for text in headlines if text]
    headline = next(
        (h1 for h1 in document.iter("h1") if any(words_of(h1.text_content()) == w for w in stated)),
        None,
    )
    if headline is None:
        return lambda _element: True
    order = {element: number for number, element in enumerate(document.iter())}
    start = order[headline]
    return lambda element: order.get(element, 0) > start


def _unseen(element: HtmlElement) -> bool:
    """Hidden from readers (``display: none``, ``hidden``): a copy of the headline and the
    description for search engines is no standfirst."""
    for node in (element, *element.iterancestors()):
        style = "".join((node.get("style") or "").split()).lower()
        if "display:none" in style or node.get("hidden") is not None:
            return True
    return False


def _among_other_stories(element: HtmlElement) -> bool:
    return any(
        parent.tag in ("a", "li", "nav", "aside", "footer") for parent in element.iterancestors()
    )


def _stands_apart(element: HtmlElement) -> bool:
    """A block that states the description and is not one of the story's paragraphs: a heading,
    a list, a block in the article's header, or a paragraph without long paragraphs beside it
    (a first paragraph that the description merely repeats stays in the body)."""
    if element.tag not in ("p", "div"):
        return True
    if any(parent.tag == "header" for parent in element.iterancestors()):
        return True
    parent = element.getparent()
    if element.tag == "div" or parent is None:
        return False  # a block of text: the story itself, where a page has no paragraphs
    siblings = [p for p in parent.iterchildren("p") if p is not element]
    return not any(len(p.text_content()) > _PARAGRAPH_CHARACTERS for p in siblings)


def _story_follows(element: HtmlElement) -> bool:
    """Whether a paragraph of the story follows ``element`` (a standfirst is not the story)."""
    later = itertools.chain(
        element.itersiblings(),
        (block for parent in element.iterancestors() for block in parent.itersiblings()),
    )
    return any(_long_paragraphs(block) for block in later if isinstance(block.tag, str))


def _holds_paragraphs(element: HtmlElement) -> bool:
    """A container of the story's paragraphs is no standfirst, whatever its class says."""
    return len(element.findall(".//p")) > 1


_CONTAINER_TAGS = ("div", "section", "article")
_PARAGRAPH_CHARACTERS = 80
_CONTAINER_PARAGRAPHS = 2


def _join_split_story(document: HtmlElement) -> None:
    """Join a story split over several containers of the same class (a page that breaks its
    story into chunks between ads): the later containers' content moves into the first."""
    groups: dict[tuple[str, str], list[HtmlElement]] = {}
    for element in document.iter(*_CONTAINER_TAGS):
        marks = (element.get("class") or "").strip()
        if marks and _long_paragraphs(element) >= _CONTAINER_PARAGRAPHS:
            groups.setdefault((element.tag, marks), []).append(element)
    for members in groups.values():
        members = [m for m in members if not any(o in m.iterancestors() for o in members)]
        if len(members) < 2:
            continue
        first = members[0]
        for later in members[1:]:
            for child in list(later):
                first.append(child)
            later.drop_tree()


def _long_paragraphs(element: HtmlElement) -> int:
    return sum(1 for p in element.iter("p") if len(p.text_content()) > _PARAGRAPH_CHARACTERS)
