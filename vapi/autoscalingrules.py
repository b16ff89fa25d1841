"""HorizontalPodAutoscalers as kube-apiserver validates them (pkg/apis/autoscaling/validation
validateHorizontalPodAutoscalerSpec), in its words: replica bounds (minReplicas at least 1, the
HPAScaleToZero gate being off; maxReplicas at least 1 and minReplicas), the target's kind and
name, each metric (a known type with its source and only that source, the source's name and
target), and the scaling behavior's windows, select policies and policies.
"""

from __future__ import annotations

from typing import Any

from vapi import fielderrors, quantity, validation

Obj = dict[str, Any]
Cause = dict[str, str]

SOURCES = {"Object": "object", "Pods": "pods", "Resource": "resource", "External": "external",
           "ContainerResource": "containerResource"}
SOURCE_ORDER = ("object", "external", "pods", "resource", "containerResource")  # the order kube looks at them
METRIC_TYPES = ("ContainerResource", "External", "Object", "Pods", "Resource")
SELECT_POLICIES = ("Disabled", "Max", "Min")
POLICY_TYPES = ("Percent", "Pods")
MAX_PERIOD_SECONDS, MAX_STABILIZATION_WINDOW_SECONDS = 1800, 3600












def _dict(value: Any) -> Obj:
    return value if isinstance(value, dict) else {}


def _path_segment(value: Any, field: str) -> list[Cause]:
    """A kind, name or metric name: IsValidPathSegmentName."""
    return [fielderrors.invalid(field, value, m) for m in validation.name_errors("Role", str(value))]


def _target(target: Obj, here: str) -> list[Cause]:
    """validateMetricTarget."""
    out: list[Cause] = []
    kind = target.get("type")
    if not kind:
        out.append(fielderrors.required(f"{here}.type", "must specify a metric target type"))
    if kind not in ("Utilization", "Value", "AverageValue"):
        out.append(fielderrors.invalid(f"{here}.type", str(kind or ""), "must be either Utilization, Value, or AverageValue"))
    for key in ("value", "averageValue"):
        amount = quantity.value_of(target.get(key)) if target.get(key) is not None else None
        if amount is not None and amount <= 0:
            out.append(fielderrors.invalid(f"{here}.{key}", quantity.normalized(target[key]), "must be positive"))
    utilization = fielderrors.integer(target.get("averageUtilization"))
    if utilization is not None and utilization < 1:
        out.append(fielderrors.invalid(f"{here}.averageUtilization", utilization, "must be greater than 0"))
    return out


def _source(name: str, source: Obj, here: str) -> list[Cause]:
    target = _dict(source.get("target"))
    out: list[Cause] = []
    if name in ("object", "external", "pods"):
        if name == "object":
            described = _dict(source.get("describedObject"))
            for key in ("kind", "name"):
                out += _path_segment(described[key], f"{here}.describedObject.{key}") if described.get(key) else []
        metric = _dict(source.get("metric")).get("name")
        if not metric:
            out.append(fielderrors.required(f"{here}.metric.name", "must specify a metric name"))
        else:
            out += _path_segment(metric, f"{here}.metric.name")
        out += _target(target, f"{here}.target")
        if name == "pods" and target.get("averageValue") is None:
            out.append(fielderrors.required(f"{here}.target.averageValue", "must specify a positive target averageValue"))
        elif name == "object" and target.get("value") is None and target.get("averageValue") is None:
            out.append(fielderrors.required(f"{here}.target.averageValue", "must set either a target value or averageValue"))
        elif name == "external":
            if target.get("value") is None and target.get("averageValue") is None:
                out.append(fielderrors.required(f"{here}.target.averageValue", "must set either a target value for metric or a per-pod target"))
            if target.get("value") is not None and target.get("averageValue") is not None:
                out.append(fielderrors.forbidden(f"{here}.target.value", "may not set both a target value for metric and a per-pod target"))
        return out
    if not source.get("name"):
        out.append(fielderrors.required(f"{here}.name", "must specify a resource name"))
    if name == "containerResource":
        container = source.get("container")
        if not container:
            out.append(fielderrors.required(f"{here}.container", "must specify a container"))
        else:
            out += [fielderrors.invalid(f"{here}.container", container, m) for m in validation.name_errors("Namespace", str(container))]
    out += _target(target, f"{here}.target")
    if target.get("averageUtilization") is None and target.get("averageValue") is None:
        out.append(fielderrors.required(f"{here}.target.averageUtilization", "must set either a target raw value or a target utilization"))
    if target.get("averageUtilization") is not None and target.get("averageValue") is not None:
        out.append(fielderrors.forbidden(f"{here}.target.averageValue", "may not set both a target raw value and a target utilization"))
    return out


def _metric(metric: Obj, here: str) -> list[Cause]:
    """validateMetricSpec (a metric without a type is left to the schema's required check)."""
    kind = metric.get("type")
    out: list[Cause] = []
    if kind not in SOURCES:
        out.append(fielderrors.unsupported(f"{here}.type", kind, METRIC_TYPES))
    present = [name for name in SOURCE_ORDER if metric.get(name) is not None]
    if present:
        out += _source(present[0], _dict(metric[present[0]]), f"{here}.{present[0]}")
    expected = SOURCES.get(str(kind), "")
    if expected and metric.get(expected) is None:
        out.append(fielderrors.required(f"{here}.{expected}", "must populate information for the given metric source"))
    elif not expected:
        out.append(fielderrors.unsupported(f"{here}.type", kind, METRIC_TYPES))
    if len(present) != 1:
        out += [fielderrors.forbidden(f"{here}.{name}", "must populate the given metric source only") for name in present if name != expected]
    return out


def _rules(rules: Obj, here: str) -> list[Cause]:
    """validateScalingRules, for what a user sets (policies left out are defaulted)."""
    out: list[Cause] = []
    window = fielderrors.integer(rules.get("stabilizationWindowSeconds"))
    if window is not None and window < 0:
        out.append(fielderrors.invalid(f"{here}.stabilizationWindowSeconds", window, "must be greater than or equal to zero"))
    if window is not None and window > MAX_STABILIZATION_WINDOW_SECONDS:
        out.append(fielderrors.invalid(f"{here}.stabilizationWindowSeconds", window,
                            f"must be less than or equal to {MAX_STABILIZATION_WINDOW_SECONDS}"))
    select = rules.get("selectPolicy")
    if select is not None and select not in SELECT_POLICIES:
        out.append(fielderrors.unsupported(f"{here}.selectPolicy", select, SELECT_POLICIES))
    policies = rules.get("policies")
    if isinstance(policies, list) and not policies:
        out.append(fielderrors.required(f"{here}.policies", "must specify at least one Policy"))
    for i, policy in enumerate(policies if isinstance(policies, list) else []):
        policy, where = _dict(policy), f"{here}.policies[{i}]"
        if policy.get("type") not in POLICY_TYPES:
            out.append(fielderrors.unsupported(f"{where}.type", policy.get("type") or "", POLICY_TYPES))
        for key in ("value", "periodSeconds"):
            n = fielderrors.integer(policy.get(key))
            if n is not None and n <= 0:
                out.append(fielderrors.invalid(f"{where}.{key}", n, "must be greater than zero"))
        period = fielderrors.integer(policy.get("periodSeconds"))
        if period is not None and period > MAX_PERIOD_SECONDS:
            out.append(fielderrors.invalid(f"{where}.periodSeconds", period, f"must be less than or equal to {MAX_PERIOD_SECONDS}"))
    return out


def horizontal_pod_autoscaler(obj: Obj) -> list[Cause]:
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return []
    out: list[Cause] = []
    low, high = fielderrors.integer(spec.get("minReplicas")), fielderrors.integer(spec.get("maxReplicas"))
    if low is not None and low < 1:
        out.append(fielderrors.invalid("spec.minReplicas", low, "must be greater than or equal to 1"))
    if high is not None and high < 1:
        out.append(fielderrors.invalid("spec.maxReplicas", high, "must be greater than 0"))
    if low is not None and high is not None and high < low:
        out.append(fielderrors.invalid("spec.maxReplicas", high, "must be greater than or equal to `minReplicas`"))
    ref = _dict(spec.get("scaleTargetRef"))
    for key in ("kind", "name"):
        out += _path_segment(ref[key], f"spec.scaleTargetRef.{key}") if ref.get(key) else []
    metrics = spec.get("metrics")
    for i, metric in enumerate(metrics if isinstance(metrics, list) else []):
        if isinstance(metric, dict) and metric.get("type"):
            out += _metric(metric, f"spec.metrics[{i}]")
    behavior = _dict(spec.get("behavior"))
    for key in ("scaleUp", "scaleDown"):
        if isinstance(behavior.get(key), dict):
            out += _rules(behavior[key], f"spec.behavior.{key}")
    return out
