"""Access reviews: answered, not stored. For now the only user is the admin, who may do
everything (authorization by vapi's own grants comes with the tenancy issue)."""

from __future__ import annotations

from aiohttp import web

from vapi import errors
from vapi.handlers import Call
from vapi.handlers.write import body_object
from vapi.http import respond


async def create(call: Call) -> web.StreamResponse:
    obj = await body_object(call)
    kind = call.res.kind
    user = {"username": call.user, "groups": ["system:masters", "system:authenticated"]}
    if kind in ("SelfSubjectAccessReview", "SubjectAccessReview", "LocalSubjectAccessReview"):
        obj["status"] = {"allowed": True, "reason": "vapi admin"}
    elif kind == "SelfSubjectRulesReview":
        obj["status"] = {
            "resourceRules": [{"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]}],
            "nonResourceRules": [{"verbs": ["*"], "nonResourceURLs": ["*"]}],
            "incomplete": False,
        }
    elif kind == "SelfSubjectReview":
        obj["status"] = {"userInfo": user}
    elif kind == "TokenReview":
        obj["status"] = {"authenticated": False, "error": "vapi issues no service account tokens"}
    else:
        raise errors.method_not_supported(call.res.group, call.res.resource, "create")
    obj.setdefault("metadata", {}).setdefault("creationTimestamp", None)
    return respond(obj, status=201)
