"""The one data function behind both renderings of a search: the HTML page and ``/api/search``."""

from __future__ import annotations

import threading

from flask import current_app, request

from indexer.search.requests import SearchRequest
from indexer.search.results import ArticleView, SearchResults
from indexer.search.service import SearchService

SEARCH_SERVICE_KEY = "newsindex.search"
_CREATE_LOCK = threading.Lock()


def search_service() -> SearchService:
    """This worker's search service, created on first use (never at import or in the master)."""
    service = current_app.extensions.get(SEARCH_SERVICE_KEY)
    if service is None:
        with _CREATE_LOCK:
            service = current_app.extensions.get(SEARCH_SERVICE_KEY)
            if service is None:
                settings = current_app.config["NEWSINDEX_SETTINGS"]
                service = SearchService(settings)
                current_app.extensions[SEARCH_SERVICE_KEY] = service
    return service


def search_request() -> SearchRequest:
    """The search asked for by this HTTP request's query string (QueryError when malformed)."""
    accept_language = request.headers.get("Accept-Language", "")
    return SearchRequest.from_params(request.args.to_dict(flat=False), accept_language)


def search_results(search: SearchRequest) -> SearchResults:
    return search_service().search(search)


def article_view(article_id: str) -> ArticleView:
    return search_service().article(article_id, q=request.args.get("q", ""))
