"""Workloads' strategies and pod templates refused as kube-apiserver refuses them
(vapi/appsrules.py): the causes in its words, and kubectl's output."""

from __future__ import annotations

import pytest

from tests import rulecauses
from tests.apiserver import VapiProcess

TEMPLATE = {"metadata": {"labels": {"app": "a"}}, "spec": {"containers": [{"name": "c", "image": "i"}]}}


def causes(resource: str, template: dict | None = None, **spec: object) -> list[tuple[str, str, str]]:
    obj = {"metadata": {"name": "w"}, "spec": {"selector": {"matchLabels": {"app": "a"}}, "template": template or TEMPLATE, **spec}}
    return rulecauses.causes("apps", resource, obj)


def pod(**extra: object) -> dict:
    return {"metadata": TEMPLATE["metadata"], "spec": {**TEMPLATE["spec"], **extra}}


@pytest.mark.parametrize("resource,template,spec,expected", [
    pytest.param("deployments", None, {}, [], id="deployment"),
    pytest.param("statefulsets", None, {}, [], id="statefulset"),
    pytest.param("daemonsets", None, {}, [], id="daemonset"),
    pytest.param("deployments", pod(restartPolicy="Never", activeDeadlineSeconds=5), {},
                 [("spec.template.spec.restartPolicy", "FieldValueNotSupported", 'Unsupported value: "Never": supported values: "Always"'),
                  ("spec.template.spec.activeDeadlineSeconds", "FieldValueForbidden",
                   "Forbidden: activeDeadlineSeconds in ReplicaSet is not Supported")], id="deployment-template"),
    pytest.param("deployments", None, {"strategy": {"rollingUpdate": {"maxUnavailable": 0, "maxSurge": "0%"}}},
                 [("spec.strategy.rollingUpdate.maxUnavailable", "FieldValueInvalid", "Invalid value: 0: may not be 0 when `maxSurge` is 0")],
                 id="deployment-nothing-moves"),
    pytest.param("deployments", None, {"strategy": {"type": "Recreate", "rollingUpdate": {"maxSurge": 1}}},
                 [("spec.strategy.rollingUpdate", "FieldValueForbidden",
                   "Forbidden: may not be specified when strategy `type` is 'Recreate'")], id="deployment-recreate"),
    pytest.param("deployments", None, {"strategy": {"type": "BlueGreen"}},
                 [("spec.strategy", "FieldValueNotSupported", 'Unsupported value: {"Type":"BlueGreen","RollingUpdate":null}: '
                   'supported values: "Recreate", "RollingUpdate"')], id="deployment-strategy-type"),
    pytest.param("deployments", None, {"minReadySeconds": 700},
                 [("spec.progressDeadlineSeconds", "FieldValueInvalid", "Invalid value: 600: must be greater than minReadySeconds")],
                 id="deployment-deadline"),
    pytest.param("statefulsets", None, {"podManagementPolicy": "AllAtOnce", "updateStrategy": {"rollingUpdate": {"partition": -1}}},
                 [("spec.podManagementPolicy", "FieldValueInvalid", "Invalid value: \"AllAtOnce\": must be 'OrderedReady' or 'Parallel'"),
                  ("spec.updateStrategy.rollingUpdate.partition", "FieldValueInvalid",
                   "Invalid value: -1: must be greater than or equal to 0")], id="statefulset-policies"),
    pytest.param("statefulsets", None, {"updateStrategy": {"type": "OnDelete", "rollingUpdate": {"partition": 1}}},
                 [("spec.updateStrategy.rollingUpdate", "FieldValueInvalid", 'Invalid value: {"Partition":1,"MaxUnavailable":null}: '
                   "only allowed for updateStrategy 'RollingUpdate'")], id="statefulset-on-delete"),
    pytest.param("daemonsets", None, {"updateStrategy": {"rollingUpdate": {"maxUnavailable": 1, "maxSurge": 1}}},
                 [("spec.updateStrategy.rollingUpdate.maxSurge", "FieldValueInvalid",
                   "Invalid value: 1: may not be set when maxUnavailable is non-zero")], id="daemonset-both"),
    pytest.param("daemonsets", None, {"updateStrategy": {"type": "Sometimes"}},
                 [("spec.updateStrategy", "FieldValueNotSupported", 'Unsupported value: {"Type":"Sometimes","RollingUpdate":null}: '
                   'supported values: "RollingUpdate", "OnDelete"')], id="daemonset-type"),
])
def test_workload_rules(resource: str, template: dict | None, spec: dict, expected: list[tuple[str, str, str]]) -> None:
    assert causes(resource, template, **spec) == expected


def test_kubectl_refuses_a_deployment_whose_pods_never_restart(vapi: VapiProcess, namespace: str) -> None:
    manifest = ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  selector: {matchLabels: {app: a}}\n"
                "  template:\n    metadata: {labels: {app: a}}\n    spec: {restartPolicy: Never, containers: [{name: c, image: i}]}\n")
    assert rulecauses.kubectl_refusal(vapi, namespace, manifest, "deployments") == (
        'The Deployment "d" is invalid: spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"')
