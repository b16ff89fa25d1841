"""Acknowledged writes survive SIGKILL: a child writes as fast as it can and is killed at a
random moment (with the etcd member holding the data, for etcd); after a restart every key it
reported as acknowledged is present with its value."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import time

import pytest

import storage
from tests.conftest import Store

WRITER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "crash_writer.py")


def run_and_kill(store: Store, min_acks: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    child = subprocess.Popen(
        [sys.executable, WRITER, store.url], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert child.stdout is not None
    acked: list[str] = []
    os.set_blocking(child.stdout.fileno(), False)
    buf = b""
    deadline = time.monotonic() + 60
    kill_after = None
    while True:
        chunk = child.stdout.read() or b""
        buf += chunk
        if kill_after is None and buf.count(b"\n") >= min_acks:
            kill_after = time.monotonic() + rng.uniform(0.0, 0.5)
        if kill_after is not None and time.monotonic() >= kill_after:
            break
        if child.poll() is not None:
            raise AssertionError(f"writer exited early: {child.stderr.read().decode()[-3000:]}")  # type: ignore[union-attr]
        assert time.monotonic() < deadline, "writer too slow to acknowledge"
        time.sleep(0.002)
    child.send_signal(signal.SIGKILL)
    if store.cluster is not None:  # the etcd member goes down with it
        for m in store.cluster.members:
            store.cluster.kill_member(m, signal.SIGKILL)
    child.wait()
    os.set_blocking(child.stdout.fileno(), True)
    buf += child.stdout.read() or b""
    child.stdout.close()
    child.stderr.close()  # type: ignore[union-attr]
    complete, _, _partial = buf.rpartition(b"\n")
    acked = complete.decode().split("\n") if complete else []
    return acked


@pytest.mark.parametrize("seed", [1, 2])
async def test_acknowledged_writes_survive_sigkill(own_store: Store, seed: int) -> None:
    acked = await asyncio.to_thread(run_and_kill, own_store, 200, seed)
    assert len(acked) >= 200
    await own_store.restart()
    backend = await own_store.open()
    present = {kv.key: kv.value for kv in (await backend.list("/crash/")).items}
    missing = [k for k in acked if present.get(k) != k.encode()]
    assert not missing, f"{len(missing)} acknowledged keys lost, e.g. {missing[:5]}"
    # The store still works and never reuses a revision it gave out before the crash.
    top = max(kv.mod_revision for kv in (await backend.list("/crash/")).items)
    assert (await backend.create("/after", b"x")).mod_revision > top
