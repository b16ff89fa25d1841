"""`kubectl create token SA`: the token subresource of service accounts.

kube-apiserver signs a JWT; vapi issues one of its own bearer tokens (vapi/tokens.py) as
`system:serviceaccount:<namespace>:<name>` with the service-account groups, stored as an
AccessToken in root and bound to the service account: valid only in its workspace, until it
expires, and only while the service account (the same uid) exists. Minting one acts as the
service account, so it takes the admin role in the workspace, like impersonation.
"""

from __future__ import annotations

import datetime

from aiohttp import web

from vapi import access, clock, errors, tokens
from vapi.handlers import Call
from vapi.http import decode_object, media_type, read_body, respond

DEFAULT_SECONDS = 3600
MIN_SECONDS = 600
MAX_SECONDS = 1 << 32


async def create(call: Call) -> web.StreamResponse:
    i = call.info
    if await call.state.authorizer.role(call.user, i.workspace) < access.ROLES["admin"]:
        raise access.denied(call.user, i.workspace, "create", "", "serviceaccounts", need=access.ROLES["admin"],
                            name=i.name, subresource="token", namespace=i.namespace)
    account = await call.state.objects.get(call.res, i.workspace, i.namespace, i.name)
    request = decode_object(await read_body(call.request), media_type(call.request))
    if (request.get("apiVersion"), request.get("kind")) not in ((None, None), ("authentication.k8s.io/v1", "TokenRequest")):
        raise errors.bad_request(f"the token subresource takes an authentication.k8s.io/v1 TokenRequest, "
                                 f"not {request.get('apiVersion')} {request.get('kind')}")
    raw_spec = request.get("spec")
    spec: dict[str, object] = raw_spec if isinstance(raw_spec, dict) else {}
    seconds = spec.get("expirationSeconds", DEFAULT_SECONDS)
    if not isinstance(seconds, int) or isinstance(seconds, bool):
        raise errors.bad_request("spec.expirationSeconds must be an integer")
    if seconds < MIN_SECONDS or seconds > MAX_SECONDS:
        word = "less than 10 minutes" if seconds < MIN_SECONDS else "longer than 2^32 seconds"
        raise errors.invalid("authentication.k8s.io", "TokenRequest", i.name, [{
            "reason": "FieldValueInvalid", "field": "spec.expirationSeconds",
            "message": f"Invalid value: {seconds}: may not specify a duration {word}"}])
    if spec.get("boundObjectRef"):
        raise errors.bad_request("vapi binds service account tokens to their service account only: drop boundObjectRef")
    user = f"{access.SERVICE_ACCOUNT_PREFIX}{i.namespace}:{i.name}"
    expires = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0) + datetime.timedelta(seconds=seconds)
    audiences = spec.get("audiences") or [tokens.API_AUDIENCES[0]]
    if not isinstance(audiences, list) or not all(isinstance(a, str) and a for a in audiences):
        raise errors.bad_request("spec.audiences must be a list of names")
    bound = {"workspace": i.workspace, "audiences": audiences,
             "serviceAccount": {"namespace": i.namespace, "name": i.name, "uid": account["metadata"]["uid"]}}
    token, obj = tokens.new(user, list(access.User.impersonated(user, []).groups), expires, bound)
    await call.state.objects.create(tokens.token_resource(), tokens.ROOT, "", obj)
    return respond({
        "kind": "TokenRequest", "apiVersion": "authentication.k8s.io/v1",
        "metadata": {"name": i.name, "namespace": i.namespace, "creationTimestamp": clock.now()},
        "spec": {"audiences": audiences, "expirationSeconds": seconds, "boundObjectRef": None},
        "status": {"token": token, "expirationTimestamp": obj["spec"]["expirationTimestamp"]},
    }, status=201)
