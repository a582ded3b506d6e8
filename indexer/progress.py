"""A progress line for terminals: phase, count, rate and time left, redrawn in place."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class ProgressBar:
    """Draws ``indexing  12,000/33,065 [#####.....] 3,100/s ETA 0:06`` on a terminal."""

    WIDTH = 24

    def __init__(self, stream: TextIO = sys.stderr, interval: float = 0.2) -> None:
        self.stream = stream
        self.interval = interval
        self._phase = ""
        self._phase_started = time.monotonic()
        self._last_draw = 0.0
        self._drawn = False

    def __call__(self, phase: str, done: int, total: int | None) -> None:
        now = time.monotonic()
        if phase != self._phase:
            self._phase, self._phase_started = phase, now
        elif now - self._last_draw < self.interval and done != total:
            return
        self._last_draw = now
        self.stream.write("\r\x1b[K" + self._line(phase, done, total, now - self._phase_started))
        self.stream.flush()
        self._drawn = True

    def finish(self) -> None:
        if self._drawn:
            self.stream.write("\r\x1b[K")
            self.stream.flush()

    def _line(self, phase: str, done: int, total: int | None, elapsed: float) -> str:
        rate = done / elapsed if elapsed > 0 else 0.0
        line = f"{phase:<10} {done:,}"
        if total:
            filled = int(self.WIDTH * done / total)
            line += f"/{total:,} [{'#' * filled}{'.' * (self.WIDTH - filled)}]"
        if rate and done:
            line += f" {rate:,.0f}/s"
        if total and rate and done < total:
            left = int((total - done) / rate)
            line += f" ETA {left // 60}:{left % 60:02d}"
        return line
