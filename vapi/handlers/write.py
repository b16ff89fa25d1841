"""CREATE, UPDATE (PUT), DELETE and DELETECOLLECTION."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from vapi import clock, errors, fieldsets, golang, objects, quantity, schemas, tokens
from vapi.handlers import Call
from vapi.handlers.read import list_options
from vapi.http import decode_object, dry_run, field_manager, field_validation, media_type, query_bool, read_body, respond

Obj = dict[str, Any]


async def body_object(call: Call) -> Obj:
    obj = decode_object(await read_body(call.request), media_type(call.request))
    res = call.res
    # The endpoint names the type: a body without apiVersion/kind gets them, as the
    # apiserver's decoder defaults them from the type it decodes into; a different one is a 400.
    api_version = obj.setdefault("apiVersion", res.group_version)
    kind = obj.setdefault("kind", res.kind)
    if api_version in (None, ""):
        api_version = obj["apiVersion"] = res.group_version
    if kind in (None, ""):
        kind = obj["kind"] = res.kind
    if api_version != res.group_version:
        raise errors.bad_request(
            f"the API version in the data ({api_version}) does not match the expected API version ({res.group_version})"
        )
    if kind != res.kind:
        raise errors.bad_request(f"the kind in the data ({kind}) does not match the expected kind ({res.kind})")
    meta = obj.get("metadata", {})
    if meta is None:
        obj["metadata"] = meta = {}
    if not isinstance(meta, dict):
        raise errors.bad_request("metadata must be an object")
    ns = call.info.namespace
    if res.namespaced and meta.get("namespace") not in (None, "", ns):
        raise errors.bad_request("the namespace of the provided object does not match the namespace sent on the request")
    check_fields(call, obj)
    return obj


def check_fields(call: Call, obj: Obj, *, applying: bool = False) -> None:
    """Fields the kind's schema does not declare are dropped, as kube-apiserver's decoding
    into typed objects drops them; fieldValidation=Strict refuses them instead (400, in the
    words of the decoder, or of server-side apply's typed conversion when `applying`), Warn
    (the default) reports them in Warning headers, Ignore says nothing. Server-side apply
    refuses them whatever the mode, as its typed conversion of the configuration does, and
    refuses wrong types in that conversion's words rather than the decoder's."""
    mode = field_validation(call.request)
    schema = schemas.of_resource(call.res)
    if schema is None:
        return
    if applying:
        # server-side apply's typed conversion comes first (structuredMergeManager.Apply, before
        # any decoding into Go types or fieldValidation): wrong types, undeclared fields and
        # duplicate list items, whatever the mode, in SMD's words for built-in and custom kinds
        refused = fieldsets.typed_errors(obj, schema)
        if refused:
            res, meta = call.res, obj.get("metadata") or {}
            gvk = f"{res.group_version}, Kind={res.kind}" if res.group else f"/{res.version}, Kind={res.kind}"
            where = f"{meta.get('namespace') or call.info.namespace}/{meta.get('name', '')}"
            raise errors.bad_request(f"failed to create typed patch object ({where}; {gvk}): "
                                     f"{fieldsets.typed_error_message(refused)}")
    custom = call.res.schema is not None
    wrong = [] if custom else schemas.type_errors(obj, schema, struct=call.res.kind)
    if wrong:
        field, wanted, found = wrong[0]
        kind, version = call.res.kind, call.res.version
        # JSONSchemaPropsOrBool's UnmarshalJSON refuses in words of its own
        why = ("boolean or JSON schema expected" if wanted == "v1.JSONSchemaPropsOrBool"
               else f"json: cannot unmarshal {found} into Go struct field {field} of type {wanted}")
        raise errors.bad_request(f'{kind} in version "{version}" cannot be handled as a {kind}: {why}')
    if not custom:
        try:
            schemas.as_decoded(obj, schema, times=call.res.kube_builtin)
        except (quantity.QuantityError, clock.TimeError) as e:
            kind, version = call.res.kind, call.res.version
            raise errors.bad_request(f'{kind} in version "{version}" cannot be handled as a {kind}: {e}') from None
    unknown = schemas.unknown_fields(obj, schema, prune=mode != "Strict")
    if not unknown or mode == "Ignore":
        return
    if mode == "Strict":
        res = call.res
        listed = ", ".join(f'unknown field "{u}"' for u in unknown)
        raise errors.bad_request(
            f'{res.kind} in version "{res.version}" cannot be handled as a {res.kind}: strict decoding error: {listed}')
    call.warnings.extend(f'unknown field "{u}"' for u in unknown)


# kube-apiserver refuses to delete these (its NamespaceLifecycle admission)
IMMORTAL_NAMESPACES = ("default", "kube-system", "kube-public")


def check_workspace(call: Call) -> None:
    """Kinds that mean something in one workspace only are refused elsewhere rather than
    stored to no effect: AccessTokens in root, EdgeClusters in the inventory workspace (a
    cluster registered anywhere else would never get a sync view)."""
    res, ws = call.res, call.info.workspace
    if res.group == "tenancy.vapi.dev" and res.kind == "AccessToken" and ws != tokens.ROOT:
        raise errors.bad_request(f"access tokens are honoured only in the {tokens.ROOT!r} workspace, not in {ws!r}")
    inventory = call.state.views.inventory
    if res.group == "edge.vapi.dev" and res.kind == "EdgeCluster" and ws != inventory:
        raise errors.bad_request(f"edge clusters are registered only in the inventory workspace {inventory!r}, not in {ws!r}")


async def create(call: Call) -> web.StreamResponse:
    i = call.info
    if call.res.namespaced and not i.namespace:
        raise errors.path_not_found(i.path)
    obj = await body_object(call)
    meta = obj.get("metadata")
    if isinstance(meta, dict):
        objects.generate_name(meta)  # now, so that a Workspace's URL and the audit log name it
    name = str(meta.get("name") or "") if isinstance(meta, dict) else ""
    if call.res.group == "tenancy.vapi.dev" and call.res.kind == "Workspace":
        origin = f"{call.request.scheme}://{call.request.host}"
        obj["status"] = {"phase": "Ready", "URL": f"{origin}/clusters/{i.workspace}:{name}"}
    check_workspace(call)
    dry, manager = dry_run(call.request), field_manager(call.request)
    rv = str(meta.get("resourceVersion") or "") if isinstance(meta, dict) else ""
    if rv.isdigit() and int(rv) != 0:  # the storage's Create: an unparsable one is dropped, as "0" is
        raise errors.bad_request("resourceVersion should not be set on objects to be created")
    call.request["object_name"] = name  # the audit log names what was created
    if not dry:
        await call.state.quota.admit(i.workspace, call.res.resource, name, call.res.group)
    out = await call.state.objects.create(
        call.res, i.workspace, i.namespace, obj, dry_run=dry, manager=manager, requester=call.requester,
    )
    return respond(out, status=201)


async def update(call: Call) -> web.StreamResponse:
    i = call.info
    obj = await body_object(call)
    out = await call.state.objects.update(
        call.res, i.workspace, i.namespace, i.name, obj, subresource=i.subresource,
        dry_run=dry_run(call.request), manager=field_manager(call.request),
    )
    return respond(out)


async def delete_options(call: Call) -> Obj:
    """DeleteOptions as kube-apiserver's delete handlers read them: from the body when there
    is one (the query is then ignored, dryRun included: kubectl sends it there), else from
    the query; then checked as metav1 validation.ValidateDeleteOptions does (422 Invalid)."""
    body = await read_body(call.request)
    opts: Obj = {}
    if body.strip():
        opts = decode_object(body, media_type(call.request))
        # fields of the wrong JSON type are refused as decoding into metav1.DeleteOptions does
        wrong = schemas.type_errors(opts, schemas.for_kind("", "v1", "DeleteOptions"), struct="DeleteOptions")
        if wrong:
            field, wanted, found = wrong[0]
            raise errors.bad_request(f"json: cannot unmarshal {found} into Go struct field {field} of type {wanted}")
    else:
        q = call.request.query
        if q.get("propagationPolicy"):
            opts["propagationPolicy"] = q["propagationPolicy"]
        if q.get("orphanDependents"):
            opts["orphanDependents"] = query_bool(call.request, "orphanDependents")
        if "dryRun" in q:
            opts["dryRun"] = q.getall("dryRun")
        if q.get("gracePeriodSeconds"):
            try:
                opts["gracePeriodSeconds"] = int(q["gracePeriodSeconds"])
            except ValueError:
                raise errors.bad_request(f'strconv.ParseInt: parsing "{q["gracePeriodSeconds"]}": invalid syntax') from None
    grace = opts.get("gracePeriodSeconds")
    if grace is not None and (not isinstance(grace, int) or isinstance(grace, bool)):
        raise errors.bad_request("DeleteOptions.gracePeriodSeconds: must be an integer")
    causes: list[dict[str, str]] = []
    policy = opts.get("propagationPolicy")
    if opts.get("orphanDependents") is not None and policy is not None:
        causes.append({"reason": "FieldValueInvalid", "field": "propagationPolicy",
                       "message": f'Invalid value: "{policy}": orphanDependents and deletionPropagation cannot be both set'})
    if policy is not None and policy not in ("Foreground", "Background", "Orphan"):
        causes.append({"reason": "FieldValueNotSupported", "field": "propagationPolicy",
                       "message": f'Unsupported value: "{policy}": supported values: "Foreground", "Background", "Orphan", "nil"'})
    dry = opts.get("dryRun") or []
    if any(v != "All" for v in dry):
        causes.append({"reason": "FieldValueNotSupported", "field": "dryRun",
                       "message": f'Unsupported value: {golang.marshal(dry)}: supported values: "All"'})
    if causes:
        raise errors.invalid("meta.k8s.io", "DeleteOptions", "", causes)
    return opts


def propagation(opts: Obj) -> str:
    policy = opts.get("propagationPolicy")
    if policy is None and opts.get("orphanDependents") is True:
        policy = "Orphan"
    return str(policy or "Background")


# Kinds whose registry stores set ReturnDeletedObject: a delete answers with the object;
# any other kind answers with a Status once the object is gone (registry/store.go finalizeDelete)
RETURN_DELETED = {("", r) for r in ("pods", "services", "serviceaccounts", "namespaces", "persistentvolumes",
                                    "persistentvolumeclaims")} | {
    ("storage.k8s.io", r) for r in ("storageclasses", "csidrivers", "csinodes", "volumeattachments")} | {
    # kube holds a deleted CRD with its customresourcecleanup finalizer and answers with it
    ("apiextensions.k8s.io", "customresourcedefinitions")}


def deleted_response(call: Call, out: Obj) -> web.Response:
    """The answer to a delete: the object while finalizers hold it, else a Success Status
    naming it (or the object itself for the RETURN_DELETED kinds)."""
    res, meta = call.res, out.get("metadata", {})
    if meta.get("finalizers") or (res.group, res.resource) in RETURN_DELETED or res.group.endswith("vapi.dev"):
        return respond(out)
    details: Obj = {"name": meta.get("name", "")}
    if res.group:
        details["group"] = res.group
    details["kind"] = res.resource
    details["uid"] = meta.get("uid", "")
    return respond({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "details": details})


async def delete(call: Call) -> web.StreamResponse:
    i = call.info
    opts = await delete_options(call)
    policy = propagation(opts)
    dry = bool(opts.get("dryRun"))
    if call.res.group == "" and call.res.resource == "namespaces" and i.name in IMMORTAL_NAMESPACES:
        raise errors.forbidden(f'namespaces "{i.name}" is forbidden: this namespace may not be deleted')
    out = await call.state.objects.delete(
        call.res, i.workspace, i.namespace, i.name,
        preconditions=opts.get("preconditions"), dry_run=dry, propagation=policy,
        graceful=True, grace_period=opts.get("gracePeriodSeconds"),
    )
    if dry:
        return deleted_response(call, out)
    if call.res.resource == "namespaces" and out["metadata"].get("deletionTimestamp"):
        call.state.terminate_namespace(i.workspace, i.name)
    else:
        call.state.gc.deleted(i.workspace, call.res, out, policy)
    return deleted_response(call, out)


async def delete_collection(call: Call) -> web.StreamResponse:
    i = call.info
    delete_opts = await delete_options(call)
    policy = propagation(delete_opts)
    dry = bool(delete_opts.get("dryRun"))
    opts = list_options(call)
    listed = await call.state.objects.list(call.res, i.workspace, i.namespace, opts)
    for item in listed["items"]:
        meta = item["metadata"]
        try:
            out = await call.state.objects.delete(
                call.res, i.workspace, meta.get("namespace", ""), meta["name"],
                dry_run=dry, propagation=policy, graceful=True, grace_period=delete_opts.get("gracePeriodSeconds"),
            )
        except errors.APIError as e:
            if e.code != 404:
                raise
            continue
        if not dry:
            call.state.gc.deleted(i.workspace, call.res, out, policy)
    return respond(listed)
