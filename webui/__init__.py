"""newsindex's web app: the search page and the JSON API, over ``indexer``'s search API.

``create_app()`` is the factory gunicorn calls (``gunicorn 'webui:create_app()'``). Nothing happens
at import, and ``create_app()`` opens nothing. Under gunicorn, each worker calls ``warm_up(app)``
before it takes requests (``post_worker_init`` in gunicorn.conf.py): it opens and warms the
current index generation, and a thread of the worker then loads and warms each new generation
beside the one in use before switching to it, so no request waits for a load; ``stop(app)``
(``worker_exit``) ends that thread. Without gunicorn (the Flask development server, tests) the
first request opens the index and searches follow new generations themselves. The web app never
writes the index.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response

from indexer.config import load_settings
from webui import api, assets, errors, metrics, pages, suggestions
from webui.metrics import WARM_UP_ENVIRON
from webui.search_data import SEARCH_SERVICE_KEY, search_service

WARM_UP_PATHS = ("/api/search?q=news", "/?q=news")

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
    """Load and warm the current index in this worker before it takes requests, and from then
    on load each new generation in a thread of the worker (gunicorn's ``post_worker_init``);
    False when there is no usable index yet (the thread loads it when one appears)."""
    with app.app_context():
        service = search_service()
        loaded = service.warm_up()
    if loaded:
        _warm_requests(app)
    service.follow()
    return loaded


def _warm_requests(app: Flask) -> None:
    """A page and an API search through the whole app (routing, templates, JSON, the metrics'
    files are made on first use), marked so that the metrics do not count them."""
    client = app.test_client()
    for path in WARM_UP_PATHS:
        client.get(path, environ_base={WARM_UP_ENVIRON: True})


def stop(app: Flask) -> None:
    """Stop following generations and close the index (gunicorn's ``worker_exit``)."""
    service = app.extensions.get(SEARCH_SERVICE_KEY)
    if service is not None:
        service.close()


def _add_security_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response
