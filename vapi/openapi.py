"""OpenAPI documents of the built-in kinds and vapi's own: /openapi/v2 (JSON, or gnostic protobuf, which
kubectl 1.35 insists on) and /openapi/v3 (a root index and one document per group-version).

The schemas come from `vapi.schemas` (kubernetes-validate's JSON Schema form of the
Kubernetes definitions) turned back into OpenAPI: single `type`s, `$ref`s into
`#/definitions/` (v2) or `#/components/schemas/` (v3), IntOrString and Quantity as
kube-apiserver publishes them. The `x-kubernetes-*` metadata (group-version-kind, list types,
patch strategy and merge keys) is kept, since clients read it.

The protobuf form is the gnostic `openapi.v2.Document` message
(github.com/google/gnostic/openapiv2/OpenAPIv2.proto), encoded here field by field.
"""

from __future__ import annotations

import functools
import hashlib
import struct
from typing import Any

import orjson
import yaml

from vapi import kindschemas, schemas
from vapi.resources import Registry

# Clients ask for the "@" form (and the dotted one); responses carry the dotted form, since
# "@" is not a valid media type character (Go's mime parser rejects it).
PROTOBUF_V2_ACCEPT = ("application/com.github.proto-openapi.spec.v2@v1.0+protobuf",
                      "application/com.github.proto-openapi.spec.v2.v1.0+protobuf")
PROTOBUF_V2 = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"
Json = Any

SPECIAL = {
    "io.k8s.apimachinery.pkg.util.intstr.IntOrString": {
        "type": "string", "format": "int-or-string",
        "description": "IntOrString is a type that can hold an int32 or a string.",
    },
    "io.k8s.apimachinery.pkg.api.resource.Quantity": {
        "type": "string",
        "description": "Quantity is a fixed-point representation of a number.",
    },
}


def _convert(node: Json, ref_prefix: str, prop: str = "", *, root: bool = True) -> Json:
    """`prop` names a property of the definition's root (`root`: node is the definition)."""
    if isinstance(node, list):
        return [_convert(x, ref_prefix, root=False) for x in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Json] = {}
    for k, v in node.items():
        if k in ("$schema", "$id") or k == kindschemas.REFUSED:
            continue  # (vapi's mark of the objects whose unknown fields its validation refuses: not published)
        if k == "$ref" and isinstance(v, str):
            out["$ref"] = ref_prefix + v.rsplit("/", 1)[-1]
        elif k == "type" and isinstance(v, list):
            kinds = [t for t in v if t != "null"]
            if kinds:
                out["type"] = kinds[0]
        elif k == "enum" and isinstance(v, list):
            if prop in ("apiVersion", "kind"):
                continue  # kube-apiserver does not pin these in its schemas
            values = [x for x in v if x is not None]
            if values:
                out["enum"] = values
        elif k == "properties" and isinstance(v, dict):
            out["properties"] = {name: _convert(s, ref_prefix, name if root else "", root=False) for name, s in v.items()}
        elif k == "oneOf" and isinstance(v, list):
            continue  # only IntOrString and Quantity use it; they are replaced whole
        else:
            out[k] = _convert(v, ref_prefix, root=False)
    if "$ref" in out and len(out) > 1 and ref_prefix.startswith("#/components/"):
        # OpenAPI 3.0 ignores what sits next to a $ref: kube-apiserver's v3 documents wrap it in
        # allOf, which keeps a field's own description (kubectl explain prints it)
        return {"allOf": [{"$ref": out.pop("$ref")}], **out}
    return out


@functools.cache
def definitions(ref_prefix: str) -> dict[str, Json]:
    out = {}
    for name, schema in sorted(schemas.definitions().items()):
        # a kind's own apiVersion and kind carry no enum (a struct's `kind` field, as in a
        # grant's subject, keeps its own)
        out[name] = dict(SPECIAL[name]) if name in SPECIAL else _convert(
            schema, ref_prefix, root="x-kubernetes-group-version-kind" in schema)
    return out


@functools.lru_cache(maxsize=32)
def v2_document(registry: Registry) -> dict[str, Json]:
    """The built-in definitions, plus each custom resource's schema (a workspace's own)."""
    defs = definitions("#/definitions/")
    custom = {}
    for g in registry.groups:
        for v in g.versions:
            for r in registry.resources(g.group, v) or []:
                if r.schema is not None:
                    name = ".".join(reversed(g.group.split("."))) + f".{v}.{r.kind}"
                    custom[name] = {**_convert(r.schema, "#/definitions/"),
                                    "x-kubernetes-group-version-kind": [{"group": g.group, "version": v, "kind": r.kind}]}
    return {
        "swagger": "2.0",
        "info": {"title": "Kubernetes", "version": f"v{schemas.KUBE_VERSION}"},
        "paths": {},
        "definitions": {**defs, **custom} if custom else defs,
    }


@functools.lru_cache(maxsize=32)
def v2_json(registry: Registry) -> bytes:
    return orjson.dumps(v2_document(registry))


@functools.lru_cache(maxsize=32)
def v2_protobuf(registry: Registry) -> bytes:
    return encode_document(v2_document(registry))


def etag(body: bytes) -> str:
    return '"' + hashlib.sha512(body).hexdigest()[:32].upper() + '"'


# -- v3 ------------------------------------------------------------------------------------


def v3_path(group: str, version: str) -> str:
    return f"api/{version}" if not group else f"apis/{group}/{version}"


def _referenced(names: set[str], defs: dict[str, Json]) -> set[str]:
    """The closure of definitions reachable from `names`."""
    seen: set[str] = set()
    todo = list(names)
    while todo:
        name = todo.pop()
        if name in seen or name not in defs:
            continue
        seen.add(name)
        stack = [defs[name]]
        while stack:
            node = stack.pop()
            if isinstance(node, dict):
                ref = node.get("$ref")
                if isinstance(ref, str):
                    todo.append(ref.rsplit("/", 1)[-1])
                stack.extend(node.values())
            elif isinstance(node, list):
                stack.extend(node)
    return seen


@functools.lru_cache(maxsize=32)  # one entry per registry: the built-in one, and each workspace's with CRDs
def v3_documents(registry: Registry) -> dict[str, bytes]:
    """Every group-version's OpenAPI v3 document, by path (`apis/apps/v1`)."""
    defs = definitions("#/components/schemas/")
    raw = schemas.definitions()
    by_gv: dict[tuple[str, str], set[str]] = {}
    for name, schema in raw.items():
        for gvk in schema.get("x-kubernetes-group-version-kind", ()):
            by_gv.setdefault((gvk.get("group", ""), gvk.get("version", "")), set()).add(name)
    docs = {}
    for g in registry.groups:
        for v in g.versions:
            names = _referenced(by_gv.get((g.group, v), set()), defs)
            components = {n: defs[n] for n in sorted(names)}
            paths = _v3_paths(registry, g.group, v)
            for r in registry.resources(g.group, v) or []:
                if r.schema is None:
                    continue
                # a custom resource: its CRD's schema, under kube's naming (reversed group)
                name = ".".join(reversed(g.group.split("."))) + f".{v}.{r.kind}"
                components[name] = {**_convert(r.schema, "#/components/schemas/"),
                                    "x-kubernetes-group-version-kind": [{"group": g.group, "version": v, "kind": r.kind}]}
                for n in _referenced({"io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"}, defs):
                    components.setdefault(n, defs[n])
                paths[_resource_path(g.group, v, r)] = _item_operations(g.group, v, r.kind, name, r.verbs)
            doc = {
                "openapi": "3.0.0",
                "info": {"title": "Kubernetes", "version": f"v{schemas.KUBE_VERSION}"},
                "paths": paths,
                "components": {"schemas": components},
            }
            docs[v3_path(g.group, v)] = orjson.dumps(doc)
    return docs


def _resource_path(group: str, version: str, r: Any) -> str:
    base = f"/api/{version}" if not group else f"/apis/{group}/{version}"
    return f"{base}/namespaces/{{namespace}}/{r.resource}/{{name}}" if r.namespaced else f"{base}/{r.resource}/{{name}}"


def _query(name: str, description: str, kind: str = "string") -> Json:
    return {"name": name, "in": "query", "description": description, "schema": {"type": kind, "uniqueItems": True}}


# the write options kube-apiserver's paths declare; kubectl reads them from the PATCH operation
# to decide whether the server validates fields (else it validates on the client) and dry-runs
_DRY_RUN = _query("dryRun", "When present, indicates that modifications should not be persisted.")
_FIELD_MANAGER = _query("fieldManager", "fieldManager is a name associated with the actor or entity that is making these changes.")
_FIELD_VALIDATION = _query("fieldValidation", "fieldValidation instructs the server on how to handle objects in the request "
                           "containing unknown or duplicate fields: Ignore, Warn or Strict.")
_FORCE = _query("force", "Force is going to \"force\" Apply requests.", "boolean")


def _item_operations(group: str, version: str, kind: str, schema_name: str, verbs: Any) -> Json:
    """A resource's item path: get, and the writes its verbs allow, each carrying the GVK the
    way kube-apiserver's paths do (kubectl explain finds a kind through them)."""
    gvk = {"group": group, "version": version, "kind": kind}
    ok = {"description": "OK", "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema_name}"}}}}

    def operation(action: str, verb: str, params: list[Json]) -> Json:
        return {"operationId": f"{verb}{kind}", "parameters": params, "responses": {"200": ok},
                "x-kubernetes-action": action, "x-kubernetes-group-version-kind": gvk}

    ops: Json = {"get": operation("get", "read", [])}
    if "update" in verbs:
        ops["put"] = operation("put", "replace", [_DRY_RUN, _FIELD_MANAGER, _FIELD_VALIDATION])
    if "patch" in verbs:
        ops["patch"] = operation("patch", "patch", [_DRY_RUN, _FIELD_MANAGER, _FIELD_VALIDATION, _FORCE])
    if "delete" in verbs:
        ops["delete"] = operation("delete", "delete", [_DRY_RUN])
    return ops


def _v3_paths(registry: Registry, group: str, version: str) -> dict[str, Json]:
    """One item path per built-in resource with a schema."""
    paths: dict[str, Json] = {}
    for r in registry.resources(group, version) or []:
        if schemas.for_kind(group, version, r.kind) is None or "get" not in r.verbs:
            continue
        name = schemas.definition_name(group, version, r.kind)
        paths[_resource_path(group, version, r)] = _item_operations(group, version, r.kind, name, r.verbs)
    return paths


def v3_root(registry: Registry) -> dict[str, Json]:
    paths = {}
    for path, body in v3_documents(registry).items():
        digest = hashlib.sha512(body).hexdigest()[:64].upper()
        paths[path] = {"serverRelativeURL": f"/openapi/v3/{path}?hash={digest}"}
    return {"paths": paths}


def v3_hash(body: bytes) -> str:
    return hashlib.sha512(body).hexdigest()[:64].upper()


# -- gnostic protobuf ------------------------------------------------------------------------


def _varint(n: int) -> bytes:
    if n < 0:
        n += 1 << 64
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def _key(field: int, wire: int) -> bytes:
    return _varint((field << 3) | wire)


def _bytes(field: int, data: bytes) -> bytes:
    return _key(field, 2) + _varint(len(data)) + data


def _str(field: int, s: str) -> bytes:
    return _bytes(field, s.encode()) if s else b""


def _bool(field: int, b: bool) -> bytes:
    return _key(field, 0) + b"\x01" if b else b""


def _int(field: int, n: int) -> bytes:
    return _key(field, 0) + _varint(n) if n else b""


def _double(field: int, x: float) -> bytes:
    return _key(field, 1) + struct.pack("<d", float(x))


def _any(field: int, value: Json) -> bytes:
    text = yaml.safe_dump(value, default_flow_style=False, sort_keys=False)
    if text.endswith("...\n"):
        text = text[: -len("...\n")]
    return _bytes(field, _str(2, text))  # Any.yaml = 2


def _named_any(field: int, name: str, value: Json) -> bytes:
    return _bytes(field, _str(1, name) + _any(2, value))


def encode_schema(s: Json) -> bytes:
    if not isinstance(s, dict):
        return b""
    out = bytearray()
    out += _str(1, s.get("$ref", ""))
    out += _str(2, s.get("format", ""))
    out += _str(3, s.get("title", ""))
    out += _str(4, s.get("description", ""))
    if "default" in s:
        out += _any(5, s["default"])
    if "multipleOf" in s:
        out += _double(6, s["multipleOf"])
    if "maximum" in s:
        out += _double(7, s["maximum"])
    out += _bool(8, bool(s.get("exclusiveMaximum")))
    if "minimum" in s:
        out += _double(9, s["minimum"])
    out += _bool(10, bool(s.get("exclusiveMinimum")))
    out += _int(11, int(s.get("maxLength", 0)))
    out += _int(12, int(s.get("minLength", 0)))
    out += _str(13, s.get("pattern", ""))
    out += _int(14, int(s.get("maxItems", 0)))
    out += _int(15, int(s.get("minItems", 0)))
    out += _bool(16, bool(s.get("uniqueItems")))
    out += _int(17, int(s.get("maxProperties", 0)))
    out += _int(18, int(s.get("minProperties", 0)))
    for r in s.get("required", ()):
        out += _str(19, r)
    for e in s.get("enum", ()):
        out += _any(20, e)
    extra = s.get("additionalProperties")
    if isinstance(extra, dict):
        out += _bytes(21, _bytes(1, encode_schema(extra)))
    elif isinstance(extra, bool):
        out += _bytes(21, _key(2, 0) + (b"\x01" if extra else b"\x00"))
    if "type" in s:
        types = s["type"] if isinstance(s["type"], list) else [s["type"]]
        out += _bytes(22, b"".join(_str(1, t) for t in types))
    items = s.get("items")
    if isinstance(items, dict):
        out += _bytes(23, _bytes(1, encode_schema(items)))
    for sub in s.get("allOf", ()):
        out += _bytes(24, encode_schema(sub))
    props = s.get("properties")
    if isinstance(props, dict):
        out += _bytes(25, b"".join(_bytes(1, _str(1, n) + _bytes(2, encode_schema(p))) for n, p in props.items()))
    out += _bool(27, bool(s.get("readOnly")))
    for k, v in s.items():
        if k.startswith("x-"):
            out += _named_any(31, k, v)
    return bytes(out)


def encode_document(doc: Json) -> bytes:
    out = bytearray()
    out += _str(1, doc["swagger"])
    info = doc.get("info", {})
    out += _bytes(2, _str(1, info.get("title", "")) + _str(2, info.get("version", "")))
    out += _bytes(8, b"")  # paths: none published
    defs = b"".join(
        _bytes(1, _str(1, name) + _bytes(2, encode_schema(schema))) for name, schema in doc["definitions"].items()
    )
    out += _bytes(9, defs)
    return bytes(out)
