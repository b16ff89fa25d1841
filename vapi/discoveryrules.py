"""EndpointSlices as kube-apiserver 1.35 validates them (pkg/apis/discovery/validation
ValidateEndpointSlice and its update), in its order and words: the address type, each
endpoint's addresses as that type wants them (IPv4 and IPv6 addresses parsed as Go's sloppy
parser, and none a node-centric address: unspecified, loopback, link-local; FQDNs of two labels
or more), node names, hostnames, deprecated topology labels and zone hints; ports' names
(DNS-1123 labels, unique), protocols and appProtocols. The address type never changes.

Zone hints' forNodes (PreferSameTrafficDistribution) are not checked.
"""

from __future__ import annotations

import ipaddress
from typing import Any, Callable

from vapi import dnsnames, fielderrors, labelrules, networkingrules, validation

Obj = dict[str, Any]
Cause = dict[str, str]

_d, _l, _s = fielderrors.mapping, fielderrors.sequence, fielderrors.string

ADDRESS_TYPES = ("FQDN", "IPv4", "IPv6")
PROTOCOLS = ("SCTP", "TCP", "UDP")
MAX_ENDPOINTS, MAX_ADDRESSES, MAX_PORTS, MAX_TOPOLOGY, MAX_ZONE_HINTS = 1000, 100, 20000, 16, 8
ZONE_LABEL = "topology.kubernetes.io/zone"


def _ip(value: str, family: int, path: str) -> list[Cause]:
    """IsValidIPv4Address or IsValidIPv6Address, then ValidateEndpointIP."""
    network = networkingrules._sloppy_network(value, host=True)
    address = network.network_address if network is not None else None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped  # Go's To4: an IPv4-mapped address is an IPv4 one
    if address is None or address.version != family:
        return [fielderrors.invalid(path, value, f"must be a valid IPv{family} address")]
    out = []
    if address.is_unspecified:
        out.append(fielderrors.invalid(path, value, f"may not be unspecified ({value})"))
    if address.is_loopback:
        out.append(fielderrors.invalid(path, value, "may not be in the loopback range (127.0.0.0/8, ::1/128)"))
    if address.is_link_local:
        out.append(fielderrors.invalid(path, value, "may not be in the link-local range (169.254.0.0/16, fe80::/10)"))
    raw = address.packed  # Go's IsLinkLocalMulticast: 224.0.0.0/24, ff02::/16 of any flags
    if raw[:3] == bytes((224, 0, 0)) if family == 4 else (raw[0] == 0xFF and raw[1] & 0x0F == 0x02):
        out.append(fielderrors.invalid(path, value, "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)"))
    return out


def _fqdn(value: str, path: str) -> list[Cause]:
    """IsFullyQualifiedDomainName: a trailing dot allowed, two labels or more."""
    if not value:
        return [fielderrors.required(path)]
    name = value[:-1] if value.endswith(".") else value
    errors = dnsnames.dns_subdomain(name)
    if errors:
        return [fielderrors.invalid(path, name, ",".join(errors))]
    labels = name.split(".")
    if len(labels) < 2:
        return [fielderrors.invalid(path, name, "should be a domain with at least two segments separated by dots")]
    for label in labels:
        errors = dnsnames.dns_label(label)
        if errors:
            return [fielderrors.invalid(path, label, ",".join(errors))]
    return []


def _labels(labels: dict[str, Any], path: str) -> list[Cause]:
    """ValidateLabels, reported at the map's path."""
    out: list[Cause] = []
    for key, value in sorted(labels.items()):
        out += [fielderrors.invalid(path, key, m) for m in labelrules.key_errors(key)]
        out += [fielderrors.invalid(path, value, m) for m in labelrules.value_errors(_s(value))]
    return out


def _endpoint(endpoint: Obj, address_type: str, path: str) -> list[Cause]:
    addresses = _l(endpoint.get("addresses"))
    out: list[Cause] = []
    if not addresses:
        out.append(fielderrors.required(f"{path}.addresses", "must contain at least 1 address"))
    elif len(addresses) > MAX_ADDRESSES:
        out.append(fielderrors.too_many(f"{path}.addresses", len(addresses), MAX_ADDRESSES))
    for i, item in enumerate(addresses):
        here, address = f"{path}.addresses[{i}]", _s(item)
        if address_type == "IPv4":
            out += _ip(address, 4, here)
        elif address_type == "IPv6":
            out += _ip(address, 6, here)
        elif address_type == "FQDN":
            out += _fqdn(address, here)
    node = endpoint.get("nodeName")
    if isinstance(node, str):
        out += [fielderrors.invalid(f"{path}.nodeName", node, m) for m in validation.name_errors("Node", node)]
    topology = _d(endpoint.get("deprecatedTopology"))
    if len(topology) > MAX_TOPOLOGY:
        out.append(fielderrors.too_many(f"{path}.deprecatedTopology", len(topology), MAX_TOPOLOGY))
    out += _labels(topology, f"{path}.deprecatedTopology")
    hostname = endpoint.get("hostname")
    if isinstance(hostname, str):
        out += [fielderrors.invalid(f"{path}.hostname", hostname, m) for m in dnsnames.dns_label(hostname)]
    zones = _l(_d(endpoint.get("hints")).get("forZones"))
    if len(zones) > MAX_ZONE_HINTS:
        return [*out, fielderrors.too_many(f"{path}.hints.forZones", len(zones), MAX_ZONE_HINTS)]
    seen: set[str] = set()
    for i, zone in enumerate(zones):
        here, name = f"{path}.hints.forZones[{i}].name", _s(_d(zone).get("name"))
        if name in seen:
            out.append(fielderrors.duplicate(here, name))
        seen.add(name)
        out += [fielderrors.invalid(here, name, m) for m in labelrules.value_errors(name)]
    return out


def _ports(ports: list[Any]) -> list[Cause]:
    if len(ports) > MAX_PORTS:
        return [fielderrors.too_many("ports", len(ports), MAX_PORTS)]
    out: list[Cause] = []
    names: set[str] = set()
    for i, item in enumerate(ports):
        port, path = _d(item), f"ports[{i}]"
        name = _s(port.get("name"))
        if name:
            out += [fielderrors.invalid(f"{path}.name", name, m) for m in dnsnames.dns_label(name)]
        if name in names:
            out.append(fielderrors.duplicate(f"{path}.name", name))
        names.add(name)
        protocol = port.get("protocol")
        if protocol is None:
            out.append(fielderrors.required(f"{path}.protocol"))
        elif protocol not in PROTOCOLS:
            out.append(fielderrors.unsupported(f"{path}.protocol", protocol, PROTOCOLS))
        app = port.get("appProtocol")
        if isinstance(app, str):
            out += [fielderrors.invalid(f"{path}.appProtocol", app, m) for m in labelrules.key_errors(app)]
    return out


def endpoint_slice(obj: Obj, old: Obj | None = None) -> list[Cause]:
    address_type = _s(obj.get("addressType"))
    out: list[Cause] = []
    if not address_type:
        out.append(fielderrors.required("addressType"))
    elif address_type not in ADDRESS_TYPES:
        out.append(fielderrors.unsupported("addressType", address_type, ADDRESS_TYPES))
    endpoints = _l(obj.get("endpoints"))
    if len(endpoints) > MAX_ENDPOINTS:
        out.append(fielderrors.too_many("endpoints", len(endpoints), MAX_ENDPOINTS))
    else:
        for i, endpoint in enumerate(endpoints):
            out += _endpoint(_d(endpoint), address_type, f"endpoints[{i}]")
    return out + _ports(_l(obj.get("ports")))


def endpoint_slice_update(new: Obj, old: Obj) -> list[Cause]:
    if new.get("addressType") != old.get("addressType"):
        return [fielderrors.invalid("addressType", new.get("addressType"), "field is immutable")]
    return []


GROUP = "discovery.k8s.io"
RULES: dict[tuple[str, str], Callable[[Obj, Obj | None], list[Cause]]] = {(GROUP, "EndpointSlice"): endpoint_slice}
UPDATE_RULES: dict[tuple[str, str], Callable[[Obj, Obj], list[Cause]]] = {(GROUP, "EndpointSlice"): endpoint_slice_update}
