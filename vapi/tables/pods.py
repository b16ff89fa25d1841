"""Pods (printers.go printPod): READY, STATUS and RESTARTS as kubectl shows them, and the row
conditions that mark finished pods."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import NamedTuple

from vapi.tables import cells
from vapi.tables.cells import (
    Obj, _condition_true, _deleting, _dict, _dicts, get, human_duration, _int, _later, _nonempty, _str, _time,
)
from vapi.tables.columns import AGE, NAME, Column, col


class _PodSummary(NamedTuple):
    ready: str
    status: str
    restarts: str


def _pod_summary(pod: Obj) -> _PodSummary:
    """printers.go printPod: READY, STATUS and RESTARTS, init containers and sidecars included."""
    spec, status = _dict(pod.get("spec")), _dict(pod.get("status"))
    conditions = status.get("conditions")
    phase = _str(status.get("phase"))
    reason = _str(status.get("reason")) or phase
    if any(c.get("type") == "PodScheduled" and c.get("reason") == "SchedulingGated" for c in _dicts(conditions)):
        reason = "SchedulingGated"

    init_specs = _dicts(spec.get("initContainers"))
    sidecars = {c.get("name") for c in init_specs if c.get("restartPolicy") == "Always"}
    total = len(_dicts(spec.get("containers"))) + sum(1 for c in init_specs if c.get("restartPolicy") == "Always")
    ready = restarts = sidecar_restarts = 0
    last_restart: datetime.datetime | None = None
    last_sidecar_restart: datetime.datetime | None = None

    initializing = False
    for i, c in enumerate(_dicts(status.get("initContainerStatuses"))):
        count = _int(c.get("restartCount"))
        finished = _time(get(c, "lastState", "terminated", "finishedAt"))
        restarts += count
        last_restart = _later(last_restart, finished)
        sidecar = c.get("name") in sidecars
        if sidecar:
            sidecar_restarts += count
            last_sidecar_restart = _later(last_sidecar_restart, finished)
        terminated, waiting = get(c, "state", "terminated"), get(c, "state", "waiting")
        if isinstance(terminated, dict) and _int(terminated.get("exitCode")) == 0:
            continue
        if sidecar and c.get("started") is True:
            ready += 1 if c.get("ready") else 0
            continue
        if isinstance(terminated, dict):
            if terminated.get("reason"):
                reason = f"Init:{terminated['reason']}"
            elif _int(terminated.get("signal")):
                reason = f"Init:Signal:{_int(terminated.get('signal'))}"
            else:
                reason = f"Init:ExitCode:{_int(terminated.get('exitCode'))}"
        elif isinstance(waiting, dict) and waiting.get("reason") and waiting.get("reason") != "PodInitializing":
            reason = f"Init:{waiting['reason']}"
        else:
            reason = f"Init:{i}/{len(init_specs)}"
        initializing = True
        break

    if not initializing or _condition_true(conditions, "Initialized"):
        restarts, last_restart = sidecar_restarts, last_sidecar_restart
        running = False
        for c in reversed(_dicts(status.get("containerStatuses"))):
            restarts += _int(c.get("restartCount"))
            last_restart = _later(last_restart, _time(get(c, "lastState", "terminated", "finishedAt")))
            terminated, waiting = get(c, "state", "terminated"), get(c, "state", "waiting")
            if isinstance(waiting, dict) and waiting.get("reason"):
                reason = str(waiting["reason"])
            elif isinstance(terminated, dict) and terminated.get("reason"):
                reason = str(terminated["reason"])
            elif isinstance(terminated, dict):
                signal = _int(terminated.get("signal"))
                reason = f"Signal:{signal}" if signal else f"ExitCode:{_int(terminated.get('exitCode'))}"
            elif c.get("ready") and isinstance(get(c, "state", "running"), dict):
                running = True
                ready += 1
        if reason == "Completed" and running:
            ready_condition = any(c.get("type") == "Ready" and c.get("status") == "True" for c in _dicts(conditions))
            reason = "Running" if ready_condition else "NotReady"

    if _deleting(pod) and status.get("reason") == "NodeLost":
        reason = "Unknown"
    elif _deleting(pod) and phase not in ("Succeeded", "Failed"):
        reason = "Terminating"

    restarts_text = str(restarts)
    if restarts and last_restart is not None:
        restarts_text = f"{restarts} ({human_duration((cells._now() - last_restart).total_seconds())} ago)"
    return _PodSummary(f"{ready}/{total}", reason, restarts_text)


def _pod_ip(pod: Obj) -> str:
    ips = _dicts(get(pod, "status", "podIPs"))
    return _str(get(pod, "status", "podIP")) or (_str(ips[0].get("ip")) if ips else "") or "<none>"


def _readiness_gates(pod: Obj) -> str:
    gates = _dicts(get(pod, "spec", "readinessGates"))
    if not gates:
        return "<none>"
    conditions = _dicts(get(pod, "status", "conditions"))
    passed = 0
    for gate in gates:
        match = next((c for c in conditions if c.get("type") == gate.get("conditionType")), None)
        passed += 1 if match is not None and match.get("status") == "True" else 0
    return f"{passed}/{len(gates)}"


def _pod_conditions(pod: Obj) -> list[Obj] | None:
    """The row conditions printPod marks finished pods with."""
    phase = get(pod, "status", "phase")
    if phase == "Succeeded":
        return [{"type": "Completed", "status": "True", "reason": "Succeeded", "message": "The pod has completed successfully."}]
    if phase == "Failed":
        return [{"type": "Completed", "status": "True", "reason": "Failed", "message": "The pod failed."}]
    return None


POD_COLUMNS = [
    NAME,
    col("Ready", lambda o: _pod_summary(o).ready, "The aggregate readiness state of this pod for accepting traffic."),
    col("Status", lambda o: _pod_summary(o).status, "The aggregate status of the containers in this pod."),
    col("Restarts", lambda o: _pod_summary(o).restarts, "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted."),
    AGE,
    col("IP", _pod_ip, "podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.", wide=True),
    col("Node", lambda o: _nonempty(get(o, "spec", "nodeName"), "<none>"), "NodeName indicates in which node this pod is scheduled.", wide=True),
    col("Nominated Node", lambda o: _nonempty(get(o, "status", "nominatedNodeName"), "<none>"), "nominatedNodeName is set only when this pod preempts other pods on the node.", wide=True),
    col("Readiness Gates", _readiness_gates, "If specified, all readiness gates will be evaluated for pod readiness.", wide=True),
]


COLUMNS: dict[tuple[str, str], list[Column]] = {
    ("", "pods"): POD_COLUMNS,
}


ROW_CONDITIONS: dict[tuple[str, str], Callable[[Obj], list[Obj] | None]] = {("", "pods"): _pod_conditions}
