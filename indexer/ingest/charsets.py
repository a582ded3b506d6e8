"""Decoding pages and feeds by what their bytes are.

A declared charset (``<meta charset>``, the XML declaration) is wrong often enough to matter: a
page that says gb2312 and is UTF-8, a feed that says UTF-8 and is windows-1251. The bytes decide:
a byte order mark; else valid UTF-8; else the declared charset if the bytes decode with it and
charset-normalizer finds it plausible; else charset-normalizer's best guess.
"""

from __future__ import annotations

import codecs
import re

import charset_normalizer

# The HTML standard's prescan: the charset a page declares in its first bytes. A pattern over
# bytes, because the markup cannot be parsed before it is decoded.
_DECLARED_CHARSET = re.compile(rb"<meta[^>]*?charset\s*=\s*[\"']?\s*([a-z0-9_.:-]+)", re.I)
_PRESCAN_BYTES = 4096
_BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE, whose mark is its prefix
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Browsers read these declarations as windows-1252 (WHATWG Encoding Standard), and so do we.
_READ_AS_WINDOWS_1252 = frozenset({"ascii", "iso8859-1"})


def decode_page(data: bytes, sniff_declaration: bool = True) -> str:
    """The text of a page, decoded by what its bytes are: a byte order mark; else a declared
    charset if the bytes decode with it and charset-normalizer finds it plausible; else
    charset-normalizer's best guess. Valid UTF-8 is taken as UTF-8 without asking."""
    for mark, encoding in _BYTE_ORDER_MARKS:
        if data.startswith(mark):
            return data.decode(encoding, errors="replace")
    declared = declared_charset(data) if sniff_declaration else ""
    if data.isascii():
        return data.decode("ascii")
    if declared in ("", "utf-8") and _decodes(data, "utf-8"):
        return data.decode("utf-8")
    guesses = charset_normalizer.from_bytes(data)
    if declared and _decodes(data, declared) and _plausible(declared, data, guesses):
        return data.decode(declared)
    best = guesses.best()
    return str(best) if best is not None else data.decode("utf-8", errors="replace")


def declared_charset(data: bytes) -> str:
    """The codec of the charset a page declares in ``<meta>`` ("" when none or unknown)."""
    found = _DECLARED_CHARSET.search(data[:_PRESCAN_BYTES])
    if not found:
        return ""
    try:
        name = codecs.lookup(found.group(1).decode("ascii")).name
    except LookupError:
        return ""
    if name in _READ_AS_WINDOWS_1252 and _decodes(data, "cp1252"):
        return "cp1252"
    return name


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def _plausible(encoding: str, data: bytes, guesses: charset_normalizer.CharsetMatches) -> bool:
    """Whether charset-normalizer agrees ``encoding`` could be the page's: it is among the
    encodings its guesses could come from, or decodes to the same text as the best guess."""
    names = {codecs.lookup(name).name for guess in guesses for name in guess.could_be_from_charset}
    best = guesses.best()
    return encoding in names or (best is not None and str(best) == data.decode(encoding))
