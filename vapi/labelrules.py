"""Label keys, label values and label selectors as apimachinery validates them
(pkg/api/validate/content IsLabelKey/IsLabelValue, pkg/apis/meta/v1/validation
ValidateLabelSelector), in its words.
"""

from __future__ import annotations

import re
from typing import Any

from vapi import fielderrors, validation

Cause = dict[str, str]

LABEL_KEY_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]\Z")
LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?\Z")
KEY_RULE = ("must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric "
            "character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
            "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')")
VALUE_RULE = ("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must "
              "start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used "
              "for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')")


def key_errors(key: str) -> list[str]:
    """IsLabelKey: an optional DNS subdomain prefix and '/', then a name of up to 63 characters."""
    parts = key.split("/")
    if len(parts) > 2:
        return [f"a valid label key {KEY_RULE} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"]
    out = []
    if len(parts) == 2:
        if not parts[0]:
            out.append("prefix part must be non-empty")
        else:
            out += ["prefix part " + m for m in validation.name_errors("ConfigMap", parts[0])]
    name = parts[-1]
    if not name:
        out.append("name part must be non-empty")
    elif len(name) > 63:
        out.append("name part must be no more than 63 characters")
    if not LABEL_KEY_NAME.match(name):
        out.append("name part " + KEY_RULE)
    return out


TOTAL_ANNOTATION_SIZE = 256 * 1024  # apimachinery's TotalAnnotationSizeLimitB


def annotations_too_long(annotations: dict[str, Any], path: str) -> list[Cause]:
    """ValidateAnnotations' size check: keys and values together at most 256 KiB, in bytes
    (field.TooLong, which prints no value)."""
    size = sum(len(k.encode()) + len(v.encode()) for k, v in annotations.items() if isinstance(v, str))
    if size <= TOTAL_ANNOTATION_SIZE:
        return []
    return [{"reason": "FieldValueTooLong", "field": path, "message": f"Too long: may not be more than {TOTAL_ANNOTATION_SIZE} bytes"}]


def value_errors(value: str) -> list[str]:
    """IsLabelValue: empty, or up to 63 characters of the label alphabet."""
    out = ["must be no more than 63 characters"] if len(value) > 63 else []
    if not LABEL_VALUE.match(value):
        out.append(VALUE_RULE)
    return out




def selector_causes(selector: Any, path: str) -> list[Cause]:
    """ValidateLabelSelector: matchLabels' keys and values, and each requirement's operator,
    values (none for Exists and DoesNotExist, some for In and NotIn) and key."""
    if not isinstance(selector, dict):
        return []
    out: list[Cause] = []
    labels = selector.get("matchLabels")
    for key, value in sorted(labels.items()) if isinstance(labels, dict) else []:
        out += [fielderrors.invalid(f"{path}.matchLabels", str(key), m) for m in key_errors(str(key))]
        out += [fielderrors.invalid(f"{path}.matchLabels", str(value), m) for m in value_errors(str(value))]
    exprs = selector.get("matchExpressions")
    for i, expr in enumerate(exprs if isinstance(exprs, list) else []):
        if not isinstance(expr, dict):
            continue
        here, operator, values = f"{path}.matchExpressions[{i}]", expr.get("operator"), expr.get("values") or []
        if operator in ("In", "NotIn") and not values:
            out.append(fielderrors.required(f"{here}.values", "must be specified when `operator` is 'In' or 'NotIn'"))
        elif operator in ("Exists", "DoesNotExist") and values:
            out.append(fielderrors.forbidden(f"{here}.values", "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"))
        elif operator not in ("In", "NotIn", "Exists", "DoesNotExist"):
            out.append(fielderrors.invalid(f"{here}.operator", operator if isinstance(operator, str) else "",
                                           "not a valid selector operator"))
        key = str(expr.get("key", ""))
        out += [fielderrors.invalid(f"{here}.key", str(key), m) for m in key_errors(key)]
        for j, value in enumerate(values if isinstance(values, list) else []):
            out += [fielderrors.invalid(f"{here}.values[{j}]", str(value), m) for m in value_errors(str(value))]
    return out


def selector_json(selector: Any) -> Any:
    """A metav1.LabelSelector as Go's encoding/json writes it (empty fields left out)."""
    if not isinstance(selector, dict):
        return None
    out: dict[str, Any] = {}
    if selector.get("matchLabels"):
        out["matchLabels"] = dict(sorted(selector["matchLabels"].items()))
    if selector.get("matchExpressions"):
        out["matchExpressions"] = [
            {"key": e.get("key", ""), "operator": e.get("operator", ""), **({"values": e["values"]} if e.get("values") else {})}
            for e in selector["matchExpressions"] if isinstance(e, dict)]
    return out
