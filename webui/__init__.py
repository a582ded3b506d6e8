"""newsindex's web app: the search page and the JSON API, over ``indexer``'s search API.

``create_app()`` is the factory gunicorn calls (``gunicorn 'webui:create_app()'``). Nothing happens
at import and nothing opens the index until the first request: each worker opens the current index
generation lazily, keeps it open, and follows new generations. The web app never writes the index.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from indexer.config import load_settings
from webui import api, assets, errors, metrics, pages, suggestions
from webui.search_data import SEARCH_SERVICE_KEY, search_service

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """The Flask app. ``test_config`` may hold Flask settings and ``NEWSINDEX`` setting overrides
    (for example ``{"NEWSINDEX": {"index_dir": path}}``)."""
    app = Flask(__name__, static_folder=None)  # static files: webui.assets
    test_config = dict(test_config or {})
    app.config["NEWSINDEX_SETTINGS"] = load_settings(test_config.pop("NEWSINDEX", None))
    app.config.update(test_config)
    app.json.sort_keys = False  # type: ignore[attr-defined]  # keep the API's documented order
    app.register_blueprint(api.blueprint)
    app.register_blueprint(pages.blueprint)
    app.register_blueprint(metrics.blueprint)
    app.register_blueprint(suggestions.blueprint)
    assets.register(app)
    errors.register(app)
    app.after_request(_add_security_headers)
    app.extensions[SEARCH_SERVICE_KEY] = None
    return app


def warm_up(app: Flask) -> bool:
    """Load the current index into this worker before it takes requests (gunicorn's
    ``post_worker_init``); False when there is no usable index yet."""
    with app.app_context():
        return search_service().warm_up()


def _add_security_headers(response: Any) -> Any:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response
