"""What the syncer does with each object of its view, as pure functions: the order of work,
the body it applies, the fields it leaves to the edge, the kinds it never touches."""

from __future__ import annotations

import copy
from typing import Any

Obj = dict[str, Any]
Identity = tuple[str, str, str, str]  # apiVersion, kind, namespace, name

SOURCE_LABEL = "edge.vapi.dev/source"
CREATE_ONLY = "edge.vapi.dev/create-only"
LOCAL_FIELDS = "edge.vapi.dev/local-fields"
GENERATION = "edge.vapi.dev/generation"
ASSOCIATED = "edge.vapi.dev/associated"
REPORTS_EPOCH = "edge.vapi.dev/reports-epoch"  # on view bookmarks: a new one means report everything again
ASSOCIATED_SHOWN = 100  # per object and report
FIELD_MANAGER = "vapi-syncer"
LOCAL_FIELD_MANAGER = "vapi-syncer-local"  # sets localFields once, at creation

# Kinds that only mean something in the cluster that made them: never synced, whatever the view says.
CLUSTER_LOCAL_KINDS = frozenset({
    ("v1", "Event"), ("events.k8s.io/v1", "Event"), ("coordination.k8s.io/v1", "Lease"), ("v1", "Node"),
    ("v1", "Endpoints"), ("discovery.k8s.io/v1", "EndpointSlice"), ("v1", "ComponentStatus"), ("v1", "Binding"),
    ("v1", "Pod"), ("apps/v1", "ControllerRevision"),
})


def identity(obj: Obj) -> Identity:
    meta = obj.get("metadata") or {}
    return (str(obj.get("apiVersion", "")), str(obj.get("kind", "")), str(meta.get("namespace") or ""), str(meta.get("name", "")))


def describe(ident: Identity) -> str:
    api_version, kind, ns, name = ident
    return f"{kind}.{api_version} {ns + '/' if ns else ''}{name}"


def syncable(obj: Obj) -> bool:
    return (str(obj.get("apiVersion", "")), str(obj.get("kind", ""))) not in CLUSTER_LOCAL_KINDS


def rank(obj: Obj) -> int:
    """Namespaces first, then CRDs, then what may live in them."""
    kind = obj.get("kind")
    if kind == "Namespace":
        return 0
    if kind == "CustomResourceDefinition":
        return 1
    return 2


def ordered(objs: list[Obj]) -> list[Obj]:
    return sorted(objs, key=lambda o: (rank(o), identity(o)))


def _split_path(path: str) -> list[str]:
    return [p for p in path.strip().lstrip(".").split(".") if p]


def _take(obj: Obj, path: list[str]) -> tuple[bool, Any]:
    """Remove the value at `path` from `obj`; (found, value)."""
    cur: Any = obj
    for p in path[:-1]:
        if not isinstance(cur, dict) or p not in cur:
            return False, None
        cur = cur[p]
    if not isinstance(cur, dict) or path[-1] not in cur:
        return False, None
    return True, cur.pop(path[-1])


def _put(obj: Obj, path: list[str], value: Any) -> None:
    cur = obj
    for p in path[:-1]:
        cur = cur.setdefault(p, {})
    cur[path[-1]] = value


def split(obj: Obj) -> tuple[Obj, Obj | None, bool]:
    """(what the syncer applies and keeps applying, what it sets once at creation for the
    local fields or None, whether the object is create-only). The control annotations are
    not applied."""
    body = copy.deepcopy(obj)
    meta = body.setdefault("metadata", {})
    annotations = dict(meta.get("annotations") or {})
    create_only = annotations.pop(CREATE_ONLY, "") == "true"
    annotations.pop(GENERATION, None)
    annotations.pop(ASSOCIATED, None)
    local_paths = [_split_path(p) for p in annotations.pop(LOCAL_FIELDS, "").split(",") if p.strip()]
    if annotations:
        meta["annotations"] = annotations
    else:
        meta.pop("annotations", None)
    local: Obj | None = None
    for path in local_paths:
        if not path:
            continue
        found, value = _take(body, path)
        if found:
            if local is None:
                local = {"apiVersion": body.get("apiVersion"), "kind": body.get("kind"),
                         "metadata": {k: v for k, v in meta.items() if k in ("name", "namespace")}}
            _put(local, path, value)
    return body, local, create_only


# Kinds whose status says nothing about how a workload runs: never reported.
NO_STATUS_KINDS = frozenset({
    "ConfigMap", "Secret", "ServiceAccount", "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding", "Namespace",
    "CustomResourceDefinition", "NetworkPolicy", "LimitRange", "ResourceQuota", "PriorityClass", "StorageClass",
    "IngressClass", "PodDisruptionBudget", "Endpoints", "Service",
})


def generation_of(obj: Obj) -> int | None:
    """The center generation an edge copy was made from (its view annotation)."""
    value = ((obj.get("metadata") or {}).get("annotations") or {}).get(GENERATION)
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def report(ident: Identity, source: str, center_generation: int | None, edge_generation: int | None, live: Obj) -> Obj:
    """What the center is told of one applied object: the edge copy's status, and whether the
    edge has observed the center generation it was last given (observedGeneration in center
    terms: the edge's own generations mean nothing at the center)."""
    status = live.get("status") or {}
    observed_edge = status.get("observedGeneration") if isinstance(status, dict) else None
    # no status yet: nothing observed; a status without observedGeneration: its kind has none
    observed = center_generation if center_generation is not None and status and (
        observed_edge is None or edge_generation is None or observed_edge >= edge_generation) else None
    api_version, kind, ns, name = ident
    raw_spec = live.get("spec")
    spec: Obj = raw_spec if isinstance(raw_spec, dict) else {}
    entry: Obj = {"workspace": source.replace(".", ":"), "apiVersion": api_version, "kind": kind, "namespace": ns, "name": name,
                  "generation": center_generation, "observedGeneration": observed, "status": status}
    if isinstance(spec.get("replicas"), int):
        entry["desiredReplicas"] = spec["replicas"]
    return entry


def associated_spec(obj: Obj) -> list[Obj]:
    """What the placement asks to be reported with this object: [{apiVersion, kind, via,
    labelSelector?}], in owner-chain order (ReplicaSet before Pod)."""
    import json

    raw = ((obj.get("metadata") or {}).get("annotations") or {}).get(ASSOCIATED)
    try:
        value = json.loads(raw) if raw else []
    except ValueError:
        return []
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _labels_match(selector: Obj, labels: dict[str, str]) -> bool:
    for k, v in (selector.get("matchLabels") or {}).items():
        if labels.get(k) != v:
            return False
    for e in selector.get("matchExpressions") or []:
        key, op, values = e.get("key"), e.get("operator"), e.get("values") or []
        if (op == "In" and labels.get(key) not in values) or (op == "NotIn" and labels.get(key) in values) \
                or (op == "Exists" and key not in labels) or (op == "DoesNotExist" and key in labels):
            return False
    return True


def associated(root: Obj, spec: list[Obj], candidates: dict[tuple[str, str], list[Obj]]) -> list[Obj]:
    """The edge-made objects associated with `root` (its live edge copy): by owner chain
    (children of the root, then of those children, in the order of `spec`) or by labels in
    its namespace; `candidates` holds the live objects of each (apiVersion, kind) asked for."""
    owners = {str((root.get("metadata") or {}).get("uid", ""))} - {""}
    ns = (root.get("metadata") or {}).get("namespace")
    found: list[Obj] = []
    for entry in spec:
        for obj in candidates.get((str(entry.get("apiVersion")), str(entry.get("kind"))), []):
            meta = obj.get("metadata") or {}
            if ns and meta.get("namespace") != ns:
                continue
            if entry.get("via") == "labels":
                ok = _labels_match(entry.get("labelSelector") or {}, meta.get("labels") or {})
            else:
                ok = any(r.get("uid") in owners for r in meta.get("ownerReferences") or [] if isinstance(r, dict))
            if ok:
                found.append(obj)
                owners.add(str(meta.get("uid", "")))
    return [summarize(o) for o in found[:ASSOCIATED_SHOWN]]


def summarize(obj: Obj) -> Obj:
    """An associated object's summarized fields: what it is and how it is doing."""
    meta = obj.get("metadata") or {}
    raw_status = obj.get("status")
    status: Obj = raw_status if isinstance(raw_status, dict) else {}
    out: Obj = {"kind": obj.get("kind"), "name": meta.get("name"), "namespace": meta.get("namespace") or ""}
    conditions = {c.get("type"): c.get("status") for c in status.get("conditions") or [] if isinstance(c, dict)}
    if obj.get("kind") == "Pod":
        out["phase"] = status.get("phase", "Pending")
        out["ready"] = conditions.get("Ready") == "True"
        restarts = [int(c.get("restartCount", 0)) for c in status.get("containerStatuses") or [] if isinstance(c, dict)]
        out["restarts"] = sum(restarts)
    else:
        for key in ("replicas", "readyReplicas", "availableReplicas"):
            if isinstance(status.get(key), int):
                out[key] = status[key]
        if conditions:
            out["conditions"] = conditions
    return out


def holds(live: Any, wanted: Any) -> bool:
    """Whether the live object still has every value the syncer applied: maps may hold more
    (fields the edge's apiserver defaulted or other managers own), lists must match item by
    item in length and, recursively, in content."""
    if isinstance(wanted, dict):  # a null asks for nothing (creationTimestamp: null in kubectl's output)
        return isinstance(live, dict) and all(v is None or (k in live and holds(live[k], v)) for k, v in wanted.items())
    if isinstance(wanted, list):
        return isinstance(live, list) and len(live) == len(wanted) and all(holds(a, b) for a, b in zip(live, wanted))
    return bool(live == wanted)
