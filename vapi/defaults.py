"""The defaults kube-apiserver gives built-in kinds when it decodes a write, after
k8s.io/kubernetes/pkg/apis/*/v1/defaults.go (SetDefaults_*): what `kubectl get -o yaml`
and `kubectl describe` show for fields nobody set. Only values the apiserver fills in by
itself are here; what controllers or admission plugins add later (service account
volumes, node names, allocated addresses) is not.

Defaulting runs on every create and update, so each function only fills what is missing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import orjson

from vapi import clock, quantity

Obj = dict[str, Any]

# PodSpec and Container defaults (core/v1 SetDefaults_PodSpec, SetDefaults_Container, ...)
POD_SPEC = {"restartPolicy": "Always", "terminationGracePeriodSeconds": 30, "dnsPolicy": "ClusterFirst",
            "securityContext": {}, "schedulerName": "default-scheduler"}
CONTAINER = {"terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File", "resources": {}}
PROBE = {"timeoutSeconds": 1, "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3}
VOLUME_MODE_0644 = 420
MAX_INT32 = 2**31 - 1


def _fill(node: Any, values: Obj) -> None:
    if isinstance(node, dict):
        for k, v in values.items():
            if k not in node:
                node[k] = dict(v) if isinstance(v, dict) else v


def _dicts(node: Any, *path: str) -> list[Obj]:
    """The dicts at path under node; a list along the way contributes each of its items."""
    found = [node]
    for key in path:
        step: list[Any] = []
        for n in found:
            value = n.get(key) if isinstance(n, dict) else None
            step.extend(value if isinstance(value, list) else [value])
        found = step
    return [n for n in found if isinstance(n, dict)]


def pull_policy(image: Any) -> str:
    """Always for `:latest` or an untagged image, else IfNotPresent (SetDefaults_Container)."""
    if not isinstance(image, str) or "@" in image:
        return "IfNotPresent"
    last = image.rsplit("/", 1)[-1]
    tag = last.split(":", 1)[1] if ":" in last else "latest"
    return "Always" if tag == "latest" else "IfNotPresent"


def _container(c: Obj) -> None:
    _fill(c, CONTAINER)
    c.setdefault("imagePullPolicy", pull_policy(c.get("image")))
    for port in _dicts(c, "ports"):
        port.setdefault("protocol", "TCP")
    for probe in (c.get(k) for k in ("livenessProbe", "readinessProbe", "startupProbe")):
        if isinstance(probe, dict):
            _fill(probe, PROBE)
            if isinstance(probe.get("httpGet"), dict):
                _fill(probe["httpGet"], {"path": "/", "scheme": "HTTP"})
    for ref in _dicts(c, "env", "valueFrom", "fieldRef"):
        ref.setdefault("apiVersion", "v1")


def pod_spec(spec: Any) -> None:
    if not isinstance(spec, dict):
        return
    _fill(spec, POD_SPEC)
    # serviceAccount is the deprecated alias of serviceAccountName, which wins: it is given back
    # as the name on every write (core/v1 conversion.go, Convert_core_PodSpec_To_v1_PodSpec)
    if not spec.get("serviceAccountName") and spec.get("serviceAccount"):
        spec["serviceAccountName"] = spec["serviceAccount"]
    if spec.get("serviceAccountName"):
        spec["serviceAccount"] = spec["serviceAccountName"]
    else:
        spec.pop("serviceAccount", None)
    for key in ("initContainers", "containers", "ephemeralContainers"):
        for c in _dicts(spec, key):
            _container(c)
    for volume in _dicts(spec, "volumes"):
        for source in ("configMap", "secret", "projected", "downwardAPI"):
            if isinstance(volume.get(source), dict):
                volume[source].setdefault("defaultMode", VOLUME_MODE_0644)
        for ref in _dicts(volume, "downwardAPI", "items", "fieldRef"):
            ref.setdefault("apiVersion", "v1")
        for host_path in _dicts(volume, "hostPath"):
            host_path.setdefault("type", "")  # SetDefaults_HostPathVolumeSource: HostPathUnset


def _template(obj: Obj, *path: str) -> None:
    for spec in _dicts(obj, *path, "template", "spec"):
        pod_spec(spec)


def _rolling(spec: Obj, key: str, rolling: Obj) -> None:
    """spec[key] (a deployment, stateful set or daemon set strategy) of type RollingUpdate
    unless set, with the rollingUpdate parameters that type takes."""
    strategy = spec.setdefault(key, {})
    if isinstance(strategy, dict):
        strategy.setdefault("type", "RollingUpdate")
        if strategy["type"] == "RollingUpdate":
            _fill(strategy.setdefault("rollingUpdate", {}), rolling)


def pod(obj: Obj) -> None:
    """SetDefaults_Pod on top of the pod spec's: service links, host ports on the host network,
    and requests from limits."""
    spec = obj.get("spec")
    pod_spec(spec)
    if not isinstance(spec, dict):
        return
    spec.setdefault("enableServiceLinks", True)
    for c in _dicts(spec, "containers") + _dicts(spec, "initContainers"):
        if spec.get("hostNetwork") is True:  # defaultHostNetworkPorts
            for port in _dicts(c, "ports"):
                if not port.get("hostPort"):
                    port["hostPort"] = port.get("containerPort")
        resources = c.get("resources")
        if isinstance(resources, dict) and isinstance(resources.get("limits"), dict) and resources["limits"]:
            requests = resources.setdefault("requests", {})
            if isinstance(requests, dict):
                for name, quantity in resources["limits"].items():
                    requests.setdefault(name, quantity)


def deployment(obj: Obj) -> None:
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return
    _fill(spec, {"replicas": 1, "revisionHistoryLimit": 10, "progressDeadlineSeconds": 600})
    _rolling(spec, "strategy", {"maxUnavailable": "25%", "maxSurge": "25%"})
    _template(obj, "spec")


def replica_set(obj: Obj) -> None:
    if isinstance(obj.get("spec"), dict):
        obj["spec"].setdefault("replicas", 1)
    _template(obj, "spec")


def stateful_set(obj: Obj) -> None:
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return
    _fill(spec, {"replicas": 1, "podManagementPolicy": "OrderedReady", "revisionHistoryLimit": 10,
                 "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Retain", "whenScaled": "Retain"}})
    _rolling(spec, "updateStrategy", {"partition": 0})
    for claim in _dicts(spec, "volumeClaimTemplates"):
        if isinstance(claim.get("spec"), dict):
            claim["spec"].setdefault("volumeMode", "Filesystem")
    _template(obj, "spec")


def daemon_set(obj: Obj) -> None:
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return
    spec.setdefault("revisionHistoryLimit", 10)
    _rolling(spec, "updateStrategy", {"maxUnavailable": 1, "maxSurge": 0})
    _template(obj, "spec")


def job(obj: Obj) -> None:
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return
    if spec.get("completions") is None and spec.get("parallelism") is None:
        _fill(spec, {"completions": 1, "parallelism": 1})
    _fill(spec, {"parallelism": 1, "completionMode": "NonIndexed", "suspend": False})
    spec.setdefault("backoffLimit", MAX_INT32 if spec.get("backoffLimitPerIndex") is not None else 6)
    spec.setdefault("podReplacementPolicy", "TerminatingOrFailed" if spec.get("podFailurePolicy") is None else "Failed")
    _labels_from_template(obj)
    _template(obj, "spec")


def _labels_from_template(obj: Obj) -> None:
    """A Job or ReplicationController without labels takes its pod template's."""
    meta = obj.get("metadata")
    labels = _dicts(obj, "spec", "template", "metadata")
    if isinstance(meta, dict) and not meta.get("labels") and labels and isinstance(labels[0].get("labels"), dict):
        if labels[0]["labels"]:
            meta["labels"] = dict(labels[0]["labels"])


# the labels by which a Job's pods are its own (k8s.io/api/batch/v1)
JOB_UID_LABELS = ("batch.kubernetes.io/controller-uid", "controller-uid")
JOB_NAME_LABELS = ("batch.kubernetes.io/job-name", "job-name")


def job_selector(obj: Obj) -> None:
    """A new Job without `manualSelector: true` selects its pods by its own uid, and its pod
    template carries that uid and its name (the job registry's generateSelector)."""
    spec, meta = obj.get("spec"), obj.get("metadata") or {}
    if not isinstance(spec, dict) or spec.get("manualSelector") is True or not isinstance(spec.get("template"), dict):
        return
    template_meta = spec["template"].setdefault("metadata", {})
    if not isinstance(template_meta, dict):
        return
    labels = template_meta.setdefault("labels", {})
    if not isinstance(labels, dict):
        return
    for key in JOB_NAME_LABELS:
        labels.setdefault(key, meta.get("name", ""))
    for key in JOB_UID_LABELS:
        labels.setdefault(key, meta.get("uid", ""))
    selector: Obj = spec["selector"] if isinstance(spec.get("selector"), dict) else {}
    match: Obj = selector["matchLabels"] if isinstance(selector.get("matchLabels"), dict) else {}
    spec["selector"] = {**selector, "matchLabels": {**match, JOB_UID_LABELS[0]: match.get(JOB_UID_LABELS[0], meta.get("uid", ""))}}


def cron_job(obj: Obj) -> None:
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return
    _fill(spec, {"concurrencyPolicy": "Allow", "suspend": False, "successfulJobsHistoryLimit": 3,
                 "failedJobsHistoryLimit": 1})
    if spec["concurrencyPolicy"] == "":  # SetDefaults_CronJob defaults the Go zero value too
        spec["concurrencyPolicy"] = "Allow"
    _template(obj, "spec", "jobTemplate", "spec")


def replication_controller(obj: Obj) -> None:
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return
    spec.setdefault("replicas", 1)
    labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels") if isinstance(spec.get("template"), dict) else None
    if not spec.get("selector") and isinstance(labels, dict) and labels:
        spec["selector"] = dict(labels)
    _labels_from_template(obj)
    _template(obj, "spec")


def pod_template(obj: Obj) -> None:
    _template(obj)


def service(obj: Obj) -> None:
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return
    kind = spec.setdefault("type", "ClusterIP")
    affinity = spec.setdefault("sessionAffinity", "None")
    if affinity == "ClientIP":
        config = spec.setdefault("sessionAffinityConfig", {})
        if isinstance(config, dict) and isinstance(config.setdefault("clientIP", {}), dict):
            config["clientIP"].setdefault("timeoutSeconds", 10800)
    for port in _dicts(spec, "ports"):
        port.setdefault("protocol", "TCP")
        if "port" in port and port.get("targetPort") in (None, 0, ""):
            port["targetPort"] = port["port"]
    if kind in ("ClusterIP", "NodePort", "LoadBalancer"):
        spec.setdefault("internalTrafficPolicy", "Cluster")
    if kind in ("NodePort", "LoadBalancer") or (kind == "ClusterIP" and spec.get("externalIPs")):
        spec.setdefault("externalTrafficPolicy", "Cluster")
    if kind == "LoadBalancer":
        spec.setdefault("allocateLoadBalancerNodePorts", True)


def horizontal_pod_autoscaler(obj: Obj) -> None:
    spec = obj.get("spec")
    if obj.get("apiVersion") != "autoscaling/v2" or not isinstance(spec, dict):
        return  # autoscaling/v1 is stored as it is served
    spec.setdefault("minReplicas", 1)
    if not spec.get("metrics"):  # 80% CPU, autoscaling's DefaultCPUUtilization
        spec["metrics"] = [{"type": "Resource", "resource": {
            "name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}}}]


def secret(obj: Obj) -> None:
    obj.setdefault("type", "Opaque")


def persistent_volume_claim(obj: Obj) -> None:
    if isinstance(obj.get("spec"), dict):
        obj["spec"].setdefault("volumeMode", "Filesystem")


def persistent_volume(obj: Obj) -> None:
    if isinstance(obj.get("spec"), dict):
        _fill(obj["spec"], {"persistentVolumeReclaimPolicy": "Retain", "volumeMode": "Filesystem"})
        for host_path in _dicts(obj["spec"], "hostPath"):
            host_path.setdefault("type", "")


def endpoint_slice(obj: Obj) -> None:
    """discovery/v1 SetDefaults_EndpointPort: a port's name is "" and its protocol TCP."""
    for port in _dicts(obj, "ports"):
        _fill(port, {"name": "", "protocol": "TCP"})


def ports_tcp(obj: Obj) -> None:
    """Endpoints and NetworkPolicies: ports default to TCP."""
    for port in _dicts(obj, "subsets", "ports") + _dicts(obj, "ports"):
        port.setdefault("protocol", "TCP")
    spec = obj.get("spec")
    for rule in _dicts(spec, "ingress") + _dicts(spec, "egress"):
        for port in _dicts(rule, "ports"):
            port.setdefault("protocol", "TCP")


def network_policy(obj: Obj) -> None:
    ports_tcp(obj)
    spec = obj.get("spec")
    if isinstance(spec, dict) and not spec.get("policyTypes"):
        spec["policyTypes"] = ["Ingress", "Egress"] if spec.get("egress") else ["Ingress"]


def storage_class(obj: Obj) -> None:
    _fill(obj, {"reclaimPolicy": "Delete", "volumeBindingMode": "Immediate"})


def priority_class(obj: Obj) -> None:
    obj.setdefault("preemptionPolicy", "PreemptLowerPriority")


def custom_resource_definition(obj: Obj) -> None:
    """apiextensions/v1 defaults.go: singular is the lower-cased kind, listKind is kind+List,
    conversion is None, and a conversion webhook's service port is 443."""
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return
    names = spec.get("names")
    if isinstance(names, dict):
        kind = names.get("kind")
        if not names.get("singular") and isinstance(kind, str):
            names["singular"] = kind.lower()
        if not names.get("listKind") and isinstance(kind, str) and kind:
            names["listKind"] = kind + "List"
    if spec.get("conversion") is None:
        spec["conversion"] = {"strategy": "None"}
    conversion = spec.get("conversion")
    webhook = conversion.get("webhook") if isinstance(conversion, dict) else None
    client = webhook.get("clientConfig") if isinstance(webhook, dict) else None
    service = client.get("service") if isinstance(client, dict) else None
    if isinstance(service, dict) and service.get("port") is None:
        service["port"] = 443


def binding_subjects(obj: Obj) -> None:
    for subject in _dicts(obj, "subjects"):
        if subject.get("kind") in ("User", "Group"):
            subject.setdefault("apiGroup", "rbac.authorization.k8s.io")
    for ref in _dicts(obj, "roleRef"):
        if not ref.get("apiGroup"):
            ref["apiGroup"] = "rbac.authorization.k8s.io"


def _webhooks(obj: Obj, *, mutating: bool) -> None:
    """admissionregistration/v1's SetDefaults_ValidatingWebhook and SetDefaults_MutatingWebhook
    (failurePolicy Fail, matchPolicy Equivalent, empty selectors, a 10 s timeout; mutating ones
    never reinvoked), SetDefaults_Rule (scope "*") and SetDefaults_ServiceReference (port 443)."""
    for hook in _dicts(obj, "webhooks"):
        _fill(hook, {"failurePolicy": "Fail", "matchPolicy": "Equivalent", "namespaceSelector": {},
                     "objectSelector": {}, "timeoutSeconds": 10})
        if mutating:
            hook.setdefault("reinvocationPolicy", "Never")
        for rule in _dicts(hook, "rules"):
            rule.setdefault("scope", "*")
        for service in _dicts(hook, "clientConfig", "service"):
            service.setdefault("port", 443)


def validating_webhooks(obj: Obj) -> None:
    _webhooks(obj, mutating=False)


def mutating_webhooks(obj: Obj) -> None:
    _webhooks(obj, mutating=True)


BY_KIND: dict[tuple[str, str], Callable[[Obj], None]] = {
    ("", "Pod"): pod,
    ("", "PodTemplate"): pod_template,
    ("", "ReplicationController"): replication_controller,
    ("", "Service"): service,
    ("", "Secret"): secret,
    ("", "PersistentVolumeClaim"): persistent_volume_claim,
    ("", "PersistentVolume"): persistent_volume,
    ("", "Endpoints"): ports_tcp,
    ("autoscaling", "HorizontalPodAutoscaler"): horizontal_pod_autoscaler,
    ("apps", "Deployment"): deployment,
    ("apps", "ReplicaSet"): replica_set,
    ("apps", "StatefulSet"): stateful_set,
    ("apps", "DaemonSet"): daemon_set,
    ("batch", "Job"): job,
    ("batch", "CronJob"): cron_job,
    ("discovery.k8s.io", "EndpointSlice"): endpoint_slice,
    ("networking.k8s.io", "NetworkPolicy"): network_policy,
    ("storage.k8s.io", "StorageClass"): storage_class,
    ("scheduling.k8s.io", "PriorityClass"): priority_class,
    ("apiextensions.k8s.io", "CustomResourceDefinition"): custom_resource_definition,
    ("rbac.authorization.k8s.io", "RoleBinding"): binding_subjects,
    ("rbac.authorization.k8s.io", "ClusterRoleBinding"): binding_subjects,
    ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration"): validating_webhooks,
    ("admissionregistration.k8s.io", "MutatingWebhookConfiguration"): mutating_webhooks,
}


def apply(group: str, kind: str, obj: Obj) -> None:
    fill = BY_KIND.get((group, kind))
    if fill is not None:
        fill(obj)


def initial_status(group: str, kind: str, obj: Obj) -> Obj | None:
    """The status a new object starts with (its registry's PrepareForCreate): Pods are
    Pending with their QoS class, volumes Pending since now, claims Pending."""
    if group == "" and kind == "Pod":
        return {"phase": "Pending", "qosClass": qos_class(obj.get("spec"))}
    if group == "" and kind == "PersistentVolume":
        return {"phase": "Pending", "lastPhaseTransitionTime": clock.now()}
    if group == "" and kind == "PersistentVolumeClaim":
        return {"phase": "Pending"}
    return None


def qos_class(spec: Any) -> str:
    """A Pod's QoS class (k8s.io/kubernetes/pkg/apis/core/helper/qos): BestEffort without
    requests or limits, Guaranteed when every container's cpu and memory limits equal its
    requests, else Burstable."""
    def section(c: Obj, key: str) -> Obj:
        value = c.get(key)
        return value if isinstance(value, dict) else {}

    resources = [section(c, "resources") for c in _dicts(spec, "containers") + _dicts(spec, "initContainers")]
    if not any(section(r, "requests") or section(r, "limits") for r in resources):
        return "BestEffort"
    for r in resources:
        limits = section(r, "limits")
        requests = {**limits, **section(r, "requests")}  # requests default to limits
        if any(limits.get(k) is None or quantity.value_of(requests.get(k)) != quantity.value_of(limits.get(k)) for k in ("cpu", "memory")):
            return "Burstable"
    return "Guaranteed"


# Every key a defaulter above may fill in
DEFAULTED_KEYS = frozenset({
    *POD_SPEC, *CONTAINER, *PROBE, "imagePullPolicy", "protocol", "scheme", "apiVersion", "defaultMode",
    "replicas", "revisionHistoryLimit", "progressDeadlineSeconds", "strategy", "updateStrategy", "type",
    "rollingUpdate", "maxUnavailable", "maxSurge", "partition", "podManagementPolicy",
    "persistentVolumeClaimRetentionPolicy", "volumeMode", "completions", "parallelism", "backoffLimit",
    "completionMode", "suspend", "podReplacementPolicy", "concurrencyPolicy", "successfulJobsHistoryLimit",
    "failedJobsHistoryLimit", "sessionAffinity", "targetPort", "internalTrafficPolicy", "externalTrafficPolicy",
    "allocateLoadBalancerNodePorts", "persistentVolumeReclaimPolicy", "policyTypes", "reclaimPolicy",
    "volumeBindingMode", "preemptionPolicy", "apiGroup", "minReplicas", "metrics", "enableServiceLinks", "path",
    "requests", "sessionAffinityConfig", "clientIP", "serviceAccount",
})


def _copy(obj: Any) -> Any:
    return orjson.loads(orjson.dumps(obj))


def _candidates(obj: Obj) -> Iterator[tuple[Any, ...]]:
    """Paths to values under keys a defaulter fills, parents before children; metadata and
    status are nobody's defaults."""
    level: list[tuple[tuple[Any, ...], Any]] = [((k,), v) for k, v in obj.items() if k not in ("metadata", "status")]
    while level:
        deeper: list[tuple[tuple[Any, ...], Any]] = []
        for path, value in level:
            if isinstance(path[-1], str) and path[-1] in DEFAULTED_KEYS:
                yield path
            items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
            deeper += [((*path, k), v) for k, v in items]
        level = deeper


def _without(obj: Obj, path: tuple[Any, ...]) -> Obj | None:
    """A copy of obj without the value at path (None if it is gone already)."""
    out = _copy(obj)
    node = out
    for step in path[:-1]:
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            return None
    if not isinstance(node, dict) or path[-1] not in node:
        return None
    del node[path[-1]]
    return out  # type: ignore[no-any-return]


def defaulted(group: str, kind: str, obj: Obj) -> list[tuple[Any, ...]]:
    """The paths of obj whose values defaulting would give it anyway: as near as can be told,
    what its writers did not set. Removed in that order, each leaves an object that
    defaulting turns back into obj."""
    fill = BY_KIND.get((group, kind))
    if fill is None:
        return []

    def restored(candidate: Obj) -> bool:
        again = _copy(candidate)
        fill(again)
        return bool(again == obj)

    paths, out = [], obj
    for path in _candidates(obj):
        trial = _without(out, path)
        if trial is not None and restored(trial):
            paths.append(path)
            out = trial
    return paths


def _at(obj: Any, path: tuple[Any, ...]) -> tuple[bool, Any]:
    for step in path:
        try:
            obj = obj[step]
        except (KeyError, IndexError, TypeError):
            return False, None
    return True, obj


def without_defaults(copy: Obj, obj: Obj, paths: list[tuple[Any, ...]]) -> Obj:
    """A copy made from obj (customized for a cluster) without the defaulted values it still
    holds unchanged: copies for other clusters leave those to each cluster's own defaults,
    admission webhooks and autoscalers (an edge HPA's replica count is not fought over, a
    field an older edge does not know is not sent). A value a customization set stays."""
    out = copy
    for path in paths:
        here, value = _at(out, path)
        if here and _at(obj, path) == (True, value):
            trimmed = _without(out, path)
            out = trimmed if trimmed is not None else out
    return out
