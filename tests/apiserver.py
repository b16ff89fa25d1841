"""A real `vapi serve` process for tests: started on a free port in a temporary data dir,
stopped with SIGTERM."""

from __future__ import annotations

import os
import signal
import ssl
import subprocess
import sys
import time
import urllib.request
from typing import Any

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KUBECTL = os.path.join(ROOT, ".tools", "bin", "kubectl")


class VapiProcess:
    def __init__(self, data_dir: str, *extra: str) -> None:
        self.data_dir = data_dir
        self.extra = list(extra)
        self.proc: subprocess.Popen[bytes] | None = None
        self.kubeconfig = os.path.join(data_dir, "admin.kubeconfig")
        self.log_path = os.path.join(data_dir, "vapi.log")
        self.server = ""

    def start(self, timeout: float = 30) -> VapiProcess:
        os.makedirs(self.data_dir, exist_ok=True)
        if os.path.exists(self.kubeconfig):
            os.remove(self.kubeconfig)
        log = open(self.log_path, "ab")
        start = log.tell()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "vapi.cli", "serve", "--data-dir", self.data_dir, "--port", "0", *self.extra],
            stdout=log, stderr=subprocess.STDOUT, cwd=ROOT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"vapi exited: {self.log()}")
            if "ready on" in self.log()[start:]:
                with open(self.kubeconfig) as f:
                    self.server = yaml.safe_load(f)["clusters"][0]["cluster"]["server"]
                return self
            time.sleep(0.05)
        raise RuntimeError(f"vapi not ready after {timeout}s: {self.log()}")

    def log(self) -> str:
        with open(self.log_path, errors="replace") as f:
            return f.read()

    @property
    def base(self) -> str:
        """https://127.0.0.1:<port> (the server URL without /clusters/root)."""
        return self.server.split("/clusters/")[0]

    def ssl_context(self, client_cert: bool = True) -> ssl.SSLContext:
        ctx = ssl.create_default_context(cafile=os.path.join(self.data_dir, "ca.crt"))
        if client_cert:
            import base64
            import tempfile

            with open(self.kubeconfig) as f:
                user = yaml.safe_load(f)["users"][0]["user"]
            d = tempfile.mkdtemp()
            crt, key = os.path.join(d, "c.crt"), os.path.join(d, "c.key")
            with open(crt, "wb") as f:
                f.write(base64.b64decode(user["client-certificate-data"]))
            with open(key, "wb") as f:
                f.write(base64.b64decode(user["client-key-data"]))
            ctx.load_cert_chain(crt, key)
        return ctx

    def request(self, method: str, path: str, body: bytes | None = None, *,
                headers: dict[str, str] | None = None, auth: bool = True) -> tuple[int, dict[str, str], bytes]:
        req = urllib.request.Request(self.base + path, data=body, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(req, context=self.ssl_context(auth), timeout=30) as r:
                return r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read()

    def kubectl(self, *args: str, check: bool = True, input: str | None = None,
                env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        out = subprocess.run(
            [KUBECTL, "--kubeconfig", self.kubeconfig, *args],
            capture_output=True, text=True, input=input, timeout=60,
            env={**os.environ, **(env or {})},
        )
        if check and out.returncode != 0:
            raise AssertionError(f"kubectl {' '.join(args)} failed ({out.returncode}): {out.stderr}")
        return out

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15) -> int:
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        return self.proc.wait(timeout)


def stop_all(processes: list[subprocess.Popen[bytes]], *servers: VapiProcess) -> None:
    """Stop helper processes (SIGTERM, then wait), then the servers, last first."""
    for p in processes:
        p.terminate()
    for p in processes:
        p.wait(15)
    for server in reversed(servers):
        server.stop()
