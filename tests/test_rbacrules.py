"""Roles, ClusterRoles and their bindings refused as kube-apiserver 1.35 refuses them
(vapi/rbacrules.py), and what kubectl prints."""

from __future__ import annotations

import json
from typing import Any

from tests.apiserver import VapiProcess
from tests.rulecauses import causes, kubectl_refusal
from vapi import dnsnames, labelrules

GROUP = "rbac.authorization.k8s.io"


def test_role_rules() -> None:
    rules = [{"apiGroups": [""], "resources": ["pods"]}, {"verbs": ["get"]},
             {"verbs": ["get"], "nonResourceURLs": ["/healthz"], "resources": ["pods"]}]
    assert causes(GROUP, "roles", {"metadata": {"name": "r"}, "rules": rules}) == [
        ("rules[0].verbs", "FieldValueRequired", "Required value: verbs must contain at least one value"),
        ("rules[1].apiGroups", "FieldValueRequired", "Required value: resource rules must supply at least one api group"),
        ("rules[1].resources", "FieldValueRequired", "Required value: resource rules must supply at least one resource"),
        ("rules[2].nonResourceURLs", "FieldValueInvalid", 'Invalid value: ["/healthz"]: namespaced rules cannot apply to non-resource URLs'),
        ("rules[2].nonResourceURLs", "FieldValueInvalid",
         'Invalid value: ["/healthz"]: rules cannot apply to both regular resources and non-resource URLs')]
    # a ClusterRole may grant non-resource URLs
    assert causes(GROUP, "clusterroles", {"metadata": {"name": "r"}, "rules": rules[2:]}) == [
        ("rules[0].nonResourceURLs", "FieldValueInvalid",
         'Invalid value: ["/healthz"]: rules cannot apply to both regular resources and non-resource URLs')]
    assert causes(GROUP, "clusterroles", {"metadata": {"name": "r"}, "rules": [{"verbs": ["get"], "nonResourceURLs": ["/metrics"]}],
                                          "aggregationRule": {"clusterRoleSelectors": [{"matchLabels": {"a": "-"}}]}}) == [
        ("aggregationRule.clusterRoleSelectors[0].matchLabels", "FieldValueInvalid", 'Invalid value: "-": ' + labelrules.VALUE_RULE),
        ("aggregationRule.clusterRoleSelectors[0]", "FieldValueInvalid", "Invalid value: null: invalid label selector.")]
    assert causes(GROUP, "clusterroles", {"metadata": {"name": "r"}, "aggregationRule": {}}) == [
        ("aggregationRule.clusterRoleSelectors", "FieldValueRequired",
         "Required value: at least one clusterRoleSelector required if aggregationRule is non-nil")]


def binding(kind: str = "Role", name: str = "reader", **extra: Any) -> dict[str, Any]:
    return {"metadata": {"name": "b"}, "roleRef": {"apiGroup": GROUP, "kind": kind, "name": name}, **extra}


def test_bindings() -> None:
    subjects = [{"kind": "ServiceAccount", "name": "Bot", "apiGroup": GROUP}, {"kind": "User", "name": "jane", "apiGroup": "example.com"},
                {"kind": "Robot", "name": ""}, {"kind": "Group", "name": "devs"}]
    assert causes(GROUP, "rolebindings", binding("Pod", "a/b", subjects=subjects)) == [
        ("roleRef.kind", "FieldValueNotSupported", 'Unsupported value: "Pod": supported values: "Role", "ClusterRole"'),
        ("roleRef.name", "FieldValueInvalid", "Invalid value: \"a/b\": may not contain '/'"),
        ("subjects[0].name", "FieldValueInvalid", f'Invalid value: "Bot": {dnsnames.DNS1123_SUBDOMAIN_MESSAGE}'),
        ("subjects[0].apiGroup", "FieldValueNotSupported", f'Unsupported value: "{GROUP}": supported values: ""'),
        ("subjects[1].apiGroup", "FieldValueNotSupported", f'Unsupported value: "example.com": supported values: "{GROUP}"'),
        ("subjects[2].name", "FieldValueRequired", "Required value"),
        ("subjects[2].kind", "FieldValueNotSupported",
         'Unsupported value: "Robot": supported values: "ServiceAccount", "User", "Group"')]
    assert causes(GROUP, "clusterrolebindings", binding(subjects=[{"kind": "ServiceAccount", "name": "bot"}])) == [
        ("roleRef.kind", "FieldValueNotSupported", 'Unsupported value: "Role": supported values: "ClusterRole"'),
        ("subjects[0].namespace", "FieldValueRequired", "Required value")]
    assert causes(GROUP, "clusterrolebindings", {"metadata": {"name": "b"}, "roleRef": {"apiGroup": "example.com"}}) == [
        ("roleRef.apiGroup", "FieldValueNotSupported", f'Unsupported value: "example.com": supported values: "{GROUP}"'),
        ("roleRef.kind", "FieldValueNotSupported", 'Unsupported value: "": supported values: "ClusterRole"'),
        ("roleRef.name", "FieldValueRequired", "Required value")]


def test_role_ref_never_changes() -> None:
    assert causes(GROUP, "rolebindings", binding(name="writer"), binding()) == [
        ("roleRef", "FieldValueInvalid",
         f'Invalid value: {{"APIGroup":"{GROUP}","Kind":"Role","Name":"writer"}}: cannot change roleRef')]
    assert causes(GROUP, "rolebindings", binding(subjects=[{"kind": "User", "name": "jane"}]), binding()) == []


REALISTIC = """\
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: deployer}
rules:
- apiGroups: ["", apps]
  resources: [deployments, deployments/scale, configmaps]
  verbs: [get, list, watch, create, update, patch]
- apiGroups: [""]
  resources: [secrets]
  resourceNames: [deploy-key]
  verbs: [get]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: deployer}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: deployer}
subjects:
- {kind: ServiceAccount, name: ci}
- {kind: User, name: jane@example.com}
- {kind: Group, name: "system:serviceaccounts:ci", apiGroup: rbac.authorization.k8s.io}
"""


def test_realistic_rbac_objects_pass(vapi: VapiProcess, namespace: str) -> None:
    out = vapi.kubectl("-n", namespace, "apply", "-f", "-", input=REALISTIC)
    assert out.stdout.split() == ["role.rbac.authorization.k8s.io/deployer", "created",
                                  "rolebinding.rbac.authorization.k8s.io/deployer", "created"]


def test_kubectl_prints_kube_refusals(vapi: VapiProcess, namespace: str) -> None:
    vapi.kubectl("-n", namespace, "create", "rolebinding", "rb", "--role=reader", "--user=jane")
    out = vapi.kubectl("-n", namespace, "patch", "rolebinding", "rb", "--type=merge", "-p", '{"roleRef":{"name":"writer"}}',
                       check=False)
    assert (out.returncode, out.stderr.strip()) == (1, (
        f'The RoleBinding "rb" is invalid: roleRef: Invalid value: {{"APIGroup":"{GROUP}","Kind":"Role","Name":"writer"}}: '
        "cannot change roleRef"))
    role = "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r}\nrules:\n- {resources: [pods], verbs: [get]}\n"
    assert kubectl_refusal(vapi, namespace, role, "roles") == (
        'The Role "r" is invalid: rules[0].apiGroups: Required value: resource rules must supply at least one api group')
    code, _, body = vapi.request("POST", f"/clusters/root/apis/{GROUP}/v1/clusterrolebindings", json.dumps(
        {"metadata": {"name": f"crb-{namespace}"}, "roleRef": {"apiGroup": GROUP, "kind": "ClusterRole", "name": "view"},
         "subjects": [{"kind": "ServiceAccount", "name": "default"}]}).encode(), headers={"Content-Type": "application/json"})
    status = json.loads(body)
    assert (code, status["reason"], status["details"]["causes"]) == (422, "Invalid", [
        {"reason": "FieldValueRequired", "field": "subjects[0].namespace", "message": "Required value"}])
    assert status["message"] == f'ClusterRoleBinding.{GROUP} "crb-{namespace}" is invalid: subjects[0].namespace: Required value'
