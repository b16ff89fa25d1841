"""`x-kubernetes-validations` of CRD schemas: CEL rules evaluated on every write of a custom
resource (they are part of the schema, not admission), with the maintained
`common-expression-language` bindings. `self` is the value at the rule's node; rules that use
`oldSelf` are transition rules, evaluated only on update where an old value exists."""

from __future__ import annotations

import functools
from typing import Any

import cel

from vapi import errors, schemas
from vapi.resources import Resource

Obj = dict[str, Any]


@functools.lru_cache(maxsize=1024)
def _program(rule: str) -> Any:
    return cel.compile(rule)


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    return "string"


def _walk(value: Any, old: Any, schema: schemas.Schema | None, path: str, causes: list[Obj]) -> None:
    node = schemas.resolve(schema)
    if node is None or value is None:
        return
    for rule in node.get("x-kubernetes-validations") or []:
        if not isinstance(rule, dict) or not isinstance(rule.get("rule"), str):
            continue
        text = rule["rule"]
        if "oldSelf" in text and old is None:
            continue
        field = path + (rule.get("fieldPath") or "") if isinstance(rule.get("fieldPath"), str) else path
        try:
            ok = _program(text).execute({"self": value, "oldSelf": old} if old is not None else {"self": value})
        except (ValueError, KeyError, TypeError, RuntimeError) as e:
            causes.append({"reason": "FieldValueInvalid", "field": field.lstrip(".") or "<root>",
                           "message": f"Invalid value: \"{_kind(value)}\": rule evaluation error: {e}"})
            continue
        if ok is not True:
            message = rule.get("message") or f"failed rule: {text}"
            causes.append({"reason": str(rule.get("reason") or "FieldValueInvalid"), "field": field.lstrip(".") or "<root>",
                           "message": f"Invalid value: \"{_kind(value)}\": {message}"})
    if isinstance(value, dict):
        for k, v in value.items():
            sub = schemas.field(node, k)
            if sub is not None:
                _walk(v, old.get(k) if isinstance(old, dict) else None, sub, f"{path}.{k}", causes)
    elif isinstance(value, list):
        item = schemas.items(node)
        if item is not None:
            for n, v in enumerate(value):
                _walk(v, None, item, f"{path}[{n}]", causes)


def validate(res: Resource, obj: Obj, old: Obj | None = None) -> None:
    """422 Invalid listing every failing rule (only custom resources carry rules)."""
    if res.schema is None:
        return
    causes: list[Obj] = []
    body = {k: v for k, v in obj.items() if k != "metadata"}
    old_body = {k: v for k, v in old.items() if k != "metadata"} if old is not None else None
    _walk(body, old_body, {k: v for k, v in res.schema.items() if k != "properties"} | {
        "properties": {k: v for k, v in (res.schema.get("properties") or {}).items() if k != "metadata"}}, "", causes)
    if causes:
        name = obj.get("metadata", {}).get("name", "")
        raise errors.invalid(res.group, res.kind, str(name), causes)
