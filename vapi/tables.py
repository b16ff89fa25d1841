"""Server-side printing: `Accept: application/json;as=Table;v=v1;g=meta.k8s.io`.

kube-apiserver picks one of three table convertors per resource, and so does `columns_for`:

- a built-in kind with a print handler gets the columns and cells of
  kubernetes/pkg/printers/internalversion/printers.go. The server runs those printers with
  Wide set, so every row carries every column; kubectl drops priority-1 columns unless
  `-o wide`.
- a built-in kind without one (Role, ClusterRole, LimitRange, CustomResourceDefinition, and
  CSIStorageCapacity, whose store registers the default convertor although a printer exists)
  gets Name and Created At, the creation time in RFC 3339
  (k8s.io/apiserver/pkg/registry/rest/table.go).
- a custom resource gets Name and its CRD version's additionalPrinterColumns, or Age when it
  declares none (apiextensions-apiserver's tableconvertor, serveDefaultColumnsIfEmpty).

kube prints the internal type, converted from what is stored; vapi prints the served object,
so the few conversions a printer depends on are redone here: events.k8s.io Events are read as
core Events, autoscaling/v1 HPAs as v2, and podIP / clusterIP stand in for empty podIPs /
clusterIPs.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any, NamedTuple

from vapi import clock

Obj = dict[str, Any]
Cell = Callable[[Obj], Any]
TABLE_TYPE = "application/json;as=Table;v=v1;g=meta.k8s.io"


def wants_table(accept: str) -> bool:
    for part in accept.split(","):
        params = {p.strip() for p in part.split(";")[1:]}
        if "as=Table" in params and "g=meta.k8s.io" in params and ("v=v1" in params or "v=v1beta1" in params):
            return True
    return False


# --------------------------------------------------------------------------- time


def human_duration(seconds: float) -> str:
    """k8s.io/apimachinery/pkg/util/duration.HumanDuration."""
    s = int(seconds)
    if s < -1:
        return "<invalid>"
    if s < 0:
        return "0s"
    if s < 120:
        return f"{s}s"
    m = s // 60
    if m < 10:
        return f"{m}m{s % 60}s" if s % 60 else f"{m}m"
    if m < 180:
        return f"{m}m"
    h = m // 60
    if h < 8:
        return f"{h}h{m % 60}m" if m % 60 else f"{h}h"
    if h < 48:
        return f"{h}h"
    if h < 24 * 8:
        return f"{h // 24}d{h % 24}h" if h % 24 else f"{h // 24}d"
    if h < 24 * 365 * 2:
        return f"{h // 24}d"
    y = h // (24 * 365)
    if h < 24 * 365 * 8:
        days = (h // 24) % 365
        return f"{y}y{days}d" if days else f"{y}y"
    return f"{y}y"


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


def _time(value: Any) -> datetime.datetime | None:
    """A metav1.Time, or None for an unset (or unreadable, or zero) one."""
    t = clock.parse(value)
    return None if t is None or t.year <= 1 else t


def _later(a: datetime.datetime | None, b: datetime.datetime | None) -> datetime.datetime | None:
    if a is None:
        return b
    return b if b is not None and b > a else a


def since(value: Any) -> str:
    """printers.go translateTimestampSince: how long ago, `<unknown>` for an unset time."""
    t = _time(value)
    return "<unknown>" if t is None else human_duration((_now() - t).total_seconds())


def age(obj: Obj) -> str:
    return since(get(obj, "metadata", "creationTimestamp"))


def _created_at(obj: Obj) -> str:
    """rest.defaultTableConvertor: the creation time in RFC 3339, the zero time when unset."""
    t = clock.parse(get(obj, "metadata", "creationTimestamp"))
    if t is None:
        return "0001-01-01T00:00:00Z"
    return t.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# ------------------------------------------------------------------ reading objects


def get(obj: Obj, *path: str, default: Any = None) -> Any:
    cur: Any = obj
    for p in path:
        if not isinstance(cur, dict):
            return default
        cur = cur.get(p)
    return default if cur is None else cur


def name(obj: Obj) -> str:
    return str(get(obj, "metadata", "name", default=""))


def _dict(value: Any) -> Obj:
    return value if isinstance(value, dict) else {}


def _dicts(value: Any) -> list[Obj]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _str(value: Any) -> str:
    return "" if value is None else str(value)


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _or(value: Any, fallback: str) -> str:
    """A string field, or `fallback` when it is unset (a nil pointer in the Go printer)."""
    return fallback if value is None else str(value)


def _nonempty(value: Any, fallback: str) -> str:
    return str(value) if value else fallback


def _deleting(obj: Obj) -> bool:
    return get(obj, "metadata", "deletionTimestamp") is not None


def _condition_true(conditions: Any, kind: str) -> bool:
    """The first condition of the type is True (printers.go hasJobCondition and kin)."""
    for c in _dicts(conditions):
        if c.get("type") == kind:
            return c.get("status") == "True"
    return False


def _bool_text(value: Any) -> str:
    """printers.go printBoolPtr."""
    return "<unset>" if value is None else ("True" if value else "False")


def _quantity(value: Any) -> str:
    """A resource.Quantity's String(); the zero quantity when unset. vapi keeps quantities as
    written, so a string is printed as it is."""
    if value is None:
        return "0"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        milli = value * 1000
        return f"{int(milli)}m" if milli.is_integer() else repr(value)
    return str(value)


# --------------------------------------------------------- formatting, as apimachinery does


def _quantity_ptr(value: Any) -> str:
    """(*resource.Quantity).String() of an optional quantity: `<nil>` when unset."""
    return "<nil>" if value is None else _quantity(value)


def format_labels(labels: Any) -> str:
    """labels.FormatLabels: `k=v` pairs sorted, `<none>` for none."""
    pairs = sorted(f"{k}={v}" for k, v in _dict(labels).items())
    return ",".join(pairs) or "<none>"


def _selector_string(selector: Any) -> str | None:
    """metav1.LabelSelectorAsSelector(selector).String(): "" for a nil or empty selector,
    None for one that does not convert (an unknown operator, In without values)."""
    if not isinstance(selector, dict):
        return ""
    reqs: list[tuple[str, str]] = [(str(k), f"{k}={v}") for k, v in _dict(selector.get("matchLabels")).items()]
    for e in _dicts(selector.get("matchExpressions")):
        key, op = str(e.get("key", "")), e.get("operator")
        values = [str(v) for v in e.get("values") or []]
        if op in ("In", "NotIn"):
            if not values:
                return None
            reqs.append((key, f"{key} {'in' if op == 'In' else 'notin'} ({','.join(sorted(values))})"))
        elif op in ("Exists", "DoesNotExist"):
            if values:
                return None
            reqs.append((key, key if op == "Exists" else f"!{key}"))
        else:
            return None
    reqs.sort(key=lambda r: r[0])
    return ",".join(text for _, text in reqs)


def format_label_selector(selector: Any) -> str:
    """metav1.FormatLabelSelector: `app=web,env in (prod,stage)`, `<none>`, or `<error>`."""
    text = _selector_string(selector)
    if text is None:
        return "<error>"
    return text or "<none>"


def _go_selector(selector: Obj) -> str:
    """The generated (*metav1.LabelSelector).String(), which a ParamRef's selector prints as."""
    labels = _dict(selector.get("matchLabels"))
    matches = "".join(f"{k}: {labels[k]}," for k in sorted(labels))
    exprs = "".join(
        f"LabelSelectorRequirement{{Key:{e.get('key', '')},Operator:{e.get('operator', '')},"
        f"Values:[{' '.join(str(v) for v in e.get('values') or [])}],}},"
        for e in _dicts(selector.get("matchExpressions"))
    )
    return (f"&LabelSelector{{MatchLabels:map[string]string{{{matches}}},"
            f"MatchExpressions:[]LabelSelectorRequirement{{{exprs}}},}}")


def _layout(containers: Any) -> tuple[str, str]:
    """printers.go layoutContainerCells: container names and images, comma-joined."""
    cs = _dicts(containers)
    return ",".join(_str(c.get("name")) for c in cs), ",".join(_str(c.get("image")) for c in cs)


def _with_more(items: list[str], total: int, limit: int = 3, empty: str = "<unset>") -> str:
    """printers.go listWithMoreString: the first `limit` items and `+ N more...`."""
    text = ",".join(items[:limit])
    if total > limit:
        return f"{text} + {total - limit} more..."
    return text or empty


def _access_modes(modes: Any) -> str:
    """helper.GetAccessModesAsString: abbreviations in a fixed order."""
    have = set(modes) if isinstance(modes, list) else set()
    short = (("ReadWriteOnce", "RWO"), ("ReadOnlyMany", "ROX"), ("ReadWriteMany", "RWX"), ("ReadWriteOncePod", "RWOP"))
    return ",".join(abbr for mode, abbr in short if mode in have)


def _load_balancer(status: Any) -> str:
    """printers.go loadBalancerStatusStringer, wide (the server prints wide): IPs or
    hostnames, sorted and unique."""
    found = {_str(i.get("ip")) or _str(i.get("hostname")) for i in _dicts(_dict(status).get("ingress"))}
    return ",".join(sorted(found - {""}))


# ---------------------------------------------------------------------------- columns


class Column(NamedTuple):
    """One column definition and the function printing its cell."""

    name: str
    type: str
    priority: int
    cell: Cell
    description: str = ""
    format: str = ""


def col(title: str, cell: Cell, description: str = "", *, kind: str = "string", wide: bool = False) -> Column:
    return Column(title, kind, 1 if wide else 0, cell, description or title)


NAME_DOC = ("Name must be unique within a namespace. Is required when creating resources, although some resources "
            "may allow a client to request the generation of an appropriate name automatically. Name is primarily "
            "intended for creation idempotence and configuration definition. Cannot be updated. More info: "
            "https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names")
CREATED_DOC = ("CreationTimestamp is a timestamp representing the server time when this object was created. It is "
               "not guaranteed to be set in happens-before order across separate operations. Clients may not set "
               "this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. "
               "Null for lists. More info: "
               "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata")
CONTAINERS_DOC = "Names of each container in the template."
IMAGES_DOC = "Images referenced by each container in the template."

NAME = Column("Name", "string", 0, name, NAME_DOC, "name")
AGE = Column("Age", "string", 0, age, CREATED_DOC)
CREATED_AT = Column("Created At", "date", 0, _created_at, CREATED_DOC)
DEFAULT_COLUMNS = [NAME, CREATED_AT]


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


# ------------------------------------------------------------------------------- pods


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
        restarts_text = f"{restarts} ({human_duration((_now() - last_restart).total_seconds())} ago)"
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


# ------------------------------------------------------------------------- workloads


def _replicas(obj: Obj) -> int:
    """spec.replicas, which kube defaults to 1."""
    return _int(get(obj, "spec", "replicas", default=1))


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
    return human_duration(((end or _now()) - start).total_seconds())


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


# ------------------------------------------------------------------- core, networking


def _service_type(svc: Obj) -> str:
    return _str(get(svc, "spec", "type", default="ClusterIP"))


def _cluster_ip(svc: Obj) -> str:
    ips = get(svc, "spec", "clusterIPs")
    if isinstance(ips, list) and ips:
        return str(ips[0])
    return _str(get(svc, "spec", "clusterIP")) or "<none>"


def _external_ip(svc: Obj) -> str:
    """printers.go getServiceExternalIP."""
    kind = _service_type(svc)
    external = [str(i) for i in get(svc, "spec", "externalIPs", default=[]) or []]
    if kind in ("ClusterIP", "NodePort"):
        return ",".join(external) or "<none>"
    if kind == "LoadBalancer":
        lb = _load_balancer(get(svc, "status", "loadBalancer"))
        return ",".join([*(lb.split(",") if lb else []), *external]) or "<pending>"
    if kind == "ExternalName":
        return _str(get(svc, "spec", "externalName"))
    return "<unknown>"


def _service_ports(svc: Obj) -> str:
    """printers.go makePortString: `80/TCP`, `80:30080/TCP`."""
    out: list[str] = []
    for p in _dicts(get(svc, "spec", "ports")):
        node_port, protocol = _int(p.get("nodePort")), p.get("protocol") or "TCP"
        out.append(f"{_int(p.get('port'))}:{node_port}/{protocol}" if node_port > 0 else f"{_int(p.get('port'))}/{protocol}")
    return ",".join(out) or "<none>"


def _endpoints(obj: Obj) -> str:
    """printers.go formatEndpoints: `ip:port` for every port of every subset, three shown."""
    subsets = _dicts(obj.get("subsets"))
    if not subsets:
        return "<none>"
    shown: list[str] = []
    total = 0
    for ss in subsets:
        ips = [_str(a.get("ip")) for a in _dicts(ss.get("addresses"))]
        ports = _dicts(ss.get("ports"))
        if not ports:
            total += len(ips)
            shown.extend(ips)
            continue
        for p in ports:
            total += len(ips)
            shown.extend(f"[{ip}]:{_int(p.get('port'))}" if ":" in ip else f"{ip}:{_int(p.get('port'))}" for ip in ips)
    return _with_more(shown, total, empty="")


def _slice_ports(obj: Obj) -> str:
    ports = _dicts(obj.get("ports"))
    shown = [str(p["port"]) if p.get("port") is not None else _or(p.get("name"), "*") for p in ports]
    return _with_more(shown, len(ports))


def _slice_endpoints(obj: Obj) -> str:
    addresses = [str(a) for e in _dicts(obj.get("endpoints")) for a in e.get("addresses") or []]
    return _with_more(addresses, len(addresses))


def _ingress_hosts(obj: Obj) -> str:
    """printers.go formatHosts: the first three hosts set, and `+ N more...` (counting every
    rule past the third) when a rule follows them."""
    rules = _dicts(get(obj, "spec", "rules"))
    hosts: list[str] = []
    more = False
    for r in rules:
        if len(hosts) == 3:
            more = True
            break
        if r.get("host"):
            hosts.append(str(r["host"]))
    if not hosts:
        return "*"
    return f"{','.join(hosts)} + {len(rules) - 3} more..." if more else ",".join(hosts)


def _ingress_class_parameters(obj: Obj) -> str:
    params = get(obj, "spec", "parameters")
    if not isinstance(params, dict):
        return "<none>"
    kind = _str(params.get("kind"))
    if params.get("apiGroup") is not None:
        kind += f".{params['apiGroup']}"
    return f"{kind}/{_str(params.get('name'))}"


def _node_status(node: Obj) -> str:
    ready = None
    for c in _dicts(get(node, "status", "conditions")):
        if c.get("type") == "Ready":
            ready = c
    states = ["Unknown" if ready is None else ("Ready" if ready.get("status") == "True" else "NotReady")]
    if get(node, "spec", "unschedulable") is True:
        states.append("SchedulingDisabled")
    return ",".join(states)


def _node_roles(node: Obj) -> str:
    """printers.go findNodeRoles: node-role.kubernetes.io/<role> keys and kubernetes.io/role values."""
    roles: set[str] = set()
    for key, value in _dict(get(node, "metadata", "labels")).items():
        if key.startswith("node-role.kubernetes.io/") and key[len("node-role.kubernetes.io/"):]:
            roles.add(key[len("node-role.kubernetes.io/"):])
        elif key == "kubernetes.io/role" and value:
            roles.add(str(value))
    return ",".join(sorted(roles)) or "<none>"


def _node_address(kind: str) -> Cell:
    def cell(node: Obj) -> str:
        found = (a.get("address") for a in _dicts(get(node, "status", "addresses")) if a.get("type") == kind)
        return _str(next(found, "<none>"))
    return cell


def _storage_class_of(obj: Obj) -> str:
    """helper.GetPersistentVolume(Claim)Class: the beta annotation first, then the field."""
    annotations = _dict(get(obj, "metadata", "annotations"))
    if "volume.beta.kubernetes.io/storage-class" in annotations:
        return _str(annotations["volume.beta.kubernetes.io/storage-class"])
    return _str(get(obj, "spec", "storageClassName"))


def _phase_or_terminating(obj: Obj) -> str:
    return "Terminating" if _deleting(obj) else _str(get(obj, "status", "phase"))


def _claim_ref(pv: Obj) -> str:
    ref = get(pv, "spec", "claimRef")
    return f"{_str(ref.get('namespace'))}/{_str(ref.get('name'))}" if isinstance(ref, dict) else ""


def _pvc_bound(field: Callable[[Obj], str]) -> Cell:
    """Capacity and access modes print only once the claim names its volume."""
    return lambda o: field(o) if get(o, "spec", "volumeName") else ""


def _quota(kind: str) -> Cell:
    """printers.go printResourceQuota: `used/hard` per resource, sorted; `limits.*` go to
    the Limit column, everything else to Request."""
    def cell(quota: Obj) -> str:
        hard, used = _dict(get(quota, "status", "hard")), _dict(get(quota, "status", "used"))
        parts: list[str] = []
        for resource in sorted(hard):
            pieces = resource.split(".")
            is_limit = len(pieces) > 1 and pieces[0] == "limits"
            if is_limit == (kind == "limits"):
                parts.append(f"{resource}: {_quantity(used.get(resource))}/{_quantity(hard[resource])}")
        return ", ".join(parts)
    return cell


def _int_or_string(value: Any) -> str:
    """intstr.IntOrString.String(); N/A when unset (printPodDisruptionBudget)."""
    return "N/A" if value is None else str(value)


# -------------------------------------------------------------------------------- events


def _core_event(event: Obj) -> Obj:
    """An events.k8s.io/v1 Event read as the core Event kube converts it to."""
    if not ("regarding" in event or "note" in event or str(event.get("apiVersion", "")).startswith("events.k8s.io/")):
        return event
    renamed = {"regarding": "involvedObject", "note": "message", "deprecatedSource": "source",
               "deprecatedFirstTimestamp": "firstTimestamp", "deprecatedLastTimestamp": "lastTimestamp",
               "deprecatedCount": "count", "reportingController": "reportingComponent"}
    return {renamed.get(k, k): v for k, v in event.items()}


class _EventTimes(NamedTuple):
    last: str
    first: str
    occurrences: int


def _event_times(event: Obj) -> _EventTimes:
    """printers.go printEvent: first and last seen fall back to eventTime; a series overrides
    last seen and count; a singleton counts 1."""
    first = since(event.get("firstTimestamp")) if _time(event.get("firstTimestamp")) else since(event.get("eventTime"))
    last = since(event.get("lastTimestamp")) if _time(event.get("lastTimestamp")) else first
    count = _int(event.get("count"))
    series = event.get("series")
    if isinstance(series, dict):
        last, count = since(series.get("lastObservedTime")), _int(series.get("count"))
    elif count == 0:
        count = 1
    return _EventTimes(last, first, count)


def _event_object(event: Obj) -> str:
    involved = _dict(event.get("involvedObject"))
    kind = _str(involved.get("kind")).lower()
    return f"{kind}/{involved['name']}" if involved.get("name") else kind


def _event_source(event: Obj) -> str:
    """printers.go formatEventSource: component (or reporting controller), then host."""
    component = _str(get(event, "source", "component")) or _str(event.get("reportingComponent"))
    host = _str(get(event, "source", "host")) or _str(event.get("reportingInstance"))
    return f"{component}, {host}" if host else component


def _event_columns(view: Callable[[Obj], Obj]) -> list[Column]:
    return [
        col("Last Seen", lambda o: _event_times(view(o)).last, "The time at which the most recent occurrence of this event was recorded."),
        col("Type", lambda o: _str(view(o).get("type")), "Type of this event (Normal, Warning), new types could be added in the future"),
        col("Reason", lambda o: _str(view(o).get("reason")), "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
        col("Object", lambda o: _event_object(view(o)), "The object that this event is about."),
        col("Subobject", lambda o: _str(get(view(o), "involvedObject", "fieldPath")), "The part of the object this event is about.", wide=True),
        col("Source", lambda o: _event_source(view(o)), "The component reporting this event.", wide=True),
        col("Message", lambda o: _str(view(o).get("message")).strip(), "A human-readable description of the status of this operation."),
        col("First Seen", lambda o: _event_times(view(o)).first, "The time at which the event was first recorded.", wide=True),
        col("Count", lambda o: _event_times(view(o)).occurrences, "The number of times this event has occurred.", wide=True),
        NAME._replace(priority=1),
    ]


# ------------------------------------------------------------------------- rbac, admission


def _role_ref(binding: Obj) -> str:
    return f"{_str(get(binding, 'roleRef', 'kind'))}/{_str(get(binding, 'roleRef', 'name'))}"


def _subjects(kind: str) -> Cell:
    """rbac.SubjectsStrings: users, groups, or namespace/name service accounts."""
    def cell(binding: Obj) -> str:
        out: list[str] = []
        for s in _dicts(binding.get("subjects")):
            if s.get("kind") == kind:
                out.append(f"{_str(s.get('namespace'))}/{_str(s.get('name'))}" if kind == "ServiceAccount" else _str(s.get("name")))
        return ", ".join(out)
    return cell


def _binding_columns(what: str) -> list[Column]:
    return [
        NAME,
        col("Role", _role_ref, "RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace."),
        AGE,
        col("Users", _subjects("User"), f"Users in the {what}", wide=True),
        col("Groups", _subjects("Group"), f"Groups in the {what}", wide=True),
        col("ServiceAccounts", _subjects("ServiceAccount"), f"ServiceAccounts in the {what}", wide=True),
    ]


def _csr_condition(csr: Obj) -> str:
    """printers.go extractCSRStatus."""
    kinds = {c.get("type") for c in _dicts(get(csr, "status", "conditions"))}
    text = "Denied" if "Denied" in kinds else "Approved" if "Approved" in kinds else "Pending"
    if "Failed" in kinds:
        text += ",Failed"
    if get(csr, "status", "certificate"):
        text += ",Issued"
    return text


def _param_kind(policy: Obj) -> str:
    kind = get(policy, "spec", "paramKind")
    return f"{_str(kind.get('apiVersion'))}/{_str(kind.get('kind'))}" if isinstance(kind, dict) else "<unset>"


def _param_ref(binding: Obj) -> str:
    ref = get(binding, "spec", "paramRef")
    if not isinstance(ref, dict):
        return "<unset>"
    if ref.get("name"):
        return f"{ref.get('namespace') or '*'}/{ref['name']}"
    if isinstance(ref.get("selector"), dict):
        return _go_selector(ref["selector"])
    return "<unset>"


def _policy_columns(rules: str, doc: str) -> list[Column]:
    return [
        NAME,
        col(rules.capitalize(), lambda o: len(get(o, "spec", rules, default=[]) or []), doc, kind="integer"),
        col("ParamKind", _param_kind, "ParamKind specifies the kind of resources used to parameterize this policy"),
        AGE,
    ]


def _policy_binding_columns() -> list[Column]:
    return [
        NAME,
        col("PolicyName", lambda o: _str(get(o, "spec", "policyName")), "PolicyName indicates the policy definition which the policy binding binded to"),
        col("ParamRef", _param_ref, "ParamRef indicates the param resource which sets the configration param"),
        AGE,
    ]


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


def _flow_schema_dangling(obj: Obj) -> str:
    found = (c.get("status") for c in _dicts(get(obj, "status", "conditions")) if c.get("type") == "Dangling")
    return _str(next(found, "?"))


def _priority_level(field: str | None) -> Cell:
    """printPriorityLevelConfiguration: a Limited level's shares and queuing, else <none>."""
    def cell(obj: Obj) -> Any:
        limited = get(obj, "spec", "limited")
        if not isinstance(limited, dict):
            return "<none>"
        if field is None:
            return _int(limited.get("nominalConcurrencyShares"))
        queuing = get(limited, "limitResponse", "queuing")
        return _int(queuing.get(field)) if isinstance(queuing, dict) else "<none>"
    return cell


def _storage_versions(obj: Obj) -> str:
    versions = _dicts(get(obj, "status", "storageVersions"))
    shown = [f"{_str(v.get('apiServerID'))}={_str(v.get('encodingVersion'))}" for v in versions]
    return _with_more(shown, len(shown))


def _apiservice_available(obj: Obj) -> str:
    """kube-aggregator's APIService convertor: the Available condition, with its reason when
    it is not True."""
    condition = next((c for c in _dicts(get(obj, "status", "conditions")) if c.get("type") == "Available"), None)
    if condition is None:
        return "Unknown"
    status = _str(condition.get("status"))
    return status if status == "True" or not condition.get("reason") else f"{status} ({condition['reason']})"


def _ip_parent(obj: Obj) -> str:
    ref = get(obj, "spec", "parentRef")
    if not isinstance(ref, dict):
        return "<none>"
    resource = _str(ref.get("resource"))
    text = (f"{resource}.{ref['group']}" if ref.get("group") else resource).lower()
    if ref.get("namespace"):
        text += f"/{ref['namespace']}"
    return f"{text}/{_str(ref.get('name'))}"


def _claim_state(claim: Obj) -> str:
    states: list[str] = []
    deleting = _deleting(claim)
    if deleting:
        states.append("deleted")
    if get(claim, "status", "allocation") is None:
        if not deleting:
            states.append("pending")
    else:
        states.append("allocated")
        if get(claim, "status", "reservedFor"):
            states.append("reserved")
    return ",".join(states)


def _default_named(annotations: tuple[str, ...]) -> Cell:
    """The name, with ` (default)` when a default-class annotation is "true"."""
    def cell(obj: Obj) -> str:
        marks = _dict(get(obj, "metadata", "annotations"))
        return name(obj) + (" (default)" if any(marks.get(a) == "true" for a in annotations) else "")
    return cell


def _count(*path: str) -> Cell:
    return lambda o: len(get(o, *path, default=[]) or [])


def _field(*path: str) -> Cell:
    """A string field, empty when unset."""
    return lambda o: _str(get(o, *path))


# --------------------------------------------------------------------- the column table

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
    ("", "podtemplates"): [
        NAME,
        col("Containers", lambda o: _layout(get(o, "template", "spec", "containers"))[0], CONTAINERS_DOC),
        col("Images", lambda o: _layout(get(o, "template", "spec", "containers"))[1], IMAGES_DOC),
        col("Pod Labels", lambda o: format_labels(get(o, "template", "metadata", "labels")), "The labels for the pod template."),
    ],
    ("", "replicationcontrollers"): [
        NAME,
        col("Desired", _replicas, "Replicas is the number of desired replicas.", kind="integer"),
        col("Current", lambda o: _int(get(o, "status", "replicas")), "Replicas is the most recently observed number of replicas.", kind="integer"),
        col("Ready", lambda o: _int(get(o, "status", "readyReplicas")), "The number of ready replicas for this replication controller.", kind="integer"),
        AGE,
        *_template_columns(*POD_TEMPLATE, selector=lambda o: format_labels(get(o, "spec", "selector"))),
    ],
    ("apps", "deployments"): [
        NAME,
        col("Ready", lambda o: f"{_int(get(o, 'status', 'readyReplicas'))}/{_replicas(o)}", "Number of the pod with ready state"),
        col("Up-to-date", lambda o: _int(get(o, "status", "updatedReplicas")), "Total number of non-terminated pods targeted by this deployment that have the desired template spec."),
        col("Available", lambda o: _int(get(o, "status", "availableReplicas")), "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment."),
        AGE,
        *_template_columns(*POD_TEMPLATE, selector=_deployment_selector),
    ],
    ("apps", "replicasets"): [
        NAME,
        col("Desired", _replicas, "Replicas is the number of desired replicas.", kind="integer"),
        col("Current", lambda o: _int(get(o, "status", "replicas")), "Replicas is the most recently observed number of replicas.", kind="integer"),
        col("Ready", lambda o: _int(get(o, "status", "readyReplicas")), "The number of ready replicas for this replica set.", kind="integer"),
        AGE,
        *_template_columns(*POD_TEMPLATE, selector=lambda o: format_label_selector(get(o, "spec", "selector"))),
    ],
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
    ("", "services"): [
        NAME,
        col("Type", _service_type, "type determines how the Service is exposed."),
        col("Cluster-IP", _cluster_ip, "clusterIP is the IP address of the service and is usually assigned randomly."),
        col("External-IP", _external_ip, "externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service."),
        col("Port(s)", _service_ports, "The list of ports that are exposed by this service."),
        AGE,
        col("Selector", lambda o: format_labels(get(o, "spec", "selector")), "Route service traffic to pods with label keys and values matching this selector.", wide=True),
    ],
    ("", "endpoints"): [
        NAME,
        col("Endpoints", _endpoints, "The set of all endpoints is the union of all subsets."),
        AGE,
    ],
    ("", "nodes"): [
        NAME,
        col("Status", _node_status, "The status of the node"),
        col("Roles", _node_roles, "The roles of the node"),
        AGE,
        col("Version", _field("status", "nodeInfo", "kubeletVersion"), "Kubelet Version reported by the node."),
        col("Internal-IP", _node_address("InternalIP"), "List of addresses reachable to the node.", wide=True),
        col("External-IP", _node_address("ExternalIP"), "List of addresses reachable to the node.", wide=True),
        col("OS-Image", lambda o: _nonempty(get(o, "status", "nodeInfo", "osImage"), "<unknown>"), "OS Image reported by the node from /etc/os-release.", wide=True),
        col("Kernel-Version", lambda o: _nonempty(get(o, "status", "nodeInfo", "kernelVersion"), "<unknown>"), "Kernel Version reported by the node from 'uname -r'.", wide=True),
        col("Container-Runtime", lambda o: _nonempty(get(o, "status", "nodeInfo", "containerRuntimeVersion"), "<unknown>"), "ContainerRuntime Version reported by the node through runtime remote API.", wide=True),
    ],
    ("", "events"): _event_columns(lambda o: o),
    ("events.k8s.io", "events"): _event_columns(_core_event),
    ("", "namespaces"): [NAME, col("Status", _field("status", "phase"), "The status of the namespace"), AGE],
    ("", "secrets"): [
        NAME,
        col("Type", lambda o: _str(o.get("type", "Opaque")), "Used to facilitate programmatic handling of secret data."),
        col("Data", lambda o: len(_dict(o.get("data")) | _dict(o.get("stringData"))), "Data contains the secret data."),
        AGE,
    ],
    ("", "serviceaccounts"): [NAME, col("Secrets", _count("secrets"), "Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use."), AGE],
    ("", "configmaps"): [
        NAME,
        col("Data", lambda o: len(_dict(o.get("data"))) + len(_dict(o.get("binaryData"))), "Data contains the configuration data."),
        AGE,
    ],
    ("", "persistentvolumes"): [
        NAME,
        col("Capacity", lambda o: _quantity(get(o, "spec", "capacity", "storage")), "capacity is the description of the persistent volume's resources and capacity."),
        col("Access Modes", lambda o: _access_modes(get(o, "spec", "accessModes")), "accessModes contains all ways the volume can be mounted."),
        col("Reclaim Policy", _field("spec", "persistentVolumeReclaimPolicy"), "persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim."),
        col("Status", _phase_or_terminating, "phase indicates if a volume is available, bound to a claim, or released by a claim."),
        col("Claim", _claim_ref, "claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim."),
        col("StorageClass", _storage_class_of, "StorageClass of the pv"),
        col("VolumeAttributesClass", lambda o: _or(get(o, "spec", "volumeAttributesClassName"), "<unset>"), "VolumeAttributesClass of the pv"),
        col("Reason", _field("status", "reason"), "reason is a brief CamelCase string that describes any failure."),
        AGE,
        col("VolumeMode", lambda o: _or(get(o, "spec", "volumeMode"), "<unset>"), "volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state.", wide=True),
    ],
    ("", "persistentvolumeclaims"): [
        NAME,
        col("Status", _phase_or_terminating, "phase represents the current phase of PersistentVolumeClaim."),
        col("Volume", _field("spec", "volumeName"), "volumeName is the binding reference to the PersistentVolume backing this claim."),
        col("Capacity", _pvc_bound(lambda o: _quantity(get(o, "status", "capacity", "storage"))), "capacity represents the actual resources of the underlying volume."),
        col("Access Modes", _pvc_bound(lambda o: _access_modes(get(o, "status", "accessModes"))), "accessModes contains the actual access modes the volume backing the PVC has."),
        col("StorageClass", _storage_class_of, "StorageClass of the pvc"),
        col("VolumeAttributesClass", lambda o: _or(get(o, "spec", "volumeAttributesClassName"), "<unset>"), "VolumeAttributesClass of the pvc"),
        AGE,
        col("VolumeMode", lambda o: _or(get(o, "spec", "volumeMode"), "<unset>"), "volumeMode defines what type of volume is required by the claim.", wide=True),
    ],
    ("", "resourcequotas"): [
        NAME,
        col("Request", _quota("requests"), "Request represents a minimum amount of cpu/memory that a container may consume."),
        col("Limit", _quota("limits"), "Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node."),
        AGE,
    ],
    ("", "componentstatuses"): [
        NAME,
        col("Status", lambda o: next((("Healthy" if c.get("status") == "True" else "Unhealthy") for c in _dicts(o.get("conditions")) if c.get("type") == "Healthy"), "Unknown"), "Status of the component conditions"),
        col("Message", lambda o: next((_str(c.get("message")) for c in _dicts(o.get("conditions")) if c.get("type") == "Healthy"), ""), "Message of the component conditions"),
        col("Error", lambda o: next((_str(c.get("error")) for c in _dicts(o.get("conditions")) if c.get("type") == "Healthy"), ""), "Error of the component conditions"),
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
    ("networking.k8s.io", "ingresses"): [
        NAME,
        col("Class", lambda o: _or(get(o, "spec", "ingressClassName"), "<none>"), "The name of the IngressClass resource that should be used for additional configuration"),
        col("Hosts", _ingress_hosts, "Hosts that incoming requests are matched against before the ingress rule"),
        col("Address", lambda o: _load_balancer(get(o, "status", "loadBalancer")), "Address is a list containing ingress points for the load-balancer"),
        col("Ports", lambda o: "80, 443" if get(o, "spec", "tls") else "80", "Ports of TLS configurations that open"),
        AGE,
    ],
    ("networking.k8s.io", "ingressclasses"): [
        NAME,
        col("Controller", _field("spec", "controller"), "Controller that is responsible for handling this class"),
        col("Parameters", _ingress_class_parameters, "A reference to a resource with additional parameters"),
        AGE,
    ],
    ("networking.k8s.io", "networkpolicies"): [
        NAME,
        col("Pod-Selector", lambda o: format_label_selector(get(o, "spec", "podSelector", default={})), "Selects the pods to which this NetworkPolicy object applies."),
        AGE,
    ],
    ("networking.k8s.io", "servicecidrs"): [
        NAME,
        col("CIDRs", lambda o: ",".join(str(c) for c in get(o, "spec", "cidrs", default=[]) or []), "CIDRs defines the IP blocks in CIDR notation from which to assign service cluster IPs."),
        AGE,
    ],
    ("networking.k8s.io", "ipaddresses"): [
        NAME,
        col("ParentRef", _ip_parent, "ParentRef references the resource that an IPAddress is attached to."),
        AGE,
    ],
    ("discovery.k8s.io", "endpointslices"): [
        NAME,
        col("AddressType", _field("addressType"), "addressType specifies the type of address carried by this EndpointSlice."),
        col("Ports", _slice_ports, "ports specifies the list of network ports exposed by each endpoint in this slice."),
        col("Endpoints", _slice_endpoints, "endpoints is a list of unique endpoints in this slice."),
        AGE,
    ],
    ("rbac.authorization.k8s.io", "rolebindings"): _binding_columns("roleBinding"),
    ("rbac.authorization.k8s.io", "clusterrolebindings"): _binding_columns("clusterRoleBinding"),
    ("certificates.k8s.io", "certificatesigningrequests"): [
        NAME,
        AGE,
        col("SignerName", lambda o: _nonempty(get(o, "spec", "signerName"), "<none>"), "signerName indicates the requested signer."),
        col("Requestor", _field("spec", "username"), "username contains the name of the user that created the CertificateSigningRequest."),
        col("RequestedDuration", lambda o: "<none>" if get(o, "spec", "expirationSeconds") is None else human_duration(_int(get(o, "spec", "expirationSeconds"))),
            "expirationSeconds is the requested duration of validity of the issued certificate."),
        col("Condition", _csr_condition, "conditions applied to the request."),
    ],
    ("certificates.k8s.io", "clustertrustbundles"): [
        NAME,
        col("SignerName", lambda o: _nonempty(get(o, "spec", "signerName"), "<none>"), "signerName indicates the associated signer, if any."),
    ],
    ("coordination.k8s.io", "leases"): [
        NAME,
        col("Holder", _field("spec", "holderIdentity"), "holderIdentity contains the identity of the holder of a current lease."),
        AGE,
    ],
    ("coordination.k8s.io", "leasecandidates"): [
        NAME,
        col("LeaseName", _field("spec", "leaseName"), "LeaseName is the name of the lease for which this candidate is contending."),
        col("BinaryVersion", _field("spec", "binaryVersion"), "BinaryVersion is the binary version."),
        col("EmulationVersion", _field("spec", "emulationVersion"), "EmulationVersion is the emulation version."),
        AGE,
    ],
    ("storage.k8s.io", "storageclasses"): [
        Column("Name", "string", 0, _default_named(("storageclass.kubernetes.io/is-default-class", "storageclass.beta.kubernetes.io/is-default-class")), NAME_DOC, "name"),
        col("Provisioner", _field("provisioner"), "provisioner indicates the type of the provisioner."),
        col("ReclaimPolicy", lambda o: _str(o.get("reclaimPolicy") or "Delete"), "reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes of this storage class."),
        col("VolumeBindingMode", lambda o: _str(o.get("volumeBindingMode") or "Immediate"), "volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound."),
        col("AllowVolumeExpansion", lambda o: o.get("allowVolumeExpansion") is True, "allowVolumeExpansion shows whether the storage class allow volume expand."),
        AGE,
    ],
    ("storage.k8s.io", "volumeattributesclasses"): [
        Column("Name", "string", 0, _default_named(("volumeattributesclass.alpha.kubernetes.io/is-default-class",)), NAME_DOC, "name"),
        col("DriverName", _field("driverName"), "Name of the CSI driver"),
        AGE,
    ],
    ("storage.k8s.io", "volumeattachments"): [
        NAME,
        Column("Attacher", "string", 0, _field("spec", "attacher"), "attacher indicates the name of the volume driver that MUST handle this request.", "name"),
        col("PV", _field("spec", "source", "persistentVolumeName"), "persistentVolumeName represents the name of the persistent volume to attach."),
        col("Node", _field("spec", "nodeName"), "nodeName represents the node that the volume should be attached to."),
        col("Attached", lambda o: get(o, "status", "attached") is True, "attached indicates the volume is successfully attached.", kind="boolean"),
        AGE,
    ],
    ("storage.k8s.io", "csinodes"): [
        NAME,
        col("Drivers", _count("spec", "drivers"), "Drivers indicates the number of CSI drivers registered on the node", kind="integer"),
        AGE,
    ],
    ("storage.k8s.io", "csidrivers"): [
        NAME,
        col("AttachRequired", lambda o: get(o, "spec", "attachRequired") is not False, "attachRequired indicates this CSI volume driver requires an attach operation.", kind="boolean"),
        col("PodInfoOnMount", lambda o: get(o, "spec", "podInfoOnMount") is True, "podInfoOnMount indicates this CSI volume driver requires additional pod information during mount operations.", kind="boolean"),
        col("StorageCapacity", lambda o: get(o, "spec", "storageCapacity") is True, "storageCapacity indicates that the CSI volume driver wants pod scheduling to consider the storage capacity.", kind="boolean"),
        col("TokenRequests", lambda o: "<unset>" if get(o, "spec", "tokenRequests") is None else ",".join(_str(t.get("audience")) for t in _dicts(get(o, "spec", "tokenRequests"))),
            "tokenRequests indicates the CSI driver needs pods' service account tokens it is mounting volume for."),
        col("RequiresRepublish", lambda o: get(o, "spec", "requiresRepublish") is True, "requiresRepublish indicates the CSI driver wants NodePublishVolume being periodically called.", kind="boolean"),
        col("Modes", lambda o: ",".join(str(m) for m in get(o, "spec", "volumeLifecycleModes", default=[]) or []) or "<none>", "volumeLifecycleModes defines what kind of volumes this CSI volume driver supports."),
        AGE,
    ],
    ("admissionregistration.k8s.io", "mutatingwebhookconfigurations"): [
        NAME,
        col("Webhooks", _count("webhooks"), "Webhooks indicates the number of webhooks registered in this configuration", kind="integer"),
        AGE,
    ],
    ("admissionregistration.k8s.io", "validatingwebhookconfigurations"): [
        NAME,
        col("Webhooks", _count("webhooks"), "Webhooks indicates the number of webhooks registered in this configuration", kind="integer"),
        AGE,
    ],
    ("admissionregistration.k8s.io", "validatingadmissionpolicies"): _policy_columns(
        "validations", "Validations indicates the number of validation rules defined in this configuration"),
    ("admissionregistration.k8s.io", "mutatingadmissionpolicies"): _policy_columns(
        "mutations", "Mutation indicates the number of mutations rules defined in this configuration"),
    ("admissionregistration.k8s.io", "validatingadmissionpolicybindings"): _policy_binding_columns(),
    ("admissionregistration.k8s.io", "mutatingadmissionpolicybindings"): _policy_binding_columns(),
    ("scheduling.k8s.io", "priorityclasses"): [
        NAME,
        col("Value", lambda o: _int(o.get("value")), "value represents the integer value of this priority class.", kind="integer"),
        col("Global-Default", lambda o: o.get("globalDefault") is True, "globalDefault specifies whether this PriorityClass should be considered as the default priority for pods that do not have any priority class.", kind="boolean"),
        AGE,
        # printers.go declares it without Priority: kubectl shows it without -o wide
        col("PreemptionPolicy", _field("preemptionPolicy"), "preemptionPolicy is the Policy for preempting pods with lower priority."),
    ],
    ("node.k8s.io", "runtimeclasses"): [
        NAME,
        col("Handler", _field("handler"), "handler specifies the underlying runtime and configuration that the CRI implementation will use to handle pods of this class."),
        AGE,
    ],
    ("flowcontrol.apiserver.k8s.io", "flowschemas"): [
        NAME,
        col("PriorityLevel", _field("spec", "priorityLevelConfiguration", "name"), "name is the name of the priority level configuration being referenced"),
        col("MatchingPrecedence", lambda o: _int(get(o, "spec", "matchingPrecedence")), "matchingPrecedence is used to choose among the FlowSchemas that match a given request."),
        col("DistinguisherMethod", lambda o: "<none>" if get(o, "spec", "distinguisherMethod") is None else _str(get(o, "spec", "distinguisherMethod", "type")),
            "distinguisherMethod defines how to compute the flow distinguisher for requests that match this schema."),
        AGE,
        col("MissingPL", _flow_schema_dangling, "references a broken or non-existent PriorityLevelConfiguration"),
    ],
    ("flowcontrol.apiserver.k8s.io", "prioritylevelconfigurations"): [
        NAME,
        col("Type", _field("spec", "type"), "type indicates whether this priority level is subject to limitation on request execution."),
        col("NominalConcurrencyShares", _priority_level(None), "nominalConcurrencyShares (NCS) contributes to the computation of the NominalConcurrencyLimit (NominalCL) of this level."),
        col("Queues", _priority_level("queues"), "queues is the number of queues for this priority level."),
        col("HandSize", _priority_level("handSize"), "handSize is a small positive number that configures the shuffle sharding of requests into queues."),
        col("QueueLengthLimit", _priority_level("queueLengthLimit"), "queueLengthLimit is the maximum number of requests allowed to be waiting in a given queue of this priority level at a time."),
        AGE,
    ],
    ("internal.apiserver.k8s.io", "storageversions"): [
        NAME,
        col("CommonEncodingVersion", lambda o: _or(get(o, "status", "commonEncodingVersion"), "<unset>"), "If all API server instances agree on the same encoding storage version, then this field is set to that version."),
        col("StorageVersions", _storage_versions, "The reported versions per API server instance."),
        AGE,
    ],
    ("storagemigration.k8s.io", "storageversionmigrations"): [
        NAME._replace(format=""),
        col("Resource", lambda o: ".".join(_str(get(o, "spec", "resource", f)) for f in ("resource", "version", "group")), "Fully qualified resource to migrate"),
    ],
    ("apiregistration.k8s.io", "apiservices"): [
        NAME,
        col("Service", lambda o: f"{_str(get(o, 'spec', 'service', 'namespace'))}/{_str(get(o, 'spec', 'service', 'name'))}" if isinstance(get(o, "spec", "service"), dict) else "Local",
            "The reference to the service that hosts this API endpoint."),
        col("Available", _apiservice_available, "Whether this service is available."),
        AGE,
    ],
    ("resource.k8s.io", "deviceclasses"): [NAME, AGE],
    ("resource.k8s.io", "resourceclaimtemplates"): [NAME, AGE],
    ("resource.k8s.io", "resourceclaims"): [
        NAME,
        col("State", _claim_state, "A summary of the current state (allocated, pending, reserved, etc.)."),
        AGE,
    ],
    ("resource.k8s.io", "resourceslices"): [
        NAME,
        col("Node", _field("spec", "nodeName"), "NodeName identifies the node which provides the resources in this pool."),
        col("Driver", _field("spec", "driver"), "Driver identifies the DRA driver providing the capacity information."),
        col("Pool", _field("spec", "pool", "name"), "Name is used to identify the pool."),
        AGE,
    ],
    # vapi's own kinds
    ("tenancy.vapi.dev", "workspaces"): [
        NAME,
        col("Phase", _field("status", "phase")),
        col("URL", _field("status", "URL")),
        AGE,
    ],
    ("tenancy.vapi.dev", "accessgrants"): [
        NAME,
        col("Subject", lambda o: f"{get(o, 'spec', 'subject', 'kind', default='')}/{get(o, 'spec', 'subject', 'name', default='')}"),
        col("Role", _field("spec", "role")),
        AGE,
    ],
    ("tenancy.vapi.dev", "accesstokens"): [
        NAME,
        col("User", _field("spec", "user")),
        col("Groups", lambda o: ",".join(str(g) for g in get(o, "spec", "groups", default=[]) or []) or "<none>"),
        col("Expires", lambda o: get(o, "spec", "expirationTimestamp", default="<never>")),
        AGE,
    ],
    ("edge.vapi.dev", "edgeclusters"): [
        NAME,
        col("Ready", lambda o: _condition(o, "Ready")),
        col("Synced", lambda o: _condition(o, "Synced")),
        col("Applied", lambda o: get(o, "status", "objectsApplied", default=0), kind="integer"),
        col("Failing", lambda o: get(o, "status", "objectsFailing", default=0), kind="integer"),
        col("Heartbeat", lambda o: get(o, "status", "lastHeartbeatTime", default="<none>")),
        col("Labels", lambda o: format_labels(get(o, "metadata", "labels")), wide=True),
        AGE,
    ],
    ("edge.vapi.dev", "statussummaries"): [
        NAME,
        col("Placement", _field("spec", "placement")),
        col("Object", lambda o: f"{str(get(o, 'spec', 'object', 'kind', default='')).lower()}/{get(o, 'spec', 'object', 'name', default='')}"),
        col("Clusters", lambda o: get(o, "status", "clusters", default=0), kind="integer"),
        col("Observed", lambda o: get(o, "status", "observed", default=0), kind="integer"),
        col("Ready", lambda o: get(o, "status", "ready", default=0), kind="integer"),
        col("Attention", lambda o: get(o, "status", "attention", default=0), kind="integer"),
        AGE,
    ],
    ("edge.vapi.dev", "reportedstatuses"): [
        NAME,
        col("Cluster", _field("spec", "cluster")),
        col("Object", lambda o: f"{str(get(o, 'spec', 'object', 'kind', default='')).lower()}/{get(o, 'spec', 'object', 'name', default='')}"),
        col("Observed", lambda o: str(get(o, "status", "observedGeneration", default="<none>"))),
        AGE,
    ],
    ("edge.vapi.dev", "placements"): [
        NAME,
        col("Clusters", lambda o: get(o, "status", "clusters", default=0), kind="integer"),
        col("Objects", lambda o: get(o, "status", "objects", default=0), kind="integer"),
        col("Errors", lambda o: len(get(o, "status", "errors", default=[]) or []), kind="integer"),
        AGE,
    ],
}

# Row conditions, and the order a list prints in, where a printer sets them.
ROW_CONDITIONS: dict[tuple[str, str], Callable[[Obj], list[Obj] | None]] = {("", "pods"): _pod_conditions}
ROW_ORDER: dict[tuple[str, str], Callable[[Obj], Any]] = {
    # printFlowSchemaList sorts by matching precedence, then name
    ("flowcontrol.apiserver.k8s.io", "flowschemas"): lambda o: (_int(get(o, "spec", "matchingPrecedence")), name(o)),
}


def _condition(obj: Obj, kind: str) -> str:
    for c in get(obj, "status", "conditions", default=[]) or []:
        if isinstance(c, dict) and c.get("type") == kind:
            return str(c.get("status", "Unknown"))
    return "Unknown"


# ------------------------------------------------------------------- custom resources


def _json_path(obj: Obj, path: str) -> Any:
    """The simple JSONPath of CRD printer columns: `.spec.replicas`, `.status.conditions[0].type`."""
    cur: Any = obj
    for part in path.strip().strip("{}").lstrip(".").replace("]", "").split("."):
        name, _, index = part.partition("[")
        if name:
            cur = cur.get(name) if isinstance(cur, dict) else None
        if index:
            cur = cur[int(index)] if isinstance(cur, list) and index.isdigit() and int(index) < len(cur) else None
        if cur is None:
            return None
    return cur


def _custom_cell(kind: str, value: Any) -> Any:
    """apiextensions tableconvertor cellForJSONValue (strings as JSONPath prints them); None,
    which kubectl prints as an empty cell, for a missing or mistyped value."""
    if value is None:
        return None
    if kind == "string":
        if isinstance(value, bool):
            return "true" if value else "false"
        return value if isinstance(value, str) else str(value)
    if kind == "integer":
        return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None
    if kind == "number":
        return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None
    if kind == "boolean":
        return value if isinstance(value, bool) else None
    if kind == "date":
        if not isinstance(value, str):
            return None
        if value in ("", "null"):
            return "<unknown>"
        return "<invalid>" if clock.parse(value) is None else since(value)
    return None


def printer_column(spec: Obj) -> Column:
    """A column of a CRD version's additionalPrinterColumns."""
    kind = str(spec.get("type", "string"))
    path = str(spec.get("jsonPath", ""))
    return Column(
        str(spec.get("name", "")), kind, int(spec.get("priority", 0)),
        lambda o: _custom_cell(kind, _json_path(o, path)),
        str(spec.get("description") or f"Custom resource definition column (in JSONPath format): {path}"),
        str(spec.get("format", "")),
    )


def columns_for(group: str, resource: str, custom: list[Obj] | None = None) -> list[Column]:
    """The columns kube-apiserver prints: a built-in kind's printer, else the default
    convertor's Name and Created At; for a custom resource (`custom` is its CRD version's
    printer columns, a list even when empty) Name and those columns, or Name and Age."""
    if custom:
        return [NAME, *(printer_column(c) for c in custom)]
    if (group, resource) in COLUMNS:
        return COLUMNS[(group, resource)]
    if custom is not None:
        return [NAME, AGE._replace(type="date")]
    return DEFAULT_COLUMNS


def column_definitions(cols: list[Column]) -> list[Obj]:
    return [{"name": c.name, "type": c.type, "format": c.format, "description": c.description or c.name,
             "priority": c.priority} for c in cols]


def row(obj: Obj, cols: list[Column], include: str) -> Obj:
    cells = []
    for c in cols:
        try:
            cells.append(c.cell(obj))
        except (TypeError, ValueError, AttributeError, KeyError, IndexError):
            cells.append("")
    r: Obj = {"cells": cells}
    if include == "Object":
        r["object"] = obj
    elif include == "Metadata":
        r["object"] = {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": obj.get("metadata", {})}
    return r


def table(objs: list[Obj], group: str, resource: str, include: str, list_meta: Obj | None = None, *,
          definitions: bool = True, custom: list[Obj] | None = None) -> Obj:
    cols = columns_for(group, resource, custom)
    key = (group, resource)
    if custom is None and key in ROW_ORDER:
        objs = sorted(objs, key=ROW_ORDER[key])
    rows = []
    for o in objs:
        r = row(o, cols, include)
        conditions = ROW_CONDITIONS[key](o) if custom is None and key in ROW_CONDITIONS else None
        if conditions:
            r["conditions"] = conditions
        rows.append(r)
    return {
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": list_meta or {},
        "columnDefinitions": column_definitions(cols) if definitions else [],
        "rows": rows,
    }
