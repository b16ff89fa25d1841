"""`x-kubernetes-validations` of CRD schemas: CEL rules evaluated on every write of a custom
resource (they are part of the schema, not admission), with the maintained
`common-expression-language` bindings. `self` is the value at the rule's node; rules that use
`oldSelf` are transition rules, evaluated only on update where an old value exists."""

from __future__ import annotations

import functools
from typing import Any

import cel

from vapi import crvalidation, errors, schemas
from vapi.resources import Resource

Obj = dict[str, Any]


@functools.lru_cache(maxsize=1024)
def _program(rule: str) -> Any:
    return cel.compile(rule)


def _shown(value: Any) -> str:
    """The bad value of a failed rule: kube 1.35 omits objects and lists (OmitValueType in
    apiextensions-apiserver/pkg/apiserver/schema/cel/validation.go) and prints scalars."""
    if isinstance(value, (dict, list)):
        return ""
    return crvalidation.go_value(value) + ": "


def _failure(field: str, value: Any, detail: str, reason: str | None) -> Obj:
    """A failed rule as fieldErrorForReason builds it."""
    if reason == "FieldValueForbidden":
        return {"reason": reason, "field": field, "message": f"Forbidden: {detail}"}
    if reason == "FieldValueRequired":
        return {"reason": reason, "field": field, "message": f"Required value: {detail}"}
    if reason == "FieldValueDuplicate":
        shown = _shown(value)[:-2] if _shown(value) else ""
        return {"reason": reason, "field": field, "message": f"Duplicate value: {shown}" if shown else "Duplicate value"}
    return {"reason": "FieldValueInvalid", "field": field, "message": f"Invalid value: {_shown(value)}{detail}"}


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
        except (ValueError, KeyError, TypeError, RuntimeError, ArithmeticError) as e:
            why = f"no such key: {e.args[0]}" if isinstance(e, KeyError) and e.args else str(e)
            causes.append({"reason": "FieldValueInvalid", "field": path.lstrip(".") or "<root>",
                           "message": f"Invalid value: {_shown(value)}{why} evaluating rule: {_rule_text(rule)}"})
            continue
        if ok is not True:
            message = _message_expression(rule, value, old) or str(rule.get("message") or "").strip() \
                or f"failed rule: {text.strip()}"
            reason = rule.get("reason") if isinstance(rule.get("reason"), str) else None
            causes.append(_failure(field.lstrip(".") or "<root>", value, message, reason))
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


def _message_expression(rule: Obj, value: Any, old: Any) -> str:
    """The rule's messageExpression, when it evaluates to a usable one-line string (kube falls
    back to the message otherwise)."""
    expr = rule.get("messageExpression")
    if not isinstance(expr, str) or not expr.strip():
        return ""
    try:
        out = _program(expr).execute({"self": value, "oldSelf": old} if old is not None else {"self": value})
    except (ValueError, KeyError, TypeError, RuntimeError, ArithmeticError):
        return ""
    text = out.strip() if isinstance(out, str) else ""
    return text if text and "\n" not in text and len(text) <= 5 * 1024 else ""


def _rule_text(rule: Obj) -> str:
    return str(rule.get("message") or "").strip() or str(rule.get("rule", "")).strip()


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
