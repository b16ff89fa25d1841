"""The /scale subresource (autoscaling/v1 Scale) of workloads: spec.replicas in, status
replicas and selector out."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiohttp import web

from vapi import errors, schemas
from vapi.handlers import Call
from vapi.http import check_depth, dry_run, field_manager, respond

Obj = dict[str, Any]


def SCALE_SCHEMA() -> schemas.Schema | None:  # noqa: N802 - a constant computed on first use
    return schemas.for_kind("autoscaling", "v1", "Scale")


def selector_string(obj: Obj) -> str:
    sel = (obj.get("spec") or {}).get("selector") or {}
    if not isinstance(sel, dict):
        return ""
    if "matchLabels" not in sel and "matchExpressions" not in sel:  # ReplicationController
        return ",".join(f"{k}={v}" for k, v in sorted(sel.items()))
    parts = [f"{k}={v}" for k, v in sorted((sel.get("matchLabels") or {}).items())]
    for e in sel.get("matchExpressions") or []:
        op, key, values = e.get("operator"), e.get("key"), e.get("values") or []
        if op == "In":
            parts.append(f"{key} in ({','.join(values)})")
        elif op == "NotIn":
            parts.append(f"{key} notin ({','.join(values)})")
        elif op == "Exists":
            parts.append(str(key))
        elif op == "DoesNotExist":
            parts.append(f"!{key}")
    return ",".join(parts)


BUILTIN_PATHS = {"specReplicasPath": ".spec.replicas", "statusReplicasPath": ".status.replicas"}


def _path(path: str) -> list[str]:
    return [p for p in path.split(".") if p]


def _read(obj: Obj, path: str) -> Any:
    cur: Any = obj
    for p in _path(path):
        cur = cur.get(p) if isinstance(cur, dict) else None
    return cur


def _store(obj: Obj, path: str, value: Any) -> None:
    parts = _path(path)
    cur = obj
    for p in parts[:-1]:
        cur = cur.setdefault(p, {})
    cur[parts[-1]] = value


def paths(res: Any) -> dict[str, str]:
    """Where replicas live: fixed for built-in workloads, the CRD's paths for custom ones."""
    return res.scale if getattr(res, "scale", None) else BUILTIN_PATHS


def to_scale(obj: Obj, where: dict[str, str] = BUILTIN_PATHS) -> Obj:
    meta = obj["metadata"]
    spec = _read(obj, where["specReplicasPath"])
    status: Obj = {"replicas": _read(obj, where.get("statusReplicasPath", "")) or 0}
    if where is BUILTIN_PATHS:
        status["selector"] = selector_string(obj)
    elif where.get("labelSelectorPath") and _read(obj, where["labelSelectorPath"]) is not None:
        status["selector"] = _read(obj, where["labelSelectorPath"])
    return {
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": {k: meta[k] for k in ("name", "namespace", "uid", "resourceVersion", "creationTimestamp") if k in meta},
        "spec": {"replicas": spec if spec is not None else (1 if where is BUILTIN_PATHS else 0)},
        "status": status,
    }


async def get(call: Call) -> web.StreamResponse:
    i = call.info
    obj = await call.state.objects.get(call.res, i.workspace, i.namespace, i.name)
    return respond(to_scale(obj, paths(call.res)))


async def _write(call: Call, change: Callable[[Obj], Obj]) -> web.StreamResponse:
    i = call.info
    objects = call.state.objects
    for _ in range(5):
        obj = await objects.get(call.res, i.workspace, i.namespace, i.name)
        where = paths(call.res)
        scale = change(to_scale(obj, where))
        wrong = schemas.type_errors(scale, SCALE_SCHEMA(), struct="Scale")
        if wrong:  # as decoding into autoscaling/v1 Scale says it
            field, wanted, found = wrong[0]
            raise errors.bad_request(f'Scale in version "v1" cannot be handled as a Scale: json: cannot unmarshal {found} '
                                     f"into Go struct field {field} of type {wanted}")
        replicas = (scale.get("spec") or {}).get("replicas")
        if not isinstance(replicas, int) or isinstance(replicas, bool) or replicas < 0:
            raise errors.invalid("autoscaling", "Scale", i.name, [{
                "reason": "FieldValueInvalid", "field": "spec.replicas",
                "message": f"Invalid value: {replicas!r}: must be greater than or equal to 0"}])
        wanted_rv = (scale.get("metadata") or {}).get("resourceVersion")
        if wanted_rv and wanted_rv != obj["metadata"]["resourceVersion"]:
            raise errors.conflict(call.res.group, call.res.resource, i.name, errors.MODIFIED)
        _store(obj, where["specReplicasPath"], replicas)
        try:
            out = await objects.update(
                call.res, i.workspace, i.namespace, i.name, obj, dry_run=dry_run(call.request),
                manager=field_manager(call.request), recorded_as="scale",
            )
        except errors.APIError as e:
            if e.code == 409 and not wanted_rv:
                continue
            raise
        return respond(to_scale(out, where))
    raise errors.conflict(call.res.group, call.res.resource, i.name, errors.MODIFIED)


async def update(call: Call) -> web.StreamResponse:
    from vapi.http import decode_object, media_type, read_body

    body = decode_object(await read_body(call.request), media_type(call.request))
    if body.get("kind", "Scale") != "Scale":
        raise errors.bad_request(f"the kind in the data ({body.get('kind')}) does not match the expected kind (Scale)")
    return await _write(call, lambda current: {**current, **{k: v for k, v in body.items() if k in ("spec", "metadata")}})


async def patch(call: Call, apply: Callable[[Obj], Any]) -> web.StreamResponse:
    def change(current: Obj) -> Obj:
        out = apply(current)
        if not isinstance(out, dict):
            raise errors.bad_request("the patched Scale is not an object")
        check_depth(out)
        return out

    return await _write(call, change)
