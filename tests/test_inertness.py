"""Nothing stored in a workspace changes how vapi behaves. Each test would fail on a real
cluster, where these objects take effect."""

from __future__ import annotations

import json
import time

import pytest

from tests.apiserver import VapiProcess


def apply(vapi: VapiProcess, obj: dict, ns: str | None = None) -> None:
    args = ["-n", ns] if ns else []
    vapi.kubectl(*args, "apply", "--server-side", "-f", "-", input=json.dumps(obj))


def test_unreachable_webhooks_with_fail_policy_change_no_write(vapi: VapiProcess, namespace: str) -> None:
    rules = [{"apiGroups": ["*"], "apiVersions": ["*"], "operations": ["*"], "resources": ["*/*"]}]
    hook = {"name": "deny.example.com", "admissionReviewVersions": ["v1"], "sideEffects": "None",
            "failurePolicy": "Fail", "clientConfig": {"url": "https://unreachable.invalid/x"}, "rules": rules}
    apply(vapi, {"apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingWebhookConfiguration",
                 "metadata": {"name": f"{namespace}-v"}, "webhooks": [hook]})
    mutating = dict(hook, name="mutate.example.com", reinvocationPolicy="Never")
    apply(vapi, {"apiVersion": "admissionregistration.k8s.io/v1", "kind": "MutatingWebhookConfiguration",
                 "metadata": {"name": f"{namespace}-m"}, "webhooks": [mutating]})
    vapi.kubectl("-n", namespace, "create", "configmap", "still-works", "--from-literal=a=b")
    got = json.loads(vapi.kubectl("-n", namespace, "get", "cm", "still-works", "-o", "json").stdout)
    assert got["data"] == {"a": "b"}, "no mutation happened either"


def test_admission_policy_that_denies_everything_denies_nothing(vapi: VapiProcess, namespace: str) -> None:
    apply(vapi, {"apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingAdmissionPolicy",
                 "metadata": {"name": f"{namespace}-deny"},
                 "spec": {"failurePolicy": "Fail", "matchConstraints": {"resourceRules": [
                     {"apiGroups": ["*"], "apiVersions": ["*"], "operations": ["*"], "resources": ["*"]}]},
                     "validations": [{"expression": "false", "message": "denied"}]}})
    apply(vapi, {"apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingAdmissionPolicyBinding",
                 "metadata": {"name": f"{namespace}-deny"},
                 "spec": {"policyName": f"{namespace}-deny", "validationActions": ["Deny"]}})
    vapi.kubectl("-n", namespace, "create", "configmap", "allowed")


def test_apiservice_adds_no_group(vapi: VapiProcess) -> None:
    apply(vapi, {"apiVersion": "apiregistration.k8s.io/v1", "kind": "APIService",
                 "metadata": {"name": "v1beta1.metrics.k8s.io"},
                 "spec": {"group": "metrics.k8s.io", "version": "v1beta1", "groupPriorityMinimum": 100,
                          "versionPriority": 100, "service": {"name": "metrics-server", "namespace": "kube-system"}}})
    groups = json.loads(vapi.request("GET", "/clusters/root/apis")[2])["groups"]
    assert "metrics.k8s.io" not in [g["name"] for g in groups]
    code, _, _ = vapi.request("GET", "/clusters/root/apis/metrics.k8s.io/v1beta1/pods")
    assert code == 404, "nothing is proxied"


def test_workloads_create_nothing_and_quotas_limit_nothing(vapi: VapiProcess, namespace: str) -> None:
    ns = ["-n", namespace]
    apply(vapi, {"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "none"},
                 "spec": {"hard": {"configmaps": "0", "pods": "0"}}}, namespace)
    apply(vapi, {"apiVersion": "v1", "kind": "LimitRange", "metadata": {"name": "tiny"},
                 "spec": {"limits": [{"type": "Container", "max": {"memory": "1Mi"}}]}}, namespace)
    vapi.kubectl(*ns, "create", "deployment", "web", "--image=nginx", "--replicas=3")
    vapi.kubectl(*ns, "create", "configmap", "over-quota")
    apply(vapi, {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "big"},
                 "spec": {"containers": [{"name": "c", "image": "nginx", "resources": {"limits": {"memory": "1Gi"}}}]}}, namespace)
    time.sleep(0.5)
    assert vapi.kubectl(*ns, "get", "replicasets", "-o", "name").stdout.split() == []
    assert vapi.kubectl(*ns, "get", "pods", "-o", "name").stdout.split() == ["pod/big"], "only the pod created by hand"
    assert vapi.kubectl(*ns, "get", "deploy", "web", "-o", "jsonpath={.status}").stdout in ("", "{}")


def test_service_accounts_get_no_tokens(vapi: VapiProcess, namespace: str) -> None:
    vapi.kubectl("-n", namespace, "create", "serviceaccount", "bot")
    time.sleep(0.3)
    secrets = vapi.kubectl("-n", namespace, "get", "secrets", "-o", "name").stdout.split()
    assert secrets == []
    # no controller makes token Secrets; `kubectl create token` is answered by the API itself
    # (a vapi token bound to the account: tests/test_tokens_audit_quota.py)
    token = vapi.kubectl("-n", namespace, "create", "token", "bot").stdout.strip()
    assert token.startswith("t-") and vapi.kubectl("-n", namespace, "get", "secrets", "-o", "name").stdout.split() == []


@pytest.mark.parametrize("kind", ["ClusterRoleBinding", "PriorityLevelConfiguration"])
def test_policy_objects_are_stored_as_data(vapi: VapiProcess, kind: str) -> None:
    objs = {
        "ClusterRoleBinding": {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
                               "metadata": {"name": "everyone-admin"},
                               "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
                               "subjects": [{"kind": "Group", "name": "system:unauthenticated", "apiGroup": "rbac.authorization.k8s.io"}]},
        "PriorityLevelConfiguration": {"apiVersion": "flowcontrol.apiserver.k8s.io/v1", "kind": "PriorityLevelConfiguration",
                                       "metadata": {"name": "starve"},
                                       "spec": {"type": "Limited", "limited": {"nominalConcurrencyShares": 1,
                                                "limitResponse": {"type": "Reject"}}}},
    }
    apply(vapi, objs[kind])
    # a binding for unauthenticated users grants nothing: anonymous requests still get 401
    code, _, _ = vapi.request("GET", "/clusters/root/api/v1/namespaces", auth=False)
    assert code == 401
