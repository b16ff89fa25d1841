"""etcd with several members: when the member in use dies, requests and watches move on."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

import storage
from hack.etcd_cluster import EtcdCluster
from storage import errors
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
