"""PATCH: JSON patch, merge patch and strategic merge patch, on an object or its /status or
/scale subresource. Without a resourceVersion in the patch, a write that loses a race is
retried on the new object (as kube-apiserver's patcher does)."""

from __future__ import annotations

from typing import Any

import orjson
from aiohttp import web

from vapi import apply, errors, patch, schemas
from vapi.handlers import Call
from vapi.handlers import scale as scale_handlers
from vapi.handlers.write import check_fields, check_workspace
from vapi.http import decode_object, dry_run, field_manager, invalid_options, media_type, query_bool, read_body, respond

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
        # kube-apiserver answers a patch that does not apply with apimachinery's generic 422
        # (NewGenericServerResponse), which drops the patch library's own words
        raise errors.APIError(422, "Invalid", "the server rejected our request due to an error in our request",
                              details={}) from e


async def read_patch(call: Call) -> tuple[str, Any]:
    kind = media_type(call.request)
    if kind not in (JSON_PATCH, MERGE_PATCH, STRATEGIC, APPLY[0]):
        raise errors.unsupported_media_type(kind)
    if call.request.query.get("force") not in (None, "") and kind != APPLY[0]:
        raise invalid_options(call.request, "force", "Forbidden: may not be specified for non-apply patch",
                              "FieldValueForbidden")
    raw = await read_body(call.request)
    if kind == APPLY[0]:
        return kind, decode_object(raw, "application/yaml")
    try:
        return kind, orjson.loads(raw)
    except orjson.JSONDecodeError as e:
        raise errors.bad_request(f"error decoding patch: {e}") from e


async def server_side_apply(call: Call, config: Obj) -> web.StreamResponse:
    """PATCH with application/apply-patch+yaml: create or merge by field ownership."""
    i = call.info
    q = call.request.query
    manager = q.get("fieldManager")
    if not manager:
        raise invalid_options(call.request, "fieldManager", "Required value: is required for apply patch",
                              "FieldValueRequired")
    field_manager(call.request)
    force = query_bool(call.request, "force")
    res = call.res
    if config.get("apiVersion") != res.group_version or config.get("kind") != res.kind:
        raise errors.bad_request(
            f"apply configuration of {config.get('apiVersion')}/{config.get('kind')} sent to {res.group_version} {res.resource}"
        )
    meta = config.get("metadata")
    if not isinstance(meta, dict) or meta.get("name") != i.name:
        raise errors.bad_request(f"the name in the apply configuration must be {i.name!r}")
    if res.namespaced and meta.get("namespace") not in (None, "", i.namespace):
        raise errors.bad_request("the namespace of the apply configuration does not match the namespace of the request")
    check_fields(call, config, applying=True)
    schema = schemas.of_resource(res)
    objects = call.state.objects
    dry = dry_run(call.request)
    for _ in range(5):
        try:
            live = await objects.get(res, i.workspace, i.namespace, i.name)
        except errors.APIError as e:
            if e.code != 404 or i.subresource:
                raise
            live = None
        new = apply.apply(live, config, schema, manager, res.group_version, force, i.subresource)
        try:
            if live is None:
                check_workspace(call)
                if not dry:
                    await call.state.quota.admit(i.workspace, res.resource, i.name, res.group)
                out = await objects.create(res, i.workspace, i.namespace, new, dry_run=dry)
                return respond(out, status=201)
            new["metadata"]["resourceVersion"] = live["metadata"]["resourceVersion"]
            if new == live:
                return respond(live)  # a no-op apply: nothing to write
            out = await objects.update(res, i.workspace, i.namespace, i.name, new, subresource=i.subresource, dry_run=dry)
            return respond(out)
        except errors.APIError as e:
            if e.code == 409 and e.reason in ("Conflict", "AlreadyExists"):
                continue  # lost a race with another writer: apply again to what won
            raise
    raise errors.conflict(res.group, res.resource, i.name, errors.MODIFIED)


# JSON value kinds as Go's encoding/json names them in unmarshal errors
JSON_TYPES = {str: "string", int: "number", float: "number", bool: "bool", list: "array"}


async def patch_object(call: Call) -> web.StreamResponse:
    i = call.info
    kind, body = await read_patch(call)
    if kind == APPLY[0] and i.subresource != "scale":
        return await server_side_apply(call, body)
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
        if not isinstance(patched.get("metadata", {}), dict):
            kind = call.res.kind
            raise errors.bad_request(f'{kind} in version "{call.res.version}" cannot be handled as a {kind}: json: cannot '
                                     f"unmarshal {JSON_TYPES.get(type(patched['metadata']), 'value')} into Go struct field {kind}.metadata "
                                     "of type v1.ObjectMeta")
        if not pinned:
            patched.setdefault("metadata", {})["resourceVersion"] = current["metadata"]["resourceVersion"]
        if patched.get("apiVersion") != call.res.group_version or patched.get("kind") != call.res.kind:
            raise errors.bad_request("a patch may not change apiVersion or kind")
        check_fields(call, patched)
        try:
            out = await objects.update(
                call.res, i.workspace, i.namespace, i.name, patched,
                subresource=i.subresource, dry_run=dry_run(call.request), manager=field_manager(call.request),
            )
        except errors.APIError as e:
            if e.code == 409 and e.reason == "Conflict" and not pinned:
                continue
            raise
        return respond(out)
    raise errors.conflict(call.res.group, call.res.resource, i.name, errors.MODIFIED)


Obj = dict[str, Any]
