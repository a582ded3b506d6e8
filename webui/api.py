"""The JSON API for scripts: ``/api/search``, ``/api/articles/<id>``, ``/healthz`` and the OpenAPI
document that describes them."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from indexer.errors import IndexMissingError, SchemaMismatchError
from webui.openapi import openapi_document
from webui.search_data import article_view, search_request, search_results, search_service

blueprint = Blueprint("api", __name__)


@blueprint.route("/api/search", methods=["GET", "POST"])
def search() -> Response:
    return jsonify(search_results(search_request()).as_json())


@blueprint.get("/api/articles/<path:article_id>")
def article(article_id: str) -> Response:
    return jsonify(article_view(article_id).as_json())


@blueprint.get("/api/openapi.json")
def openapi() -> Response:
    return jsonify(openapi_document())


@blueprint.get("/healthz")
def health() -> Response | tuple[Response, int]:
    try:
        return jsonify(search_service().health())
    except (IndexMissingError, SchemaMismatchError) as exc:
        error = {"code": exc.code, "message": str(exc)}
        body = {"status": "unavailable", "generation": None, "articles": 0, "error": error}
        return jsonify(body), 503
