"""Ingresses, IngressClasses and NetworkPolicies refused as kube-apiserver 1.35 refuses them
(vapi/networkingrules.py), and what kubectl prints."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.apiserver import VapiProcess
from tests.rulecauses import causes, kubectl_refusal
from vapi import dnsnames, labelrules, networkingrules

GROUP = "networking.k8s.io"
SUBDOMAIN = dnsnames.DNS1123_SUBDOMAIN_MESSAGE
DNS1035 = ("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic "
           "character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for "
           "validation is '[a-z]([-a-z0-9]*[a-z0-9])?')")
WEB = {"service": {"name": "web", "port": {"number": 80}}}


def ingress(**spec: Any) -> dict[str, Any]:
    return {"metadata": {"name": "i"}, "spec": spec}


def rule(*paths: dict[str, Any], host: str = "") -> dict[str, Any]:
    return {**({"host": host} if host else {}), "http": {"paths": list(paths)}}


@pytest.mark.parametrize(("spec", "expected"), [
    pytest.param({}, [("spec", "FieldValueInvalid", "Invalid value: null: either `defaultBackend` or `rules` must be specified")],
                 id="nothing-to-route"),
    pytest.param({"rules": [rule({"path": "/", "backend": WEB})]},
                 [("spec.rules[0].http.paths[0].pathType", "FieldValueRequired", "Required value: pathType must be specified")],
                 id="path-type-required"),
    pytest.param({"rules": [rule({"path": "api//v1/.", "pathType": "Prefix", "backend": WEB},
                                 {"path": "x", "pathType": "Regex", "backend": WEB},
                                 {"path": "x", "pathType": "ImplementationSpecific", "backend": WEB})]}, [
        ("spec.rules[0].http.paths[0].path", "FieldValueInvalid", 'Invalid value: "api//v1/.": must be an absolute path'),
        ("spec.rules[0].http.paths[0].path", "FieldValueInvalid", "Invalid value: \"api//v1/.\": must not contain '//'"),
        ("spec.rules[0].http.paths[0].path", "FieldValueInvalid", "Invalid value: \"api//v1/.\": cannot end with '/.'"),
        ("spec.rules[0].http.paths[1].pathType", "FieldValueNotSupported",
         'Unsupported value: "Regex": supported values: "Exact", "ImplementationSpecific", "Prefix"'),
        ("spec.rules[0].http.paths[2].path", "FieldValueInvalid", 'Invalid value: "x": must be an absolute path')],
        id="paths"),
    pytest.param({"rules": [rule({"pathType": "Prefix", "path": "/", "backend": {"service": {"name": "Web", "port": {"name": "http", "number": 80}}}},
                                 {"pathType": "Prefix", "path": "/", "backend": {"service": {"name": "web", "port": {}}}},
                                 {"pathType": "Prefix", "path": "/", "backend": {**WEB, "resource": {"kind": "Bucket", "name": "b"}}},
                                 {"pathType": "Prefix", "path": "/", "backend": {"resource": {"apiGroup": "Example", "kind": "a/b"}}},
                                 {"pathType": "Prefix", "path": "/", "backend": {}},
                                 {"pathType": "Prefix", "path": "/", "backend": {"service": {"name": "web", "port": {"number": 70000}}}})]}, [
        ("spec.rules[0].http.paths[0].backend.service.name", "FieldValueInvalid", f'Invalid value: "Web": {DNS1035}'),
        ("spec.rules[0].http.paths[0].backend", "FieldValueInvalid", 'Invalid value: "": cannot set both port name & port number'),
        ("spec.rules[0].http.paths[1].backend", "FieldValueRequired", "Required value: port name or number is required"),
        ("spec.rules[0].http.paths[2].backend", "FieldValueInvalid", 'Invalid value: "": cannot set both resource and service backends'),
        ("spec.rules[0].http.paths[3].backend.resource.apiGroup", "FieldValueInvalid", f'Invalid value: "Example": {SUBDOMAIN}'),
        ("spec.rules[0].http.paths[3].backend.resource.kind", "FieldValueInvalid", "Invalid value: \"a/b\": may not contain '/'"),
        ("spec.rules[0].http.paths[3].backend.resource.name", "FieldValueRequired", "Required value"),
        ("spec.rules[0].http.paths[4].backend", "FieldValueInvalid", 'Invalid value: "": resource or service backend is required'),
        ("spec.rules[0].http.paths[5].backend.service.port.number", "FieldValueInvalid",
         "Invalid value: 70000: must be between 1 and 65535, inclusive")],
        id="backends"),
    pytest.param({"rules": [{"host": "10.0.0.1"}, {"host": "*.*.example.com"}, {"host": "Shop.example.com", "http": {"paths": []}}],
                  "tls": [{"hosts": ["*.example.com", "a_b"], "secretName": "TLS"}], "ingressClassName": "Nginx",
                  "defaultBackend": WEB}, [
        ("spec.rules[0].host", "FieldValueInvalid", 'Invalid value: "10.0.0.1": must be a DNS name, not an IP address'),
        ("spec.rules[1].host", "FieldValueInvalid", f'Invalid value: "*.*.example.com": {networkingrules.WILDCARD_MESSAGE}'),
        ("spec.rules[2].host", "FieldValueInvalid", f'Invalid value: "Shop.example.com": {SUBDOMAIN}'),
        ("spec.rules[2].http.paths", "FieldValueRequired", "Required value"),
        ("spec.tls[0].hosts[1]", "FieldValueInvalid", f'Invalid value: "a_b": {SUBDOMAIN}'),
        ("spec.tls[0].secretName", "FieldValueInvalid", f'Invalid value: "TLS": {SUBDOMAIN}'),
        ("spec.ingressClassName", "FieldValueInvalid", f'Invalid value: "Nginx": {SUBDOMAIN}')],
        id="hosts-tls-class"),
])
def test_ingress_rules(spec: dict[str, Any], expected: list[tuple[str, str, str]]) -> None:
    assert causes(GROUP, "ingresses", ingress(**spec)) == expected


def test_ingress_class_annotation_must_match_on_create_only() -> None:
    obj = ingress(defaultBackend=WEB, ingressClassName="nginx")
    obj["metadata"]["annotations"] = {"kubernetes.io/ingress.class": "traefik"}
    expected = [("annotations.kubernetes.io/ingress.class", "FieldValueInvalid",
                 'Invalid value: "traefik": must match `ingressClassName` when both are specified')]
    assert causes(GROUP, "ingresses", obj) == expected
    assert causes(GROUP, "ingresses", json.loads(json.dumps(obj)), ingress(defaultBackend=WEB)) == []


def test_ingress_classes() -> None:
    def klass(**spec: Any) -> dict[str, Any]:
        return {"metadata": {"name": "c"}, "spec": spec}
    assert causes(GROUP, "ingressclasses", klass()) == [("spec.controller", "FieldValueRequired", "Required value")]
    assert causes(GROUP, "ingressclasses", klass(controller="nginx", parameters={"kind": "P", "name": "p"})) == [
        ("spec.controller", "FieldValueInvalid", 'Invalid value: "nginx": must be a domain-prefixed path (such as "acme.io/foo")'),
        ("spec.parameters.scope", "FieldValueRequired", "Required value")]
    assert causes(GROUP, "ingressclasses", klass(controller="k8s.io/ingress-nginx", parameters={
        "kind": "P", "name": "p", "scope": "Namespace"})) == [
        ("spec.parameters.namespace", "FieldValueRequired", "Required value: `parameters.scope` is set to 'Namespace'")]
    assert causes(GROUP, "ingressclasses", klass(controller="k8s.io/a", parameters={
        "kind": "P", "name": "p", "scope": "Cluster", "namespace": "x"})) == [
        ("spec.parameters.namespace", "FieldValueForbidden", "Forbidden: `parameters.scope` is set to 'Cluster'")]
    assert causes(GROUP, "ingressclasses", klass(controller="k8s.io/b"), klass(controller="k8s.io/a")) == [
        ("spec.controller", "FieldValueInvalid", 'Invalid value: "k8s.io/b": field is immutable')]


def policy(**spec: Any) -> dict[str, Any]:
    spec.setdefault("podSelector", {})
    return {"metadata": {"name": "np"}, "spec": spec}


def test_network_policies() -> None:
    got = causes(GROUP, "networkpolicies", policy(
        podSelector={"matchLabels": {"app": "-a"}},
        ingress=[{"ports": [{"protocol": "ICMP", "port": 80, "endPort": 70}, {"port": "http", "endPort": 90}, {"endPort": 90}],
                  "from": [{}, {"ipBlock": {"cidr": "10.0.0.0/8"}, "podSelector": {}},
                           {"ipBlock": {"cidr": "10.0.0.0/33"}}, {"ipBlock": {"cidr": "010.0.0.0/8", "except": ["11.0.0.0/16", "10.1.0.0/16", "10.0.0.0/8"]}}]}],
        egress=[{"to": [{"ipBlock": {"cidr": ""}}], "ports": [{"port": 0}]}],
        policyTypes=["Ingress", "Sideways"]))
    assert got == [
        ("spec.podSelector.matchLabels", "FieldValueInvalid", f'Invalid value: "-a": {labelrules.VALUE_RULE}'),
        ("spec.ingress[0].ports[0].protocol", "FieldValueNotSupported", 'Unsupported value: "ICMP": supported values: "TCP", "UDP", "SCTP"'),
        ("spec.ingress[0].ports[0].endPort", "FieldValueInvalid", "Invalid value: 70: must be greater than or equal to `port`"),
        ("spec.ingress[0].ports[1].endPort", "FieldValueInvalid", "Invalid value: 90: may not be specified when `port` is non-numeric"),
        ("spec.ingress[0].ports[2].endPort", "FieldValueInvalid", "Invalid value: 90: may not be specified when `port` is not specified"),
        ("spec.ingress[0].from[0]", "FieldValueRequired", "Required value: must specify a peer"),
        ("spec.ingress[0].from[1]", "FieldValueForbidden", "Forbidden: may not specify both ipBlock and another peer"),
        ("spec.ingress[0].from[2].ipBlock.cidr", "FieldValueInvalid",
         'Invalid value: "10.0.0.0/33": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)'),
        ("spec.ingress[0].from[3].ipBlock.except[0]", "FieldValueInvalid", 'Invalid value: "11.0.0.0/16": must be a strict subset of `cidr`'),
        ("spec.ingress[0].from[3].ipBlock.except[2]", "FieldValueInvalid", 'Invalid value: "10.0.0.0/8": must be a strict subset of `cidr`'),
        ("spec.egress[0].ports[0].port", "FieldValueInvalid", "Invalid value: 0: must be between 1 and 65535, inclusive"),
        ("spec.egress[0].to[0].ipBlock.cidr", "FieldValueRequired", "Required value"),
        ("spec.policyTypes[1]", "FieldValueNotSupported", 'Unsupported value: "Sideways": supported values: "Ingress", "Egress"')]
    assert causes(GROUP, "networkpolicies", policy(policyTypes=["Ingress", "Egress", "Ingress"])) == [
        ("spec.policyTypes", "FieldValueInvalid", 'Invalid value: ["Ingress","Egress","Ingress"]: may not specify more than two policyTypes')]


REALISTIC = """\
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: nginx-NS}
spec:
  controller: k8s.io/ingress-nginx
  parameters: {apiGroup: k8s.example.com, kind: IngressParameters, name: external-lb, scope: Namespace, namespace: NS}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: shop
  annotations: {nginx.ingress.kubernetes.io/rewrite-target: /}
spec:
  ingressClassName: nginx-NS
  tls:
  - hosts: [shop.example.com, "*.shop.example.com"]
    secretName: shop-tls
  defaultBackend: {resource: {apiGroup: k8s.example.com, kind: StorageBucket, name: static-assets}}
  rules:
  - host: shop.example.com
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
      - {path: /api, pathType: Exact, backend: {service: {name: api, port: {name: http}}}}
  - host: "*.shop.example.com"
    http:
      paths:
      - {pathType: ImplementationSpecific, backend: {service: {name: web, port: {number: 80}}}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: shop}
spec:
  podSelector: {matchLabels: {app: shop}}
  policyTypes: [Ingress, Egress]
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {team: web}}
      podSelector: {matchExpressions: [{key: role, operator: In, values: [frontend]}]}
    - ipBlock: {cidr: 172.17.0.0/16, except: [172.17.1.0/24]}
    ports:
    - {protocol: TCP, port: 6379}
    - {port: 32000, endPort: 32768}
  egress:
  - to: [{ipBlock: {cidr: "10.0.0.0/24"}}]
    ports: [{protocol: UDP, port: dns}]
"""


def test_realistic_networking_objects_pass(vapi: VapiProcess, namespace: str) -> None:
    manifest = REALISTIC.replace("NS", namespace)
    out = vapi.kubectl("-n", namespace, "apply", "-f", "-", input=manifest)
    assert out.stdout.split("\n")[:3] == [f"ingressclass.networking.k8s.io/nginx-{namespace} created",
                                          "ingress.networking.k8s.io/shop created",
                                          "networkpolicy.networking.k8s.io/shop created"]
    vapi.kubectl("delete", "ingressclass", f"nginx-{namespace}")


def test_kubectl_prints_kube_refusals(vapi: VapiProcess, namespace: str) -> None:
    out = vapi.kubectl("-n", namespace, "create", "ingress", "shop", "--rule=shop.example.com/api*=api:http,tls=Shop-TLS",
                       check=False)
    assert (out.returncode, out.stderr.strip()) == (1, (
        f'error: failed to create ingress: Ingress.networking.k8s.io "shop" is invalid: spec.tls[0].secretName: '
        f'Invalid value: "Shop-TLS": {SUBDOMAIN}'))
    bad = ("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: np}\nspec:\n  podSelector: {}\n"
           "  ingress:\n  - from: [{ipBlock: {cidr: 10.0.0.0/8, except: [192.168.0.0/16]}, namespaceSelector: {}}]\n")
    assert kubectl_refusal(vapi, namespace, bad, "networkpolicies") == (
        'The NetworkPolicy "np" is invalid: \n'
        '* spec.ingress[0].from[0].ipBlock.except[0]: Invalid value: "192.168.0.0/16": must be a strict subset of `cidr`\n'
        '* spec.ingress[0].from[0]: Forbidden: may not specify both ipBlock and another peer')
    code, _, body = vapi.request("POST", f"/clusters/root/apis/{GROUP}/v1/namespaces/{namespace}/ingresses",
                                 json.dumps(ingress(rules=[rule({"path": "/", "backend": WEB})])).encode(),
                                 headers={"Content-Type": "application/json"})
    status = json.loads(body)
    assert (code, status["reason"], status["details"]["causes"]) == (422, "Invalid", [
        {"reason": "FieldValueRequired", "field": "spec.rules[0].http.paths[0].pathType",
         "message": "Required value: pathType must be specified"}])
    assert status["message"] == ('Ingress.networking.k8s.io "i" is invalid: spec.rules[0].http.paths[0].pathType: '
                                 "Required value: pathType must be specified")
