"""Leases as kube-apiserver 1.35 validates them (pkg/apis/coordination/validation
ValidateLeaseSpec), in its words: a lease lasts more than 0 seconds and has changed hands 0
times or more. strategy and preferredHolder belong to CoordinatedLeaderElection, a feature
gate that is off: they are not checked.
"""

from __future__ import annotations

from typing import Any, Callable

from vapi import fielderrors

Obj = dict[str, Any]
Cause = dict[str, str]


def lease(obj: Obj, old: Obj | None = None) -> list[Cause]:
    spec = fielderrors.mapping(obj.get("spec"))
    out = []
    duration = fielderrors.integer(spec.get("leaseDurationSeconds"))
    if duration is not None and duration <= 0:
        out.append(fielderrors.invalid("spec.leaseDurationSeconds", duration, "must be greater than 0"))
    transitions = fielderrors.integer(spec.get("leaseTransitions"))
    if transitions is not None and transitions < 0:
        out.append(fielderrors.invalid("spec.leaseTransitions", transitions, "must be greater than or equal to 0"))
    return out


RULES: dict[tuple[str, str], Callable[[Obj, Obj | None], list[Cause]]] = {("coordination.k8s.io", "Lease"): lease}
