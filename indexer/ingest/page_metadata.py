"""An article page's metadata: what the page says about itself, best source first.

Publishers describe an article several times over, with varying care: JSON-LD (schema.org, what
search engines read, so usually the most complete), OpenGraph and ``article:`` meta tags (for
social media), plain ``<meta name>`` tags, and the ``<title>``. Each field is taken from the first
of these that has it. Dates and languages are taken from the first that can be read, so a botched
JSON-LD date does not hide a good ``article:published_time``; a date of modification is used only
when no source gives a date of publication.
"""

from __future__ import annotations

import html
import json
import re
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from lxml.html import HtmlElement

from indexer.ingest.articles import parse_published

ARTICLE_TYPES = frozenset(
    "NewsArticle Article ReportageNewsArticle AnalysisNewsArticle OpinionNewsArticle "
    "ReviewNewsArticle BackgroundNewsArticle AskPublicNewsArticle SatiricalArticle BlogPosting "
    "LiveBlogPosting Report".split()
)
DATE_META_NAMES = ("date", "pubdate", "article.published", "dc.date", "dc.date.issued")
TITLE_SEPARATORS = (" | ", " - ", " – ", " — ", " :: ", " · ")
_LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")

Fields = dict[str, Any]


@dataclass
class PageMetadata:
    """The raw article fields a page names (everything but the body), and the JSON-LD
    ``articleBody``, which is only a fallback for the body (see ``webpages.page_body``)."""

    fields: Fields
    article_body: str = ""


def page_metadata(document: HtmlElement, location: str) -> PageMetadata:
    """The metadata of a parsed page; ``location`` is where it came from (a path or URL)."""
    linked = linked_data_article(document)
    meta = meta_values(document)
    site_url = _first(meta.get("og:url")) or _canonical(document) or location
    candidates = [
        fields_from_linked_data(linked),
        fields_from_open_graph(meta),
        fields_from_meta_names(meta),
        {"title": _title_element(document, meta, site_url)},
        {"published": [linked.get("dateModified")]},  # any publication date comes first
    ]
    fields = _first_of_each(candidates)
    fields["published"] = _first_date(candidates)
    fields["language"] = _first_language(linked, document, meta)
    fields["url"] = _absolute(fields.get("url") or _canonical(document) or _web(location), location)
    body = linked.get("articleBody")
    article_body = html.unescape(body) if isinstance(body, str) else ""
    return PageMetadata({name: value for name, value in fields.items() if value}, article_body)


def linked_data_article(document: HtmlElement) -> dict[str, Any]:
    """The first schema.org article object of the page's JSON-LD blocks ({} if none), with
    ``{"@id": ...}`` references (such as Yoast's authors) replaced by the objects they name."""
    nodes = list(_linked_data_nodes(document))
    by_id = {n["@id"]: n for n in nodes if isinstance(n.get("@id"), str) and len(n) > 1}
    for node in nodes:
        if ARTICLE_TYPES & set(_type_names(node)):
            return {key: _resolved(value, by_id) for key, value in node.items()}
    return {}


def fields_from_linked_data(article: dict[str, Any]) -> Fields:
    page = article.get("mainEntityOfPage")
    page_url = page.get("@id") if isinstance(page, dict) else page
    return {
        "title": _text(article.get("headline")) or _text(article.get("name")),
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
        "title": _first(meta.get("og:title")),
        "url": _first(meta.get("og:url")),
        "published": meta.get("article:published_time", []),
        "author": authors,
        "section": _first(meta.get("article:section")),
        "tags": meta.get("article:tag", []),
        "teaser": _first(meta.get("og:description")),
    }


def fields_from_meta_names(meta: dict[str, list[str]]) -> Fields:
    return {
        "published": [date for name in DATE_META_NAMES for date in meta.get(name, [])],
        "author": _first(meta.get("author")),
        "tags": _keywords(_first(meta.get("keywords"))),
        "teaser": _first(meta.get("description")),
    }


def meta_values(document: HtmlElement) -> dict[str, list[str]]:
    """``<meta property|name=... content=...>`` values by lower-cased key, in page order (pages
    put OpenGraph keys in ``name`` as often as in ``property``)."""
    values: dict[str, list[str]] = {}
    for element in document.iter("meta"):
        key = (element.get("property") or element.get("name") or "").strip().lower()
        content = " ".join((element.get("content") or "").split())
        if key and content:
            values.setdefault(key, []).append(content)
    return values


def title_without_site_name(title: str, site_name: str, url: str) -> str:
    """``title`` without a trailing " | Site Name": one equal to og:site_name or the domain, or
    any short part after " | " (a dash may be part of the headline, so it needs the name)."""
    for separator in TITLE_SEPARATORS:
        head, found, tail = title.rpartition(separator)
        if not found or not head.strip():
            continue
        names_site = _site_key(tail) in _site_keys(site_name, url)
        short_suffix = separator == " | " and len(tail.split()) <= 5 and len(tail) <= len(head)
        if names_site or short_suffix:
            return head.strip()
    return title


def _linked_data_nodes(document: HtmlElement) -> Iterator[dict[str, Any]]:
    """Every object of every JSON-LD block: top level, in lists, in ``@graph`` and as
    ``mainEntity``. A block that is not valid JSON is skipped."""
    for script in document.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        try:
            yield from _objects_in(json.loads(script.text_content() or "null"))
        except (json.JSONDecodeError, RecursionError):
            continue


def _objects_in(value: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    if depth > 5:
        return
    if isinstance(value, list):
        for item in value:
            yield from _objects_in(item, depth + 1)
    elif isinstance(value, dict):
        yield value
        for key in ("@graph", "mainEntity"):
            yield from _objects_in(value.get(key), depth + 1)


def _type_names(node: dict[str, Any]) -> list[str]:
    """``@type`` as plain names: "NewsArticle" for "schema:NewsArticle" or a full schema.org URL."""
    types = node.get("@type")
    types = types if isinstance(types, list) else [types]
    return [re.split(r"[/:#]", t)[-1] for t in types if isinstance(t, str)]


def _resolved(value: Any, by_id: dict[str, dict[str, Any]]) -> Any:
    if isinstance(value, list):
        return [_resolved(item, by_id) for item in value]
    if isinstance(value, dict) and set(value) == {"@id"}:
        return by_id.get(value["@id"], value)
    return value


def _text(value: Any) -> str:
    """A JSON-LD text value as plain text (publishers often leave HTML entities in it)."""
    return " ".join(html.unescape(value).split()) if isinstance(value, str) else ""


def _text_list(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [text for text in map(_text, items) if text]


def _names(value: Any) -> list[str]:
    """Author names from a string, a Person or Organization object, or a list of those."""
    items = value if isinstance(value, list) else [value]
    names = [_text(item.get("name") if isinstance(item, dict) else item) for item in items]
    return [name for name in names if name and not _web(name)]


def _keywords(value: Any) -> list[str]:
    """Keywords from a list or a comma-separated string."""
    items = _text_list(value)
    return [word.strip() for item in items for word in item.split(",") if word.strip()]


def _first_of_each(candidates: list[Fields]) -> Fields:
    """Each field from the first candidate that has it (dates are chosen by ``_first_date``)."""
    fields: Fields = {}
    for found in candidates:
        for name, value in found.items():
            if value and name != "published" and not fields.get(name):
                fields[name] = value
    return fields


def _first(values: list[str] | None) -> str:
    return values[0] if values else ""


def _first_date(candidates: list[Fields]) -> str:
    """The first date of the candidates that can be read, else the first one (its warning will
    name it), else none."""
    dates = [d.strip() for c in candidates for d in c.get("published", []) if isinstance(d, str)]
    dates = [date for date in dates if date]
    for date in dates:
        try:
            parse_published(date)
        except ValueError:
            continue
        return date
    return _first(dates)


def _first_language(
    linked: dict[str, Any], document: HtmlElement, meta: dict[str, list[str]]
) -> str:
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


def _title_element(document: HtmlElement, meta: dict[str, list[str]], site_url: str) -> str:
    title = document.find(".//title")
    text = " ".join(title.text_content().split()) if title is not None else ""
    return title_without_site_name(text, _first(meta.get("og:site_name")), site_url)


def _canonical(document: HtmlElement) -> str:
    for link in document.iter("link"):
        if "canonical" in (link.get("rel") or "").lower().split() and link.get("href"):
            return link.get("href").strip()
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


def _site_keys(site_name: str, url: str) -> set[str]:
    """What a site suffix of a title may be: the site's name, or a label of its domain."""
    host = urllib.parse.urlsplit(url).hostname or ""
    labels = {label for label in host.split(".") if label not in ("www", "")}
    keys = {_site_key(site_name)} | {_site_key(label) for label in labels}
    return {key for key in keys if len(key) >= 3}


def _site_key(name: str) -> str:
    """A site name reduced for comparison: "The Coast-Courier" -> "coastcourier"."""
    key = "".join(c for c in name.lower() if c.isalnum())
    return key[3:] if key.startswith("the") and len(key) > 6 else key
