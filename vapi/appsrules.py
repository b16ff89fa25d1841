"""Deployments, ReplicaSets, StatefulSets and DaemonSets beyond their selectors (vapi/kindrules.py
workload), as kube-apiserver's pkg/apis/apps/validation checks them, in its words: a pod
template that restarts Always and has no activeDeadlineSeconds, the update strategies
(types, rolling-update amounts as integers or percentages, what each type allows), the pod
management and PVC retention policies, non-negative minReadySeconds and history limits, a
progress deadline beyond minReadySeconds.

Values kube passes as its internal structs (which have no json tags) print with Go's field
names, as field errors print them since apimachinery 1.34.
"""

from __future__ import annotations

from typing import Any

from vapi import fielderrors, policyrules

Obj = dict[str, Any]
Cause = dict[str, str]

NAMES = {"Deployment": "ReplicaSet", "ReplicaSet": "ReplicaSet", "StatefulSet": "StatefulSet", "DaemonSet": "DaemonSet"}


def _dict(value: Any) -> Obj:
    return value if isinstance(value, dict) else {}


def _non_negative(spec: Obj, *keys: str) -> list[Cause]:
    out = []
    for key in keys:
        n = fielderrors.integer(spec.get(key))
        if n is not None and n < 0:
            out.append(fielderrors.invalid(f"spec.{key}", n, "must be greater than or equal to 0"))
    return out


def _amount(value: Any) -> int:
    """getIntOrPercentValue: an integer, or a valid percentage's number; else 0."""
    if isinstance(value, str) and policyrules.PERCENT.match(value):
        return int(value[:-1])
    return fielderrors.integer(value) or 0


def _template(kind: str, spec: Obj) -> list[Cause]:
    """ValidatePodTemplateSpecForReplicaSet / ...ForStatefulSet / ValidateDaemonSetSpec's template rules."""
    pod = _dict(_dict(spec.get("template")).get("spec"))
    out = []
    restart = pod.get("restartPolicy", "")
    if restart != "Always":
        out.append(fielderrors.unsupported("spec.template.spec.restartPolicy", restart, ("Always",)))
    if pod.get("activeDeadlineSeconds") is not None:
        out.append(fielderrors.forbidden("spec.template.spec.activeDeadlineSeconds",
                                         f"activeDeadlineSeconds in {NAMES[kind]} is not Supported"))
    return out


def _deployment_strategy(strategy: Obj) -> list[Cause]:
    kind, rolling = strategy.get("type"), strategy.get("rollingUpdate")
    here = "spec.strategy.rollingUpdate"
    if kind == "Recreate":
        return [fielderrors.forbidden(here, "may not be specified when strategy `type` is 'Recreate'")] if rolling is not None else []
    if kind != "RollingUpdate":
        internal = {"Type": kind, "RollingUpdate": None if rolling is None else {
            "MaxUnavailable": _dict(rolling).get("maxUnavailable", 0), "MaxSurge": _dict(rolling).get("maxSurge", 0)}}
        return [fielderrors.unsupported("spec.strategy", internal, ("Recreate", "RollingUpdate"))]
    if not isinstance(rolling, dict):
        return [fielderrors.required(here, "this should be defaulted and never be nil")]
    unavailable, surge = rolling.get("maxUnavailable", 0), rolling.get("maxSurge", 0)
    out = policyrules.positive_int_or_percent(unavailable, f"{here}.maxUnavailable")
    out += policyrules.positive_int_or_percent(surge, f"{here}.maxSurge")
    if _amount(unavailable) == 0 and _amount(surge) == 0:
        out.append(fielderrors.invalid(f"{here}.maxUnavailable", unavailable, "may not be 0 when `maxSurge` is 0"))
    out += policyrules.not_over_100_percent(unavailable, f"{here}.maxUnavailable")
    return out


def _stateful_set(spec: Obj) -> list[Cause]:
    out: list[Cause] = []
    policy = spec.get("podManagementPolicy")
    if policy == "":
        out.append(fielderrors.required("spec.podManagementPolicy"))
    elif policy is not None and policy not in ("OrderedReady", "Parallel"):
        out.append(fielderrors.invalid("spec.podManagementPolicy", policy, "must be 'OrderedReady' or 'Parallel'"))
    strategy = _dict(spec.get("updateStrategy"))
    kind, rolling = strategy.get("type"), strategy.get("rollingUpdate")
    here = "spec.updateStrategy.rollingUpdate"
    internal_rolling = None if not isinstance(rolling, dict) else {
        "Partition": rolling.get("partition", 0), "MaxUnavailable": rolling.get("maxUnavailable")}
    if kind == "":
        out.append(fielderrors.required("spec.updateStrategy"))
    elif kind == "OnDelete" and rolling is not None:
        out.append(fielderrors.invalid(here, internal_rolling, "only allowed for updateStrategy 'RollingUpdate'"))
    elif kind == "RollingUpdate" and isinstance(rolling, dict):
        partition = fielderrors.integer(rolling.get("partition"))
        if partition is not None and partition < 0:
            out.append(fielderrors.invalid(f"{here}.partition", partition, "must be greater than or equal to 0"))
        unavailable = rolling.get("maxUnavailable")
        if unavailable is not None:
            out += policyrules.positive_int_or_percent(unavailable, f"{here}.maxUnavailable")
            if _amount(unavailable) == 0:
                out.append(fielderrors.invalid(f"{here}.maxUnavailable", unavailable, "cannot be 0"))
            out += policyrules.not_over_100_percent(unavailable, f"{here}.maxUnavailable")
    elif kind is not None and kind not in ("OnDelete", "RollingUpdate"):
        out.append(fielderrors.invalid("spec.updateStrategy", {"Type": kind, "RollingUpdate": internal_rolling},
                                       "must be 'RollingUpdate' or 'OnDelete'"))
    retention = _dict(spec.get("persistentVolumeClaimRetentionPolicy"))
    for key in ("whenDeleted", "whenScaled"):
        if spec.get("persistentVolumeClaimRetentionPolicy") is not None and retention.get(key) not in ("Retain", "Delete"):
            out.append(fielderrors.unsupported(f"spec.persistentVolumeClaimRetentionPolicy.{key}", retention.get(key, ""),
                                               ("Retain", "Delete")))
    return out


def _daemon_set_strategy(strategy: Obj) -> list[Cause]:
    kind, rolling = strategy.get("type"), strategy.get("rollingUpdate")
    here = "spec.updateStrategy.rollingUpdate"
    if kind == "OnDelete":
        return []
    if kind != "RollingUpdate":
        internal = {"Type": kind or "", "RollingUpdate": None if not isinstance(rolling, dict) else {
            "MaxUnavailable": rolling.get("maxUnavailable", 0), "MaxSurge": rolling.get("maxSurge", 0)}}
        return [fielderrors.unsupported("spec.updateStrategy", internal, ("RollingUpdate", "OnDelete"))]
    if not isinstance(rolling, dict):
        return [fielderrors.required(here)]
    unavailable, surge = rolling.get("maxUnavailable", 0), rolling.get("maxSurge", 0)
    out = policyrules.positive_int_or_percent(unavailable, f"{here}.maxUnavailable")
    out += policyrules.positive_int_or_percent(surge, f"{here}.maxSurge")
    out += policyrules.not_over_100_percent(unavailable, f"{here}.maxUnavailable")
    out += policyrules.not_over_100_percent(surge, f"{here}.maxSurge")
    if _amount(unavailable) != 0 and _amount(surge) != 0:
        out.append(fielderrors.invalid(f"{here}.maxSurge", surge, "may not be set when maxUnavailable is non-zero"))
    elif _amount(unavailable) == 0 and _amount(surge) == 0:
        out.append(fielderrors.required(f"{here}.maxUnavailable", "cannot be 0 when maxSurge is 0"))
    return out


def workload(kind: str, obj: Obj) -> list[Cause]:
    """What ValidateDeploymentSpec, ValidateReplicaSetSpec, ValidateStatefulSetSpec and
    ValidateDaemonSetSpec check beyond replicas and the selector, in their order."""
    spec = obj.get("spec")
    if not isinstance(spec, dict) or kind not in NAMES:
        return []
    if kind == "StatefulSet":
        out = _stateful_set(spec) + _non_negative(spec, "minReadySeconds")
        start = fielderrors.integer(_dict(spec.get("ordinals")).get("start"))
        if start is not None and start < 0:
            out.append(fielderrors.invalid("spec.ordinals.start", start, "must be greater than or equal to 0"))
        return out + _template(kind, spec)
    out = _template(kind, spec)
    if kind == "Deployment":
        out += _deployment_strategy(_dict(spec.get("strategy")))
        out += _non_negative(spec, "minReadySeconds", "revisionHistoryLimit", "progressDeadlineSeconds")
        deadline, ready = fielderrors.integer(spec.get("progressDeadlineSeconds")), fielderrors.integer(spec.get("minReadySeconds")) or 0
        if deadline is not None and deadline <= ready:
            out.append(fielderrors.invalid("spec.progressDeadlineSeconds", deadline, "must be greater than minReadySeconds"))
    elif kind == "ReplicaSet":
        out = _non_negative(spec, "minReadySeconds") + out
    else:
        out += _non_negative(spec, "minReadySeconds")
        out += _daemon_set_strategy(_dict(spec.get("updateStrategy")))
        out += _non_negative(spec, "revisionHistoryLimit")
    return out
