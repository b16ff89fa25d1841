"""Ingresses, IngressClasses and NetworkPolicies as kube-apiserver 1.35 validates them
(pkg/apis/networking/validation/validation.go), in its words and order: an Ingress's rules
(hosts as DNS subdomains, wildcards, not IPs; each path's type and, for Exact and Prefix, an
absolute clean path), backends (a service with a name and one of port name or number, or a
resource), a default backend or rules, TLS hosts and secret names, ingressClassName and its
annotation; an IngressClass's controller (a domain-prefixed path, fixed once created) and
parameters; a NetworkPolicy's selectors, ports, peers, ipBlocks and policyTypes.

RelaxedServiceNameValidation and StrictIPCIDRValidation are off in 1.35: a backend's service
name is a DNS-1035 label, and CIDRs are parsed as Go's sloppy parser does (leading zeros and
host bits accepted).
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any, Callable

from vapi import dnsnames, fielderrors, labelrules, podrules, servicerules, validation

Obj = dict[str, Any]
Cause = dict[str, str]

_d, _l, _s, invalid = podrules._d, podrules._l, podrules._s, podrules.invalid

PATH_TYPES = ("Exact", "ImplementationSpecific", "Prefix")
BAD_PATH_SEQUENCES = ("//", "/./", "/../", "%2f", "%2F")
BAD_PATH_SUFFIXES = ("/..", "/.")
WILDCARD_SUBDOMAIN = re.compile(r"\*\." + dnsnames.DNS1123_SUBDOMAIN.pattern)
WILDCARD_MESSAGE = (
    "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of "
    "lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. '*.example.com', "
    "regex used for validation is '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")
HTTP_PATH = re.compile(r"[A-Za-z0-9/\-._~%!$&'()*+,;=:]+")
HTTP_PATH_MESSAGE = "Invalid path (regex used for validation is '[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+')"
PARAMETER_SCOPES = ("Cluster", "Namespace")
CLASS_ANNOTATION = "kubernetes.io/ingress.class"
CIDR_MESSAGE = "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"
NETWORK_PROTOCOLS = ("TCP", "UDP", "SCTP")
POLICY_TYPES = ("Ingress", "Egress")


def wildcard_subdomain(value: str) -> list[str]:
    """IsWildcardDNS1123Subdomain."""
    out = [dnsnames.too_long(253)] if len(value) > 253 else []
    return out + ([] if WILDCARD_SUBDOMAIN.fullmatch(value) else [WILDCARD_MESSAGE])


def _host(value: str, path: str) -> list[Cause]:
    """A host that may be a wildcard (rules and TLS hosts)."""
    return invalid(path, value, wildcard_subdomain(value) if "*" in value else dnsnames.dns_subdomain(value))


def _is_ip(value: str) -> bool:
    return _sloppy_network(value, host=True) is not None


def _sloppy_network(value: str, *, host: bool = False) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    """Go's netutils.ParseCIDRSloppy (ParseIPSloppy with host): IPv4 octets may carry
    leading zeros, the address may have host bits set."""
    address, slash, prefix = value.partition("/")
    # Go's digits are ASCII: str.isdigit also takes ² and ١ (int() then refuses the first)
    if host == bool(slash) or (slash and not (prefix.isascii() and prefix.isdigit())):
        return None
    if "." in address and ":" not in address:
        octets = address.split(".")
        if len(octets) != 4 or not all(o.isascii() and o.isdigit() and len(o) <= 3 for o in octets):
            return None
        address = ".".join(str(int(o)) for o in octets)
    try:
        return ipaddress.ip_network(f"{address}/{int(prefix)}" if slash else address, strict=False)
    except ValueError:
        return None


def _path_segment(value: str, path: str) -> list[Cause]:
    """content.IsPathSegmentName (a parameters or resource kind or name)."""
    if not value:
        return [fielderrors.required(path)]
    return invalid(path, value, validation.name_errors("Role", value))


# ---- Ingress


def ingress(obj: Obj, old: Obj | None) -> list[Cause]:
    spec = _d(obj.get("spec"))
    out: list[Cause] = []
    rules, default = spec.get("rules"), spec.get("defaultBackend")
    if not rules and default is None:
        out.append(fielderrors.invalid("spec", rules, "either `defaultBackend` or `rules` must be specified"))
    if default is not None:
        out += _backend(_d(default), "spec.defaultBackend")
    for i, rule in enumerate(_l(rules)):
        here, host = f"spec.rules[{i}]", _s(_d(rule).get("host"))
        if host and _is_ip(host):
            out.append(fielderrors.invalid(f"{here}.host", host, "must be a DNS name, not an IP address"))
        if host:
            out += _host(host, f"{here}.host")
        http = _d(rule).get("http")
        if http is not None:
            paths = _l(_d(http).get("paths"))
            if not paths:
                out.append(fielderrors.required(f"{here}.http.paths"))
            for j, item in enumerate(paths):
                out += _http_path(_d(item), f"{here}.http.paths[{j}]")
    for i, tls in enumerate(_l(spec.get("tls"))):
        for j, host in enumerate(_l(_d(tls).get("hosts"))):
            out += _host(_s(host), f"spec.tls[{i}].hosts[{j}]")
        secret = _s(_d(tls).get("secretName"))
        if secret:
            out += invalid(f"spec.tls[{i}].secretName", secret, validation.name_errors("Secret", secret))
    name = spec.get("ingressClassName")
    if isinstance(name, str):
        out += invalid("spec.ingressClassName", name, validation.name_errors("IngressClass", name))
    annotation = _d(_d(obj.get("metadata")).get("annotations")).get(CLASS_ANNOTATION)
    if old is None and isinstance(annotation, str) and isinstance(name, str) and annotation != name:
        out.append(fielderrors.invalid(f"annotations.{CLASS_ANNOTATION}", annotation,
                                       "must match `ingressClassName` when both are specified"))
    return out


def _http_path(item: Obj, path: str) -> list[Cause]:
    kind, value = item.get("pathType"), _s(item.get("path"))
    if kind is None:
        return [fielderrors.required(f"{path}.pathType", "pathType must be specified")]
    out: list[Cause] = []
    if kind in ("Exact", "Prefix"):
        if not value.startswith("/"):
            out.append(fielderrors.invalid(f"{path}.path", value, "must be an absolute path"))
        out += [fielderrors.invalid(f"{path}.path", value, f"must not contain '{s}'") for s in BAD_PATH_SEQUENCES if s in value]
        out += [fielderrors.invalid(f"{path}.path", value, f"cannot end with '{s}'") for s in BAD_PATH_SUFFIXES
                if value.endswith(s)]
    elif kind == "ImplementationSpecific":
        if value and not value.startswith("/"):
            out.append(fielderrors.invalid(f"{path}.path", value, "must be an absolute path"))
    else:
        out.append(fielderrors.unsupported(f"{path}.pathType", kind, PATH_TYPES))
    return out + _backend(_d(item.get("backend")), f"{path}.backend")


def _backend(backend: Obj, path: str) -> list[Cause]:
    resource, service = backend.get("resource"), backend.get("service")
    if resource is not None and service is not None:
        return [fielderrors.invalid(path, "", "cannot set both resource and service backends")]
    if resource is not None:
        return _typed_reference(_d(resource), f"{path}.resource")
    if service is None:
        return [fielderrors.invalid(path, "", "resource or service backend is required")]
    out: list[Cause] = []
    name = _s(_d(service).get("name"))
    if not name:
        out.append(fielderrors.required(f"{path}.service.name"))
    else:
        out += invalid(f"{path}.service.name", name, validation.name_errors("Service", name))
    port = _d(_d(service).get("port"))
    port_name, number = _s(port.get("name")), fielderrors.integer(port.get("number")) or 0
    if port_name and number:
        out.append(fielderrors.invalid(path, "", "cannot set both port name & port number"))
    elif port_name:
        out += invalid(f"{path}.service.port.name", port_name, servicerules.port_name_errors(port_name))
    elif number:
        if not 1 <= number <= 65535:
            out.append(fielderrors.invalid(f"{path}.service.port.number", number, servicerules.PORT_RANGE))
    else:
        out.append(fielderrors.required(path, "port name or number is required"))
    return out


def _typed_reference(ref: Obj, path: str) -> list[Cause]:
    """A resource backend or an IngressClass's parameters: apiGroup, kind and name."""
    group = ref.get("apiGroup")
    out = invalid(f"{path}.apiGroup", group, dnsnames.dns_subdomain(group)) if isinstance(group, str) else []
    return out + _path_segment(_s(ref.get("kind")), f"{path}.kind") + _path_segment(_s(ref.get("name")), f"{path}.name")


def ingress_class(obj: Obj, old: Obj | None) -> list[Cause]:
    spec = _d(obj.get("spec"))
    out: list[Cause] = []
    controller = _s(spec.get("controller"))
    if not controller:
        out.append(fielderrors.required("spec.controller"))
    else:
        if len(controller) > 250:
            out.append({"reason": "FieldValueTooLong", "field": "spec.controller",
                        "message": "Too long: may not be more than 250 bytes"})
        out += _domain_prefixed_path(controller, "spec.controller")
    params = spec.get("parameters")
    if params is not None:
        out += _parameters(_d(params), "spec.parameters")
    return out


def _domain_prefixed_path(value: str, path: str) -> list[Cause]:
    """IsDomainPrefixedPath."""
    host, slash, rest = value.partition("/")
    if not slash or not host or not rest:
        return [fielderrors.invalid(path, value, 'must be a domain-prefixed path (such as "acme.io/foo")')]
    out = invalid(path, host, dnsnames.dns_subdomain(host))
    return out + ([] if HTTP_PATH.fullmatch(rest) else [fielderrors.invalid(path, rest, HTTP_PATH_MESSAGE)])


def _parameters(params: Obj, path: str) -> list[Cause]:
    out = _typed_reference(params, path)
    scope, namespace = params.get("scope"), params.get("namespace")
    if scope is None:
        return [*out, fielderrors.required(f"{path}.scope")]
    if scope not in PARAMETER_SCOPES:
        return [*out, fielderrors.unsupported(f"{path}.scope", scope, PARAMETER_SCOPES)]
    if scope == "Namespace" and namespace is None:
        out.append(fielderrors.required(f"{path}.namespace", "`parameters.scope` is set to 'Namespace'"))
    elif scope == "Namespace":
        out += invalid(f"{path}.namespace", namespace, validation.name_errors("Namespace", _s(namespace)))
    if scope == "Cluster" and namespace is not None:
        out.append(fielderrors.forbidden(f"{path}.namespace", "`parameters.scope` is set to 'Cluster'"))
    return out


def ingress_class_update(new: Obj, old: Obj) -> list[Cause]:
    controller = _d(new.get("spec")).get("controller")
    if controller != _d(old.get("spec")).get("controller"):
        return [fielderrors.invalid("spec.controller", controller, "field is immutable")]
    return []


# ---- NetworkPolicy


def network_policy(obj: Obj, old: Obj | None) -> list[Cause]:
    spec = _d(obj.get("spec"))
    out = labelrules.selector_causes(spec.get("podSelector"), "spec.podSelector")
    for direction, peers in (("ingress", "from"), ("egress", "to")):
        for i, rule in enumerate(_l(spec.get(direction))):
            here = f"spec.{direction}[{i}]"
            for j, port in enumerate(_l(_d(rule).get("ports"))):
                out += _policy_port(_d(port), f"{here}.ports[{j}]")
            for j, peer in enumerate(_l(_d(rule).get(peers))):
                out += _peer(_d(peer), f"{here}.{peers}[{j}]")
    types = _l(spec.get("policyTypes"))
    if len(types) > len(POLICY_TYPES):
        return [*out, fielderrors.invalid("spec.policyTypes", types, "may not specify more than two policyTypes")]
    return out + [fielderrors.unsupported(f"spec.policyTypes[{i}]", t, POLICY_TYPES)
                  for i, t in enumerate(types) if t not in POLICY_TYPES]


def _policy_port(port: Obj, path: str) -> list[Cause]:
    out: list[Cause] = []
    protocol = port.get("protocol")
    if protocol is not None and protocol not in NETWORK_PROTOCOLS:
        out.append(fielderrors.unsupported(f"{path}.protocol", protocol, NETWORK_PROTOCOLS))
    number, end = port.get("port"), fielderrors.integer(port.get("endPort"))
    if number is None:
        if end is not None:
            out.append(fielderrors.invalid(f"{path}.endPort", end, "may not be specified when `port` is not specified"))
    elif isinstance(number, str):
        if end is not None:
            out.append(fielderrors.invalid(f"{path}.endPort", end, "may not be specified when `port` is non-numeric"))
        out += invalid(f"{path}.port", number, servicerules.port_name_errors(number))
    else:
        number = fielderrors.integer(number) or 0
        if not 1 <= number <= 65535:
            out.append(fielderrors.invalid(f"{path}.port", number, servicerules.PORT_RANGE))
        if end is not None and end < number:
            out.append(fielderrors.invalid(f"{path}.endPort", end, "must be greater than or equal to `port`"))
        if end is not None and not 1 <= end <= 65535:
            out.append(fielderrors.invalid(f"{path}.endPort", end, servicerules.PORT_RANGE))
    return out


def _peer(peer: Obj, path: str) -> list[Cause]:
    out: list[Cause] = []
    for key in ("podSelector", "namespaceSelector"):
        out += labelrules.selector_causes(peer.get(key), f"{path}.{key}")
    block = peer.get("ipBlock")
    if block is not None:
        out += _ip_block(_d(block), f"{path}.ipBlock")
    count = sum(peer.get(k) is not None for k in ("podSelector", "namespaceSelector", "ipBlock"))
    if count == 0:
        out.append(fielderrors.required(path, "must specify a peer"))
    elif count > 1 and block is not None:
        out.append(fielderrors.forbidden(path, "may not specify both ipBlock and another peer"))
    return out


def _ip_block(block: Obj, path: str) -> list[Cause]:
    cidr = _s(block.get("cidr"))
    if not cidr:
        return [fielderrors.required(f"{path}.cidr")]
    network = _sloppy_network(cidr)
    if network is None:
        return [fielderrors.invalid(f"{path}.cidr", cidr, CIDR_MESSAGE)]
    out: list[Cause] = []
    for i, value in enumerate(_l(block.get("except"))):
        inner = _sloppy_network(_s(value))
        if inner is None:
            out.append(fielderrors.invalid(f"{path}.except[{i}]", value, CIDR_MESSAGE))
        elif inner.version != network.version or not inner.subnet_of(network) or inner.prefixlen <= network.prefixlen:  # type: ignore[arg-type]
            out.append(fielderrors.invalid(f"{path}.except[{i}]", value, "must be a strict subset of `cidr`"))
    return out


GROUP = "networking.k8s.io"
RULES: dict[tuple[str, str], Callable[[Obj, Obj | None], list[Cause]]] = {
    (GROUP, "Ingress"): ingress, (GROUP, "IngressClass"): ingress_class, (GROUP, "NetworkPolicy"): network_policy}
UPDATE_RULES: dict[tuple[str, str], Callable[[Obj, Obj], list[Cause]]] = {(GROUP, "IngressClass"): ingress_class_update}
