"""vapi's own access control: AccessGrants (view, edit, admin) on a workspace and its subtree;
RBAC objects in workspaces grant nothing."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from hack.etcd_cluster import EtcdCluster
from tests.apiserver import KUBECTL, ROOT, VapiProcess


def kubeconfig_for(vapi: VapiProcess, user: str, workspace: str, *groups: str) -> str:
    """A kubeconfig from `vapi kubeconfig`; "--token" among `groups` asks for a bearer token."""
    args = [sys.executable, "-m", "vapi.cli", "kubeconfig", "--data-dir", vapi.data_dir, "--user", user, "--workspace", workspace]
    for g in groups:
        args += ["--token"] if g == "--token" else ["--group", g]
    out = subprocess.run(args, capture_output=True, text=True, cwd=ROOT, check=True).stdout
    path = os.path.join(vapi.data_dir, f"{user}-{workspace}.kubeconfig")
    with open(path, "w") as f:
        f.write(out)
    return path


def as_user(kubeconfig: str, *args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([KUBECTL, "--kubeconfig", kubeconfig, *args], capture_output=True, text=True, input=input, timeout=60)


def apply_admin(vapi: VapiProcess, workspace: str, obj: dict) -> None:
    admin = kubeconfig_for(vapi, "admin", workspace, "system:masters")
    out = as_user(admin, "apply", "-f", "-", input=json.dumps(obj))
    assert out.returncode == 0, out.stderr


def grant(name: str, kind: str, subject: str, role: str) -> dict:
    return {"apiVersion": "tenancy.vapi.dev/v1alpha1", "kind": "AccessGrant", "metadata": {"name": name},
            "spec": {"subject": {"kind": kind, "name": subject}, "role": role}}


def ws(name: str) -> dict:
    return {"apiVersion": "tenancy.vapi.dev/v1alpha1", "kind": "Workspace", "metadata": {"name": name}}


@pytest.fixture(scope="module")
def tenants(vapi: VapiProcess) -> VapiProcess:
    for name in ("acc-a", "acc-b"):
        apply_admin(vapi, "root", ws(name))
    apply_admin(vapi, "root:acc-a", ws("x"))
    apply_admin(vapi, "root:acc-a", grant("alice-edit", "User", "alice", "edit"))
    apply_admin(vapi, "root:acc-a", grant("viewers", "Group", "auditors", "view"))
    return vapi


def test_edit_grant_covers_the_workspace_and_its_subtree(tenants: VapiProcess) -> None:
    a = kubeconfig_for(tenants, "alice", "root:acc-a")
    assert as_user(a, "create", "configmap", "by-alice").returncode == 0
    x = kubeconfig_for(tenants, "alice", "root:acc-a:x")
    assert as_user(x, "create", "configmap", "below").returncode == 0


@pytest.mark.parametrize(
    "workspace,args",
    [
        pytest.param("root:acc-b", ["get", "configmaps"], id="other-workspace"),
        pytest.param("root", ["get", "workspaces"], id="parent-workspaces"),
        pytest.param("root:acc-a", ["create", "-f", "-"], id="create-grant"),
        pytest.param("root:acc-b", ["api-resources"], id="discovery"),
    ],
)
def test_edit_user_is_forbidden_elsewhere(tenants: VapiProcess, workspace: str, args: list[str]) -> None:
    kc = kubeconfig_for(tenants, "alice", workspace)
    out = as_user(kc, *args, input=json.dumps(grant("self", "User", "alice", "admin")))
    assert out.returncode != 0 and ("Forbidden" in out.stderr or "forbidden" in out.stderr), out.stderr


@pytest.mark.parametrize(
    "workspace,args,message",
    [
        pytest.param("root:acc-b", ["get", "--raw", "/api/v1/namespaces/default/configmaps"],
                     'configmaps is forbidden: User "alice" cannot list resource "configmaps" in API group "" '
                     'in the namespace "default": needs the view role in the workspace "root:acc-b"', id="list"),
        pytest.param("root:acc-b", ["get", "--raw", "/api/v1/namespaces/default/pods/p1/status"],
                     'pods "p1" is forbidden: User "alice" cannot get resource "pods/status" in API group "" '
                     'in the namespace "default": needs the view role in the workspace "root:acc-b"', id="subresource"),
        pytest.param("root:acc-b", ["get", "--raw", "/api/v1/namespaces/kube-system"],
                     'namespaces "kube-system" is forbidden: User "alice" cannot get resource "namespaces" in API group "" '
                     'in the namespace "kube-system": needs the view role in the workspace "root:acc-b"', id="namespace"),
        pytest.param("root", ["get", "--raw", "/apis/tenancy.vapi.dev/v1alpha1/workspaces"],
                     'workspaces.tenancy.vapi.dev is forbidden: User "alice" cannot list resource "workspaces" in API group '
                     '"tenancy.vapi.dev" at the cluster scope: needs the view role in the workspace "root"', id="cluster-scope"),
        pytest.param("root:acc-a", ["delete", "accessgrant", "viewers"],
                     'accessgrants.tenancy.vapi.dev "viewers" is forbidden: User "alice" cannot delete resource "accessgrants" '
                     'in API group "tenancy.vapi.dev" at the cluster scope: needs the admin role in the workspace "root:acc-a"',
                     id="grant"),
        pytest.param("root:acc-a", ["create", "token", "default"],
                     'serviceaccounts "default" is forbidden: User "alice" cannot create resource "serviceaccounts/token" '
                     'in API group "" in the namespace "default": needs the admin role in the workspace "root:acc-a"',
                     id="token"),
        pytest.param("root:acc-b", ["get", "--raw", "/apis"],
                     'forbidden: User "alice" cannot get path "/apis": needs the view role in the workspace "root:acc-b"',
                     id="path"),
    ],
)
def test_forbidden_is_worded_as_kube_apiserver_words_it(tenants: VapiProcess, workspace: str, args: list[str],
                                                        message: str) -> None:
    """kube-apiserver's `<resource> "<name>" is forbidden: User "u" cannot <verb> resource "<r>[/<sub>]" in API group
    "<g>" in the namespace "<ns>"|at the cluster scope`, its reason naming the role and workspace."""
    kc = kubeconfig_for(tenants, "alice", workspace)
    out = as_user(kc, *args)
    assert out.returncode != 0 and message in out.stderr, out.stderr


def test_forbidden_status_has_kube_details(tenants: VapiProcess) -> None:
    kc = kubeconfig_for(tenants, "alice", "root:acc-b")
    out = as_user(kc, "get", "--raw", "/apis/apps/v1/namespaces/default/deployments/web", "-v=8")
    bodies = [line for line in out.stderr.splitlines() if "Response Body" in line]
    assert bodies, out.stderr
    assert '\\"details\\":{\\"name\\":\\"web\\",\\"group\\":\\"apps\\",\\"kind\\":\\"deployments\\"}' in bodies[0]


def test_view_cannot_write_and_watch_is_checked(tenants: VapiProcess) -> None:
    v = kubeconfig_for(tenants, "bob", "root:acc-a", "auditors")
    assert as_user(v, "get", "configmaps").returncode == 0
    assert as_user(v, "create", "configmap", "nope").returncode != 0
    assert "yes" == as_user(v, "auth", "can-i", "list", "configmaps").stdout.strip()
    assert "no" == as_user(v, "auth", "can-i", "create", "configmaps").stdout.strip()
    nobody = kubeconfig_for(tenants, "mallory", "root:acc-a")
    watch = as_user(nobody, "get", "configmaps", "-w", "--request-timeout=3s")
    assert watch.returncode != 0 and "forbidden" in watch.stderr.lower()


def test_rbac_objects_grant_nothing(tenants: VapiProcess) -> None:
    """A ClusterRoleBinding making mallory cluster-admin, stored in the workspace, is inert."""
    apply_admin(tenants, "root:acc-a", {
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": {"name": "mallory-admin"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
        "subjects": [{"kind": "User", "name": "mallory", "apiGroup": "rbac.authorization.k8s.io"}]})
    m = kubeconfig_for(tenants, "mallory", "root:acc-a")
    out = as_user(m, "get", "configmaps")
    assert out.returncode != 0 and "forbidden" in out.stderr.lower()


def test_invalid_grants_are_refused(tenants: VapiProcess) -> None:
    admin = kubeconfig_for(tenants, "admin", "root:acc-a", "system:masters")
    out = as_user(admin, "apply", "-f", "-", input=json.dumps(grant("bad", "Robot", "r2", "owner")))
    assert out.returncode != 0
    assert 'spec.subject.kind: Unsupported value: "Robot": supported values: "User", "Group"' in out.stderr
    assert 'spec.role: Unsupported value: "owner": supported values: "view", "edit", "admin"' in out.stderr
    shapeless = {**grant("bad", "User", "x", "view"), "spec": {"subject": "alice", "role": 3}}
    out = as_user(admin, "apply", "-f", "-", input=json.dumps(shapeless))
    assert out.returncode != 0
    # wrong JSON types fail decoding against the kind's schema, as for built-in kinds (400; kubectl sends keys sorted)
    assert ('AccessGrant in version "v1alpha1" cannot be handled as a AccessGrant: json: cannot unmarshal number into '
            "Go struct field AccessGrantSpec.spec.role of type string") in out.stderr
    assert as_user(admin, "get", "accessgrant", "bad").returncode != 0


@pytest.mark.parametrize("credential", ["certificate", "token"])
@pytest.mark.parametrize(
    "role,allowed",
    [
        pytest.param("view", {"get configmaps", "list deployments.apps", "watch secrets"}, id="view"),
        pytest.param("edit", {"get configmaps", "list deployments.apps", "watch secrets", "create configmaps",
                              "delete deployments.apps", "patch secrets"}, id="edit"),
        pytest.param("admin", {"get configmaps", "list deployments.apps", "watch secrets", "create configmaps",
                               "delete deployments.apps", "patch secrets", "create accessgrants.tenancy.vapi.dev",
                               "create workspaces.tenancy.vapi.dev"}, id="admin"),
    ],
)
def test_kubectl_and_can_i_for_each_role(tenants: VapiProcess, role: str, allowed: set[str], credential: str) -> None:
    """A user with one role, from `vapi kubeconfig` (certificate or token): kubectl works as
    far as the role goes and `kubectl auth can-i` answers exactly that, in the workspace and
    below it, and nothing in the parent."""
    user = f"{role}-{credential}-user"
    apply_admin(tenants, "root:acc-a", grant(f"{user}-grant", "User", user, role))
    kc = kubeconfig_for(tenants, user, "root:acc-a:x", *(["--token"] if credential == "token" else []))
    every = {"get configmaps", "list deployments.apps", "watch secrets", "create configmaps", "delete deployments.apps",
             "patch secrets", "create accessgrants.tenancy.vapi.dev", "create workspaces.tenancy.vapi.dev"}
    for check in sorted(every):
        out = as_user(kc, "auth", "can-i", *check.split())
        assert out.stdout.strip() == ("yes" if check in allowed else "no"), (check, out.stdout, out.stderr)
    listed = as_user(kc, "get", "configmaps")
    assert listed.returncode == 0, listed.stderr
    created = as_user(kc, "create", "configmap", f"{user}-cm")
    assert (created.returncode == 0) == (role != "view"), created.stderr
    parent = kubeconfig_for(tenants, user, "root", *(["--token"] if credential == "token" else []))
    assert as_user(parent, "auth", "can-i", "get", "configmaps").stdout.strip() == "no"


def test_replicas_follow_grants_and_workspaces_changed_through_another(tmp_path: object, etcd: EtcdCluster) -> None:
    """Two replicas on one etcd: a grant revoked, or a workspace deleted, through one is
    honoured by the other within a few seconds (its caches are read again), not never."""
    import shutil
    import time

    a = VapiProcess(os.path.join(str(tmp_path), "a"), "--storage", etcd.url).start()
    b_dir = os.path.join(str(tmp_path), "b")
    os.makedirs(b_dir)
    for name in ("ca.crt", "ca.key", "admin.token"):  # replicas share the CA and admin token
        shutil.copy(os.path.join(a.data_dir, name), b_dir)
    b = VapiProcess(b_dir, "--storage", etcd.url).start()
    try:
        apply_admin(a, "root", ws("replicated"))
        apply_admin(a, "root:replicated", grant("alice-edit", "User", "alice", "edit"))
        alice_a = kubeconfig_for(a, "alice", "root:replicated")
        alice_b = os.path.join(b.data_dir, "alice.kubeconfig")
        with open(alice_a) as f, open(alice_b, "w") as out:
            out.write(f.read().replace(a.base, b.base))
        assert as_user(alice_b, "get", "configmaps").returncode == 0

        def refused_within(seconds: float, *args: str) -> str:
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline:
                out = as_user(alice_b, *args)
                if out.returncode != 0:
                    return out.stderr
                time.sleep(0.2)
            raise AssertionError(f"replica b still serves {args} after {seconds}s")

        as_user(kubeconfig_for(a, "admin", "root:replicated", "system:masters"), "delete", "accessgrant", "alice-edit")
        assert "forbidden" in refused_within(5, "get", "configmaps").lower()

        apply_admin(a, "root:replicated", grant("alice-edit", "User", "alice", "edit"))
        deadline = time.monotonic() + 5
        while as_user(alice_b, "get", "configmaps").returncode != 0:
            assert time.monotonic() < deadline, "replica b never saw the new grant"
            time.sleep(0.2)
        as_user(kubeconfig_for(a, "admin", "root", "system:masters"), "delete", "workspace", "replicated")
        refused_within(5, "get", "configmaps")
        deadline = time.monotonic() + 5
        while b.request("GET", "/clusters/root:replicated/api/v1/namespaces")[0] != 404:
            assert time.monotonic() < deadline, "replica b still serves the deleted workspace"
            time.sleep(0.2)
    finally:
        b.stop()
        a.stop()


def test_impersonation_takes_admin_and_acts_as_the_user(tenants: VapiProcess) -> None:
    """`kubectl --as`: an admin acts as alice (her grants, not the admin's); an edit user may
    not impersonate; the audit log names both users."""
    admin = kubeconfig_for(tenants, "admin", "root:acc-a", "system:masters")
    who = as_user(admin, "auth", "whoami", "--as=alice", "--as-group=devs", "-o", "json")
    assert json.loads(who.stdout)["status"]["userInfo"] == {"username": "alice", "groups": ["devs", "system:authenticated"]}
    assert as_user(admin, "create", "configmap", "as-alice", "--as=alice").returncode == 0
    assert as_user(admin, "auth", "can-i", "create", "workspaces", "--as=alice").stdout.strip() == "no"
    denied = as_user(admin, "create", "configmap", "as-mallory", "--as=mallory")
    assert 'User "mallory" cannot create resource "configmaps"' in denied.stderr
    sa = as_user(admin, "auth", "whoami", "--as=system:serviceaccount:ns1:robot", "-o", "json")
    assert json.loads(sa.stdout)["status"]["userInfo"]["groups"] == [
        "system:serviceaccounts", "system:serviceaccounts:ns1", "system:authenticated"]
    alice = kubeconfig_for(tenants, "alice", "root:acc-a")
    refused = as_user(alice, "get", "configmaps", "--as=admin", "--as-group=system:masters")
    assert refused.returncode != 0
    assert ('users "admin" is forbidden: User "alice" cannot impersonate resource "users" in API group "" '
            'at the cluster scope: needs the admin role in the workspace "root:acc-a"') in refused.stderr
    assert as_user(alice, "auth", "can-i", "impersonate", "users").stdout.strip() == "no"
    # header names are case-insensitive: a lower-case one is impersonation all the same
    token = kubeconfig_for(tenants, "alice", "root:acc-a", "--token")
    import yaml
    with open(token) as f:
        bearer = yaml.safe_load(f)["users"][0]["user"]["token"]
    import http.client
    import urllib.parse

    url = urllib.parse.urlsplit(tenants.base)
    conn = http.client.HTTPSConnection(url.hostname or "", url.port, context=tenants.ssl_context(False))
    conn.putrequest("GET", "/clusters/root:acc-a/api/v1/namespaces/default/configmaps")
    conn.putheader("authorization", f"Bearer {bearer}")
    conn.putheader("impersonate-user", "nobody")  # sent as written, unlike urllib's
    conn.endheaders()
    reply = conn.getresponse()
    assert reply.status == 403 and 'User "alice" cannot impersonate' in json.loads(reply.read())["message"]
    conn.close()
    with open(os.path.join(tenants.data_dir, "audit.log")) as f:
        events = [json.loads(line) for line in f]
    created = [e for e in events if e.get("objectRef", {}).get("name") == "as-alice"]
    assert created and created[-1]["user"]["username"] == "admin"
    assert created[-1]["impersonatedUser"]["username"] == "alice"


def review(user: str | None, groups: list[str], verb: str, resource: str, group: str = "") -> dict:
    spec: dict = {"groups": groups, "resourceAttributes": {"verb": verb, "group": group, "resource": resource,
                                                           "namespace": "default"}}
    if user is not None:
        spec["user"] = user
    return {"apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview", "spec": spec}


@pytest.mark.parametrize(
    "user,groups,verb,resource,allowed",
    [
        pytest.param("alice", [], "create", "configmaps", True, id="edit-writes"),
        pytest.param("alice", [], "create", "accessgrants.tenancy.vapi.dev", False, id="edit-no-grants"),
        pytest.param("mallory", [], "get", "configmaps", False, id="no-grant"),
        pytest.param("mallory", ["auditors"], "list", "configmaps", True, id="group-view"),
        pytest.param("mallory", ["auditors"], "delete", "configmaps", False, id="group-view-no-write"),
        pytest.param("", ["system:masters"], "*", "*", True, id="masters"),
    ],
)
def test_subject_access_review_answers_for_the_subject_asked_about(
        tenants: VapiProcess, user: str, groups: list[str], verb: str, resource: str, allowed: bool) -> None:
    """An admin asks about someone else: the answer is that subject's, not the asker's."""
    admin = kubeconfig_for(tenants, "admin", "root:acc-a", "system:masters")
    name, _, group = resource.partition(".")
    out = as_user(admin, "create", "-o", "json", "-f", "-", input=json.dumps(review(user, groups, verb, name, group)))
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["status"]["allowed"] is allowed


def test_access_reviews_are_validated_as_kube_validates_them(tenants: VapiProcess) -> None:
    admin = kubeconfig_for(tenants, "admin", "root:acc-a", "system:masters")
    nobody = as_user(admin, "create", "-f", "-", input=json.dumps(review(None, [], "get", "pods")))
    assert nobody.returncode != 0
    assert ('SubjectAccessReview "" is invalid: spec.user: Invalid value: "": at least one of user or group must be '
            'specified') in nobody.stderr
    local = review("alice", [], "get", "pods")
    local.update(kind="LocalSubjectAccessReview", metadata={"namespace": "kube-system"})
    out = as_user(admin, "create", "-f", "-", input=json.dumps(local))
    assert out.returncode != 0 and "spec.resourceAttributes.namespace must match namespace: kube-system" in out.stderr
    alice = kubeconfig_for(tenants, "alice", "root:acc-a")
    refused = as_user(alice, "create", "-f", "-", input=json.dumps(review("bob", [], "get", "pods")))
    assert refused.returncode != 0 and 'cannot create resource "subjectaccessreviews"' in refused.stderr


@pytest.mark.parametrize(
    "role,everything,rules",
    [
        pytest.param("view", "no", {("*.*", "[get list watch]")}, id="view"),
        pytest.param("edit", "no", {("*.*", "[get list watch]"), ("*.apps", "[create update patch delete deletecollection]"),
                                    ("*", "[create update patch delete deletecollection]")}, id="edit"),
        pytest.param("admin", "yes", {("*.*", "[*]")}, id="admin"),
    ],
)
def test_can_i_everything_and_list_follow_the_role(tenants: VapiProcess, role: str, everything: str,
                                                   rules: set[tuple[str, str]]) -> None:
    """`kubectl auth can-i '*' '*'` is yes for admin only (edit may not write grants or
    workspaces, nor impersonate), and `can-i --list` never lists a write the role lacks."""
    user = f"{role}-lister"
    apply_admin(tenants, "root:acc-a", grant(f"{user}-grant", "User", user, role))
    kc = kubeconfig_for(tenants, user, "root:acc-a")
    assert as_user(kc, "auth", "can-i", "*", "*").stdout.strip() == everything
    listed = as_user(kc, "auth", "can-i", "--list").stdout.splitlines()[1:]
    rows = (re.fullmatch(r"(\S+)\s+\[\]\s+\[\]\s+(\[.*\])", line.strip()) for line in listed)
    pairs = {(m.group(1), m.group(2)) for m in rows if m}
    assert rules <= pairs, listed
    assert not any(r.endswith("tenancy.vapi.dev") and "create" in v for r, v in pairs), listed
