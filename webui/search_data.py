"""The one data function behind both renderings of a search: the HTML page and ``/api/search``."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime

from flask import current_app, g, request

from indexer.errors import QueryError
from indexer.search.requests import SearchRequest
from indexer.search.results import ArticleView, SearchResults
from indexer.search.service import SearchService
from webui.dates import iso_date_param

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
    """The search asked for by this HTTP request's query string, and by its form body when it
    is a POST (a text too long for a URL); QueryError when malformed. Dates may be written as
    readers write them ('1 Mar 1987', 'Mar 1987', '1987')."""
    params = request.args.to_dict(flat=False)
    if request.method == "POST":
        params.update(request.form.to_dict(flat=False))
    for name in ("from", "to"):
        if params.get(name):
            params[name] = [iso_date_param(params[name][-1], name)]
    accept_language = request.headers.get("Accept-Language", "")  # preferred languages
    return SearchRequest.from_params(params, accept_language)


def search_context() -> SearchRequest:
    """The search a page was reached from (article links carry it); none when it is unreadable:
    a stale or edited link still opens the article."""
    try:
        return search_request()
    except QueryError:
        return SearchRequest()


def search_results(search: SearchRequest) -> SearchResults:
    """The results of ``search`` (when nothing matches, those of the spelling suggested,
    marked ``corrected``, unless ``autocorrect`` is off: ``SearchService.search``)."""
    results = search_service().search(search)
    g.search_results = results  # this request's search, for the metrics (webui.metrics)
    return results


def article_view(article_id: str) -> ArticleView:
    return search_service().article(article_id, q=request.args.get("q", ""))


def generation_built_at() -> str:
    """When the index generation being served was built, as 'YYYY-MM-DDTHH:MM:SSZ' (UTC)."""
    built = datetime.fromisoformat(search_service().health()["built_at"])
    return built.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def newest_published(results: SearchResults) -> date | None:
    """The day of the newest article in the index (the present of an archive), which the
    results carry from the index's table of dates; None when no article is dated."""
    published = results.newest_published
    return date.fromisoformat(published[:10]) if published else None
