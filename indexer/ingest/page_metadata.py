"""An article page's metadata: what the page says about itself, best source first.

Publishers describe an article several times over, with varying care: JSON-LD (schema.org, what
search engines read, so usually the most complete), OpenGraph and ``article:`` meta tags (for
social media), plain ``<meta name>`` tags, and the ``<title>``. Each field is taken from the first
of these that has it. The headline is chosen by evidence (``titles``), the date from the most
exact statement of it (``page_dates``: these, then htmldate, then a visible dateline); a date of
modification is used only when nothing gives a date of publication.

trafilatura's own metadata extraction does the same job less well for an archive: it prefers
``og:title`` (often a shorter social headline) to JSON-LD, keeps site names in titles, and gives
dates without their time (measured on the trap fixtures by ``python -m bench pages``).
"""

from __future__ import annotations

import html
import json
import re
import urllib.parse
from collections.abc import Iterator, Mapping
from copy import deepcopy
from dataclasses import dataclass, field

from lxml.html import HtmlElement

from indexer.ingest.page_authors import author_names, byline_texts, credited_names, editor_names
from indexer.ingest.page_dates import published_date
from indexer.ingest.page_sections import page_section
from indexer.ingest.records import RawArticle
from indexer.ingest.titles import HeadlineStatements, headline, section_in_title

ARTICLE_TYPES = frozenset(
    "NewsArticle Article ReportageNewsArticle AnalysisNewsArticle OpinionNewsArticle "
    "ReviewNewsArticle BackgroundNewsArticle AskPublicNewsArticle SatiricalArticle BlogPosting "
    "LiveBlogPosting Report".split()
)
DATE_META_NAMES = (
    "date", "pubdate", "publishdate", "publish-date", "article.published", "article:published",
    "og:published_time", "og:release_date", "publication_date", "parsely-pub-date",
    "sailthru.date", "dc.date", "dc.date.issued", "dcterms.created", "itemprop:datepublished",
)  # fmt: skip
MODIFIED_META_NAMES = ("article:modified_time", "og:updated_time", "itemprop:datemodified")
AUTHOR_META_NAMES = ("author", "article:author_name", "itemprop:author", "dc.creator",
                     "parsely-author", "sailthru.author", "byl")  # fmt: skip
SITE_NAME_META = ("og:site_name", "application-name", "twitter:site")
# JSON-LD script text is sometimes wrapped for old XHTML parsers: //<![CDATA[ ... //]]>
_CDATA_WRAPPER = re.compile(r"^\s*(?://)?\s*<!\[CDATA\[|(?://)?\s*\]\]>\s*$")
_LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")
# Text for screen readers and search engines only (a logo's text, a heading over buttons).
OFF_SCREEN = re.compile(r"hide-text|visually-?hidden|sr-only|screen-?reader|off-?screen", re.I)
_HIDDEN = re.compile(rf"{OFF_SCREEN.pattern}|\bhidden\b|display:\s*none", re.I)
_KICKER_OR_HIDDEN = re.compile(
    rf"kicker|overline|eyebrow|topline|dachzeile|roofline|keyword|{_HIDDEN.pattern}", re.I
)

Fields = RawArticle
JsonObject = dict[str, object]  # an object of a JSON-LD block


@dataclass
class PageMetadata:
    """The raw article fields a page names (everything but the body), the JSON-LD
    ``articleBody``, which is only a fallback for the body (see ``page_story``), and the
    headline as each source states it (the body must not start with any of them)."""

    fields: Fields
    article_body: str = ""
    headlines: list[str] = field(default_factory=list)  # every statement of the headline


def page_metadata(document: HtmlElement, location: str) -> PageMetadata:
    """The metadata of a parsed page; ``location`` is where it came from (a path or URL)."""
    linked = linked_data_article(document)
    meta = meta_values(document)
    meta.setdefault("itemprop:datepublished", []).extend(_microdata_dates(document))
    candidates = [fields_from_linked_data(linked), fields_from_open_graph(meta),
                  fields_from_meta_names(meta)]  # fmt: skip
    fields = _first_of_each(candidates)
    fields["language"] = _first_language(linked, document, meta)
    fields["url"] = _absolute(fields.get("url") or _canonical(document) or _web(location), location)
    statements = _headline_statements(document, linked, meta, fields["url"])
    fields["title"] = headline(statements)
    stated_authors = fields.get("author") or []
    stated_authors = [stated_authors] if isinstance(stated_authors, str) else stated_authors
    fields["author"] = page_authors(document, stated_authors, statements)
    nodes = _linked_data_nodes(document)
    fields["section"] = page_section(
        document, nodes, [fields["title"]], fields.get("section", "")
    ) or section_in_title(statements, fields["title"])
    stated = [date for found in candidates for date in found.get("published", [])]
    modified = [linked.get("dateModified"), *_meta_list(meta, MODIFIED_META_NAMES)]
    fields["published"] = published_date(
        document, _strings(stated), _strings(modified), [fields["language"]]
    )
    body = linked.get("articleBody")
    article_body = html.unescape(body) if isinstance(body, str) else ""
    headlines = [fields["title"], statements.linked_data, *statements.social,
                 statements.title_element, *statements.h1s]  # fmt: skip
    kept = {name: value for name, value in fields.items() if value}
    return PageMetadata(kept, article_body, [text for text in headlines if text])


def page_authors(
    document: HtmlElement, stated: list[str], statements: HeadlineStatements
) -> list[str]:
    """The people the metadata names, but not the editors the page credits as such; else those
    its byline names; else those a credit in its text names (``page_authors``)."""
    editors = set(editor_names(statements.page_text))
    for texts in (stated, byline_texts(document)):
        named = [name for name in author_names(texts, statements.site_names)
                 if name not in editors and not editor_names(name)]  # fmt: skip
        if named:
            return named
    return credited_names(statements.page_text)


def linked_data_article(document: HtmlElement) -> JsonObject:
    """The first schema.org article object of the page's JSON-LD blocks ({} if none), with
    ``{"@id": ...}`` references (such as Yoast's authors) replaced by the objects they name."""
    nodes = list(_linked_data_nodes(document))
    by_id = {n["@id"]: n for n in nodes if isinstance(n.get("@id"), str) and len(n) > 1}
    for node in nodes:
        if ARTICLE_TYPES & set(_type_names(node)):
            return {key: _resolved(value, by_id) for key, value in node.items()}
    return {}


def fields_from_linked_data(article: JsonObject) -> Fields:
    page = article.get("mainEntityOfPage")
    page_url = page.get("@id") if isinstance(page, dict) else page
    return {
        "url": _text(article.get("url")) or _text(page_url),
        "published": [article.get("datePublished")],
        "author": _names(article.get("author")),
        "section": _first(_text_list(article.get("articleSection"))),
        "tags": _keywords(article.get("keywords")),
        "teaser": _text(article.get("description")),
    }


def fields_from_open_graph(meta: dict[str, list[str]]) -> Fields:
    authors = [a for a in meta.get("article:author", []) if not _web(a)]  # often a profile URL
    return {
        "url": _first(meta.get("og:url")),
        "published": meta.get("article:published_time", []),
        "author": authors,
        "section": _first(_meta_list(meta, ("article:section", "og:article:section"))),
        "tags": meta.get("article:tag", []),
        "teaser": _first(meta.get("og:description")),
    }


def fields_from_meta_names(meta: dict[str, list[str]]) -> Fields:
    return {
        "published": _meta_list(meta, DATE_META_NAMES),
        "author": _meta_list(meta, AUTHOR_META_NAMES)[:1],
        "tags": _keywords(_first(meta.get("keywords"))),
        "teaser": _first(meta.get("description")),
    }


def meta_values(document: HtmlElement) -> dict[str, list[str]]:
    """``<meta property|name=... content=...>`` values by lower-cased key, in page order (pages
    put OpenGraph keys in ``name`` as often as in ``property``); microdata ``<meta itemprop>``
    as "itemprop:name"."""
    values: dict[str, list[str]] = {}
    for element in document.iter("meta"):
        itemprop = element.get("itemprop")
        key = (element.get("property") or element.get("name") or "").strip().lower()
        key = key or (f"itemprop:{itemprop.strip().lower()}" if itemprop else "")
        content = " ".join((element.get("content") or "").split())
        if key and content:
            values.setdefault(key, []).append(content)
    return values


def _microdata_dates(document: HtmlElement) -> list[str]:
    """The dates of elements other than ``<meta>`` marked ``itemprop="datePublished"`` (a
    ``<time>`` or ``<span>``): their ``content`` or ``datetime``, else their text."""
    found = []
    for element in document.xpath("//*[@itemprop]"):
        if element.tag == "meta" or element.get("itemprop", "").strip() != "datePublished":
            continue
        value = element.get("content") or element.get("datetime") or element.text_content()
        found.append(" ".join(value.split()))
    return [value for value in found if value]


def _linked_data_nodes(document: HtmlElement) -> Iterator[JsonObject]:
    """Every object of every JSON-LD block: top level, in lists, in ``@graph`` and as
    ``mainEntity``. A block that is not valid JSON is skipped."""
    for script in document.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        try:
            text = _CDATA_WRAPPER.sub("", script.text_content() or "")
            yield from _objects_in(json.loads(text or "null"))
        except (json.JSONDecodeError, RecursionError):
            continue


def _objects_in(value: object, depth: int = 0) -> Iterator[JsonObject]:
    if depth > 5:
        return
    if isinstance(value, list):
        for item in value:
            yield from _objects_in(item, depth + 1)
    elif isinstance(value, dict):
        yield value
        for key in ("@graph", "mainEntity"):
            yield from _objects_in(value.get(key), depth + 1)


def _type_names(node: JsonObject) -> list[str]:
    """``@type`` as plain names: "NewsArticle" for "schema:NewsArticle" or a full schema.org URL."""
    types = node.get("@type")
    types = types if isinstance(types, list) else [types]
    return [re.split(r"[/:#]", t)[-1] for t in types if isinstance(t, str)]


def _resolved(value: object, by_id: Mapping[object, JsonObject]) -> object:
    if isinstance(value, list):
        return [_resolved(item, by_id) for item in value]
    if isinstance(value, dict) and set(value) == {"@id"}:
        return by_id.get(value["@id"], value)
    return value


def _text(value: object) -> str:
    """A JSON-LD text value as plain text (publishers often leave HTML entities in it)."""
    return " ".join(html.unescape(value).split()) if isinstance(value, str) else ""


def _text_list(value: object) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [text for text in map(_text, items) if text]


def _names(value: object) -> list[str]:
    """Author names from a string, a Person or Organization object, or a list of those."""
    items = value if isinstance(value, list) else [value]
    names = [_text(item.get("name") if isinstance(item, dict) else item) for item in items]
    return [name for name in names if name and not _web(name)]


def _keywords(value: object) -> list[str]:
    """Keywords from a list or a comma-separated string."""
    items = _text_list(value)
    return [word.strip() for item in items for word in item.split(",") if word.strip()]


def _first_of_each(candidates: list[Fields]) -> Fields:
    """Each field from the first candidate that has it (dates: ``page_dates.published_date``)."""
    fields: Fields = {}
    for found in candidates:
        for name, value in found.items():
            if value and name != "published" and not fields.get(name):
                fields[name] = value
    return fields


def _first(values: list[str] | None) -> str:
    return values[0] if values else ""


def _first_language(linked: JsonObject, document: HtmlElement, meta: dict[str, list[str]]) -> str:
    """JSON-LD ``inLanguage``, else ``<html lang>``, else og:locale ("en_GB" -> "en-GB")."""
    in_language = linked.get("inLanguage")
    if isinstance(in_language, dict):
        in_language = in_language.get("alternateName")
    candidates = [in_language, document.get("lang"), document.get("xml:lang")]
    candidates += [locale.replace("_", "-") for locale in meta.get("og:locale", [])]
    for candidate in candidates:
        if isinstance(candidate, str) and _LANGUAGE_TAG.match(candidate.strip()):
            return candidate.strip()
    return ""


def _headline_statements(
    document: HtmlElement, linked: JsonObject, meta: dict[str, list[str]], url: str
) -> HeadlineStatements:
    title = document.find(".//title")
    body = document.find("body")
    publisher = linked.get("publisher")
    publisher_name = publisher.get("name") if isinstance(publisher, dict) else None
    site_names = [*_meta_list(meta, SITE_NAME_META), *_strings([publisher_name])]
    urls = [url, _first(meta.get("og:url")), _canonical(document)]
    return HeadlineStatements(
        linked_data=_text(linked.get("headline")) or _text(linked.get("name")),
        social=_meta_list(meta, ("og:title", "twitter:title"))[:2],
        title_element=title.text_content() if title is not None else "",
        h1s=[heading_text(h1) for h1 in document.iter("h1") if not _hidden_or_linked(h1)],
        site_names=[name.lstrip("@") for name in site_names],
        urls=[u for u in urls if _web(u)],
        page_text=body.text_content() if body is not None else "",
    )


def heading_text(heading: HtmlElement) -> str:
    """A heading's text without its kicker (a label shown above the headline, which the markup
    may join to it) and without text hidden from sight (kept for screen readers)."""
    copy = deepcopy(heading)
    for child in list(copy.iterdescendants()):
        if _KICKER_OR_HIDDEN.search(f"{child.get('class', '')} {child.get('id', '')}"):
            child.drop_tree()
    text: str = copy.text_content()
    return text


def _hidden_or_linked(heading: HtmlElement) -> bool:
    """A heading hidden from sight (a logo's text for search engines), or one that is a link
    to another story or sits in a list of them."""
    marks = f"{heading.get('class', '')} {heading.get('style', '')}"
    if _HIDDEN.search(marks):
        return True
    return any(parent.tag in ("a", "li", "aside", "nav") for parent in heading.iterancestors())


def _meta_list(meta: dict[str, list[str]], names: tuple[str, ...]) -> list[str]:
    return [value for name in names for value in meta.get(name, [])]


def _strings(values: list[object]) -> list[str]:
    return [value.strip() for value in values if isinstance(value, str) and value.strip()]


def _canonical(document: HtmlElement) -> str:
    for link in document.iter("link"):
        if "canonical" in (link.get("rel") or "").lower().split() and link.get("href"):
            href: str = link.get("href").strip()
            return href
    return ""


def _absolute(url: str, location: str) -> str:
    """``url`` resolved against the page's web address; a relative one in a saved file leads
    nowhere, so it is left out."""
    if not url or urllib.parse.urlsplit(url).scheme:
        return url
    return urllib.parse.urljoin(location, url) if _web(location) else ""


def _web(location: str) -> str:
    """``location`` if it is an http(s) URL, else ""."""
    return location if location.startswith(("http://", "https://")) else ""
