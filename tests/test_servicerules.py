"""Services refused as kube-apiserver refuses them (vapi/servicerules.py): the causes in its
words, and kubectl's output."""

from __future__ import annotations

import pytest

from tests import rulecauses
from tests.apiserver import VapiProcess


def causes(spec: dict) -> list[tuple[str, str, str]]:
    return rulecauses.causes("", "services", {"metadata": {"name": "s"}, "spec": spec})


@pytest.mark.parametrize("spec,expected", [
    pytest.param({"ports": [{"port": 80}], "selector": {"app": "a"}}, [], id="plain"),
    pytest.param({"clusterIP": "None"}, [], id="headless-without-ports"),
    pytest.param({"type": "ExternalName", "externalName": "db.example.com."}, [], id="external-name"),
    pytest.param({"ports": [{"name": "http", "port": 80, "targetPort": "web"}, {"name": "dns", "port": 53, "protocol": "UDP"}]}, [],
                 id="named-ports"),
    pytest.param({}, [("spec.ports", "FieldValueRequired", "Required value")], id="no-ports"),
    pytest.param({"type": "ExternalName"}, [("spec.externalName", "FieldValueRequired", "Required value")], id="no-external-name"),
    pytest.param({"ports": [{"port": 80}, {"port": 81, "name": "Web"}]},
                 [("spec.ports[0].name", "FieldValueRequired", "Required value"),
                  ("spec.ports[1].name", "FieldValueInvalid", 'Invalid value: "Web": a lowercase RFC 1123 label must consist of lower case '
                   "alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or "
                   "'123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')")], id="port-names"),
    pytest.param({"ports": [{"name": "a", "port": 80}, {"name": "a", "port": 80}]},
                 [("spec.ports[1].name", "FieldValueDuplicate", 'Duplicate value: "a"'),
                  ("spec.ports[1]", "FieldValueDuplicate",
                   'Duplicate value: {"Name":"","Protocol":"TCP","AppProtocol":null,"Port":80,"TargetPort":0,"NodePort":0}')],
                 id="duplicates"),
    pytest.param({"ports": [{"port": 70000, "protocol": "HTTP", "targetPort": "web--1-"}]},
                 [("spec.ports[0].port", "FieldValueInvalid", "Invalid value: 70000: must be between 1 and 65535, inclusive"),
                  ("spec.ports[0].protocol", "FieldValueNotSupported", 'Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"'),
                  ("spec.ports[0].targetPort", "FieldValueInvalid", 'Invalid value: "web--1-": must not contain consecutive hyphens'),
                  ("spec.ports[0].targetPort", "FieldValueInvalid", 'Invalid value: "web--1-": must not begin or end with a hyphen')],
                 id="port-values"),
    pytest.param({"type": "Public", "sessionAffinity": "Sticky", "ports": [{"port": 80}]},
                 [("spec.sessionAffinity", "FieldValueNotSupported", 'Unsupported value: "Sticky": supported values: "ClientIP", "None"'),
                  ("spec.type", "FieldValueNotSupported",
                   'Unsupported value: "Public": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"')],
                 id="type-and-affinity"),
    pytest.param({"ports": [{"port": 80, "nodePort": 30080}]},
                 [("spec.ports[0].nodePort", "FieldValueForbidden", "Forbidden: may not be used when `type` is 'ClusterIP'")],
                 id="node-port-on-cluster-ip"),
])
def test_service_rules(spec: dict, expected: list[tuple[str, str, str]]) -> None:
    assert causes(spec) == expected


def test_kubectl_refuses_a_service_with_two_unnamed_ports(vapi: VapiProcess, namespace: str) -> None:
    manifest = "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {ports: [{port: 80}, {port: 443}]}\n"
    assert rulecauses.kubectl_refusal(vapi, namespace, manifest, "services") == (
        'The Service "web" is invalid: \n* spec.ports[0].name: Required value\n* spec.ports[1].name: Required value')
    out = vapi.kubectl("-n", namespace, "create", "service", "clusterip", "web", "--tcp=80:8080", "--tcp=443:8443")
    assert out.stdout.strip() == "service/web created"  # kubectl names the ports itself
