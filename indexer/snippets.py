"""Highlighted snippets: the matched words in ``<mark>``, every other character HTML-escaped.

Article text is untrusted, so these functions are the only place that produces HTML from it, and the
only markup they produce is ``<mark>``.
"""

from __future__ import annotations

import re
from html import escape
from typing import Any

from whoosh import highlight

SNIPPET_CHARS = 220  # the length of one fragment around the matches
SNIPPET_FRAGMENTS = 2
ANALYSED_CHARS = 20_000  # how far into a long body matches are looked for
_WHITESPACE = re.compile(r"\s+")


class MarkFormatter(highlight.Formatter):
    """Fragments joined by an ellipsis, matches in <mark>, everything else escaped."""

    def format(self, fragments: list[Any], replace: bool = False) -> str:
        if not fragments:
            return ""
        parts = [self.format_fragment(fragment, replace) for fragment in fragments]
        lead = "… " if fragments[0].startchar > 0 else ""
        last = fragments[-1]
        tail = " …" if last.endchar < len(last.text.rstrip()) else ""
        return lead + " … ".join(parts) + tail

    def format_fragment(self, fragment: Any, replace: bool = False) -> str:
        text = fragment.text
        parts = []
        index = fragment.startchar
        for token in fragment.matches:
            if token.startchar < index:
                continue
            parts.append(_plain(text[index : token.startchar]))
            parts.append(f"<mark>{_plain(text[token.startchar : token.endchar])}</mark>")
            index = token.endchar
        parts.append(_plain(text[index : fragment.endchar]))
        return "".join(parts).strip()


def _plain(text: str) -> str:
    """Escaped, with paragraph breaks folded into spaces (a snippet is one line)."""
    return escape(_WHITESPACE.sub(" ", text))


_SNIPPETS = highlight.Highlighter(
    fragmenter=highlight.ContextFragmenter(
        maxchars=SNIPPET_CHARS, surround=SNIPPET_CHARS // 3, charlimit=ANALYSED_CHARS
    ),
    formatter=MarkFormatter(),
)
_WHOLE = highlight.Highlighter(
    fragmenter=highlight.WholeFragmenter(charlimit=None), formatter=MarkFormatter()
)


def title_html(hit: Any) -> str:
    """The whole headline, its matched words marked."""
    return _WHOLE.highlight_hit(hit, "title", minscore=1) or escape(hit.get("title", ""))


def snippet_html(hit: Any) -> str:
    """Fragments of the body around the matches, else the teaser (marked where it matches)."""
    if hit.get("body"):
        found = _SNIPPETS.highlight_hit(hit, "body", top=SNIPPET_FRAGMENTS, minscore=1)
        if found:
            return found
    teaser = hit.get("teaser", "")
    return _WHOLE.highlight_hit(hit, "teaser", text=teaser, minscore=1) or escape(teaser)


def marked_text_html(text: str, terms: set[str], analyzer: Any) -> str:
    """All of ``text`` escaped, with the words whose analysed form is in ``terms`` marked."""
    if not terms:
        return escape(text)
    fragmenter = highlight.WholeFragmenter(charlimit=None)
    return highlight.highlight(
        text, terms, analyzer, fragmenter, MarkFormatter(), top=1, minscore=1, mode="index"
    ) or escape(text)
