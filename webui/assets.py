"""The site's own files (stylesheet, icons) under fingerprinted names, compressed, kept a year.

``/assets/site.3f2a9c01d4.css`` names the file by a hash of its bytes, so a browser may keep it
for a year without asking again (``immutable``): a changed file gets a new name, and the pages
link the new name. Text files are gzipped once, when the app is created, and sent compressed to
clients that accept it; pages and feeds are gzipped as they are sent. ``/favicon.ico`` and
``/robots.txt`` keep the fixed names clients ask for, with a day's caching.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path

from flask import Blueprint, Flask, Response, abort, current_app, request, url_for

from webui.links import public_url

STATIC_FOLDER = Path(__file__).parent / "static"
YEAR_SECONDS = 365 * 24 * 3600
DAY_SECONDS = 24 * 3600
COMPRESSED_TYPES = ("text/", "image/svg+xml", "image/vnd.microsoft.icon", "image/x-icon")
ASSETS_KEY = "newsindex.assets"
COMPRESSED_PAGES = ("text/html", "application/atom+xml", "application/opensearchdescription+xml")
MIN_COMPRESSED_BYTES = 1024
ROBOTS_TXT = "User-agent: *\nDisallow: /api/\nDisallow: /search.atom\n"

blueprint = Blueprint("assets", __name__)


@dataclass(frozen=True)
class Asset:
    name: str  # as in static/: "site.css"
    url_name: str  # fingerprinted: "site.3f2a9c01d4.css"
    mimetype: str
    data: bytes
    gzipped: bytes | None  # None for files that do not shrink (PNG)
    etag: str


def load_assets(folder: Path = STATIC_FOLDER) -> dict[str, Asset]:
    """Every file of ``folder`` by its fingerprinted name (and by its own name)."""
    assets: dict[str, Asset] = {}
    for path in sorted(folder.iterdir()):
        if not path.is_file():
            continue
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        mimetype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        compressible = mimetype.startswith(COMPRESSED_TYPES)
        asset = Asset(
            name=path.name,
            url_name=f"{path.stem}.{digest[:10]}{path.suffix}",
            mimetype=mimetype,
            data=data,
            gzipped=gzip.compress(data, compresslevel=9, mtime=0) if compressible else None,
            etag=digest[:16],
        )
        assets[asset.url_name] = assets[asset.name] = asset
    return assets


def register(app: Flask) -> None:
    app.extensions[ASSETS_KEY] = load_assets()
    app.register_blueprint(blueprint)
    app.add_template_global(asset_url)
    app.after_request(compress_page)


def compress_page(response: Response) -> Response:
    """Pages and feeds gzipped for clients that accept it (gunicorn does not compress; a proxy
    in front may, and then gets them compressed already). JSON is left alone: scripts on the
    same network gain little, and the API's throughput is measured without it."""
    if (
        response.status_code != 200
        or response.direct_passthrough
        or "Content-Encoding" in response.headers
        or response.mimetype not in COMPRESSED_PAGES
        or "gzip" not in request.headers.get("Accept-Encoding", "")
    ):
        return response
    body = response.get_data()
    if len(body) < MIN_COMPRESSED_BYTES:
        return response
    response.set_data(gzip.compress(body, compresslevel=6, mtime=0))
    response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
    etag, weak = response.get_etag()
    if etag and not weak:  # a weak tag stands for both encodings
        response.set_etag(etag + "-gz")
    return response


def asset_url(name: str, external: bool = False) -> str:
    """The fingerprinted URL of the static file ``name`` ("site.css")."""
    url_name = current_app.extensions[ASSETS_KEY][name].url_name
    if external:
        return public_url("assets.asset", url_name=url_name)
    return url_for("assets.asset", url_name=url_name)


@blueprint.get("/assets/<url_name>")
def asset(url_name: str) -> Response:
    found = current_app.extensions[ASSETS_KEY].get(url_name)
    if found is None or found.url_name != url_name:
        abort(404)
    return _send(found, YEAR_SECONDS, immutable=True)


@blueprint.get("/favicon.ico")
def favicon() -> Response:
    return _send(current_app.extensions[ASSETS_KEY]["favicon.ico"], DAY_SECONDS)


@blueprint.get("/robots.txt")
def robots() -> Response:
    response = Response(ROBOTS_TXT, mimetype="text/plain")
    response.cache_control.public = True
    response.cache_control.max_age = DAY_SECONDS
    return response


def _send(found: Asset, max_age: int, immutable: bool = False) -> Response:
    gzipped = found.gzipped is not None and "gzip" in request.headers.get("Accept-Encoding", "")
    response = Response(found.gzipped if gzipped else found.data, mimetype=found.mimetype)
    if gzipped:
        response.headers["Content-Encoding"] = "gzip"
    if found.gzipped is not None:
        response.vary.add("Accept-Encoding")
    response.set_etag(found.etag + ("-gz" if gzipped else ""))
    response.cache_control.public = True
    response.cache_control.max_age = max_age
    if immutable:
        response.cache_control.immutable = True
    response.make_conditional(request)
    return response
