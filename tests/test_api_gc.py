"""ownerReference garbage collection with the three propagation policies."""

from __future__ import annotations

import json
import time

import pytest

from tests.apiserver import VapiProcess

JSON = {"Content-Type": "application/json"}


def post(vapi: VapiProcess, path: str, obj: dict) -> dict:
    code, _, out = vapi.request("POST", path, json.dumps(obj).encode(), headers=JSON)
    assert code == 201, out
    return json.loads(out)


def chain(vapi: VapiProcess, ns: str) -> tuple[dict, dict, dict]:
    """A ConfigMap owning a Secret owning another ConfigMap, plus an unrelated ConfigMap."""
    base = f"/clusters/root/api/v1/namespaces/{ns}"
    owner = post(vapi, base + "/configmaps", {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "owner"}})

    def ref(o: dict) -> list[dict]:
        return [{"apiVersion": "v1", "kind": o["kind"], "name": o["metadata"]["name"],
                 "uid": o["metadata"]["uid"], "blockOwnerDeletion": True}]

    mid = post(vapi, base + "/secrets", {"apiVersion": "v1", "kind": "Secret",
                                         "metadata": {"name": "mid", "ownerReferences": ref(owner)}})
    leaf = post(vapi, base + "/configmaps", {"apiVersion": "v1", "kind": "ConfigMap",
                                             "metadata": {"name": "leaf", "ownerReferences": ref(mid)}})
    post(vapi, base + "/configmaps", {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "bystander"}})
    return owner, mid, leaf


def names(vapi: VapiProcess, ns: str, resource: str) -> list[str]:
    _, _, out = vapi.request("GET", f"/clusters/root/api/v1/namespaces/{ns}/{resource}")
    return sorted(i["metadata"]["name"] for i in json.loads(out)["items"])


def wait_for(check: object, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return
        time.sleep(0.05)
    raise AssertionError("condition not met")


def test_background_deletes_the_chain(vapi: VapiProcess, namespace: str) -> None:
    chain(vapi, namespace)
    code, _, _ = vapi.request("DELETE", f"/clusters/root/api/v1/namespaces/{namespace}/configmaps/owner")
    assert code == 200
    wait_for(lambda: names(vapi, namespace, "configmaps") == ["bystander"] and names(vapi, namespace, "secrets") == [])


def test_foreground_holds_the_owner_until_dependents_are_gone(vapi: VapiProcess, namespace: str) -> None:
    chain(vapi, namespace)
    body = json.dumps({"kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": "Foreground"}).encode()
    code, _, out = vapi.request("DELETE", f"/clusters/root/api/v1/namespaces/{namespace}/configmaps/owner", body, headers=JSON)
    marked = json.loads(out)
    assert code == 200 and marked["metadata"]["deletionTimestamp"]
    assert "foregroundDeletion" in marked["metadata"]["finalizers"]
    wait_for(lambda: names(vapi, namespace, "configmaps") == ["bystander"] and names(vapi, namespace, "secrets") == [])


def test_orphan_keeps_dependents_without_the_reference(vapi: VapiProcess, namespace: str) -> None:
    chain(vapi, namespace)
    code, _, _ = vapi.request("DELETE", f"/clusters/root/api/v1/namespaces/{namespace}/configmaps/owner?propagationPolicy=Orphan")
    assert code == 200
    wait_for(lambda: "owner" not in names(vapi, namespace, "configmaps"))
    _, _, out = vapi.request("GET", f"/clusters/root/api/v1/namespaces/{namespace}/secrets/mid")
    assert "ownerReferences" not in json.loads(out)["metadata"]
    assert names(vapi, namespace, "configmaps") == ["bystander", "leaf"]


def test_a_dependent_with_another_live_owner_stays(vapi: VapiProcess, namespace: str) -> None:
    base = f"/clusters/root/api/v1/namespaces/{namespace}/configmaps"
    a = post(vapi, base, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}})
    b = post(vapi, base, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "b"}})
    refs = [{"apiVersion": "v1", "kind": "ConfigMap", "name": o["metadata"]["name"], "uid": o["metadata"]["uid"]} for o in (a, b)]
    post(vapi, base, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "shared", "ownerReferences": refs}})
    vapi.request("DELETE", base + "/a")
    wait_for(lambda: json.loads(vapi.request("GET", base + "/shared")[2])["metadata"].get("ownerReferences", [{}])[0].get("name") == "b"
             and len(json.loads(vapi.request("GET", base + "/shared")[2])["metadata"]["ownerReferences"]) == 1)


def test_kubectl_cascade_foreground_waits(vapi: VapiProcess, namespace: str) -> None:
    chain(vapi, namespace)
    out = vapi.kubectl("-n", namespace, "delete", "configmap", "owner", "--cascade=foreground").stdout
    assert out.strip() == f'configmap "owner" deleted from {namespace} namespace'
    assert names(vapi, namespace, "configmaps") == ["bystander"], "--wait returned after everything went"
    assert names(vapi, namespace, "secrets") == []


@pytest.mark.parametrize("policy", ["Sideways"])
def test_bad_propagation_policy(vapi: VapiProcess, namespace: str, policy: str) -> None:
    post(vapi, f"/clusters/root/api/v1/namespaces/{namespace}/configmaps", {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}})
    code, _, out = vapi.request("DELETE", f"/clusters/root/api/v1/namespaces/{namespace}/configmaps/x?propagationPolicy={policy}")
    status = json.loads(out)
    assert (code, status["reason"], status["details"]["kind"]) == (422, "Invalid", "DeleteOptions")
    assert status["message"] == ('DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: '
                                 f'"{policy}": supported values: "Foreground", "Background", "Orphan", "nil"')
    assert "x" in names(vapi, namespace, "configmaps")


def test_custom_resources_take_part(vapi: VapiProcess, namespace: str) -> None:
    from tests.test_crds import CRD

    vapi.kubectl("apply", "-f", "-", input=CRD)
    owner = post(vapi, f"/clusters/root/apis/example.com/v1/namespaces/{namespace}/widgets",
                 {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "owner"}, "spec": {"size": 1}})
    ref = [{"apiVersion": "example.com/v1", "kind": "Widget", "name": "owner", "uid": owner["metadata"]["uid"]}]
    post(vapi, f"/clusters/root/api/v1/namespaces/{namespace}/configmaps",
         {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "owned", "ownerReferences": ref}})
    vapi.request("DELETE", f"/clusters/root/apis/example.com/v1/namespaces/{namespace}/widgets/owner")
    wait_for(lambda: "owned" not in names(vapi, namespace, "configmaps"))
    vapi.kubectl("delete", "crd", "widgets.example.com")
