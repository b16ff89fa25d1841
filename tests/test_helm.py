"""helm 4.1 against a workspace, in client-side apply mode (`--server-side=false`); helm's
default server-side mode is tested in tests/test_ssa.py. The chart (tests/charts/demo) has a
CRD in crds/ and a custom resource of it in templates."""

from __future__ import annotations

import json
import os
import subprocess

from tests.apiserver import ROOT, VapiProcess

HELM = os.path.join(ROOT, ".tools", "bin", "helm")
CHART = os.path.join(os.path.dirname(os.path.abspath(__file__)), "charts", "demo")


def helm(vapi: VapiProcess, ns: str, *args: str) -> str:
    out = subprocess.run([HELM, "--kubeconfig", vapi.kubeconfig, "-n", ns, *args],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout


def names(vapi: VapiProcess, ns: str, kinds: str) -> set[str]:
    return set(vapi.kubectl("-n", ns, "get", kinds, "-o", "name").stdout.split())


def test_install_upgrade_rollback_uninstall(vapi: VapiProcess, namespace: str) -> None:
    csa = "--server-side=false"
    out = helm(vapi, namespace, "install", "r", CHART, csa)
    assert "STATUS: deployed" in out
    assert names(vapi, namespace, "deploy,svc,cm,sa") == {
        "deployment.apps/r-web", "service/r-svc", "configmap/r-cfg", "serviceaccount/r-sa"}
    assert "clusterrolebinding.rbac.authorization.k8s.io/r-reader" in vapi.kubectl("get", "clusterrolebindings", "-o", "name").stdout.split()
    secret = vapi.kubectl("-n", namespace, "get", "secret", "r-secret", "-o", "jsonpath={.data.password}").stdout
    assert secret == "aHVudGVyMg=="
    hooks = vapi.kubectl("get", "validatingwebhookconfigurations", "-o", "name").stdout.split()
    assert f"validatingwebhookconfiguration.admissionregistration.k8s.io/r-{namespace}-policy" in hooks
    groups = [g["name"] for g in json.loads(vapi.request("GET", "/clusters/root/apis")[2])["groups"]]
    assert "r.metrics.example.com" not in groups, "the chart's APIService adds no group"
    # the webhook (failurePolicy Fail, unreachable) is inert: writes still succeed
    vapi.kubectl("-n", namespace, "create", "configmap", "after-webhook", "--from-literal=a=b")
    vapi.kubectl("-n", namespace, "delete", "configmap", "after-webhook")

    assert vapi.kubectl("-n", namespace, "get", "gadget", "r-gadget", "-o", "jsonpath={.spec.mode}").stdout == "normal"
    helm(vapi, namespace, "upgrade", "r", CHART, csa, "--set", "replicas=3", "--set", "withService=false")
    assert vapi.kubectl("-n", namespace, "get", "deploy", "r-web", "-o", "jsonpath={.spec.replicas}").stdout == "3"
    assert vapi.kubectl("-n", namespace, "get", "gadget", "r-gadget", "-o", "jsonpath={.spec.replicas}").stdout == "3"
    assert "service/r-svc" not in names(vapi, namespace, "svc"), "a resource the chart no longer renders is deleted"

    helm(vapi, namespace, "rollback", "r", "1")
    assert vapi.kubectl("-n", namespace, "get", "deploy", "r-web", "-o", "jsonpath={.spec.replicas}").stdout == "1"
    assert "service/r-svc" in names(vapi, namespace, "svc")

    releases = json.loads(helm(vapi, namespace, "list", "-o", "json"))
    assert [(r["name"], r["revision"], r["status"]) for r in releases] == [("r", "3", "deployed")]
    manifest = helm(vapi, namespace, "get", "manifest", "r")
    assert "name: r-web" in manifest and "kind: ClusterRoleBinding" in manifest
    status = helm(vapi, namespace, "status", "r")
    assert "STATUS: deployed" in status and "REVISION: 3" in status
    # helm 4 lists the release's resources in `status` (helm 3's --show-resources)
    assert "RESOURCES:" in status and "==> v1/Deployment" in status and "r-gadget" in status

    helm(vapi, namespace, "uninstall", "r")
    assert names(vapi, namespace, "deploy,svc,cm,sa,secrets,gadgets") == set()
    assert "customresourcedefinition.apiextensions.k8s.io/gadgets.demo.vapi.dev" in vapi.kubectl(
        "get", "crd", "-o", "name").stdout.split(), "helm keeps CRDs from crds/ on uninstall"
    assert "clusterrolebinding.rbac.authorization.k8s.io/r-reader" not in vapi.kubectl("get", "clusterrolebindings", "-o", "name").stdout.split()
