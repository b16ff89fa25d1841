"""Services as kube-apiserver validates them (pkg/apis/core/validation validateService and
validateServicePort), in its words, for what a user writes: ports (required unless headless or
ExternalName; named and uniquely so when there are several; numbers, protocols, target port
numbers or names, appProtocol), no port twice, the selector's labels, the type, session
affinity, externalName, and no nodePort on a ClusterIP service.
"""

from __future__ import annotations

import re
from typing import Any

from vapi import fielderrors, labelrules, validation

Obj = dict[str, Any]
Cause = dict[str, str]

PROTOCOLS = ("SCTP", "TCP", "UDP")
TYPES = ("ClusterIP", "ExternalName", "LoadBalancer", "NodePort")
AFFINITIES = ("ClientIP", "None")
PORT_RANGE = "must be between 1 and 65535, inclusive"
PORT_NAME_CHARS = re.compile(r"^[-a-z0-9]+\Z")








def _out_of_range(value: Any) -> bool:
    """A port number (not a name) outside 1..65535."""
    return isinstance(value, int) and not isinstance(value, bool) and not 1 <= value <= 65535


def port_name_errors(name: str) -> list[str]:
    """IsValidPortName: an IANA_SVC_NAME (a named container port)."""
    out = ["must be no more than 15 characters"] if len(name) > 15 else []
    if not PORT_NAME_CHARS.match(name):
        out.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
    if not re.search(r"[a-z]", name):
        out.append("must contain at least one letter (a-z)")
    if "--" in name:
        out.append("must not contain consecutive hyphens")
    if name[:1] == "-" or name[-1:] == "-":
        out.append("must not begin or end with a hyphen")
    return out


def _port(port: Obj, here: str, *, several: bool, names: set[str]) -> list[Cause]:
    out: list[Cause] = []
    name = port.get("name")
    if several and not name:
        out.append(fielderrors.required(f"{here}.name"))
    elif isinstance(name, str) and name:
        out += [fielderrors.invalid(f"{here}.name", name, m) for m in validation.name_errors("Namespace", name)]
        if name in names:
            out.append(fielderrors.duplicate(f"{here}.name", name))
        names.add(name)
    number = port.get("port")
    if _out_of_range(number):
        out.append(fielderrors.invalid(f"{here}.port", number, PORT_RANGE))
    protocol = port.get("protocol")
    if not protocol:
        out.append(fielderrors.required(f"{here}.protocol"))
    elif isinstance(protocol, str) and protocol not in PROTOCOLS:
        out.append(fielderrors.unsupported(f"{here}.protocol", protocol, PROTOCOLS))
    target = port.get("targetPort")
    if _out_of_range(target):
        out.append(fielderrors.invalid(f"{here}.targetPort", target, PORT_RANGE))
    elif isinstance(target, str):
        out += [fielderrors.invalid(f"{here}.targetPort", target, m) for m in port_name_errors(target)]
    app = port.get("appProtocol")
    if isinstance(app, str):
        out += [fielderrors.invalid(f"{here}.appProtocol", app, m) for m in labelrules.key_errors(app)]
    return out


def service(obj: Obj) -> list[Cause]:
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return []
    out: list[Cause] = []
    kind = spec.get("type")
    ips = spec.get("clusterIPs")
    first_ip = ips[0] if isinstance(ips, list) and ips else spec.get("clusterIP")
    headless = kind == "ClusterIP" and first_ip == "None"
    ports = [p for p in spec.get("ports") or [] if isinstance(p, dict)] if isinstance(spec.get("ports"), list) else []
    if not ports and not headless and kind != "ExternalName":
        out.append(fielderrors.required("spec.ports"))
    if kind in ("LoadBalancer", "NodePort") and first_ip == "None":
        out.append(fielderrors.invalid("spec.clusterIPs[0]", "None", f"may not be set to 'None' for {kind} services"))
    if kind == "ExternalName":
        cname = str(spec.get("externalName") or "").removesuffix(".")
        if cname:
            out += [fielderrors.invalid("spec.externalName", cname, m) for m in validation.name_errors("ConfigMap", cname)]
        else:
            out.append(fielderrors.required("spec.externalName"))
    names: set[str] = set()
    for i, port in enumerate(ports):
        out += _port(port, f"spec.ports[{i}]", several=len(ports) > 1, names=names)
    selector = spec.get("selector")
    for key, value in sorted(selector.items()) if isinstance(selector, dict) else []:
        out += [fielderrors.invalid("spec.selector", key, m) for m in labelrules.key_errors(str(key))]
        out += [fielderrors.invalid("spec.selector", value, m) for m in labelrules.value_errors(str(value))]
    affinity = spec.get("sessionAffinity")
    if isinstance(affinity, str) and affinity not in AFFINITIES:
        out.append(fielderrors.unsupported("spec.sessionAffinity", affinity, AFFINITIES))
    if isinstance(kind, str) and kind not in TYPES:
        out.append(fielderrors.unsupported("spec.type", kind, TYPES))
    if kind == "ClusterIP":
        out += [fielderrors.forbidden(f"spec.ports[{i}].nodePort", "may not be used when `type` is 'ClusterIP'")
                for i, port in enumerate(ports) if port.get("nodePort") not in (None, 0)]
    seen: set[tuple[Any, Any]] = set()
    for i, port in enumerate(ports):
        key = (port.get("protocol"), port.get("port"))
        if key in seen:
            # the internal core.ServicePort holding only protocol and port, as Go's JSON of it
            internal = {"Name": "", "Protocol": key[0], "AppProtocol": None, "Port": key[1], "TargetPort": 0, "NodePort": 0}
            out.append(fielderrors.duplicate(f"spec.ports[{i}]", internal))
        seen.add(key)
    return out
