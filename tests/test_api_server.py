"""`vapi serve` as a user runs it: certificates, kubeconfig, health, auth, clean stop."""

from __future__ import annotations

import json
import os
import signal

import pytest

from hack.etcd_cluster import EtcdCluster
from tests.apiserver import VapiProcess


def test_serve_writes_kubeconfig_and_stops_on_sigterm(tmp_path: object) -> None:
    server = VapiProcess(str(tmp_path)).start()
    try:
        assert server.server.startswith("https://127.0.0.1:")
        assert server.server.endswith("/clusters/root")
        assert int(server.base.rsplit(":", 1)[1]) > 0, "--port 0 picks a port and the kubeconfig names it"
        for f in ("ca.crt", "ca.key", "serving.crt", "serving.key", "admin.kubeconfig", "store.db"):
            assert os.path.exists(os.path.join(str(tmp_path), f)), f
        assert oct(os.stat(os.path.join(str(tmp_path), "ca.key")).st_mode & 0o777) == "0o600"
        out = server.kubectl("get", "namespaces", "-o", "name").stdout.split()
        assert out == ["namespace/default", "namespace/kube-node-lease", "namespace/kube-public", "namespace/kube-system"]
        assert server.log().count("ready on") == 1
    finally:
        assert server.stop(signal.SIGTERM) == 0
    assert "Traceback" not in server.log()


def test_restart_keeps_objects_and_ca(tmp_path: object) -> None:
    server = VapiProcess(str(tmp_path)).start()
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "kept"}, "data": {"k": "v"}}
    server.kubectl("create", "-f", "-", "--validate=false", input=json.dumps(cm))
    ca = open(os.path.join(str(tmp_path), "ca.crt")).read()
    server.stop()
    server.start()
    try:
        assert server.kubectl("get", "configmap", "kept", "-o", "jsonpath={.data.k}").stdout == "v"
        assert open(os.path.join(str(tmp_path), "ca.crt")).read() == ca
    finally:
        server.stop()


def test_health_is_public_everything_else_needs_credentials(vapi: VapiProcess) -> None:
    for path in ("/healthz", "/livez", "/readyz"):
        code, _, body = vapi.request("GET", path, auth=False)
        assert (code, body) == (200, b"ok")
    code, _, body = vapi.request("GET", "/version", auth=False)
    code, _, body = vapi.request("GET", "/readyz?verbose", auth=False)
    assert (code, body.decode().splitlines()) == (200, ["[+]ping ok", "[+]storage ok", "readyz check passed"])
    assert vapi.request("GET", "/livez/storage", auth=False)[::2] == (200, b"ok")
    assert vapi.request("GET", "/readyz/nothing", auth=False)[0] == 404
    code, _, body = vapi.request("GET", "/version", auth=False)
    version = json.loads(body)
    assert code == 200 and (version["major"], version["minor"]) == ("1", "35")
    assert version["gitVersion"].startswith("v1.35.0+vapi."), "build metadata, not a pre-release helm would refuse"
    requests = [("GET", p) for p in (
        "/clusters/root/api", "/clusters/root/api/v1/namespaces", "/clusters/root/apis", "/clusters/root/openapi/v2",
        "/clusters/root/openapi/v3", "/clusters/root/api/v1/namespaces?watch=true", "/clusters/root/api/v1/configmaps?watch=1",
        "/clusters/root/apis/tenancy.vapi.dev/v1alpha1/workspaces", "/clusters/nope/api/v1/namespaces", "/other", "/clusters/",
        "/clusters/root/version", "/clusters/root/healthz", "/api/v1/namespaces", "/apis", "/openapi/v2")]
    requests += [(m, "/clusters/root/api/v1/namespaces/default/configmaps") for m in ("POST", "DELETE", "PUT", "PATCH")]
    requests += [("POST", "/clusters/root/apis/authorization.k8s.io/v1/selfsubjectaccessreviews")]
    for method, path in requests:
        code, _, body = vapi.request(method, path, b"{}" if method != "GET" else None, auth=False,
                                     headers={"Content-Type": "application/json"})
        status = json.loads(body)
        assert code == 401 and status["kind"] == "Status" and status["reason"] == "Unauthorized", (method, path)


@pytest.mark.parametrize(
    "scheme,token,code",
    [pytest.param("Bearer", "wrong", 401, id="bad-token"), pytest.param("Bearer", None, 200, id="admin-token"),
     pytest.param("bearer", None, 200, id="scheme-any-case"), pytest.param("Basic", None, 401, id="not-bearer"),
     pytest.param("Bearer", "", 401, id="empty")],
)
def test_bearer_token(vapi: VapiProcess, scheme: str, token: str | None, code: int) -> None:
    if token is None:
        token = open(os.path.join(vapi.data_dir, "admin.token")).read().strip()
    got, _, _ = vapi.request("GET", "/clusters/root/api/v1/namespaces", auth=False,
                             headers={"Authorization": f"{scheme} {token}"})
    assert got == code


def test_unknown_workspace_and_paths_are_404_status(vapi: VapiProcess) -> None:
    for path in ("/clusters/nope/api/v1/namespaces", "/clusters/root/api/v1/nothings", "/other"):
        code, _, body = vapi.request("GET", path)
        assert code == 404 and json.loads(body)["kind"] == "Status", path


def test_serve_on_etcd(tmp_path: object, etcd: EtcdCluster) -> None:
    """The same server with its objects in etcd (`--storage etcd://...`), as replicas run."""
    import subprocess
    import time

    from tests.apiserver import KUBECTL

    server = VapiProcess(str(tmp_path), "--storage", etcd.url).start()
    try:
        cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "on-etcd"}, "data": {"a": "1"}}
        watcher = subprocess.Popen(
            [KUBECTL, "--kubeconfig", server.kubeconfig, "get", "configmaps", "-w", "-o", "name", "--request-timeout=10s"],
            stdout=subprocess.PIPE, text=True,
        )
        time.sleep(1.0)
        server.kubectl("apply", "--server-side", "-f", "-", input=json.dumps(cm))
        assert watcher.stdout is not None
        assert watcher.stdout.readline().strip() == "configmap/on-etcd"
        watcher.kill()
        watcher.wait()
        assert server.kubectl("get", "configmap", "on-etcd", "-o", "jsonpath={.data.a}").stdout == "1"
    finally:
        assert server.stop() == 0


def _peer_serial(server: VapiProcess) -> int:
    import socket
    import ssl

    from cryptography import x509

    host, port = server.base.removeprefix("https://").rsplit(":", 1)
    ctx = ssl.create_default_context(cafile=os.path.join(server.data_dir, "ca.crt"))
    with socket.create_connection((host, int(port)), timeout=5) as raw, ctx.wrap_socket(raw, server_hostname=host) as tls:
        der = tls.getpeercert(binary_form=True)
    assert der is not None
    return int(x509.load_der_x509_certificate(der).serial_number)


def test_serving_certificate_rotation_and_sans(tmp_path: object) -> None:
    import certs

    server = VapiProcess(str(tmp_path), "--tls-san", "vapi.example.com", "--tls-san", "10.1.2.3").start()
    try:
        assert certs.ca.covers(os.path.join(str(tmp_path), "serving.crt"), ["vapi.example.com", "10.1.2.3", "127.0.0.1"])
        before = _peer_serial(server)
        ca = certs.CA.load_or_create(str(tmp_path))
        cert_pem, key_pem = ca.issue_server(["127.0.0.1", "localhost"])
        with open(os.path.join(str(tmp_path), "serving.crt"), "wb") as f:
            f.write(cert_pem)
        certs.ca.write_private(os.path.join(str(tmp_path), "serving.key"), key_pem)
        assert server.proc is not None
        server.proc.send_signal(signal.SIGHUP)
        import time

        deadline = time.monotonic() + 10
        while _peer_serial(server) == before:
            assert time.monotonic() < deadline, "the new certificate was not picked up"
            time.sleep(0.05)
        assert server.proc.poll() is None, "no restart"
        assert server.kubectl("get", "ns", "-o", "name").returncode == 0
    finally:
        server.stop()


def test_client_certificate_from_another_ca_is_refused(vapi: VapiProcess, tmp_path: object) -> None:
    import ssl
    import urllib.error
    import urllib.request

    import certs

    other = certs.CA.create("someone-else")
    cert_pem, key_pem = other.issue_client("admin", ["system:masters"])
    crt, key = os.path.join(str(tmp_path), "o.crt"), os.path.join(str(tmp_path), "o.key")
    with open(crt, "wb") as f:
        f.write(cert_pem)
    with open(key, "wb") as f:
        f.write(key_pem)
    ctx = ssl.create_default_context(cafile=os.path.join(vapi.data_dir, "ca.crt"))
    ctx.load_cert_chain(crt, key)
    try:
        with urllib.request.urlopen(vapi.base + "/clusters/root/api/v1/namespaces", context=ctx, timeout=10) as r:
            raise AssertionError(f"accepted with status {r.status}")
    except urllib.error.HTTPError as e:
        assert e.code == 401
    except (urllib.error.URLError, ssl.SSLError, ConnectionError):
        pass  # refused during the TLS handshake
