"""Resource handlers, one module per kind of operation; `dispatch` picks one from the
request info. Each handler gets a `Call`: the request, its parsed info, the resource and the
server's state."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from aiohttp import web

from vapi import access, errors
from vapi.requestinfo import RequestInfo
from vapi.resources import Registry, Resource

if TYPE_CHECKING:
    from vapi.server import State


@dataclass
class Call:
    request: web.Request
    info: RequestInfo
    res: Resource
    state: State
    user: access.User
    warnings: list[str] = field(default_factory=list)

    @property
    def requester(self) -> tuple[str, str, list[str]]:
        """Who asks, as kube's user.Info: name, uid, groups (system:authenticated among them)."""
        return self.user.name, self.user.uid, list(self.user.all_groups)


WRITES = ("create", "update", "patch", "delete", "deletecollection")


async def dispatch(
    request: web.Request, info: RequestInfo, state: State, user: access.User, registry: Registry
) -> web.StreamResponse:
    response = await _dispatch(request, info, state, user, registry)
    if info.group == "apiextensions.k8s.io" and info.resource == "customresourcedefinitions" and info.verb in WRITES:
        await state.crds_changed(info.workspace, deleted=info.verb in ("delete", "deletecollection"))
    if info.group == "tenancy.vapi.dev" and info.resource == "accessgrants" and info.verb in WRITES:
        state.authorizer.invalidate()
    if info.group == "tenancy.vapi.dev" and info.resource == "workspaces" and info.verb in WRITES:
        state.quota.invalidate(info.workspace)
        if info.verb in ("delete", "deletecollection"):
            await state.workspaces_deleted(info.workspace)
    return response


# The Warning kube-apiserver sends with every request to a deprecated API (its
# k8s.io/api/*/zz_generated.prerelease-lifecycle and apiserver deprecation messages)
DEPRECATED = {
    ("", "v1", "endpoints"): "v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice",
    ("", "v1", "componentstatuses"): "v1 ComponentStatus is deprecated in v1.19+",
    **{("flowcontrol.apiserver.k8s.io", "v1beta3", r): f"flowcontrol.apiserver.k8s.io/v1beta3 {kind} is deprecated in "
       f"v1.29+, unavailable in v1.32+; use flowcontrol.apiserver.k8s.io/v1 {kind}"
       for r, kind in (("flowschemas", "FlowSchema"), ("prioritylevelconfigurations", "PriorityLevelConfiguration"))},
}


POD_SUBRESOURCES = ("log", "exec", "attach", "portforward", "proxy", "checkpoint", "binding", "eviction")


async def _dispatch(
    request: web.Request, info: RequestInfo, state: State, user: access.User, registry: Registry
) -> web.StreamResponse:
    from vapi.handlers import patch, read, reviews, scale, watch, write

    res = registry.lookup(info.group, info.version, info.resource)
    if res is None:
        raise errors.path_not_found(info.path)
    if info.namespace and not res.namespaced:
        raise errors.path_not_found(info.path)
    sub = None
    if info.subresource:
        sub = res.subresource(info.subresource)
        if sub is None:
            raise errors.path_not_found(info.path)
    verbs = sub.verbs if sub is not None else res.verbs
    verb = info.verb
    if verb not in verbs:
        raise errors.method_not_supported(res.group, res.resource if not sub else f"{res.resource}/{sub.name}", verb)
    call = Call(request, info, res, state, user)
    deprecated = DEPRECATED.get((res.group, res.version, res.resource))
    if deprecated:
        call.warnings.append(deprecated)
    if res.group in ("authorization.k8s.io", "authentication.k8s.io") and verb == "create":
        return await reviews.create(call)
    if sub is not None and sub.name in ("syncview", "report"):
        from vapi.handlers import syncview

        return await (syncview.serve(call) if sub.name == "syncview" else syncview.report(call))
    if sub is not None and sub.name == "scale":
        scale_handler = {"get": scale.get, "update": scale.update, "patch": patch.patch_object}.get(verb)
        if scale_handler is not None:
            return await scale_handler(call)
    if sub is not None and sub.name == "token" and res.group == "" and res.resource == "serviceaccounts" and verb == "create":
        from vapi.handlers import tokenrequest

        return await tokenrequest.create(call)
    if sub is None and res.group == "" and res.resource == "bindings" and verb == "create":
        from vapi.handlers import pods

        return await pods.create_binding(call)
    if sub is not None and res.group == "" and res.resource == "pods" and sub.name in POD_SUBRESOURCES:
        from vapi.handlers import pods

        return await pods.serve(call, sub.name)
    if sub is not None and sub.name not in ("status", "ephemeralcontainers", "approval"):
        raise errors.APIError(
            501, "NotImplemented",
            f"the {sub.name} subresource of {res.resource} is not served by vapi: it has no nodes or controllers",
        )
    handler = {
        "get": read.get,
        "list": read.list_,
        "watch": watch.watch,
        "create": write.create,
        "update": write.update,
        "patch": patch.patch_object,
        "delete": write.delete,
        "deletecollection": write.delete_collection,
    }.get(verb)
    if handler is None:
        raise errors.method_not_supported(res.group, res.resource, verb)
    response = await handler(call)
    for w in call.warnings:  # as kube-apiserver sends them: 299 - "<text>"
        response.headers.add("Warning", '299 - "' + w.replace('"', '\\"') + '"')
    return response
