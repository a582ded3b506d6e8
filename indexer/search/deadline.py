"""A search's time limit, checked by the search itself between steps.

A signal-based limit (an interval timer raising inside whatever runs) was tried first and hung a
gunicorn worker: an exception raised just after a lock was taken left it taken. So the search
checks its deadline between terms, posting lists and batches of documents instead; each step is
bounded by the query limits (words, prefix expansions), so none runs long on its own.
"""

from __future__ import annotations

import time

from indexer.errors import SearchTimeoutError


class Deadline:
    """``check()`` raises SearchTimeoutError once ``seconds`` have passed since it was made."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.until = time.monotonic() + seconds

    def check(self) -> None:
        if time.monotonic() > self.until:
            raise SearchTimeoutError(
                f"this search took longer than {self.seconds:g} s; try more specific words"
            )


NO_DEADLINE = Deadline(float("inf"))
