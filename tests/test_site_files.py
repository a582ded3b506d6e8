"""The files around the pages: fingerprinted static files that browsers keep for a year and get
compressed, the favicon, robots.txt and the OpenSearch description's icons."""

from __future__ import annotations

import gzip
import re
from xml.etree import ElementTree

from test_pages import get, parse

OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"


def own_files(client) -> list[str]:
    tags = parse(get(client, "/?q=harbour")).tags
    return [a.get("href") or a.get("src") for tag, a in tags if tag in ("link", "img")]


def test_static_files_have_fingerprinted_names_and_are_kept_a_year(client) -> None:
    files = [url for url in own_files(client) if url.startswith("/assets/")]
    assert len(files) >= 3
    for url in files:
        assert re.fullmatch(r"/assets/[\w-]+\.[0-9a-f]{10}\.\w+", url), url
        response = get(client, url)
        assert "max-age=31536000" in response.headers["Cache-Control"]
        assert "immutable" in response.headers["Cache-Control"] and response.headers["ETag"]
        again = client.get(url, headers={"If-None-Match": response.headers["ETag"]})
        assert again.status_code == 304
    stale = files[0].replace(files[0].split(".")[-2], "0123456789")
    assert client.get(stale).status_code == 404


def test_text_files_are_sent_compressed_to_clients_that_accept_it(client) -> None:
    stylesheet = next(url for url in own_files(client) if url.endswith(".css"))
    plain = get(client, stylesheet)
    packed = client.get(stylesheet, headers={"Accept-Encoding": "gzip, br"})
    assert (
        packed.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed.headers["Vary"]
    )
    assert gzip.decompress(packed.data) == plain.data and len(packed.data) < len(plain.data) / 2


def test_favicon_and_robots_txt(client) -> None:
    icon = get(client, "/favicon.ico")
    assert icon.data[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert "max-age" in icon.headers["Cache-Control"]
    robots = get(client, "/robots.txt").get_data(as_text=True)
    assert robots.startswith("User-agent: *") and "Disallow: /api/" in robots


def test_the_opensearch_description_has_raster_icons(client) -> None:
    root = ElementTree.fromstring(get(client, "/opensearch.xml").data)
    images = {image.get("type"): image for image in root.iter(f"{OPENSEARCH}Image")}
    assert {"image/png", "image/x-icon"} <= set(images)
    png = get(client, images["image/png"].text.removeprefix("http://localhost"))
    assert png.data[:8] == b"\x89PNG\r\n\x1a\n" and images["image/png"].get("width") == "64"
    assert get(client, images["image/x-icon"].text.removeprefix("http://localhost")).data


def test_pages_and_feeds_are_compressed_for_clients_that_accept_it(client) -> None:
    for url in ("/?q=harbour", "/article/sample-004", "/search.atom?q=harbour"):
        plain = get(client, url)
        packed = client.get(url, headers={"Accept-Encoding": "gzip"})
        assert packed.headers["Content-Encoding"] == "gzip", url
        assert gzip.decompress(packed.data) == plain.data
    feed = client.get("/search.atom?q=harbour", headers={"Accept-Encoding": "gzip"})
    again = client.get(
        "/search.atom?q=harbour",
        headers={"Accept-Encoding": "gzip", "If-None-Match": feed.headers["ETag"]},
    )
    assert again.status_code == 304
    assert "Content-Encoding" not in get(client, "/api/search?q=harbour").headers
