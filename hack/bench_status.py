"""Status benchmark: many clusters report one object's status; how fast and how cheaply the
center folds the reports into a summary and into the object's `.status`.

    .venv/bin/python hack/bench_status.py [--clusters 10000] [--concurrency 16]

Starts `vapi serve` (SQLite, temporary data dir), registers the clusters as EdgeClusters,
places one Deployment on all of them with a summary (grouped by region: count, sum, min;
attention list), then sends, from this process, one report per cluster to
`edgeclusters/<name>/report` (what each syncer does), 10% of them lagging. Prints the time
from the last report to the summary and the `.status` being complete, the center's memory
per cluster contribution and its CPU time per report. Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time

import aiohttp
import orjson

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from hack.bench_api import client_ssl  # noqa: E402
from hack.benchlib import Report, cpu_seconds, rate, rss_bytes  # noqa: E402
from tests.apiserver import VapiProcess  # noqa: E402

REPORT = Report("bench-status")
progress = REPORT.progress
row = REPORT.row
EDGE = "/apis/edge.vapi.dev/v1alpha1"
REGIONS = ("eu", "us", "ap", "sa")


def status(available: int) -> dict:
    return {"observedGeneration": 1, "replicas": 2, "updatedReplicas": 2, "readyReplicas": available, "availableReplicas": available,
            "conditions": [{"type": "Available", "status": "True" if available >= 2 else "False", "reason": "MinimumReplicasAvailable",
                            "message": "Deployment has minimum availability.", "lastUpdateTime": "2026-01-01T00:00:00Z",
                            "lastTransitionTime": "2026-01-01T00:00:00Z"},
                           {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable",
                            "message": 'ReplicaSet "web-7d4b9c" has successfully progressed.',
                            "lastUpdateTime": "2026-01-01T00:00:00Z", "lastTransitionTime": "2026-01-01T00:00:00Z"}]}


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clusters", type=int, default=10_000)
    ap.add_argument("--concurrency", type=int, default=16)
    args = ap.parse_args()
    n = args.clusters
    lagging = {f"c{i:05d}" for i in range(0, n, 10)}

    with tempfile.TemporaryDirectory() as tmp:
        server = VapiProcess(os.path.join(tmp, "vapi")).start()
        assert server.proc is not None
        pid = server.proc.pid
        try:
            conn = aiohttp.TCPConnector(ssl=client_ssl(server, tmp), limit=args.concurrency)
            async with aiohttp.ClientSession(connector=conn, headers={"Content-Type": "application/json"}) as http:
                async def post(path: str, body: dict) -> None:
                    async with http.post(server.server + path, data=orjson.dumps(body)) as r:
                        assert r.status == 201, await r.text()

                async def get(path: str) -> dict:
                    async with http.get(server.server + path) as r:
                        assert r.status == 200, await r.text()
                        return dict(orjson.loads(await r.read()))

                progress(f"registering {n:,} EdgeClusters")
                await rate(n, lambda i: post(f"{EDGE}/edgeclusters", {
                    "apiVersion": "edge.vapi.dev/v1alpha1", "kind": "EdgeCluster",
                    "metadata": {"name": f"c{i:05d}", "labels": {"region": REGIONS[i % len(REGIONS)], "fleet": "bench"}}}),
                    args.concurrency)
                await post("/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "app"}})
                await post("/apis/apps/v1/namespaces/app/deployments", {
                    "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "app"},
                    "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                             "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "web:1"}]}}}})
                await post(f"{EDGE}/placements", {
                    "apiVersion": "edge.vapi.dev/v1alpha1", "kind": "Placement", "metadata": {"name": "web"},
                    "spec": {"clusterSelector": {"matchLabels": {"fleet": "bench"}},
                             "objects": [{"apiGroup": "apps", "resources": ["deployments"], "namespaces": ["app"]}],
                             "statusCollection": {"summaries": [{
                                 "name": "by-region", "groupBy": ["cluster.labels.region"],
                                 "aggregates": [{"name": "clusters", "function": "count"},
                                                {"name": "ready", "function": "sum", "expression": "status.readyReplicas"},
                                                {"name": "fewest", "function": "min", "expression": "status.availableReplicas"}],
                                 "attention": "status.availableReplicas < obj.spec.replicas", "limit": 20}]}}})
                while (await get(f"{EDGE}/placements/web")).get("status", {}).get("clusters") != n:
                    await asyncio.sleep(0.2)
                await asyncio.sleep(1)
                rss0, cpu0 = rss_bytes(pid), cpu_seconds(pid)

                progress(f"{n:,} clusters report, {args.concurrency} in flight")

                async def send(i: int) -> None:
                    name = f"c{i:05d}"
                    await post(f"{EDGE}/edgeclusters/{name}/report", {"apiVersion": "edge.vapi.dev/v1alpha1", "kind": "StatusReport", "items": [{
                        "workspace": "root", "apiVersion": "apps/v1", "kind": "Deployment", "namespace": "app", "name": "web",
                        "generation": 1, "observedGeneration": 1, "desiredReplicas": 2,
                        "status": status(1 if name in lagging else 2)}]})

                t_start = time.perf_counter()
                report_rate = await rate(n, send, args.concurrency)
                last = time.perf_counter()
                expected_text = f"{n - len(lagging)}/{n} ready"
                while True:
                    summary = (await get(f"{EDGE}/statussummaries/web.deployment.app.web")).get("status", {})
                    web = await get("/apis/apps/v1/namespaces/app/deployments/web")
                    if summary.get("reporting") == n and web["metadata"].get("annotations", {}).get("vapi.dev/clusters") == expected_text:
                        break
                    await asyncio.sleep(0.02)
                settled = time.perf_counter() - last
                await asyncio.sleep(1)
                rss1, cpu1 = rss_bytes(pid), cpu_seconds(pid)
                groups = {g["key"]["cluster.labels.region"]: g["values"] for g in summary["summaries"][0]["groups"]}
                attention = summary["summaries"][0]["attention"]
                assert attention["count"] == len(lagging) and len(attention["clusters"]) == 20
                assert sum(g["clusters"] for g in groups.values()) == n
                assert sum(g["ready"] for g in groups.values()) == 2 * n - len(lagging)
        finally:
            server.stop()

    row("reports sent", f"{n:,} in {last - t_start:.1f} s", f"{report_rate:,.0f}/s, one HTTP request each")
    row("last report -> summary and .status complete", f"{settled * 1000:,.0f} ms", "target < 2 s")
    row("center memory per cluster contribution", f"{(rss1 - rss0) / n:,.0f} bytes", "RSS growth / clusters; target < 500 bytes")
    row("center CPU per report", f"{(cpu1 - cpu0) / n * 1e6:,.0f} us", "HTTP, ingest, merge, summary and writes, all in")
    row("summary", f"{len(groups)} regions, attention {attention['count']:,}", f"capped list of {len(attention['clusters'])}")
    REPORT.print_table()


if __name__ == "__main__":
    asyncio.run(main())
