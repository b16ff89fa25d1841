"""API benchmark: vapi over HTTPS against its own storage backend, measured in one run.

    .venv/bin/python hack/bench_api.py [--n N] [--concurrency C]

Starts `vapi serve` (SQLite, temporary data dir) and drives it with a plain aiohttp client
(no `kubernetes` package): GET/s, LIST(100)/s and CREATE/s of ConfigMaps; then the same
operations directly on a SQLite backend of the same durability. Then GETs paced at half
the measured peak rate, to report p99 latency there. Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import gc
import os
import ssl
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable

import aiohttp
import orjson
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

import storage  # noqa: E402
from hack.benchlib import Report, cpu_seconds, rate  # noqa: E402
from tests.apiserver import VapiProcess  # noqa: E402

REPORT = Report("bench-api")

# 60 lines, the shape of a typical chart's Deployment
APPLY_DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: NAME
  namespace: default
  labels:
    app.kubernetes.io/name: web
    app.kubernetes.io/instance: bench
    app.kubernetes.io/managed-by: bench
  annotations:
    description: benchmark deployment
spec:
  replicas: 2
  revisionHistoryLimit: 5
  selector:
    matchLabels:
      app.kubernetes.io/name: web
      app.kubernetes.io/instance: bench
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxSurge: 1
      maxUnavailable: 0
  template:
    metadata:
      labels:
        app.kubernetes.io/name: web
        app.kubernetes.io/instance: bench
    spec:
      serviceAccountName: web
      containers:
      - name: web
        image: nginx:1.27
        imagePullPolicy: IfNotPresent
        args: ["--port", "8080"]
        ports:
        - name: http
          containerPort: 8080
        env:
        - name: MODE
          value: production
        - name: LOG_LEVEL
          value: info
        resources:
          requests:
            cpu: 100m
            memory: 128Mi
          limits:
            memory: 256Mi
        readinessProbe:
          httpGet:
            path: /healthz
            port: http
        volumeMounts:
        - name: config
          mountPath: /etc/web
      volumes:
      - name: config
        configMap:
          name: web-config
"""
progress = REPORT.progress
row = REPORT.row


def client_ssl(server: VapiProcess, tmp: str) -> ssl.SSLContext:
    with open(server.kubeconfig) as f:
        user = yaml.safe_load(f)["users"][0]["user"]
    crt, key = os.path.join(tmp, "c.crt"), os.path.join(tmp, "c.key")
    with open(crt, "wb") as f:
        f.write(base64.b64decode(user["client-certificate-data"]))
    with open(key, "wb") as f:
        f.write(base64.b64decode(user["client-key-data"]))
    ctx = ssl.create_default_context(cafile=os.path.join(server.data_dir, "ca.crt"))
    ctx.load_cert_chain(crt, key)
    return ctx


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--paced-seconds", type=float, default=5.0)
    args = ap.parse_args()
    n, conc = args.n, args.concurrency

    with tempfile.TemporaryDirectory() as tmp:
        progress("starting vapi serve")
        server = VapiProcess(os.path.join(tmp, "vapi")).start()
        try:
            base = server.server
            cms = f"{base}/api/v1/namespaces/default/configmaps"
            connector = aiohttp.TCPConnector(ssl=client_ssl(server, tmp), limit=conc)
            async with aiohttp.ClientSession(connector=connector) as http:
                async def create(i: int) -> None:
                    body = orjson.dumps({"apiVersion": "v1", "kind": "ConfigMap",
                                         "metadata": {"name": f"cm-{i:06d}"}, "data": {"k": "v" * 400}})
                    async with http.post(cms, data=body, headers={"Content-Type": "application/json"}) as r:
                        assert r.status == 201, await r.text()
                        await r.read()

                async def get(i: int) -> None:
                    async with http.get(f"{cms}/cm-{i % n:06d}") as r:
                        assert r.status == 200, await r.text()
                        await r.read()

                async def list100(i: int) -> None:
                    async with http.get(f"{cms}?limit=100") as r:
                        assert r.status == 200
                        await r.read()

                progress(f"vapi: {n} creates, {conc} in flight")
                assert server.proc is not None
                server_cpu0, client_cpu0 = cpu_seconds(server.proc.pid), time.process_time()
                api_create = await rate(n, create, conc)
                server_cpu = (cpu_seconds(server.proc.pid) - server_cpu0) / n
                client_cpu = (time.process_time() - client_cpu0) / n
                progress("vapi: gets")
                api_get = await rate(n, get, conc)
                progress("vapi: lists of 100")
                api_list = await rate(max(n // 10, 50), list100, conc)

                deps = f"{base}/apis/apps/v1/namespaces/default/deployments"

                async def apply_deployment(i: int) -> None:
                    body = APPLY_DEPLOYMENT.replace("NAME", f"web-{i:06d}").encode()
                    async with http.patch(f"{deps}/web-{i:06d}?fieldManager=bench", data=body,
                                          headers={"Content-Type": "application/apply-patch+yaml"}) as r:
                        assert r.status in (200, 201), await r.text()
                        await r.read()

                template = yaml.safe_load(APPLY_DEPLOYMENT)

                async def apply_json(i: int) -> None:  # as kubectl and helm send it: JSON, an apply-patch+yaml
                    name = f"json-{i:06d}"
                    body = orjson.dumps({**template, "metadata": {**template["metadata"], "name": name}})
                    async with http.patch(f"{deps}/{name}?fieldManager=bench", data=body,
                                          headers={"Content-Type": "application/apply-patch+yaml"}) as r:
                        assert r.status in (200, 201), await r.text()
                        await r.read()

                applies = max(n // 4, 100)
                progress(f"vapi: {applies} server-side applies of a 60-line Deployment, new objects")
                api_apply_new = await rate(applies, apply_deployment, conc)
                progress("vapi: the same applies again (no-ops)")
                api_apply_noop = await rate(applies, apply_deployment, conc)
                progress(f"vapi: {applies} server-side applies with JSON bodies, new objects")
                api_apply_json = await rate(applies, apply_json, conc)

                progress(f"vapi: GETs paced at half the peak ({api_get / 2:.0f}/s) for {args.paced_seconds}s")
                latencies: list[float] = []
                interval = 2.0 / api_get
                end = time.perf_counter() + args.paced_seconds
                tasks = []

                async def timed(i: int) -> None:
                    t = time.perf_counter()
                    await get(i)
                    latencies.append(time.perf_counter() - t)

                # The client's own garbage collections would show up as server latency
                # (measured: p99 12 ms with them, 5 ms without): none during this phase.
                gc.collect()
                gc.disable()
                i = 0
                nxt = time.perf_counter()
                while nxt < end:
                    tasks.append(asyncio.create_task(timed(i)))
                    i += 1
                    nxt += interval
                    delay = nxt - time.perf_counter()
                    if delay > 0:
                        await asyncio.sleep(delay)
                await asyncio.gather(*tasks)
                gc.enable()
                latencies.sort()
                p50 = statistics.median(latencies)
                p99 = latencies[max(0, int(len(latencies) * 0.99) - 1)]
        finally:
            server.stop()

        progress("backend: the same operations on SQLite directly")
        backend = await storage.open_backend(f"sqlite://{tmp}/raw.db")
        value = orjson.dumps({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}, "data": {"k": "v" * 400}})
        raw_create = await rate(n, lambda i: backend.create(f"/root/core/configmaps/default/cm-{i:06d}", value), conc)
        raw_get = await rate(n, lambda i: backend.get(f"/root/core/configmaps/default/cm-{i % n:06d}"), conc)
        raw_list = await rate(max(n // 10, 50), lambda i: backend.list("/root/core/configmaps/default/", limit=100), conc)
        await backend.close()

    row("vapi CREATE/s", f"{api_create:,.0f}", f"backend {raw_create:,.0f}/s, ratio {api_create / raw_create:.2f}; target ratio >= 0.40")
    # What bounds CREATE/s on this machine: the CPU one create costs the server (all its
    # threads) and this benchmark's own HTTPS client, against the cores there are.
    cores = len(os.sched_getaffinity(0))
    row("server CPU per create", f"{server_cpu * 1e6:,.0f} us", "main thread, SQLite writer thread, TLS, all in")
    row("benchmark client CPU per create", f"{client_cpu * 1e6:,.0f} us", "aiohttp client over TLS, in this process")
    row(f"CREATE/s the {cores} cores here can carry", f"{cores / (server_cpu + client_cpu):,.0f}",
        f"cores / (server + client CPU per create); 0.40 x backend needs {0.4 * raw_create:,.0f}/s")
    row("vapi GET/s", f"{api_get:,.0f}", f"backend {raw_get:,.0f}/s, ratio {api_get / raw_get:.2f}")
    row("vapi LIST(100)/s", f"{api_list:,.0f}", f"backend {raw_list:,.0f}/s, ratio {api_list / raw_list:.2f}")
    row("vapi server-side apply/s (new Deployment)", f"{api_apply_new:,.0f}", "target >= 300 on one core")
    row("vapi server-side apply/s (no-op re-apply)", f"{api_apply_noop:,.0f}", "target >= 300 on one core")
    row("vapi server-side apply/s (new, JSON body)", f"{api_apply_json:,.0f}", "as kubectl and helm send it; target >= 300")
    row(f"vapi GET latency at {api_get / 2:,.0f}/s", f"p50 {p50 * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms", f"{len(latencies)} requests")
    REPORT.print_table()


if __name__ == "__main__":
    try:  # the client on the same loop as `vapi serve`: less of the machine goes to measuring
        import uvloop
    except ImportError:
        asyncio.run(main())
    else:
        uvloop.run(main())
