"""Server-side printing: `Accept: application/json;as=Table;v=v1;g=meta.k8s.io`.

Column sets follow kube-apiserver's printers (pkg/printers/internalversion/printers.go) for
the common kinds; every other kind gets Name and Age (the default table convertor)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

Obj = dict[str, Any]
Cell = Callable[[Obj], Any]
TABLE_TYPE = "application/json;as=Table;v=v1;g=meta.k8s.io"


def wants_table(accept: str) -> bool:
    for part in accept.split(","):
        params = {p.strip() for p in part.split(";")[1:]}
        if "as=Table" in params and "g=meta.k8s.io" in params and ("v=v1" in params or "v=v1beta1" in params):
            return True
    return False


def human_duration(seconds: float) -> str:
    """k8s.io/apimachinery/pkg/util/duration.HumanDuration."""
    s = int(seconds)
    if s < -1:
        return "<invalid>"
    if s < 0:
        return "0s"
    if s < 120:
        return f"{s}s"
    m = s // 60
    if m < 10:
        return f"{m}m{s % 60}s" if s % 60 else f"{m}m"
    if m < 180:
        return f"{m}m"
    h = m // 60
    if h < 8:
        return f"{h}h{m % 60}m" if m % 60 else f"{h}h"
    if h < 48:
        return f"{h}h"
    if h < 24 * 8:
        return f"{h // 24}d{h % 24}h" if h % 24 else f"{h // 24}d"
    if h < 24 * 365 * 2:
        return f"{h // 24}d"
    y = h // (24 * 365)
    if h < 24 * 365 * 8:
        days = (h // 24) % 365
        return f"{y}y{days}d" if days else f"{y}y"
    return f"{y}y"


def age(obj: Obj) -> str:
    ts = (obj.get("metadata") or {}).get("creationTimestamp")
    if not ts:
        return "<unknown>"
    try:
        t = datetime.datetime.strptime(ts, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
    except ValueError:
        return "<unknown>"
    return human_duration((datetime.datetime.now(datetime.timezone.utc) - t).total_seconds())


def get(obj: Obj, *path: str, default: Any = None) -> Any:
    cur: Any = obj
    for p in path:
        if not isinstance(cur, dict):
            return default
        cur = cur.get(p)
    return default if cur is None else cur


def name(obj: Obj) -> str:
    return str(get(obj, "metadata", "name", default=""))


def _containers(obj: Obj, *spec_path: str) -> list[Obj]:
    c = get(obj, *spec_path, "containers", default=[])
    return c if isinstance(c, list) else []


def _selector(obj: Obj) -> str:
    sel = get(obj, "spec", "selector", default={})
    if not isinstance(sel, dict):
        return "<none>"
    labels = sel.get("matchLabels", sel if "matchExpressions" not in sel else {})
    parts = [f"{k}={v}" for k, v in sorted(labels.items()) if isinstance(v, str)]
    return ",".join(parts) or "<none>"


def _pod_ready(obj: Obj) -> str:
    statuses = get(obj, "status", "containerStatuses", default=[])
    total = len(_containers(obj, "spec"))
    ready = sum(1 for s in statuses if isinstance(s, dict) and s.get("ready"))
    return f"{ready}/{total}"


def _ports(obj: Obj) -> str:
    out = []
    for p in get(obj, "spec", "ports", default=[]):
        if not isinstance(p, dict):
            continue
        s = str(p.get("port", ""))
        if p.get("nodePort"):
            s += f":{p['nodePort']}"
        out.append(f"{s}/{p.get('protocol', 'TCP')}")
    return ",".join(out) or "<none>"


def _external_ip(obj: Obj) -> str:
    ips = get(obj, "spec", "externalIPs", default=[])
    lb = [i.get("ip") or i.get("hostname") for i in get(obj, "status", "loadBalancer", "ingress", default=[]) if isinstance(i, dict)]
    all_ips = [*lb, *ips]
    if all_ips:
        return ",".join(str(i) for i in all_ips)
    return "<pending>" if get(obj, "spec", "type") == "LoadBalancer" else "<none>"


def _job_status(obj: Obj) -> str:
    for c in get(obj, "status", "conditions", default=[]):
        if isinstance(c, dict) and c.get("status") == "True":
            if c.get("type") == "Complete":
                return "Complete"
            if c.get("type") == "Failed":
                return "Failed"
    return "Running"


Column = tuple[str, str, int, Cell]  # (name, type, priority, cell)

NAME: Column = ("Name", "string", 0, name)
AGE: Column = ("Age", "string", 0, age)

# the -o wide columns of workloads with a pod template
POD_TEMPLATE_WIDE: list[Column] = [
    ("Containers", "string", 1, lambda o: ",".join(str(c.get("name")) for c in _containers(o, "spec", "template", "spec"))),
    ("Images", "string", 1, lambda o: ",".join(str(c.get("image")) for c in _containers(o, "spec", "template", "spec"))),
    ("Selector", "string", 1, _selector),
]

COLUMNS: dict[tuple[str, str], list[Column]] = {
    ("", "pods"): [
        NAME,
        ("Ready", "string", 0, _pod_ready),
        ("Status", "string", 0, lambda o: get(o, "status", "reason") or get(o, "status", "phase", default="Pending")),
        ("Restarts", "string", 0, lambda o: str(sum(int(s.get("restartCount", 0)) for s in get(o, "status", "containerStatuses", default=[]) if isinstance(s, dict)))),
        AGE,
        ("IP", "string", 1, lambda o: get(o, "status", "podIP", default="<none>")),
        ("Node", "string", 1, lambda o: get(o, "spec", "nodeName", default="<none>")),
        ("Nominated Node", "string", 1, lambda o: get(o, "status", "nominatedNodeName", default="<none>")),
        ("Readiness Gates", "string", 1, lambda o: "<none>"),
    ],
    ("apps", "deployments"): [
        NAME,
        ("Ready", "string", 0, lambda o: f"{get(o, 'status', 'readyReplicas', default=0)}/{get(o, 'spec', 'replicas', default=1)}"),
        ("Up-to-date", "integer", 0, lambda o: get(o, "status", "updatedReplicas", default=0)),
        ("Available", "integer", 0, lambda o: get(o, "status", "availableReplicas", default=0)),
        AGE,
        *POD_TEMPLATE_WIDE,
    ],
    ("apps", "replicasets"): [
        NAME,
        ("Desired", "integer", 0, lambda o: get(o, "spec", "replicas", default=1)),
        ("Current", "integer", 0, lambda o: get(o, "status", "replicas", default=0)),
        ("Ready", "integer", 0, lambda o: get(o, "status", "readyReplicas", default=0)),
        AGE,
        *POD_TEMPLATE_WIDE,
    ],
    ("apps", "statefulsets"): [
        NAME,
        ("Ready", "string", 0, lambda o: f"{get(o, 'status', 'readyReplicas', default=0)}/{get(o, 'spec', 'replicas', default=1)}"),
        AGE,
        *POD_TEMPLATE_WIDE[:2],
    ],
    ("apps", "daemonsets"): [
        NAME,
        ("Desired", "integer", 0, lambda o: get(o, "status", "desiredNumberScheduled", default=0)),
        ("Current", "integer", 0, lambda o: get(o, "status", "currentNumberScheduled", default=0)),
        ("Ready", "integer", 0, lambda o: get(o, "status", "numberReady", default=0)),
        ("Up-to-date", "integer", 0, lambda o: get(o, "status", "updatedNumberScheduled", default=0)),
        ("Available", "integer", 0, lambda o: get(o, "status", "numberAvailable", default=0)),
        ("Node Selector", "string", 0, lambda o: ",".join(f"{k}={v}" for k, v in sorted(get(o, "spec", "template", "spec", "nodeSelector", default={}).items())) or "<none>"),
        AGE,
    ],
    ("batch", "jobs"): [
        NAME,
        ("Status", "string", 0, _job_status),
        ("Completions", "string", 0, lambda o: f"{get(o, 'status', 'succeeded', default=0)}/{get(o, 'spec', 'completions', default=1)}"),
        ("Duration", "string", 0, lambda o: ""),
        AGE,
    ],
    ("batch", "cronjobs"): [
        NAME,
        ("Schedule", "string", 0, lambda o: get(o, "spec", "schedule", default="")),
        ("Timezone", "string", 0, lambda o: get(o, "spec", "timeZone", default="<none>")),
        ("Suspend", "boolean", 0, lambda o: bool(get(o, "spec", "suspend", default=False))),
        ("Active", "integer", 0, lambda o: len(get(o, "status", "active", default=[]))),
        ("Last Schedule", "string", 0, lambda o: "<none>"),
        AGE,
    ],
    ("", "services"): [
        NAME,
        ("Type", "string", 0, lambda o: get(o, "spec", "type", default="ClusterIP")),
        ("Cluster-IP", "string", 0, lambda o: get(o, "spec", "clusterIP", default="<none>")),
        ("External-IP", "string", 0, _external_ip),
        ("Port(s)", "string", 0, _ports),
        AGE,
        ("Selector", "string", 1, lambda o: ",".join(f"{k}={v}" for k, v in sorted(get(o, "spec", "selector", default={}).items())) or "<none>"),
    ],
    ("", "configmaps"): [
        NAME,
        ("Data", "integer", 0, lambda o: len(get(o, "data", default={})) + len(get(o, "binaryData", default={}))),
        AGE,
    ],
    ("", "secrets"): [
        NAME,
        ("Type", "string", 0, lambda o: get(o, "type", default="Opaque")),
        ("Data", "integer", 0, lambda o: len(get(o, "data", default={})) + len(get(o, "stringData", default={}))),
        AGE,
    ],
    ("", "namespaces"): [NAME, ("Status", "string", 0, lambda o: get(o, "status", "phase", default="Active")), AGE],
    ("", "serviceaccounts"): [NAME, ("Secrets", "integer", 0, lambda o: len(get(o, "secrets", default=[]))), AGE],
    ("", "nodes"): [
        NAME,
        ("Status", "string", 0, lambda o: next((("Ready" if c.get("status") == "True" else "NotReady") for c in get(o, "status", "conditions", default=[]) if isinstance(c, dict) and c.get("type") == "Ready"), "Unknown")),
        ("Roles", "string", 0, lambda o: ",".join(sorted(k.split("/", 1)[1] for k in get(o, "metadata", "labels", default={}) if k.startswith("node-role.kubernetes.io/"))) or "<none>"),
        AGE,
        ("Version", "string", 0, lambda o: get(o, "status", "nodeInfo", "kubeletVersion", default="")),
    ],
    ("", "persistentvolumeclaims"): [
        NAME,
        ("Status", "string", 0, lambda o: get(o, "status", "phase", default="Pending")),
        ("Volume", "string", 0, lambda o: get(o, "spec", "volumeName", default="")),
        ("Capacity", "string", 0, lambda o: get(o, "status", "capacity", "storage", default="")),
        ("Access Modes", "string", 0, lambda o: ",".join(get(o, "status", "accessModes", default=[]))),
        ("StorageClass", "string", 0, lambda o: get(o, "spec", "storageClassName", default="<unset>")),
        ("VolumeAttributesClass", "string", 0, lambda o: get(o, "spec", "volumeAttributesClassName", default="<unset>")),
        AGE,
    ],
    ("", "events"): [
        ("Last Seen", "string", 0, lambda o: age(o)),
        ("Type", "string", 0, lambda o: get(o, "type", default="")),
        ("Reason", "string", 0, lambda o: get(o, "reason", default="")),
        ("Object", "string", 0, lambda o: f"{str(get(o, 'involvedObject', 'kind', default='')).lower()}/{get(o, 'involvedObject', 'name', default='')}"),
        ("Message", "string", 0, lambda o: get(o, "message", default="")),
    ],
    ("tenancy.vapi.dev", "workspaces"): [
        NAME,
        ("Phase", "string", 0, lambda o: get(o, "status", "phase", default="")),
        ("URL", "string", 0, lambda o: get(o, "status", "URL", default="")),
        AGE,
    ],
    ("tenancy.vapi.dev", "accessgrants"): [
        NAME,
        ("Subject", "string", 0, lambda o: f"{get(o, 'spec', 'subject', 'kind', default='')}/{get(o, 'spec', 'subject', 'name', default='')}"),
        ("Role", "string", 0, lambda o: get(o, "spec", "role", default="")),
        AGE,
    ],
    ("tenancy.vapi.dev", "accesstokens"): [
        NAME,
        ("User", "string", 0, lambda o: get(o, "spec", "user", default="")),
        ("Groups", "string", 0, lambda o: ",".join(str(g) for g in get(o, "spec", "groups", default=[]) or []) or "<none>"),
        ("Expires", "string", 0, lambda o: get(o, "spec", "expirationTimestamp", default="<never>")),
        AGE,
    ],
    ("edge.vapi.dev", "edgeclusters"): [
        NAME,
        ("Ready", "string", 0, lambda o: _condition(o, "Ready")),
        ("Synced", "string", 0, lambda o: _condition(o, "Synced")),
        ("Applied", "integer", 0, lambda o: get(o, "status", "objectsApplied", default=0)),
        ("Failing", "integer", 0, lambda o: get(o, "status", "objectsFailing", default=0)),
        ("Heartbeat", "string", 0, lambda o: get(o, "status", "lastHeartbeatTime", default="<none>")),
        ("Labels", "string", 1, lambda o: ",".join(f"{k}={v}" for k, v in sorted((get(o, "metadata", "labels", default={}) or {}).items())) or "<none>"),
        AGE,
    ],
    ("edge.vapi.dev", "statussummaries"): [
        NAME,
        ("Placement", "string", 0, lambda o: get(o, "spec", "placement", default="")),
        ("Object", "string", 0, lambda o: f"{str(get(o, 'spec', 'object', 'kind', default='')).lower()}/{get(o, 'spec', 'object', 'name', default='')}"),
        ("Clusters", "integer", 0, lambda o: get(o, "status", "clusters", default=0)),
        ("Observed", "integer", 0, lambda o: get(o, "status", "observed", default=0)),
        ("Ready", "integer", 0, lambda o: get(o, "status", "ready", default=0)),
        ("Attention", "integer", 0, lambda o: get(o, "status", "attention", default=0)),
        AGE,
    ],
    ("edge.vapi.dev", "reportedstatuses"): [
        NAME,
        ("Cluster", "string", 0, lambda o: get(o, "spec", "cluster", default="")),
        ("Object", "string", 0, lambda o: f"{str(get(o, 'spec', 'object', 'kind', default='')).lower()}/{get(o, 'spec', 'object', 'name', default='')}"),
        ("Observed", "string", 0, lambda o: str(get(o, "status", "observedGeneration", default="<none>"))),
        AGE,
    ],
    ("edge.vapi.dev", "placements"): [
        NAME,
        ("Clusters", "integer", 0, lambda o: get(o, "status", "clusters", default=0)),
        ("Objects", "integer", 0, lambda o: get(o, "status", "objects", default=0)),
        ("Errors", "integer", 0, lambda o: len(get(o, "status", "errors", default=[]) or [])),
        AGE,
    ],
    ("networking.k8s.io", "ingresses"): [
        NAME,
        ("Class", "string", 0, lambda o: get(o, "spec", "ingressClassName", default="<none>")),
        ("Hosts", "string", 0, lambda o: ",".join(str(r.get("host", "*")) for r in get(o, "spec", "rules", default=[]) if isinstance(r, dict)) or "*"),
        ("Address", "string", 0, lambda o: ""),
        ("Ports", "string", 0, lambda o: "80, 443" if get(o, "spec", "tls") else "80"),
        AGE,
    ],
}


def _condition(obj: Obj, kind: str) -> str:
    for c in get(obj, "status", "conditions", default=[]) or []:
        if isinstance(c, dict) and c.get("type") == kind:
            return str(c.get("status", "Unknown"))
    return "Unknown"


def _json_path(obj: Obj, path: str) -> Any:
    """The simple JSONPath of CRD printer columns: `.spec.replicas`, `.status.conditions[0].type`."""
    cur: Any = obj
    for part in path.strip().strip("{}").lstrip(".").replace("]", "").split("."):
        name, _, index = part.partition("[")
        if name:
            cur = cur.get(name) if isinstance(cur, dict) else None
        if index:
            cur = cur[int(index)] if isinstance(cur, list) and index.isdigit() and int(index) < len(cur) else None
        if cur is None:
            return None
    return cur


def printer_column(spec: Obj) -> Column:
    kind = str(spec.get("type", "string"))
    path = str(spec.get("jsonPath", ""))

    def cell(o: Obj) -> Any:
        value = _json_path(o, path)
        if kind == "date" and isinstance(value, str):
            return age({"metadata": {"creationTimestamp": value}})
        return "<none>" if value is None else value

    return (str(spec.get("name", "")), "string" if kind == "date" else kind, int(spec.get("priority", 0)), cell)


def columns_for(group: str, resource: str, custom: list[Obj] | None = None) -> list[Column]:
    """kube's columns for a built-in resource; a CRD's printer columns after Name for a
    custom one (Name and Age when it declares none)."""
    if custom:
        return [NAME, *(printer_column(c) for c in custom)]
    return COLUMNS.get((group, resource), [NAME, AGE])


def column_definitions(cols: list[Column]) -> list[Obj]:
    out = []
    for title, kind, priority, _ in cols:
        d: Obj = {"name": title, "type": kind, "format": "name" if title == "Name" else "", "description": title, "priority": priority}
        out.append(d)
    return out


def row(obj: Obj, cols: list[Column], include: str) -> Obj:
    cells = []
    for _, _, _, cell in cols:
        try:
            cells.append(cell(obj))
        except (TypeError, ValueError, AttributeError):
            cells.append("")
    r: Obj = {"cells": cells}
    if include == "Object":
        r["object"] = obj
    elif include == "Metadata":
        r["object"] = {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": obj.get("metadata", {})}
    return r


def table(objs: list[Obj], group: str, resource: str, include: str, list_meta: Obj | None = None, *,
          definitions: bool = True, custom: list[Obj] | None = None) -> Obj:
    cols = columns_for(group, resource, custom)
    return {
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": list_meta or {},
        "columnDefinitions": column_definitions(cols) if definitions else [],
        "rows": [row(o, cols, include) for o in objs],
    }
