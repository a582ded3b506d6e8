"""``/suggest``: completions of what a reader is typing, in the OpenSearch Suggestions format
(``["PREFIX", ["completion", ...]]``, ``application/x-suggestions+json``) that browsers ask a
site's OpenSearch description for, and that the search box's script shows as a list."""

from __future__ import annotations

import json

from flask import Blueprint, Response, request

from webui.feeds import SUGGESTIONS_TYPE
from webui.search_data import search_service

CACHE_SECONDS = 300  # the phrases change with a new generation only

blueprint = Blueprint("suggestions", __name__)


@blueprint.get("/suggest")
def suggest() -> Response:
    prefix = request.args.get("q", "")
    completions = search_service().complete(prefix)  # a prefix too long: 400 (errors.py)
    body = json.dumps([prefix, completions], ensure_ascii=False)
    response = Response(body, mimetype=SUGGESTIONS_TYPE)
    response.headers["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
    return response
