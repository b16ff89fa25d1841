"""etcd with several members: when the member in use dies, requests and watches move on."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator

import pytest

import storage
from hack.etcd_cluster import EtcdCluster
from storage import errors
from storage.backend import KeyValue
from storage.etcd import EtcdBackend
from tests.test_storage_conformance import collect


@pytest.fixture
async def cluster() -> AsyncIterator[EtcdCluster]:
    c = await asyncio.to_thread(EtcdCluster(3).start)
    yield c
    await asyncio.to_thread(c.stop)


async def test_failover_keeps_reads_writes_and_watches(cluster: EtcdCluster) -> None:
    backend = await storage.open_backend(cluster.url)
    assert isinstance(backend, EtcdBackend)
    since = await backend.current_revision()
    stream = backend.watch("/f/", since=since)
    written = [await backend.create(f"/f/{i:03d}", b"x") for i in range(10)]
    assert [e.kv for e in await collect(stream, 10)] == written

    in_use = cluster.members[backend._current]
    await asyncio.to_thread(cluster.kill_member, in_use)

    for i in range(10, 30):
        key = f"/f/{i:03d}"
        for _ in range(5):
            try:
                written.append(await backend.create(key, b"x"))
                break
            except errors.Unavailable:
                # The outcome was lost in the failover: the write may or may not have landed.
                try:
                    written.append(await backend.get(key))
                    break
                except errors.KeyNotFound:
                    continue
        else:
            raise AssertionError(f"could not write {key} after the failover")
    assert cluster.members[backend._current] is not in_use
    assert [kv.key for kv in (await backend.list("/f/")).items] == [kv.key for kv in written]
    events = await collect(stream, 20, timeout=30)
    assert [e.kv for e in events] == written[10:], "the watch resumed with no gap or duplicate"
    await stream.aclose()  # type: ignore[attr-defined]
    await backend.close()


async def create_surely(backend: storage.Backend, key: str) -> KeyValue:
    """Create `key`, retrying when the outcome was lost (an election under way)."""
    for _ in range(5):
        try:
            return await backend.create(key, b"x")
        except errors.Unavailable:
            try:
                return await backend.get(key)
            except errors.KeyNotFound:
                continue
    raise AssertionError(f"could not write {key}")


async def test_a_member_that_hangs_is_failed_over(cluster: EtcdCluster) -> None:
    """A stopped member still accepts connections (the kernel queues them) but never
    answers: reads, writes and watches must move on to the other members, not wait on it."""
    backend = await storage.open_backend(cluster.url)
    assert isinstance(backend, EtcdBackend)
    backend.watch_idle = 1.0
    hung = cluster.members[backend._current]
    others = "etcd://" + ",".join(
        f"127.0.0.1:{m.client_port}" for m in cluster.members if m is not hung
    )
    writer = await storage.open_backend(others)
    await backend.create("/h/a", b"1")
    stream = backend.watch("/h/", since=await backend.current_revision())
    first = await writer.create("/h/b", b"1")
    assert [e.kv for e in await collect(stream, 1)] == [first]
    assert hung.proc is not None
    hung.proc.send_signal(signal.SIGSTOP)
    try:
        written = [await create_surely(writer, f"/h/{i}") for i in range(3)]
        events = await collect(stream, 3, timeout=backend.timeout)
        assert [e.kv for e in events] == written, "the watch left the hung member"

        loop = asyncio.get_running_loop()
        started = loop.time()
        assert (await backend.get("/h/a")).value == b"1"
        assert (await create_surely(backend, "/h/c")).key == "/h/c"
        assert [kv.key for kv in (await backend.list("/h/")).items][-1] == "/h/c"
        assert loop.time() - started < backend.timeout, "calls did not wait out the timeout"
        assert cluster.members[backend._current] is not hung
    finally:
        hung.proc.send_signal(signal.SIGCONT)
        await stream.aclose()  # type: ignore[attr-defined]
        await backend.close()
        await writer.close()
