"""The long tail of kubectl commands against a workspace, with the output a real
kube-apiserver 1.35 with no controllers gives them (as envtest would)."""

from __future__ import annotations

import json

from tests.apiserver import VapiProcess


def k(vapi: VapiProcess, ns: str, *args: str, **kw: object) -> str:
    return vapi.kubectl("-n", ns, *args, **kw).stdout  # type: ignore[arg-type]


def refused(vapi: VapiProcess, *args: str) -> str:
    out = vapi.kubectl(*args, check=False)
    assert out.returncode == 1, out.stdout
    return out.stderr.strip()


def test_field_selectors_read_what_kube_strategies_select(vapi: VapiProcess, namespace: str) -> None:
    """Per-kind labels (pkg/apis/*/conversion.go) and their values (ToSelectableFields): a bool
    or count left out of the object reads as Go's zero value."""
    node = f"fs-{namespace}"
    vapi.kubectl("create", "-f", "-", input=json.dumps({"apiVersion": "v1", "kind": "Node", "metadata": {"name": node}}))
    assert f"node/{node}" in vapi.kubectl("get", "nodes", "--field-selector=spec.unschedulable=false", "-o", "name").stdout.split()
    vapi.kubectl("cordon", node)
    assert vapi.kubectl("get", "nodes", "--field-selector=spec.unschedulable=false", "-o", "name").stdout.split().count(f"node/{node}") == 0
    assert f"node/{node}" in vapi.kubectl("get", "nodes", "--field-selector=spec.unschedulable=true", "-o", "name").stdout.split()

    k(vapi, namespace, "run", "p", "--image=nginx")
    assert k(vapi, namespace, "get", "pods", "--field-selector=spec.hostNetwork=false", "-o", "name").split() == ["pod/p"]
    k(vapi, namespace, "create", "job", "j", "--image=busybox")
    assert k(vapi, namespace, "get", "jobs", "--field-selector=status.successful=0", "-o", "name").split() == ["job.batch/j"]
    k(vapi, namespace, "create", "-f", "-", input=json.dumps({
        "apiVersion": "v1", "kind": "Event", "metadata": {"name": "e"}, "involvedObject": {"kind": "Pod", "name": "p"},
        "source": {"component": "kubelet"}}))
    assert k(vapi, namespace, "get", "events", "--field-selector=source=kubelet", "-o", "name").split() == ["event/e"]

    k(vapi, namespace, "create", "service", "nodeport", "np", "--tcp=80:8080")
    k(vapi, namespace, "create", "service", "clusterip", "ci", "--tcp=80:8080")
    assert k(vapi, namespace, "get", "svc", "--field-selector=spec.type=NodePort", "-o", "name").split() == ["service/np"]
    assert k(vapi, namespace, "get", "svc", "--field-selector=spec.type!=NodePort", "-o", "name").split() == ["service/ci"]

    assert refused(vapi, "-n", namespace, "get", "cm", "--field-selector=data.a=1") == (
        'Error from server (BadRequest): Unable to find "/v1, Resource=configmaps" that match label selector "", '
        'field selector "data.a=1": "data.a" is not a known field selector: only "metadata.name", "metadata.namespace"')
    assert refused(vapi, "-n", namespace, "get", "jobs", "--field-selector=status.failed=0").endswith(
        ': field label "status.failed" not supported for Job')
    assert refused(vapi, "get", "nodes", "--field-selector=metadata.namespace=x").endswith(
        ": field label not supported: metadata.namespace")
    # a cluster-scoped kind with no conversion of its own takes metadata.namespace, which reads ""
    out = vapi.kubectl("get", "clusterroles", "--field-selector=metadata.namespace=x")
    assert out.stdout == "" and out.stderr.strip() == "No resources found"


def test_custom_resources_select_on_their_selectable_fields(vapi: VapiProcess, namespace: str) -> None:
    group = f"{namespace}.sel.example.com"
    crd = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
           "metadata": {"name": f"gadgets.{group}"},
           "spec": {"group": group, "scope": "Namespaced", "names": {"kind": "Gadget", "plural": "gadgets"},
                    "versions": [{"name": "v1", "served": True, "storage": True,
                                  "selectableFields": [{"jsonPath": ".spec.color"}, {"jsonPath": ".spec.size"}],
                                  "schema": {"openAPIV3Schema": {"type": "object", "properties": {"spec": {
                                      "type": "object", "properties": {"color": {"type": "string"},
                                                                       "size": {"type": "integer"}}}}}}}]}}
    vapi.kubectl("create", "-f", "-", input=json.dumps(crd))
    vapi.kubectl("wait", "--for=condition=established", f"crd/gadgets.{group}", "--timeout=10s")
    for name, spec in (("g1", {"color": "red", "size": 3}), ("g2", {"color": "blue"})):
        k(vapi, namespace, "create", "-f", "-", input=json.dumps(
            {"apiVersion": f"{group}/v1", "kind": "Gadget", "metadata": {"name": name}, "spec": spec}))
    resource = f"gadgets.{group}"
    assert k(vapi, namespace, "get", resource, "--field-selector=spec.color=red", "-o", "name").split() == [f"gadget.{group}/g1"]
    assert k(vapi, namespace, "get", resource, "--field-selector=spec.size=3", "-o", "name").split() == [f"gadget.{group}/g1"]
    assert k(vapi, namespace, "get", resource, "--field-selector=spec.size=", "-o", "name").split() == [f"gadget.{group}/g2"]
    assert refused(vapi, "-n", namespace, "get", resource, "--field-selector=spec.shape=round").endswith(
        ": field label not supported: spec.shape")


def test_priority_classes_are_validated_as_kube_does(vapi: VapiProcess, namespace: str) -> None:
    prefix = "error: failed to create priorityclass: PriorityClass.scheduling.k8s.io"
    assert refused(vapi, "create", "priorityclass", f"big-{namespace}", "--value=1000000001") == (
        f'{prefix} "big-{namespace}" is invalid: value: Forbidden: maximum allowed value of a user defined priority is 1000000000')
    assert refused(vapi, "create", "priorityclass", f"system-{namespace}", "--value=1") == (
        f'{prefix} "system-{namespace}" is invalid: metadata.name: Forbidden: priority class names with \'system-\' '
        f"prefix are reserved for system use only. error: system-{namespace} is not a known system priority class")
    name = f"pc-{namespace}"
    out = vapi.kubectl("create", "priorityclass", name, "--value=1000000000").stdout
    assert out.strip() == f"priorityclass.scheduling.k8s.io/{name} created"
    assert refused(vapi, "patch", "priorityclass", name, "-p", '{"value":5}') == (
        f'The PriorityClass "{name}" is invalid: value: Forbidden: may not be changed in an update.')
    assert refused(vapi, "patch", "priorityclass", name, "-p", '{"preemptionPolicy":"Never"}') == (
        f'The PriorityClass "{name}" is invalid: preemptionPolicy: Invalid value: "Never": field is immutable')
    assert vapi.kubectl("label", "priorityclass", name, "a=b").stdout.strip() == f"priorityclass.scheduling.k8s.io/{name} labeled"
