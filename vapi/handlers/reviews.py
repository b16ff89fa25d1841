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
    role = await call.state.authorizer.role(me, call.info.workspace)
    if kind in ("SelfSubjectAccessReview", "SubjectAccessReview", "LocalSubjectAccessReview"):
        attrs = (obj.get("spec") or {}).get("resourceAttributes") or {}
        need = access.needed(str(attrs.get("verb", "get")), str(attrs.get("group", "")), str(attrs.get("resource", "")))
        allowed = role >= need
        obj["status"] = {"allowed": allowed, "reason": "granted by a vapi AccessGrant"} if allowed else {"allowed": False}
    elif kind == "SelfSubjectRulesReview":
        verbs = ["*"] if role >= access.ROLES["admin"] else (
            ["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"] if role >= access.ROLES["edit"]
            else ["get", "list", "watch"] if role else [])
        obj["status"] = {
            "resourceRules": [{"verbs": verbs, "apiGroups": ["*"], "resources": ["*"]}] if verbs else [],
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
