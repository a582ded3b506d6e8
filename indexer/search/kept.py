"""Values kept in memory by key, least recently used first out, within a budget: decoded
postings and positions (``postings``) and the results of recent searches (``open_index``)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")  # the kept values' type


class KeptWithin(Generic[V]):
    """Values kept by key within a budget of their total ``size`` (which measures one value);
    the most recent value stays even if it alone is over, and a budget of 0 keeps nothing.
    Safe to share between threads."""

    def __init__(self, budget: int, size: Callable[[V], int]) -> None:
        self.budget = budget
        self._size_of = size
        self._kept: OrderedDict[Hashable, V] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def keys(self) -> list[Hashable]:
        """The keys of the values kept, the least recently used first."""
        with self._lock:
            return list(self._kept)

    def get(self, key: Hashable, compute: Callable[[], V]) -> V:
        """The value kept for ``key``, else ``compute()``, kept."""
        with self._lock:
            if key in self._kept:
                self._kept.move_to_end(key)
                return self._kept[key]
        found = compute()  # outside the lock: it may take a while
        if self.budget <= 0:
            return found
        with self._lock:
            if key not in self._kept:
                self._kept[key] = found
                self._size += self._size_of(found)
            while self._size > self.budget and len(self._kept) > 1:
                _key, dropped = self._kept.popitem(last=False)
                self._size -= self._size_of(dropped)
        return found
