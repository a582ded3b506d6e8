"""The HTML side of the site: the search page, article pages, the OpenSearch description and
Atom feeds of searches.

The search page and the feed get their results from the same data functions as ``/api/search``
(``webui.search_data``), with the same parsed request. Errors go to the app's one error boundary
(``webui.errors``), except that a search that cannot be read is answered by the search page itself,
with the reason and a way on (status 400).
"""

from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, Response, current_app, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from indexer.errors import QueryError
from indexer.search.requests import DEFAULT_PER_PAGE, MAX_RESULT_DEPTH, SearchRequest
from indexer.search.results import SearchResults, publisher_of
from webui import display, feeds
from webui.article_page import build_article_page
from webui.assets import asset_url
from webui.links import article_url, context_url, public_url
from webui.search_data import (
    article_view,
    generation_built_at,
    newest_published,
    search_context,
    search_request,
    search_results,
)
from webui.search_page import build_search_page

blueprint = Blueprint("pages", __name__)
FEED_ENTRIES = 20  # a feed's length unless the request gives per_page
FEED_MAX_AGE = 300  # seconds a feed reader or proxy may keep a feed without asking again


@blueprint.app_template_filter("news_date")
def _news_date(published: str | None) -> str:
    return display.news_date(published)


@blueprint.app_template_filter("section_name")
def section_name(section: str) -> str:
    """A section as readers see it (``[web.section_names]``, else a capital first letter)."""
    return display.section_name(section, current_app.config["NEWSINDEX_SETTINGS"].section_names)


@blueprint.app_template_filter("thousands")
def _thousands(number: int) -> str:
    return display.thousands(number)


@blueprint.app_template_filter("publisher")
def _publisher(url: str) -> str:
    """Who published an article, as its address says (a story's versions tell them apart)."""
    return publisher_of(url)


@blueprint.app_template_filter("counted")
def _counted(number: int, noun: str) -> str:
    return display.counted(number, noun)


@blueprint.app_template_filter("language_attributes")
def _language_attributes(language: str | None) -> str:
    return display.language_attributes(language)


@blueprint.app_template_filter("http_url")
def _http_url(url: str | None) -> str | None:
    return display.http_url(url)


@blueprint.get("/")
def search() -> str | tuple[str, int]:
    try:
        parsed = search_request()
        results = search_results(parsed)
    except QueryError as error:
        return unreadable_search(str(error))
    names = current_app.config["NEWSINDEX_SETTINGS"].section_names
    page = build_search_page(parsed, results, names, newest_published(results))
    return render_template("search.html", page=page)


def unreadable_search(reason: str) -> tuple[str, int]:
    """The search page for a query or parameter that cannot be read: why, and a way on."""
    query = request.args.get("q", "")
    retry_url = url_for("pages.search", q=query) if query and _query_alone_differs() else None
    html = render_template("search.html", page=None, problem=reason, query=query, retry=retry_url)
    return html, 400


def _query_alone_differs() -> bool:
    """Whether the request has parameters other than ``q`` (then the query alone may work)."""
    return any(name != "q" for name in request.args)


@blueprint.get("/article/<path:article_id>")
def article(article_id: str) -> str:
    page = build_article_page(article_view(article_id), search_context())
    return render_template("article.html", page=page, query=page.query)


@blueprint.get("/search.atom")
def search_feed() -> BaseResponse:
    parsed = search_request()
    per_page = parsed.per_page if "per_page" in request.args else FEED_ENTRIES
    page = min(parsed.page, MAX_RESULT_DEPTH // per_page)
    results = search_results(replace(parsed, sort="newest", per_page=per_page, page=page))
    links = _feed_links(parsed, per_page, results)
    body = feeds.atom_feed(results, links, generation_built_at(), section_name)
    response = Response(body, mimetype=feeds.ATOM_TYPE)
    response.cache_control.public = True
    response.cache_control.max_age = FEED_MAX_AGE
    # The same results give the same bytes, so the same tag; weak, as it stands for the feed
    # gzipped or not.
    response.add_etag(weak=True)
    return response.make_conditional(request)


def _feed_links(asked: SearchRequest, per_page: int, results: SearchResults) -> feeds.FeedLinks:
    """The feed's absolute links. Every one keeps the search as it was asked (the feed's own
    order and length aside), so an entry's page leads back to that search."""
    search = replace(asked, sort="relevance", page=1, per_page=DEFAULT_PER_PAGE)
    last = max(1, min(results.pages, MAX_RESULT_DEPTH // per_page))
    length = {"per_page": per_page} if per_page != FEED_ENTRIES else {}

    def feed_page(number: int) -> str | None:
        if not 1 <= number <= last:
            return None
        return context_url("pages.search_feed", search, route=length, external=True, page=number)

    return feeds.FeedLinks(
        feed=feed_page(1) or "",
        this=feed_page(min(results.page, last)) or "",
        page=context_url("pages.search", search, external=True),
        opensearch=public_url("pages.opensearch"),
        entry_id=lambda article_id: public_url("pages.article", article_id=article_id),
        article=lambda article_id: article_url(article_id, search, external=True),
        story=lambda story: public_url("pages.search", story=story),
        paging={
            "first": feed_page(1),
            "previous": feed_page(results.page - 1),
            "next": feed_page(results.page + 1),
            "last": feed_page(last),
        },
    )


@blueprint.get("/opensearch.xml")
def opensearch() -> Response:
    document = feeds.opensearch_description(
        search_page=public_url("pages.search"),
        feed=public_url("pages.search_feed"),
        icons=[
            (asset_url("icon-64.png", external=True), "image/png", 64),
            (public_url("assets.favicon"), "image/x-icon", 16),
        ],
        itself=public_url("pages.opensearch"),
        suggestions=public_url("suggestions.suggest"),
    )
    return Response(document, mimetype=feeds.OPENSEARCH_TYPE)
