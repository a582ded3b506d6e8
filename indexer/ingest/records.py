"""What a reader yields: raw records, the marker for a record that could not be read, and
warnings about records that were read (a date dropped, a feed read by a recovering parser).

It lives apart from ``sources`` so that readers in their own modules (feeds, web pages) can use it
while ``sources`` imports them for its table of readers, without a circular import.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

# An article's fields as a source names them (its values checked by ``articles.article_from_raw``).
RawArticle = dict[str, Any]
# (where, such as "line 12"; a raw record, an InvalidRecord or a ReadWarning)
RawRecords = Iterator[tuple[str, object]]


class InvalidRecord:
    """A record that could not even be decoded, with what was wrong (a reader yields it)."""

    def __init__(self, problem: str) -> None:
        self.problem = problem


class ReadWarning:
    """Something the user should hear about a source that was still read: a warning, not a
    record (a reader yields it before the record it concerns)."""

    def __init__(self, message: str) -> None:
        self.message = message
