"""The HTML side of the site: the search page, article pages, the OpenSearch description and
Atom feeds of searches.

The search page and the feed get their results from the same data functions as ``/api/search``
(``webui.search_data``), with the same parsed request. Errors go to the app's one error boundary
(``webui.errors``), except that a search that cannot be read is answered by the search page itself,
with the reason and a way on (status 400).
"""

from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, Response, render_template, request, url_for

from indexer.errors import QueryError
from indexer.search.requests import MAX_RESULT_DEPTH
from indexer.search.results import ArticleView
from webui import display, feeds
from webui.search_data import article_view, search_request, search_results
from webui.search_page import build_search_page, search_params

blueprint = Blueprint("pages", __name__)
FEED_ENTRIES = 20  # a feed's length unless the request gives per_page


@blueprint.app_template_filter("news_date")
def _news_date(published: str | None) -> str:
    return display.news_date(published)


@blueprint.app_template_filter("thousands")
def _thousands(number: int) -> str:
    return display.thousands(number)


@blueprint.app_template_filter("took")
def _took(milliseconds: float) -> str:
    return display.took_label(milliseconds)


@blueprint.app_template_filter("language_attributes")
def _language_attributes(language: str | None) -> str:
    return display.language_attributes(language)


@blueprint.app_template_filter("http_url")
def _http_url(url: str | None) -> str | None:
    return display.http_url(url)


@blueprint.get("/")
def search():
    try:
        parsed = search_request()
        results = search_results(parsed)
    except QueryError as error:
        return unreadable_search(str(error))
    return render_template("search.html", page=build_search_page(parsed, results))


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
def article(article_id: str):
    view = article_view(article_id)
    query = request.args.get("q", "").strip()
    return render_template(
        "article.html",
        article=view,
        query=query,
        standfirst=standfirst(view),
        back_url=url_for("pages.search", q=query) if query else None,
    )


def standfirst(view: ArticleView) -> str:
    """The teaser shown above the text, unless it is just the opening of the text itself."""
    teaser = view.teaser.strip()
    if not view.body or not teaser or view.body.startswith(teaser.rstrip("…").rstrip()):
        return ""
    return teaser


@blueprint.get("/search.atom")
def search_feed():
    parsed = search_request()
    per_page = parsed.per_page if "per_page" in request.args else FEED_ENTRIES
    page = min(parsed.page, MAX_RESULT_DEPTH // per_page)
    results = search_results(replace(parsed, sort="newest", per_page=per_page, page=page))
    params = search_params(parsed, sort="", page="")
    links = feeds.FeedLinks(
        feed=url_for("pages.search_feed", _external=True, **search_params(parsed, sort="")),
        page=url_for("pages.search", _external=True, **params),
        opensearch=url_for("pages.opensearch", _external=True),
        article=lambda article_id: url_for("pages.article", article_id=article_id, _external=True),
    )
    return Response(feeds.atom_feed(results, links), mimetype=feeds.ATOM_TYPE)


@blueprint.get("/opensearch.xml")
def opensearch():
    document = feeds.opensearch_description(
        search_page=url_for("pages.search", _external=True),
        feed=url_for("pages.search_feed", _external=True),
        icon=url_for("static", filename="icon.svg", _external=True),
        itself=url_for("pages.opensearch", _external=True),
    )
    return Response(document, mimetype=feeds.OPENSEARCH_TYPE)
