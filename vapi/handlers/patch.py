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
from vapi.http import (check_depth, dry_run, field_manager, field_validation, invalid_options, json_or_yaml, media_type, query_bool,
                       read_body, respond)

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
    """The patch type and body, after the checks kube-apiserver's PatchResource makes in this
    order: the media type (415), the body, then the options (ValidatePatchOptions: `force` only
    with apply, which requires a fieldManager; 422 on PatchOptions)."""
    kind = media_type(call.request)
    if kind not in (JSON_PATCH, MERGE_PATCH, STRATEGIC, APPLY[0]):
        raise errors.unsupported_media_type(kind)
    raw = await read_body(call.request)
    if "force" in call.request.query:
        query_bool(call.request, "force")
        if kind != APPLY[0]:
            raise invalid_options(call.request, [{"reason": "FieldValueForbidden", "field": "force",
                                                  "message": "Forbidden: may not be specified for non-apply patch"}])
    field_manager(call.request, apply=kind == APPLY[0])
    dry_run(call.request)
    field_validation(call.request)
    if kind == APPLY[0]:
        return kind, _apply_body(raw)
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as e:
        raise errors.bad_request(f"error decoding patch: {e}") from e
    check_depth(body)
    return kind, body


def _apply_body(raw: bytes) -> Obj:
    """An apply configuration: YAML or JSON, decoded into a map as kube-apiserver's
    applyPatcher does (an empty body is an empty map, which then names no type)."""
    data = json_or_yaml(raw)
    check_depth(data)
    if data is None:
        return {}
    if not isinstance(data, dict):
        go = {list: "array", str: "string", bool: "bool", int: "number", float: "number"}.get(type(data), "value")
        raise errors.bad_request("error decoding YAML: error unmarshaling JSON: while decoding JSON: json: cannot "
                                 f"unmarshal {go} into Go value of type map[string]interface {{}}")
    return data


def gvk_string(api_version: Any, kind: Any) -> str:
    """A group/version/kind as Go's GroupVersionKind.String() prints it (`apps/v1,
    Kind=Deployment`, `/v1, Kind=ConfigMap`); an apiVersion that does not parse is empty."""
    group = version = ""
    if isinstance(api_version, str) and api_version.count("/") <= 1:
        group, _, version = api_version.rpartition("/")
    return f"{group}/{version}, Kind={kind if isinstance(kind, str) else ''}"


def check_apply_body(call: Call, config: Obj) -> None:
    """What kube-apiserver refuses in an apply configuration, in its words (400): another
    type than the endpoint's (versionCheckManager), managedFields (structuredMergeManager),
    and a name or namespace other than the URL's (checkName, after the merge: a configuration
    without a name takes the live object's)."""
    res, i = call.res, call.info
    if config.get("apiVersion") != res.group_version or config.get("kind") != res.kind:
        raise errors.bad_request(f"invalid object type: {gvk_string(config.get('apiVersion'), config.get('kind'))}")
    meta = config.get("metadata")
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise errors.bad_request("couldn't get accessor: metadata of the apply configuration is not an object")
    if meta.get("managedFields") is not None:
        raise errors.bad_request("metadata.managedFields must be nil")
    namespace = meta.get("namespace")
    if res.namespaced and i.namespace and namespace and namespace != i.namespace:
        raise errors.bad_request(
            f"the namespace of the object ({namespace}) does not match the namespace on the URL ({i.namespace})")


def check_apply_name(call: Call, config: Obj, live: Obj | None) -> None:
    name = (config.get("metadata") or {}).get("name") or (live["metadata"].get("name") if live is not None else "")
    if name != call.info.name:
        raise errors.bad_request(f"the name of the object ({name}) does not match the name on the URL ({call.info.name})")


async def server_side_apply(call: Call, config: Obj) -> web.StreamResponse:
    """PATCH with application/apply-patch+yaml: create or merge by field ownership. A
    resourceVersion in the configuration is a precondition on an existing object, as for any
    update (409 when the object has moved on)."""
    i = call.info
    manager = field_manager(call.request, apply=True)
    force = query_bool(call.request, "force")
    res = call.res
    check_apply_body(call, config)
    check_fields(call, config, applying=True)
    schema = schemas.of_resource(res)
    objects = call.state.objects
    dry = dry_run(call.request)
    wanted_rv = (config.get("metadata") or {}).get("resourceVersion")
    for _ in range(5):
        try:
            live = await objects.get(res, i.workspace, i.namespace, i.name)
        except errors.APIError as e:
            if e.code != 404 or i.subresource:
                raise
            live = None
        check_apply_name(call, config, live)
        if live is not None and wanted_rv and wanted_rv != live["metadata"]["resourceVersion"]:
            raise errors.conflict(res.group, res.resource, i.name, errors.MODIFIED)
        new = apply.apply(live, config, schema, manager, res.group_version, force, i.subresource)
        try:
            if live is None:
                check_workspace(call)
                if not dry:
                    await call.state.quota.admit(i.workspace, res.resource, i.name, res.group)
                new.setdefault("metadata", {}).pop("resourceVersion", None)
                out = await objects.create(res, i.workspace, i.namespace, new, dry_run=dry, requester=call.requester)
                return respond(out, status=201)
            new["metadata"]["resourceVersion"] = live["metadata"]["resourceVersion"]
            if new == live:
                return respond(live)  # a no-op apply: nothing to write
            out = await objects.update(res, i.workspace, i.namespace, i.name, new, subresource=i.subresource, dry_run=dry)
            return respond(out)
        except errors.APIError as e:
            if e.code == 409 and e.reason in ("Conflict", "AlreadyExists") and not wanted_rv:
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
        check_depth(patched)  # a JSON patch may copy a value into itself
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
