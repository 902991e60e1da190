"""One bounded, thread-safe least-recently-used cache for every in-process cache of the server.

The web pages and the store keep parsed results, summaries and rendered fragments of immutable
revisions. Each cache is bounded by a number of entries, and optionally by a weight budget (an
estimate of the bytes an entry holds), so memory stays predictable whatever the traffic. Values
are built outside the lock: a slow build never blocks readers of other keys (two threads missing
the same key may both build it; the first stored value is then kept and returned to both).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from threading import Lock
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class LRU(Generic[K, V]):
    """At most `entries` values (None: no count limit) whose weights sum to at most `budget`
    (None: no weight limit); the least recently used go first. A value heavier than the whole
    budget is returned to its caller but never kept. Treat cached values as read-only: every
    caller of the same key shares one object."""

    def __init__(self, entries: int | None = None, budget: int | None = None) -> None:
        if entries is None and budget is None:
            raise ValueError("an LRU needs an entry limit, a weight budget or both")
        if (entries is not None and entries < 1) or (budget is not None and budget < 0):
            raise ValueError("LRU limits must be positive")
        self.entries = entries
        self.budget = budget
        self._items: OrderedDict[K, tuple[V, int]] = OrderedDict()
        self._used = 0
        self._lock = Lock()

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def __contains__(self, key: object) -> bool:
        """Whether `key` is cached (does not count as a use)."""
        with self._lock:
            return key in self._items

    @property
    def used(self) -> int:
        """Sum of the weights of the cached values."""
        with self._lock:
            return self._used

    def get(self, key: K, default: V | None = None) -> V | None:
        """The cached value (now the most recently used), else `default`."""
        with self._lock:
            hit = self._items.get(key)
            if hit is None:
                return default
            self._items.move_to_end(key)
            return hit[0]

    def put(self, key: K, value: V, weight: int = 1) -> V:
        """Keep `value` under `key` unless the key is cached already; returns the value kept
        (the earlier one if another thread stored it first)."""
        with self._lock:
            return self._put(key, value, weight)

    def get_or_make(self, key: K, make: Callable[[], V], weight: int = 1) -> V:
        """The cached value, or `make()` (called without the lock held) kept and returned."""
        with self._lock:
            hit = self._items.get(key)
            if hit is not None:
                self._items.move_to_end(key)
                return hit[0]
        return self.put(key, make(), weight)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._used = 0

    def _put(self, key: K, value: V, weight: int) -> V:
        if weight < 0:
            raise ValueError("an LRU entry's weight cannot be negative")
        hit = self._items.get(key)
        if hit is not None:
            self._items.move_to_end(key)
            return hit[0]
        if self.budget is not None and weight > self.budget:
            return value
        self._items[key] = (value, weight)
        self._used += weight
        while (self.entries is not None and len(self._items) > self.entries) or (
            self.budget is not None and self._used > self.budget
        ):
            _, (_, freed) = self._items.popitem(last=False)
            self._used -= freed
        return value
