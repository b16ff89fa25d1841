"""LimitRanges, Namespaces and Nodes refused as kube-apiserver 1.35 refuses them
(vapi/corerules.py): the causes in its words, kubectl's output, realistic objects accepted."""

from __future__ import annotations

import pytest

from tests import rulecauses
from tests.apiserver import VapiProcess

KEY_RULE = ("name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
            "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
            "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')")


def limits(*items: dict) -> list[tuple[str, str, str]]:
    return rulecauses.causes("", "limitranges", {"metadata": {"name": "l"}, "spec": {"limits": list(items)}})


REALISTIC_LIMITS = [
    {"type": "Container", "default": {"cpu": "500m", "memory": "512Mi"}, "defaultRequest": {"cpu": "100m", "memory": "256Mi"},
     "max": {"cpu": "2", "memory": "1Gi"}, "min": {"cpu": "50m", "memory": "64Mi"}, "maxLimitRequestRatio": {"cpu": "10"}},
    {"type": "Pod", "max": {"cpu": "4", "memory": "2Gi"}},
    {"type": "PersistentVolumeClaim", "min": {"storage": "1Gi"}, "max": {"storage": "10Gi"}},
    {"type": "example.com/Gadget", "max": {"example.com/widgets": "3"}},
]


@pytest.mark.parametrize("items,expected", [
    pytest.param(REALISTIC_LIMITS, [], id="realistic"),
    pytest.param([{"type": "Container", "min": {"cpu": "1"}, "max": {"cpu": "500m"}}],
                 [("spec.limits[0].min[cpu]", "FieldValueInvalid", 'Invalid value: "1": min value 1 is greater than max value 500m')],
                 id="min-over-max"),
    pytest.param([{"type": "Container", "default": {"memory": "1Gi"}, "defaultRequest": {"memory": "2Gi"}, "max": {"memory": "1.5Gi"},
                   "min": {"memory": "3Gi"}}],
                 [("spec.limits[0].min[memory]", "FieldValueInvalid", 'Invalid value: "3Gi": min value 3Gi is greater than max value 1536Mi'),
                  ("spec.limits[0].defaultRequest[memory]", "FieldValueInvalid",
                   'Invalid value: "2Gi": min value 3Gi is greater than default request value 2Gi'),
                  ("spec.limits[0].defaultRequest[memory]", "FieldValueInvalid",
                   'Invalid value: "2Gi": default request value 2Gi is greater than max value 1536Mi'),
                  ("spec.limits[0].defaultRequest[memory]", "FieldValueInvalid",
                   'Invalid value: "2Gi": default request value 2Gi is greater than default limit value 1Gi'),
                  ("spec.limits[0].default[memory]", "FieldValueInvalid", 'Invalid value: "3Gi": min value 3Gi is greater than default value 1Gi')],
                 id="out-of-order"),
    pytest.param([{"type": "Container", "default": {"cpu": "2"}, "max": {"cpu": "1"}}],
                 [("spec.limits[0].default[cpu]", "FieldValueInvalid", 'Invalid value: "1": default value 2 is greater than max value 1')],
                 id="default-over-max-shows-max"),
    pytest.param([{"type": "Container", "maxLimitRequestRatio": {"cpu": "500m"}}],
                 [("spec.limits[0].maxLimitRequestRatio[cpu]", "FieldValueInvalid", 'Invalid value: "500m": ratio 500m is less than 1')],
                 id="ratio-below-one"),
    pytest.param([{"type": "Container", "min": {"cpu": "100m"}, "max": {"cpu": "300m"}, "maxLimitRequestRatio": {"cpu": "4"}}],
                 [("spec.limits[0].maxLimitRequestRatio[cpu]", "FieldValueInvalid",
                   'Invalid value: "4": ratio 4 is greater than max/min = 3.000000')], id="ratio-over-max-min"),
    pytest.param([{"type": "Pod", "default": {"cpu": "1"}, "defaultRequest": {"cpu": "1"}}],
                 [("spec.limits[0].default", "FieldValueForbidden", "Forbidden: may not be specified when `type` is 'Pod'"),
                  ("spec.limits[0].defaultRequest", "FieldValueForbidden", "Forbidden: may not be specified when `type` is 'Pod'")],
                 id="pod-defaults"),
    pytest.param([{"type": "PersistentVolumeClaim", "max": {"cpu": "1"}}],
                 [("spec.limits[0].limits", "FieldValueRequired",
                   "Required value: either minimum or maximum storage value is required, but neither was provided")], id="claim-storage"),
    pytest.param([{"type": "Container", "max": {"cpu": "1"}}, {"type": "Container", "max": {"storage": "1Gi"}}],
                 [("spec.limits[1].type", "FieldValueDuplicate", 'Duplicate value: "Container"'),
                  ("spec.limits[1].max[storage]", "FieldValueInvalid", 'Invalid value: "storage": must be a standard resource for containers')],
                 id="duplicate-type-and-container-resource"),
    pytest.param([{"type": "Node"}, {"type": ""}],
                 [("spec.limits[0].type", "FieldValueInvalid", 'Invalid value: "Node": must be a standard limit type or fully qualified'),
                  ("spec.limits[1].type", "FieldValueInvalid", 'Invalid value: "": name part must be non-empty'),
                  ("spec.limits[1].type", "FieldValueInvalid", f'Invalid value: "": {KEY_RULE}')], id="types"),
    pytest.param([{"type": "Container", "default": {"nvidia.com/gpu": "2"}, "defaultRequest": {"nvidia.com/gpu": "1"}}],
                 [("spec.limits[0].defaultRequest[nvidia.com/gpu]", "FieldValueInvalid",
                   'Invalid value: "1": default value 2 must equal to defaultRequest value 1 in nvidia.com/gpu')], id="no-overcommit"),
])
def test_limit_ranges(items: list[dict], expected: list[tuple[str, str, str]]) -> None:
    assert limits(*items) == expected


@pytest.mark.parametrize("finalizers,expected", [
    pytest.param(["kubernetes", "example.com/cleanup"], [], id="realistic"),
    pytest.param(["cleanup"], [("spec.finalizers", "FieldValueInvalid",
                                'Invalid value: "cleanup": name is neither a standard finalizer name nor is it fully qualified')],
                 id="unqualified"),
    pytest.param(["example.com/no way"], [("spec.finalizers", "FieldValueInvalid", f'Invalid value: "example.com/no way": {KEY_RULE}')],
                 id="bad-name"),
])
def test_namespace_finalizers(finalizers: list[str], expected: list[tuple[str, str, str]]) -> None:
    assert rulecauses.causes("", "namespaces", {"metadata": {"name": "n"}, "spec": {"finalizers": finalizers}}) == expected


@pytest.mark.parametrize("taints,expected", [
    pytest.param([{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"},
                  {"key": "dedicated", "value": "db", "effect": "NoExecute", "timeAdded": "2026-01-01T00:00:00Z"},
                  {"key": "dedicated", "value": "db", "effect": "NoSchedule"}], [], id="realistic"),
    pytest.param([{"key": "k", "effect": "Sometimes"}, {"key": "k"}],
                 [("metadata.taints[0].effect", "FieldValueNotSupported",
                   'Unsupported value: "Sometimes": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"'),
                  ("metadata.taints[1].effect", "FieldValueRequired", "Required value")], id="effects"),
    pytest.param([{"key": "bad key", "value": "x y", "effect": "NoSchedule"}],
                 [("metadata.taints[0].key", "FieldValueInvalid", f'Invalid value: "bad key": {KEY_RULE}'),
                  ("metadata.taints[0].value", "FieldValueInvalid",
                   "Invalid value: \"x y\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', "
                   "and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for "
                   "validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')")], id="key-and-value"),
    pytest.param([{"key": "k", "value": "a", "effect": "NoSchedule"}, {"key": "k", "value": "b", "effect": "NoSchedule"}],
                 [("metadata.taints[1]", "FieldValueDuplicate",
                   'Duplicate value: {"key":"k","value":"b","effect":"NoSchedule"}: taints must be unique by key and effect pair')],
                 id="duplicate"),
])
def test_node_taints(taints: list[dict], expected: list[tuple[str, str, str]]) -> None:
    assert rulecauses.causes("", "nodes", {"metadata": {"name": "n"}, "spec": {"taints": taints}}) == expected


def test_kubectl_shows_refusals_and_stores_valid_objects(vapi: VapiProcess, namespace: str) -> None:
    refused = rulecauses.kubectl_refusal(vapi, namespace, """
apiVersion: v1
kind: LimitRange
metadata: {name: cpu}
spec:
  limits: [{type: Container, min: {cpu: "1"}, max: {cpu: 500m}}]
""", "limitranges")
    assert refused == ('The LimitRange "cpu" is invalid: spec.limits[0].min[cpu]: Invalid value: "1": '
                       "min value 1 is greater than max value 500m")
    node = vapi.kubectl("create", "-f", "-", check=False, input="""
apiVersion: v1
kind: Node
metadata: {name: tainted}
spec: {taints: [{key: k, effect: Sometimes}]}
""")
    assert node.returncode == 1 and node.stderr.strip() == (
        'The Node "tainted" is invalid: metadata.taints[0].effect: Unsupported value: "Sometimes": '
        'supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"')
    vapi.kubectl("-n", namespace, "create", "-f", "-", input="""
apiVersion: v1
kind: LimitRange
metadata: {name: defaults}
spec:
  limits:
  - {type: Container, default: {cpu: 500m}, defaultRequest: {cpu: 100m}, max: {cpu: "1"}, min: {cpu: 50m}}
  - {type: PersistentVolumeClaim, max: {storage: 10Gi}}
""")
    assert vapi.kubectl("-n", namespace, "get", "limitrange", "defaults", "-o", "jsonpath={.spec.limits[1].max.storage}").stdout == "10Gi"
