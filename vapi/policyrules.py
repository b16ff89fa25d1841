"""PodDisruptionBudgets as kube-apiserver validates them (pkg/apis/policy/validation
ValidatePodDisruptionBudgetSpec), in its words: minAvailable or maxUnavailable, not both, each
a non-negative integer or a percentage up to 100%; the selector; the unhealthy pod eviction
policy.
"""

from __future__ import annotations

import re
from typing import Any

from vapi import fielderrors, labelrules

Obj = dict[str, Any]
Cause = dict[str, str]

PERCENT = re.compile(r"^[0-9]+%\Z")  # Go's $: the end of the text, never before a last newline
PERCENT_RULE = ("a valid percent string must be a numeric string followed by an ending '%' "
                "(e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')")
EVICTION_POLICIES = ("AlwaysAllow", "IfHealthyBudget")




def positive_int_or_percent(value: Any, field: str) -> list[Cause]:
    """apps validation's ValidatePositiveIntOrPercent: an integer >= 0 or a percentage, the
    value printed as an IntOrString marshals (JSON)."""
    if isinstance(value, bool):
        return []
    if isinstance(value, int):
        return [fielderrors.invalid(field, value, "must be greater than or equal to 0")] if value < 0 else []
    if isinstance(value, str) and not PERCENT.match(value):
        return [fielderrors.invalid(field, value, PERCENT_RULE)]
    return []


def not_over_100_percent(value: Any, field: str) -> list[Cause]:
    """IsNotMoreThan100Percent."""
    if isinstance(value, str) and PERCENT.match(value) and int(value[:-1]) > 100:
        return [fielderrors.invalid(field, value, "must not be greater than 100%")]
    return []


def pod_disruption_budget(obj: Obj) -> list[Cause]:
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return []
    out: list[Cause] = []
    low, high = spec.get("minAvailable"), spec.get("maxUnavailable")
    if low is not None and high is not None:
        # the internal PodDisruptionBudgetSpec, which has no json tags: Go's field names
        internal = {"MinAvailable": low, "Selector": labelrules.selector_json(spec.get("selector")),
                    "MaxUnavailable": high, "UnhealthyPodEvictionPolicy": spec.get("unhealthyPodEvictionPolicy")}
        out.append(fielderrors.invalid("spec", internal, "minAvailable and maxUnavailable cannot be both set"))
    for value, field in ((low, "spec.minAvailable"), (high, "spec.maxUnavailable")):
        out += positive_int_or_percent(value, field) + not_over_100_percent(value, field)
    out += labelrules.selector_causes(spec.get("selector"), "spec.selector")
    policy = spec.get("unhealthyPodEvictionPolicy")
    if isinstance(policy, str) and policy not in EVICTION_POLICIES:
        out.append(fielderrors.unsupported("spec.unhealthyPodEvictionPolicy", policy, EVICTION_POLICIES))
    return out
