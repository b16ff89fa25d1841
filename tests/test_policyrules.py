"""PodDisruptionBudgets refused as kube-apiserver refuses them (vapi/policyrules.py,
vapi/labelrules.py): the causes in its words, and kubectl's output."""

from __future__ import annotations

import pytest

from tests import rulecauses
from tests.apiserver import VapiProcess
from vapi import labelrules

SELECTOR = {"matchLabels": {"app": "a"}}


def causes(spec: dict) -> list[tuple[str, str, str]]:
    return rulecauses.causes("policy", "poddisruptionbudgets", {"metadata": {"name": "p"}, "spec": spec})


@pytest.mark.parametrize("spec,expected", [
    pytest.param({"minAvailable": "100%", "selector": SELECTOR}, [], id="all"),
    pytest.param({"maxUnavailable": 0, "selector": SELECTOR}, [], id="none-unavailable"),
    pytest.param({"minAvailable": "200%", "selector": SELECTOR},
                 [("spec.minAvailable", "FieldValueInvalid", 'Invalid value: "200%": must not be greater than 100%')], id="over-100"),
    pytest.param({"maxUnavailable": -1}, [("spec.maxUnavailable", "FieldValueInvalid", "Invalid value: -1: must be greater than or equal to 0")],
                 id="negative"),
    pytest.param({"minAvailable": "half"}, [("spec.minAvailable", "FieldValueInvalid", 'Invalid value: "half": a valid percent string must be '
                                             "a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')")],
                 id="not-a-percent"),
    pytest.param({"minAvailable": 2, "maxUnavailable": "50%", "selector": SELECTOR},
                 [("spec", "FieldValueInvalid", 'Invalid value: {"MinAvailable":2,"Selector":{"matchLabels":{"app":"a"}},'
                                                '"MaxUnavailable":"50%","UnhealthyPodEvictionPolicy":null}: minAvailable and maxUnavailable cannot be both set')],
                 id="both"),
    pytest.param({"maxUnavailable": 1, "unhealthyPodEvictionPolicy": "Never"},
                 [("spec.unhealthyPodEvictionPolicy", "FieldValueNotSupported",
                   'Unsupported value: "Never": supported values: "AlwaysAllow", "IfHealthyBudget"')], id="eviction-policy"),
])
def test_pdb_budgets(spec: dict, expected: list[tuple[str, str, str]]) -> None:
    assert causes(spec) == expected


def test_label_selectors_are_validated() -> None:
    selector = {"matchLabels": {"a/b/c": "x y"},
                "matchExpressions": [{"key": "k", "operator": "In"}, {"key": "k", "operator": "Exists", "values": ["v"]},
                                     {"key": "-k", "operator": "Has"}]}
    got = [(c["field"], c["reason"], c["message"].split(":")[0]) for c in labelrules.selector_causes(selector, "spec.selector")]
    assert got == [
        ("spec.selector.matchLabels", "FieldValueInvalid", "Invalid value"),
        ("spec.selector.matchLabels", "FieldValueInvalid", "Invalid value"),
        ("spec.selector.matchExpressions[0].values", "FieldValueRequired", "Required value"),
        ("spec.selector.matchExpressions[1].values", "FieldValueForbidden", "Forbidden"),
        ("spec.selector.matchExpressions[2].operator", "FieldValueInvalid", "Invalid value"),
        ("spec.selector.matchExpressions[2].key", "FieldValueInvalid", "Invalid value")]
    assert labelrules.key_errors("a/b/c")[0].startswith("a valid label key must consist of")
    assert labelrules.key_errors("Example.com/x") == ["prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
                                                      "characters, '-' or '.', and must start and end with an alphanumeric character "
                                                      "(e.g. 'example.com', regex used for validation is "
                                                      "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"]
    assert labelrules.value_errors("v" * 64) == ["must be no more than 63 characters"]
    assert labelrules.key_errors("example.com/app") == labelrules.value_errors("") == []


def test_kubectl_create_pdb_over_100_percent_is_refused(vapi: VapiProcess, namespace: str) -> None:
    out = vapi.kubectl("-n", namespace, "create", "poddisruptionbudget", "p", "--selector=app=a", "--min-available=200%", check=False)
    assert out.returncode == 1 and out.stderr.strip() == (
        'error: failed to create poddisruptionbudgets: PodDisruptionBudget.policy "p" is invalid: spec.minAvailable: '
        'Invalid value: "200%": must not be greater than 100%')
    both = ("apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: p}\n"
            "spec: {minAvailable: 1, maxUnavailable: 1, selector: {matchLabels: {app: a}}}\n")
    out = vapi.kubectl("-n", namespace, "create", "-f", "-", input=both, check=False)
    assert out.returncode == 1 and out.stderr.strip().endswith("minAvailable and maxUnavailable cannot be both set")
    assert vapi.kubectl("-n", namespace, "get", "pdb", "-o", "name").stdout.split() == []
    vapi.kubectl("-n", namespace, "create", "poddisruptionbudget", "p", "--selector=app=a", "--min-available=100%")
