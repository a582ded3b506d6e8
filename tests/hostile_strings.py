"""Injection strings the hostile-input tests put into articles and requests (issue 7, point 5).

Kept in one place so that every test of escaping uses the same set, and a new trick is added once.
"""

from __future__ import annotations

import re

SCRIPT = "<script>alert(1)</script>"
IMG_BREAKOUT = '"><img src=x onerror=alert(1)>'
JAVASCRIPT_URL = "javascript:alert(1)"
QUOTE_BREAKOUT = "' onmouseover='x"
ENTITY_SCRIPT = "&lt;script&gt;alert(2)&lt;/script&gt;"  # decodes to a literal <script> text
SVG_ONLOAD = "<svg/onload=alert(3)>"
CLOSE_TITLE = "</title><script>alert(4)</script>"
CDATA_END = "]]><x>"

# Every text field of an article gets all of these.
INJECTIONS = [
    SCRIPT,
    IMG_BREAKOUT,
    JAVASCRIPT_URL,
    QUOTE_BREAKOUT,
    ENTITY_SCRIPT,
    SVG_ONLOAD,
    CLOSE_TITLE,
    CDATA_END,
]

# Article urls that must never become links: scripts in any case, with whitespace, control
# characters and entities a browser would decode or skip, and other non-http schemes.
UNSAFE_URLS = [
    JAVASCRIPT_URL,
    "JaVaScRiPt:alert(1)",
    "  javascript:alert(1)",
    "\tjavascript:alert(1)",
    "java\tscript:alert(1)",
    "java\nscript:alert(1)",
    "java&#x09;script:alert(1)",
    "&#106;avascript:alert(1)",
    "javascript&colon;alert(1)",
    "\x01javascript:alert(1)",
    "vbscript:msgbox(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "//evil.example/x",
    "https:javascript:alert(1)",
]

# Urls that are http(s) but carry markup: they may be links, always with the markup escaped.
MARKUP_URLS = [
    'https://example.org/"onmouseover="alert(1)',
    "https://example.org/'><script>alert(1)</script>",
    'http://example.org/?a=<b>&c="d"',
]

# Request paths that try to reach files outside what the site serves.
TRAVERSAL_PATHS = [
    "/article/../../etc/passwd",
    "/article/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/article/..%2F..%2F..%2Fetc%2Fpasswd",
    "/article/....//....//etc/passwd",
    "/api/articles/..%2F..%2Fetc%2Fpasswd",
    "/api/articles/../../../etc/passwd",
    "/api/articles/%2e%2e/%2e%2e/indexer/config.py",
    "/static/../../indexer/config.py",
    "/static/%2e%2e/%2e%2e/pyproject.toml",
    "/static/..%2f..%2fpyproject.toml",
    "/static/%2e%2e%5c%2e%2e%5cpyproject.toml",
    "/static//etc/passwd",
    "/static/../gunicorn.conf.py",
    "/static/site.css/../../../newsindex.toml",
    "/assets/../../indexer/config.py",
    "/assets/%2e%2e%2f%2e%2e%2fpyproject.toml",
    "/assets/site.css/../../../newsindex.toml",
    "/assets/..%2fstatic%2fsite.css",
]


# The one script a page loads, the search box's suggestions: never anything a request or an
# article put there. ``without_site_script(page)`` is the page as injections are looked for in.
SITE_SCRIPT = re.compile(r'<script src="/assets/suggest\.[0-9a-f]{10}\.js" defer></script>')


def without_site_script(page: str) -> str:
    return SITE_SCRIPT.sub("", page)
