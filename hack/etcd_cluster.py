"""Start and stop real etcd members on 127.0.0.1 with free ports (tests and benchmarks).

Uses the `etcd` binary from Debian's etcd-server package (hack/setup.sh installs it).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def etcd_binary() -> str:
    path = shutil.which("etcd") or ("/usr/bin/etcd" if os.path.exists("/usr/bin/etcd") else None)
    if path is None:
        raise RuntimeError("etcd not found: run hack/setup.sh (installs Debian's etcd-server)")
    return path


@dataclass
class Member:
    name: str
    client_port: int
    peer_port: int
    data_dir: str
    proc: subprocess.Popen[bytes] | None = None
    log_path: str = ""

    @property
    def client_url(self) -> str:
        return f"http://127.0.0.1:{self.client_port}"

    @property
    def peer_url(self) -> str:
        return f"http://127.0.0.1:{self.peer_port}"


@dataclass
class EtcdCluster:
    """A cluster of `size` members; `url` is the vapi storage URL naming all of them."""

    size: int = 1
    root: str = field(default_factory=lambda: tempfile.mkdtemp(prefix="vapi-etcd-"))
    members: list[Member] = field(default_factory=list)

    def __post_init__(self) -> None:
        for i in range(self.size):
            name = f"m{i}"
            self.members.append(
                Member(name, free_port(), free_port(), os.path.join(self.root, name))
            )

    @property
    def url(self) -> str:
        return "etcd://" + ",".join(f"127.0.0.1:{m.client_port}" for m in self.members)

    def start(self, timeout: float = 30.0, attempts: int = 5) -> EtcdCluster:
        """Start every member. A free port can be taken by someone else between the probe
        and etcd's bind; then the cluster starts again on new ports."""
        for attempt in range(attempts):
            for m in self.members:
                self.start_member(m, wait=False)
            try:
                for m in self.members:
                    self.wait_healthy(m, timeout)
                return self
            except RuntimeError as e:
                for m in self.members:
                    self.kill_member(m)
                if "address already in use" not in str(e) or attempt == attempts - 1:
                    raise
                for m in self.members:
                    shutil.rmtree(m.data_dir, ignore_errors=True)
                    m.client_port, m.peer_port = free_port(), free_port()
        raise AssertionError("unreachable")

    def start_member(self, m: Member, *, wait: bool = True) -> None:
        initial = ",".join(f"{x.name}={x.peer_url}" for x in self.members)
        m.log_path = os.path.join(self.root, f"{m.name}.log")
        with open(m.log_path, "ab") as logf:
            m.proc = subprocess.Popen(
                [
                    etcd_binary(),
                    "--name", m.name,
                    "--data-dir", m.data_dir,
                    "--listen-client-urls", m.client_url,
                    "--advertise-client-urls", m.client_url,
                    "--listen-peer-urls", m.peer_url,
                    "--initial-advertise-peer-urls", m.peer_url,
                    "--initial-cluster", initial,
                    "--initial-cluster-state", "new",
                    "--initial-cluster-token", os.path.basename(self.root),
                    "--heartbeat-interval", "50",
                    "--election-timeout", "500",
                    "--log-level", "warn",
                ],
                stdout=logf,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        if wait:
            self.wait_healthy(m)

    def wait_healthy(self, m: Member, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if m.proc is not None and m.proc.poll() is not None:
                raise RuntimeError(f"etcd {m.name} exited: {open(m.log_path).read()[-2000:]}")
            try:
                with urllib.request.urlopen(m.client_url + "/health", timeout=1) as r:
                    if b'"true"' in r.read():
                        return
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"etcd {m.name} not healthy after {timeout}s")

    def kill_member(self, m: Member, sig: int = signal.SIGKILL) -> None:
        if m.proc is not None and m.proc.poll() is None:
            m.proc.send_signal(sig)
            m.proc.wait()
        m.proc = None

    def stop(self) -> None:
        for m in self.members:
            self.kill_member(m, signal.SIGTERM)
        shutil.rmtree(self.root, ignore_errors=True)
