"""The site for browsers and feed readers: the OpenSearch description and Atom feeds of searches.

Both documents are built with ElementTree, so every text and attribute is escaped and the XML is
well-formed whatever the articles hold. Links are passed in by ``pages`` (absolute, from
``url_for``); this module knows the formats, not the routes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from xml.etree import ElementTree

from indexer.search.results import Hit, SearchResults
from webui.display import http_url

ATOM_NS = "http://www.w3.org/2005/Atom"
OPENSEARCH_NS = "http://a9.com/-/spec/opensearch/1.1/"
ATOM_TYPE = "application/atom+xml"
OPENSEARCH_TYPE = "application/opensearchdescription+xml"
SUGGESTIONS_TYPE = "application/x-suggestions+json"
SITE_NAME = "newsindex"
SITE_DESCRIPTION = "Search the newsindex archive of news articles by words, section and date."
# Characters XML 1.0 cannot carry at all, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class FeedLinks:
    """The absolute links a feed of one search needs (on the configured public address)."""

    feed: str  # the feed's first page: its id, whichever page this is
    this: str  # this page of the feed (rel=self)
    page: str  # the same search as an HTML page
    opensearch: str  # the OpenSearch description
    entry_id: Callable[[str], str]  # article id -> the article's one address
    article: Callable[[str], str]  # article id -> the article's page, keeping the search
    story: Callable[[str], str]  # story id -> the page listing the story's articles
    # RFC 5005 paging: the first, previous, next and last pages of the feed (None: no such page)
    paging: dict[str, str | None]


def opensearch_description(
    search_page: str,
    feed: str,
    icons: list[tuple[str, str, int]],
    itself: str,
    suggestions: str = "",
) -> bytes:
    """The OpenSearch 1.1 description: templates for the HTML page, the Atom feed and the
    suggestions as one types (OpenSearch Suggestions 1.0).

    URLs are absolute; ``search_page``, ``feed`` and ``suggestions`` without a query string;
    ``icons`` are (url, type, size) of square raster icons (browsers take PNG or ICO, not
    SVG)."""
    root = ElementTree.Element("OpenSearchDescription", xmlns=OPENSEARCH_NS)
    _add(root, "ShortName", SITE_NAME)
    _add(root, "Description", SITE_DESCRIPTION)
    _add(root, "Tags", "news search archive")
    _add(root, "InputEncoding", "UTF-8")
    _add(root, "OutputEncoding", "UTF-8")
    for url_type, base in (("text/html", search_page), (ATOM_TYPE, feed)):
        template = base + "?q={searchTerms}&page={startPage?}"
        _add(root, "Url", None, type=url_type, template=template)
    _add(root, "Url", None, type=OPENSEARCH_TYPE, rel="self", template=itself)
    if suggestions:
        template = suggestions + "?q={searchTerms}"
        _add(root, "Url", None, type=SUGGESTIONS_TYPE, template=template)
    for url, image_type, size in icons:
        _add(root, "Image", url, type=image_type, width=str(size), height=str(size))
    _add(root, "Query", None, role="example", searchTerms="election")
    return _document(root)


def atom_feed(
    results: SearchResults,
    links: FeedLinks,
    built_at: str,
    section_name: Callable[[str], str] = str,
) -> bytes:
    """The page of ``results`` as an Atom feed with OpenSearch response elements.

    Every date comes from the articles, so the same results give the same bytes, poll after poll:
    ``updated`` is the newest publication date, and ``built_at`` (when the index generation was
    built, 'YYYY-MM-DDTHH:MM:SSZ') stands in for undated articles and an empty feed. Categories
    keep the section as the source wrote it (``term``), labelled by ``section_name``."""
    root = ElementTree.Element("feed", {"xmlns": ATOM_NS, "xmlns:opensearch": OPENSEARCH_NS})
    query = results.query.strip()
    _add(root, "title", f"{SITE_NAME}: {query}" if query else f"{SITE_NAME}: latest articles")
    _add(root, "subtitle", f"{results.total:,} articles, newest first")
    _add(root, "id", links.feed)
    _add(root, "updated", _feed_updated(results.hits, built_at))
    author = _add(root, "author", None)
    _add(author, "name", SITE_NAME)
    _add(root, "link", None, rel="self", type=ATOM_TYPE, href=links.this)
    _add(root, "link", None, rel="alternate", type="text/html", href=links.page)
    _add(root, "link", None, rel="search", type=OPENSEARCH_TYPE, href=links.opensearch)
    for rel, href in links.paging.items():
        if href:
            _add(root, "link", None, rel=rel, type=ATOM_TYPE, href=href)
    _add(root, "opensearch:totalResults", str(results.total))
    _add(root, "opensearch:startIndex", str((results.page - 1) * results.per_page + 1))
    _add(root, "opensearch:itemsPerPage", str(results.per_page))
    _add(
        root,
        "opensearch:Query",
        None,
        role="request",
        searchTerms=query,
        startPage=str(results.page),
    )
    for hit in results.hits:
        _add_entry(root, hit, links, _feed_updated([hit], built_at), section_name)
    return _document(root)


def _add_entry(
    feed: ElementTree.Element,
    hit: Hit,
    links: FeedLinks,
    updated: str,
    section_name: Callable[[str], str],
) -> None:
    entry = _add(feed, "entry", None)
    page = links.article(hit.id)
    _add(entry, "title", hit.title)
    _add(entry, "id", links.entry_id(hit.id))
    _add(entry, "link", None, rel="alternate", type="text/html", href=page)
    original = http_url(hit.url)
    if original:
        _add(entry, "link", None, rel="related", type="text/html", href=original)
    if hit.versions:
        more = f"{hit.versions} more version{'s' if hit.versions != 1 else ''}"
        _add(
            entry,
            "link",
            None,
            rel="related",
            type="text/html",
            href=links.story(hit.story),
            title=more,
        )
    if hit.published:
        _add(entry, "published", hit.published)
    _add(entry, "updated", updated)
    if hit.author:
        author = _add(entry, "author", None)
        _add(author, "name", hit.author)
    if hit.section:
        _add(entry, "category", None, term=hit.section, label=section_name(hit.section))
    _add(entry, "summary", hit.teaser, type="text")


def _feed_updated(hits: list[Hit], built_at: str) -> str:
    """The newest publication date of ``hits``; ``built_at`` when none is dated."""
    return max((hit.published for hit in hits if hit.published), default=built_at)


def _add(
    parent: ElementTree.Element, tag: str, text: str | None, **attributes: str
) -> ElementTree.Element:
    element = ElementTree.SubElement(
        parent, tag, {name: _xml_text(value) for name, value in attributes.items()}
    )
    if text is not None:
        element.text = _xml_text(text)
    return element


def _xml_text(text: str) -> str:
    return _NOT_XML.sub("", text)


def _document(root: ElementTree.Element) -> bytes:
    ElementTree.indent(root)
    document: bytes = ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)
    return document
