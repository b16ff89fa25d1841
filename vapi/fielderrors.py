"""Causes worded as apimachinery's field.Error prints them (pkg/util/validation/field/errors.go):
`Invalid value: <value>: <detail>` with strings %q-quoted and anything else as Go's JSON
(since 1.34), `Required value[: detail]`, `Forbidden: detail`, `Unsupported value: <value>:
supported values: "a", "b"`, `Duplicate value: <value>`. The rule modules build theirs here.
"""

from __future__ import annotations

from typing import Any

from vapi import golang

Cause = dict[str, str]


def shown(value: Any) -> str:
    """A bad value as ErrorBody prints it."""
    return golang.quote(value) if isinstance(value, str) else golang.marshal(value)


def invalid(field: str, value: Any, detail: str) -> Cause:
    return {"reason": "FieldValueInvalid", "field": field, "message": f"Invalid value: {shown(value)}: {detail}"}


def invalid_json(field: str, value: Any, detail: str) -> Cause:
    """Invalid value for a value kube passes as a pointer: printed as Go's JSON even when a string."""
    return {"reason": "FieldValueInvalid", "field": field, "message": f"Invalid value: {golang.marshal(value)}: {detail}"}


def required(field: str, detail: str = "") -> Cause:
    return {"reason": "FieldValueRequired", "field": field, "message": "Required value" + (f": {detail}" if detail else "")}


def forbidden(field: str, detail: str) -> Cause:
    return {"reason": "FieldValueForbidden", "field": field, "message": f"Forbidden: {detail}"}


def unsupported(field: str, value: Any, allowed: tuple[str, ...] | list[str]) -> Cause:
    listed = ", ".join(golang.quote(a) for a in allowed)
    return {"reason": "FieldValueNotSupported", "field": field,
            "message": f"Unsupported value: {shown(value)}: supported values: {listed}"}


def duplicate(field: str, value: Any) -> Cause:
    return {"reason": "FieldValueDuplicate", "field": field, "message": f"Duplicate value: {shown(value)}"}


def integer(value: Any) -> int | None:
    """A JSON integer (not a boolean), else None."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def mapping(value: Any) -> dict[str, Any]:
    """A JSON object, else {} (a rule reads a wrongly typed field as left out)."""
    return value if isinstance(value, dict) else {}


def sequence(value: Any) -> list[Any]:
    """A JSON array, else []."""
    return value if isinstance(value, list) else []


def string(value: Any) -> str:
    """A JSON string, else ""."""
    return value if isinstance(value, str) else ""


def changes(old: dict[str, Any], new: dict[str, Any]) -> str:
    """Each field that differs, old (-) then new (+), as JSON: what vapi prints where kube
    prints a go-cmp diff (whose layout go-cmp keeps deliberately unstable)."""
    lines = []
    for key in sorted(set(old) | set(new)):
        if old.get(key) != new.get(key):
            lines += [f"-\t{key}: {golang.marshal(old.get(key))}", f"+\t{key}: {golang.marshal(new.get(key))}"]
    return "\n".join(lines)


def too_many(field: str, actual: int, most: int) -> Cause:
    return {"reason": "FieldValueTooMany", "field": field, "message": f"Too many: {actual}: must have at most {most} items"}
