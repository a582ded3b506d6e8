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

import re
from collections.abc import Sequence
from dataclasses import dataclass

from lxml.html import HtmlElement

from indexer.ingest.boilerplate import page_story_lines
from indexer.ingest.titles import words_of

# Classes and ids publishers give the standfirst (English, French, Spanish, Portuguese, ...).
_STANDFIRST_MARK = re.compile(
    r"standfirst|\bdek\b|subline|sub-?title|sub-?head|\blede\b|\bintro\b|chap[oô]|chapeau|"
    r"teaser|excerpt|strapline|\bsapo\b|entradilla|bajada|linha-fina",
    re.I,
)
_STANDFIRST_TAGS = ("p", "h2", "h3", "h4", "div")
_STANDFIRST_LENGTH = (30, 600)
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
    standfirst = _take_standfirst(document, description)
    _join_split_story(document)
    precise = _extracted(document, url, precision=True)
    broad = _extracted(document, url, precision=False)
    chosen = precise if len(precise) >= _PRECISE_SHARE * len(broad) else broad
    lines = page_story_lines(chosen.splitlines(), [*headlines, standfirst], languages)
    body = "\n\n".join(lines)
    if len(article_body) > _JSON_LD_BODY_RATIO * len(body):
        body = article_body
    return Story(body, standfirst)


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


def _take_standfirst(document: HtmlElement, description: str) -> str:
    """The text of the page's standfirst, removed from ``document``; "" when it has none.

    A standfirst is an element marked as one by its class or id, or one that states the page's
    description as a heading or in the article's ``<header>``. A first paragraph of the story
    that the description merely repeats is not one: it stays in the body."""
    described = words_of(description)
    for element in document.iter(*_STANDFIRST_TAGS):
        text = " ".join(element.text_content().split())
        if not _STANDFIRST_LENGTH[0] <= len(text) <= _STANDFIRST_LENGTH[1]:
            continue
        marks = f"{element.get('class', '')} {element.get('id', '')}"
        states_description = bool(described) and words_of(text) == described
        is_heading = element.tag != "p" and element.tag != "div"
        in_header = any(parent.tag == "header" for parent in element.iterancestors())
        if _STANDFIRST_MARK.search(marks) or (states_description and (is_heading or in_header)):
            if not _holds_paragraphs(element):
                element.drop_tree()
                return text
    return ""


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
