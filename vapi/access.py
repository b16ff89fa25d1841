"""Who may do what: vapi's own grants, never RBAC objects stored in workspaces (they are inert).

An `AccessGrant` (tenancy.vapi.dev/v1alpha1, cluster-scoped) in a workspace gives its subject
(`spec.subject: {kind: User|Group, name}`) a role on that workspace and everything below it:

- view:  get, list, watch (and discovery, OpenAPI);
- edit:  view, plus create, update, patch, delete, deletecollection, except grants and
         child workspaces;
- admin: everything, grants and child workspaces included.

Members of `system:masters` (the admin's certificate and token) may do everything. A
syncer (user `vapi:syncer:<cluster>`) may, in the inventory workspace, read its own
EdgeCluster and sync view and write that EdgeCluster's status: nothing else, whatever the
grants say about other things.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from vapi import errors, objects
from vapi.resources import Resource, builtin

ROLES = {"view": 1, "edit": 2, "admin": 3}
# How long what other replicas may change (grants, workspaces) is trusted without reading it again
CACHE_SECONDS = 2.0
READ = {"get", "list", "watch"}
TENANCY = "tenancy.vapi.dev"


@dataclass(frozen=True)
class User:
    name: str
    groups: tuple[str, ...] = field(default=())
    uid: str = ""

    @classmethod
    def impersonated(cls, name: str, groups: list[str], uid: str = "") -> User:
        """The user a request impersonates: the groups asked for, and a service account's
        own groups, as kube-apiserver's impersonation filter builds it."""
        more: list[str] = []
        if name.startswith(SERVICE_ACCOUNT_PREFIX):
            namespace = name[len(SERVICE_ACCOUNT_PREFIX):].split(":", 1)[0]
            more = ["system:serviceaccounts", f"system:serviceaccounts:{namespace}"]
        return cls(name, tuple(dict.fromkeys([*groups, *more])), uid)

    @property
    def all_groups(self) -> tuple[str, ...]:
        return (*self.groups, "system:authenticated")

    @property
    def master(self) -> bool:
        return "system:masters" in self.groups


def grant_resource() -> Resource:
    res = builtin().lookup(TENANCY, "v1alpha1", "accessgrants")
    assert res is not None
    return res


def needed(verb: str, group: str, resource: str, subresource: str = "") -> int:
    """The least role that allows `verb` on a resource (or, without one, a path). The
    wildcards of an access review count as the strongest thing they cover: verb `*`
    includes impersonate, group `*` includes tenancy.vapi.dev."""
    if resource.startswith("selfsubject"):
        return 0  # anyone may ask what they themselves may do
    if resource in ("tokenreviews", "subjectaccessreviews", "localsubjectaccessreviews"):
        return ROLES["admin"]  # about others' tokens and rights: kube's system:auth-delegator
    if verb in READ:
        return ROLES["view"]
    if verb in ("impersonate", "escalate", "bind", "*"):
        return ROLES["admin"]
    if group in (TENANCY, "*") and resource:
        return ROLES["admin"]
    if resource in ("serviceaccounts", "*") and subresource == "token":
        return ROLES["admin"]  # minting a service account's token (vapi/handlers/tokenrequest.py)
    return ROLES["edit"]


def denied(user: User, ws: str, verb: str, group: str, resource: str, path: str = "", *, need: int,
           name: str = "", subresource: str = "", namespace: str = "") -> errors.APIError:
    """The 403 kube-apiserver sends when its authorizer says no (responsewriters.Forbidden
    with forbiddenMessage, in k8s.io/apiserver/pkg/endpoints/handlers/responsewriters/
    errors.go), its reason naming the role the workspace did not grant."""
    role = next(r for r, level in ROLES.items() if level == need) if need else "any"
    reason = f'needs the {role} role in the workspace "{ws}"'
    if not resource:
        return errors.forbidden(f'forbidden: User "{user.name}" cannot {verb} path "{path}": {reason}')
    what = f"{resource}/{subresource}" if subresource else resource
    where = f'in the namespace "{namespace}"' if namespace else "at the cluster scope"
    message = f'User "{user.name}" cannot {verb} resource "{what}" in API group "{group}" {where}: {reason}'
    qualified = errors.qualified(group, resource)
    message = f'{qualified} "{name}" is forbidden: {message}' if name else f"{qualified} is forbidden: {message}"
    details: dict[str, Any] = {"name": name} if name else {}
    if group:
        details["group"] = group
    details["kind"] = resource
    return errors.forbidden(message, details=details)


SERVICE_ACCOUNT_PREFIX = "system:serviceaccount:"
SYNCER_PREFIX = "vapi:syncer:"
SYNCER_GROUP = "vapi:syncers"


class Authorizer:
    """Roles per (workspace, user), from the grants of the workspace and its ancestors. The
    grants read are kept CACHE_SECONDS: dropped at once when a grant is written through this
    process, read again after that long when written through another replica."""

    def __init__(self, store: objects.Objects, inventory: str = "root") -> None:
        self.store = store
        self.inventory = inventory
        self._grants: dict[str, tuple[float, list[dict[str, Any]]]] = {}

    def invalidate(self) -> None:
        self._grants.clear()

    async def _grants_in(self, ws: str) -> list[dict[str, Any]]:
        cached = self._grants.get(ws)
        if cached is None or time.monotonic() - cached[0] >= CACHE_SECONDS:
            page = await self.store.backend.list(objects.prefix(ws, grant_resource()))
            cached = self._grants[ws] = (time.monotonic(), [objects.decode(kv) for kv in page.items])
        return cached[1]

    async def role(self, user: User, ws: str) -> int:
        if user.master:
            return ROLES["admin"]
        best = 0
        parts = ws.split(":")
        for depth in range(1, len(parts) + 1):
            for grant in await self._grants_in(":".join(parts[:depth])):
                spec = grant.get("spec") or {}
                subject = spec.get("subject") or {}
                kind, name = subject.get("kind"), subject.get("name")
                if (kind == "User" and name == user.name) or (kind == "Group" and name in user.all_groups):
                    best = max(best, ROLES.get(str(spec.get("role")), 0))
        return best

    async def allows(self, user: User, ws: str, verb: str, group: str = "", resource: str = "", *,
                     name: str = "", subresource: str = "") -> bool:
        """What `check` decides, as a yes or no (access reviews ask this)."""
        if user.name.startswith(SYNCER_PREFIX) and self._syncer_may(user, ws, verb, group, resource, name, subresource):
            return True
        return await self.role(user, ws) >= needed(verb, group, resource, subresource)

    async def check(self, user: User, ws: str, verb: str, group: str = "", resource: str = "", path: str = "", *,
                    name: str = "", subresource: str = "", namespace: str = "") -> None:
        if await self.allows(user, ws, verb, group, resource, name=name, subresource=subresource):
            return
        raise denied(user, ws, verb, group, resource, path, need=needed(verb, group, resource, subresource),
                     name=name, subresource=subresource, namespace=namespace)

    async def check_impersonate(self, user: User, ws: str, resource: str, name: str) -> None:
        """Impersonating (a user, a group, a uid, an extra value) takes the admin role in the
        workspace, as `impersonate` on users, groups, uids and userextras is a cluster-admin
        power in Kubernetes."""
        if await self.role(user, ws) >= ROLES["admin"]:
            return
        group = "authentication.k8s.io" if resource in ("uids", "userextras") else ""
        raise denied(user, ws, "impersonate", group, resource, need=ROLES["admin"], name=name)

    def _syncer_may(self, user: User, ws: str, verb: str, group: str, resource: str, name: str, subresource: str) -> bool:
        if resource.startswith("selfsubject"):
            return True
        cluster = user.name[len(SYNCER_PREFIX):]
        if ws != self.inventory or group != "edge.vapi.dev" or resource != "edgeclusters" or name != cluster:
            return False
        if subresource in ("", "syncview"):
            return verb in ("get", "watch")
        if subresource == "report":
            return verb == "create"
        return subresource == "status" and verb in ("get", "update", "patch")
