"""A CRD's selectableFields as apiextensions-apiserver validates them
(ValidateCustomResourceSelectableFields, with the schema/cel ValidFieldPath walk), in its words:
each jsonPath a `.`-path through the version's structural schema to a string, boolean or
integer, outside metadata, none twice, at most eight.

Where kube reports them: validation runs on the internal CRD (vapi/crdhoisting.py), so
selectableFields shared by all versions are `spec.selectableFields`, checked against the schema
only when the schemas are shared too (else kube answers that they "may only be set when
validations.schema is included"), and differing ones are `spec.versions[i].selectableFields`,
refused as kube refuses them when the schemas are shared (hoisted out of the versions).
"""

from __future__ import annotations

import re
from typing import Any

from vapi import crdhoisting, fielderrors

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


def top_level(top: Obj) -> list[Cause]:
    """The internal spec's selectableFields (every version's, hoisted: vapi/crdhoisting.py),
    checked against spec.validation's schema when the schemas were hoisted too."""
    fields = top.get("selectableFields")
    if not fields or not isinstance(fields, list):
        return []
    if "validation" not in top:
        return [fielderrors.invalid("spec.selectableFields", "", "may only be set when validations.schema is included")]
    return check(fields, crdhoisting.open_api_schema(top["validation"]), "spec.selectableFields")


def per_version(version: Obj, here: str) -> list[Cause]:
    """An internal version's own selectableFields: with its schema hoisted away (every
    version has the same), kube finds no schema there."""
    fields = version.get("selectableFields")
    if not fields or not isinstance(fields, list):
        return []
    schema = crdhoisting.open_api_schema(version.get("schema"))
    if schema is None:
        return [fielderrors.invalid(f"{here}.selectableFields", "",
                                    "may only be set when `version.schema.openAPIV3Schema` is not included")]
    return check(fields, schema, f"{here}.selectableFields")
