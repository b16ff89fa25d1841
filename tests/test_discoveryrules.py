"""EndpointSlices and Leases refused as kube-apiserver 1.35 refuses them
(vapi/discoveryrules.py, vapi/coordinationrules.py); realistic ones stored."""

from __future__ import annotations

import json

import pytest

from tests import rulecauses
from tests.apiserver import VapiProcess


def slice_causes(obj: dict, old: dict | None = None) -> list[tuple[str, str, str]]:
    return rulecauses.causes("discovery.k8s.io", "endpointslices", {"metadata": {"name": "s"}, **obj}, old)


REALISTIC = {
    "addressType": "IPv4",
    "endpoints": [{"addresses": ["10.244.1.7"], "conditions": {"ready": True}, "nodeName": "node-1", "zone": "a",
                   "hostname": "web-0", "hints": {"forZones": [{"name": "a"}]}, "targetRef": {"kind": "Pod", "name": "web-0"}}],
    "ports": [{"name": "http", "port": 8080, "protocol": "TCP", "appProtocol": "kubernetes.io/h2c"}, {"name": "metrics", "port": 9090}],
}


@pytest.mark.parametrize("obj,expected", [
    pytest.param(REALISTIC, [], id="realistic"),
    pytest.param({"addressType": "FQDN", "endpoints": [{"addresses": ["db.example.com", "db.example.com."]}]}, [], id="fqdn"),
    pytest.param({"addressType": "IPv6", "endpoints": [{"addresses": ["fd00::7"]}], "ports": [{"port": 53}]}, [], id="ipv6-unnamed-port"),
    pytest.param({"addressType": "IPv6", "endpoints": [{"addresses": ["::ffff:10.0.0.1"]}]},
                 [("endpoints[0].addresses[0]", "FieldValueInvalid", 'Invalid value: "::ffff:10.0.0.1": must be a valid IPv6 address')],
                 id="ipv4-mapped-is-ipv4"),
    pytest.param({"endpoints": []}, [("addressType", "FieldValueRequired", "Required value")], id="address-type-required"),
    pytest.param({"addressType": "IPX"}, [("addressType", "FieldValueNotSupported",
                                           'Unsupported value: "IPX": supported values: "FQDN", "IPv4", "IPv6"')], id="address-type"),
    pytest.param({"addressType": "IPv4", "endpoints": [{"addresses": []},
                                                       {"addresses": ["fd00::1", "127.0.0.1", "0.0.0.0", "169.254.169.254", "224.0.0.5"]}]},
                 [("endpoints[0].addresses", "FieldValueRequired", "Required value: must contain at least 1 address"),
                  ("endpoints[1].addresses[0]", "FieldValueInvalid", 'Invalid value: "fd00::1": must be a valid IPv4 address'),
                  ("endpoints[1].addresses[1]", "FieldValueInvalid",
                   'Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)'),
                  ("endpoints[1].addresses[2]", "FieldValueInvalid", 'Invalid value: "0.0.0.0": may not be unspecified (0.0.0.0)'),
                  ("endpoints[1].addresses[3]", "FieldValueInvalid",
                   'Invalid value: "169.254.169.254": may not be in the link-local range (169.254.0.0/16, fe80::/10)'),
                  ("endpoints[1].addresses[4]", "FieldValueInvalid",
                   'Invalid value: "224.0.0.5": may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)')],
                 id="ipv4-addresses"),
    pytest.param({"addressType": "FQDN", "endpoints": [{"addresses": ["localhost"], "hostname": "Web", "nodeName": "Node_1"}]},
                 [("endpoints[0].addresses[0]", "FieldValueInvalid",
                   'Invalid value: "localhost": should be a domain with at least two segments separated by dots'),
                  ("endpoints[0].nodeName", "FieldValueInvalid",
                   "Invalid value: \"Node_1\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
                   "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
                   "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"),
                  ("endpoints[0].hostname", "FieldValueInvalid",
                   "Invalid value: \"Web\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
                   "must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
                   "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')")], id="names"),
    pytest.param({"addressType": "IPv4", "ports": [{"name": "http", "protocol": "HTTP"}, {"name": "http"}, {}, {}]},
                 [("ports[0].protocol", "FieldValueNotSupported", 'Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"'),
                  ("ports[1].name", "FieldValueDuplicate", 'Duplicate value: "http"'),
                  ("ports[3].name", "FieldValueDuplicate", 'Duplicate value: ""')], id="ports"),
])
def test_endpoint_slices(obj: dict, expected: list[tuple[str, str, str]]) -> None:
    assert slice_causes(json.loads(json.dumps(obj))) == expected


def test_address_type_is_immutable() -> None:
    old = {"metadata": {"name": "s"}, "addressType": "IPv4", "endpoints": []}
    assert slice_causes({"addressType": "FQDN", "endpoints": []}, old) == [
        ("addressType", "FieldValueInvalid", 'Invalid value: "FQDN": field is immutable')]


@pytest.mark.parametrize("spec,expected", [
    pytest.param({"holderIdentity": "node-1", "leaseDurationSeconds": 40, "leaseTransitions": 0}, [], id="realistic"),
    pytest.param({"leaseDurationSeconds": 0, "leaseTransitions": -1},
                 [("spec.leaseDurationSeconds", "FieldValueInvalid", "Invalid value: 0: must be greater than 0"),
                  ("spec.leaseTransitions", "FieldValueInvalid", "Invalid value: -1: must be greater than or equal to 0")], id="bounds"),
])
def test_leases(spec: dict, expected: list[tuple[str, str, str]]) -> None:
    assert rulecauses.causes("coordination.k8s.io", "leases", {"metadata": {"name": "l"}, "spec": spec}) == expected


def test_kubectl(vapi: VapiProcess, namespace: str) -> None:
    refused = rulecauses.kubectl_refusal(vapi, namespace, """
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: web-x}
addressType: IPv4
endpoints: [{addresses: [127.0.0.1]}]
""", "endpointslices")
    assert refused == ('The EndpointSlice "web-x" is invalid: endpoints[0].addresses[0]: Invalid value: "127.0.0.1": '
                       "may not be in the loopback range (127.0.0.0/8, ::1/128)")
    vapi.kubectl("-n", namespace, "create", "-f", "-", input=json.dumps(
        {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice", "metadata": {"name": "web-y"}, **REALISTIC}))
    ports = json.loads(vapi.kubectl("-n", namespace, "get", "endpointslice", "web-y", "-o", "jsonpath={.ports}").stdout)
    assert ports[1] == {"name": "metrics", "port": 9090, "protocol": "TCP"}
    lease = vapi.kubectl("-n", namespace, "create", "-f", "-", check=False, input="""
apiVersion: coordination.k8s.io/v1
kind: Lease
metadata: {name: lock}
spec: {leaseDurationSeconds: 0}
""")
    assert lease.returncode == 1 and lease.stderr.strip() == (
        'The Lease "lock" is invalid: spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0')
