"""Storage benchmark: each backend against its raw driver, measured in one run.

    .venv/bin/python hack/bench_storage.py [--writes N] [--watchers N] [--keys N]

Prints a table: raw SQLite commits/s (WAL, synchronous=FULL, one row per commit) vs the
SQLite backend's creates/s at the same durability; raw etcd3-py puts/s vs the etcd backend's
creates/s against the same real etcd; gets/s; listing 10,000 keys; and watch fan-out: 10,000
watchers on one prefix through the watch cache, time from a write until each has the event
(p50/p99). Writes are measured one at a time and with many in flight (same for raw and
backend). Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import storage  # noqa: E402
from hack.benchlib import Report, rate  # noqa: E402
from hack.etcd_cluster import EtcdCluster  # noqa: E402
from storage.cache import WatchCache  # noqa: E402

CONCURRENCY = 64
REPORT = Report("bench")
progress = REPORT.progress
row = REPORT.row


def raw_sqlite_commits(path: str, n: int) -> float:
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("CREATE TABLE t (k TEXT PRIMARY KEY, v BLOB)")
    value = b"x" * 512
    t = time.perf_counter()
    for i in range(n):
        db.execute("BEGIN")
        db.execute("INSERT INTO t VALUES (?, ?)", (f"/bench/raw/{i:08d}", value))
        db.execute("COMMIT")
    elapsed = time.perf_counter() - t
    db.close()
    return n / elapsed


async def bench_writes(
    label: str,
    backend: storage.Backend,
    raw: Callable[[int, int], Awaitable[float]],
    n: int,
    rounds: int = 5,
) -> None:
    """Raw and backend writes alternate in `rounds` slices, so that drift in the disk's
    speed during the run falls on both alike."""
    value = b"x" * 512
    for conc in (1, CONCURRENCY):
        progress(f"{label}: raw writes vs backend creates, {conc} in flight")
        raw_time = ours_time = 0.0
        per = n // rounds
        for r in range(rounds):
            raw_time += per / await raw(per, conc)
            tag = f"c{conc}r{r}"
            ours_time += per / await rate(
                per, lambda i: backend.create(f"/bench/{label}/{tag}/{i:08d}", value), conc
            )
        raw_rate, ours = per * rounds / raw_time, per * rounds / ours_time
        row(f"{label} raw writes/s ({conc} in flight)", f"{raw_rate:,.0f}")
        row(
            f"{label} backend creates/s ({conc} in flight)",
            f"{ours:,.0f}",
            f"ratio {ours / raw_rate:.2f}",
        )


async def bench_reads(label: str, backend: storage.Backend, n: int, keys: int) -> None:
    progress(f"{label}: gets")
    prefix = f"/bench/{label}/c1r0/"
    span = max(1, min(100, n // 5))  # keys written by the first slice of creates
    got = await rate(n, lambda i: backend.get(f"{prefix}{i % span:08d}"), 1)
    row(f"{label} gets/s (1 in flight)", f"{got:,.0f}")
    got = await rate(n, lambda i: backend.get(f"{prefix}{i % span:08d}"), CONCURRENCY)
    row(f"{label} gets/s ({CONCURRENCY} in flight)", f"{got:,.0f}")

    progress(f"{label}: writing {keys} keys to list")
    lp = f"/bench/{label}/list/"
    value = b"y" * 512
    await rate(keys, lambda i: backend.create(f"{lp}{i:08d}", value), CONCURRENCY)
    t = time.perf_counter()
    page = await backend.list(lp)
    one = time.perf_counter() - t
    assert len(page.items) == keys
    row(f"{label} list {keys:,} keys (one call)", f"{one * 1000:,.0f} ms")
    t = time.perf_counter()
    seen, page = 0, await backend.list(lp, limit=500)
    seen += len(page.items)
    while page.more:
        page = await backend.list(lp, limit=500, revision=page.revision, start_after=page.items[-1].key)
        seen += len(page.items)
    paged = time.perf_counter() - t
    assert seen == keys
    row(f"{label} list {keys:,} keys (pages of 500)", f"{paged * 1000:,.0f} ms")


async def bench_fanout(label: str, backend: storage.Backend, watchers: int) -> None:
    progress(f"{label}: starting {watchers} watchers")
    cache = WatchCache(backend)
    prefix = f"/bench/{label}/watch/"
    since = await backend.current_revision()
    latencies: list[float] = []
    started = asyncio.Event()
    t0 = 0.0
    ready = 0

    async def watcher() -> None:
        nonlocal ready
        stream = cache.watch(prefix, since=since)
        it = stream.__aiter__()
        ready += 1
        if ready == watchers:
            started.set()
        await it.__anext__()
        latencies.append(time.perf_counter() - t0)
        await stream.aclose()  # type: ignore[attr-defined]

    tasks = [asyncio.create_task(watcher()) for _ in range(watchers)]
    await started.wait()
    await asyncio.sleep(0.5)  # every watcher is parked on the window
    t0 = time.perf_counter()
    await backend.create(prefix + "event", b"e")
    await asyncio.gather(*tasks)
    await cache.close()
    latencies.sort()
    p50 = statistics.median(latencies)
    p99 = latencies[int(len(latencies) * 0.99) - 1]
    row(
        f"{label} watch fan-out to {watchers:,} watchers",
        f"p50 {p50 * 1000:,.0f} ms, p99 {p99 * 1000:,.0f} ms",
        f"max {latencies[-1] * 1000:,.0f} ms",
    )


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--writes", type=int, default=3000)
    ap.add_argument("--etcd-writes", type=int, default=1000)
    ap.add_argument("--keys", type=int, default=10_000)
    ap.add_argument("--watchers", type=int, default=10_000)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        progress("SQLite")
        sq = await storage.open_backend(f"sqlite://{tmp}/bench.db")
        rawdb = os.path.join(tmp, "raw.db")
        count = iter(range(10**9))

        async def raw_sqlite(n: int, conc: int) -> float:
            # SQLite has one writer at a time: with any number of clients, raw SQLite commits
            # row by row, so the raw baseline is one connection committing in a loop.
            return await asyncio.to_thread(raw_sqlite_commits, f"{rawdb}{next(count)}", n)

        await bench_writes("sqlite", sq, raw_sqlite, args.writes)
        await bench_reads("sqlite", sq, args.writes, args.keys)
        await bench_fanout("sqlite", sq, args.watchers)
        await sq.close()

    progress("etcd: starting a member")
    cluster = EtcdCluster(1).start()
    try:
        from etcd3 import AioClient

        member = cluster.members[0]
        raw = AioClient(host="127.0.0.1", port=member.client_port, pool_size=100)
        value = b"x" * 512

        async def raw_etcd(n: int, conc: int) -> float:
            tag = next(count)
            return await rate(n, lambda i: raw.put(f"/bench/raw/{tag}/{i:08d}", value), conc)

        import aiohttp
        import base64

        import orjson

        session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=100))
        put_url = f"{member.client_url}/v3/kv/put"

        async def put_gateway(key: str) -> None:
            body = {"key": base64.b64encode(key.encode()).decode(), "value": base64.b64encode(value).decode()}
            async with session.post(put_url, data=orjson.dumps(body)) as r:
                await r.read()

        async def raw_gateway(n: int, conc: int) -> float:
            tag = next(count)
            return await rate(n, lambda i: put_gateway(f"/bench/rawgw/{tag}/{i:08d}"), conc)

        ed = await storage.open_backend(cluster.url)
        # The acceptance baseline: etcd3-py's own put. A stricter floor follows: a bare
        # HTTP post of the same put to the gateway, with no client library at all.
        await bench_writes("etcd", ed, raw_etcd, args.etcd_writes)
        await bench_writes("etcd (vs bare gateway HTTP)", ed, raw_gateway, args.etcd_writes)
        await session.close()
        await bench_reads("etcd", ed, args.etcd_writes, args.keys)
        await bench_fanout("etcd", ed, args.watchers)
        await ed.close()
        await raw.close()
    finally:
        cluster.stop()

    REPORT.print_table()


if __name__ == "__main__":
    asyncio.run(main())
