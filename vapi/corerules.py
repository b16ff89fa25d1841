"""LimitRanges, Namespaces and Nodes as kube-apiserver 1.35 validates them
(pkg/apis/core/validation ValidateLimitRange, ValidateNamespace, ValidateNode and its update),
in its words and order.

Go ranges over maps (a limit's resources) in random order, so kube's causes for one limit come
in any order; vapi takes resources sorted by name. A Node's taint errors are reported under
metadata.taints, where ValidateNode puts them (its path starts at metadata).
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any, Callable

from vapi import fielderrors, labelrules, podrules, quantity

Obj = dict[str, Any]
Cause = dict[str, str]

_d, _l, _s = fielderrors.mapping, fielderrors.sequence, fielderrors.string

LIMIT_TYPES = ("Pod", "Container", "PersistentVolumeClaim")
# helper.IsStandardFinalizerName: the namespace's own and the garbage collector's
STANDARD_FINALIZERS = ("kubernetes", "orphan", "foregroundDeletion")
TAINT_EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")
MAX_MILLI = (2**63 - 1) // 1000  # resource.MaxMilliValue


def _invalid(field: str, value: Any, messages: list[str]) -> list[Cause]:
    return [fielderrors.invalid(field, value, m) for m in messages]


def _resource_name(name: str, *, container: bool) -> list[str]:
    """validateContainerResourceName (Pod and Container limits) or validateResourceName."""
    if container:
        return podrules._resource_name(name)
    out = labelrules.key_errors(name)
    if not out and "/" not in name and name not in podrules.STANDARD_RESOURCES and \
            not name.startswith(("hugepages-", "requests.hugepages-")):
        out.append("must be a standard resource type or fully qualified")
    return out


def _limit_type(value: str, path: str) -> list[Cause]:
    """validateLimitRangeTypeName: a qualified name, standard unless it has a prefix."""
    errors = labelrules.key_errors(value)
    if not errors and "/" not in value and value not in LIMIT_TYPES:
        errors = ["must be a standard limit type or fully qualified"]
    return _invalid(path, value, errors)


def _milli_ceil(value: Fraction) -> int:
    return math.ceil(value * 1000)


def _ratio_limit(ratio: Fraction, low: Fraction, high: Fraction) -> tuple[float, float]:
    """(ratio, max/min) as ValidateLimitRange compares them: in milli-units when all three fit,
    else whole units (Quantity.Value rounds up)."""
    if math.ceil(ratio) < MAX_MILLI and math.ceil(low) < MAX_MILLI and math.ceil(high) < MAX_MILLI:
        return _milli_ceil(ratio) / 1000, _milli_ceil(high) / _milli_ceil(low) if _milli_ceil(low) else math.inf
    return float(math.ceil(ratio)), math.ceil(high) / math.ceil(low) if math.ceil(low) else math.inf


def limit_range(obj: Obj, old: Obj | None = None) -> list[Cause]:
    out: list[Cause] = []
    seen: set[str] = set()
    for i, item in enumerate(_l(_d(obj.get("spec")).get("limits"))):
        limit, path = _d(item), f"spec.limits[{i}]"
        kind = _s(limit.get("type"))
        out += _limit_type(kind, f"{path}.type")
        if kind in seen:
            out.append(fielderrors.duplicate(f"{path}.type", kind))
        seen.add(kind)
        container = kind in ("Pod", "Container")
        values: dict[str, dict[str, Any]] = {}

        def take(field: str) -> None:
            found = values[field] = {}
            for name, value in sorted(_d(limit.get(field)).items()):
                out.extend(_invalid(f"{path}.{field}[{name}]", name, _resource_name(name, container=container)))
                found[name] = value

        take("max")
        take("min")
        if kind == "Pod":
            for field in ("default", "defaultRequest"):
                values[field] = {}
                if _d(limit.get(field)):
                    out.append(fielderrors.forbidden(f"{path}.{field}", "may not be specified when `type` is 'Pod'"))
        else:
            take("default")
            take("defaultRequest")
        if kind == "PersistentVolumeClaim" and "storage" not in values["min"] and "storage" not in values["max"]:
            out.append(fielderrors.required(f"{path}.limits",
                                            "either minimum or maximum storage value is required, but neither was provided"))
        take("maxLimitRequestRatio")
        for name in sorted({n for found in values.values() for n in found}):
            out += _compare(path, name, {field: found.get(name) for field, found in values.items()})
    return out


def _compare(path: str, name: str, raw: dict[str, Any]) -> list[Cause]:
    """One resource's min <= defaultRequest <= default <= max and its maxLimitRequestRatio."""
    number = {f: quantity.value_of(v) for f, v in raw.items() if v is not None}
    number = {f: n for f, n in number.items() if n is not None}
    text = {f: quantity.normalized(raw[f]) for f in number}
    low, high, default, request, ratio = (number.get(f) for f in ("min", "max", "default", "defaultRequest",
                                                                  "maxLimitRequestRatio"))
    out: list[Cause] = []

    def bad(field: str, shown: str, detail: str) -> None:
        out.append(fielderrors.invalid(f"{path}.{field}[{name}]", text[shown], detail))

    if low is not None and high is not None and low > high:
        bad("min", "min", f"min value {text['min']} is greater than max value {text['max']}")
    if request is not None and low is not None and low > request:
        bad("defaultRequest", "defaultRequest",
            f"min value {text['min']} is greater than default request value {text['defaultRequest']}")
    if request is not None and high is not None and request > high:
        bad("defaultRequest", "defaultRequest",
            f"default request value {text['defaultRequest']} is greater than max value {text['max']}")
    if request is not None and default is not None and request > default:
        bad("defaultRequest", "defaultRequest",
            f"default request value {text['defaultRequest']} is greater than default limit value {text['default']}")
    if default is not None and low is not None and low > default:
        bad("default", "min", f"min value {text['min']} is greater than default value {text['default']}")
    if default is not None and high is not None and default > high:
        bad("default", "max", f"default value {text['default']} is greater than max value {text['max']}")
    if ratio is not None and ratio < 1:
        bad("maxLimitRequestRatio", "maxLimitRequestRatio", f"ratio {text['maxLimitRequestRatio']} is less than 1")
    if ratio is not None and low is not None and high is not None:
        shown_ratio, limit = _ratio_limit(ratio, low, high)
        if shown_ratio > limit:
            bad("maxLimitRequestRatio", "maxLimitRequestRatio",
                f"ratio {text['maxLimitRequestRatio']} is greater than max/min = {limit:f}")
    if not podrules._overcommit(name) and default is not None and request is not None and default != request:
        bad("defaultRequest", "defaultRequest", f"default value {text['default']} must equal to defaultRequest value "
                                                f"{text['defaultRequest']} in {name}")
    return out


def namespace(obj: Obj, old: Obj | None = None) -> list[Cause]:
    """spec.finalizers: qualified names, standard ones unless prefixed (reported at
    spec.finalizers, no index, as validateFinalizerName is given it)."""
    out: list[Cause] = []
    for name in _l(_d(obj.get("spec")).get("finalizers")):
        value = _s(name)
        out += _invalid("spec.finalizers", value, labelrules.key_errors(value))
        if "/" not in value and value not in STANDARD_FINALIZERS:
            out.append(fielderrors.invalid("spec.finalizers", value,
                                           "name is neither a standard finalizer name nor is it fully qualified"))
    return out


def _taint_json(taint: Obj) -> dict[str, Any]:
    """The internal core.Taint as JSON (value and timeAdded omitempty)."""
    out: dict[str, Any] = {"key": _s(taint.get("key"))}
    if _s(taint.get("value")):
        out["value"] = taint["value"]
    out["effect"] = _s(taint.get("effect"))
    if taint.get("timeAdded"):
        out["timeAdded"] = taint["timeAdded"]
    return out


def node(obj: Obj, old: Obj | None = None) -> list[Cause]:
    """validateNodeTaints: label-name keys, label values, a known effect, one taint per
    {key, effect}."""
    out: list[Cause] = []
    seen: set[tuple[str, str]] = set()
    for i, item in enumerate(_l(_d(obj.get("spec")).get("taints"))):
        taint, path = _d(item), f"metadata.taints[{i}]"
        key, value, effect = _s(taint.get("key")), _s(taint.get("value")), _s(taint.get("effect"))
        out += _invalid(f"{path}.key", key, labelrules.key_errors(key))
        errors = labelrules.value_errors(value)
        if errors:
            out.append(fielderrors.invalid(f"{path}.value", value, ";".join(errors)))
        if not effect:
            out.append(fielderrors.required(f"{path}.effect"))
        elif effect not in TAINT_EFFECTS:
            out.append(fielderrors.unsupported(f"{path}.effect", effect, TAINT_EFFECTS))
        if (key, effect) in seen:
            cause = fielderrors.duplicate(path, _taint_json(taint))
            cause["message"] += ": taints must be unique by key and effect pair"
            out.append(cause)
            continue
        seen.add((key, effect))
    return out


RULES: dict[tuple[str, str], Callable[[Obj, Obj | None], list[Cause]]] = {
    ("", "LimitRange"): limit_range, ("", "Namespace"): namespace, ("", "Node"): node}
