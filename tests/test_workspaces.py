"""Workspaces as a tree: a Workspace object in a parent makes a child at
/clusters/<parent>:<name>, with its own namespaces, objects and CRD-defined kinds."""

from __future__ import annotations

import json
import os

import pytest

from tests.apiserver import VapiProcess
from tests.test_crds import CRD


def workspace(name: str) -> str:
    return json.dumps({"apiVersion": "tenancy.vapi.dev/v1alpha1", "kind": "Workspace", "metadata": {"name": name}})


def child_kubeconfig(vapi: VapiProcess, path: str) -> str:
    with open(vapi.kubeconfig) as f:
        text = f.read()
    out = os.path.join(vapi.data_dir, f"{path}.kubeconfig")
    with open(out, "w") as f:
        f.write(text.replace("/clusters/root\n", f"/clusters/{path}\n"))
    return out


def kc(vapi: VapiProcess, kubeconfig: str, *args: str, **kw: object) -> str:
    import subprocess

    from tests.apiserver import KUBECTL

    out = subprocess.run([KUBECTL, "--kubeconfig", kubeconfig, *args], capture_output=True, text=True, timeout=60, **kw)  # type: ignore[call-overload]
    assert out.returncode == 0, out.stderr
    return str(out.stdout)


def test_workspace_tree(vapi: VapiProcess) -> None:
    vapi.kubectl("apply", "-f", "-", input=workspace("team-a"))
    rows = vapi.kubectl("get", "workspaces").stdout.splitlines()
    assert rows[0].split() == ["NAME", "PHASE", "URL", "AGE"]
    [row] = [r.split() for r in rows[1:] if r.split()[0] == "team-a"]
    name, phase, url = row[:3]
    assert (name, phase) == ("team-a", "Ready") and url.endswith("/clusters/root:team-a")

    a = child_kubeconfig(vapi, "root:team-a")
    assert kc(vapi, a, "get", "ns", "-o", "name").split() == [
        "namespace/default", "namespace/kube-node-lease", "namespace/kube-public", "namespace/kube-system"]
    kc(vapi, a, "create", "configmap", "only-in-a")
    assert "only-in-a" not in vapi.kubectl("get", "cm", "-A", "-o", "name").stdout, "workspaces do not see each other"

    kc(vapi, a, "apply", "-f", "-", input=workspace("sub"))
    sub = child_kubeconfig(vapi, "root:team-a:sub")
    kc(vapi, sub, "create", "configmap", "deep")
    assert kc(vapi, sub, "get", "cm", "-o", "name").split() == ["configmap/deep"]

    vapi.kubectl("delete", "workspace", "team-a")
    code, _, _ = vapi.request("GET", "/clusters/root:team-a/api/v1/namespaces")
    assert code == 404
    code, _, _ = vapi.request("GET", "/clusters/root:team-a:sub/api/v1/namespaces")
    assert code == 404, "the subtree goes with it"
    vapi.kubectl("apply", "-f", "-", input=workspace("team-a"))
    assert kc(vapi, a, "get", "cm", "-o", "name").split() == [], "a new workspace of the same name starts empty"
    assert kc(vapi, a, "get", "ws", "-o", "name").split() == []
    vapi.kubectl("delete", "workspace", "team-a")


def test_workspace_names_are_validated(vapi: VapiProcess) -> None:
    out = vapi.kubectl("apply", "-f", "-", input=workspace("Not_Valid"), check=False)
    assert out.returncode != 0 and "Invalid value" in out.stderr


def test_workspace_status_is_the_servers(vapi: VapiProcess) -> None:
    """A generated name gets its own URL; replace, patch and apply cannot change or drop the
    phase and URL (the Workspace has no status subresource: the server owns them)."""
    made = json.loads(vapi.kubectl("create", "-o", "json", "-f", "-", input=json.dumps(
        {"apiVersion": "tenancy.vapi.dev/v1alpha1", "kind": "Workspace", "metadata": {"generateName": "gen-"}})).stdout)
    name = made["metadata"]["name"]
    assert name.startswith("gen-") and len(name) == 9
    want = {"phase": "Ready", "URL": f"{vapi.base}/clusters/root:{name}"}
    assert made["status"] == want
    assert vapi.request("GET", f"/clusters/root:{name}/api/v1/namespaces")[0] == 200
    replaced = {**made, "status": {"phase": "Broken"}}
    out = vapi.kubectl("replace", "-o", "json", "-f", "-", input=json.dumps(replaced))
    assert json.loads(out.stdout)["status"] == want
    without = {k: v for k, v in made.items() if k != "status"}
    without["metadata"] = {"name": name}
    assert json.loads(vapi.kubectl("replace", "-o", "json", "-f", "-", input=json.dumps(without)).stdout)["status"] == want
    out = vapi.kubectl("patch", "workspace", name, "--type", "merge", "-p", '{"status":{"URL":"https://elsewhere"}}', "-o", "json")
    assert json.loads(out.stdout)["status"] == want
    vapi.kubectl("delete", "workspace", name)


@pytest.mark.parametrize(
    "field,expected",
    [
        pytest.param("workspace.spec.quota.objects", "FIELD: objects <integer>", id="workspace"),
        pytest.param("workspace.status", "URL\t<string>", id="workspace-status"),
        pytest.param("accessgrant.spec", "role\t<string> -required-\n  enum: view, edit, admin", id="grant"),
        pytest.param("accessgrant.spec.subject", "kind\t<string> -required-\n  enum: User, Group", id="subject"),
        pytest.param("accesstoken.spec.expirationTimestamp", "FIELD: expirationTimestamp <string>", id="token"),
    ],
)
def test_kubectl_explain_knows_the_tenancy_kinds(vapi: VapiProcess, field: str, expected: str) -> None:
    """vapi's own kinds are in the OpenAPI documents, as a CRD's kinds are."""
    out = vapi.kubectl("explain", field).stdout
    assert "GROUP:      tenancy.vapi.dev" in out and expected in out, out


@pytest.mark.parametrize(
    "spec,message",
    [
        pytest.param({"quota": {"objects": -1}}, 'The Workspace "bad-quota" is invalid: spec.quota.objects: Invalid value: -1: '
                     "spec.quota.objects in body should be greater than or equal to 0", id="negative"),
        # a wrong JSON type fails decoding against the kind's schema, as for a built-in kind (400)
        pytest.param({"quota": {"objects": "ten"}}, 'Workspace in version "v1alpha1" cannot be handled as a Workspace: json: '
                     "cannot unmarshal string into Go struct field WorkspaceQuota.spec.quota.objects of type int64", id="string"),
        pytest.param({"quota": 5}, 'Workspace in version "v1alpha1" cannot be handled as a Workspace: json: cannot unmarshal '
                     "number into Go struct field WorkspaceSpec.spec.quota of type", id="not-an-object"),
    ],
)
def test_workspace_quota_is_validated(vapi: VapiProcess, spec: dict, message: str) -> None:
    """A quota that is no count is refused (stored nothing), not silently ignored."""
    obj = {**json.loads(workspace("bad-quota")), "spec": spec}
    out = vapi.kubectl("create", "-f", "-", input=json.dumps(obj), check=False)
    assert out.returncode != 0 and message in out.stderr, out.stderr
    assert vapi.kubectl("get", "workspace", "bad-quota", check=False).returncode != 0


def test_same_kind_different_schemas_in_two_workspaces(vapi: VapiProcess) -> None:
    """A CRD makes its kind storable in that workspace only, with that workspace's schema."""
    for name in ("left", "right"):
        vapi.kubectl("apply", "-f", "-", input=workspace(name))
    left, right = child_kubeconfig(vapi, "root:left"), child_kubeconfig(vapi, "root:right")
    kc(vapi, left, "apply", "-f", "-", input=CRD)
    kc(vapi, right, "apply", "-f", "-", input=CRD.replace("maximum: 10", "maximum: 100"))
    big = json.dumps({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w", "namespace": "default"},
                      "spec": {"size": 50}})
    kc(vapi, right, "apply", "-f", "-", input=big)
    import subprocess

    from tests.apiserver import KUBECTL

    refused = subprocess.run([KUBECTL, "--kubeconfig", left, "apply", "-f", "-"], input=big, capture_output=True, text=True)
    assert refused.returncode != 0 and "spec.size" in refused.stderr
    code, _, _ = vapi.request("GET", "/clusters/root/apis/example.com/v1/namespaces/default/widgets")
    assert code == 404, "root does not serve the kind"
    for name in ("left", "right"):
        vapi.kubectl("delete", "workspace", name)
