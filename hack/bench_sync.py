"""Sync benchmark: how fast a change at the center reaches the edges, and what placing costs.

    .venv/bin/python hack/bench_sync.py [--clusters 10] [--updates 200] [--fleet 1000] [--objects 100]

1. Latency: a center, one edge vapi process serving one workspace per edge cluster (each a
   stand-in for an edge cluster's API), one `vapi syncer` process per cluster. A ConfigMap
   placed on every cluster is updated `--updates` times, one update at a time, by a
   server-side apply at the center; the time from sending the apply to the new value arriving
   in a watch on each edge stand-in gives p50/p99 over updates x clusters.
2. Scale: a fresh center with `--objects` ConfigMaps; its storage and RSS are measured, then
   with `--fleet` EdgeClusters registered, then with a Placement sending all the objects to
   all the clusters and every cluster's sync view read once. No per-(object, cluster) copy is
   stored, so placing adds nothing per cluster beyond the EdgeCluster itself.
3. The syncer's RSS, idle, with 500 objects in its view.
Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time

import aiohttp
import orjson
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from hack.bench_api import client_ssl  # noqa: E402
from hack.benchlib import Report, rate, rss_bytes, store_bytes  # noqa: E402
from tests.apiserver import VapiProcess, stop_all  # noqa: E402

REPORT = Report("bench-sync")
progress = REPORT.progress
row = REPORT.row
EDGE = "/apis/edge.vapi.dev/v1alpha1"


def register(center: VapiProcess, name: str, labels: dict[str, str], out: str) -> str:
    args = [sys.executable, "-m", "vapi.cli", "cluster", "register", name, "--data-dir", center.data_dir]
    for k, v in labels.items():
        args += ["--label", f"{k}={v}"]
    kc = subprocess.run(args, capture_output=True, text=True, cwd=ROOT, check=True, timeout=60).stdout
    with open(out, "w") as f:
        f.write(kc)
    return out


def placement(name: str, selector: dict, objects: list[dict]) -> bytes:
    return orjson.dumps({"apiVersion": "edge.vapi.dev/v1alpha1", "kind": "Placement", "metadata": {"name": name},
                         "spec": {"clusterSelector": selector, "objects": objects}})


async def post(http: aiohttp.ClientSession, url: str, body: bytes) -> None:
    async with http.post(url, data=body, headers={"Content-Type": "application/json"}) as r:
        assert r.status == 201, await r.text()


def start_syncer(tmp: str, name: str, center_kc: str, edge_kc: str, heartbeat: float = 5.0) -> subprocess.Popen[bytes]:
    log = open(os.path.join(tmp, f"syncer-{name}.log"), "ab")
    return subprocess.Popen([sys.executable, "-m", "vapi.cli", "syncer", "--kubeconfig", center_kc, "--edge-kubeconfig", edge_kc,
                             "--state-dir", os.path.join(tmp, "state"), "--heartbeat-seconds", str(heartbeat),
                             "--resync-seconds", "600"],
                            stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)


def edge_kubeconfig(edge: VapiProcess, workspace: str, path: str) -> str:
    with open(edge.kubeconfig) as f:
        kc = yaml.safe_load(f)
    kc["clusters"][0]["cluster"]["server"] = f"{edge.base}/clusters/{workspace}"
    with open(path, "w") as f:
        yaml.safe_dump(kc, f)
    return path


async def latency(args: argparse.Namespace, tmp: str) -> None:
    n = args.clusters
    center = VapiProcess(os.path.join(tmp, "center")).start()
    edge = VapiProcess(os.path.join(tmp, "edge")).start()
    syncers: list[subprocess.Popen[bytes]] = []
    try:
        conn = aiohttp.TCPConnector(ssl=client_ssl(center, tmp), limit=64)
        edge_conn = aiohttp.TCPConnector(ssl=client_ssl(edge, tmp), limit=64)  # client_ssl has loaded the center's files
        async with aiohttp.ClientSession(connector=conn) as http, aiohttp.ClientSession(connector=edge_conn) as edge_http:
            progress(f"{n} edge clusters: workspaces on one edge process, a syncer each")
            for i in range(n):
                await post(edge_http, f"{edge.base}/clusters/root/apis/tenancy.vapi.dev/v1alpha1/workspaces",
                           orjson.dumps({"apiVersion": "tenancy.vapi.dev/v1alpha1", "kind": "Workspace", "metadata": {"name": f"e{i}"}}))
                center_kc = register(center, f"e{i}", {"bench": "latency"}, os.path.join(tmp, f"e{i}.kubeconfig"))
                syncers.append(start_syncer(tmp, f"e{i}", center_kc, edge_kubeconfig(edge, f"root:e{i}", os.path.join(tmp, f"edge-e{i}.kubeconfig"))))
            cm_url = f"{center.server}/api/v1/namespaces/default/configmaps/probe?fieldManager=bench&force=true"

            async def write(value: str) -> None:
                body = orjson.dumps({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "probe", "namespace": "default"},
                                     "data": {"value": value}})
                async with http.patch(cm_url, data=body, headers={"Content-Type": "application/apply-patch+yaml"}) as r:
                    assert r.status in (200, 201), await r.text()

            await write("start")
            await post(http, f"{center.server}{EDGE}/placements",
                       placement("probe", {"matchLabels": {"bench": "latency"}},
                                 [{"apiGroup": "", "resources": ["configmaps"], "namespaces": ["default"], "names": ["probe"]}]))
            arrivals: dict[tuple[int, str], float] = {}
            seen = asyncio.Event()
            expected: list[str] = [""]

            async def follow(i: int) -> None:
                url = f"{edge.base}/clusters/root:e{i}/api/v1/namespaces/default/configmaps?watch=true&fieldSelector=metadata.name%3Dprobe"
                async with edge_http.get(url, timeout=aiohttp.ClientTimeout(total=None, sock_read=None)) as r:
                    async for line in r.content:
                        value = orjson.loads(line)["object"].get("data", {}).get("value", "")
                        arrivals.setdefault((i, value), time.perf_counter())
                        if value == expected[0] and all((j, value) in arrivals for j in range(n)):
                            seen.set()

            watchers = [asyncio.create_task(follow(i)) for i in range(n)]
            expected[0] = "start"
            await asyncio.wait_for(seen.wait(), 60)
            progress(f"{args.updates} updates, each awaited on all {n} edges")
            samples = []
            for u in range(args.updates):
                value = f"v{u}"
                expected[0] = value
                seen.clear()
                t = time.perf_counter()
                await write(value)
                await asyncio.wait_for(seen.wait(), 30)
                samples += [arrivals[(i, value)] - t for i in range(n)]
            for w in watchers:
                w.cancel()
            await asyncio.gather(*watchers, return_exceptions=True)
        samples.sort()
        p50 = statistics.median(samples) * 1000
        p99 = samples[int(len(samples) * 0.99) - 1] * 1000
        row(f"apply at center -> object on edge, {n} clusters", f"p50 {p50:.0f} ms, p99 {p99:.0f} ms",
            f"{len(samples)} samples; target p50 < 100 ms, p99 < 500 ms (KubeStellar reports ~5 s average)")
    finally:
        stop_all(syncers, center, edge)


async def scale(args: argparse.Namespace, tmp: str) -> None:
    center = VapiProcess(os.path.join(tmp, "scale")).start()
    assert center.proc is not None
    pid = center.proc.pid
    try:
        conn = aiohttp.TCPConnector(ssl=client_ssl(center, tmp), limit=32)
        async with aiohttp.ClientSession(connector=conn) as http:
            cms = f"{center.server}/api/v1/namespaces/default/configmaps"
            await rate(args.objects, lambda i: post(http, cms, orjson.dumps({
                "apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"obj-{i:04d}", "labels": {"placed": "yes"}},
                "data": {"payload": "x" * 200}})), 16)
            await asyncio.sleep(1)
            disk0, rss0 = store_bytes(center.data_dir), rss_bytes(pid)
            progress(f"registering {args.fleet} EdgeClusters")
            await rate(args.fleet, lambda i: post(http, f"{center.server}{EDGE}/edgeclusters", orjson.dumps({
                "apiVersion": "edge.vapi.dev/v1alpha1", "kind": "EdgeCluster",
                "metadata": {"name": f"c{i:05d}", "labels": {"region": ["eu", "us", "ap"][i % 3], "fleet": "bench"}},
                "spec": {"properties": {"registry": f"reg{i % 7}.example.com"}}})), 16)
            await asyncio.sleep(1)
            disk1, rss1 = store_bytes(center.data_dir), rss_bytes(pid)
            progress(f"placing {args.objects} objects on all {args.fleet} clusters")
            await post(http, f"{center.server}{EDGE}/placements", placement("all", {"matchLabels": {"fleet": "bench"}},
                       [{"apiGroup": "", "resources": ["configmaps"], "namespaces": ["default"], "labelSelector": {"matchLabels": {"placed": "yes"}}}]))
            while True:  # the placement's status says it is in force
                async with http.get(f"{center.server}{EDGE}/placements/all") as r:
                    if orjson.loads(await r.read()).get("status", {}).get("clusters") == args.fleet:
                        break
                await asyncio.sleep(0.2)
            await asyncio.sleep(1)
            disk2, rss2 = store_bytes(center.data_dir), rss_bytes(pid)
            progress("reading every cluster's view once")
            counts = []

            async def read_view(i: int) -> None:
                async with http.get(f"{center.server}{EDGE}/edgeclusters/c{i:05d}/syncview") as r:
                    assert r.status == 200, await r.text()
                    counts.append(len(orjson.loads(await r.read())["items"]))

            t = time.perf_counter()
            await rate(args.fleet, read_view, 8)
            views_s = time.perf_counter() - t
            assert set(counts) == {args.objects}, set(counts)
            await asyncio.sleep(1)
            rss3 = rss_bytes(pid)
    finally:
        center.stop()
    f = args.fleet
    row(f"storage: {args.objects} objects alone", f"{disk0:,} bytes", "")
    row(f"storage per registered cluster ({f:,})", f"{(disk1 - disk0) / f:,.0f} bytes", "the EdgeCluster object itself (SQLite file and WAL)")
    row("storage added per cluster by placing", f"{(disk2 - disk1) / f:,.0f} bytes",
        f"{args.objects} objects x {f:,} clusters placed; target < 1 KB per cluster (no per-pair copies)")
    row(f"center RSS per registered cluster ({f:,})", f"{(rss1 - rss0) / f:,.0f} bytes", "")
    row("center RSS added per cluster by placing", f"{(rss2 - rss1) / f:,.0f} bytes", "target < 1 KB")
    row("center RSS after serving every view once", f"+{(rss3 - rss2) / 2**20:,.1f} MiB",
        f"allocator high-water of view computation; {f:,} views in {views_s:.1f} s, {f * args.objects / views_s:,.0f} placed objects/s")


async def syncer_memory(args: argparse.Namespace, tmp: str) -> None:
    center = VapiProcess(os.path.join(tmp, "mem-center")).start()
    edge = VapiProcess(os.path.join(tmp, "mem-edge")).start()
    syncer = None
    try:
        conn = aiohttp.TCPConnector(ssl=client_ssl(center, tmp), limit=32)
        async with aiohttp.ClientSession(connector=conn) as http:
            cms = f"{center.server}/api/v1/namespaces/default/configmaps"
            await rate(500, lambda i: post(http, cms, orjson.dumps({
                "apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"obj-{i:04d}"}, "data": {"payload": "x" * 200}})), 16)
            center_kc = register(center, "mem", {"bench": "memory"}, os.path.join(tmp, "mem.kubeconfig"))
            await post(http, f"{center.server}{EDGE}/placements", placement("mem", {"matchLabels": {"bench": "memory"}},
                       [{"apiGroup": "", "resources": ["configmaps"], "namespaces": ["default"], "names": ["obj-*"]}]))
            progress("a syncer applying 500 objects")
            syncer = start_syncer(tmp, "mem", center_kc, edge.kubeconfig, heartbeat=0.5)  # the count comes with heartbeats
            t = time.perf_counter()
            while True:
                async with http.get(f"{center.server}{EDGE}/edgeclusters/mem") as r:
                    status = orjson.loads(await r.read()).get("status", {})
                if status.get("objectsApplied") == 500:
                    break
                assert time.perf_counter() - t < 300, status
                await asyncio.sleep(0.5)
            first_sync = time.perf_counter() - t
            await asyncio.sleep(5)
            syncer_rss = rss_bytes(syncer.pid)
    finally:
        if syncer is not None:
            syncer.terminate()
            syncer.wait(15)
        edge.stop()
        center.stop()
    row("syncer RSS, idle, 500 objects in its view", f"{syncer_rss / 2**20:.1f} MiB", "target < 60 MB")
    row("syncer first sync of 500 objects", f"{first_sync:.1f} s", f"{500 / first_sync:,.0f} objects/s")


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clusters", type=int, default=10)
    ap.add_argument("--updates", type=int, default=200)
    ap.add_argument("--fleet", type=int, default=1000)
    ap.add_argument("--objects", type=int, default=100)
    ap.add_argument("--parts", default="latency,scale,syncer", help="which measurements, comma-separated")
    args = ap.parse_args()
    parts = set(args.parts.split(","))
    with tempfile.TemporaryDirectory() as tmp:
        if "latency" in parts:
            await latency(args, tmp)
        if "scale" in parts:
            await scale(args, tmp)
        if "syncer" in parts:
            await syncer_memory(args, tmp)
    REPORT.print_table()


if __name__ == "__main__":
    asyncio.run(main())
