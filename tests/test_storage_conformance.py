"""One conformance suite, run against every backend (the `store` fixture is parametrized).

The expectations are etcd's MVCC semantics, which kube-apiserver's storage.Interface relies
on: one strictly increasing revision per store, guarded writes by modification revision,
consistent reads at a past revision, gap-free watch from a revision.
"""

from __future__ import annotations

import asyncio
import random

import pytest

import storage
from storage import errors
from storage.backend import MAX_KEY_BYTES, MAX_VALUE_BYTES, Event, EventType, KeyValue
from tests.conftest import Store


async def collect(stream: object, n: int, timeout: float = 10.0) -> list[Event]:
    out: list[Event] = []
    it = stream.__aiter__()  # type: ignore[attr-defined]
    async with asyncio.timeout(timeout):
        while len(out) < n:
            out.append(await it.__anext__())
    return out


# -- CRUD ------------------------------------------------------------------------------


async def test_create_get_update_delete(backend: storage.Backend, prefix: str) -> None:
    key = prefix + "a"
    created = await backend.create(key, b"v1")
    assert created.key == key and created.value == b"v1"
    assert created.create_revision == created.mod_revision
    assert await backend.get(key) == created
    assert await backend.current_revision() >= created.mod_revision

    updated = await backend.update(key, b"v2", revision=created.mod_revision)
    assert updated.value == b"v2"
    assert updated.create_revision == created.create_revision
    assert updated.mod_revision > created.mod_revision
    assert await backend.get(key) == updated

    deleted = await backend.delete(key, revision=updated.mod_revision)
    assert deleted.value == b"v2"
    assert deleted.mod_revision > updated.mod_revision
    with pytest.raises(errors.KeyNotFound):
        await backend.get(key)

    again = await backend.create(key, b"v3")
    assert again.create_revision > deleted.mod_revision, "a new lifetime starts after a delete"


async def test_typed_errors(backend: storage.Backend, prefix: str) -> None:
    key = prefix + "a"
    kv = await backend.create(key, b"1")
    with pytest.raises(errors.KeyExists):
        await backend.create(key, b"2")
    with pytest.raises(errors.KeyNotFound):
        await backend.get(prefix + "missing")
    with pytest.raises(errors.KeyNotFound):
        await backend.update(prefix + "missing", b"x", revision=kv.mod_revision)
    with pytest.raises(errors.KeyNotFound):
        await backend.delete(prefix + "missing")
    newer = await backend.update(key, b"2", revision=kv.mod_revision)
    with pytest.raises(errors.Conflict) as conflict:
        await backend.update(key, b"3", revision=kv.mod_revision)
    assert conflict.value.current == newer, "a conflict carries the winning value"
    with pytest.raises(errors.Conflict):
        await backend.delete(key, revision=kv.mod_revision)
    assert (await backend.get(key)).value == b"2", "failed writes change nothing"
    with pytest.raises(errors.FutureRevision):
        await backend.get(key, revision=await backend.current_revision() + 1000)


async def test_revisions_strictly_increase(backend: storage.Backend, prefix: str) -> None:
    revs = [await backend.current_revision()]
    kv = await backend.create(prefix + "x", b"")
    revs.append(kv.mod_revision)
    for i in range(5):
        kv = await backend.update(prefix + "x", str(i).encode(), revision=kv.mod_revision)
        revs.append(kv.mod_revision)
    revs.append((await backend.delete(prefix + "x")).mod_revision)
    revs.append((await backend.create(prefix + "y", b"")).mod_revision)
    assert revs == sorted(set(revs)), revs
    assert await backend.current_revision() == revs[-1] or store_is_shared(backend)


def store_is_shared(backend: storage.Backend) -> bool:
    return type(backend).__name__ == "EtcdBackend"  # the session etcd serves other tests too


@pytest.mark.parametrize(
    "key,value",
    [
        pytest.param("plain", b"\x00\xff binary", id="binary-value"),
        pytest.param("ünïcødé/ключ/鍵", b"utf8 key", id="unicode-key"),
        pytest.param("empty", b"", id="empty-value"),
        pytest.param("big", bytes(range(256)) * 4096, id="1MiB-value"),
        pytest.param("limit", b"z" * storage.backend.MAX_VALUE_BYTES, id="value-at-the-limit"),
    ],
)
async def test_values_round_trip(backend: storage.Backend, prefix: str, key: str, value: bytes) -> None:
    kv = await backend.create(prefix + key, value)
    assert (await backend.get(prefix + key)).value == value
    page = await backend.list(prefix)
    assert [(i.key, i.value) for i in page.items] == [(prefix + key, value)]
    assert kv.value == value


async def test_get_at_revision(backend: storage.Backend, prefix: str) -> None:
    key = prefix + "k"
    v1 = await backend.create(key, b"1")
    v2 = await backend.update(key, b"2", revision=v1.mod_revision)
    gone = await backend.delete(key)
    assert (await backend.get(key, revision=v1.mod_revision)).value == b"1"
    assert (await backend.get(key, revision=v2.mod_revision)).value == b"2"
    with pytest.raises(errors.KeyNotFound):
        await backend.get(key, revision=gone.mod_revision)
    with pytest.raises(errors.KeyNotFound):
        await backend.get(key, revision=v1.mod_revision - 1)


# -- list and count --------------------------------------------------------------------


async def test_list_prefix_and_count(backend: storage.Backend, prefix: str) -> None:
    for k in ["a/1", "a/2", "a/3", "ab", "b/1"]:
        await backend.create(prefix + k, k.encode())
    page = await backend.list(prefix + "a/")
    assert [kv.key for kv in page.items] == [prefix + "a/1", prefix + "a/2", prefix + "a/3"]
    assert not page.more
    assert await backend.count(prefix + "a/") == 3
    assert await backend.count(prefix) == 5
    before = await backend.delete(prefix + "a/2")
    assert await backend.count(prefix + "a/") == 2
    # at a past revision, and only keys after a page's last key (remainingItemCount)
    assert await backend.count(prefix + "a/", revision=before.mod_revision - 1) == 3
    assert await backend.count(prefix + "a/", revision=before.mod_revision - 1, start_after=prefix + "a/1") == 2
    assert await backend.count(prefix + "a/", start_after=prefix + "a/1") == 1
    assert await backend.count(prefix, start_after=prefix + "a/3") == 2
    assert [kv.key for kv in (await backend.list(prefix + "a/")).items] == [
        prefix + "a/1",
        prefix + "a/3",
    ]
    assert (await backend.list(prefix + "zzz/")).items == []


async def test_list_pagination(backend: storage.Backend, prefix: str) -> None:
    keys = [f"{prefix}{i:03d}" for i in range(25)]
    for k in keys:
        await backend.create(k, k.encode())
    seen: list[str] = []
    page = await backend.list(prefix, limit=10)
    revision = page.revision
    while True:
        seen += [kv.key for kv in page.items]
        assert page.revision == revision
        if not page.more:
            break
        page = await backend.list(prefix, limit=10, revision=revision, start_after=seen[-1])
    assert seen == keys


async def test_pagination_stable_under_concurrent_writes(backend: storage.Backend, prefix: str) -> None:
    """Every page of a paginated list reflects one revision, whatever happens meanwhile."""
    keys = [f"{prefix}{i:03d}" for i in range(60)]
    for k in keys:
        await backend.create(k, b"0")
    first = await backend.list(prefix, limit=7)
    snapshot = {kv.key: kv for kv in (await backend.list(prefix, revision=first.revision)).items}
    assert len(snapshot) == 60

    stop = asyncio.Event()

    async def churn() -> None:
        rng = random.Random(1)
        n = 0
        while not stop.is_set():
            k = rng.choice(keys)
            try:
                cur = await backend.get(k)
                if rng.random() < 0.3:
                    await backend.delete(k, revision=cur.mod_revision)
                else:
                    await backend.update(k, str(n).encode(), revision=cur.mod_revision)
            except (errors.KeyNotFound, errors.Conflict):
                await backend.create(k, b"re")
            await backend.create(f"{prefix}{rng.randrange(1000):03d}x", b"new") if n % 5 == 0 else None
            n += 1

    writer = asyncio.create_task(churn())
    try:
        got = list(first.items)
        page = first
        while page.more:
            await asyncio.sleep(0.01)
            page = await backend.list(prefix, limit=7, revision=first.revision, start_after=got[-1].key)
            assert page.revision == first.revision
            got += page.items
    finally:
        stop.set()
        try:
            await writer
        except errors.KeyExists:
            pass
    assert {kv.key: kv for kv in got} == snapshot
    assert [kv.key for kv in got] == sorted(snapshot)


# -- guarded updates -------------------------------------------------------------------


async def test_guarded_update_race_exactly_one_wins(backend: storage.Backend, prefix: str) -> None:
    key = prefix + "race"
    kv = await backend.create(key, b"start")
    writers = 20
    for round_ in range(8):
        results = await asyncio.gather(
            *(
                backend.update(key, f"{round_}-{w}".encode(), revision=kv.mod_revision)
                for w in range(writers)
            ),
            return_exceptions=True,
        )
        winners = [r for r in results if isinstance(r, KeyValue)]
        losers = [r for r in results if isinstance(r, errors.Conflict)]
        assert len(winners) == 1, results
        assert len(losers) == writers - 1, results
        assert all(loser.current == winners[0] for loser in losers)
        kv = winners[0]
        assert await backend.get(key) == kv


async def test_guaranteed_update_counts_every_increment(backend: storage.Backend, prefix: str) -> None:
    key = prefix + "counter"

    async def increment(current: KeyValue | None) -> bytes:
        return str(int(current.value) + 1 if current else 1).encode()

    await asyncio.gather(
        *(storage.guaranteed_update(backend, key, increment, create=True) for _ in range(30))
    )
    assert (await backend.get(key)).value == b"30"


# -- watch -----------------------------------------------------------------------------


async def test_watch_from_revision(backend: storage.Backend, prefix: str) -> None:
    start = await backend.current_revision()
    a = await backend.create(prefix + "a", b"1")
    await backend.create(prefix.rstrip("/") + "-other/x", b"not mine")
    a2 = await backend.update(prefix + "a", b"2", revision=a.mod_revision)
    b = await backend.create(prefix + "b", b"3")
    gone = await backend.delete(prefix + "a")

    stream = backend.watch(prefix, since=start, prev_kv=True)
    events = await collect(stream, 4)
    await stream.aclose()  # type: ignore[attr-defined]
    assert [(e.type, e.kv) for e in events] == [
        (EventType.PUT, a),
        (EventType.PUT, a2),
        (EventType.PUT, b),
        (EventType.DELETE, KeyValue(prefix + "a", b"2", a.create_revision, gone.mod_revision)),
    ]
    assert [e.prev for e in events] == [None, a, None, a2]

    stream = backend.watch(prefix, since=a2.mod_revision)
    later = await collect(stream, 2)
    await stream.aclose()  # type: ignore[attr-defined]
    assert [e.revision for e in later] == [b.mod_revision, gone.mod_revision]
    assert all(e.prev is None for e in later), "prev only when asked"


async def test_watch_live_events(backend: storage.Backend, prefix: str) -> None:
    since = await backend.current_revision()
    stream = backend.watch(prefix, since=since)
    reader = asyncio.ensure_future(collect(stream, 3))
    await asyncio.sleep(0.1)
    written = [await backend.create(f"{prefix}{i}", b"x") for i in range(3)]
    events = await reader
    await stream.aclose()  # type: ignore[attr-defined]
    assert [e.kv for e in events] == written


async def test_watch_resume_no_gap_no_duplicate(backend: storage.Backend, prefix: str) -> None:
    """A watcher that reconnects from the last revision it saw misses nothing and sees
    nothing twice, while a writer keeps writing."""
    since = await backend.current_revision()
    total = 120

    async def write() -> list[int]:
        revs = []
        for i in range(total):
            revs.append((await backend.create(f"{prefix}{i:04d}", b"x")).mod_revision)
            if i % 10 == 0:
                await asyncio.sleep(0.005)
        return revs

    writer = asyncio.create_task(write())
    seen: list[int] = []
    last = since
    while len(seen) < total:
        stream = backend.watch(prefix, since=last)
        chunk = await collect(stream, min(random.randint(1, 25), total - len(seen)))
        await stream.aclose()  # type: ignore[attr-defined]
        seen += [e.revision for e in chunk]
        last = chunk[-1].revision
    assert seen == await writer


async def test_many_concurrent_backend_watchers(backend: storage.Backend, prefix: str) -> None:
    since = await backend.current_revision()
    streams = [backend.watch(prefix, since=since) for _ in range(20)]
    readers = [asyncio.ensure_future(collect(s, 5)) for s in streams]
    written = [await backend.create(f"{prefix}{i}", b"x") for i in range(5)]
    for r in readers:
        assert [e.kv for e in await r] == written
    for s in streams:
        await s.aclose()  # type: ignore[attr-defined]


# -- compaction and restart ------------------------------------------------------------


async def test_compaction(own_store: Store) -> None:
    backend = await own_store.open()
    p = "/c/"
    a = await backend.create(p + "a", b"1")
    await backend.create(p + "b", b"1")
    a2 = await backend.update(p + "a", b"2", revision=a.mod_revision)
    await backend.delete(p + "b")
    mid = await backend.current_revision()
    snapshot = await backend.list(p, revision=mid)
    a3 = await backend.update(p + "a", b"3", revision=a2.mod_revision)
    c = await backend.create(p + "c", b"1")

    await backend.compact(mid)
    assert await backend.compact_revision() == mid
    with pytest.raises(errors.Compacted):
        await backend.get(p + "a", revision=a.mod_revision)
    with pytest.raises(errors.Compacted):
        await backend.list(p, revision=a.mod_revision)
    with pytest.raises(errors.Compacted):
        await collect(backend.watch(p, since=a.mod_revision), 1)
    # What is at or after the compaction revision is intact.
    assert (await backend.list(p, revision=mid)).items == snapshot.items
    assert (await backend.get(p + "a", revision=mid)).value == b"2"
    assert [kv.key for kv in (await backend.list(p)).items] == [p + "a", p + "c"]
    assert await backend.get(p + "a") == a3
    stream = backend.watch(p, since=mid, prev_kv=True)
    events = await collect(stream, 2)
    await stream.aclose()  # type: ignore[attr-defined]
    assert [e.kv for e in events] == [a3, c]
    assert events[0].prev is not None and events[0].prev.value == b"2"
    await backend.compact(mid - 1)  # older than the last compaction: nothing happens
    assert await backend.compact_revision() == mid
    with pytest.raises(errors.KeyNotFound):
        await backend.get(p + "b")


async def test_restart_persistence(own_store: Store) -> None:
    backend = await own_store.open()
    written = {}
    kv = None
    for i in range(50):
        kv = await backend.create(f"/r/{i:03d}", str(i).encode())
        written[kv.key] = kv
    assert kv is not None
    await backend.delete("/r/000")
    del written["/r/000"]
    before = await backend.current_revision()

    await own_store.restart()
    backend = await own_store.open()
    assert await backend.current_revision() == before
    assert {kv.key: kv for kv in (await backend.list("/r/")).items} == written
    after = await backend.create("/r/new", b"x")
    assert after.mod_revision > before, "revisions are never reused after a restart"


async def test_compaction_survives_restart(own_store: Store) -> None:
    backend = await own_store.open()
    kv = await backend.create("/k", b"1")
    for i in range(5):
        kv = await backend.update("/k", str(i).encode(), revision=kv.mod_revision)
    await backend.compact(kv.mod_revision - 1)
    await own_store.restart()
    backend = await own_store.open()
    assert await backend.compact_revision() == kv.mod_revision - 1
    with pytest.raises(errors.Compacted) as compacted:
        await backend.get("/k", revision=kv.mod_revision - 3)
    assert compacted.value.compact_revision == kv.mod_revision - 1
    assert (await backend.get("/k")).value == b"4"


# -- closing ---------------------------------------------------------------------------


async def test_closed_backend_is_unavailable(store: Store, prefix: str) -> None:
    backend = await store.open()
    await backend.create(prefix + "a", b"1")
    await backend.close()
    with pytest.raises(errors.Unavailable):
        await backend.get(prefix + "a")
    with pytest.raises(errors.Unavailable):
        await backend.create(prefix + "b", b"1")


async def test_close_during_calls_ends_each_with_a_result_or_unavailable(
    store: Store, prefix: str
) -> None:
    """More calls in flight than a connection pool holds; closing the store must not leak a
    CancelledError (or anything untyped) into the tasks that made them."""
    backend = await store.open()
    await backend.create(prefix + "x", b"1")
    calls = [backend.get(prefix + "x") for _ in range(60)]
    calls += [backend.create(prefix + f"y{i}", b"1") for i in range(60)]
    calls += [backend.list(prefix) for _ in range(20)]
    tasks = [asyncio.ensure_future(c) for c in calls]
    await asyncio.sleep(0.005)
    await backend.close()
    async with asyncio.timeout(backend_timeout(backend)):
        results = await asyncio.gather(*tasks, return_exceptions=True)
    odd = [r for r in results if isinstance(r, BaseException) and not isinstance(r, errors.Unavailable)]
    assert not odd, odd[:3]


def backend_timeout(backend: storage.Backend) -> float:
    return float(getattr(backend, "timeout", 10.0)) + 5.0


@pytest.mark.parametrize(
    "key,value,error",
    [
        pytest.param("", b"x", ValueError, id="empty-key"),
        pytest.param(b"/bytes-key", b"x", TypeError, id="bytes-key"),
        pytest.param("/k", "a str value", TypeError, id="str-value"),
        pytest.param("/k", None, TypeError, id="none-value"),
        pytest.param("/k", 12, TypeError, id="int-value"),
        pytest.param("/k", b"z" * (2 << 20), errors.ValueTooLarge, id="value-over-the-limit"),
        pytest.param("/k\ud800", b"x", ValueError, id="key-not-utf8"),
        pytest.param("/" + "k" * MAX_KEY_BYTES, b"x", errors.ValueTooLarge, id="key-over-the-limit"),
        pytest.param("/" + "k" * (3 << 20), b"x", errors.ValueTooLarge, id="key-over-etcd-request-limit"),
    ],
)
async def test_bad_writes_are_refused_and_change_nothing(
    backend: storage.Backend, prefix: str, key: object, value: object, error: type[Exception]
) -> None:
    before = await backend.current_revision()
    full_key = prefix + key if isinstance(key, str) and key else key
    with pytest.raises(error):
        await backend.create(full_key, value)  # type: ignore[arg-type]
    if not store_is_shared(backend):
        assert await backend.current_revision() == before
    assert (await backend.list(prefix)).items == []
    assert (await backend.create(prefix + "ok", bytearray(b"fine"))).value == b"fine"
    assert (await backend.get(prefix + "ok")).value == b"fine"


async def test_largest_key_and_value_round_trip(backend: storage.Backend, prefix: str) -> None:
    key = prefix + "k" * (MAX_KEY_BYTES - len(prefix.encode()))
    kv = await backend.create(key, b"z" * MAX_VALUE_BYTES)
    kv = await backend.update(key, b"y" * MAX_VALUE_BYTES, revision=kv.mod_revision)
    assert (await backend.get(key)).value == b"y" * MAX_VALUE_BYTES
    assert (await backend.delete(key, revision=kv.mod_revision)).value == b"y" * MAX_VALUE_BYTES


async def test_bad_key_fails_only_its_own_write(backend: storage.Backend, prefix: str) -> None:
    """Writes are committed in groups (SQLite): one caller's bad key must not fail the
    writes committed with it."""
    good = [backend.create(prefix + f"g{i}", b"x") for i in range(40)]
    results = await asyncio.gather(
        *good[:20], backend.create(prefix + "bad\udfff", b"x"), *good[20:], return_exceptions=True
    )
    assert isinstance(results[20], ValueError)
    assert all(isinstance(r, KeyValue) for r in results[:20] + results[21:]), results
    assert await backend.count(prefix) == 40


@pytest.mark.parametrize(
    "call,error",
    [
        pytest.param(lambda b, p: b.get(None), TypeError, id="get-none-key"),
        pytest.param(lambda b, p: b.get(p.encode()), TypeError, id="get-bytes-key"),
        pytest.param(lambda b, p: b.get(p + "\ud800"), ValueError, id="get-key-not-utf8"),
        pytest.param(lambda b, p: b.get(p, revision=-1), ValueError, id="get-negative-revision"),
        pytest.param(lambda b, p: b.list(p + "\ud800"), ValueError, id="list-prefix-not-utf8"),
        pytest.param(lambda b, p: b.list(p, revision=-1), ValueError, id="list-negative-revision"),
        pytest.param(lambda b, p: b.list(p, start_after=1), TypeError, id="list-int-start-after"),
        pytest.param(lambda b, p: b.count(p, revision=-1), ValueError, id="count-negative-revision"),
        pytest.param(lambda b, p: b.get("/" + "k" * (3 << 20)), errors.ValueTooLarge, id="get-huge-key"),
        pytest.param(lambda b, p: collect(b.watch(p + "\ud800", since=0), 1), ValueError,
                     id="watch-prefix-not-utf8"),
        pytest.param(lambda b, p: collect(b.watch(p, since=-1), 1), ValueError,
                     id="watch-negative-revision"),
    ],
)
async def test_bad_reads_are_refused_the_same_by_every_backend(
    backend: storage.Backend, prefix: str, call: object, error: type[Exception]
) -> None:
    with pytest.raises(error):
        await call(backend, prefix)  # type: ignore[operator]


async def test_watch_ends_when_backend_closes(store: Store, prefix: str) -> None:
    backend = await store.open()
    stream = backend.watch(prefix, since=await backend.current_revision())
    reader = asyncio.ensure_future(collect(stream, 1))
    await asyncio.sleep(0.1)
    await backend.close()
    with pytest.raises(errors.Unavailable):
        await reader
