"""Turning HTML fragments (feed summaries, CMS exports) into plain text with paragraphs kept."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

# Markup that makes a field HTML rather than plain text that happens to mention a tag. A plain-text
# body quoting "<script>" stays text (and is escaped on display); a body with <p> is HTML.
_HTML_MARKUP = re.compile(
    r"</?(?:p|br|div|span|a|em|strong|b|i|u|ul|ol|li|h[1-6]|blockquote|figure|figcaption|img|"
    r"table|tr|td|th|section|article|header|footer|pre|code|hr|sup|sub|small)\b[^>]*>",
    re.IGNORECASE,
)
_ENTITY = re.compile(r"&(?:[a-zA-Z][a-zA-Z0-9]{1,31}|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});")
_BLOCK_TAGS = frozenset(
    "p div br li ul ol h1 h2 h3 h4 h5 h6 blockquote figure figcaption table tr section article "
    "header footer pre hr dl dt dd".split()
)
_SKIPPED_TAGS = frozenset("script style noscript template iframe object svg head".split())


def looks_like_html(text: str) -> bool:
    return _HTML_MARKUP.search(text) is not None


def html_to_text(text: str) -> str:
    """Plain text of an HTML fragment: scripts dropped, entities decoded, blocks as paragraphs."""
    parser = _TextExtractor()
    parser.feed(text)
    parser.close()
    return normalize_paragraphs("".join(parser.parts))


def field_text(text: str) -> str:
    """A text field as plain text: HTML converted, entities decoded, paragraphs normalized."""
    if looks_like_html(text):
        return html_to_text(text)
    if _ENTITY.search(text):
        text = html.unescape(text)
    return normalize_paragraphs(text)


def normalize_paragraphs(text: str) -> str:
    """Collapse runs of spaces, keep paragraphs (blank-line separated), drop empty ones."""
    paragraphs = re.split(r"\n\s*\n", text.replace("\r\n", "\n"))
    cleaned = (" ".join(p.split()) for p in paragraphs)  # split() takes no-break spaces too
    return "\n\n".join(p for p in cleaned if p)


def single_line(text: str) -> str:
    """Titles, sections and names: one line, single spaces."""
    return " ".join(text.split())


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED_TAGS:
            self._skipping += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_TAGS:
            self._skipping = max(0, self._skipping - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data.replace("\n", " "))
