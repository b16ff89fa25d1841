"""A Pod's own annotations and its updates refused as kube-apiserver 1.35 refuses them
(vapi/podannotations.py, vapi/podupdate.py): ValidatePodSpecificAnnotations, ValidatePodCreate's
annotation-and-field checks; and the annotations' total size for every kind."""

from __future__ import annotations

import json
from typing import Any

from tests.apiserver import VapiProcess
from tests.rulecauses import causes, kubectl_refusal


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
