"""Validating and mutating webhook configurations refused as kube-apiserver 1.35 refuses them
(vapi/admissionrules.py), after its v1 defaults; realistic configurations stored, inert."""

from __future__ import annotations

import json

import pytest

from tests import rulecauses
from tests.apiserver import VapiProcess

GOOD = {"name": "check.example.com", "admissionReviewVersions": ["v1"], "sideEffects": "None",
        "clientConfig": {"service": {"name": "hook", "namespace": "system", "path": "/validate-pods"}},
        "rules": [{"operations": ["CREATE", "UPDATE"], "apiGroups": [""], "apiVersions": ["v1"], "resources": ["pods", "pods/status"]}]}


def causes(*hooks: dict, kind: str = "validatingwebhookconfigurations", old: dict | None = None) -> list[tuple[str, str, str]]:
    obj = {"kind": "", "metadata": {"name": "w"}, "webhooks": list(hooks)}
    return rulecauses.causes("admissionregistration.k8s.io", kind, obj, old)


def hook(**changes: object) -> dict:
    out = json.loads(json.dumps(GOOD))
    for key, value in changes.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = value
    return out


@pytest.mark.parametrize("hooks,expected", [
    pytest.param([GOOD, hook(name="url.example.com", clientConfig={"url": "https://hooks.example.com:8443/check"},
                             failurePolicy="Ignore", timeoutSeconds=5, namespaceSelector={"matchLabels": {"team": "a"}})],
                 [], id="realistic"),
    pytest.param([hook(name="check"), hook(name="")],
                 [("webhooks[0].name", "FieldValueInvalid",
                   'Invalid value: "check": should be a domain with at least three segments separated by dots'),
                  ("webhooks[1].name", "FieldValueRequired", "Required value")], id="names"),
    pytest.param([GOOD, GOOD], [("webhooks[1].name", "FieldValueDuplicate", 'Duplicate value: "check.example.com"')], id="unique"),
    pytest.param([hook(sideEffects=None, admissionReviewVersions=None)],
                 [("webhooks[0].sideEffects", "FieldValueRequired", "Required value: must specify one of None, NoneOnDryRun"),
                  ("webhooks[0].admissionReviewVersions", "FieldValueRequired", "Required value: must specify one of v1, v1beta1")],
                 id="required"),
    pytest.param([hook(sideEffects="Some", admissionReviewVersions=["v2", "v2"])],
                 [("webhooks[0].sideEffects", "FieldValueNotSupported",
                   'Unsupported value: "Some": supported values: "None", "NoneOnDryRun"'),
                  ("webhooks[0].admissionReviewVersions[1]", "FieldValueInvalid", 'Invalid value: "v2": duplicate version'),
                  ("webhooks[0].admissionReviewVersions", "FieldValueInvalid",
                   'Invalid value: ["v2","v2"]: must include at least one of v1, v1beta1')], id="side-effects-and-versions"),
    pytest.param([hook(clientConfig={}), hook(name="b.example.com", clientConfig={"url": "http://u:p@/x?y=1#z"})],
                 [("webhooks[0].clientConfig", "FieldValueRequired", "Required value: exactly one of url or service is required"),
                  ("webhooks[1].clientConfig.url", "FieldValueInvalid",
                   'Invalid value: "http": \'https\' is the only allowed URL scheme; desired format: https://host[/path]'),
                  ("webhooks[1].clientConfig.url", "FieldValueInvalid",
                   'Invalid value: "": host must be specified; desired format: https://host[/path]'),
                  ("webhooks[1].clientConfig.url", "FieldValueInvalid", 'Invalid value: "u:p": user information is not permitted in the URL'),
                  ("webhooks[1].clientConfig.url", "FieldValueInvalid", 'Invalid value: "z": fragments are not permitted in the URL'),
                  ("webhooks[1].clientConfig.url", "FieldValueInvalid", 'Invalid value: "y=1": query parameters are not permitted in the URL')],
                 id="client-config"),
    pytest.param([hook(clientConfig={"service": {"name": "hook", "port": 0, "path": "validate//Pods"}})],
                 [("webhooks[0].clientConfig.service.name", "FieldValueRequired", "Required value"),
                  ("webhooks[0].clientConfig.service.port", "FieldValueInvalid",
                   "Invalid value: 0: port is not valid: must be between 1 and 65535, inclusive"),
                  ("webhooks[0].clientConfig.service.path", "FieldValueInvalid", 'Invalid value: "validate//Pods": must start with a \'/\''),
                  ("webhooks[0].clientConfig.service.path", "FieldValueInvalid", 'Invalid value: "validate//Pods": segment[1] may not be empty'),
                  ("webhooks[0].clientConfig.service.path", "FieldValueInvalid",
                   "Invalid value: \"validate//Pods\": segment[2]: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
                   "characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for "
                   "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")],
                 id="service-namespace-reported-at-name-as-kube-does"),
    pytest.param([hook(rules=[{"operations": ["GET", "*"], "apiGroups": ["*", "apps"], "apiVersions": [""],
                               "resources": ["*", "pods", "deployments/*", "deployments/scale"], "scope": "Everywhere"}])],
                 [("webhooks[0].rules[0].operations", "FieldValueInvalid",
                   'Invalid value: ["GET","*"]: if \'*\' is present, must not specify other operations'),
                  ("webhooks[0].rules[0].operations[0]", "FieldValueNotSupported",
                   'Unsupported value: "GET": supported values: "*", "CONNECT", "CREATE", "DELETE", "UPDATE"'),
                  ("webhooks[0].rules[0].apiGroups", "FieldValueInvalid",
                   'Invalid value: ["*","apps"]: if \'*\' is present, must not specify other API groups'),
                  ("webhooks[0].rules[0].apiVersions[0]", "FieldValueRequired", "Required value"),
                  ("webhooks[0].rules[0].resources[3]", "FieldValueInvalid",
                   'Invalid value: "deployments/scale": if \'deployments/*\' is present, must not specify deployments/scale'),
                  ("webhooks[0].rules[0].resources", "FieldValueInvalid",
                   'Invalid value: ["*","pods","deployments/*","deployments/scale"]: '
                   "if '*' is present, must not specify other resources without subresources"),
                  ("webhooks[0].rules[0].scope", "FieldValueNotSupported",
                   'Unsupported value: "Everywhere": supported values: "*", "Cluster", "Namespaced"')], id="rules"),
    pytest.param([hook(timeoutSeconds=31, failurePolicy="Retry", matchPolicy="Loose")],
                 [("webhooks[0].failurePolicy", "FieldValueNotSupported", 'Unsupported value: "Retry": supported values: "Fail", "Ignore"'),
                  ("webhooks[0].matchPolicy", "FieldValueNotSupported",
                   'Unsupported value: "Loose": supported values: "Equivalent", "Exact"'),
                  ("webhooks[0].timeoutSeconds", "FieldValueInvalid", "Invalid value: 31: the timeout value must be between 1 and 30 seconds")],
                 id="policies-and-timeout"),
])
def test_validating_webhooks(hooks: list[dict], expected: list[tuple[str, str, str]]) -> None:
    assert causes(*hooks) == expected


def test_mutating_reinvocation_policy_and_relaxed_updates() -> None:
    assert causes(hook(reinvocationPolicy="Always"), kind="mutatingwebhookconfigurations") == [
        ("webhooks[0].reinvocationPolicy", "FieldValueNotSupported",
         'Unsupported value: "Always": supported values: "IfNeeded", "Never"')]
    # a configuration stored with side effects Some (v1beta1 allowed them) stays editable
    old = {"metadata": {"name": "w"}, "webhooks": [hook(sideEffects="Some")]}
    assert causes(hook(sideEffects="Unknown"), old=old) == []
    assert causes(hook(sideEffects="Unknown")) == [
        ("webhooks[0].sideEffects", "FieldValueNotSupported", 'Unsupported value: "Unknown": supported values: "None", "NoneOnDryRun"')]


def test_kubectl_refusal_and_defaults(vapi: VapiProcess) -> None:
    out = vapi.kubectl("create", "-f", "-", check=False, input="""
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: refused-hooks}
webhooks:
- name: check
  admissionReviewVersions: [v1]
  sideEffects: None
  clientConfig: {url: "http://hooks.example.com/check"}
""")
    assert out.returncode == 1
    assert out.stderr.strip() == (
        'The ValidatingWebhookConfiguration "refused-hooks" is invalid: \n'
        '* webhooks[0].name: Invalid value: "check": should be a domain with at least three segments separated by dots\n'
        "* webhooks[0].clientConfig.url: Invalid value: \"http\": 'https' is the only allowed URL scheme; "
        "desired format: https://host[/path]")
    vapi.kubectl("apply", "-f", "-", input=json.dumps({
        "apiVersion": "admissionregistration.k8s.io/v1", "kind": "MutatingWebhookConfiguration",
        "metadata": {"name": "stored-hooks"}, "webhooks": [GOOD]}))
    stored = json.loads(vapi.kubectl("get", "mutatingwebhookconfiguration", "stored-hooks", "-o", "json").stdout)["webhooks"][0]
    assert {k: stored[k] for k in ("failurePolicy", "matchPolicy", "namespaceSelector", "objectSelector", "timeoutSeconds",
                                   "reinvocationPolicy")} == {
        "failurePolicy": "Fail", "matchPolicy": "Equivalent", "namespaceSelector": {}, "objectSelector": {},
        "timeoutSeconds": 10, "reinvocationPolicy": "Never"}
    assert stored["clientConfig"]["service"]["port"] == 443 and stored["rules"][0]["scope"] == "*"
    vapi.kubectl("delete", "mutatingwebhookconfiguration", "stored-hooks")
