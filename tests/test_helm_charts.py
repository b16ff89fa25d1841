"""helm 4.1 in its default mode (server-side apply, field manager `helm`, fieldValidation=Strict)
with charts of many kinds (tests/charts/kinds): upgrades that change lists, conflicts with
other managers, configurations kube-apiserver refuses, in the words helm prints from a real one."""

from __future__ import annotations

import json
import os
import subprocess

from tests.apiserver import VapiProcess
from tests.test_helm import HELM

CHARTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "charts")
KINDS = os.path.join(CHARTS, "kinds")


def run_helm(vapi: VapiProcess, ns: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([HELM, "--kubeconfig", vapi.kubeconfig, "-n", ns, *args],
                          capture_output=True, text=True, timeout=120)


def helm_ok(vapi: VapiProcess, ns: str, *args: str) -> str:
    out = run_helm(vapi, ns, *args)
    assert out.returncode == 0, out.stderr
    return out.stdout


def helm_error(vapi: VapiProcess, ns: str, *args: str) -> str:
    """The `Error: ...` line(s) helm prints when it fails (its log lines left out)."""
    out = run_helm(vapi, ns, *args)
    assert out.returncode == 1, out.stdout
    return out.stderr[out.stderr.index("Error: "):].strip()


def get(vapi: VapiProcess, ns: str, what: str) -> dict[str, object]:
    obj: dict[str, object] = json.loads(vapi.kubectl("-n", ns, "get", what, "-o", "json", "--show-managed-fields").stdout)
    return obj


def test_upgrade_removes_what_values_no_longer_render(vapi: VapiProcess, namespace: str) -> None:
    helm_ok(vapi, namespace, "install", "k", KINDS)
    kinds = vapi.kubectl("-n", namespace, "get", "deploy,sts,svc,ing,sa,role,rolebinding,hpa,pdb,netpol,cronjob,pvc",
                         "-o", "name").stdout.split()
    assert len(kinds) == 13, kinds
    helm_ok(vapi, namespace, "upgrade", "k", KINDS, "--set-json", 'env=[{"name":"A","value":"10"}]',
            "--set-json", "ports=[80]", "--set", "replicas=3")
    web = get(vapi, namespace, "deploy/k-web")
    container = web["spec"]["template"]["spec"]["containers"][0]  # type: ignore[index]
    assert container["env"] == [{"name": "A", "value": "10"}]
    assert container["ports"] == [{"containerPort": 80, "protocol": "TCP"}]
    assert web["spec"]["replicas"] == 3  # type: ignore[index]
    svc = get(vapi, namespace, "svc/k-web")
    assert [p["port"] for p in svc["spec"]["ports"]] == [80]  # type: ignore[index]
    # a map whose every entry goes goes too (kube decodes what apply leaves null)
    helm_ok(vapi, namespace, "upgrade", "k", KINDS, "--set", "resources.limits.memory=null", "--set", "resources.requests=null")
    container = get(vapi, namespace, "deploy/k-web")["spec"]["template"]["spec"]["containers"][0]  # type: ignore[index]
    assert container["resources"] == {"limits": {"cpu": "1"}}
    helm_ok(vapi, namespace, "upgrade", "k", KINDS, "--set", "resources=null")
    container = get(vapi, namespace, "deploy/k-web")["spec"]["template"]["spec"]["containers"][0]  # type: ignore[index]
    assert container["resources"] == {}


def test_unchanged_upgrade_leaves_generations(vapi: VapiProcess, namespace: str) -> None:
    # the StatefulSet's volumeClaimTemplates (an atomic list) come back undefaulted in each
    # apply; defaulted again they are the same spec
    helm_ok(vapi, namespace, "install", "k", KINDS)
    kinds = "deploy,sts,cronjob"

    def generations() -> dict[str, object]:
        listed = json.loads(vapi.kubectl("-n", namespace, "get", kinds, "-o", "json").stdout)["items"]
        return {f"{o['kind']}/{o['metadata']['name']}": o["metadata"].get("generation") for o in listed}

    before = generations()
    assert len(before) == 3 and set(before.values()) == {1}, before
    helm_ok(vapi, namespace, "upgrade", "k", KINDS)
    assert generations() == before
    helm_ok(vapi, namespace, "upgrade", "k", KINDS, "--set", "replicas=3")
    assert generations() == {**before, "Deployment/k-web": 2}


def test_upgrade_conflicts_with_other_managers(vapi: VapiProcess, namespace: str) -> None:
    helm_ok(vapi, namespace, "install", "k", KINDS)
    vapi.kubectl("-n", namespace, "scale", "deploy/k-web", "--replicas=5")
    vapi.kubectl("-n", namespace, "set", "env", "deploy/k-web", "A=99")
    err = helm_error(vapi, namespace, "upgrade", "k", KINDS, "--set", "replicas=4", "--set-json",
                     'env=[{"name":"A","value":"7"}]')
    assert err == (
        f"Error: UPGRADE FAILED: conflict occurred while applying object {namespace}/k-web apps/v1, Kind=Deployment: "
        'Apply failed with 2 conflicts: conflicts with "kubectl" with subresource "scale" using apps/v1:\n- .spec.replicas\n'
        'conflicts with "kubectl-set" using apps/v1:\n- .spec.template.spec.containers[name="web"].env[name="A"].value')
    helm_ok(vapi, namespace, "upgrade", "k", KINDS, "--set", "replicas=4", "--set-json",
            'env=[{"name":"A","value":"7"}]', "--force-conflicts")
    web = get(vapi, namespace, "deploy/k-web")
    assert web["spec"]["replicas"] == 4  # type: ignore[index]
    assert web["spec"]["template"]["spec"]["containers"][0]["env"] == [{"name": "A", "value": "7"}]  # type: ignore[index]
    assert {m["manager"] for m in web["metadata"]["managedFields"]} == {"helm"}  # type: ignore[index]


def test_duplicate_list_items_and_typos_are_refused(vapi: VapiProcess, namespace: str) -> None:
    # kube-apiserver converts an apply configuration to its typed form without allowing
    # duplicates, so two items with one key refuse it (a create or update would store them);
    # a port without protocol is keyed with its default, TCP
    err = helm_error(vapi, namespace, "install", "dup", KINDS, "--set-json", "ports=[80,80]")
    assert set(err.removeprefix("Error: INSTALLATION FAILED: ").splitlines()) == {
        f"failed to create typed patch object ({namespace}/dup-web; /v1, Kind=Service): "
        '.spec.ports: duplicate entries for key [port=80,protocol="TCP"]',
        f"failed to create typed patch object ({namespace}/dup-web; apps/v1, Kind=Deployment): "
        '.spec.template.spec.containers[name="web"].ports: duplicate entries for key [containerPort=80,protocol="TCP"]'}
    # several errors are listed as structured-merge-diff lists them; list items are named by key
    err = helm_error(vapi, namespace, "install", "dup2", KINDS, "--set-json", 'containerExtra={"imagee": "nginx"}',
                     "--set-json", 'env=[{"name":"A","value":"1"},{"name":"A","value":"2"}]')
    assert err == (f"Error: INSTALLATION FAILED: failed to create typed patch object ({namespace}/dup2-web; apps/v1, "
                   "Kind=Deployment): errors:\n"
                   '  .spec.template.spec.containers[name="web"].env: duplicate entries for key [name="A"]\n'
                   '  .spec.template.spec.containers[name="web"].imagee: field not declared in schema')
    assert vapi.kubectl("-n", namespace, "get", "deploy", "-o", "name").stdout == ""
