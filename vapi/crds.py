"""CustomResourceDefinitions: the one stored kind (with namespaces) that changes what a
workspace serves, and only in that workspace (the inertness rule's exception).

A CRD's status is set at once (NamesAccepted, Established), as there is nothing to wait for.
Each served version becomes a Resource of the workspace's registry, carrying its structural
schema (with apiVersion, kind and ObjectMeta added at the root, as kube-apiserver does) and
its printer columns.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from vapi import clock, objects
from vapi.resources import Registry, Resource, builtin, builtin_table

Obj = dict[str, Any]
GROUP = "apiextensions.k8s.io"
OBJECT_META = {"$ref": "#/$defs/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"}



def _names_in_use(group: Any, crds: list[Obj]) -> tuple[set[str], set[str]]:
    """The resource names (plural, singular, short names) and kinds (kind, listKind) that the
    group's CRDs have been granted (their status.acceptedNames), as the naming controller
    gathers them (apiextensions-apiserver/pkg/controller/status/naming_controller.go)."""
    resources: set[str] = set()
    kinds: set[str] = set()
    for crd in crds:
        if (crd.get("spec") or {}).get("group") != group:
            continue
        names = (crd.get("status") or {}).get("acceptedNames") or {}
        resources |= {str(names.get(k) or "") for k in ("plural", "singular")}
        resources |= {str(n) for n in names.get("shortNames") or []}
        kinds |= {str(names.get(k) or "") for k in ("kind", "listKind")}
    return resources - {""}, kinds - {""}


def _taken(requested: Any, accepted: Any, used: set[str]) -> str:
    """Why a requested name cannot be had ("" when it can): it is ours already, or free."""
    if requested == accepted or requested not in used:
        return ""
    return f"{json.dumps(requested)} is already in use"


def accepted(crd: Obj) -> bool:
    conditions = (crd.get("status") or {}).get("conditions") or []
    return any(c.get("type") == "Established" and c.get("status") == "True" for c in conditions)


def set_status(crd: Obj, old: Obj | None = None, others: list[Obj] | None = None) -> None:
    """The naming and establishing controllers' work, done at once: each requested name not
    already granted to a CRD of the group is accepted (NamesAccepted True, NoConflicts), else
    NamesAccepted is False with the conflict (PluralConflict, SingularConflict,
    ShortNamesConflict, KindConflict, ListKindConflict: `"widget" is already in use`).
    A CRD whose names are all accepted is Established, and stays so. storedVersions gains
    the storage version."""
    spec = crd.get("spec") or {}
    names: Obj = spec["names"] if isinstance(spec.get("names"), dict) else {}
    me = (crd.get("metadata") or {}).get("name")
    crds = [o for o in others or [] if (o.get("metadata") or {}).get("name") != me]
    if old is not None:
        crds.append(old)
    resources, kinds = _names_in_use(spec.get("group"), crds)
    was = ((old or {}).get("status") or {}).get("acceptedNames") or {}
    granted: Obj = {"plural": was.get("plural", ""), "kind": was.get("kind", "")}
    granted.update({k: was[k] for k in ("singular", "shortNames", "listKind") if was.get(k)})
    reason = message = ""
    for key, why, used in (("plural", "PluralConflict", resources), ("singular", "SingularConflict", resources)):
        clash = _taken(names.get(key), was.get(key), used)
        if clash:
            reason, message = why, clash
        elif names.get(key):
            granted[key] = names[key]
    short = list(names.get("shortNames") or [])
    if short != list(was.get("shortNames") or []):
        mine = set(was.get("shortNames") or [])
        clashes = [c for c in (_taken(n, "", resources) for n in short if n not in mine) if c]
        if clashes:
            reason = "ShortNamesConflict"
            message = clashes[0] if len(clashes) == 1 else "[" + ", ".join(clashes) + "]"
        elif short:
            granted["shortNames"] = short
        else:
            granted.pop("shortNames", None)
    for key, why in (("kind", "KindConflict"), ("listKind", "ListKindConflict")):
        clash = _taken(names.get(key), was.get(key), kinds)
        if clash:
            reason, message = why, clash
        elif names.get(key):
            granted[key] = names[key]
    if names.get("categories"):
        granted["categories"] = list(names["categories"])
    previous = {c.get("type"): c for c in ((old or {}).get("status") or {}).get("conditions") or []}
    named = ("NamesAccepted", "False", reason, message) if reason else ("NamesAccepted", "True", "NoConflicts", "no conflicts found")
    established = previous.get("Established")
    if established is not None and established.get("status") == "True":
        est = ("Established", "True", str(established.get("reason")), str(established.get("message")))
    elif reason:
        est = ("Established", "False", "NotAccepted", "not all names are accepted")
    else:
        est = ("Established", "True", "InitialNamesAccepted", "the initial names have been accepted")
    conditions = []
    for ctype, status, why, text in (named, est):
        before = previous.get(ctype, {})
        since = before.get("lastTransitionTime") if before.get("status") == status else None
        conditions.append({"type": ctype, "status": status, "lastTransitionTime": since or clock.now(),
                           "reason": why, "message": text})
    stored = list(((old or {}).get("status") or {}).get("storedVersions") or [])
    for v in spec.get("versions") or []:
        if isinstance(v, dict) and v.get("storage") and v.get("name") not in stored:
            stored.append(v.get("name"))
    crd["status"] = {"acceptedNames": granted, "conditions": conditions, "storedVersions": stored}


def printer_columns(version: Obj) -> list[Obj]:
    cols = version.get("additionalPrinterColumns")
    return [c for c in cols if isinstance(c, dict)] if isinstance(cols, list) else []


def selectable_fields(version: Obj) -> list[str]:
    """The version's selectableFields as field-selector labels (`.spec.color` -> `spec.color`)."""
    fields = version.get("selectableFields")
    return [f["jsonPath"].removeprefix(".") for f in fields if isinstance(f, dict) and isinstance(f.get("jsonPath"), str)] \
        if isinstance(fields, list) else []


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
    names = (crd.get("status") or {}).get("acceptedNames") or spec.get("names") or {}  # served as granted
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
                "selectable": selectable_fields(v),
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
        self._settled: dict[str, asyncio.Future[None]] = {}  # ws -> resolved by `settled`

    def invalidate(self, ws: str) -> None:
        self._cache.pop(ws, None)

    def settled(self, ws: str) -> None:
        """A CRD change in `ws` is complete (custom resources of a deleted CRD are gone):
        wakes `until_unserved`."""
        fut = self._settled.pop(ws, None)
        if fut is not None and not fut.done():
            fut.set_result(None)

    async def until_unserved(self, ws: str, res: Resource) -> None:
        """Returns once `res` is no longer served in `ws`: its CRD deleted, or its version no
        longer served (kube-apiserver's crdHandler then tears down the resource's storage,
        which ends its watches)."""
        while True:
            fut = self._settled.get(ws)
            if fut is None:
                fut = self._settled[ws] = asyncio.get_running_loop().create_future()
            if (await self.get(ws)).lookup(res.group, res.version, res.resource) is None:
                return
            # shielded: a watch ending must not cancel the others' wake-up
            await asyncio.shield(fut)

    async def get(self, ws: str) -> Registry:
        reg = self._cache.get(ws)
        if reg is not None:
            return reg
        base = builtin_table()
        crd_res = Registry(base).lookup(GROUP, "v1", "customresourcedefinitions")
        assert crd_res is not None
        page = await self.store.backend.list(objects.prefix(ws, crd_res))
        groups = list(base["groups"])
        custom: dict[str, Obj] = {}  # group -> its entry: several CRDs may share a group
        for kv in page.items:
            crd = objects.decode(kv)
            if not accepted(crd):
                continue
            entry = table_entry(crd)
            if entry is None:
                continue
            merged = custom.get(entry["group"])
            if merged is None:
                custom[entry["group"]] = entry
                groups.append(entry)
                continue
            by_version = {v["version"]: v for v in merged["versions"]}
            for v in entry["versions"]:
                if v["version"] in by_version:
                    by_version[v["version"]]["resources"] = [*by_version[v["version"]]["resources"], *v["resources"]]
                else:
                    merged["versions"] = sorted([*merged["versions"], v], key=lambda x: _version_priority(x["version"]))
                    by_version[v["version"]] = v
        reg = Registry({"groups": groups}) if len(groups) > len(base["groups"]) else builtin()
        self._cache[ws] = reg
        return reg
