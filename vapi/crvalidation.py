"""Values against a CRD's structural schema, in kube-apiserver's words.

kube validates custom resources with kube-openapi's validator (a go-openapi fork) and turns
its errors into field errors in k8s.io/apiextensions-apiserver/pkg/apiserver/validation/
validation.go (kubeOpenAPIResultToFieldErrors). vapi runs the `jsonschema` package over the
schema and renders each error the same way:

- a wrong type is `Invalid value: "string": spec.size in body must be of type integer: "string"`
  (the value shown is the JSON type found; int-or-string nodes want `integer,string`);
- maxLength is `Too long: may not be more than 10 bytes`, maxItems and maxProperties are
  `Too many: 3: must have at most 2 items`, minItems shows the count found;
- a format is `... in body must be of type email: "value"`;
- enum values are quoted as field.NotSupported quotes them.

Lists with `x-kubernetes-list-type: set` or `map` refuse duplicates
(k8s.io/apiextensions-apiserver/pkg/apiserver/schema/listtype), and embedded resources need
apiVersion and kind (schema/objectmeta). Field errors use Go's field-path form: `spec.items[1]`.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import json
import re
from typing import Any

import jsonschema
import jsonschema.validators  # type: ignore[import-untyped]

from vapi import goregexp

Obj = dict[str, Any]
Cause = dict[str, str]


def go_value(value: Any) -> str:
    """A bad value as field.Error prints it: strings quoted, numbers and booleans bare,
    anything else as JSON (apimachinery's ErrorBody)."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def json_type(value: Any) -> str:
    """The JSON type go-openapi names in type errors."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "integer" if value.is_integer() else "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def field_path(parts: Any, base: str = "") -> str:
    out = base
    for p in parts:
        if isinstance(p, int):
            out += f"[{p}]"
        else:
            out = f"{out}.{p}" if out else str(p)
    return out


def _is_integer(_: Any, value: Any) -> bool:
    # whole numbers decode as integers in kube (unstructured JSON), 1.0 included
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or isinstance(value, float) and value.is_integer()


def _multiple_of(validator: Any, factor: Any, instance: Any, schema: Obj) -> Any:
    """go-openapi's MultipleOf: a factor that is not positive is an error of the value (a CRD
    may declare one), never a division by zero."""
    if isinstance(factor, (int, float)) and not isinstance(factor, bool) and factor <= 0:
        if validator.is_type(instance, "number"):
            yield jsonschema.ValidationError(f"factor MultipleOf must be positive: {factor}")
        return
    yield from jsonschema.Draft4Validator.VALIDATORS["multipleOf"](validator, factor, instance, schema)


def _pattern(validator: Any, pattern: Any, instance: Any, schema: Obj) -> Any:
    """Go's regexp: RE2 syntax, and time linear in the value whatever the pattern (Python's
    backtracking `re` would let one CRD's `^(a+)+$` stall the server)."""
    if not isinstance(pattern, str) or not validator.is_type(instance, "string"):
        return
    try:
        matched = goregexp.search(pattern, instance)
    except goregexp.PatternError:
        return  # refused when the CRD is written; one stored before is no fault of the value
    if not matched:
        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


_Validator = jsonschema.validators.extend(
    jsonschema.Draft4Validator,
    validators={"multipleOf": _multiple_of, "pattern": _pattern},
    type_checker=jsonschema.Draft4Validator.TYPE_CHECKER.redefine("integer", _is_integer),
)

# the string formats kube-apiserver checks (pkg/apiserver/validation/formats.go); the others
# are dropped from the schema before validation, as kube strips them
_MAC = re.compile(r"^([0-9A-Fa-f]{2}[:-]){5}([0-9A-Fa-f]{2})\Z|^([0-9A-Fa-f]{4}\.){2}[0-9A-Fa-f]{4}\Z")
_UUID = re.compile(r"(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}\Z")
_HOSTNAME = re.compile(r"^[a-zA-Z0-9]([-a-zA-Z0-9]{0,62})?(\.[a-zA-Z0-9]([-a-zA-Z0-9]{0,62})?)*\.?\Z")
_DATE = re.compile(r"(?a)^\d{4}-\d{2}-\d{2}\Z")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\Z")
_FORMATS = jsonschema.FormatChecker(formats=())


def _ipv4(v: object) -> bool:
    return not isinstance(v, str) or _ip(v, 4)


def _ipv6(v: object) -> bool:
    return not isinstance(v, str) or _ip(v, 6)


def _ip(v: str, version: int) -> bool:
    try:
        return ipaddress.ip_address(v).version == version
    except ValueError:
        return False


def _cidr(v: object) -> bool:
    if not isinstance(v, str) or "/" not in v:
        return not isinstance(v, str)
    try:
        ipaddress.ip_network(v, strict=False)
    except ValueError:
        return False
    return True


def _mac(v: object) -> bool:
    return not isinstance(v, str) or bool(_MAC.match(v))


def _uuid(v: object) -> bool:
    return not isinstance(v, str) or bool(_UUID.match(v))


def _hostname(v: object) -> bool:
    return not isinstance(v, str) or (len(v) <= 255 and bool(_HOSTNAME.match(v)))


def _email(v: object) -> bool:
    return not isinstance(v, str) or bool(_EMAIL.match(v))


def _date(v: object) -> bool:
    return not isinstance(v, str) or bool(_DATE.match(v))


def _datetime(v: object) -> bool:
    from vapi import clock

    return not isinstance(v, str) or clock.parse(v) is not None


def _byte(v: object) -> bool:
    if not isinstance(v, str):
        return True
    try:
        base64.b64decode(v, validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


for _name, _check in (("ipv4", _ipv4), ("ipv6", _ipv6), ("cidr", _cidr), ("mac", _mac), ("uuid", _uuid), ("hostname", _hostname), ("email", _email), ("date", _date), ("date-time", _datetime), ("byte", _byte)):
    _FORMATS.checks(_name)(_check)


def kube_schema(node: Any) -> Any:
    """The schema as kube's validator sees it: int-or-string is `integer,string`, nullable
    admits null, formats it does not check are gone."""
    if not isinstance(node, dict):
        return node
    out: Obj = {}
    for k, v in node.items():
        if k in ("properties", "patternProperties", "definitions") and isinstance(v, dict):
            out[k] = {name: kube_schema(sub) for name, sub in v.items()}
        elif k in ("items", "additionalProperties", "not"):
            out[k] = kube_schema(v)
        elif k in ("allOf", "anyOf", "oneOf") and isinstance(v, list):
            out[k] = [kube_schema(sub) for sub in v]
        elif k == "format" and (not isinstance(v, str) or v not in _FORMATS.checkers):
            continue
        elif k == "default" or k.startswith("x-kubernetes-") or k == "nullable":
            continue
        else:
            out[k] = v
    if node.get("x-kubernetes-int-or-string"):
        out["type"] = ["integer", "string"]
    if node.get("nullable") and isinstance(out.get("type"), str):
        out["type"] = [out["type"], "null"]
    return out


def _type_names(want: Any) -> str:
    kinds = [want] if isinstance(want, str) else [t for t in want if t != "null"]
    return ",".join(kinds)


def _cause(err: Any, base: str) -> Cause:
    """One jsonschema error as kube's field error."""
    kind, value, want = err.validator, err.instance, err.validator_value
    field = field_path(err.absolute_path, base)
    name = field or "."  # go-openapi's name of the root
    if kind == "required":
        missing = err.message.split("'")[1] if "'" in err.message else ""
        return {"reason": "FieldValueRequired", "field": field_path([missing], field), "message": "Required value"}
    if kind == "enum":
        allowed = ", ".join(json.dumps(v if isinstance(v, str) else json.dumps(v, separators=(",", ":")))
                            for v in want)
        return {"reason": "FieldValueNotSupported", "field": field,
                "message": f"Unsupported value: {go_value(value)}: supported values: {allowed}"}
    if kind == "type":
        found = json_type(value)
        return {"reason": "FieldValueTypeInvalid", "field": field,
                "message": f'Invalid value: "{found}": {name} in body must be of type {_type_names(want)}: "{found}"'}
    if kind == "format":
        return {"reason": "FieldValueTypeInvalid", "field": field,
                "message": f"Invalid value: {go_value(value)}: {name} in body must be of type {want}: {go_value(value)}"}
    if kind == "maxLength":
        unit = "byte" if want == 1 else "bytes"
        return {"reason": "FieldValueTooLong", "field": field, "message": f"Too long: may not be more than {want} {unit}"}
    if kind in ("maxItems", "maxProperties"):
        unit = "item" if want == 1 else "items"
        return {"reason": "FieldValueTooMany", "field": field,
                "message": f"Too many: {len(value)}: must have at most {want} {unit}"}
    words = {
        "minimum": f"should be greater than or equal to {_num(want)}",
        "maximum": f"should be less than or equal to {_num(want)}",
        "pattern": f"should match '{want}'",
        "minLength": f"should be at least {want} chars long",
        "minItems": f"should have at least {want} items",
        "minProperties": f"should have at least {want} properties",
        "multipleOf": f"should be a multiple of {_num(want)}",
    }.get(kind)
    if kind == "minimum" and err.schema.get("exclusiveMinimum") is True:
        words = f"should be greater than {_num(want)}"
    if kind == "maximum" and err.schema.get("exclusiveMaximum") is True:
        words = f"should be less than {_num(want)}"
    if kind == "multipleOf" and isinstance(want, (int, float)) and want <= 0:
        return {"reason": "FieldValueInvalid", "field": field,
                "message": f"Invalid value: {_num(want)}: factor MultipleOf declared for {name} must be positive: {_num(want)}"}
    if kind in ("minItems", "minProperties"):
        return {"reason": "FieldValueInvalid", "field": field,
                "message": f"Invalid value: {len(value)}: {name} in body {words}"}
    if words is None:
        composite = {"anyOf": "must validate at least one schema (anyOf)",
                     "oneOf": "must validate one and only one schema (oneOf). ",
                     "allOf": "must validate all the schemas (allOf)",
                     "not": "must not validate the schema (not)"}.get(kind)
        if composite is not None:
            return {"reason": "FieldValueInvalid", "field": "",
                    "message": f'Invalid value: "": "{name}" {composite}'.rstrip()}
        return {"reason": "FieldValueInvalid", "field": field, "message": f"Invalid value: {go_value(value)}: {err.message}"}
    return {"reason": "FieldValueInvalid", "field": field, "message": f"Invalid value: {go_value(value)}: {name} in body {words}"}


def _num(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


_VALIDATORS: dict[int, tuple[Obj, Any]] = {}


def _validator(schema: Obj) -> Any:
    hit = _VALIDATORS.get(id(schema))
    if hit is not None and hit[0] is schema:
        return hit[1]
    if len(_VALIDATORS) > 512:
        _VALIDATORS.clear()
    validator = _Validator(kube_schema(schema), format_checker=_FORMATS)
    _VALIDATORS[id(schema)] = (schema, validator)
    return validator


def _order(err: Any) -> list[str]:
    return [f"{p:08d}" if isinstance(p, int) else str(p) for p in err.absolute_path]


def schema_causes(value: Any, schema: Obj, base: str = "") -> list[Cause]:
    """What kube's schema validator says of `value` (the type, value and composite checks)."""
    errors = sorted(_validator(schema).iter_errors(value), key=_order)
    return [_cause(err, base) for err in errors]


def structure_causes(value: Any, schema: Any, base: str = "") -> tuple[list[Cause], list[Cause]]:
    """(duplicates in lists of type set and map, as kube's listtype validation reports them;
    apiVersion and kind of embedded resources, as its schema/objectmeta validation does),
    from one walk of the value along the schema."""
    lists: list[Cause] = []
    embedded: list[Cause] = []
    _walk(value, schema, base, lists, embedded, root=True)
    return lists, embedded


def _walk(value: Any, schema: Any, base: str, lists: list[Cause], embedded: list[Cause], *, root: bool = False) -> None:
    if not isinstance(schema, dict):
        return
    if isinstance(value, dict):
        if schema.get("x-kubernetes-embedded-resource") and not root:
            embedded += _embedded_node(value, base)
        props = schema.get("properties") or {}
        extra = schema.get("additionalProperties")
        for k, v in value.items():
            if k in props:
                _walk(v, props[k], field_path([k], base), lists, embedded)
            elif isinstance(extra, dict):
                _walk(v, extra, f"{base}[{k}]", lists, embedded)
    elif isinstance(value, list):
        lists += _list_node(value, schema, base)
        item = schema.get("items")
        if isinstance(item, dict):
            for i, v in enumerate(value):
                _walk(v, item, f"{base}[{i}]", lists, embedded)


def _list_node(value: list[Any], schema: Obj, base: str) -> list[Cause]:
    """Duplicates in one list of type set or map."""
    out: list[Cause] = []
    kind = schema.get("x-kubernetes-list-type")
    if kind == "set":
        for i in _repeats(value):
            out.append({"reason": "FieldValueDuplicate", "field": f"{base}[{i}]",
                        "message": f"Duplicate value: {go_value(value[i])}"})
    elif kind == "map":
        keys = [k for k in schema.get("x-kubernetes-list-map-keys") or [] if isinstance(k, str)]
        bad = [i for i, x in enumerate(value) if x is not None and not isinstance(x, dict)]
        if bad:
            i = bad[0]
            out.append({"reason": "FieldValueInvalid", "field": f"{base}[{i}]",
                        "message": f"Invalid value: {go_value(value[i])}: must be an object for an array of list-type map"})
        else:
            entries = [{k: x[k] for k in keys if k in x} if isinstance(x, dict) else {} for x in value]
            for i in _repeats(entries):
                out.append({"reason": "FieldValueDuplicate", "field": f"{base}[{i}]",
                            "message": f"Duplicate value: {go_value(entries[i])}"})
    return out


def _repeats(values: list[Any]) -> list[int]:
    """Indices of each value's second occurrence."""
    seen: dict[str, int] = {}
    out = []
    for i, v in enumerate(values):
        key = json.dumps(v, sort_keys=True)
        seen[key] = seen.get(key, 0) + 1
        if seen[key] == 2:
            out.append(i)
    return out


def _embedded_node(value: Obj, base: str) -> list[Cause]:
    """apiVersion and kind of one embedded resource."""
    out: list[Cause] = []
    for key in ("apiVersion", "kind"):
        if key not in value:
            out.append({"reason": "FieldValueRequired", "field": field_path([key], base), "message": "Required value"})
        elif not isinstance(value[key], str):
            out.append({"reason": "FieldValueInvalid", "field": field_path([key], base),
                        "message": f"Invalid value: {go_value(value[key])}: must be a string"})
        elif not value[key]:
            out.append({"reason": "FieldValueInvalid", "field": field_path([key], base),
                        "message": 'Invalid value: "": must not be empty'})
    return out


def causes(value: Any, schema: Obj, base: str = "") -> list[Cause]:
    """Every cause kube's validation of a custom resource (or of a default) reports."""
    lists, embedded = structure_causes(value, schema, base)
    return schema_causes(value, schema, base) + lists + embedded
