"""Workloads other than pods: pod templates, replication controllers, deployments, replica sets,
stateful sets, daemon sets, controller revisions, jobs, cron jobs, horizontal pod autoscalers
(autoscaling/v1 read as v2) and pod disruption budgets."""

from __future__ import annotations

from typing import Any

from vapi.tables import cells
from vapi.tables.cells import (
    Obj, _bool_text, _condition_true, _deleting, _dict, _dicts, format_label_selector, format_labels, get,
    human_duration, _int, _or, _quantity, _quantity_ptr, _selector_string, since, _str, _time,
)
from vapi.tables.columns import AGE, NAME, Cell, Column, col, _count, _field


def _layout(containers: Any) -> tuple[str, str]:
    """printers.go layoutContainerCells: container names and images, comma-joined."""
    cs = _dicts(containers)
    return ",".join(_str(c.get("name")) for c in cs), ",".join(_str(c.get("image")) for c in cs)


CONTAINERS_DOC = "Names of each container in the template."
IMAGES_DOC = "Images referenced by each container in the template."


def _template_columns(*spec_path: str, selector: Cell | None = None) -> list[Column]:
    """Containers, Images (and Selector) of the pod template at `spec_path`."""
    cols = [
        col("Containers", lambda o: _layout(get(o, *spec_path, "containers"))[0], CONTAINERS_DOC, wide=True),
        col("Images", lambda o: _layout(get(o, *spec_path, "containers"))[1], IMAGES_DOC, wide=True),
    ]
    if selector is not None:
        cols.append(col("Selector", selector, "A label query over pods that should match the replica count.", wide=True))
    return cols


POD_TEMPLATE = ("spec", "template", "spec")


def _replicas(obj: Obj) -> int:
    """spec.replicas, which kube defaults to 1."""
    return _int(get(obj, "spec", "replicas", default=1))


def _replica_columns(owner: str, selector: Cell) -> list[Column]:
    """The columns of a replication controller or a replica set, which differ in the Ready
    column's description and in how the selector prints."""
    return [
        NAME,
        col("Desired", _replicas, "Replicas is the number of desired replicas.", kind="integer"),
        col("Current", lambda o: _int(get(o, "status", "replicas")), "Replicas is the most recently observed number of replicas.", kind="integer"),
        col("Ready", lambda o: _int(get(o, "status", "readyReplicas")), f"The number of ready replicas for this {owner}.", kind="integer"),
        AGE,
        *_template_columns(*POD_TEMPLATE, selector=selector),
    ]


def _deployment_selector(obj: Obj) -> str:
    text = _selector_string(get(obj, "spec", "selector"))
    return "<invalid>" if text is None else text


def _job_status(job: Obj) -> str:
    conditions = get(job, "status", "conditions")
    if _condition_true(conditions, "Complete"):
        return "Complete"
    if _condition_true(conditions, "Failed"):
        return "Failed"
    if _deleting(job):
        return "Terminating"
    if _condition_true(conditions, "Suspended"):
        return "Suspended"
    if _condition_true(conditions, "FailureTarget"):
        return "FailureTarget"
    return "Running"


def _job_completions(job: Obj) -> str:
    succeeded = _int(get(job, "status", "succeeded"))
    completions = get(job, "spec", "completions")
    if completions is not None:
        return f"{succeeded}/{_int(completions)}"
    parallelism = _int(get(job, "spec", "parallelism"))
    return f"{succeeded}/1 of {parallelism}" if parallelism > 1 else f"{succeeded}/1"


def _job_duration(job: Obj) -> str:
    start = _time(get(job, "status", "startTime"))
    if start is None:
        return ""
    end = _time(get(job, "status", "completionTime"))
    return human_duration(((end or cells._now()) - start).total_seconds())


def _hpa_v2(hpa: Obj) -> Obj:
    """An autoscaling/v1 HPA in the v2 shape kube converts it to before printing."""
    spec, status = _dict(hpa.get("spec")), _dict(hpa.get("status"))
    if "metrics" in spec or not ("targetCPUUtilizationPercentage" in spec or hpa.get("apiVersion") == "autoscaling/v1"):
        return hpa
    metrics: list[Obj] = []
    current: list[Obj] = []
    if spec.get("targetCPUUtilizationPercentage") is not None:
        metrics.append({"type": "Resource", "resource": {"name": "cpu", "target": {
            "type": "Utilization", "averageUtilization": spec["targetCPUUtilizationPercentage"]}}})
    if status.get("currentCPUUtilizationPercentage") is not None:
        current.append({"type": "Resource", "resource": {"name": "cpu", "current": {
            "averageUtilization": status["currentCPUUtilizationPercentage"]}}})
    return {**hpa, "spec": {**spec, "metrics": metrics}, "status": {**status, "currentMetrics": current}}


def _hpa_value(source: Obj, current: Obj | None) -> str:
    """An Object or External metric: `current/target`, `(avg)` for an average value."""
    target = _dict(source.get("target"))
    if target.get("averageValue") is not None:
        now = get(current or {}, "current", "averageValue")
        return f"{'<unknown>' if now is None else _quantity(now)}/{_quantity(target['averageValue'])} (avg)"
    now_text = "<unknown>" if current is None else _quantity_ptr(get(current, "current", "value"))
    return f"{now_text}/{_quantity_ptr(target.get('value'))}"


def _hpa_resource(source: Obj, current: Obj | None) -> str:
    """A Resource or ContainerResource metric: `cpu: 40%/80%` or `memory: 1Gi/2Gi`."""
    target = _dict(source.get("target"))
    if target.get("averageValue") is not None:
        now_text = "<unknown>" if current is None else _quantity_ptr(get(current, "current", "averageValue"))
        return f"{source.get('name', '')}: {now_text}/{_quantity(target['averageValue'])}"
    now = get(current or {}, "current", "averageUtilization")
    wanted = target.get("averageUtilization")
    return (f"{source.get('name', '')}: {'<unknown>' if now is None else f'{_int(now)}%'}/"
            f"{'<auto>' if wanted is None else f'{_int(wanted)}%'}")


def _hpa_targets(hpa: Obj) -> str:
    """printers.go formatHPAMetrics: two metrics, then `+ N more...`."""
    hpa = _hpa_v2(hpa)
    specs = _dicts(get(hpa, "spec", "metrics"))
    if not specs:
        return "<none>"
    statuses = _dicts(get(hpa, "status", "currentMetrics"))
    shown: list[str] = []
    for i, m in enumerate(specs):
        status = statuses[i] if i < len(statuses) else {}
        kind = m.get("type")
        field = {"External": "external", "Pods": "pods", "Object": "object", "Resource": "resource",
                 "ContainerResource": "containerResource"}.get(_str(kind))
        if field is None:
            shown.append("<unknown type>")
            continue
        source, current = _dict(m.get(field)), status.get(field) if isinstance(status.get(field), dict) else None
        if kind == "Pods":
            now_text = "<unknown>" if current is None else _quantity_ptr(get(current, "current", "averageValue"))
            shown.append(f"{now_text}/{_quantity_ptr(get(source, 'target', 'averageValue'))}")
        elif kind in ("Resource", "ContainerResource"):
            shown.append(_hpa_resource(source, current))
        else:
            shown.append(_hpa_value(source, current))
    text = ", ".join(shown[:2])
    return f"{text} + {len(shown) - 2} more..." if len(shown) > 2 else text


def _int_or_string(value: Any) -> str:
    """intstr.IntOrString.String(); N/A when unset (printPodDisruptionBudget)."""
    return "N/A" if value is None else str(value)


def _controller_of(obj: Obj) -> str:
    """printers.go printControllerRevision: `kind.group/name` of the controlling owner."""
    owner = next((r for r in _dicts(get(obj, "metadata", "ownerReferences")) if r.get("controller") is True), None)
    if owner is None:
        return "<none>"
    api_version, kind = _str(owner.get("apiVersion")), _str(owner.get("kind"))
    group = api_version.split("/", 1)[0] if "/" in api_version else ""
    if not kind and not group:
        return _str(owner.get("name"))
    return f"{(f'{kind}.{group}' if group else kind).lower()}/{_str(owner.get('name'))}"


COLUMNS: dict[tuple[str, str], list[Column]] = {
    ("", "podtemplates"): [
        NAME,
        col("Containers", lambda o: _layout(get(o, "template", "spec", "containers"))[0], CONTAINERS_DOC),
        col("Images", lambda o: _layout(get(o, "template", "spec", "containers"))[1], IMAGES_DOC),
        col("Pod Labels", lambda o: format_labels(get(o, "template", "metadata", "labels")), "The labels for the pod template."),
    ],
    ("", "replicationcontrollers"): _replica_columns("replication controller", lambda o: format_labels(get(o, "spec", "selector"))),
    ("apps", "deployments"): [
        NAME,
        col("Ready", lambda o: f"{_int(get(o, 'status', 'readyReplicas'))}/{_replicas(o)}", "Number of the pod with ready state"),
        col("Up-to-date", lambda o: _int(get(o, "status", "updatedReplicas")), "Total number of non-terminated pods targeted by this deployment that have the desired template spec."),
        col("Available", lambda o: _int(get(o, "status", "availableReplicas")), "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment."),
        AGE,
        *_template_columns(*POD_TEMPLATE, selector=_deployment_selector),
    ],
    ("apps", "replicasets"): _replica_columns("replica set", lambda o: format_label_selector(get(o, "spec", "selector"))),
    ("apps", "statefulsets"): [
        NAME,
        col("Ready", lambda o: f"{_int(get(o, 'status', 'readyReplicas'))}/{_replicas(o)}", "Number of the pod with ready state"),
        AGE,
        *_template_columns(*POD_TEMPLATE),
    ],
    ("apps", "daemonsets"): [
        NAME,
        col("Desired", lambda o: _int(get(o, "status", "desiredNumberScheduled")), "The total number of nodes that should be running the daemon pod.", kind="integer"),
        col("Current", lambda o: _int(get(o, "status", "currentNumberScheduled")), "The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.", kind="integer"),
        col("Ready", lambda o: _int(get(o, "status", "numberReady")), "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and ready.", kind="integer"),
        col("Up-to-date", lambda o: _int(get(o, "status", "updatedNumberScheduled")), "The total number of nodes that are running updated daemon pod", kind="integer"),
        col("Available", lambda o: _int(get(o, "status", "numberAvailable")), "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available.", kind="integer"),
        col("Node Selector", lambda o: format_labels(get(o, "spec", "template", "spec", "nodeSelector")), "NodeSelector is a selector which must be true for the pod to fit on a node."),
        AGE,
        *_template_columns(*POD_TEMPLATE, selector=lambda o: format_label_selector(get(o, "spec", "selector"))),
    ],
    ("apps", "controllerrevisions"): [
        NAME,
        col("Controller", _controller_of, "Controller of the object"),
        col("Revision", lambda o: _int(o.get("revision")), "Revision indicates the revision of the state represented by Data."),
        AGE,
    ],
    ("batch", "jobs"): [
        NAME,
        col("Status", _job_status, "Status of the job."),
        col("Completions", _job_completions, "The number of pods which reached phase Succeeded."),
        col("Duration", _job_duration, "Time required to complete the job."),
        AGE,
        *_template_columns(*POD_TEMPLATE, selector=lambda o: format_label_selector(get(o, "spec", "selector"))),
    ],
    ("batch", "cronjobs"): [
        NAME,
        col("Schedule", _field("spec", "schedule"), "The schedule in Cron format."),
        col("Timezone", lambda o: _or(get(o, "spec", "timeZone"), "<none>"), "The time zone name for the given schedule."),
        col("Suspend", lambda o: _bool_text(get(o, "spec", "suspend")), "This flag tells the controller to suspend subsequent executions.", kind="boolean"),
        col("Active", _count("status", "active"), "A list of pointers to currently running jobs.", kind="integer"),
        col("Last Schedule", lambda o: since(get(o, "status", "lastScheduleTime")) if get(o, "status", "lastScheduleTime") else "<none>",
            "Information when was the last time the job was successfully scheduled."),
        AGE,
        *_template_columns("spec", "jobTemplate", "spec", "template", "spec",
                           selector=lambda o: format_label_selector(get(o, "spec", "jobTemplate", "spec", "selector"))),
    ],
    ("autoscaling", "horizontalpodautoscalers"): [
        NAME,
        col("Reference", lambda o: f"{_str(get(o, 'spec', 'scaleTargetRef', 'kind'))}/{_str(get(o, 'spec', 'scaleTargetRef', 'name'))}", "scaleTargetRef points to the target resource to scale."),
        col("Targets", _hpa_targets, "metrics contains the specifications for which to use to calculate the desired replica count."),
        col("MinPods", lambda o: _or(get(o, "spec", "minReplicas"), "<unset>"), "minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down."),
        col("MaxPods", lambda o: _int(get(o, "spec", "maxReplicas")), "maxReplicas is the upper limit for the number of replicas to which the autoscaler can scale up."),
        col("Replicas", lambda o: _int(get(o, "status", "currentReplicas")), "currentReplicas is current number of replicas of pods managed by this autoscaler."),
        AGE,
    ],
    ("policy", "poddisruptionbudgets"): [
        NAME,
        col("Min Available", lambda o: _int_or_string(get(o, "spec", "minAvailable")), "The minimum number of pods that must be available."),
        col("Max Unavailable", lambda o: _int_or_string(get(o, "spec", "maxUnavailable")), "The maximum number of pods that may be unavailable."),
        col("Allowed Disruptions", lambda o: _int(get(o, "status", "disruptionsAllowed")), "Calculated number of pods that may be disrupted at this time.", kind="integer"),
        AGE,
    ],
}
