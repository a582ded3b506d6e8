"""Decoding pages and feeds by what their bytes are.

A declared charset (``<meta charset>``, the XML declaration) is wrong often enough to matter: a
page that says gb2312 and is UTF-8, a feed that says UTF-8 and is windows-1251. The bytes decide:
a byte order mark; else valid UTF-8; else the declared charset if the bytes decode with it and
charset-normalizer finds it plausible; else the legacy charset of the language the document
declares, if the text reads as that language; else charset-normalizer's best guess.
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
_XML_DECLARATION = re.compile(rb"\s*<\?xml[^>]*?encoding\s*=\s*[\"']?\s*([a-z0-9_.:-]+)", re.I)
_UTF8_CHARACTERS_PER_STRAY_BYTE = 4
# The language a page or feed declares, in its first bytes: <language>pt-BR, lang="pl".
_LANGUAGE_DECLARED = re.compile(
    rb"<language>\s*([a-z]{2,3})\b|\blang\s*=\s*[\"']?([a-z]{2,3})\b", re.I
)
# The legacy charsets of languages written in the Latin alphabet (Windows code pages).
_LATIN_CHARSETS = {
    "cp1252": frozenset(
        "pt es fr de it nl en ca gl eu da sv no nb nn fi is ga af id ms sw".split()
    ),
    "cp1250": frozenset("pl cs sk hu sl hr bs ro sq".split()),
    "cp1257": frozenset("lt lv et".split()),
    "cp1254": frozenset("tr az".split()),
}
_ASCII_END = 127
_MOST_ACCENTED_SHARE = 0.3
STRAY_BYTES = "newsindex-stray-bytes"  # the error handler of _stray_bytes_as_windows_1252
# Browsers read these declarations as windows-1252 (WHATWG Encoding Standard), and so do we.
_READ_AS_WINDOWS_1252 = frozenset({"ascii", "iso8859-1"})


def decode_page(data: bytes, sniff_declaration: bool = True) -> str:
    """The text of a page (``sniff_declaration``: consider its ``<meta>`` charset)."""
    return decode_markup(data, declared_charset(data) if sniff_declaration else "")


def decode_feed(data: bytes) -> str:
    """The text of a feed, whatever its XML declaration says."""
    return decode_markup(data, declared_xml_encoding(data))


def decode_markup(data: bytes, declared: str) -> str:
    """``data`` decoded by what its bytes are: a byte order mark; else UTF-8 when the bytes are
    UTF-8 (a few stray bytes of another charset among them are read as windows-1252, so that
    nothing readable becomes U+FFFD); else ``declared`` if the bytes decode with it and
    charset-normalizer finds it plausible; else charset-normalizer's best guess."""
    for mark, encoding in _BYTE_ORDER_MARKS:
        if data.startswith(mark):
            return data.decode(encoding, errors=STRAY_BYTES)
    if data.isascii():
        return data.decode("ascii")
    as_utf8 = _utf8_reading(data)
    if as_utf8 is not None:
        return as_utf8
    guesses = charset_normalizer.from_bytes(data)
    if declared and _decodes(data, declared) and _plausible(declared, data, guesses):
        return data.decode(declared)
    by_language = _language_reading(data)
    if by_language is not None:
        return by_language
    best = guesses.best()
    return str(best) if best is not None else data.decode("utf-8", errors=STRAY_BYTES)


def _language_reading(data: bytes) -> str | None:
    """``data`` in the legacy charset of the language it declares (``<language>pt-BR``,
    ``lang="pl"``) when that reads as the language would: charset-normalizer judges a short
    text by too few letters, and takes Portuguese in windows-1252 for windows-1250 or cp775
    ("intenção" read as "intençăo"). A reading is the language's when few of its letters are
    beyond ASCII (text in another alphabet read as Latin is nearly all accented letters)."""
    found = _LANGUAGE_DECLARED.search(data[:_PRESCAN_BYTES])
    language = (found.group(1) or found.group(2)).decode("ascii").lower() if found else ""
    charset = next((name for name, codes in _LATIN_CHARSETS.items() if language in codes), "")
    if not charset or not _decodes(data, charset):
        return None
    text = data.decode(charset)
    letters = [char for char in text if char.isalpha()]
    accented = sum(1 for char in letters if ord(char) > _ASCII_END)
    if not letters or accented > _MOST_ACCENTED_SHARE * len(letters):
        return None
    return text


def declared_charset(data: bytes) -> str:
    """The codec of the charset a page declares in ``<meta>`` ("" when none or unknown)."""
    found = _DECLARED_CHARSET.search(data[:_PRESCAN_BYTES])
    if not found:
        return ""
    name = _codec(found.group(1))
    if name in _READ_AS_WINDOWS_1252 and _decodes(data, "cp1252"):
        return "cp1252"
    return name


def declared_xml_encoding(data: bytes) -> str:
    """The codec of the encoding an XML declaration names ("" when none or unknown)."""
    found = _XML_DECLARATION.match(data[:_PRESCAN_BYTES])
    return _codec(found.group(1)) if found else ""


def _utf8_reading(data: bytes) -> str | None:
    """``data`` as UTF-8 when it is UTF-8, or UTF-8 with a few stray bytes (far fewer than
    the characters that are valid UTF-8 beyond ASCII); else None."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    escaped = data.decode("utf-8", errors="surrogateescape")
    stray = sum(1 for char in escaped if "\udc80" <= char <= "\udcff")
    beyond_ascii = sum(1 for char in escaped if ord(char) > 127) - stray
    if beyond_ascii < _UTF8_CHARACTERS_PER_STRAY_BYTE * stray:
        return None
    return data.decode("utf-8", errors=STRAY_BYTES)


def _stray_bytes_as_windows_1252(error: UnicodeError) -> tuple[str, int]:
    """The error handler ``STRAY_BYTES``: bytes that are not valid in the charset being decoded
    read as windows-1252 (the usual stray: a curly quote or euro sign pasted from elsewhere);
    only the five bytes windows-1252 leaves undefined become U+FFFD."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    stray = error.object[error.start : error.end]
    return stray.decode("cp1252", errors="replace"), error.end


def _codec(name: bytes) -> str:
    try:
        return codecs.lookup(name.decode("ascii")).name
    except (LookupError, UnicodeDecodeError):
        return ""


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


codecs.register_error(STRAY_BYTES, _stray_bytes_as_windows_1252)
