"""Discovery: legacy (/api, /apis, /api/v1, /apis/<g>, /apis/<g>/<v>) and aggregated v2,
chosen by the Accept header as kube-apiserver does
(k8s.io/apiserver/pkg/endpoints/discovery/aggregated/handler.go)."""

from __future__ import annotations

import hashlib
from typing import Any

import orjson
from aiohttp import web

from vapi import errors
from vapi.http import respond
from vapi.resources import Registry, Resource

AGGREGATED = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"


def wants_aggregated(accept: str) -> bool:
    for part in accept.split(","):
        params = {p.strip() for p in part.split(";")[1:]}
        if "g=apidiscovery.k8s.io" in params and "as=APIGroupDiscoveryList" in params and (
            "v=v2" in params or "v=v2beta1" in params
        ):
            return True
    return False


def _aggregated_resource(r: Resource) -> dict[str, Any]:
    out: dict[str, Any] = {
        "resource": r.resource,
        "responseKind": {"group": "", "kind": r.kind, "version": ""},
        "scope": "Namespaced" if r.namespaced else "Cluster",
        "singularResource": r.singular,
        "verbs": list(r.verbs),
    }
    if r.short_names:
        out["shortNames"] = list(r.short_names)
    if r.categories:
        out["categories"] = list(r.categories)
    subs = []
    for s in r.subresources:
        subs.append(
            {
                "responseKind": {"group": s.group or "", "kind": s.kind, "version": s.version or ""},
                "subresource": s.name,
                "verbs": list(s.verbs),
            }
        )
    if subs:
        out["subresources"] = subs
    return out


def aggregated(registry: Registry, legacy: bool) -> dict[str, Any]:
    items = []
    for g in registry.groups:
        if (g.group == "") != legacy:
            continue
        versions = []
        for v in g.versions:
            resources = registry.resources(g.group, v) or []
            versions.append(
                {
                    "freshness": g.freshness.get(v, "Current"),
                    "resources": [_aggregated_resource(r) for r in resources],
                    "version": v,
                }
            )
        items.append({"metadata": {"creationTimestamp": None, "name": g.group}, "versions": versions})
    return {"apiVersion": "apidiscovery.k8s.io/v2", "kind": "APIGroupDiscoveryList", "metadata": {}, "items": items}


def resource_list(registry: Registry, group: str, version: str) -> dict[str, Any]:
    resources = registry.resources(group, version)
    if resources is None:
        raise errors.path_not_found(f"/{group}/{version}")
    out = []
    for r in resources:
        entry: dict[str, Any] = {
            "name": r.resource,
            "singularName": r.singular,
            "namespaced": r.namespaced,
            "kind": r.kind,
            "verbs": list(r.verbs),
        }
        if r.short_names:
            entry["shortNames"] = list(r.short_names)
        if r.categories:
            entry["categories"] = list(r.categories)
        out.append(entry)
        for s in r.subresources:
            sub: dict[str, Any] = {
                "name": f"{r.resource}/{s.name}",
                "singularName": "",
                "namespaced": r.namespaced,
                "kind": s.kind,
                "verbs": list(s.verbs),
            }
            if s.group is not None:
                sub["group"], sub["version"] = s.group, s.version
            out.append(sub)
    gv = f"{group}/{version}" if group else version
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": out}


def api_group(registry: Registry, name: str) -> dict[str, Any]:
    g = registry.group(name)
    if g is None or not name:
        raise errors.path_not_found(f"/apis/{name}")
    versions = [{"groupVersion": f"{name}/{v}", "version": v} for v in g.versions]
    return {"kind": "APIGroup", "apiVersion": "v1", "name": name, "versions": versions, "preferredVersion": versions[0]}


def api_groups(registry: Registry) -> dict[str, Any]:
    groups = [api_group(registry, g.group) for g in registry.groups if g.group]
    for g in groups:
        del g["kind"], g["apiVersion"]
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}


def api_versions(request: web.Request) -> dict[str, Any]:
    host = request.host or "127.0.0.1"
    return {
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": host}],
    }


def etagged(request: web.Request, data: dict[str, Any], content_type: str) -> web.StreamResponse:
    body = orjson.dumps(data)
    etag = '"' + hashlib.sha256(body).hexdigest() + '"'
    headers = {"ETag": etag, "Content-Type": content_type, "Vary": "Accept"}
    if request.headers.get("If-None-Match") == etag:
        return web.Response(status=304, headers=headers)
    return web.Response(body=body, headers=headers)


def handle(request: web.Request, registry: Registry, prefix: str, group: str, version: str) -> web.StreamResponse:
    accept = request.headers.get("Accept", "")
    if prefix == "api" and not version:
        if wants_aggregated(accept):
            return etagged(request, aggregated(registry, legacy=True), AGGREGATED)
        return respond(api_versions(request))
    if prefix == "apis" and not group:
        if wants_aggregated(accept):
            return etagged(request, aggregated(registry, legacy=False), AGGREGATED)
        return respond(api_groups(registry))
    if prefix == "apis" and not version:
        return respond(api_group(registry, group))
    return respond(resource_list(registry, group, version))
