"""A CRD's selectableFields as apiextensions-apiserver validates them
(ValidateCustomResourceSelectableFields, with the schema/cel ValidFieldPath walk), in its words:
each jsonPath a `.`-path through the version's structural schema to a string, boolean or
integer, outside metadata, none twice, at most eight.

Where kube reports them: validation runs on the internal CRD, to which apiextensions/v1's
conversion hoists per-version fields that are identical in every version; so selectableFields
shared by all versions are `spec.selectableFields`, checked against the schema only when the
schemas are shared too (else kube answers that they "may only be set when validations.schema
is included"), and differing ones are `spec.versions[i].selectableFields`.
"""

from __future__ import annotations

import re
from typing import Any

from vapi import fielderrors

Obj = dict[str, Any]
Cause = dict[str, str]

MAX_SELECTABLE_FIELDS = 8
TOKENS = re.compile(r"'(?:[^'\\]|\\.)*'|[.\[\]]|[^.\[\]]+")
SELECTABLE_TYPES = ("string", "boolean", "integer")




def field_path(json_path: str, schema: Any) -> tuple[list[tuple[str, bool]], Any, str]:
    """ValidFieldPath without array notation: the path's steps (name, is a property), the
    schema it reaches, or the error."""
    steps: list[tuple[str, bool]] = []
    tokens = TOKENS.findall(json_path)
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token == "[":
            return [], None, "array notation is not allowed"
        if token != ".":
            return [], None, f"expected [ or . but got: {token}"
        if i + 1 == len(tokens):
            return [], None, "unexpected end of JSON path"
        name, i = tokens[i + 1], i + 2
        node = schema if isinstance(schema, dict) else {}
        if isinstance(node.get("properties"), dict):
            if name not in node["properties"]:
                return [], None, "does not refer to a valid field"
            steps.append((name, True))
            schema = node["properties"][name]
        elif node.get("additionalProperties") not in (None, False):
            steps.append((name, False))
            schema = node["additionalProperties"] if isinstance(node["additionalProperties"], dict) else None
        else:
            return [], None, "does not refer to a valid field"
    return steps, schema, ""


def _path_string(steps: list[tuple[str, bool]]) -> str:
    out = ""
    for name, named in steps:
        out += (f".{name}" if out else name) if named else f"[{name}]"
    return out


def check(fields: list[Any], schema: Any, where: str) -> list[Cause]:
    out: list[Cause] = []
    seen: set[str] = set()
    for i, item in enumerate(fields):
        here = f"{where}[{i}].jsonPath"
        json_path = item.get("jsonPath") if isinstance(item, dict) else None
        if not json_path or not isinstance(json_path, str):
            out.append(fielderrors.required(here))
            continue
        steps, found, wrong = field_path(json_path, schema)
        if wrong:
            out.append(fielderrors.invalid(here, json_path, f"is an invalid path: {wrong}"))
            continue
        if steps and steps[0][0] == "metadata":
            out.append(fielderrors.invalid(here, json_path, "must not point to fields in metadata"))
        if not isinstance(found, dict) or found.get("type") not in SELECTABLE_TYPES:
            out.append(fielderrors.invalid(here, json_path, "must point to a field of type string, boolean or integer. "
                                                 "Enum string fields and strings with formats are allowed."))
        key = _path_string(steps)
        if key in seen:
            out.append(fielderrors.duplicate(here, json_path))
        seen.add(key)
    if len(seen) > MAX_SELECTABLE_FIELDS:
        out.append({"reason": "FieldValueTooMany", "field": where,
                    "message": f"Too many: {len(seen)}: must have at most {MAX_SELECTABLE_FIELDS} items"})
    return out


def causes(versions: list[Obj]) -> list[Cause]:
    """The selectableFields of a v1 CRD's versions, where and as kube-apiserver checks them."""
    if not versions:
        return []

    def schema_of(version: Obj) -> Any:
        schema = version.get("schema")
        return schema.get("openAPIV3Schema") if isinstance(schema, dict) else None

    first = versions[0].get("selectableFields") or []
    if all((v.get("selectableFields") or []) == first for v in versions):
        if not first:
            return []
        if not all(v.get("schema") == versions[0].get("schema") for v in versions) or schema_of(versions[0]) is None:
            return [fielderrors.invalid("spec.selectableFields", "", "may only be set when validations.schema is included")]
        return check(first if isinstance(first, list) else [], schema_of(versions[0]), "spec.selectableFields")
    out: list[Cause] = []
    for i, version in enumerate(versions):
        fields = version.get("selectableFields")
        if not fields or not isinstance(fields, list):
            continue
        where = f"spec.versions[{i}].selectableFields"
        if schema_of(version) is None:
            out.append(fielderrors.invalid(where, "", "may only be set when `version.schema.openAPIV3Schema` is not included"))
        else:
            out += check(fields, schema_of(version), where)
    return out
