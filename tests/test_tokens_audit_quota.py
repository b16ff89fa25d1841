"""Bearer tokens issued by vapi (hashed, expiring, revocable) and from a static token file,
the `vapi workspace` command, the audit log and per-workspace object quotas. One server of
its own: it starts with a token file and a default quota."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from tests.apiserver import KUBECTL, ROOT, VapiProcess

DEFAULT_QUOTA = 12
STATIC = 'static-token-of-bob,bob,uid-1,"ops,dev"\n# a comment line\nstatic-token-of-carol,carol\n'


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VapiProcess]:
    d = tmp_path_factory.mktemp("tokens")
    token_file = d / "tokens.csv"
    token_file.write_text(STATIC)
    proc = VapiProcess(str(d / "vapi"), "--token-auth-file", str(token_file),
                       "--workspace-object-quota", str(DEFAULT_QUOTA)).start()
    yield proc
    proc.stop()


def vapi_cli(server: VapiProcess, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    out = subprocess.run([sys.executable, "-m", "vapi.cli", *args, "--data-dir", server.data_dir],
                         capture_output=True, text=True, cwd=ROOT, timeout=60)
    if check:
        assert out.returncode == 0, out.stderr
    return out


def token_kubeconfig(server: VapiProcess, user: str, workspace: str, *extra: str) -> str:
    out = vapi_cli(server, "kubeconfig", "--user", user, "--workspace", workspace, "--token", *extra)
    path = os.path.join(server.data_dir, f"{user}-{workspace}-{time.monotonic_ns()}.kubeconfig")
    with open(path, "w") as f:
        f.write(out.stdout)
    return path


def kubectl(kubeconfig: str, *args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([KUBECTL, "--kubeconfig", kubeconfig, *args], capture_output=True, text=True,
                          input=input, timeout=60)


def token_of(kubeconfig: str) -> str:
    import yaml

    with open(kubeconfig) as f:
        user = yaml.safe_load(f)["users"][0]["user"]
    assert "client-certificate-data" not in user
    return str(user["token"])


def bearer(server: VapiProcess, token: str, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
    code, _, out = server.request(method, path, json.dumps(body).encode() if body is not None else None,
                                  headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
                                  auth=False)
    return code, json.loads(out) if out else {}


def grant(server: VapiProcess, workspace: str, name: str, kind: str, subject: str, role: str) -> None:
    server.kubectl("--server", f"{server.base}/clusters/{workspace}", "apply", "-f", "-", input=json.dumps({
        "apiVersion": "tenancy.vapi.dev/v1alpha1", "kind": "AccessGrant", "metadata": {"name": name},
        "spec": {"subject": {"kind": kind, "name": subject}, "role": role}}))


def test_workspace_command_creates_lists_and_deletes(server: VapiProcess) -> None:
    out = vapi_cli(server, "workspace", "create", "root:cli")
    assert f"{server.base}/clusters/root:cli" in out.stdout
    vapi_cli(server, "workspace", "create", "root:cli:child")
    listed = vapi_cli(server, "workspace", "list").stdout.splitlines()
    assert listed[0].split() == ["PATH", "PHASE", "URL"]
    assert any(line.split()[:2] == ["root:cli", "Ready"] for line in listed)
    assert not any(line.startswith("root:cli:child") for line in listed), "children only without -r"
    assert any(line.startswith("root:cli:child ") for line in vapi_cli(server, "workspace", "list", "-r").stdout.splitlines())
    assert "child" in server.kubectl("--server", f"{server.base}/clusters/root:cli", "get", "workspaces").stdout
    again = vapi_cli(server, "workspace", "create", "root:cli", check=False)
    assert again.returncode == 1 and "409" in again.stderr and "already exists" in again.stderr
    assert vapi_cli(server, "workspace", "create", "root:Bad_Name", check=False).returncode == 2
    for action, path, missing in (("create", "root:nope:x", "root:nope"), ("list", "root:nope", "root:nope"),
                                  ("delete", "root:cli:nope", "root:cli:nope"), ("delete", "root:nope:x", "root:nope:x")):
        out = vapi_cli(server, "workspace", action, path, check=False)
        assert out.returncode == 1 and f'vapi: workspace "{missing}" not found (404 ' in out.stderr, (action, out.stderr)
    quota = vapi_cli(server, "workspace", "create", "root:cli:q", "--object-quota", "-1", check=False)
    assert quota.returncode == 1 and "spec.quota.objects: Invalid value: -1" in quota.stderr
    vapi_cli(server, "workspace", "delete", "root:cli")
    assert "root:cli" not in vapi_cli(server, "workspace", "list", "-r").stdout
    code, _, _ = server.request("GET", "/clusters/root:cli:child/api/v1/namespaces")
    assert code == 404


def test_new_workspace_has_the_default_namespaces_and_keeps_the_immortal_ones(server: VapiProcess) -> None:
    vapi_cli(server, "workspace", "create", "root:fresh")
    at = ["--server", f"{server.base}/clusters/root:fresh"]
    names = server.kubectl(*at, "get", "namespaces", "-o", "name").stdout.split()
    assert names == ["namespace/default", "namespace/kube-node-lease", "namespace/kube-public", "namespace/kube-system"]
    out = server.kubectl(*at, "delete", "namespace", "default", check=False)
    assert out.returncode != 0 and 'namespaces "default" is forbidden: this namespace may not be deleted' in out.stderr


def test_issued_token_is_stored_hashed_and_works_until_revoked(server: VapiProcess) -> None:
    vapi_cli(server, "workspace", "create", "root:tok")
    grant(server, "root:tok", "alice-edit", "User", "alice", "edit")
    kc = token_kubeconfig(server, "alice", "root:tok", "--group", "field-team")
    token = token_of(kc)
    name, _, secret = token.partition(".")

    who = kubectl(kc, "auth", "whoami", "-o", "json")
    assert who.returncode == 0, who.stderr
    assert json.loads(who.stdout)["status"]["userInfo"] == {"username": "alice", "groups": ["field-team", "system:authenticated"]}
    assert kubectl(kc, "create", "configmap", "by-token").returncode == 0

    stored = json.loads(server.kubectl("get", "accesstoken", name, "-o", "json").stdout)
    assert stored["spec"]["tokenHash"] == "sha256:" + hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in json.dumps(stored)
    assert "alice" in server.kubectl("get", "accesstokens").stdout

    server.kubectl("delete", "accesstoken", name)
    out = kubectl(kc, "get", "configmaps")
    assert out.returncode != 0 and "Unauthorized" in out.stderr
    code, status = bearer(server, token, "GET", "/clusters/root:tok/api/v1/namespaces")
    assert (code, status["reason"]) == (401, "Unauthorized")


def test_expired_tokens_are_refused(server: VapiProcess) -> None:
    kc = token_kubeconfig(server, "admin-ish", "root", "--group", "system:masters", "--duration", "2s")
    assert kubectl(kc, "get", "namespaces").returncode == 0
    time.sleep(2.5)
    out = kubectl(kc, "get", "namespaces")
    assert out.returncode != 0 and "Unauthorized" in out.stderr
    # an AccessToken written with an expiry in the past never worked
    secret = "s" * 40
    server.kubectl("apply", "-f", "-", input=json.dumps({
        "apiVersion": "tenancy.vapi.dev/v1alpha1", "kind": "AccessToken", "metadata": {"name": "t-past"},
        "spec": {"user": "old", "groups": ["system:masters"], "expirationTimestamp": "2020-01-01T00:00:00Z",
                 "tokenHash": "sha256:" + hashlib.sha256(secret.encode()).hexdigest()}}))
    assert bearer(server, f"t-past.{secret}", "GET", "/clusters/root/api")[0] == 401


@pytest.mark.parametrize("token", ["nonsense", "t-nothere.secret", "t-past.wrong-secret", ".", "a" * 5000, "a" * 20000])
def test_unknown_tokens_get_401_status(server: VapiProcess, token: str) -> None:
    code, status = bearer(server, token, "GET", "/clusters/root/api/v1/namespaces")
    assert code == 401 and status["kind"] == "Status" and status["reason"] == "Unauthorized"


def test_access_tokens_are_validated_and_live_in_root(server: VapiProcess) -> None:
    out = server.kubectl("apply", "-f", "-", check=False, input=json.dumps({
        "apiVersion": "tenancy.vapi.dev/v1alpha1", "kind": "AccessToken", "metadata": {"name": "t-bad"},
        "spec": {"user": "", "tokenHash": "md5:abc", "expirationTimestamp": "tomorrow"}}))
    assert out.returncode != 0
    for field in ("spec.user", "spec.tokenHash", "spec.expirationTimestamp"):
        assert field in out.stderr
    vapi_cli(server, "workspace", "create", "root:elsewhere")
    good = {"apiVersion": "tenancy.vapi.dev/v1alpha1", "kind": "AccessToken", "metadata": {"name": "t-elsewhere"},
            "spec": {"user": "x", "tokenHash": "sha256:" + "0" * 64}}
    out = server.kubectl("--server", f"{server.base}/clusters/root:elsewhere", "create", "-f", "-",
                         check=False, input=json.dumps(good))
    assert out.returncode != 0 and "only in the 'root' workspace" in out.stderr


def test_static_token_file_users_and_groups(server: VapiProcess) -> None:
    vapi_cli(server, "workspace", "create", "root:ops")
    grant(server, "root:ops", "ops-view", "Group", "ops", "view")
    code, review = bearer(server, "static-token-of-bob", "POST", "/clusters/root:ops/apis/authentication.k8s.io/v1/selfsubjectreviews",
                          {"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"})
    assert code == 201 and review["status"]["userInfo"]["username"] == "bob"
    assert review["status"]["userInfo"]["groups"] == ["ops", "dev", "system:authenticated"]
    assert review["status"]["userInfo"]["uid"] == "uid-1", "the file's uid column, as `kubectl auth whoami` shows it"
    assert bearer(server, "static-token-of-bob", "GET", "/clusters/root:ops/api/v1/namespaces/default/configmaps")[0] == 200
    code, status = bearer(server, "static-token-of-bob", "POST", "/clusters/root:ops/api/v1/namespaces/default/configmaps",
                          {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "nope"}})
    assert code == 403 and 'User "bob" cannot create' in status["message"]
    assert bearer(server, "static-token-of-carol", "GET", "/clusters/root:ops/api/v1/namespaces")[0] == 403


def test_audit_log_records_writes_and_refusals_never_secret_data(server: VapiProcess) -> None:
    vapi_cli(server, "workspace", "create", "root:audited")
    at = ["--server", f"{server.base}/clusters/root:audited"]
    value = "audit-must-not-see-this-value"
    server.kubectl(*at, "create", "secret", "generic", "s1", f"--from-literal=password={value}")
    server.kubectl(*at, "apply", "-f", "-", input=json.dumps({
        "apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s2"}, "stringData": {"k": value}}))
    server.kubectl(*at, "get", "secret", "s1", "-o", "yaml")  # a read: not logged
    bearer(server, "static-token-of-bob", "DELETE", "/clusters/root:audited/api/v1/namespaces/default/secrets/s1")
    server.request("GET", "/clusters/root:audited/api/v1/namespaces", auth=False)
    with open(os.path.join(server.data_dir, "audit.log"), "rb") as f:
        raw = f.read()
    for secret in (value, base64.b64encode(value.encode()).decode(), "static-token-of-bob"):
        assert secret.encode() not in raw
    events = [json.loads(line) for line in raw.splitlines()]
    mine = [e for e in events if e["workspace"] == "root:audited"]
    created = [e for e in mine if e["verb"] == "create" and e["objectRef"].get("resource") == "secrets"]
    assert created and created[0]["user"]["username"] == "admin" and created[0]["responseStatus"]["code"] == 201
    assert created[0]["objectRef"]["namespace"] == "default"
    assert any(e["verb"] == "create" and e["objectRef"].get("name") == "s2" for e in mine)
    assert created[0]["objectRef"]["name"] == "s1"
    assert not any(e["verb"] in ("get", "list") and e["responseStatus"]["code"] == 200 for e in mine)
    denied = [e for e in mine if e["user"]["username"] == "bob"]
    assert denied and denied[0]["responseStatus"]["code"] == 403 and denied[0]["objectRef"]["name"] == "s1"
    anonymous = [e for e in mine if e["responseStatus"]["code"] == 401]
    assert anonymous and anonymous[0]["user"]["username"] == "system:anonymous"


def test_object_quota_refuses_creates_over_the_limit_but_never_deletes(server: VapiProcess) -> None:
    vapi_cli(server, "workspace", "create", "root:small", "--object-quota", "6")  # 4 default namespaces + 2
    at = ["--server", f"{server.base}/clusters/root:small"]
    server.kubectl(*at, "create", "configmap", "one")
    server.kubectl(*at, "create", "configmap", "two")
    out = server.kubectl(*at, "create", "configmap", "three", check=False)
    assert out.returncode != 0
    assert ('configmaps "three" is forbidden: exceeded quota: workspace root:small, requested: objects=1, '
            'used: objects=6, limited: objects=6') in out.stderr, out.stderr
    out = server.kubectl(*at, "apply", "--server-side", "-f", "-", check=False, input=json.dumps({
        "apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "three", "namespace": "default"}}))
    assert out.returncode != 0 and "exceeded quota" in out.stderr
    server.kubectl(*at, "label", "configmap", "one", "still=updatable")
    server.kubectl(*at, "delete", "configmap", "two")
    server.kubectl(*at, "create", "configmap", "three")
    # the parent's admin raises the quota: effective at once
    server.kubectl("patch", "workspace", "small", "--type=merge", "-p", '{"spec":{"quota":{"objects":7}}}')
    server.kubectl(*at, "create", "configmap", "four")
    assert len(server.kubectl(*at, "get", "configmaps", "-o", "name").stdout.split()) == 3


def test_server_default_quota_applies_to_workspaces_without_one(server: VapiProcess) -> None:
    vapi_cli(server, "workspace", "create", "root:defaulted")
    path = "/clusters/root:defaulted/api/v1/namespaces/default/configmaps"
    codes = []
    for i in range(DEFAULT_QUOTA - 4 + 2):
        code, _, _ = server.request("POST", path, json.dumps({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"c{i}"}}).encode(),
                                    headers={"Content-Type": "application/json"})
        codes.append(code)
    assert codes == [201] * (DEFAULT_QUOTA - 4) + [403, 403]


def test_service_account_tokens_from_kubectl_create_token(server: VapiProcess) -> None:
    """`kubectl create token`: a vapi token for the service account, valid only in its
    workspace and only while that service account exists; minting one takes admin."""
    vapi_cli(server, "workspace", "create", "root:sa")
    at = ["--server", f"{server.base}/clusters/root:sa"]
    server.kubectl(*at, "create", "serviceaccount", "robot")
    grant(server, "root:sa", "robot-view", "User", "system:serviceaccount:default:robot", "view")
    token = server.kubectl(*at, "create", "token", "robot", "--duration=1h").stdout.strip()
    code, who = bearer(server, token, "POST", "/clusters/root:sa/apis/authentication.k8s.io/v1/selfsubjectreviews",
                       {"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"})
    assert code == 201 and who["status"]["userInfo"] == {
        "username": "system:serviceaccount:default:robot",
        "groups": ["system:serviceaccounts", "system:serviceaccounts:default", "system:authenticated"]}
    assert bearer(server, token, "GET", "/clusters/root:sa/api/v1/namespaces/default/configmaps")[0] == 200
    assert bearer(server, token, "POST", "/clusters/root:sa/api/v1/namespaces/default/configmaps",
                  {"metadata": {"name": "x"}})[0] == 403
    assert bearer(server, token, "GET", "/clusters/root/api/v1/namespaces")[0] == 401, "only in its own workspace"
    review = server.kubectl(*at, "create", "-o", "json", "-f", "-", input=json.dumps({
        "apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview", "spec": {"token": token}}))
    assert json.loads(review.stdout)["status"]["user"]["username"] == "system:serviceaccount:default:robot"

    vault = server.kubectl(*at, "create", "token", "robot", "--audience=https://vault.example").stdout.strip()
    assert bearer(server, vault, "GET", "/clusters/root:sa/api/v1/namespaces/default/configmaps")[0] == 401, \
        "a token for another audience does not work here"
    reviewed = json.loads(server.kubectl(*at, "create", "-o", "json", "-f", "-", input=json.dumps({
        "apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview",
        "spec": {"token": vault, "audiences": ["https://vault.example"]}})).stdout)["status"]
    assert reviewed["authenticated"] is True and reviewed["audiences"] == ["https://vault.example"]
    reviewed = json.loads(server.kubectl(*at, "create", "-o", "json", "-f", "-", input=json.dumps({
        "apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview", "spec": {"token": token, "audiences": ["other"]}})).stdout)
    assert reviewed["status"]["authenticated"] is False

    short = server.kubectl(*at, "create", "token", "robot", "--duration=1m", check=False)
    assert "spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes" in short.stderr
    missing = server.kubectl(*at, "create", "token", "nobody", check=False)
    assert 'serviceaccounts "nobody" not found' in missing.stderr
    grant(server, "root:sa", "alice-edit", "User", "alice", "edit")
    alice = token_kubeconfig(server, "alice", "root:sa")
    refused = kubectl(alice, "create", "token", "robot")
    assert refused.returncode != 0 and "forbidden" in refused.stderr
    review = kubectl(alice, "create", "-f", "-", input=json.dumps({
        "apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview", "spec": {"token": token}}))
    assert review.returncode != 0 and "forbidden" in review.stderr, "reviewing others' tokens takes admin"

    server.kubectl(*at, "delete", "serviceaccount", "robot")
    assert bearer(server, token, "GET", "/clusters/root:sa/api/v1/namespaces/default/configmaps")[0] == 401
    server.kubectl(*at, "create", "serviceaccount", "robot")  # the same name again is another account
    assert bearer(server, token, "GET", "/clusters/root:sa/api/v1/namespaces/default/configmaps")[0] == 401


async def test_sweep_deletes_tokens_that_can_never_work_again(tmp_path: object) -> None:
    """Expired tokens, and tokens of deleted service accounts, are deleted from root; live ones stay."""
    import datetime as dt

    import storage
    from storage.cache import WatchCache
    from vapi import objects, tokens
    from vapi.resources import builtin

    backend = await storage.open_backend(f"sqlite://{tmp_path}/store.db")
    cache = WatchCache(backend)
    try:
        store = objects.Objects(backend, cache)
        sweeper = tokens.Tokens(store, {}, "admin-token")
        now = dt.datetime.now(dt.timezone.utc)
        res = tokens.token_resource()
        ns_res = builtin().lookup("", "v1", "namespaces")
        sa_res = builtin().lookup("", "v1", "serviceaccounts")
        assert ns_res is not None and sa_res is not None
        await store.create(ns_res, "root:w", "", {"metadata": {"name": "default"}})
        account = await store.create(sa_res, "root:w", "default", {"metadata": {"name": "robot"}})
        bound = {"workspace": "root:w", "serviceAccount": {"namespace": "default", "name": "robot", "uid": account["metadata"]["uid"]}}
        made = {
            "expired": tokens.new("a", [], now - dt.timedelta(seconds=5)),
            "live": tokens.new("b", [], now + dt.timedelta(hours=1)),
            "forever": tokens.new("c", [], None),
            "bound": tokens.new("system:serviceaccount:default:robot", [], now + dt.timedelta(hours=1), bound),
        }
        for _, obj in made.values():
            await store.create(res, tokens.ROOT, "", obj)
        assert await sweeper.sweep() == 1
        await store.delete(sa_res, "root:w", "default", "robot")
        assert await sweeper.sweep() == 1
        left = {kv.key.rsplit("/", 1)[-1] for kv in (await backend.list(objects.prefix(tokens.ROOT, res))).items}
        assert left == {made["live"][1]["metadata"]["name"], made["forever"][1]["metadata"]["name"]}
    finally:
        await cache.close()
        await backend.close()
