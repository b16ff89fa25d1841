"""Schemas of the built-in kinds, from the `kubernetes-validate` package (the Kubernetes
OpenAPI definitions as JSON Schema, with the `x-kubernetes-*` list and patch metadata), and of
vapi's own kinds (vapi/kindschemas.py, in the same form). Loaded once, on first use."""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Callable
from typing import Any

from vapi import clock, kindschemas, kubeproto, quantity

KUBE_VERSION = "1.35.0"
Schema = dict[str, Any]


@functools.cache
def definitions() -> dict[str, Schema]:
    import kubernetes_validate

    base = os.path.dirname(os.path.abspath(kubernetes_validate.__file__))
    path = os.path.join(base, "kubernetes-json-schema", f"v{KUBE_VERSION}-local", "_definitions.json")
    with open(path) as f:
        defs: dict[str, Schema] = json.load(f)["$defs"]
    defs.update(kindschemas.definitions())
    return defs


@functools.cache
def _by_gvk() -> dict[tuple[str, str, str], str]:
    out = {}
    for name, schema in definitions().items():
        for gvk in schema.get("x-kubernetes-group-version-kind", ()):
            out[(gvk.get("group", ""), gvk.get("version", ""), gvk.get("kind", ""))] = name
    return out


def definition_name(group: str, version: str, kind: str) -> str:
    """The name of a built-in kind's definition ("" when there is none)."""
    return _by_gvk().get((group, version, kind), "")


def for_kind(group: str, version: str, kind: str) -> Schema | None:
    name = _by_gvk().get((group, version, kind))
    return definitions()[name] if name else None


def of_resource(res: Any) -> Schema | None:
    """The schema of a resource's kind: a custom resource's comes from its CRD."""
    if getattr(res, "schema", None) is not None:
        return res.schema  # type: ignore[no-any-return]
    return for_kind(res.group, res.version, res.kind)


def resolve(schema: Schema | None) -> Schema | None:
    """Follow `$ref` (and a single-entry allOf) to the schema it names."""
    seen = 0
    while schema is not None and seen < 32:
        seen += 1
        ref = schema.get("$ref")
        if isinstance(ref, str):
            schema = definitions().get(ref.rsplit("/", 1)[-1])
            continue
        all_of = schema.get("allOf")
        if isinstance(all_of, list) and len(all_of) == 1:
            schema = all_of[0]
            continue
        return schema
    return schema


def field(schema: Schema | None, name: str) -> Schema | None:
    """The schema of property `name` (keeping the property's own x- metadata)."""
    node = resolve(schema)
    if node is None:
        return None
    prop = (node.get("properties") or {}).get(name)
    if prop is not None:
        return dict(prop)
    extra = node.get("additionalProperties")
    return extra if isinstance(extra, dict) else None


def items(schema: Schema | None) -> Schema | None:
    node = resolve(schema)
    if node is None:
        return None
    it = node.get("items")
    return it if isinstance(it, dict) else None


def unknown_fields(obj: Any, schema: Schema | None, path: str = "", *, prune: bool = False) -> list[str]:
    """Paths of fields the schema does not declare (what kube-apiserver's decoding reports:
    `unknown field "spec.foo"`); with `prune`, they are also removed from `obj`, as decoding
    into kube's typed objects drops them. Maps (additionalProperties) and schemaless or
    preserve-unknown-fields nodes accept anything. Objects marked `kindschemas.REFUSED` keep
    theirs even with `prune`: vapi's own validation refuses them, naming them."""
    node = resolve(schema)
    if node is None or node.get("x-kubernetes-preserve-unknown-fields"):
        return []
    keep = bool(node.get(kindschemas.REFUSED) or (schema or {}).get(kindschemas.REFUSED))
    out: list[str] = []
    if isinstance(obj, dict):
        props = node.get("properties")
        extra = node.get("additionalProperties")
        if props is None and extra is None:
            return []
        for k in list(obj):
            v = obj[k]
            child = f"{path}.{k}" if path else k
            if props is not None and k in props:
                out += unknown_fields(v, props[k], child, prune=prune)
            elif isinstance(extra, dict):
                out += unknown_fields(v, extra, child, prune=prune)
            elif extra is True:
                continue
            else:
                out.append(child)
                if prune and not keep:
                    del obj[k]
    elif isinstance(obj, list):
        item = node.get("items")
        if isinstance(item, dict):
            for n, v in enumerate(obj):
                out += unknown_fields(v, item, f"{path}[{n}]", prune=prune)
    return out


_JSON_KIND = {str: "string", bool: "bool", int: "number", float: "number", list: "array", dict: "object"}


def ref_name(schema: Schema | None) -> str:
    """The definition a schema refers to (`io.k8s.api.apps.v1.DeploymentSpec`), or ""."""
    seen = 0
    while isinstance(schema, dict) and seen < 8:
        seen += 1
        ref = schema.get("$ref")
        if isinstance(ref, str):
            return ref.rsplit("/", 1)[-1]
        all_of = schema.get("allOf")
        schema = all_of[0] if isinstance(all_of, list) and len(all_of) == 1 else None
    return ""


def go_type(schema: Schema | None) -> str:
    """The Go type kube decodes a schema's values into, as encoding/json names it in errors:
    `int32`, `bool`, `v1.LabelSelector`, `[]v1.Container`, `map[string]string`."""
    name = ref_name(schema)
    if name:
        parts = name.split(".")
        short = {"IntOrString": "intstr.IntOrString", "Quantity": "resource.Quantity"}.get(parts[-1])
        return short or (f"{parts[-2]}.{parts[-1]}" if len(parts) > 1 else parts[-1])
    node = resolve(schema) or {}
    if node.get("x-kubernetes-int-or-string"):
        return "intstr.IntOrString"
    kind = node.get("type")
    kind = kind if isinstance(kind, str) else next((t for t in kind or [] if t != "null"), "")
    if kind == "array":
        return "[]" + go_type(node.get("items") if isinstance(node.get("items"), dict) else None)
    if kind == "object":
        extra = node.get("additionalProperties")
        return f"map[string]{go_type(extra)}" if isinstance(extra, dict) else "map[string]interface {}"
    return {"integer": str(node.get("format", "int64")), "boolean": "bool", "number": "float64",
            "string": "string"}.get(str(kind), "interface {}")


def _accepts(node: Schema) -> Callable[[Any], bool]:
    """The test of whether a value fits the node's JSON type."""
    if node.get("x-kubernetes-int-or-string"):
        return lambda v: isinstance(v, (int, str)) and not isinstance(v, bool)
    if isinstance(node.get("oneOf"), list):  # IntOrString, Quantity
        return lambda v: not isinstance(v, bool) and isinstance(v, (str, int, float))
    types = node.get("type")
    kind = types if isinstance(types, str) or types is None else next((t for t in types if t != "null"), None)
    if kind == "integer":
        low, high = _INT_RANGES.get(str(node.get("format")), _INT_RANGES["int64"])
        return lambda v: _TYPE_CHECKS["integer"](v) and low <= v <= high
    return _TYPE_CHECKS.get(kind, _anything) if isinstance(kind, str) else _anything


# what Go's integer types hold; encoding/json refuses a number beyond them
_INT_RANGES = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}


def _anything(value: Any) -> bool:
    return True


_TYPE_CHECKS: dict[str, Callable[[Any], bool]] = {
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "integer": lambda v: (isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, float) and v.is_integer()),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
}

# (type test, Go struct name, properties, map value schema, list item schema, the schema
# itself, which keeps its id from being reused) of a built-in schema node; None for a node
# that accepts anything
_TypePlan = tuple[Callable[[Any], bool], str, dict[str, Any], Any, Any, Schema | None] | None
_type_plans: dict[int, _TypePlan] = {}


# apiextensions/v1's either-types, which OpenAPI leaves untyped; their UnmarshalJSON
# (apiextensions/v1/marshal.go) decodes an object as a JSONSchemaProps, an array as
# []JSONSchemaProps or []string, and ignores other values but for OrBool, which takes a
# boolean and refuses anything else: (accepts, what an array holds)
_PROPS = "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps"
_EITHER: dict[str, tuple[Callable[[Any], bool], Schema | None]] = {
    _PROPS + "OrArray": (_anything, {"$ref": f"#/$defs/{_PROPS}"}),
    _PROPS + "OrStringArray": (_anything, {"type": "string"}),
    _PROPS + "OrBool": (lambda v: isinstance(v, (dict, bool)), None),
}


def _type_plan(schema: Schema | None) -> _TypePlan:
    if id(schema) in _type_plans:
        return _type_plans[id(schema)]
    node = resolve(schema)
    plan: _TypePlan = None
    either = _EITHER.get(ref_name(schema))
    if either is not None:
        props = resolve({"$ref": f"#/$defs/{_PROPS}"}) or {}
        plan = (either[0], "JSONSchemaProps", props.get("properties") or {}, None, either[1], schema)
    elif node is not None and not node.get("x-kubernetes-preserve-unknown-fields"):
        extra, item = node.get("additionalProperties"), node.get("items")
        plan = (_accepts(node), ref_name(schema).rsplit(".", 1)[-1], node.get("properties") or {},
                extra if isinstance(extra, dict) else None, item if isinstance(item, dict) else None, schema)
    _type_plans[id(schema)] = plan
    return plan


def type_errors(obj: Any, schema: Schema | None, path: str = "", struct: str = "") -> list[tuple[str, str, str]]:
    """(field, expected Go type, JSON kind found) for values of the wrong JSON type, which
    kube-apiserver's decoding into typed objects refuses; null is accepted anywhere. The
    field is named as Go's encoding/json names it: the innermost struct type, then the path
    from the top without list indices or map keys (`DeploymentSpec.spec.replicas`).
    For built-in and vapi kinds' schemas (they are walked by a cached plan)."""
    if obj is None:
        return []
    plan = _type_plan(schema)
    if plan is None:
        return []
    accepts, name, props, extra, item, _ = plan
    if not accepts(obj):
        wanted, found = go_type(schema), _JSON_KIND.get(type(obj), type(obj).__name__)
        if found == "number" and wanted in ("int32", "int64"):
            # encoding/json names the number it could not store in an integer
            found = f"number {int(obj) if isinstance(obj, int) or obj.is_integer() else obj}"
        return [(f"{struct}.{path}" if path else struct, wanted, found)]
    out: list[tuple[str, str, str]] = []
    inner = name or struct
    if type(obj) is dict:
        for k, v in obj.items():
            if k in props:
                if v is not None:
                    out += type_errors(v, props[k], f"{path}.{k}" if path else k, inner)
            elif extra is not None:
                out += type_errors(v, extra, path, inner)
    elif type(obj) is list and item is not None:
        for v in obj:
            out += type_errors(v, item, path, inner)
    return out


QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity"
TIME = "io.k8s.apimachinery.pkg.apis.meta.v1.Time"
MICRO_TIME = "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime"


def as_decoded(obj: Any, schema: Schema | None, *, times: bool = True) -> Any:
    """`obj` as kube-apiserver's decoding into the Go types leaves it, changed in place where
    it is a container and returned: a struct's null fields are gone (omitted, or defaulted
    later), a null in a string map is "", every resource.Quantity is in canonical form
    (`0.5` -> `500m`) and every metav1.Time and MicroTime in UTC as they print it
    (`...T03:04:05.6+01:00` -> `...T02:04:05Z`). Raises quantity.QuantityError for a value
    that is no quantity, clock.TimeError for one that is no time, which the decoding refuses.
    For built-in kinds' schemas (they are walked by a cached plan); `times` False leaves
    times as they are (vapi's own kinds, whose validation names a bad one)."""
    shape, inner, zero, omit, _ = _plan(schema)
    if shape == _QUANTITY:
        return obj if obj is None else quantity.normalized(obj)
    if shape == _TIME and type(obj) is str:
        return clock.decoded(obj, micro=inner) if times else obj
    if shape == _STRUCT and type(obj) is dict:
        # null fields, and omitempty fields at their zero value, are what Go leaves out
        gone = [k for k, v in obj.items() if (v is None and k in inner)
                or (k in omit and type(v) is type(omit[k]) and v == omit[k])]
        for k in gone:
            del obj[k]
        for k, v in obj.items():
            if (type(v) in (dict, list) and k in inner) or k in zero:
                obj[k] = as_decoded(v, inner[k], times=times)
    elif shape == _MAP and type(obj) is dict:
        descend = _plan(inner)[0] != _LEAF
        for k, v in obj.items():
            if v is None:
                if zero is not None:
                    obj[k] = zero
            elif descend:
                obj[k] = as_decoded(v, inner, times=times)
    elif shape == _LIST and type(obj) is list and _plan(inner)[0] != _LEAF:
        for n, v in enumerate(obj):
            if v is not None:
                obj[n] = as_decoded(v, inner, times=times)
    return obj


_LEAF, _QUANTITY, _TIME, _STRUCT, _MAP, _LIST = range(6)
_Plan = tuple[int, Any, Any, dict[str, Any], Schema | None]
_plans: dict[int, _Plan] = {}


def _plan(schema: Schema | None) -> _Plan:
    """(shape, properties | element schema | a time's being a MicroTime, a null map value's
    replacement | a struct's Quantity and time fields, a struct's omitempty fields with their
    empty values, the schema itself, which keeps its id from being reused) of a built-in
    schema node."""
    plan = _plans.get(id(schema))
    if plan is not None:
        return plan
    node = resolve(schema)
    shape, inner = _LEAF, None
    zero: Any = None
    omit: dict[str, Any] = {}
    if ref_name(schema) == QUANTITY:
        shape = _QUANTITY
    elif ref_name(schema) in (TIME, MICRO_TIME):
        shape, inner = _TIME, ref_name(schema) == MICRO_TIME
    elif node is None or node.get("x-kubernetes-preserve-unknown-fields"):
        pass
    elif node.get("properties"):
        # for a struct, `zero` names its Quantity and time fields
        shape, inner = _STRUCT, node["properties"]
        zero = frozenset(k for k, sub in inner.items() if ref_name(sub) in (QUANTITY, TIME, MICRO_TIME))
        name = ref_name(schema) or _definition_names().get(id(schema), "")
        omit = kubeproto.omitted_when_empty(kubeproto.struct_of_definition(name)) if name else {}
    elif isinstance(node.get("additionalProperties"), dict):
        shape, inner = _MAP, node["additionalProperties"]
        if ref_name(inner) == QUANTITY:
            zero = "0"  # the zero value of the map's element type
        elif (resolve(inner) or {}).get("type") in ("string", ["string", "null"]):
            zero = ""
    elif isinstance(node.get("items"), dict):
        shape, inner = _LIST, node["items"]
    plan = _plans[id(schema)] = (shape, inner, zero, omit, schema)
    return plan


@functools.cache
def _definition_names() -> dict[int, str]:
    """Definitions by identity: a kind's schema is its definition itself, with no $ref."""
    return {id(schema): name for name, schema in definitions().items()}


def drop_nulls(obj: Any, schema: Schema | None) -> None:
    """Drop null values of fields that are not `nullable` (a custom resource's pruning before
    defaulting: a default then fills the field), in place."""
    node = resolve(schema)
    if node is None or not isinstance(obj, (dict, list)):
        return
    if isinstance(obj, list):
        item = node.get("items")
        if isinstance(item, dict):
            for value in obj:
                drop_nulls(value, item)
        return
    props = node.get("properties") or {}
    extra = node.get("additionalProperties")
    for name in [k for k, v in obj.items() if v is None]:
        sub = props.get(name, extra if name not in props else None)
        if isinstance(sub, dict) and not (resolve(sub) or {}).get("nullable"):
            del obj[name]
    for name, value in obj.items():
        sub = props.get(name, extra if name not in props else None)
        if isinstance(sub, dict):
            drop_nulls(value, sub)


def apply_defaults(obj: Any, schema: Schema | None) -> None:
    """Fill absent fields that declare a `default` (structural schema defaulting), in place."""
    node = resolve(schema)
    if node is None:
        return
    if isinstance(obj, dict):
        for name, prop in (node.get("properties") or {}).items():
            if name not in obj and isinstance(prop, dict) and "default" in prop:
                obj[name] = json.loads(json.dumps(prop["default"]))
            if name in obj:
                apply_defaults(obj[name], prop)
        extra = node.get("additionalProperties")
        if isinstance(extra, dict):
            for name, value in obj.items():
                if name not in (node.get("properties") or {}):
                    apply_defaults(value, extra)
    elif isinstance(obj, list):
        item = node.get("items")
        if isinstance(item, dict):
            for value in obj:
                apply_defaults(value, item)
