"""HorizontalPodAutoscalers refused as kube-apiserver refuses them (vapi/autoscalingrules.py):
the causes in its words, and kubectl's output."""

from __future__ import annotations

import pytest

from tests import rulecauses
from tests.apiserver import VapiProcess
from vapi import errors

REF = {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}
METRIC_TYPES = '"ContainerResource", "External", "Object", "Pods", "Resource"'


def causes(**spec: object) -> list[tuple[str, str, str]]:
    obj = {"apiVersion": "autoscaling/v2", "metadata": {"name": "h"}, "spec": {"scaleTargetRef": REF, "maxReplicas": 3, **spec}}
    return rulecauses.causes("autoscaling", "horizontalpodautoscalers", obj, version="v2")


@pytest.mark.parametrize("spec,expected", [
    pytest.param({}, [], id="defaults"),
    pytest.param({"minReplicas": 2, "metrics": [{"type": "Pods", "pods": {"metric": {"name": "qps"},
                                                                           "target": {"type": "AverageValue", "averageValue": "10"}}}]},
                 [], id="pods-metric"),
    pytest.param({"minReplicas": 0}, [("spec.minReplicas", "FieldValueInvalid", "Invalid value: 0: must be greater than or equal to 1")],
                 id="min-0"),
    pytest.param({"minReplicas": 5}, [("spec.maxReplicas", "FieldValueInvalid",
                                       "Invalid value: 3: must be greater than or equal to `minReplicas`")], id="max-below-min"),
    pytest.param({"metrics": [{"type": "Resource"}]},
                 [("spec.metrics[0].resource", "FieldValueRequired", "Required value: must populate information for the given metric source")],
                 id="source-missing"),
    pytest.param({"metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 0}}}]},
                 [("spec.metrics[0].resource.target.averageUtilization", "FieldValueInvalid", "Invalid value: 0: must be greater than 0")],
                 id="utilization-0"),
    pytest.param({"metrics": [{"type": "External", "external": {"metric": {"name": "q"},
                                                                "target": {"type": "Value", "value": "-500m"}}}]},
                 [("spec.metrics[0].external.target.value", "FieldValueInvalid", 'Invalid value: "-500m": must be positive')],
                 id="negative-value"),
    pytest.param({"metrics": [{"type": "Memory"}]},
                 [("spec.metrics[0].type", "FieldValueNotSupported", f'Unsupported value: "Memory": supported values: {METRIC_TYPES}')] * 2,
                 id="unknown-type-twice-as-kube"),
    pytest.param({"metrics": [{"type": "Pods", "pods": {"metric": {"name": "qps"}, "target": {"type": "AverageValue", "averageValue": "1"}},
                               "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 50}}}]},
                 [("spec.metrics[0].resource", "FieldValueForbidden", "Forbidden: must populate the given metric source only")],
                 id="two-sources"),
    pytest.param({"behavior": {"scaleDown": {"stabilizationWindowSeconds": 4000, "selectPolicy": "Fastest",
                                             "policies": [{"type": "Pods", "value": 0, "periodSeconds": 60}]}}},
                 [("spec.behavior.scaleDown.stabilizationWindowSeconds", "FieldValueInvalid",
                   "Invalid value: 4000: must be less than or equal to 3600"),
                  ("spec.behavior.scaleDown.selectPolicy", "FieldValueNotSupported",
                   'Unsupported value: "Fastest": supported values: "Disabled", "Max", "Min"'),
                  ("spec.behavior.scaleDown.policies[0].value", "FieldValueInvalid", "Invalid value: 0: must be greater than zero")],
                 id="behavior"),
])
def test_hpa_rules(spec: dict, expected: list[tuple[str, str, str]]) -> None:
    assert causes(**spec) == expected


def test_the_message_lists_a_repeated_cause_once() -> None:
    cause = {"reason": "FieldValueNotSupported", "field": "spec.x", "message": "Unsupported value"}
    assert errors.invalid("g", "K", "n", [cause, cause]).message == 'K.g "n" is invalid: spec.x: Unsupported value'


def test_kubectl_refuses_max_below_min(vapi: VapiProcess, namespace: str) -> None:
    manifest = ("apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: web}\nspec:\n"
                "  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n  minReplicas: 5\n  maxReplicas: 2\n")
    assert rulecauses.kubectl_refusal(vapi, namespace, manifest, "hpa") == (
        'The HorizontalPodAutoscaler "web" is invalid: spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`')
