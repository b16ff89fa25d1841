"""Workspace benchmark: what an empty workspace costs, and whether many of them slow the rest.

    .venv/bin/python hack/bench_workspaces.py [--n 100000] [--concurrency 32]

Starts `vapi serve` (SQLite, temporary data dir) and drives it with a plain aiohttp client:
GET latency of one object in one workspace with only that workspace present; then creates
N empty workspaces in root (POST Workspace, as `kubectl create` does) and prints the
creation rate, storage bytes and server RSS growth per workspace, and the same GET latency
again with the N workspaces present; last, the first request into 100 of the new workspaces
(where vapi makes their default namespaces). Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import random
import statistics
import sys
import tempfile
import time

import aiohttp
import orjson

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from hack.bench_api import client_ssl  # noqa: E402
from hack.benchlib import Report, rate, rss_bytes, store_bytes  # noqa: E402
from tests.apiserver import VapiProcess  # noqa: E402

REPORT = Report("bench-workspaces")
progress = REPORT.progress
row = REPORT.row
WORKSPACES = "/clusters/root/apis/tenancy.vapi.dev/v1alpha1/workspaces"


async def latency(http: aiohttp.ClientSession, url: str, n: int) -> tuple[float, float]:
    """p50 and p99 of n GETs, one at a time, in milliseconds."""
    gc.collect()
    gc.disable()  # the client's collections are not the server's latency
    times = []
    for _ in range(n):
        t = time.perf_counter()
        async with http.get(url) as r:
            assert r.status == 200, await r.text()
            await r.read()
        times.append(time.perf_counter() - t)
    gc.enable()
    times.sort()
    return statistics.median(times) * 1000, times[int(len(times) * 0.99) - 1] * 1000


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--gets", type=int, default=3000)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        progress("starting vapi serve")
        server = VapiProcess(os.path.join(tmp, "vapi")).start()
        assert server.proc is not None
        pid = server.proc.pid
        try:
            base = server.base
            connector = aiohttp.TCPConnector(ssl=client_ssl(server, tmp), limit=args.concurrency)
            async with aiohttp.ClientSession(connector=connector, headers={"Content-Type": "application/json"}) as http:
                async def create_workspace(name: str) -> None:
                    body = orjson.dumps({"apiVersion": "tenancy.vapi.dev/v1alpha1", "kind": "Workspace", "metadata": {"name": name}})
                    async with http.post(base + WORKSPACES, data=body) as r:
                        assert r.status == 201, await r.text()
                        await r.read()

                await create_workspace("probe")
                cm = f"{base}/clusters/root:probe/api/v1/namespaces/default/configmaps"
                async with http.post(cm, data=orjson.dumps({"apiVersion": "v1", "kind": "ConfigMap",
                                                            "metadata": {"name": "c"}, "data": {"k": "v"}})) as r:
                    assert r.status == 201, await r.text()
                progress(f"GET latency in root:probe, {args.gets} sequential GETs, no other workspace")
                before_p50, before_p99 = await latency(http, f"{cm}/c", args.gets)
                await asyncio.sleep(1)
                rss0, disk0 = rss_bytes(pid), store_bytes(server.data_dir)

                progress(f"creating {args.n:,} empty workspaces, {args.concurrency} in flight")
                done = 0
                started = time.perf_counter()

                async def numbered(i: int) -> None:
                    nonlocal done
                    await create_workspace(f"ws-{i:06d}")
                    done += 1
                    if done % 10_000 == 0:
                        progress(f"  {done:,} workspaces, {done / (time.perf_counter() - started):,.0f}/s")

                create_rate = await rate(args.n, numbered, args.concurrency)
                await asyncio.sleep(1)
                rss1, disk1 = rss_bytes(pid), store_bytes(server.data_dir)

                progress(f"GET latency in root:probe with {args.n:,} workspaces present")
                after_p50, after_p99 = await latency(http, f"{cm}/c", args.gets)

                progress("first request into 100 of the new workspaces")
                firsts = []
                for i in random.Random(1).sample(range(args.n), min(100, args.n)):
                    t = time.perf_counter()
                    async with http.get(f"{base}/clusters/root:ws-{i:06d}/api/v1/namespaces") as r:
                        assert r.status == 200, await r.text()
                        assert len(orjson.loads(await r.read())["items"]) == 4
                    firsts.append(time.perf_counter() - t)
                firsts.sort()
        finally:
            server.stop()

    n = args.n
    row("workspace creation rate", f"{create_rate:,.0f}/s", "target >= 500/s (kcp's load test: 8/s)")
    row("storage per empty workspace", f"{(disk1 - disk0) / n:,.0f} bytes",
        f"{disk1 - disk0:,} bytes for {n:,} (SQLite file and WAL); target < 20 KB")
    row("server RSS growth per empty workspace", f"{(rss1 - rss0) / n:,.0f} bytes",
        f"{(rss1 - rss0) / 2**20:,.1f} MiB for {n:,}; target < 20 KB (kcp: 7-10 MiB each)")
    row("GET p50 / p99, 1 workspace", f"{before_p50:.2f} / {before_p99:.2f} ms", f"{args.gets} sequential GETs")
    row(f"GET p50 / p99, {n:,} workspaces", f"{after_p50:.2f} / {after_p99:.2f} ms",
        f"ratio p50 {after_p50 / before_p50:.2f}, p99 {after_p99 / before_p99:.2f}; target: unchanged within noise")
    row("first request into a new workspace, p50 / max",
        f"{statistics.median(firsts) * 1000:.1f} / {firsts[-1] * 1000:.1f} ms", "makes its 4 default namespaces")
    REPORT.print_table()


if __name__ == "__main__":
    asyncio.run(main())
