"""Shared fixtures: real etcd members, store factories for every backend, leak checks."""

from __future__ import annotations

import asyncio
import itertools
import os
import sys
from collections.abc import AsyncIterator, Iterator

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

import storage  # noqa: E402
from hack.etcd_cluster import EtcdCluster  # noqa: E402
from tests.apiserver import VapiProcess  # noqa: E402

BACKENDS = ["sqlite", "etcd"]
_prefixes = itertools.count()


@pytest.fixture(scope="session")
def etcd() -> Iterator[EtcdCluster]:
    """One real etcd member for the whole session; tests keep apart by key prefix."""
    cluster = EtcdCluster(1).start()
    yield cluster
    cluster.stop()


class Store:
    """Opens backends of one kind. `restart()` restarts what holds the data: the SQLite file
    is reopened, the etcd member is killed with SIGKILL and started again."""

    def __init__(self, kind: str, url: str, cluster: EtcdCluster | None = None) -> None:
        self.kind = kind
        self.url = url
        self.cluster = cluster
        self.opened: list[storage.Backend] = []

    async def open(self) -> storage.Backend:
        backend = await storage.open_backend(self.url)
        self.opened.append(backend)
        return backend

    async def restart(self) -> None:
        for b in self.opened:
            await b.close()
        if self.cluster is not None:
            for m in self.cluster.members:
                self.cluster.kill_member(m)
            for m in self.cluster.members:
                await asyncio.to_thread(self.cluster.start_member, m, wait=False)
            for m in self.cluster.members:
                await asyncio.to_thread(self.cluster.wait_healthy, m)

    async def close(self) -> None:
        for b in self.opened:
            await b.close()


@pytest.fixture(params=BACKENDS)
async def store(request: pytest.FixtureRequest, tmp_path: object) -> AsyncIterator[Store]:
    """A store of each kind; the etcd one is shared by the session (use `prefix`)."""
    if request.param == "sqlite":
        s = Store("sqlite", f"sqlite://{tmp_path}/store.db")
    else:
        s = Store("etcd", request.getfixturevalue("etcd").url)
    yield s
    await s.close()


@pytest.fixture(params=BACKENDS)
async def own_store(request: pytest.FixtureRequest, tmp_path: object) -> AsyncIterator[Store]:
    """A store of each kind that no other test touches (restart, compaction)."""
    cluster = None
    if request.param == "sqlite":
        s = Store("sqlite", f"sqlite://{tmp_path}/store.db")
    else:
        cluster = await asyncio.to_thread(EtcdCluster(1).start)
        s = Store("etcd", cluster.url, cluster)
    yield s
    await s.close()
    if cluster is not None:
        cluster.stop()


@pytest.fixture
async def backend(store: Store) -> storage.Backend:
    return await store.open()


@pytest.fixture
def prefix() -> str:
    """A key prefix no other test uses."""
    return f"/t{os.getpid()}-{next(_prefixes)}/"


@pytest.fixture(autouse=True)
async def no_leaked_tasks() -> AsyncIterator[None]:
    """Fail a test that leaves asyncio tasks running (after kopf's fixture)."""
    before = asyncio.all_tasks()
    yield
    await asyncio.sleep(0)
    leaked = [
        t for t in asyncio.all_tasks() - before
        if t is not asyncio.current_task() and not t.done()
    ]
    if leaked:
        for t in leaked:
            t.cancel()
        pytest.fail(f"leaked asyncio tasks: {leaked}")


@pytest.fixture(scope="session")
def vapi(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VapiProcess]:
    """One `vapi serve` for the session (SQLite in a temporary data dir)."""

    server = VapiProcess(str(tmp_path_factory.mktemp("vapi")), "--watch-cache-size", "50").start()
    yield server
    server.stop()


@pytest.fixture
def namespace(vapi: VapiProcess) -> str:
    """A fresh namespace in the session's server."""
    import json

    name = f"t{next(_prefixes)}"
    body = json.dumps({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}).encode()
    code, _, out = vapi.request("POST", "/clusters/root/api/v1/namespaces", body,
                                headers={"Content-Type": "application/json"})
    assert code == 201, out
    return name
