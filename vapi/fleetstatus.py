"""One `.status` for an object that runs on many clusters, from what each edge reported:
what `kubectl rollout status`, helm's wait and kstatus read at the center. Pure functions.

- One cluster: its status as is (observedGeneration in the center's terms).
- Workloads (Deployment, ReplicaSet, StatefulSet, DaemonSet, Job): when every selected cluster
  has observed the center's generation and finished, the counters say so for the center's
  spec; otherwise the least-progressed copy's counters and conditions, kept below the
  center's spec so that waiters keep waiting, and observedGeneration only once every
  selected cluster has observed the generation.
- A Job: `Complete` only once complete on every selected cluster.
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
    associated: list[Obj] | None = None  # summaries of edge-made objects, when the placement asks
    # the conditions' timestamps, kept apart from `status` so that statuses alike but for
    # them are held once: (condition index, field, value)
    stamps: tuple[tuple[int, str, str], ...] = ()

    def full_status(self) -> Obj:
        """The status as the edge reported it, timestamps included."""
        if not self.stamps:
            return self.status
        conditions = [dict(c) if isinstance(c, dict) else c for c in self.status.get("conditions") or []]
        for i, key, value in self.stamps:
            if i < len(conditions) and isinstance(conditions[i], dict):
                conditions[i][key] = value
        return {**self.status, "conditions": conditions}


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


class Tally:
    """Where every selected cluster's copy of one object stands, kept as reports come: the
    counts of copies reporting, observing the center's generation and finished, and the
    clusters bucketed by progress (the least-progressed bucket first). A report costs O(1)
    and a few dozen bytes: each cluster is one small int, in one bucket."""

    def __init__(self, kind: str, generation: int, copies: dict[str, Copy]) -> None:
        self.kind = kind
        self.generation = generation
        self.copies = copies  # cluster -> its latest copy, shared with the caller
        self.members: dict[str, int] = {}  # cluster -> rank << 2 | observed << 1 | reporting
        self.buckets: dict[int, set[str]] = {}  # rank (done << 8 | progress in 1/255) -> clusters
        self.done = 0
        self.observed = 0
        self.reporting = 0

    def set(self, cluster: str, *, member: bool = True) -> None:
        """The cluster's copy in `copies` changed (or it left, `member=False`)."""
        old = self.members.pop(cluster, None)
        if old is not None:
            rank = old >> 2
            bucket = self.buckets[rank]
            bucket.discard(cluster)
            if not bucket:
                del self.buckets[rank]
            self.done -= rank >> 8
            self.observed -= (old >> 1) & 1
            self.reporting -= old & 1
        if not member:
            return
        copy = self.copies.get(cluster)
        done, score = progress(self.kind, copy, self.generation)
        observed = copy is not None and copy.observed is not None and copy.observed >= self.generation
        rank = int(done) << 8 | int(max(0.0, min(1.0, score)) * 255)
        self.members[cluster] = rank << 2 | int(observed) << 1 | int(copy is not None)
        self.buckets.setdefault(rank, set()).add(cluster)
        self.done += done
        self.observed += observed
        self.reporting += copy is not None

    def least(self) -> Copy | None:
        """A least-progressed copy that has a status; None when none has."""
        for rank in sorted(self.buckets):
            for cluster in sorted(self.buckets[rank]) if len(self.buckets[rank]) < 64 else self.buckets[rank]:
                copy = self.copies.get(cluster)
                if copy is not None and copy.status:
                    return copy
        return None


def merge(obj: Obj, copies: list[Copy | None]) -> tuple[Obj | None, str]:
    """The center object's status and the annotation text, from the copies of every
    selected cluster (None: not reported yet). (None, text) when nothing can be said."""
    generation = int((obj.get("metadata") or {}).get("generation") or 1)
    by_name = {f"{i:09d}": c for i, c in enumerate(copies) if c is not None}
    tally = Tally(str(obj.get("kind", "")), generation, by_name)
    for i in range(len(copies)):
        tally.set(f"{i:09d}")
    return compose(obj, tally)


def compose(obj: Obj, tally: Tally) -> tuple[Obj | None, str]:
    """The center object's status and the annotation text from a tally of its copies."""
    kind = str(obj.get("kind", ""))
    generation = tally.generation
    total, done = len(tally.members), tally.done
    text = f"{done}/{total} ready"
    base = tally.least()
    if not total or base is None:
        return None, text
    all_observed = tally.observed == total
    status = dict(base.full_status())
    if total == 1:
        if "observedGeneration" in status or kind in WORKLOADS:
            status["observedGeneration"] = generation if all_observed else max(0, generation - 1)
        return status, text
    if kind in WORKLOADS:
        status["observedGeneration"] = generation if all_observed else max(0, generation - 1)
        want = (obj.get("spec") or {}).get("replicas")
        if kind in ("Deployment", "ReplicaSet", "StatefulSet") and isinstance(want, int):
            finished = done == total
            for key in ("replicas", "updatedReplicas", "readyReplicas", "availableReplicas", "currentReplicas"):
                if key == "currentReplicas" and kind != "StatefulSet":
                    continue  # a StatefulSet's only: a Deployment's schema has no such field
                if finished:
                    status[key] = want
                elif key in status or key in ("updatedReplicas", "availableReplicas"):
                    status[key] = min(_int(status, key), max(0, want - 1))
            if not finished:
                status["unavailableReplicas"] = max(1, want - _int(status, "availableReplicas"))
            else:
                status.pop("unavailableReplicas", None)
        if kind == "Job" and done < total:  # a cluster that has not finished (or not reported): not complete
            status["conditions"] = [c for c in status.get("conditions") or []
                                    if not (isinstance(c, dict) and c.get("type") in ("Complete", "SuccessCriteriaMet"))]
            status.pop("completionTime", None)
    else:
        if _ready_condition(status) is not None:
            conditions = [c for c in status.get("conditions") or [] if not (isinstance(c, dict) and c.get("type") == "Ready")]
            everywhere = done == total
            conditions.append({"type": "Ready", "status": "True" if everywhere else "False",
                               "reason": "ReadyEverywhere" if everywhere else "NotReadyEverywhere", "message": text})
            status["conditions"] = conditions
        if "observedGeneration" in status:
            status["observedGeneration"] = generation if all_observed else max(0, generation - 1)
    return status, text
