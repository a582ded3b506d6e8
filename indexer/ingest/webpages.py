"""Reading article pages: saved or fetched HTML, and plain-text saves of a page.

A page holds one story among much that is not the story: navigation, ads, a prompt to comment,
lists of other stories. The body of an HTML page comes from trafilatura, a maintained extraction
library that is good at exactly this; its metadata from what the page says about itself
(``page_metadata``). Both kinds of page are decoded by what their bytes are, since a declared
charset is wrong often enough to matter.
"""

from __future__ import annotations

import codecs
import re
from typing import IO

import charset_normalizer
import lxml.etree
import lxml.html

from indexer.ingest.htmltext import single_line
from indexer.ingest.page_metadata import page_metadata
from indexer.ingest.records import InvalidRecord, RawRecords

# The HTML standard's prescan: the charset a page declares in its first bytes. A pattern over
# bytes, because the markup cannot be parsed before it is decoded.
_DECLARED_CHARSET = re.compile(rb"<meta[^>]*?charset\s*=\s*[\"']?\s*([a-z0-9_.:-]+)", re.I)
_PRESCAN_BYTES = 4096
_BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE, whose mark is its prefix
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Browsers read these declarations as windows-1252 (WHATWG Encoding Standard), and so do we.
_READ_AS_WINDOWS_1252 = frozenset({"ascii", "iso8859-1"})

# Lines that end a story: a notice about comments, or the heading of a list of other stories.
_COMMENT_NOTICE = re.compile(
    r"join the conversation|comment provider|comments? (?:are|is|have been|has been) "
    r"(?:closed|disabled|turned off|switched off)|commenting (?:is|has been) (?:closed|disabled)|"
    r"(?:leave|post|add|write) a comment|be the first to comment|comment(?:ing)? policy|"
    r"(?:sign|log) in to comment|(?:show|view|load|read) (?:all )?comments",
    re.I,
)
_COMMENTS_HEADING = re.compile(r"^\W*(?:\d+\s+)?comments?\W*(?:\d+\W*)?$", re.I)
_OTHER_STORIES_HEADING = re.compile(
    r"^\W*(?:more (?:from|stories|news|on this)|related(?: stories| articles| news| coverage| "
    r"content| posts| links| topics)?|read (?:more|next|also)|also read|you (?:may|might) "
    r"(?:also )?(?:like|be interested)|recommended|trending|most (?:read|popular|viewed|shared)|"
    r"latest (?:news|stories)|top stories|around the web)\b",
    re.I,
)
_SENTENCE_END = tuple(".!?")
_HEADING_MAX_WORDS = 8


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
    metadata = page_metadata(document, location)
    raw = metadata.fields
    body = page_body(text, raw.get("url", ""), raw.get("title", ""), metadata.article_body)
    if body:
        raw["body"] = body
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


def decode_page(data: bytes, sniff_declaration: bool = True) -> str:
    """The text of a page, decoded by what its bytes are: a byte order mark; else a declared
    charset if the bytes decode with it and charset-normalizer finds it plausible; else
    charset-normalizer's best guess. Valid UTF-8 is taken as UTF-8 without asking."""
    for mark, encoding in _BYTE_ORDER_MARKS:
        if data.startswith(mark):
            return data.decode(encoding, errors="replace")
    declared = declared_charset(data) if sniff_declaration else ""
    if data.isascii():
        return data.decode("ascii")
    if declared in ("", "utf-8") and _decodes(data, "utf-8"):
        return data.decode("utf-8")
    guesses = charset_normalizer.from_bytes(data)
    if declared and _decodes(data, declared) and _plausible(declared, data, guesses):
        return data.decode(declared)
    best = guesses.best()
    return str(best) if best is not None else data.decode("utf-8", errors="replace")


def declared_charset(data: bytes) -> str:
    """The codec of the charset a page declares in ``<meta>`` ("" when none or unknown)."""
    found = _DECLARED_CHARSET.search(data[:_PRESCAN_BYTES])
    if not found:
        return ""
    try:
        name = codecs.lookup(found.group(1).decode("ascii")).name
    except LookupError:
        return ""
    if name in _READ_AS_WINDOWS_1252 and _decodes(data, "cp1252"):
        return "cp1252"
    return name


def parse_html(text: str) -> lxml.html.HtmlElement:
    """The page's element tree (from text already decoded: its own declarations are ignored)."""
    parser = lxml.html.HTMLParser(encoding="utf-8")
    return lxml.html.document_fromstring(text.encode("utf-8", errors="replace"), parser=parser)


def page_body(html: str, url: str, title: str, article_body: str) -> str:
    """The story of a page as paragraphs (blank-line separated).

    trafilatura's extraction is preferred: it keeps paragraphs, and JSON-LD ``articleBody`` is
    often one run-on blob or a paywall teaser. ``articleBody`` is used when trafilatura finds
    nothing or less than half as much text (the story is then likely rendered by script).
    """
    import trafilatura  # here, not at the top: it takes longer to import than a search takes

    extracted = trafilatura.extract(
        html,
        url=url or None,
        include_comments=False,
        include_tables=False,
        favor_precision=True,
        output_format="txt",
    )
    paragraphs = story_lines([line.strip() for line in (extracted or "").splitlines()])
    paragraphs = [line for line in paragraphs if line]
    if paragraphs and title and paragraphs[0].casefold() == single_line(title).casefold():
        paragraphs = paragraphs[1:]  # the headline, repeated from its <h1>
    body = "\n\n".join(paragraphs)
    return article_body if len(article_body) > 2 * len(body) else body


def story_lines(lines: list[str]) -> list[str]:
    """``lines`` up to the end of the story: everything from the first comment notice or heading
    of a list of other stories on is left out, as are lines that promote one other story ("Read
    more: ..."). Blank lines are kept; a marker before any story text is ignored."""
    kept: list[str] = []
    has_story = False
    for line in lines:
        text = line.strip()
        if has_story and (is_comment_notice(text) or is_other_stories_heading(text)):
            break
        if not _is_story_promotion(text):
            kept.append(line)
            has_story = has_story or bool(text)
    return kept


def is_comment_notice(line: str) -> bool:
    """A line about commenting on the story ("Comments are closed", "Join the conversation")."""
    mentions_comments = "comment" in line.lower()
    return mentions_comments and bool(_COMMENT_NOTICE.search(line) or _COMMENTS_HEADING.match(line))


def is_other_stories_heading(line: str) -> bool:
    """A short heading over other stories: "More from The Gazette", "Related stories"."""
    return (
        bool(_OTHER_STORIES_HEADING.match(line))
        and len(line.split()) <= _HEADING_MAX_WORDS
        and not line.endswith(_SENTENCE_END)
        and not _is_story_promotion(line)
    )


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


def _is_story_promotion(line: str) -> bool:
    """One line promoting another story: "Read more: Ferry fares rise", "ALSO READ: ..."."""
    heading, colon, rest = line.partition(":")
    return bool(colon and rest.strip()) and bool(_OTHER_STORIES_HEADING.fullmatch(heading))


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
    unfinished = [line for line in inner if not line.endswith((*_SENTENCE_END, '"', "”", ":"))]
    return len(block) > 1 and len(unfinished) * 2 > len(inner)


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def _plausible(encoding: str, data: bytes, guesses: charset_normalizer.CharsetMatches) -> bool:
    """Whether charset-normalizer agrees ``encoding`` could be the page's: it is among the
    encodings its guesses could come from, or decodes to the same text as the best guess."""
    names = {codecs.lookup(name).name for guess in guesses for name in guess.could_be_from_charset}
    best = guesses.best()
    return encoding in names or (best is not None and str(best) == data.decode(encoding))
