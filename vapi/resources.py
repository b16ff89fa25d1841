"""The table of kinds a workspace serves: vapi/data/builtin_resources.json, generated from a
real kube-apiserver's discovery (hack/gen_builtin_resources.py). Discovery, routing and the
generic store read it; nothing else hard-codes a resource."""

from __future__ import annotations

import functools
import json
import os
from dataclasses import dataclass, field
from typing import Any

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "builtin_resources.json")


@dataclass(frozen=True)
class Subresource:
    name: str
    kind: str
    verbs: tuple[str, ...]
    group: str | None = None
    version: str | None = None


@dataclass(frozen=True)
class Resource:
    group: str
    version: str
    resource: str
    kind: str
    namespaced: bool
    singular: str
    short_names: tuple[str, ...]
    categories: tuple[str, ...]
    verbs: tuple[str, ...]
    subresources: tuple[Subresource, ...] = field(default=())
    # custom resources only: the CRD version's structural schema, printer columns and
    # selectable fields (field-selector labels)
    schema: Any = field(default=None, compare=False, hash=False)
    columns: Any = field(default=None, compare=False, hash=False)
    selectable: tuple[str, ...] = field(default=(), compare=False, hash=False)
    scale: Any = field(default=None, compare=False, hash=False)

    @property
    def group_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def list_kind(self) -> str:
        return self.kind + "List"

    def subresource(self, name: str) -> Subresource | None:
        for s in self.subresources:
            if s.name == name:
                return s
        return None

    @property
    def has_status(self) -> bool:
        return self.subresource("status") is not None

    @property
    def kube_builtin(self) -> bool:
        """A kind compiled into kube-apiserver (not a custom resource, not vapi's own)."""
        return self.schema is None and not self.group.endswith(".vapi.dev")

    def storable(self) -> bool:
        """Objects of this resource are kept (reviews and similar are answered, not stored)."""
        return "get" in self.verbs or "list" in self.verbs


@dataclass(frozen=True)
class GroupVersions:
    group: str
    versions: tuple[str, ...]  # preferred first
    freshness: dict[str, str]


class Registry:
    def __init__(self, table: dict[str, Any]) -> None:
        self.groups: list[GroupVersions] = []
        self._by_gvr: dict[tuple[str, str, str], Resource] = {}
        self._by_gv: dict[tuple[str, str], list[Resource]] = {}
        for g in table["groups"]:
            versions = []
            fresh = {}
            for v in g["versions"]:
                versions.append(v["version"])
                fresh[v["version"]] = v.get("freshness", "Current")
                items = []
                for r in v["resources"]:
                    res = Resource(
                        group=g["group"],
                        version=v["version"],
                        resource=r["resource"],
                        kind=r["kind"],
                        namespaced=r["scope"] == "Namespaced",
                        singular=r.get("singular", ""),
                        short_names=tuple(r.get("shortNames", ())),
                        categories=tuple(r.get("categories", ())),
                        verbs=tuple(r["verbs"]),
                        subresources=tuple(
                            Subresource(s["subresource"], s["kind"], tuple(s["verbs"]), s.get("group"), s.get("version"))
                            for s in r.get("subresources", ())
                        ),
                        schema=r.get("schema"),
                        columns=r.get("columns"),
                        selectable=tuple(r.get("selectable", ())),
                        scale=r.get("scale"),
                    )
                    items.append(res)
                    self._by_gvr[(res.group, res.version, res.resource)] = res
                self._by_gv[(g["group"], v["version"])] = items
            self.groups.append(GroupVersions(g["group"], tuple(versions), fresh))

    def lookup(self, group: str, version: str, resource: str) -> Resource | None:
        return self._by_gvr.get((group, version, resource))

    def by_kind(self, group: str, version: str, kind: str) -> Resource | None:
        for r in self._by_gv.get((group, version), ()):
            if r.kind == kind:
                return r
        return None

    def preferred(self) -> list[Resource]:
        """Every resource in its group's preferred version."""
        out: list[Resource] = []
        for g in self.groups:
            out += self._by_gv.get((g.group, g.versions[0]), [])
        return out

    def resources(self, group: str, version: str) -> list[Resource] | None:
        return self._by_gv.get((group, version))

    def stored(self, group: str, resource: str) -> Resource | None:
        """The resource in its group's preferred version: how objects are stored."""
        g = self.group(group)
        return self._by_gvr.get((group, g.versions[0], resource)) if g is not None else None

    def group(self, name: str) -> GroupVersions | None:
        for g in self.groups:
            if g.group == name:
                return g
        return None


# vapi's own kinds, served next to Kubernetes' in every workspace
VAPI_GROUPS: list[dict[str, Any]] = [
    {
        "group": "tenancy.vapi.dev",
        "versions": [{
            "version": "v1alpha1",
            "resources": [{
                "resource": "workspaces",
                "kind": "Workspace",
                "scope": "Cluster",
                "singular": "workspace",
                "shortNames": ["ws"],
                "categories": [],
                "verbs": ["create", "delete", "get", "list", "patch", "update", "watch"],
                "subresources": [],
            }, {
                "resource": "accessgrants",
                "kind": "AccessGrant",
                "scope": "Cluster",
                "singular": "accessgrant",
                "shortNames": ["grant"],
                "categories": [],
                "verbs": ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"],
                "subresources": [],
            }, {
                "resource": "accesstokens",
                "kind": "AccessToken",
                "scope": "Cluster",
                "singular": "accesstoken",
                "shortNames": [],
                "categories": [],
                "verbs": ["create", "delete", "deletecollection", "get", "list", "watch"],
                "subresources": [],
            }],
        }],
    },
    {
        "group": "edge.vapi.dev",
        "versions": [{
            "version": "v1alpha1",
            "resources": [{
                "resource": "edgeclusters",
                "kind": "EdgeCluster",
                "scope": "Cluster",
                "singular": "edgecluster",
                "shortNames": ["ec"],
                "categories": ["vapi"],
                "verbs": ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"],
                "subresources": [
                    {"subresource": "status", "kind": "EdgeCluster", "verbs": ["get", "patch", "update"]},
                    {"subresource": "syncview", "kind": "List", "verbs": ["get", "watch"]},
                    {"subresource": "report", "kind": "StatusReport", "verbs": ["create"]},
                ],
            }, {
                "resource": "statussummaries",
                "kind": "StatusSummary",
                "scope": "Cluster",
                "singular": "statussummary",
                "shortNames": ["ss"],
                "categories": ["vapi"],
                "verbs": ["delete", "deletecollection", "get", "list", "watch"],
                "subresources": [],
            }, {
                "resource": "reportedstatuses",
                "kind": "ReportedStatus",
                "scope": "Cluster",
                "singular": "reportedstatus",
                "shortNames": [],
                "categories": ["vapi"],
                "verbs": ["delete", "deletecollection", "get", "list", "watch"],
                "subresources": [],
            }, {
                "resource": "placements",
                "kind": "Placement",
                "scope": "Cluster",
                "singular": "placement",
                "shortNames": ["pl"],
                "categories": ["vapi"],
                "verbs": ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"],
                "subresources": [
                    {"subresource": "status", "kind": "Placement", "verbs": ["get", "patch", "update"]},
                ],
            }],
        }],
    },
]


@functools.cache
def builtin_table() -> dict[str, Any]:
    with open(DATA) as f:
        table: dict[str, Any] = json.load(f)
    return {"groups": [*table["groups"], *VAPI_GROUPS]}


@functools.cache
def builtin() -> Registry:
    return Registry(builtin_table())
