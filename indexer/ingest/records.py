"""What a reader yields: raw records, and the marker for a record that could not be read.

It lives apart from ``sources`` so that readers in their own modules (feeds, web pages) can use it
while ``sources`` imports them for its table of readers, without a circular import.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

RawRecords = Iterator[tuple[str, Any]]  # (where, such as "line 12"; a raw record or InvalidRecord)


class InvalidRecord:
    """A record that could not even be decoded, with what was wrong (a reader yields it)."""

    def __init__(self, problem: str) -> None:
        self.problem = problem
