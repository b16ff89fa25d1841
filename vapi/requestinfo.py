"""Every request is parsed once into a RequestInfo (after k8s.io/apiserver/pkg/endpoints/
request/requestinfo.go): workspace, API group/version, resource, subresource, namespace,
name and verb. Paths below `/clusters/<workspace>` look exactly like a cluster's."""

from __future__ import annotations

import re
from dataclasses import dataclass

from vapi import errors

WORKSPACE_PATH = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(:[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\Z")


@dataclass(frozen=True, slots=True)
class RequestInfo:
    workspace: str
    path: str  # the path below /clusters/<workspace>
    is_resource: bool
    verb: str
    api_prefix: str = ""  # "api" or "apis"
    group: str = ""
    version: str = ""
    resource: str = ""
    subresource: str = ""
    namespace: str = ""
    name: str = ""


# Kubernetes API paths without a /clusters/ prefix address the root workspace, as in kcp:
# clients that drop the server URL's path (`kubectl proxy`, some SDKs) still reach it.
UNPREFIXED = ("/api", "/apis", "/openapi")
ROOT = "root"


def split_workspace(path: str) -> tuple[str, str]:
    """`/clusters/root:a/api/v1` -> ("root:a", "/api/v1"); `/api/v1` -> ("root", "/api/v1").
    Raises a 404 for other paths."""
    if path.startswith(UNPREFIXED) and path.split("/", 2)[1] in ("api", "apis", "openapi"):
        return ROOT, path
    if not path.startswith("/clusters/"):
        raise errors.path_not_found(path)
    rest = path[len("/clusters/"):]
    ws, _, tail = rest.partition("/")
    if not WORKSPACE_PATH.match(ws):
        raise errors.path_not_found(path)
    return ws, "/" + tail


def parse(workspace: str, path: str, method: str, watch: bool) -> RequestInfo:
    parts = [p for p in path.split("/") if p]
    method = method.upper()
    if not parts or parts[0] not in ("api", "apis"):
        return RequestInfo(workspace, path, False, method.lower())
    prefix = parts[0]
    if prefix == "api":
        if len(parts) < 2:
            return RequestInfo(workspace, path, False, method.lower(), prefix)
        group, version, rest = "", parts[1], parts[2:]
    else:
        if len(parts) < 3:
            return RequestInfo(workspace, path, False, method.lower(), prefix, parts[1] if len(parts) > 1 else "")
        group, version, rest = parts[1], parts[2], parts[3:]
    if not rest:
        return RequestInfo(workspace, path, False, method.lower(), prefix, group, version)

    namespace = ""
    if rest[0] == "namespaces" and len(rest) >= 3:
        namespace, rest = rest[1], rest[2:]
        # /api/v1/namespaces/<name>/status|finalize are the namespace's own subresources
        if group == "" and rest and rest[0] in ("status", "finalize") and len(rest) == 1:
            return _resource(workspace, path, method, watch, prefix, group, version,
                             "namespaces", rest[0], "", namespace)
    elif rest[0] == "namespaces" and len(rest) == 2:
        return _resource(workspace, path, method, watch, prefix, group, version, "namespaces", "", "", rest[1])
    # only proxy takes a path after the subresource (pods/<name>/proxy/<path>)
    if len(rest) > 3 and rest[2] != "proxy":
        raise errors.path_not_found(path)
    resource = rest[0]
    name = rest[1] if len(rest) > 1 else ""
    sub = rest[2] if len(rest) > 2 else ""
    return _resource(workspace, path, method, watch, prefix, group, version, resource, sub, namespace, name)


def _resource(
    workspace: str, path: str, method: str, watch: bool, prefix: str, group: str, version: str,
    resource: str, sub: str, namespace: str, name: str,
) -> RequestInfo:
    if method in ("GET", "HEAD"):
        verb = "watch" if watch else ("get" if name else "list")
    elif method == "POST":
        verb = "create"
    elif method == "PUT":
        verb = "update"
    elif method == "PATCH":
        verb = "patch"
    elif method == "DELETE":
        verb = "delete" if name else "deletecollection"
    else:
        verb = method.lower()
    return RequestInfo(workspace, path, True, verb, prefix, group, version, resource, sub, namespace, name)
