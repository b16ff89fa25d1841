"""What a real kube-apiserver refuses about built-in kinds beyond their types (vapi/kindrules.py):
the causes, in its words, and through kubectl."""

from __future__ import annotations

import json

import pytest

from tests.apiserver import VapiProcess
from vapi import defaults, kindrules
from vapi.resources import builtin


def causes(group: str, resource: str, obj: dict, old: dict | None = None) -> list[tuple[str, str]]:
    res = builtin().lookup(group, "v1", resource)
    assert res is not None
    for o in (obj, old):
        if o is not None:
            defaults.apply(group, res.kind, o)
    return [(c["field"], c["message"]) for c in kindrules.causes(res, obj, old)]


def deployment(selector: dict | None, labels: dict | None, **spec: object) -> dict:
    template = {"metadata": {"labels": labels} if labels is not None else {},
                "spec": {"containers": [{"name": "c", "image": "i:1"}]}}
    body = {"template": template, **spec}
    if selector is not None:
        body["selector"] = selector
    return {"metadata": {"name": "d"}, "spec": body}


def test_required_fields_after_defaulting() -> None:
    got = causes("apps", "deployments", {"metadata": {"name": "d"}, "spec": {"template": {"spec": {"containers": [{"image": "x"}]}}}})
    assert got == [("spec.selector", "Required value"), ("spec.template.spec.containers[0].name", "Required value")]
    assert causes("", "pods", {"metadata": {"name": "p"}, "spec": {"containers": []}}) == [("spec.containers", "Required value")]
    # env fieldRef.apiVersion is required, and defaulted before the check
    env = [{"name": "N", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}]
    assert causes("", "pods", {"metadata": {"name": "p"}, "spec": {"containers": [{"name": "c", "image": "i", "env": env}]}}) == []


def test_workload_selectors() -> None:
    assert causes("apps", "deployments", deployment({"matchLabels": {"app": "a"}}, {"app": "a", "x": "1"})) == []
    assert causes("apps", "deployments", deployment({"matchLabels": {"app": "a"}}, {"app": "b"})) == [
        ("spec.template.metadata.labels", 'Invalid value: {"app":"b"}: `selector` does not match template `labels`')]
    assert causes("apps", "statefulsets", deployment({}, {"app": "b"})) == [
        ("spec.selector", "Invalid value: {}: empty selector is invalid for statefulset")]
    expr = {"matchExpressions": [{"key": "env", "operator": "In", "values": ["a", "b"]}]}
    assert causes("apps", "daemonsets", deployment(expr, {"env": "b"})) == []
    old = deployment({"matchLabels": {"app": "a"}}, {"app": "a"})
    new = deployment({"matchLabels": {"app": "a", "v": "2"}}, {"app": "a", "v": "2"}, replicas=-1)
    assert causes("apps", "deployments", new, old) == [
        ("spec.replicas", "Invalid value: -1: must be greater than or equal to 0"),
        ("spec.selector", 'Invalid value: {"matchLabels":{"app":"a","v":"2"}}: field is immutable')]


def test_ports_keys_and_immutable_data() -> None:
    svc = {"metadata": {"name": "s"}, "spec": {"ports": [{"name": "a", "port": 80, "targetPort": 0}, {"name": "b", "port": 70000, "targetPort": 8080}]}}
    assert causes("", "services", svc) == [  # targetPort 0 defaults to the port
        ("spec.ports[1].port", "Invalid value: 70000: must be between 1 and 65535, inclusive")]
    assert causes("", "configmaps", {"metadata": {"name": "c"}, "data": {"bad key": "1", "good.key-1_x": "2"}}) == [
        ("data[bad key]", 'Invalid value: "bad key": ' + kindrules.CONFIG_KEY_MESSAGE)]
    old = {"metadata": {"name": "c"}, "immutable": True, "data": {"a": "1"}}
    assert causes("", "configmaps", {"metadata": {"name": "c"}, "immutable": True, "data": {"a": "2"}}, old) == [
        ("data", "Forbidden: field is immutable when `immutable` is set")]
    assert causes("", "secrets", {"metadata": {"name": "c"}, "immutable": True, "data": {"a": "1"}}, old) == []


def test_pod_spec_is_fixed_but_images() -> None:
    old = {"metadata": {"name": "p"}, "spec": {"containers": [{"name": "c", "image": "i:1"}]}}
    new = json.loads(json.dumps(old))
    new["spec"]["containers"][0]["image"] = "i:2"
    assert causes("", "pods", new, json.loads(json.dumps(old))) == []
    new["spec"]["restartPolicy"] = "Never"
    [(field, message)] = causes("", "pods", new, json.loads(json.dumps(old)))
    assert field == "spec" and message.startswith("Forbidden: pod updates may not change fields other than `spec.containers[*].image`")


@pytest.mark.parametrize("manifest,message", [
    pytest.param("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  selector: {matchLabels: {app: a}}\n"
                 "  template:\n    metadata: {labels: {app: b}}\n    spec: {containers: [{name: c, image: i}]}\n",
                 'The Deployment "d" is invalid: spec.template.metadata.labels: Invalid value: {"app":"b"}: '
                 "`selector` does not match template `labels`", id="selector"),
    pytest.param("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: []}\n",
                 'The Pod "p" is invalid: spec.containers: Required value', id="no-containers"),
])
def test_kubectl_prints_the_refusal_and_nothing_is_stored(vapi: VapiProcess, namespace: str, manifest: str, message: str) -> None:
    out = vapi.kubectl("-n", namespace, "create", "-f", "-", input=manifest, check=False)
    assert out.returncode == 1 and out.stderr.strip() == message
    assert vapi.kubectl("-n", namespace, "get", "deploy,pods", "-o", "name").stdout.split() == []


def test_what_kube_accepts_is_accepted() -> None:
    """`required` in the OpenAPI schemas that kube's validation does not enforce, or fills."""
    assert causes("rbac.authorization.k8s.io", "rolebindings",
                  {"metadata": {"name": "b"}, "roleRef": {"kind": "Role", "name": "r"}, "subjects": []}) == []
    assert causes("", "limitranges", {"metadata": {"name": "l"}, "spec": {}}) == []
    assert causes("", "events", {"metadata": {"name": "e"}, "reason": "x"}) == []
    probe = {"httpGet": {"port": 80, "httpHeaders": [{"name": "X-A", "value": ""}]}}
    assert causes("", "pods", {"metadata": {"name": "p"}, "spec": {"containers": [{"name": "c", "image": "i", "livenessProbe": probe}]}}) == []
    big = {"metadata": {"name": "s"}, "data": {"f": "A" * (1_000_000 * 4 // 3)}}  # 1,000,000 bytes, base64
    assert causes("", "secrets", big) == []
    assert causes("", "configmaps", {"metadata": {"name": "c"}, "data": {"f": "A" * (1024 * 1024 + 1)}})[0][0] == "data"


def test_updates_are_not_refused_for_what_was_stored_before() -> None:
    # a Pod stored before defaulting existed takes a label; a stored invalid object a metadata change
    stored = {"metadata": {"name": "p", "labels": {}}, "spec": {"containers": [{"name": "c", "image": "i"}]}}
    relabelled = json.loads(json.dumps(stored))
    relabelled["metadata"]["labels"] = {"a": "b"}
    res = builtin().lookup("", "v1", "pods")
    assert res is not None
    defaults.apply("", "Pod", relabelled)
    assert kindrules.causes(res, relabelled, stored) == []
    old_bad = {"metadata": {"name": "s"}, "spec": {"ports": [{"port": 70000}]}}
    new_bad = json.loads(json.dumps(old_bad))
    new_bad["metadata"]["labels"] = {"a": "b"}
    assert causes("", "services", new_bad, old_bad) == []


def test_job_selector_must_be_generated_unless_manual() -> None:
    job = {"metadata": {"name": "j", "uid": "u1"}, "spec": {"selector": {"matchLabels": {"app": "x"}},
           "template": {"metadata": {"labels": {"app": "x"}}, "spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "i"}]}}}}
    defaults.apply("batch", "Job", job)  # what the job registry does on create
    defaults.job_selector(job)
    res = builtin().lookup("batch", "v1", "jobs")
    assert res is not None
    got = kindrules.causes(res, job)
    assert [c["field"] for c in got] == ["spec.selector"] and got[0]["message"].endswith("`selector` not auto-generated")
    plain = {"metadata": {"name": "j", "uid": "u1"}, "spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "i"}]}}}}
    defaults.apply("batch", "Job", plain)
    defaults.job_selector(plain)
    assert kindrules.causes(res, plain) == []
