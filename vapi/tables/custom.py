"""Custom resources: the columns of a CRD version's additionalPrinterColumns, read with the simple
JSONPath they are written in and printed as apiextensions-apiserver's tableconvertor prints them."""

from __future__ import annotations

from typing import Any

from vapi import clock
from vapi.tables.cells import Obj, since
from vapi.tables.columns import Column


def _json_path(obj: Obj, path: str) -> Any:
    """The simple JSONPath of CRD printer columns: `.spec.replicas`, `.status.conditions[0].type`."""
    cur: Any = obj
    for part in path.strip().strip("{}").lstrip(".").replace("]", "").split("."):
        name, _, index = part.partition("[")
        if name:
            cur = cur.get(name) if isinstance(cur, dict) else None
        if index:
            cur = cur[int(index)] if isinstance(cur, list) and index.isdigit() and int(index) < len(cur) else None
        if cur is None:
            return None
    return cur


def _custom_cell(kind: str, value: Any) -> Any:
    """apiextensions tableconvertor cellForJSONValue (strings as JSONPath prints them); None,
    which kubectl prints as an empty cell, for a missing or mistyped value."""
    if value is None:
        return None
    if kind == "string":
        if isinstance(value, bool):
            return "true" if value else "false"
        return value if isinstance(value, str) else str(value)
    if kind == "integer":
        return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None
    if kind == "number":
        return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None
    if kind == "boolean":
        return value if isinstance(value, bool) else None
    if kind == "date":
        if not isinstance(value, str):
            return None
        if value in ("", "null"):
            return "<unknown>"
        return "<invalid>" if clock.parse(value) is None else since(value)
    return None


def printer_column(spec: Obj) -> Column:
    """A column of a CRD version's additionalPrinterColumns."""
    kind = str(spec.get("type", "string"))
    path = str(spec.get("jsonPath", ""))
    return Column(
        str(spec.get("name", "")), kind, int(spec.get("priority", 0)),
        lambda o: _custom_cell(kind, _json_path(o, path)),
        str(spec.get("description") or f"Custom resource definition column (in JSONPath format): {path}"),
        str(spec.get("format", "")),
    )
