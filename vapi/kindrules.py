"""Validation of built-in kinds beyond their types, after k8s.io/kubernetes/pkg/apis/*/validation:
the rules a kube-apiserver with no controllers still enforces, in its words, so that what a
real cluster refuses is refused here too (422 Invalid with one cause per field).

- Required fields: what the kind's OpenAPI schema lists as `required`, checked after
  defaulting (status is never checked: it is the reporters' business).
- Workloads: a non-empty selector that matches the pod template's labels, replicas >= 0,
  a selector that never changes.
- ConfigMap and Secret keys; `immutable` ConfigMaps and Secrets; the keys
  a Secret's type requires, and a type that never changes.
- ResourceQuotas: standard resource names, non-negative limits, scopes that fit them.
- PriorityClasses: values up to a billion, `system-` names reserved, value and
  preemptionPolicy fixed once created.
- Jobs and CronJobs: vapi/batchrules.py; PodDisruptionBudgets: vapi/policyrules.py; Services:
  vapi/servicerules.py; HorizontalPodAutoscalers: vapi/autoscalingrules.py; workloads'
  strategies and templates: vapi/appsrules.py; pod specs, a Pod's and every template's:
  vapi/podrules.py.
- Kinds whose module reports everything, missing fields too (RULES, UPDATE_RULES):
  webhook configurations in vapi/admissionrules.py, Leases in vapi/coordinationrules.py,
  LimitRanges, Namespaces and Nodes in vapi/corerules.py, EndpointSlices in
  vapi/discoveryrules.py, networking.k8s.io's in
  vapi/networkingrules.py, rbac.authorization.k8s.io's in vapi/rbacrules.py, volumes, claims and storage classes in vapi/storagerules.py.
- Pods: after creation only images, activeDeadlineSeconds, tolerations (added) and
  terminationGracePeriodSeconds may change in the spec.
"""

from __future__ import annotations

import base64
import functools
import json
import re
from typing import Any, Callable

from vapi import (admissionrules, appsrules, autoscalingrules, batchrules, certificates, coordinationrules,
                  corerules, defaults, discoveryrules, golang, labelrules, networkingrules, podrules,
                  podupdate, policyrules, quantity, rbacrules, schemas, selectors, servicerules, storagerules)
from vapi.resources import Resource

Obj = dict[str, Any]
Cause = dict[str, str]

WORKLOADS = {("apps", "Deployment"): "deployment", ("apps", "ReplicaSet"): "replicaset",
             ("apps", "StatefulSet"): "statefulset", ("apps", "DaemonSet"): "daemonset", ("batch", "Job"): "job"}
CONFIG_KEY = re.compile(r"^[-._a-zA-Z0-9]+\Z")
CONFIG_KEY_MESSAGE = ("a valid config key must consist of alphanumeric characters, '-', '_' or '.' "
                      "(e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')")
MAX_DATA_BYTES = 1024 * 1024


def _cause(field: str, message: str, reason: str = "FieldValueInvalid") -> Cause:
    return {"reason": reason, "message": message, "field": field}


def _go_map(value: Any) -> str:
    """A map of labels as a field error prints it (JSON, keys sorted; null when unset)."""
    return golang.marshal(dict(sorted(value.items())) if isinstance(value, dict) else None)


# required lists that may not be empty either (a pod needs a container)
NON_EMPTY = {"containers"}


# `required` in the OpenAPI schemas that kube's validation does not enforce (Go zero values
# it accepts, or fields it fills itself): (definition, field)
NOT_ENFORCED = {
    ("io.k8s.api.apps.v1.ControllerRevision", "revision"),
    ("io.k8s.api.discovery.v1.EndpointSlice", "endpoints"),
    ("io.k8s.api.core.v1.LimitRangeSpec", "limits"),
    ("io.k8s.api.core.v1.Event", "involvedObject"),
    ("io.k8s.api.core.v1.Event", "metadata"),
    ("io.k8s.api.core.v1.HTTPHeader", "value"),
    # a pod spec's scheduling and security fields: vapi/podscheduling.py and podsecurity.py
    # report them in kube's words (Go's zero values, e.g. topologyKey: Required value: can not be empty)
    *((f"io.k8s.api.core.v1.{d}", f) for d, fs in (
        ("TopologySpreadConstraint", ("maxSkew", "topologyKey", "whenUnsatisfiable")), ("PodAffinityTerm", ("topologyKey",)),
        ("WeightedPodAffinityTerm", ("weight", "podAffinityTerm")), ("PreferredSchedulingTerm", ("weight", "preference")),
        ("NodeSelector", ("nodeSelectorTerms",)), ("NodeSelectorRequirement", ("key", "operator")),
        ("Sysctl", ("value",)), ("SeccompProfile", ("type",)), ("AppArmorProfile", ("type",))) for f in fs),
}


# kinds whose rule module reports all that kube refuses, missing fields too, in kube's order
# (the schema's `required` is not walked for them): (group, kind) -> rules(obj, old)
RULES: dict[tuple[str, str], Callable[[Obj, Obj | None], list[Cause]]] = {
    **admissionrules.RULES, **coordinationrules.RULES, **corerules.RULES, **discoveryrules.RULES, **networkingrules.RULES, **rbacrules.RULES, **storagerules.RULES}
# and what those kinds refuse on updates only: (group, kind) -> rules(new, old)
UPDATE_RULES: dict[tuple[str, str], Callable[[Obj, Obj], list[Cause]]] = {
    **discoveryrules.UPDATE_RULES, **networkingrules.UPDATE_RULES, **rbacrules.UPDATE_RULES, **storagerules.UPDATE_RULES}


Plan = tuple[tuple[str, ...], dict[str, tuple[str, str]]]


@functools.lru_cache(maxsize=None)
def _plan(definition: str) -> Plan:
    """For a schema definition: the fields it requires (that kube enforces), and for each
    property holding definitions, how (`object`, `list`, `map`) and which."""
    node = schemas.resolve({"$ref": f"#/definitions/{definition}"}) or {}
    wanted = tuple(n for n in node.get("required") or () if (definition, n) not in NOT_ENFORCED)
    children: dict[str, tuple[str, str]] = {}
    for name, prop in (node.get("properties") or {}).items():
        inner = schemas.resolve(prop) if not schemas.ref_name(prop) else None
        if schemas.ref_name(prop):
            children[name] = ("object", schemas.ref_name(prop))
        elif inner is not None and isinstance(inner.get("items"), dict) and schemas.ref_name(inner["items"]):
            children[name] = ("list", schemas.ref_name(inner["items"]))
        elif inner is not None and isinstance(inner.get("additionalProperties"), dict) and \
                schemas.ref_name(inner["additionalProperties"]):
            children[name] = ("map", schemas.ref_name(inner["additionalProperties"]))
    return wanted, children


def required(value: Any, definition: str, path: str = "") -> list[Cause]:
    """Fields the schema definitions require that are absent, null or empty strings."""
    if not isinstance(value, dict) or not definition:
        return []
    wanted, children = _plan(definition)
    out = [_cause(f"{path}.{name}".lstrip("."), "Required value", "FieldValueRequired") for name in wanted
           if value.get(name) in (None, "") or (name in NON_EMPTY and value.get(name) == [])]
    for name, (how, child) in children.items():
        v = value.get(name)
        if v is None or (not path and name in ("status", "metadata")):
            continue
        here = f"{path}.{name}".lstrip(".")
        if how == "object":
            out += required(v, child, here)
        elif how == "list" and isinstance(v, list):
            for i, item in enumerate(v):
                out += required(item, child, f"{here}[{i}]")
        elif how == "map" and isinstance(v, dict):
            for item in v.values():
                out += required(item, child, here)
    return out


def _go_selector(selector: Any) -> str:
    """A label selector as a field error prints it (its JSON, empty fields left out)."""
    return golang.marshal(labelrules.selector_json(selector))


def _labels(obj: Any, *path: str) -> Any:
    for p in path:
        obj = obj.get(p) if isinstance(obj, dict) else None
    return obj


def workload(kind: str, obj: Obj) -> list[Cause]:
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return []
    out = []
    replicas = spec.get("replicas")
    if isinstance(replicas, int) and replicas < 0:
        out.append(_cause("spec.replicas", f"Invalid value: {replicas}: must be greater than or equal to 0"))
    selector = spec.get("selector")
    if not isinstance(selector, dict):
        return out
    if not selector.get("matchLabels") and not selector.get("matchExpressions"):
        out.append(_cause("spec.selector", f"Invalid value: {_go_selector(selector)}: empty selector is invalid for {kind}"))
        return out
    labels = _labels(spec, "template", "metadata", "labels")
    try:
        matches = selectors.from_label_selector(selector)(labels if isinstance(labels, dict) else {})
    except ValueError as e:
        return [*out, _cause("spec.selector", f"Invalid value: {_go_selector(selector)}: {e}")]
    if not matches:
        out.append(_cause("spec.template.metadata.labels",
                          f"Invalid value: {_go_map(labels)}: `selector` does not match template `labels`"))
    return out


def config_data(obj: Obj, kind: str) -> list[Cause]:
    """Keys, and the 1 MiB limit on the bytes held: base64 values count decoded."""
    out, size = [], 0
    for field in ("data", "binaryData", "stringData"):
        data = obj.get(field)
        if not isinstance(data, dict):
            continue
        encoded = field == "binaryData" or (kind == "Secret" and field == "data")
        for key, value in data.items():
            if len(key) > 253 or not CONFIG_KEY.match(key) or key in (".", "..") or key.startswith(".."):
                out.append(_cause(f"{field}[{key}]", f"Invalid value: {json.dumps(key)}: {CONFIG_KEY_MESSAGE}"))
            if isinstance(value, str):
                size += len(value) * 3 // 4 if encoded else len(value.encode())
    if size > MAX_DATA_BYTES:
        out.append(_cause("data", f"Too long: may not be more than {MAX_DATA_BYTES} bytes", "FieldValueTooLong"))
    return out


# the keys a Secret of each type must hold in data (ValidateSecret)
SECRET_KEYS = {"kubernetes.io/dockercfg": (".dockercfg",), "kubernetes.io/dockerconfigjson": (".dockerconfigjson",),
               "kubernetes.io/ssh-auth": ("ssh-privatekey",), "kubernetes.io/tls": ("tls.crt", "tls.key")}


def _go_json_error(raw: bytes) -> str:
    """Why Go's json.Unmarshal into a map refuses raw ("" if it does not): its words for
    the common cases."""
    text = raw.decode("utf-8", "replace").strip()
    if not text:
        return "unexpected end of JSON input"
    try:
        value = json.loads(text)
    except ValueError:
        if text[0] not in '{["-0123456789tfn':
            return f"invalid character {text[0]!r} looking for beginning of value"
        return "unexpected end of JSON input" if text[0] in "{[" and text[-1] not in "}]" else "invalid JSON"
    kinds = {str: "string", bool: "bool", list: "array", int: "number", float: "number"}
    if value is None or isinstance(value, dict):
        return ""
    return f"json: cannot unmarshal {kinds[type(value)]} into Go value of type map[string]interface {{}}"


def secret_type(obj: Obj) -> list[Cause]:
    """What a Secret of a known type must hold (ValidateSecret): its keys, docker
    configurations that are JSON objects, a service account token's account name."""
    kind, data = obj.get("type"), obj.get("data")
    data = data if isinstance(data, dict) else {}
    if kind == "kubernetes.io/service-account-token":
        annotations = (obj.get("metadata") or {}).get("annotations") or {}
        if not annotations.get("kubernetes.io/service-account.name"):
            return [_cause("metadata.annotations[kubernetes.io/service-account.name]", "Required value", "FieldValueRequired")]
        return []
    if kind == "kubernetes.io/basic-auth":
        if "username" not in data and "password" not in data:
            return [_cause(f"data[{k}]", "Required value", "FieldValueRequired") for k in ("username", "password")]
        return []
    out = []
    for key in SECRET_KEYS.get(str(kind), ()):
        value = data.get(key)
        if value is None or (key == "ssh-privatekey" and not value):
            out.append(_cause(f"data[{key}]", "Required value", "FieldValueRequired"))
        elif key.startswith(".docker") and isinstance(value, str):
            try:
                wrong = _go_json_error(base64.b64decode(value))
            except ValueError:
                wrong = ""
            if wrong:
                out.append(_cause(f"data[{key}]", f'Invalid value: "<secret contents redacted>": {wrong}'))
    return out


# ResourceQuota names and scopes (pkg/apis/core/helper/helpers.go)
POD_COUNT, POD_COMPUTE = {"pods"}, {"cpu", "memory", "limits.cpu", "limits.memory", "requests.cpu", "requests.memory"}
QUOTA_RESOURCES = {"services", "replicationcontrollers", "resourcequotas", "secrets", "configmaps", "persistentvolumeclaims",
                   "services.nodeports", "services.loadbalancers", "ephemeral-storage", "requests.storage",
                   "requests.ephemeral-storage", "limits.ephemeral-storage", *POD_COUNT, *POD_COMPUTE}
QUOTA_SCOPES = {"Terminating": POD_COUNT | POD_COMPUTE, "NotTerminating": POD_COUNT | POD_COMPUTE, "BestEffort": POD_COUNT,
                "NotBestEffort": POD_COUNT | POD_COMPUTE, "PriorityClass": POD_COUNT | POD_COMPUTE,
                "CrossNamespacePodAffinity": POD_COUNT | POD_COMPUTE,
                "VolumeAttributesClass": {"persistentvolumeclaims", "requests.storage"}}
CONFLICTING_SCOPES = (("BestEffort", "NotBestEffort"), ("Terminating", "NotTerminating"))


def _standard_quota_resource(name: str) -> bool:
    return name in QUOTA_RESOURCES or name.startswith(("hugepages-", "requests.hugepages-"))


def resource_quota(obj: Obj) -> list[Cause]:
    """A quota's hard limits and scopes (ValidateResourceQuotaSpec): standard resource names
    (or qualified ones), quantities >= 0 and whole for object counts, known scopes that
    apply to every resource limited and do not contradict each other."""
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return []
    out: list[Cause] = []
    hard = spec.get("hard")
    if not isinstance(hard, dict):
        hard = {}
    for name in sorted(hard):
        here, value = f"spec.hard[{name}]", quantity.value_of(hard[name])
        if "/" not in name and not _standard_quota_resource(name):
            out.append(_cause(here, f"Invalid value: {json.dumps(name)}: must be a standard resource for quota"))
        if value is not None and value < 0:
            out.append(_cause(here, f"Invalid value: {json.dumps(hard[name])}: must be greater than or equal to 0"))
        elif value is not None and value.denominator != 1 and (
                name in ("pods", "services", "replicationcontrollers", "resourcequotas", "secrets", "configmaps",
                         "persistentvolumeclaims", "services.nodeports", "services.loadbalancers")
                or name.startswith("count/")):
            out.append(_cause(here, f"Invalid value: {json.dumps(hard[name])}: must be an integer"))
    scopes = [str(x) for x in spec.get("scopes") or []] if isinstance(spec.get("scopes"), list) else []
    listed = json.dumps(scopes, separators=(",", ":"))
    messages = []
    for scope in scopes:
        if scope not in QUOTA_SCOPES:
            messages.append("unsupported scope")
        elif any(_standard_quota_resource(name) and name not in QUOTA_SCOPES[scope] for name in hard):
            messages.append("unsupported scope applied to resource")
    messages += ["conflicting scopes" for pair in CONFLICTING_SCOPES if set(pair) <= set(scopes)]
    out += [_cause("spec.scopes", f"Invalid value: {listed}: {m}") for m in dict.fromkeys(messages)]
    return out


# pkg/apis/scheduling/types.go: what the apiserver creates at start (it made them; their
# name, value and globalDefault are fixed) and the highest value anyone else may use
SYSTEM_PRIORITY_CLASSES = {"system-node-critical": 2000001000, "system-cluster-critical": 2000000000}
HIGHEST_USER_PRIORITY = 1000000000


def priority_class(obj: Obj) -> list[Cause]:
    """ValidatePriorityClass: `system-` names are the system classes as they are; others
    stay at or below HIGHEST_USER_PRIORITY."""
    name, value = str((obj.get("metadata") or {}).get("name", "")), obj.get("value")
    if name.startswith("system-"):
        if name not in SYSTEM_PRIORITY_CLASSES:
            error = f"{name} is not a known system priority class"
        elif value != SYSTEM_PRIORITY_CLASSES[name]:
            error = f"value of {name} PriorityClass must be {SYSTEM_PRIORITY_CLASSES[name]}"
        elif obj.get("globalDefault", False) is not False:
            error = f"globalDefault of {name} PriorityClass must be false"
        else:
            return []
        return [_cause("metadata.name", "Forbidden: priority class names with 'system-' prefix are reserved for "
                       f"system use only. error: {error}", "FieldValueForbidden")]
    if isinstance(value, int) and value > HIGHEST_USER_PRIORITY:
        return [_cause("value", f"Forbidden: maximum allowed value of a user defined priority is {HIGHEST_USER_PRIORITY}",
                       "FieldValueForbidden")]
    return []


def priority_class_update(new: Obj, old: Obj) -> list[Cause]:
    """ValidatePriorityClassUpdate: value and preemptionPolicy never change."""
    out = []
    if new.get("value") != old.get("value"):
        out.append(_cause("value", "Forbidden: may not be changed in an update.", "FieldValueForbidden"))
    if new.get("preemptionPolicy") != old.get("preemptionPolicy"):
        out.append(_cause("preemptionPolicy", f"Invalid value: {json.dumps(new.get('preemptionPolicy'))}: field is immutable"))
    return out


def immutable_data(new: Obj, old: Obj) -> list[Cause]:
    if old.get("immutable") is not True:
        return []
    forbidden = "Forbidden: field is immutable when `immutable` is set"
    out = [_cause(f, forbidden, "FieldValueForbidden") for f in ("data", "binaryData")
           if (new.get(f) or {}) != (old.get(f) or {})]
    if new.get("immutable") is not True:
        out.append(_cause("immutable", forbidden, "FieldValueForbidden"))
    return out


def causes(res: Resource, obj: Obj, old: Obj | None = None, via: str = "") -> list[Cause]:
    """Everything wrong with a built-in object (after defaulting); `old` on updates, `via`
    the subresource that writes it (a pod's `binding` sets its node). An update is never
    refused for what the stored object already had wrong (stored before a rule existed)."""
    if res.schema is not None:
        return []  # custom resources: their CRD's schema (vapi/handlers/write.py)
    out = _own_causes(res, obj, old)
    if old is None:
        return out + podrules.pod_create(obj) if (res.group, res.kind) == ("", "Pod") else out
    if out or res.kind == "Pod":
        old = json.loads(json.dumps(old))
        defaults.apply(res.group, res.kind, old)  # stored before defaulting existed, perhaps
    if out:
        had = {(c["field"], c["message"]) for c in _own_causes(res, old, old)}
        out = [c for c in out if (c["field"], c["message"]) not in had]
    key = (res.group, res.kind)
    if key in UPDATE_RULES:
        out += UPDATE_RULES[key](obj, old)
    if key in WORKLOADS and _labels(obj, "spec", "selector") != _labels(old, "spec", "selector"):
        selector = _go_selector(_labels(obj, "spec", "selector"))
        out.append(_cause("spec.selector", f"Invalid value: {selector}: field is immutable"))
    if res.group == "" and res.kind in ("ConfigMap", "Secret"):
        out += immutable_data(obj, old)
    if res.group == "" and res.kind == "Secret" and obj.get("type") != old.get("type"):
        out.append(_cause("type", f"Invalid value: {json.dumps(obj.get('type'))}: field is immutable"))
    if res.group == "" and res.kind == "Pod":
        out += podupdate.causes(obj, old, via)
    if key == (certificates.GROUP, certificates.KIND):
        out += certificates.causes(obj, old, via)
    if key == ("scheduling.k8s.io", "PriorityClass"):
        out += priority_class_update(obj, old)
    if key == ("batch", "Job"):
        out += batchrules.job_update(obj, old)
    return out


def _own_causes(res: Resource, obj: Obj, old: Obj | None) -> list[Cause]:
    """What is wrong with obj, created or (the few rules that look at it) updated from old."""
    if (res.group, res.kind) in RULES:
        return RULES[res.group, res.kind](obj, old)
    out = required(obj, schemas.definition_name(res.group, res.version, res.kind))
    pod = podrules.causes(res.group, res.kind, obj)
    out = [c for c in out if c not in pod]  # a pod spec's required fields: once, in kube's order
    key = (res.group, res.kind)
    if key in WORKLOADS:
        out += workload(WORKLOADS[key], obj) + pod + appsrules.workload(res.kind, obj)  # the template, then its policies
    if key == ("batch", "Job"):
        out += generated_selector(obj) + batchrules.job(obj)
    if key == ("batch", "CronJob"):
        out += batchrules.cron_job(obj, old)
    if key not in WORKLOADS:
        out += pod
    if res.group == "" and res.kind == "Service":
        out += servicerules.service(obj)
    if res.group == "" and res.kind in ("ConfigMap", "Secret"):
        out += config_data(obj, res.kind)
    if res.group == "" and res.kind == "Secret":
        out += secret_type(obj)
    if res.group == "" and res.kind == "ResourceQuota":
        out += resource_quota(obj)
    if key == ("scheduling.k8s.io", "PriorityClass"):
        out += priority_class(obj)
    if key == ("policy", "PodDisruptionBudget"):
        out += policyrules.pod_disruption_budget(obj)
    if key == ("autoscaling", "HorizontalPodAutoscaler"):
        out += autoscalingrules.horizontal_pod_autoscaler(obj)
    return out


def generated_selector(job: Obj) -> list[Cause]:
    """Without `manualSelector: true`, a Job's selector must be the one generated from its uid
    (kube's ValidateGeneratedSelector): its own would be refused at every edge too."""
    spec, uid = job.get("spec"), (job.get("metadata") or {}).get("uid")
    if not isinstance(spec, dict) or spec.get("manualSelector") is True or not uid or spec.get("selector") is None:
        return []
    expected = {k: str(uid) for k in defaults.JOB_UID_LABELS}
    expected.update({k: str(job["metadata"].get("name", "")) for k in defaults.JOB_NAME_LABELS})
    selector = spec["selector"]
    try:
        generated = selectors.from_label_selector(selector)(expected)
    except ValueError:
        generated = False
    if generated:
        return []
    return [_cause("spec.selector", f"Invalid value: {_go_selector(selector)}: `selector` not auto-generated")]
