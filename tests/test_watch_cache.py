"""The watch cache, over every backend: one backend watch per family, many watchers, a bounded
window, slow watchers cut off with Compacted instead of holding memory or others back."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

import storage
from storage import errors
from storage.cache import WatchCache, family_by_depth
from tests.test_storage_conformance import collect


class CountingBackend:
    """Delegates to a real backend and counts the watches opened on it."""

    def __init__(self, inner: storage.Backend) -> None:
        self.inner = inner
        self.watches = 0

    def watch(self, prefix: str, *, since: int, prev_kv: bool = False) -> AsyncIterator[storage.Event]:
        self.watches += 1
        return self.inner.watch(prefix, since=since, prev_kv=prev_kv)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


async def test_fan_out_shares_one_backend_watch(backend: storage.Backend, prefix: str) -> None:
    counting = CountingBackend(backend)
    cache = WatchCache(counting, family=lambda p: prefix)  # type: ignore[arg-type]
    since = await backend.current_revision()
    whole = [cache.watch(prefix, since=since) for _ in range(300)]
    sub = [cache.watch(prefix + "a/", since=since) for _ in range(100)]
    readers = [asyncio.ensure_future(collect(w, 4)) for w in whole]
    sub_readers = [asyncio.ensure_future(collect(w, 2)) for w in sub]
    await asyncio.sleep(0.05)
    written = []
    for k in ["a/1", "b/1", "a/2", "b/2"]:
        written.append(await backend.create(prefix + k, b"x"))
    for r in readers:
        assert [e.kv for e in await r] == written
    for r in sub_readers:
        assert [e.kv for e in await r] == [written[0], written[2]]
    assert counting.watches == 1
    for w in whole + sub:
        await w.aclose()  # type: ignore[attr-defined]
    await cache.close()


async def test_watch_from_before_the_family_started(backend: storage.Backend, prefix: str) -> None:
    """A client lists, writes happen, then it watches from its list revision: the family
    starting late replays history, so nothing is missed."""
    cache = WatchCache(backend, capacity=100)
    listed = await backend.current_revision()
    written = [await backend.create(f"{prefix}{i}", b"x") for i in range(5)]
    stream = cache.watch(prefix, since=listed)
    assert [e.kv for e in await collect(stream, 5)] == written
    await stream.aclose()  # type: ignore[attr-defined]
    await cache.close()


async def test_revision_older_than_window_is_compacted(backend: storage.Backend, prefix: str) -> None:
    cache = WatchCache(backend, capacity=10, family=lambda p: prefix)
    start = await backend.current_revision()
    keeper = cache.watch(prefix, since=start)  # starts the family
    reader = asyncio.ensure_future(collect(keeper, 40))
    await asyncio.sleep(0.05)
    written = []
    for i in range(40):  # paced, so that the keeper itself never falls behind
        written.append(await backend.create(f"{prefix}{i:02d}", b"x"))
        await asyncio.sleep(0.005)
    assert [e.kv for e in await reader] == written

    old = cache.watch(prefix, since=written[5].mod_revision)
    with pytest.raises(errors.Compacted) as e:
        await collect(old, 1)
    assert e.value.compact_revision > written[5].mod_revision
    recent = cache.watch(prefix, since=written[-4].mod_revision)
    assert [ev.kv for ev in await collect(recent, 3)] == written[-3:]
    await recent.aclose()  # type: ignore[attr-defined]
    await keeper.aclose()  # type: ignore[attr-defined]
    await cache.close()


async def test_slow_watcher_is_cut_off_not_buffered(backend: storage.Backend, prefix: str) -> None:
    cache = WatchCache(backend, capacity=10, family=lambda p: prefix)
    start = await backend.current_revision()
    fast = cache.watch(prefix, since=start)
    slow = cache.watch(prefix, since=start)
    fast_reader = asyncio.ensure_future(collect(fast, 60))
    slow_first = asyncio.ensure_future(collect(slow, 1))
    await asyncio.sleep(0.05)
    written = [await backend.create(f"{prefix}{i:02d}", b"x") for i in range(60)]
    assert [e.kv for e in await fast_reader] == written, "the fast watcher is not held back"
    assert [e.kv for e in await slow_first] == written[:1]
    family = next(iter(cache._families.values()))
    assert len(family.events) <= 2 * cache.capacity, "memory stays bounded"
    with pytest.raises(errors.Compacted):
        await collect(slow, 59)
    await fast.aclose()  # type: ignore[attr-defined]
    await cache.close()


async def test_prev_kv_only_when_asked(backend: storage.Backend, prefix: str) -> None:
    cache = WatchCache(backend)
    since = await backend.current_revision()
    a = await backend.create(prefix + "a", b"1")
    await backend.update(prefix + "a", b"2", revision=a.mod_revision)
    with_prev = cache.watch(prefix, since=since, prev_kv=True)
    without = cache.watch(prefix, since=since)
    assert [e.prev for e in await collect(with_prev, 2)] == [None, a]
    assert [e.prev for e in await collect(without, 2)] == [None, None]
    await with_prev.aclose()  # type: ignore[attr-defined]
    await without.aclose()  # type: ignore[attr-defined]
    await cache.close()


async def test_idle_family_stops(backend: storage.Backend, prefix: str) -> None:
    cache = WatchCache(backend, idle=0.05)
    stream = cache.watch(prefix, since=await backend.current_revision())
    reader = asyncio.ensure_future(collect(stream, 1))
    await asyncio.sleep(0.05)
    await backend.create(prefix + "a", b"x")
    await reader
    assert cache.head(prefix) is not None
    await stream.aclose()  # type: ignore[attr-defined]
    await asyncio.sleep(0.3)
    assert cache.head(prefix) is None, "no watcher, no backend watch"
    await cache.close()


async def test_close_ends_watchers(backend: storage.Backend, prefix: str) -> None:
    cache = WatchCache(backend)
    stream = cache.watch(prefix, since=await backend.current_revision())
    reader = asyncio.ensure_future(collect(stream, 1))
    await asyncio.sleep(0.05)
    await cache.close()
    with pytest.raises(errors.Unavailable):
        await reader


def test_family_by_depth() -> None:
    family = family_by_depth(2)
    assert family("/registry/pods/ns1/") == "/registry/pods/"
    assert family("/registry/pods/") == "/registry/pods/"
    assert family("/registry/") == "/registry/"


async def test_cancelled_watcher_does_not_stall_the_others(backend: storage.Backend, prefix: str) -> None:
    """A watcher cancelled while it waits (a client hanging up) must leave the shared wake-up
    intact for every other watcher, in the cache and in the backend's own watch."""
    cache = WatchCache(backend)
    since = await backend.current_revision()
    for make in (lambda: cache.watch(prefix, since=since), lambda: backend.watch(prefix, since=since)):
        doomed, kept = make(), make()
        doomed_next = asyncio.ensure_future(doomed.__anext__())
        kept_reader = asyncio.ensure_future(collect(kept, 2))
        await asyncio.sleep(0.05)
        doomed_next.cancel()
        await asyncio.sleep(0.05)
        await backend.create(prefix + f"a{id(make)}", b"x")
        await backend.create(prefix + f"b{id(make)}", b"x")
        assert len(await kept_reader) == 2
        await kept.aclose()  # type: ignore[attr-defined]
        since = await backend.current_revision()
    await cache.close()


async def test_watch_from_before_another_watcher_started_the_family(backend: storage.Backend, prefix: str) -> None:
    """The first watcher asks for the current revision; a second one, from an earlier list,
    still gets every event since its revision: a family keeps the history the backend has
    within its window, not only what its first watcher needed."""
    cache = WatchCache(backend, capacity=100, family=lambda p: prefix)
    listed = await backend.current_revision()
    early = await backend.create(prefix + "early", b"x")
    first = cache.watch(prefix, since=early.mod_revision)
    first_reader = asyncio.ensure_future(collect(first, 1))
    await asyncio.sleep(0.05)
    late = await backend.create(prefix + "late", b"x")
    assert [e.kv for e in await first_reader] == [late]
    second = cache.watch(prefix, since=listed)
    assert [e.kv for e in await collect(second, 2)] == [early, late]
    await first.aclose()  # type: ignore[attr-defined]
    await second.aclose()  # type: ignore[attr-defined]
    await cache.close()
