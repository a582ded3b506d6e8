"""One error boundary for the web app: a JSON error under /api/, a friendly page elsewhere.

Never a traceback and never a 500 for anything a user sends: bad parameters and unreadable queries
are 400, unknown articles 404, a missing or unreadable index 503.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from indexer.errors import (
    ArticleNotFoundError,
    IndexMissingError,
    NewsindexError,
    QueryError,
    SchemaMismatchError,
    SearchTimeoutError,
)

STATUS_OF = {
    QueryError: 400,
    SearchTimeoutError: 400,
    ArticleNotFoundError: 404,
    IndexMissingError: 503,
    SchemaMismatchError: 503,
}
log = logging.getLogger(__name__)

ErrorReply = tuple[Response, int] | tuple[str, int]  # the JSON error, or the error page


def register(app: Flask) -> None:
    app.register_error_handler(NewsindexError, _domain_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected_error)


def error_response(status: int, code: str, message: str) -> ErrorReply:
    if _wants_json():
        return jsonify({"error": {"code": code, "message": message}}), status
    return render_template("error.html", status=status, message=message), status


def _domain_error(error: NewsindexError) -> ErrorReply:
    status = next((s for kind, s in STATUS_OF.items() if isinstance(error, kind)), 503)
    return error_response(status, error.code, str(error))


def _http_error(error: HTTPException) -> ErrorReply:
    code = (error.name or "error").lower().replace(" ", "_")
    return error_response(error.code or 500, code, error.description or error.name)


def _unexpected_error(error: Exception) -> ErrorReply:
    log.exception("unexpected error serving %s", request.path)
    return error_response(500, "internal", "something went wrong on our side; please try again")


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path in ("/healthz", "/suggest")
