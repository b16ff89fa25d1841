"""Backends by URL, and the compactor."""

from __future__ import annotations

import asyncio
import subprocess

import pytest

import storage
from storage import errors
from hack.etcd_cluster import EtcdCluster, etcd_binary, free_port
from storage.compactor import Compactor
from storage.etcd import EtcdBackend, parse_members
from tests.conftest import Store


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("postgres://localhost/db", id="unknown-scheme"),
        pytest.param("/var/lib/vapi/store.db", id="no-scheme"),
        pytest.param("sqlite://host/file.db", id="sqlite-with-host"),
        pytest.param("sqlite:///", id="sqlite-without-file"),
        pytest.param("sqlite:///tmp/x.db?journal=off", id="sqlite-unknown-option"),
        pytest.param("sqlite:///tmp/x.db?synchronous=sometimes", id="sqlite-bad-synchronous"),
        pytest.param("etcd://", id="etcd-without-members"),
        pytest.param("etcd://localhost", id="etcd-without-port"),
        pytest.param("etcd://h1:2379,h2", id="etcd-member-without-port"),
        pytest.param("etcd://h1:2379/prefix", id="etcd-with-path"),
        pytest.param("etcd://::1:2379", id="etcd-ipv6-without-brackets"),
        pytest.param("etcd://h1:0", id="etcd-port-zero"),
        pytest.param("etcd://h1:65536", id="etcd-port-too-large"),
    ],
)
async def test_bad_urls_name_the_expected_format(url: str) -> None:
    with pytest.raises(errors.InvalidURL) as e:
        await storage.open_backend(url)
    assert "sqlite:///" in str(e.value) or "etcd://host:port" in str(e.value)


async def test_unreachable_etcd_is_unavailable() -> None:
    from hack.etcd_cluster import free_port

    from storage.etcd import EtcdBackend

    b = EtcdBackend([("127.0.0.1", free_port())], timeout=1.0)
    with pytest.raises(errors.Unavailable):
        await b.open()
    await b.close()


async def test_sqlite_file_is_owned_by_one_process(tmp_path: object) -> None:
    url = f"sqlite://{tmp_path}/one.db"
    first = await storage.open_backend(url)
    try:
        with pytest.raises(errors.Unavailable):
            await storage.open_backend(url)
    finally:
        await first.close()
    second = await storage.open_backend(url)
    await second.close()


@pytest.mark.parametrize(
    "query,level",
    [
        pytest.param("", 2, id="default-is-durable-FULL"),
        pytest.param("?synchronous=NORMAL", 1, id="NORMAL"),
        pytest.param("?synchronous=full", 2, id="full-lower-case"),
    ],
)
async def test_sqlite_synchronous_option(tmp_path: object, query: str, level: int) -> None:
    b = await storage.open_backend(f"sqlite://{tmp_path}/n.db{query}")
    await b.create("/a", b"1")
    assert (await b.get("/a")).value == b"1"
    # Connections share the pragmas (storage/sqlite.py _connect): the reader's stand for the writer's.
    reader = b._reader  # type: ignore[attr-defined]
    assert reader.execute("PRAGMA synchronous").fetchone()[0] == level
    assert reader.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    await b.close()


async def test_compactor_keeps_a_window(own_store: Store) -> None:
    b = await own_store.open()
    kv = await b.create("/k", b"0")
    compactor = Compactor(b, keep=5, interval=3600)
    assert await compactor.tick() == 0, "the first tick only records where the store is"
    first_seen = kv.mod_revision
    for i in range(20):
        kv = await b.update("/k", str(i).encode(), revision=kv.mod_revision)
    assert await compactor.tick() == first_seen, "never beyond the revision seen at the previous tick"
    second_seen = kv.mod_revision
    for i in range(20):
        kv = await b.update("/k", str(i).encode(), revision=kv.mod_revision)
    target = await compactor.tick()
    assert target == second_seen and target <= await b.current_revision() - 5
    assert await b.compact_revision() == target
    with pytest.raises(errors.Compacted):
        await b.get("/k", revision=target - 1)
    assert (await b.get("/k", revision=target)).value == b"19"


async def test_compactor_runs_on_schedule(own_store: Store) -> None:
    b = await own_store.open()
    kv = await b.create("/k", b"0")
    compactor = Compactor(b, keep=2, interval=0.05)
    compactor.start()
    for i in range(30):
        kv = await b.update("/k", str(i).encode(), revision=kv.mod_revision)
    async with asyncio.timeout(5):
        while await b.compact_revision() == 0:
            await asyncio.sleep(0.02)
    await compactor.stop()
    assert await b.compact_revision() <= await b.current_revision() - 2


async def test_sqlite_file_that_is_not_a_database(tmp_path: object) -> None:
    path = f"{tmp_path}/garbage.db"
    with open(path, "wb") as f:
        f.write(b"this is not an SQLite database, just some bytes" * 100)
    with pytest.raises(errors.Unavailable):
        await storage.open_backend(f"sqlite://{path}")


async def test_sqlite_path_that_cannot_be_created(tmp_path: object) -> None:
    blocker = f"{tmp_path}/file"
    with open(blocker, "w") as f:
        f.write("x")
    with pytest.raises(errors.Unavailable):
        await storage.open_backend(f"sqlite://{blocker}/sub/store.db")


async def test_etcd_compaction_by_another_replica_is_learned() -> None:
    """Replicas share one etcd: what one compacted, the others report (compact_revision,
    and the oldest revision a Compacted error names)."""
    cluster = await asyncio.to_thread(EtcdCluster(1).start)
    try:
        one = await storage.open_backend(cluster.url)
        two = await storage.open_backend(cluster.url)
        kv = await one.create("/c", b"0")
        for i in range(5):
            kv = await one.update("/c", str(i).encode(), revision=kv.mod_revision)
        await one.compact(kv.mod_revision - 1)
        with pytest.raises(errors.Compacted) as compacted:
            await two.get("/c", revision=kv.mod_revision - 3)
        assert compacted.value.compact_revision == kv.mod_revision - 1
        assert await two.compact_revision() == kv.mod_revision - 1
        three = await storage.open_backend(cluster.url)
        assert await three.compact_revision() == kv.mod_revision - 1
        for b in (one, two, three):
            await b.close()
    finally:
        await asyncio.to_thread(cluster.stop)


def test_etcd_members_keep_ipv6_brackets() -> None:
    assert parse_members("[::1]:2379,10.0.0.1:2379,etcd-2:2380") == [
        ("[::1]", 2379), ("10.0.0.1", 2379), ("etcd-2", 2380)
    ]


async def test_etcd_member_on_ipv6_loopback(tmp_path: object) -> None:
    port, peer = free_port(), free_port()
    proc = subprocess.Popen(
        [
            etcd_binary(), "--data-dir", f"{tmp_path}/etcd",
            "--listen-client-urls", f"http://[::1]:{port}",
            "--advertise-client-urls", f"http://[::1]:{port}",
            "--listen-peer-urls", f"http://127.0.0.1:{peer}",
            "--initial-advertise-peer-urls", f"http://127.0.0.1:{peer}",
            "--initial-cluster", f"default=http://127.0.0.1:{peer}",
            "--log-level", "error",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        async with asyncio.timeout(30):
            while True:
                try:
                    backend = await storage.open_backend(f"etcd://[::1]:{port}")
                    break
                except errors.Unavailable:
                    await asyncio.sleep(0.2)
        assert (await backend.create("/v6", b"1")).value == b"1"
        await backend.close()
    finally:
        proc.terminate()
        proc.wait()


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param(b'{"etcdserver": "3.5.16", "etcdcluster": "not_decided"}', id="member-still-joining"),
        pytest.param(b"<html>not etcd</html>", id="not-etcd"),
    ],
)
async def test_etcd_member_not_ready_is_unavailable(answer: bytes) -> None:
    """A member that is starting says its cluster version is "not_decided": it is not
    ready (Unavailable, or the next member), not a ValueError from version parsing."""
    from aiohttp import web

    async def version(request: web.Request) -> web.Response:
        return web.Response(body=answer)

    app = web.Application()
    app.router.add_get("/version", version)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        with pytest.raises(errors.Unavailable):
            await EtcdBackend([("127.0.0.1", port)], timeout=1.0).open()
    finally:
        await runner.cleanup()
