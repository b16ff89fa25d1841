"""PATCH: JSON patch, merge patch and strategic merge patch, on an object or its /status or
/scale subresource. Without a resourceVersion in the patch, a write that loses a race is
retried on the new object (as kube-apiserver's patcher does)."""

from __future__ import annotations

from typing import Any

import orjson
from aiohttp import web

from vapi import errors, patch, schemas
from vapi.handlers import Call
from vapi.handlers import scale as scale_handlers
from vapi.handlers.write import check_fields
from vapi.http import dry_run, field_validation, media_type, read_body, respond

JSON_PATCH = "application/json-patch+json"
MERGE_PATCH = "application/merge-patch+json"
STRATEGIC = "application/strategic-merge-patch+json"
APPLY = ("application/apply-patch+yaml", "application/apply-patch+cbor")


def apply_patch(kind: str, doc: Any, body: Any, schema: schemas.Schema | None) -> Any:
    try:
        if kind == JSON_PATCH:
            return patch.json_patch(doc, body)
        if kind == MERGE_PATCH:
            return patch.merge_patch(doc, body)
        return patch.strategic_merge(doc, body, schema)
    except patch.PatchError as e:
        raise errors.APIError(422, "Invalid", f"the server rejected our request due to an error in our request: {e}") from e


async def read_patch(call: Call) -> tuple[str, Any]:
    kind = media_type(call.request)
    if kind in APPLY:
        raise errors.APIError(
            415, "UnsupportedMediaType",
            f"the body of the request was in an unknown format - accepted media types include: "
            f"{JSON_PATCH}, {MERGE_PATCH}, {STRATEGIC} (server-side apply is not served yet)",
        )
    if kind not in (JSON_PATCH, MERGE_PATCH, STRATEGIC):
        raise errors.unsupported_media_type(kind)
    field_validation(call.request)
    raw = await read_body(call.request)
    try:
        return kind, orjson.loads(raw)
    except orjson.JSONDecodeError as e:
        raise errors.bad_request(f"error decoding patch: {e}") from e


async def patch_object(call: Call) -> web.StreamResponse:
    i = call.info
    kind, body = await read_patch(call)
    if i.subresource == "scale":
        return await scale_handlers.patch(call, lambda doc: apply_patch(kind, doc, body, scale_handlers.SCALE_SCHEMA()))
    schema = None
    if kind == STRATEGIC:
        schema = schemas.for_kind(call.res.group, call.res.version, call.res.kind)
        if schema is None:
            raise errors.APIError(
                415, "UnsupportedMediaType",
                f"strategic merge patch is not supported for {call.res.kind}: use a JSON or merge patch",
            )
    pinned = isinstance(body, dict) and isinstance(body.get("metadata"), dict) and "resourceVersion" in body["metadata"]
    objects = call.state.objects
    for _ in range(5):
        current = await objects.get(call.res, i.workspace, i.namespace, i.name)
        patched = apply_patch(kind, current, body, schema)
        if not isinstance(patched, dict):
            raise errors.bad_request("the patched object is not an object")
        if not pinned:
            patched.setdefault("metadata", {})["resourceVersion"] = current["metadata"]["resourceVersion"]
        if patched.get("apiVersion") != call.res.group_version or patched.get("kind") != call.res.kind:
            raise errors.bad_request("a patch may not change apiVersion or kind")
        check_fields(call, patched)
        try:
            out = await objects.update(
                call.res, i.workspace, i.namespace, i.name, patched,
                subresource=i.subresource, dry_run=dry_run(call.request),
            )
        except errors.APIError as e:
            if e.code == 409 and e.reason == "Conflict" and not pinned:
                continue
            raise
        return respond(out)
    raise errors.conflict(call.res.group, call.res.resource, i.name, errors.MODIFIED)


Obj = dict[str, Any]
