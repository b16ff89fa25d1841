"""CustomResourceDefinitions: the one stored kind (with namespaces) that changes what a
workspace serves, and only in that workspace (the inertness rule's exception).

A CRD's status is set at once (NamesAccepted, Established), as there is nothing to wait for.
Each served version becomes a Resource of the workspace's registry, carrying its structural
schema (with apiVersion, kind and ObjectMeta added at the root, as kube-apiserver does) and
its printer columns.
"""

from __future__ import annotations

import datetime
from typing import Any

from vapi import objects
from vapi.resources import Registry, builtin, builtin_table

Obj = dict[str, Any]
GROUP = "apiextensions.k8s.io"
OBJECT_META = {"$ref": "#/$defs/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"}


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def set_status(crd: Obj, old: Obj | None = None) -> None:
    """NamesAccepted and Established at once; storedVersions gains the storage version."""
    spec = crd.get("spec") or {}
    names = spec.get("names") or {}
    accepted = {k: v for k, v in names.items() if k in ("plural", "singular", "kind", "listKind", "shortNames", "categories")}
    accepted.setdefault("singular", str(names.get("kind", "")).lower())
    accepted.setdefault("listKind", f"{names.get('kind', '')}List")
    previous = {c.get("type"): c for c in ((old or {}).get("status") or {}).get("conditions") or []}
    conditions = []
    for ctype, reason, message in (
        ("NamesAccepted", "NoConflicts", "no conflicts found"),
        ("Established", "InitialNamesAccepted", "the initial names have been accepted"),
    ):
        since = previous.get(ctype, {}).get("lastTransitionTime") or _now()
        conditions.append({"type": ctype, "status": "True", "lastTransitionTime": since, "reason": reason, "message": message})
    stored = list(((old or {}).get("status") or {}).get("storedVersions") or [])
    for v in spec.get("versions") or []:
        if isinstance(v, dict) and v.get("storage") and v.get("name") not in stored:
            stored.append(v.get("name"))
    crd["status"] = {"acceptedNames": accepted, "conditions": conditions, "storedVersions": stored}


def printer_columns(version: Obj) -> list[Obj]:
    cols = version.get("additionalPrinterColumns")
    return [c for c in cols if isinstance(c, dict)] if isinstance(cols, list) else []


def schema_of(version: Obj) -> Obj | None:
    schema = ((version.get("schema") or {}).get("openAPIV3Schema"))
    if not isinstance(schema, dict):
        return None
    props = dict(schema.get("properties") or {})
    props.setdefault("apiVersion", {"type": "string"})
    props.setdefault("kind", {"type": "string"})
    props["metadata"] = OBJECT_META
    return {**schema, "properties": props}


def table_entry(crd: Obj) -> Obj | None:
    """The CRD as a group in the resource table (vapi/data/builtin_resources.json's shape)."""
    spec = crd.get("spec") or {}
    names = spec.get("names") or {}
    group, plural, kind = spec.get("group"), names.get("plural"), names.get("kind")
    if not (isinstance(group, str) and isinstance(plural, str) and isinstance(kind, str)):
        return None
    versions = []
    for v in spec.get("versions") or []:
        if not isinstance(v, dict) or not v.get("served") or not isinstance(v.get("name"), str):
            continue
        subs = []
        subresources = v.get("subresources") or {}
        if isinstance(subresources.get("status"), dict):
            subs.append({"subresource": "status", "kind": kind, "verbs": ["get", "patch", "update"]})
        scale = subresources.get("scale")
        if isinstance(scale, dict) and isinstance(scale.get("specReplicasPath"), str):
            subs.append({"subresource": "scale", "kind": "Scale", "verbs": ["get", "patch", "update"],
                         "group": "autoscaling", "version": "v1"})
        versions.append({
            "version": v["name"],
            "resources": [{
                "resource": plural,
                "kind": kind,
                "scope": "Cluster" if spec.get("scope") == "Cluster" else "Namespaced",
                "singular": names.get("singular") or kind.lower(),
                "shortNames": list(names.get("shortNames") or []),
                "categories": list(names.get("categories") or []),
                "verbs": ["delete", "deletecollection", "get", "list", "patch", "create", "update", "watch"],
                "subresources": subs,
                "schema": schema_of(v),
                "columns": printer_columns(v),
                "scale": {k: str(val) for k, val in scale.items()} if isinstance(scale, dict) and isinstance(scale.get("specReplicasPath"), str) else None,
            }],
        })
    # kube-apiserver prefers the storage version... its discovery orders by version priority
    versions.sort(key=lambda v: _version_priority(v["version"]))
    return {"group": group, "versions": versions} if versions else None


def _version_priority(version: str) -> tuple[int, int, int]:
    """kube's version ordering: GA > beta > alpha, higher numbers first."""
    import re

    m = re.fullmatch(r"v(\d+)(?:(alpha|beta)(\d+))?", version)
    if not m:
        return (3, 0, 0)
    major, stage, minor = int(m.group(1)), m.group(2), int(m.group(3) or 0)
    rank = {None: 0, "beta": 1, "alpha": 2}[stage]
    return (rank, -major, -minor)


class WorkspaceRegistries:
    """Each workspace's registry: the built-in kinds plus what its CRDs define. Rebuilt on
    first use after a CRD changes (`invalidate`)."""

    def __init__(self, store: objects.Objects) -> None:
        self.store = store
        self._cache: dict[str, Registry] = {}

    def invalidate(self, ws: str) -> None:
        self._cache.pop(ws, None)

    async def get(self, ws: str) -> Registry:
        reg = self._cache.get(ws)
        if reg is not None:
            return reg
        base = builtin_table()
        crd_res = Registry(base).lookup(GROUP, "v1", "customresourcedefinitions")
        assert crd_res is not None
        page = await self.store.backend.list(objects.prefix(ws, crd_res))
        groups = list(base["groups"])
        for kv in page.items:
            entry = table_entry(objects.decode(kv))
            if entry is not None:
                groups.append(entry)
        reg = Registry({"groups": groups}) if len(groups) > len(base["groups"]) else builtin()
        self._cache[ws] = reg
        return reg
