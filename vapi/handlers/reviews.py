"""Access reviews: answered from vapi's own grants (vapi/access.py), not stored."""

from __future__ import annotations

from aiohttp import web

from vapi import access, errors, tokens
from vapi.handlers import Call
from vapi.handlers.write import body_object
from vapi.http import respond


async def create(call: Call) -> web.StreamResponse:
    obj = await body_object(call)
    kind = call.res.kind
    me = call.user
    user: dict[str, object] = {"username": me.name, "groups": list(me.all_groups)}
    if me.uid:
        user["uid"] = me.uid
    ws = call.info.workspace
    if kind in ("SelfSubjectAccessReview", "SubjectAccessReview", "LocalSubjectAccessReview"):
        raw = obj.get("spec")
        asked: dict[str, object] = raw if isinstance(raw, dict) else {}
        attrs = asked.get("resourceAttributes")
        if kind == "LocalSubjectAccessReview" and (not isinstance(attrs, dict) or attrs.get("namespace") != call.info.namespace):
            # as kube's localsubjectaccessreview REST storage refuses it
            raise errors.bad_request(f"spec.resourceAttributes.namespace must match namespace: {call.info.namespace}")
        subject = me if kind == "SelfSubjectAccessReview" else _subject(call, asked)
        allowed = await _allowed(call, subject, asked)
        obj["status"] = {"allowed": True, "reason": "granted by a vapi AccessGrant"} if allowed else {"allowed": False}
    elif kind == "SelfSubjectRulesReview":
        role = await call.state.authorizer.role(me, ws)
        obj["status"] = {
            "resourceRules": await _rules(call, role),
            "nonResourceRules": [{"verbs": ["*"] if role >= access.ROLES["admin"] else ["get"], "nonResourceURLs": ["*"]}]
                                if role else [],
            "incomplete": False,
        }
    elif kind == "SelfSubjectReview":
        obj["status"] = {"userInfo": user}
    elif kind == "TokenReview":
        spec = obj.get("spec") if isinstance(obj.get("spec"), dict) else {}
        token = spec.get("token") if isinstance(spec, dict) else None
        found = await call.state.tokens.lookup(token, call.info.workspace) if isinstance(token, str) and token else None
        wanted = spec.get("audiences") if isinstance(spec, dict) and isinstance(spec.get("audiences"), list) else None
        if found is None:
            obj["status"] = {"authenticated": False, "error": "the token is not valid in this workspace"}
        else:
            # the audiences asked about that the token is for (vapi's own when none are asked)
            common = [a for a in (wanted or list(tokens.API_AUDIENCES)) if a in found[1]]
            if not common:
                obj["status"] = {"authenticated": False, "error": "token audiences are invalid for the target audiences"}
            else:
                obj["status"] = {"authenticated": True, "audiences": common,
                                 "user": {"username": found[0].name, "groups": list(found[0].all_groups)}}
    else:
        raise errors.method_not_supported(call.res.group, call.res.resource, "create")
    obj.setdefault("metadata", {}).setdefault("creationTimestamp", None)
    return respond(obj, status=201)


def _subject(call: Call, spec: dict[str, object]) -> access.User:
    """The user a (Local)SubjectAccessReview asks about, after kube's validation of its spec."""
    user, groups = spec.get("user"), spec.get("groups")
    names = [g for g in groups if isinstance(g, str)] if isinstance(groups, list) else []
    if not user and not names:
        raise errors.invalid(call.res.group, call.res.kind, "", [{
            "reason": "FieldValueInvalid", "field": "spec.user",
            "message": 'Invalid value: "": at least one of user or group must be specified'}])
    return access.User(str(user or ""), tuple(names), str(spec.get("uid") or ""))


async def _allowed(call: Call, subject: access.User, spec: dict[str, object]) -> bool:
    """An access review's answer: exactly what the request it describes would meet."""
    attrs, path_attrs = spec.get("resourceAttributes"), spec.get("nonResourceAttributes")
    if (attrs is None) == (path_attrs is None):
        field, message = (("spec.resourceAttributes", 'Invalid value: "null": exactly one of nonResourceAttributes or '
                           'resourceAttributes must be specified') if attrs is None else
                          ("spec.nonResourceAttributes", "Invalid value: cannot be specified in combination with resourceAttributes"))
        raise errors.invalid(call.res.group, call.res.kind, "", [{"reason": "FieldValueInvalid", "field": field, "message": message}])
    ws = call.info.workspace
    if isinstance(path_attrs, dict):
        return await call.state.authorizer.allows(subject, ws, str(path_attrs.get("verb") or "get"))
    a = attrs if isinstance(attrs, dict) else {}
    return await call.state.authorizer.allows(
        subject, ws, str(a.get("verb") or "get"), str(a.get("group") or ""), str(a.get("resource") or ""),
        name=str(a.get("name") or ""), subresource=str(a.get("subresource") or ""))


READ_VERBS = ["get", "list", "watch"]
WRITE_VERBS = ["create", "update", "patch", "delete", "deletecollection"]


async def _rules(call: Call, role: int) -> list[dict[str, object]]:
    """A role as RBAC rules (`kubectl auth can-i --list`): additive, so edit is reading
    everything plus writing every group but tenancy.vapi.dev's grants and workspaces."""
    if role >= access.ROLES["admin"]:
        return [{"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]}]
    if role < access.ROLES["view"]:
        return []
    rules: list[dict[str, object]] = [{"verbs": READ_VERBS, "apiGroups": ["*"], "resources": ["*"]}]
    if role >= access.ROLES["edit"]:
        registry = await call.state.registries.get(call.info.workspace)
        groups = [g.group for g in registry.groups if g.group != access.TENANCY]
        rules.append({"verbs": WRITE_VERBS, "apiGroups": groups, "resources": ["*"]})
    return rules
