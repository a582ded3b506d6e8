"""A feed that is not well-formed XML, made readable by lxml's recovering parser.

feedparser reads many broken feeds with its lenient parser, but not one whose own elements carry
a namespace prefix the feed never declares (``<atom:entry>`` without ``xmlns:atom``): it then
finds no items at all. Before lxml's recovering parser reads such a feed, three flaws it cannot
mend on its own are mended: a garbled XML declaration is dropped (the text is already decoded),
unquoted attribute values are quoted (lxml would drop them), and undeclared prefixes are
declared (with their usual namespace where the prefix is a well-known one). The recovered tree
is written out again as well-formed XML for feedparser. A feed whose one item swallows the rest
(an end tag mistyped, an item cut off) is read item by item instead (``items_one_by_one``).
"""

from __future__ import annotations

import re

import lxml.etree

# The namespaces feeds use under their usual prefixes.
USUAL_NAMESPACES = {
    "atom": "http://www.w3.org/2005/Atom",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcterms": "http://purl.org/dc/terms/",
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "media": "http://search.yahoo.com/mrss/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "slash": "http://purl.org/rss/1.0/modules/slash/",
    "sy": "http://purl.org/rss/1.0/modules/syndication/",
    "wfw": "http://wellformedweb.org/CommentAPI/",
    "yandex": "http://news.yandex.ru",
}
_DECLARATION = re.compile(r"^\s*<\?xml[^>]*>")
_START_TAG = re.compile(r"<[A-Za-z_][^<>]*>")
_UNQUOTED_VALUE = re.compile(r"(\s[A-Za-z_][\w:.-]*\s*=\s*)([^\s\"'>][^\s>]*?)(?=\s|/?>)")
_USED_PREFIX = re.compile(r"</?([A-Za-z_][\w.-]*):[A-Za-z_]|\s([A-Za-z_][\w.-]*):[\w.-]+\s*=")
_DECLARED_PREFIX = re.compile(r"xmlns:([A-Za-z_][\w.-]*)\s*=")
_FIRST_ELEMENT = re.compile(r"<(?![?!/])[A-Za-z_][\w:.-]*")
# An item or entry: to its end tag, else to the next one's start, else to the end of the text.
_ITEM = re.compile(
    r"<((?:[A-Za-z_][\w.-]*:)?(?:item|entry))\b[^>]*>.*?(?:</\1\s*>|(?=<(?:[\w.-]+:)?(?:item|entry)\b)|\Z)",
    re.S | re.I,
)


def recovered_feed(text: str) -> bytes:
    """``text`` (a decoded feed) as well-formed UTF-8 XML, as far as it can be recovered
    (b"" when nothing can)."""
    text = _declared_prefixes(_START_TAG.sub(_quoted_values, _DECLARATION.sub("", text)))
    parser = lxml.etree.XMLParser(recover=True, resolve_entities=False, no_network=True)
    try:
        root = lxml.etree.fromstring(text.encode("utf-8"), parser)
    except lxml.etree.XMLSyntaxError:
        return b""
    if root is None:
        return b""
    recovered: bytes = lxml.etree.tostring(root, encoding="utf-8", xml_declaration=True)
    return recovered


def items_one_by_one(text: str) -> list[str]:
    """A feed's items, each as a document of its own: the feed's head (everything before its
    first item: the channel's title, link, language) and the one item; [] when it has none."""
    items = list(_ITEM.finditer(text))
    if not items:
        return []
    head = text[: items[0].start()]
    return [head + item[0] for item in items]


def _quoted_values(tag: re.Match[str]) -> str:
    """A start tag with its unquoted attribute values quoted."""
    return _UNQUOTED_VALUE.sub(lambda value: f'{value[1]}"{value[2]}"', tag[0])


def _declared_prefixes(text: str) -> str:
    """``text`` with every namespace prefix it uses declared on its first element."""
    used = {prefix for pair in _USED_PREFIX.findall(text) for prefix in pair if prefix}
    missing = sorted(used - set(_DECLARED_PREFIX.findall(text)) - {"xml", "xmlns"})
    first = _FIRST_ELEMENT.search(text)
    if not missing or first is None:
        return text
    declarations = "".join(
        f' xmlns:{prefix}="{USUAL_NAMESPACES.get(prefix, f"urn:x-undeclared:{prefix}")}"'
        for prefix in missing
    )
    return text[: first.end()] + declarations + text[first.end() :]
