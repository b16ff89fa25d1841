"""One `.status` for an object that runs on many clusters, from what each edge reported:
what `kubectl rollout status`, helm's wait and kstatus read at the center. Pure functions.

- One cluster: its status as is (observedGeneration in the center's terms).
- Workloads (Deployment, ReplicaSet, StatefulSet, DaemonSet, Job): when every selected cluster
  has observed the center's generation and finished, the counters say so for the center's
  spec; otherwise the least-progressed copy's counters and conditions, kept below the
  center's spec so that waiters keep waiting, and observedGeneration only once every
  selected cluster has observed the generation.
- Anything with a `Ready` condition: Ready only when Ready everywhere.
The annotation `vapi.dev/clusters` says how many selected clusters are done: "12/15 ready".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

Obj = dict[str, Any]
ANNOTATION = "vapi.dev/clusters"
WORKLOADS = {"Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job"}


@dataclass(frozen=True, slots=True)
class Copy:
    """One cluster's report of one object."""

    generation: int | None  # the center generation it was given
    observed: int | None  # the center generation it has observed, if it has
    status: Obj
    desired: int | None  # its spec.replicas, after customization


def _int(status: Obj, key: str) -> int:
    value = status.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _ready_condition(status: Obj) -> bool | None:
    for c in status.get("conditions") or []:
        if isinstance(c, dict) and c.get("type") == "Ready":
            return c.get("status") == "True"
    return None


def progress(kind: str, copy: Copy | None, generation: int) -> tuple[bool, float]:
    """(finished at the center's generation, how far along: 0..1) for one cluster's copy."""
    if copy is None or copy.observed is None or copy.observed < generation:
        return False, 0.0
    s = copy.status
    if kind in ("Deployment", "ReplicaSet", "StatefulSet"):
        want = copy.desired if copy.desired is not None else _int(s, "replicas")
        if want == 0:
            return True, 1.0
        updated = _int(s, "updatedReplicas") if kind != "ReplicaSet" else _int(s, "replicas")
        available = _int(s, "availableReplicas") if "availableReplicas" in s or kind != "StatefulSet" else _int(s, "readyReplicas")
        done = updated >= want and available >= want and _int(s, "replicas") <= want
        return done, min(updated, available) / want
    if kind == "DaemonSet":
        want = _int(s, "desiredNumberScheduled")
        done = _int(s, "updatedNumberScheduled") >= want and _int(s, "numberAvailable") >= want
        return done, 1.0 if want == 0 else min(_int(s, "updatedNumberScheduled"), _int(s, "numberAvailable")) / want
    if kind == "Job":
        for c in s.get("conditions") or []:
            if isinstance(c, dict) and c.get("type") == "Complete" and c.get("status") == "True":
                return True, 1.0
        return False, 0.5 if _int(s, "succeeded") else 0.0
    ready = _ready_condition(s)
    return (ready is not False), 1.0 if ready is not False else 0.0


def merge(obj: Obj, copies: list[Copy | None]) -> tuple[Obj | None, str]:
    """The center object's status and the annotation text, from the copies of every
    selected cluster (None: not reported yet). (None, text) when nothing can be said."""
    kind = str(obj.get("kind", ""))
    generation = int((obj.get("metadata") or {}).get("generation") or 1)
    scored = [(progress(kind, c, generation), i) for i, c in enumerate(copies)]
    done = sum(1 for (ok, _), _ in scored if ok)
    text = f"{done}/{len(copies)} ready"
    if not copies:
        return None, text
    all_observed = all(c is not None and c.observed is not None and c.observed >= generation for c in copies)
    if len(copies) == 1:
        only = copies[0]
        if only is None or not only.status:
            return None, text
        status = dict(only.status)
        if "observedGeneration" in status or kind in WORKLOADS:
            status["observedGeneration"] = generation if all_observed else max(0, generation - 1)
        return status, text
    (_, _), least = min(scored, key=lambda x: (x[0][0], x[0][1], x[1]))
    base = copies[least]
    if base is None or not base.status:
        base = next((c for c in copies if c is not None and c.status), None)
        if base is None:
            return None, text
    status = dict(base.status)
    if kind in WORKLOADS:
        status["observedGeneration"] = generation if all_observed else max(0, generation - 1)
        want = (obj.get("spec") or {}).get("replicas")
        if kind in ("Deployment", "ReplicaSet", "StatefulSet") and isinstance(want, int):
            finished = done == len(copies)
            for key in ("replicas", "updatedReplicas", "readyReplicas", "availableReplicas", "currentReplicas"):
                if finished:
                    status[key] = want
                elif key in status or key in ("updatedReplicas", "availableReplicas"):
                    status[key] = min(_int(status, key), max(0, want - 1))
            if not finished:
                status["unavailableReplicas"] = max(1, want - _int(status, "availableReplicas"))
            else:
                status.pop("unavailableReplicas", None)
    else:
        ready = [_ready_condition(c.status) if c is not None else False for c in copies]
        if any(r is not None for r in ready):
            conditions = [c for c in status.get("conditions") or [] if not (isinstance(c, dict) and c.get("type") == "Ready")]
            everywhere = all(r is True for r in ready)
            conditions.append({"type": "Ready", "status": "True" if everywhere else "False",
                               "reason": "ReadyEverywhere" if everywhere else "NotReadyEverywhere", "message": text})
            status["conditions"] = conditions
        if "observedGeneration" in status:
            status["observedGeneration"] = generation if all_observed else max(0, generation - 1)
    return status, text
