"""Reading article pages: saved or fetched HTML, and plain-text saves of a page.

A page holds one story among much that is not the story: navigation, ads, a prompt to comment,
lists of other stories. The body of an HTML page comes from trafilatura, a maintained extraction
library that is good at exactly this (``page_story``); its metadata from what the page says about
itself (``page_metadata``). A date in the future or before 1800 is dropped with a warning. Both
kinds of page are decoded by what their bytes are, since a declared charset is wrong often
enough to matter.
"""

from __future__ import annotations

from typing import IO

import lxml.etree
import lxml.html

from indexer.ingest.boilerplate import SENTENCE_END, story_lines
from indexer.ingest.charsets import decode_page
from indexer.ingest.dates import implausible
from indexer.ingest.htmltext import single_line
from indexer.ingest.page_metadata import page_metadata
from indexer.ingest.page_story import page_story
from indexer.ingest.records import InvalidRecord, RawRecords, ReadWarning


def read_html_page(stream: IO[bytes], location: str = "") -> RawRecords:
    """The article of an HTML page: its metadata, and its story as the body ("page")."""
    text = decode_page(stream.read())
    if not text.strip():
        yield "page", InvalidRecord("the page is empty")
        return
    try:
        document = parse_html(text)
    except (lxml.etree.ParserError, ValueError) as exc:
        yield "page", InvalidRecord(f"not a readable HTML page ({exc})")
        return
    drop_ruby_readings(document)
    metadata = page_metadata(document, location)
    raw = metadata.fields
    languages = [raw.get("language", "")]
    story = page_story(document, raw.get("url", ""), metadata.headlines, raw.get("teaser", ""),
                       metadata.article_body, languages)  # fmt: skip
    if story.standfirst:
        raw["teaser"] = story.standfirst
    if story.body:
        raw["body"] = story.body
    problem = implausible(raw.get("published", ""))
    if problem:
        yield "page", ReadWarning(f"field 'published': {problem}; field dropped")
        del raw["published"]
    yield "page", raw


def read_text_page(stream: IO[bytes], location: str = "") -> RawRecords:
    """A page saved as plain text: the first line is the headline, the rest the story, up to
    what follows the story on the page (see ``story_lines``)."""
    lines = decode_page(stream.read(), sniff_declaration=False).splitlines()
    starts = [number for number, line in enumerate(lines) if line.strip()]
    if not starts:
        yield "page", InvalidRecord("the page is empty")
        return
    raw = {"title": single_line(lines[starts[0]])}
    body = "\n\n".join(text_paragraphs(story_lines(lines[starts[0] + 1 :])))
    if body:
        raw["body"] = body
    if location.startswith(("http://", "https://")):
        raw["url"] = location
    yield "page", raw


def parse_html(text: str) -> lxml.html.HtmlElement:
    """The page's element tree (from text already decoded: its own declarations are ignored),
    without comments and processing instructions, as trafilatura parses pages: with comments
    left in, its extraction of the same page loses text."""
    parser = lxml.html.HTMLParser(
        encoding="utf-8", remove_comments=True, remove_pis=True, collect_ids=False
    )
    return lxml.html.document_fromstring(text.encode("utf-8", errors="replace"), parser=parser)


def drop_ruby_readings(document: lxml.html.HtmlElement) -> None:
    """Remove ``<rt>`` and ``<rp>``: the readings set over Japanese or Chinese characters are
    annotations, and their text must not run into the words they annotate."""
    for reading in list(document.iter("rt", "rp")):
        reading.drop_tree()


def text_paragraphs(lines: list[str]) -> list[str]:
    """Paragraphs of plain text: each line is one, unless a blank-line separated block is
    hard-wrapped (its lines break mid-sentence), when the whole block is one."""
    paragraphs: list[str] = []
    for block in _blocks(lines):
        if _is_hard_wrapped(block):
            paragraphs.append(single_line(" ".join(block)))
        else:
            paragraphs.extend(single_line(line) for line in block)
    return paragraphs


def _blocks(lines: list[str]) -> list[list[str]]:
    blocks: list[list[str]] = [[]]
    for line in lines:
        if line.strip():
            blocks[-1].append(line.strip())
        elif blocks[-1]:
            blocks.append([])
    return [block for block in blocks if block]


def _is_hard_wrapped(block: list[str]) -> bool:
    inner = block[:-1]
    unfinished = [line for line in inner if not line.endswith((*SENTENCE_END, '"', "”", ":"))]
    return len(block) > 1 and len(unfinished) * 2 > len(inner)
