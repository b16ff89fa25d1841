"""A Pod's own annotations and its updates refused as kube-apiserver 1.35 refuses them
(vapi/podannotations.py, vapi/podupdate.py): ValidatePodSpecificAnnotations, ValidatePodCreate's
annotation-and-field checks, ValidatePodUpdate; and the annotations' total size for every kind.
What kubectl set image, label and annotate do to a pod still works."""

from __future__ import annotations

import copy
import json
from typing import Any

from tests.apiserver import VapiProcess
from tests.rulecauses import causes, kubectl_refusal
from vapi import podupdate

REFUSAL = f"Forbidden: {podupdate.REFUSAL}"


def pod(annotations: dict[str, str] | None = None, **spec: Any) -> dict[str, Any]:
    spec.setdefault("containers", [{"name": "c", "image": "i:1"}])
    return {"metadata": {"name": "p", "annotations": annotations or {}, "resourceVersion": "1"}, "spec": spec}


def test_pod_annotations() -> None:
    annotations = {
        "controller.kubernetes.io/pod-deletion-cost": "+1", "kubernetes.io/config.mirror": "x",
        "seccomp.security.alpha.kubernetes.io/pod": "default",
        "container.seccomp.security.alpha.kubernetes.io/c": "localhost/../x",
        "container.apparmor.security.beta.kubernetes.io/d": "enforce",
        "container.apparmor.security.beta.kubernetes.io/c": "runtime/default"}
    assert causes("", "pods", pod(annotations, securityContext={"seccompProfile": {"type": "RuntimeDefault"}}, containers=[
        {"name": "c", "image": "i", "securityContext": {"appArmorProfile": {"type": "Localhost", "localhostProfile": "x"}}}],
        ephemeralContainers=[{"name": "e", "image": "i"}])) == [
        ("metadata.annotations[kubernetes.io/config.mirror]", "FieldValueInvalid",
         'Invalid value: "x": must set spec.nodeName if mirror pod annotation is set'),
        ("metadata.annotations[controller.kubernetes.io/pod-deletion-cost]", "FieldValueInvalid",
         'Invalid value: "+1": must be a 32bit integer'),
        ("metadata.annotations.seccomp.security.alpha.kubernetes.io/pod", "FieldValueInvalid",
         'Invalid value: "default": must be a valid seccomp profile'),
        ("metadata.annotations.container.seccomp.security.alpha.kubernetes.io/c", "FieldValueInvalid",
         "Invalid value: \"../x\": must not contain '..'"),
        ("metadata.annotations[container.apparmor.security.beta.kubernetes.io/d]", "FieldValueInvalid",
         'Invalid value: "d": container not found'),
        ("metadata.annotations[container.apparmor.security.beta.kubernetes.io/d]", "FieldValueInvalid",
         'Invalid value: "enforce": invalid AppArmor profile name: "enforce"'),
        ("spec.ephemeralContainers", "FieldValueForbidden", "Forbidden: cannot be set on create"),
        ("spec.securityContext.seccompProfile.type", "FieldValueForbidden",
         "Forbidden: seccomp type in annotation and field must match"),
        ("spec.containers[0].securityContext.appArmorProfile.type", "FieldValueForbidden",
         "Forbidden: apparmor type in annotation and field must match")]
    # int32 costs, and annotations that agree with the fields, pass
    for cost in ("0", "-5", "-2147483648", "2147483647"):
        assert causes("", "pods", pod({"controller.kubernetes.io/pod-deletion-cost": cost})) == []
    for cost in ("2147483648", "007", "", "1e3"):
        assert causes("", "pods", pod({"controller.kubernetes.io/pod-deletion-cost": cost}))[0][2] == (
            f'Invalid value: "{cost}": must be a 32bit integer')
    agreeing = {"container.seccomp.security.alpha.kubernetes.io/c": "localhost/p.json",
                "container.apparmor.security.beta.kubernetes.io/c": "localhost/other"}
    assert causes("", "pods", pod(agreeing, securityContext={"appArmorProfile": {"type": "Localhost", "localhostProfile": "x"}},
                                  containers=[{"name": "c", "image": "i", "securityContext": {
                                      "seccompProfile": {"type": "Localhost", "localhostProfile": "p.json"}}}])) == [
        ("spec.containers[0].securityContext.appArmorProfile.localhostProfile", "FieldValueForbidden",
         "Forbidden: apparmor profile in annotation and field must match")]
    assert causes("", "pods", pod(nodeName="n1", schedulingGates=[{"name": "g"}])) == [
        ("spec.nodeName", "FieldValueForbidden", "Forbidden: cannot be set until all schedulingGates have been cleared")]


def updated(old: dict[str, Any], change: Any) -> list[tuple[str, str, str]]:
    new = copy.deepcopy(old)
    change(new)
    return causes("", "pods", new, old)


def test_pod_updates() -> None:
    old = pod({"container.apparmor.security.beta.kubernetes.io/c": "runtime/default"}, activeDeadlineSeconds=10,
              tolerations=[{"key": "a", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 5}],
              schedulingGates=[{"name": "g"}], terminationGracePeriodSeconds=-1)

    def allowed(p: dict[str, Any]) -> None:
        p["metadata"]["labels"] = {"tier": "web"}
        p["metadata"]["annotations"]["note"] = "x"
        p["spec"]["containers"][0]["image"] = "i:2"
        p["spec"]["activeDeadlineSeconds"] = 5
        p["spec"]["tolerations"][0]["tolerationSeconds"] = 60
        p["spec"]["tolerations"].append({"key": "b", "operator": "Exists"})
        p["spec"]["schedulingGates"] = []
        p["spec"]["terminationGracePeriodSeconds"] = 1
        p["spec"]["nodeSelector"] = {"zone": "a"}  # a gated pod's
    assert updated(old, allowed) == []

    def images_and_deadline(p: dict[str, Any]) -> None:
        p["spec"]["containers"][0]["image"] = ""
        p["spec"]["activeDeadlineSeconds"] = 20
        p["spec"]["hostname"] = "h"
    assert updated(old, images_and_deadline) == [  # the new pod's own rule, then ValidateContainerUpdates'
        ("spec.containers[0].image", "FieldValueRequired", "Required value"),
        ("spec.containers[0].image", "FieldValueRequired", "Required value"),
        ("spec.activeDeadlineSeconds", "FieldValueInvalid", "Invalid value: 20: must be less than or equal to previous value")]

    def the_rest(p: dict[str, Any]) -> None:
        del p["metadata"]["annotations"]["container.apparmor.security.beta.kubernetes.io/c"]
        p["metadata"]["annotations"]["container.apparmor.security.beta.kubernetes.io/d"] = "unconfined"
        p["spec"]["tolerations"] = []
        del p["spec"]["activeDeadlineSeconds"]
        p["spec"]["schedulingGates"] = [{"name": "g"}, {"name": "h"}]
        p["spec"]["hostname"] = "h"
        p["spec"]["terminationGracePeriodSeconds"] = 2
    key = "metadata.annotations[container.apparmor.security.beta.kubernetes.io/"
    assert updated(old, the_rest) == [
        (f"{key}d]", "FieldValueInvalid", 'Invalid value: "d": container not found'),
        (f"{key}c]", "FieldValueForbidden", "Forbidden: may not remove or update AppArmor annotations"),
        (f"{key}d]", "FieldValueForbidden", "Forbidden: may not add AppArmor annotations"),
        (f"{key}d]", "FieldValueInvalid", 'Invalid value: "d": container not found'),
        ("spec.activeDeadlineSeconds", "FieldValueInvalid", "Invalid value: null: must not update from a positive integer to nil value"),
        ("spec.tolerations", "FieldValueForbidden", "Forbidden: existing toleration can not be modified except its tolerationSeconds"),
        ("spec.schedulingGates[1].name", "FieldValueForbidden", "Forbidden: only deletion is allowed, but found new scheduling gate 'h'"),
        ("spec", "FieldValueForbidden", f'{REFUSAL}\n-\thostname: null\n+\thostname: "h"\n'
                                        "-\tterminationGracePeriodSeconds: -1\n+\tterminationGracePeriodSeconds: 2")]
    assert updated(old, lambda p: p["spec"]["containers"].append({"name": "d", "image": "i"})) == [
        ("spec.containers", "FieldValueForbidden", "Forbidden: pod updates may not add or remove containers")]
    # an invalid deletion cost stored before stays allowed
    stored = pod({"controller.kubernetes.io/pod-deletion-cost": "x"})
    assert updated(stored, lambda p: p["metadata"].update(labels={"a": "b"})) == []


POD = """apiVersion: v1
kind: Pod
metadata: {name: web, annotations: {controller.kubernetes.io/pod-deletion-cost: "10"}}
spec:
  activeDeadlineSeconds: 600
  containers:
  - name: web
    image: nginx:1.27
    securityContext: {runAsNonRoot: true, runAsUser: 101, allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
"""


def test_kubectl_updates_of_a_pod(vapi: VapiProcess, namespace: str) -> None:
    vapi.kubectl("-n", namespace, "create", "-f", "-", input=POD)
    assert vapi.kubectl("-n", namespace, "set", "image", "pod/web", "web=nginx:1.28").stdout.strip() == "pod/web image updated"
    assert vapi.kubectl("-n", namespace, "label", "pod", "web", "tier=front").stdout.strip() == "pod/web labeled"
    assert vapi.kubectl("-n", namespace, "annotate", "pod", "web", "note=hi").stdout.strip() == "pod/web annotated"
    got = json.loads(vapi.kubectl("-n", namespace, "get", "pod", "web", "-o", "json").stdout)
    assert (got["spec"]["containers"][0]["image"], got["metadata"]["labels"], got["metadata"]["annotations"]["note"]) == (
        "nginx:1.28", {"tier": "front"}, "hi")
    out = vapi.kubectl("-n", namespace, "annotate", "--overwrite", "pod", "web",
                       "controller.kubernetes.io/pod-deletion-cost=high", check=False)
    assert out.stderr.strip() == (
        'The Pod "web" is invalid: metadata.annotations[controller.kubernetes.io/pod-deletion-cost]: '
        'Invalid value: "high": must be a 32bit integer')
    out = vapi.kubectl("-n", namespace, "patch", "pod", "web", "-p",
                       '{"spec": {"activeDeadlineSeconds": 900, "hostname": "w"}}', check=False)
    assert out.stderr.strip() == (
        'The Pod "web" is invalid: spec.activeDeadlineSeconds: Invalid value: 900: must be less than or equal to previous value')
    out = vapi.kubectl("-n", namespace, "patch", "pod", "web", "-p", '{"spec": {"hostname": "w"}}', check=False)
    assert out.stderr.strip() == f'The Pod "web" is invalid: spec: {REFUSAL}\n-\thostname: null\n+\thostname: "w"'


def test_annotations_may_total_256_kib(vapi: VapiProcess, namespace: str) -> None:
    big = "x" * (256 * 1024 - 1)
    manifest = f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: big, annotations: {{a: {big}}}}}\n"
    assert vapi.kubectl("-n", namespace, "create", "-f", "-", input=manifest).stdout.strip() == "configmap/big created"
    out = vapi.kubectl("-n", namespace, "create", "-f", "-", input=manifest.replace("big,", "bigger,").replace("{a:", "{ab:"),
                       check=False)
    assert (out.returncode, out.stderr.strip()) == (
        1, 'The ConfigMap "bigger" is invalid: metadata.annotations: Too long: may not be more than 262144 bytes')
    template = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}, "spec": {
        "selector": {"matchLabels": {"a": "b"}}, "template": {"metadata": {"labels": {"a": "b"}, "annotations": {"ab": big}},
                                                              "spec": {"containers": [{"name": "c", "image": "i"}]}}}}
    assert kubectl_refusal(vapi, namespace, json.dumps(template), "deployments") == (
        'The Deployment "d" is invalid: spec.template.annotations: Too long: may not be more than 262144 bytes')
