"""Results kept by what they were made from (a text, a key), bounded by the memory they take, not only by their
number: one worker must not grow by a hundred megabytes because someone pastes long texts. The least recently used
go first (cachetools' LRU cache, sized in bytes), and a single result too large to be worth keeping is made every
time instead of pushing out many others."""
from __future__ import annotations

import functools
import sys
import threading
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from cachetools import LRUCache

T = TypeVar("T")
MB = 1024 * 1024


def size_of(value: Any) -> int:
    """Bytes a key or a result takes, near enough: strings and bytes exactly, tuples, lists and dicts with what they
    hold (one level down, where texts sit), anything else as Python reports it."""
    size = sys.getsizeof(value)
    if isinstance(value, (tuple, list, frozenset, set)):
        size += sum(sys.getsizeof(item) for item in value)
    elif isinstance(value, dict):
        size += sum(sys.getsizeof(key) + sys.getsizeof(item) for key, item in value.items())
    return size


class SizedStore:
    """Kept values by key, within `max_bytes` (each entry counts its key and its value)."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._entries: LRUCache = LRUCache(maxsize=max_bytes, getsizeof=lambda entry: entry[0])
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any | None:
        with self._lock:
            entry = self._entries.get(key)
        return None if entry is None else entry[1]

    def get_or_make(self, key: Hashable, make: Callable[[], T]) -> T:
        """The value kept under `key`; the first time (or once let go), `make()` makes it and it is kept."""
        found = self.get(key)
        if found is None:
            found = make()
            self.put(key, found)
        return found

    def put(self, key: Hashable, value: Any) -> None:
        cost = size_of(key) + size_of(value)
        if cost > self.max_bytes // 8:
            return
        with self._lock:
            self._entries[key] = (cost, value)

    @property
    def size(self) -> int:
        return int(self._entries.currsize)

    def keys(self) -> list:
        with self._lock:
            return list(self._entries.keys())

    def values(self) -> list:
        with self._lock:
            return [entry[1] for entry in self._entries.values()]

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def by_text(max_bytes: int) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """Keep a pure function's results by its (hashable) arguments, within `max_bytes`."""
    def decorate(function: Callable[..., T]) -> Callable[..., T]:
        store = SizedStore(max_bytes)

        @functools.wraps(function)
        def kept(*args):
            return store.get_or_make(args, lambda: function(*args))

        kept.store = store  # type: ignore[attr-defined]
        kept.cache_clear = store.clear  # type: ignore[attr-defined]
        return kept

    return decorate
