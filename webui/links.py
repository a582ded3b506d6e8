"""The URLs the site hands out that carry a search, or that must be absolute.

A reader who opens an article from page 74 of a filtered search, then a related story, and then
"← Results" expects to land on page 74 with the same filters. So every link that leaves the search
page keeps the whole search (``SearchRequest.as_params``: query, sections, dates, sort, page), and
``context_url`` is the one function that builds them: result and related-story links, the way back,
the timeline, facets, pages and the Atom feed's links.

Absolute URLs (feed ids and links, the OpenSearch description, ``rel=canonical``) start with the
configured public address (``NEWSINDEX_BASE_URL``), so nothing the client sends, the Host header
included, decides an id. Without one they fall back to the request's own host.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, request, url_for

from indexer.search.requests import SearchRequest


def search_params(search: SearchRequest, **changes: Any) -> dict[str, Any]:
    """URL parameters of ``search`` with ``changes`` (defaults left out: one URL per state)."""
    return search.as_params(**changes)


def context_url(
    endpoint: str,
    search: SearchRequest,
    *,
    route: dict[str, Any] | None = None,
    external: bool = False,
    **changes: Any,
) -> str:
    """The URL of ``endpoint`` (with its ``route`` values) carrying ``search`` with ``changes``;
    absolute when ``external``."""
    values = {**(route or {}), **search_params(search, **changes)}
    return public_url(endpoint, **values) if external else url_for(endpoint, **values)


def search_url(search: SearchRequest, **changes: Any) -> str:
    """The search page for ``search`` with ``changes``."""
    return context_url("pages.search", search, **changes)


def article_url(article_id: str, search: SearchRequest, *, external: bool = False) -> str:
    """An article's page, keeping the search it was found by (to mark its words and go back)."""
    return context_url("pages.article", search, route={"article_id": article_id}, external=external)


def public_url(endpoint: str, **values: Any) -> str:
    """The absolute URL of ``endpoint``: on the configured public address when there is one,
    else on the host the request came to."""
    base: str = current_app.config["NEWSINDEX_SETTINGS"].base_url
    if not base:
        return url_for(endpoint, _external=True, **values)
    path = url_for(endpoint, **values).removeprefix(request.script_root)
    return base + path
