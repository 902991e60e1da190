"""The one LRU cache behind the server's in-process caches: what it evicts, when, and that it
stays consistent when the server's threads use it at once."""

from __future__ import annotations

import random
import sys
import threading

import pytest

from aisec.common.lru import LRU


def test_least_recently_used_goes_first() -> None:
    cache: LRU[str, int] = LRU(entries=3)
    for i, key in enumerate("abc"):
        cache.put(key, i)
    assert cache.get("a") == 0  # a is now the most recently used
    cache.put("d", 3)
    assert "b" not in cache and list("acd") == [k for k in "abcd" if k in cache]
    assert "c" in cache  # a membership test is not a use...
    cache.put("e", 4)
    assert "c" not in cache  # ...so c, unused since it was stored, went next
    assert [cache.get(k) for k in "ade"] == [0, 3, 4] and len(cache) == 3


def test_get_or_make_builds_once_and_keeps_the_first_value() -> None:
    cache: LRU[str, list[int]] = LRU(entries=2)
    calls: list[str] = []

    def make(key: str) -> list[int]:
        calls.append(key)
        return [len(calls)]

    first = cache.get_or_make("x", lambda: make("x"))
    assert cache.get_or_make("x", lambda: make("x")) is first and calls == ["x"]
    assert cache.put("x", [99]) is first  # a key already cached keeps its value
    assert cache.get("missing") is None and cache.get("missing", [0]) == [0]


def test_weight_budget_evicts_oldest_until_it_fits() -> None:
    cache: LRU[str, str] = LRU(budget=100)
    cache.put("a", "A", 40)
    cache.put("b", "B", 40)
    cache.get("a")
    cache.put("c", "C", 30)  # 110 > 100: b (least recently used) goes, a stays
    assert "b" not in cache and "a" in cache and "c" in cache and cache.used == 70
    assert cache.put("huge", "H", 101) == "H"  # heavier than the budget: returned, not kept
    assert "huge" not in cache and cache.used == 70
    cache.put("d", "D", 100)  # fits alone: everything else goes
    assert len(cache) == 1 and cache.used == 100
    cache.clear()
    assert len(cache) == 0 and cache.used == 0


def test_entries_and_budget_together() -> None:
    cache: LRU[int, int] = LRU(entries=3, budget=1000)
    for i in range(5):
        cache.put(i, i, 10)
    assert [i in cache for i in range(5)] == [False, False, True, True, True]
    assert cache.used == 30


def test_bad_limits_are_refused() -> None:
    with pytest.raises(ValueError, match="entry limit"):
        LRU()
    with pytest.raises(ValueError, match="positive"):
        LRU(entries=0)
    with pytest.raises(ValueError, match="negative"):
        LRU[str, int](entries=1).put("a", 1, -1)


def test_make_runs_without_the_lock_held() -> None:
    """A build may use the cache itself (a summary built from a cached result): no deadlock."""
    cache: LRU[str, int] = LRU(entries=4)
    out: list[int] = []

    def outer() -> None:
        out.append(cache.get_or_make("outer", lambda: cache.get_or_make("inner", lambda: 1) + 1))

    worker = threading.Thread(target=outer, daemon=True)
    worker.start()
    worker.join(5)
    assert out == [2] and cache.get("inner") == 1


def test_concurrent_use_keeps_bounds_and_values_consistent() -> None:
    """Eight threads hammer 64 keys: every read gives the key's own value, every miss of a key
    raced by another thread ends with one shared object, and the bounds always hold."""
    cache: LRU[int, tuple[int, int]] = LRU(entries=16, budget=400)
    errors: list[str] = []
    start = threading.Barrier(8)

    def hammer(seed: int) -> None:
        try:
            use(random.Random(seed))  # noqa: S311 - test data, not security
        except Exception as exc:  # noqa: BLE001 - a crash in a thread is a failure too
            errors.append(f"{type(exc).__name__}: {exc}")

    def use(rng: random.Random) -> None:
        start.wait(10)
        for _ in range(3000):
            key = rng.randrange(64)
            weight = 10 + key % 40
            if rng.random() < 0.5:
                value = cache.get_or_make(key, lambda k=key: (k, k * k), weight)  # type: ignore[misc]
            else:
                value = cache.put(key, (key, key * key), weight)
            if value != (key, key * key):
                errors.append(f"key {key} gave {value}")
            hit = cache.get(key)
            if hit is not None and hit != (key, key * key):
                errors.append(f"key {key} read {hit}")

    threads = [threading.Thread(target=hammer, args=(n,)) for n in range(8)]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible: races show up
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    finally:
        sys.setswitchinterval(interval)
    assert not errors, errors[:5]
    assert len(cache) <= 16 and cache.used <= 400
    kept = [k for k in range(64) if k in cache]
    assert cache.used == sum(10 + k % 40 for k in kept)  # the weight books balance


def test_racing_misses_share_the_first_stored_value() -> None:
    cache: LRU[str, object] = LRU(entries=4)
    both = threading.Barrier(2)
    got: list[object] = []

    def miss() -> None:
        def make() -> object:
            both.wait(5)  # both threads are inside make() before either stores
            return object()

        got.append(cache.get_or_make("k", make))

    threads = [threading.Thread(target=miss) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert len(got) == 2 and got[0] is got[1] is cache.get("k")
