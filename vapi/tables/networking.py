"""Networking: services (clusterIP standing in for empty clusterIPs), endpoints, endpoint
slices, ingresses and ingress classes, network policies, service CIDRs and IP addresses."""

from __future__ import annotations

from typing import Any

from vapi.tables.cells import Obj, _dict, _dicts, format_label_selector, format_labels, get, _int, _or, _str, _with_more
from vapi.tables.columns import AGE, NAME, Column, col, _field


def _load_balancer(status: Any) -> str:
    """printers.go loadBalancerStatusStringer, wide (the server prints wide): IPs or
    hostnames, sorted and unique."""
    found = {_str(i.get("ip")) or _str(i.get("hostname")) for i in _dicts(_dict(status).get("ingress"))}
    return ",".join(sorted(found - {""}))


def _service_type(svc: Obj) -> str:
    return _str(get(svc, "spec", "type", default="ClusterIP"))


def _cluster_ip(svc: Obj) -> str:
    ips = get(svc, "spec", "clusterIPs")
    if isinstance(ips, list) and ips:
        return str(ips[0])
    return _str(get(svc, "spec", "clusterIP")) or "<none>"


def _external_ip(svc: Obj) -> str:
    """printers.go getServiceExternalIP."""
    kind = _service_type(svc)
    external = [str(i) for i in get(svc, "spec", "externalIPs", default=[]) or []]
    if kind in ("ClusterIP", "NodePort"):
        return ",".join(external) or "<none>"
    if kind == "LoadBalancer":
        lb = _load_balancer(get(svc, "status", "loadBalancer"))
        return ",".join([*(lb.split(",") if lb else []), *external]) or "<pending>"
    if kind == "ExternalName":
        return _str(get(svc, "spec", "externalName"))
    return "<unknown>"


def _service_ports(svc: Obj) -> str:
    """printers.go makePortString: `80/TCP`, `80:30080/TCP`."""
    out: list[str] = []
    for p in _dicts(get(svc, "spec", "ports")):
        node_port, protocol = _int(p.get("nodePort")), p.get("protocol") or "TCP"
        out.append(f"{_int(p.get('port'))}:{node_port}/{protocol}" if node_port > 0 else f"{_int(p.get('port'))}/{protocol}")
    return ",".join(out) or "<none>"


def _endpoints(obj: Obj) -> str:
    """printers.go formatEndpoints: `ip:port` for every port of every subset, three shown."""
    subsets = _dicts(obj.get("subsets"))
    if not subsets:
        return "<none>"
    shown: list[str] = []
    total = 0
    for ss in subsets:
        ips = [_str(a.get("ip")) for a in _dicts(ss.get("addresses"))]
        ports = _dicts(ss.get("ports"))
        if not ports:
            total += len(ips)
            shown.extend(ips)
            continue
        for p in ports:
            total += len(ips)
            shown.extend(f"[{ip}]:{_int(p.get('port'))}" if ":" in ip else f"{ip}:{_int(p.get('port'))}" for ip in ips)
    return _with_more(shown, total, empty="")


def _slice_ports(obj: Obj) -> str:
    ports = _dicts(obj.get("ports"))
    shown = [str(p["port"]) if p.get("port") is not None else _or(p.get("name"), "*") for p in ports]
    return _with_more(shown, len(ports))


def _slice_endpoints(obj: Obj) -> str:
    addresses = [str(a) for e in _dicts(obj.get("endpoints")) for a in e.get("addresses") or []]
    return _with_more(addresses, len(addresses))


def _ingress_hosts(obj: Obj) -> str:
    """printers.go formatHosts: the first three hosts set, and `+ N more...` (counting every
    rule past the third) when a rule follows them."""
    rules = _dicts(get(obj, "spec", "rules"))
    hosts: list[str] = []
    more = False
    for r in rules:
        if len(hosts) == 3:
            more = True
            break
        if r.get("host"):
            hosts.append(str(r["host"]))
    if not hosts:
        return "*"
    return f"{','.join(hosts)} + {len(rules) - 3} more..." if more else ",".join(hosts)


def _ingress_class_parameters(obj: Obj) -> str:
    params = get(obj, "spec", "parameters")
    if not isinstance(params, dict):
        return "<none>"
    kind = _str(params.get("kind"))
    if params.get("apiGroup") is not None:
        kind += f".{params['apiGroup']}"
    return f"{kind}/{_str(params.get('name'))}"


def _ip_parent(obj: Obj) -> str:
    ref = get(obj, "spec", "parentRef")
    if not isinstance(ref, dict):
        return "<none>"
    resource = _str(ref.get("resource"))
    text = (f"{resource}.{ref['group']}" if ref.get("group") else resource).lower()
    if ref.get("namespace"):
        text += f"/{ref['namespace']}"
    return f"{text}/{_str(ref.get('name'))}"


COLUMNS: dict[tuple[str, str], list[Column]] = {
    ("", "services"): [
        NAME,
        col("Type", _service_type, "type determines how the Service is exposed."),
        col("Cluster-IP", _cluster_ip, "clusterIP is the IP address of the service and is usually assigned randomly."),
        col("External-IP", _external_ip, "externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service."),
        col("Port(s)", _service_ports, "The list of ports that are exposed by this service."),
        AGE,
        col("Selector", lambda o: format_labels(get(o, "spec", "selector")), "Route service traffic to pods with label keys and values matching this selector.", wide=True),
    ],
    ("", "endpoints"): [
        NAME,
        col("Endpoints", _endpoints, "The set of all endpoints is the union of all subsets."),
        AGE,
    ],
    ("networking.k8s.io", "ingresses"): [
        NAME,
        col("Class", lambda o: _or(get(o, "spec", "ingressClassName"), "<none>"), "The name of the IngressClass resource that should be used for additional configuration"),
        col("Hosts", _ingress_hosts, "Hosts that incoming requests are matched against before the ingress rule"),
        col("Address", lambda o: _load_balancer(get(o, "status", "loadBalancer")), "Address is a list containing ingress points for the load-balancer"),
        col("Ports", lambda o: "80, 443" if get(o, "spec", "tls") else "80", "Ports of TLS configurations that open"),
        AGE,
    ],
    ("networking.k8s.io", "ingressclasses"): [
        NAME,
        col("Controller", _field("spec", "controller"), "Controller that is responsible for handling this class"),
        col("Parameters", _ingress_class_parameters, "A reference to a resource with additional parameters"),
        AGE,
    ],
    ("networking.k8s.io", "networkpolicies"): [
        NAME,
        col("Pod-Selector", lambda o: format_label_selector(get(o, "spec", "podSelector", default={})), "Selects the pods to which this NetworkPolicy object applies."),
        AGE,
    ],
    ("networking.k8s.io", "servicecidrs"): [
        NAME,
        col("CIDRs", lambda o: ",".join(str(c) for c in get(o, "spec", "cidrs", default=[]) or []), "CIDRs defines the IP blocks in CIDR notation from which to assign service cluster IPs."),
        AGE,
    ],
    ("networking.k8s.io", "ipaddresses"): [
        NAME,
        col("ParentRef", _ip_parent, "ParentRef references the resource that an IPAddress is attached to."),
        AGE,
    ],
    ("discovery.k8s.io", "endpointslices"): [
        NAME,
        col("AddressType", _field("addressType"), "addressType specifies the type of address carried by this EndpointSlice."),
        col("Ports", _slice_ports, "ports specifies the list of network ports exposed by each endpoint in this slice."),
        col("Endpoints", _slice_endpoints, "endpoints is a list of unique endpoints in this slice."),
        AGE,
    ],
}
