"""Pod spec validation as kube-apiserver 1.35 does it (pkg/apis/core/validation/validation.go:
ValidatePodSpec, ValidateVolumes, validateContainers, validateInitContainers,
validateEphemeralContainers, ValidatePodTemplateSpec and what they call), for Pods and every
pod template: Deployments, ReplicaSets, StatefulSets, DaemonSets, ReplicationControllers,
Jobs, CronJobs' jobTemplate and PodTemplates. Causes come in kube's order and words; rules
run after defaulting (vapi/defaults.py), so pull policies, protocols, restart and DNS
policies left out are filled already.

Where behaviour depends on a feature gate it is 1.35's default: environment variable names
are the relaxed ones (RelaxedEnvironmentVariableValidation is GA), a lifecycle sleep may last
0 seconds (PodLifecycleSleepActionAllowZero). Maps (resources, nodeSelector) are checked in
key order where Go's is random.

Affinity and topology spread constraints are vapi/podscheduling.py's, the pod's own
securityContext vapi/podsecurity.py's; a template's labels and annotations are checked first,
as ValidatePodTemplateSpec does.

Not checked (yet): pod-level resources and overhead, dnsConfig beyond dnsPolicy None, host
aliases, readiness and scheduling gates, projected, CSI, ephemeral and legacy volume sources'
own fields, volume devices, resize policies, OS-specific rules, image volumes' subPath.
"""

from __future__ import annotations

import re
from typing import Any

from vapi import fielderrors, labelrules, pathrules, podannotations, podscheduling, podsecurity, quantity, servicerules
from vapi.dnsnames import DNS1123_SUBDOMAIN, dns_label, dns_subdomain, too_long
from vapi.fielderrors import Cause, integer, required, unsupported

Obj = dict[str, Any]

# where each kind holds its pod template; a Pod holds its spec at "spec"
TEMPLATES: dict[tuple[str, str], tuple[str, ...]] = {
    ("apps", "Deployment"): ("spec", "template"), ("apps", "ReplicaSet"): ("spec", "template"),
    ("apps", "StatefulSet"): ("spec", "template"), ("apps", "DaemonSet"): ("spec", "template"),
    ("batch", "Job"): ("spec", "template"), ("batch", "CronJob"): ("spec", "jobTemplate", "spec", "template"),
    ("", "ReplicationController"): ("spec", "template"), ("", "PodTemplate"): ("template",),
}

# apimachinery pkg/util/validation: the regular expressions and their messages
CONFIG_KEY = re.compile(r"[-._a-zA-Z0-9]+")
HTTP_HEADER = re.compile(r"[-A-Za-z0-9]+")
CONFIG_KEY_MESSAGE = (
    "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or "
    "'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')")
HTTP_HEADER_MESSAGE = ("a valid HTTP header must consist of alphanumeric characters or '-' (e.g. 'X-Header-Name', "
                       "regex used for validation is '[-A-Za-z0-9]+')")
ENV_NAME_MESSAGE = "a valid environment variable name must consist only of printable ASCII characters other than '='"
NON_NEGATIVE = "must be greater than or equal to 0"
FILE_MODE = "must be a number between 0 and 0777 (octal), both inclusive"


def config_key(value: str) -> list[str]:
    """IsConfigMapKey."""
    out = [too_long(253)] if len(value) > 253 else []
    if not CONFIG_KEY.fullmatch(value):
        out.append(CONFIG_KEY_MESSAGE)
    if value in (".", ".."):
        out.append(f"must not be '{value}'")
    elif value.startswith(".."):
        out.append("must not start with '..'")
    return out


def env_name(value: str) -> list[str]:
    """IsRelaxedEnvVarName: printable ASCII but '='."""
    return [ENV_NAME_MESSAGE] if any(not " " <= ch <= "~" or ch == "=" for ch in value) else []


def invalid(field: str, value: Any, messages: list[str]) -> list[Cause]:
    return [fielderrors.invalid(field, value, m) for m in messages]


def not_found(field: str, value: Any) -> Cause:
    return {"reason": "FieldValueNotFound", "field": field, "message": f"Not found: {fielderrors.shown(value)}"}


_d, _l, _s = fielderrors.mapping, fielderrors.sequence, fielderrors.string


def one_of(field: str, value: Any, allowed: tuple[str, ...]) -> list[Cause]:
    """A policy that must be set (defaulting set it unless it was sent empty) to one of allowed."""
    if value in (None, ""):
        return [required(field)]
    return [] if value in allowed else [unsupported(field, value, allowed)]


def causes(group: str, kind: str, obj: Obj) -> list[Cause]:
    """What is wrong with the pod spec obj holds (a Pod's or its template's); [] for other kinds."""
    if (group, kind) == ("", "Pod"):
        spec = obj.get("spec")
        if not isinstance(spec, dict):
            return []
        out = podannotations.specific(obj) + pod_spec(spec, "spec", is_pod=True)
        for key in ("containers", "initContainers"):  # validateContainersOnlyForPod
            for i, c in enumerate(_l(spec.get(key))):
                out += image_whitespace(_d(c), f"spec.{key}[{i}]")
        return out
    where = TEMPLATES.get((group, kind))
    template: Any = obj
    for key in where or ("",):
        template = _d(template).get(key)
    spec = _d(template).get("spec")
    if where is None or not isinstance(spec, dict):
        return []
    base = ".".join(where)
    path = base + ".spec"
    out = template_metadata(_d(_d(template).get("metadata")), base)
    out += pod_spec(spec, path, is_pod=False)
    if _l(spec.get("ephemeralContainers")):
        out.append(fielderrors.forbidden(f"{path}.ephemeralContainers", "ephemeral containers not allowed in pod template"))
    return out


def pod_create(pod: Obj) -> list[Cause]:
    """What ValidatePodCreate adds to a new Pod's rules: ephemeral containers come through their
    subresource, a node only once the scheduling gates are gone, annotations agree with fields."""
    spec, out = _d(pod.get("spec")), []
    if _l(spec.get("ephemeralContainers")):
        out.append(fielderrors.forbidden("spec.ephemeralContainers", "cannot be set on create"))
    if _s(spec.get("nodeName")) and _l(spec.get("schedulingGates")):
        out.append(fielderrors.forbidden("spec.nodeName", "cannot be set until all schedulingGates have been cleared"))
    return out + podannotations.fields_match(pod)


def template_metadata(meta: Obj, path: str) -> list[Cause]:
    """ValidatePodTemplateSpec's checks of the template's metadata, before its spec: labels
    (ValidateLabels) and annotations (ValidateAnnotations: keys checked lowercased), reported
    at <template>.labels and <template>.annotations (kube's path leaves out "metadata")."""
    out: list[Cause] = []
    for key, value in sorted(_d(meta.get("labels")).items()):
        out += invalid(f"{path}.labels", key, labelrules.key_errors(key))
        out += invalid(f"{path}.labels", _s(value), labelrules.value_errors(_s(value)))
    for key in sorted(_d(meta.get("annotations"))):
        out += invalid(f"{path}.annotations", key, labelrules.key_errors(key.lower()))
    return out + labelrules.annotations_too_long(_d(meta.get("annotations")), f"{path}.annotations")


def image_whitespace(c: Obj, path: str) -> list[Cause]:
    image = _s(c.get("image"))
    if image != image.strip(" \t\n\v\f\r\x85\xa0"):
        return [fielderrors.invalid(f"{path}.image", image, "must not have leading or trailing whitespace")]
    return []


RESTART_POLICIES = ("Always", "OnFailure", "Never")
DNS_POLICIES = ("ClusterFirstWithHostNet", "ClusterFirst", "Default", "None")
PULL_POLICIES = ("Always", "IfNotPresent", "Never")
MESSAGE_POLICIES = ("File", "FallbackToLogsOnError")
PREEMPTION_POLICIES = ("PreemptLowerPriority", "Never")
MAX_INT32 = 2**31 - 1


def pod_spec(spec: Obj, path: str, *, is_pod: bool) -> list[Cause]:
    """ValidatePodSpec, in its order."""
    out: list[Cause] = []
    if spec.get("terminationGracePeriodSeconds") is None:
        out.append(required(f"{path}.terminationGracePeriodSeconds"))
    grace = integer(spec.get("terminationGracePeriodSeconds"))
    users = spec.get("hostUsers") is not False  # the pod's own user namespace only when set false
    volumes, errs = _volumes(_l(spec.get("volumes")), f"{path}.volumes")
    out += errs
    containers, inits = _l(spec.get("containers")), _l(spec.get("initContainers"))
    out += _containers(containers, volumes, grace, users, f"{path}.containers")
    out += _init_containers(inits, containers, volumes, grace, users, f"{path}.initContainers")
    out += _ephemeral_containers(_l(spec.get("ephemeralContainers")), containers + inits, volumes, users,
                                 f"{path}.ephemeralContainers")
    out += _host_network(spec, path, is_pod)
    out += one_of(f"{path}.restartPolicy", spec.get("restartPolicy"), RESTART_POLICIES)
    out += one_of(f"{path}.dnsPolicy", spec.get("dnsPolicy"), DNS_POLICIES)
    for key, value in sorted(_d(spec.get("nodeSelector")).items()):  # ValidateLabels
        out += invalid(f"{path}.nodeSelector", key, labelrules.key_errors(key))
        out += invalid(f"{path}.nodeSelector", value, labelrules.value_errors(_s(value)))
    out += podsecurity.pod_security_context(spec, f"{path}.securityContext")
    out += podscheduling.affinity(spec.get("affinity"), f"{path}.affinity")
    if spec.get("dnsPolicy") == "None":
        if spec.get("dnsConfig") is None:
            out.append(required(f"{path}.dnsConfig", "must provide `dnsConfig` when `dnsPolicy` is None"))
        elif not _l(_d(spec.get("dnsConfig")).get("nameservers")):
            out.append(required(f"{path}.dnsConfig.nameservers",
                                "must provide at least one DNS nameserver when `dnsPolicy` is None"))
    out += podscheduling.topology_spread_constraints(_l(spec.get("topologySpreadConstraints")),
                                                     f"{path}.topologySpreadConstraints")
    out += podsecurity.windows_host_process(spec, path) + podsecurity.host_users(spec, path)
    for key in ("serviceAccountName", "nodeName"):
        if _s(spec.get(key)):
            out += invalid(f"{path}.{key}", spec[key], dns_subdomain(spec[key]))
    deadline = integer(spec.get("activeDeadlineSeconds"))
    if deadline is not None and not 1 <= deadline <= MAX_INT32:
        out.append(fielderrors.invalid(f"{path}.activeDeadlineSeconds", deadline,
                                       f"must be between 1 and {MAX_INT32}, inclusive"))
    for key in ("hostname", "subdomain"):
        if _s(spec.get(key)):
            out += invalid(f"{path}.{key}", spec[key], dns_label(spec[key]))
    out += tolerations(_l(spec.get("tolerations")), f"{path}.tolerations")
    if _s(spec.get("priorityClassName")):
        out += invalid(f"{path}.priorityClassName", spec["priorityClassName"], dns_subdomain(spec["priorityClassName"]))
    if spec.get("runtimeClassName") is not None:
        out += invalid(f"{path}.runtimeClassName", spec["runtimeClassName"], dns_subdomain(_s(spec["runtimeClassName"])))
    if spec.get("preemptionPolicy") is not None:
        out += one_of(f"{path}.preemptionPolicy", spec["preemptionPolicy"], PREEMPTION_POLICIES)
    return out


def tolerations(items: list[Any], path: str) -> list[Cause]:
    """ValidateTolerations."""
    out: list[Cause] = []
    for i, t in enumerate(items):
        t, here = _d(t), f"{path}[{i}]"
        key, op, effect, value = _s(t.get("key")), _s(t.get("operator")), _s(t.get("effect")), _s(t.get("value"))
        if key:
            out += invalid(f"{here}.key", key, labelrules.key_errors(key))
        if not key and op != "Exists":
            out.append(fielderrors.invalid(f"{here}.operator", op, "operator must be Exists when `key` is empty, "
                                           'which means "match all values and all keys"'))
        if t.get("tolerationSeconds") is not None and effect != "NoExecute":
            out.append(fielderrors.invalid(f"{here}.effect", effect,
                                           "effect must be 'NoExecute' when `tolerationSeconds` is set"))
        if op in ("Equal", ""):
            if labelrules.value_errors(value):
                out.append(fielderrors.invalid(f"{here}.operator", value, ";".join(labelrules.value_errors(value))))
        elif op == "Exists":
            if value:
                out.append(fielderrors.invalid(f"{here}.operator", value, "value must be empty when `operator` is 'Exists'"))
        else:
            out.append(unsupported(f"{here}.operator", op, ("Equal", "Exists")))
        if effect and effect not in ("NoSchedule", "PreferNoSchedule", "NoExecute"):
            out.append(unsupported(f"{here}.effect", effect, ("NoSchedule", "PreferNoSchedule", "NoExecute")))
    return out


def _host_network(spec: Obj, path: str, is_pod: bool) -> list[Cause]:
    """validatePodHostNetworkDeps: with hostNetwork a host port is the container port (a
    template may leave it 0: the pod's defaulting fills it)."""
    if spec.get("hostNetwork") is not True:
        return []
    out = []
    for i, c in enumerate(_l(spec.get("containers"))):
        for j, port in enumerate(_l(_d(c).get("ports"))):
            host, container = integer(_d(port).get("hostPort")) or 0, integer(_d(port).get("containerPort")) or 0
            if (is_pod or host != 0) and host != container:
                out.append(fielderrors.invalid(f"{path}.containers[{i}].ports[{j}].hostPort", host,
                                               "must match `containerPort` when `hostNetwork` is true"))
    return out


# ---- volumes (ValidateVolumes, validateVolumeSource)

# every volume source in validateVolumeSource's order, and the field its "more than 1" error names
VOLUME_SOURCES = {
    "emptyDir": "emptyDir", "hostPath": "hostPath", "gitRepo": "gitRepo", "gcePersistentDisk": "gcePersistentDisk",
    "awsElasticBlockStore": "awsElasticBlockStore", "secret": "secret", "nfs": "nfs", "iscsi": "iscsi",
    "glusterfs": "glusterfs", "flocker": "flocker", "persistentVolumeClaim": "persistentVolumeClaim", "rbd": "rbd",
    "cinder": "cinder", "cephfs": "cephFS", "quobyte": "quobyte", "downwardAPI": "downwarAPI", "fc": "fc",
    "flexVolume": "flexVolume", "configMap": "configMap", "azureFile": "azureFile", "vsphereVolume": "vsphereVolume",
    "photonPersistentDisk": "photonPersistentDisk", "portworxVolume": "portworxVolume", "azureDisk": "azureDisk",
    "storageos": "storageos", "projected": "projected", "scaleIO": "scaleIO", "csi": "csi", "ephemeral": "ephemeral",
    "image": "image",
}
HOST_PATH_TYPES = ("", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File", "FileOrCreate", "Socket")


def _volumes(items: list[Any], path: str) -> tuple[dict[str, Obj], list[Cause]]:
    """The volumes containers may mount (those without errors, by name) and what is wrong."""
    out: list[Cause] = []
    valid: dict[str, Obj] = {}
    for i, v in enumerate(items):
        v, here = _d(v), f"{path}[{i}]"
        name = _s(v.get("name"))
        errs = _volume_source(v, here)
        errs += [required(f"{here}.name")] if not name else invalid(f"{here}.name", name, dns_label(name))
        if name in valid:
            errs.append(fielderrors.duplicate(f"{here}.name", name))
        if errs:
            out += errs
        else:
            valid[name] = v
    return valid, out


def _volume_source(v: Obj, path: str) -> list[Cause]:
    out: list[Cause] = []
    count = 0
    for key, named in VOLUME_SOURCES.items():
        source = v.get(key)
        if source is None:
            continue
        if count:
            out.append(fielderrors.forbidden(f"{path}.{named}", "may not specify more than 1 volume type"))
            continue
        count += 1
        out += _source_fields(key, _d(source), f"{path}.{key}")
    if not count:
        out.append(required(path, "must specify a volume type"))
    return out


def _source_fields(key: str, source: Obj, path: str) -> list[Cause]:
    """The checks of the common volume sources' own fields."""
    out: list[Cause] = []
    if key == "emptyDir" and source.get("sizeLimit") is not None:
        limit = quantity.value_of(source["sizeLimit"])
        if limit is not None and limit < 0:
            out.append(fielderrors.forbidden(f"{path}.sizeLimit", "SizeLimit field must be a valid resource quantity"))
    elif key == "hostPath":
        if not _s(source.get("path")):
            return [required(f"{path}.path")]
        out += pathrules.no_backsteps(source["path"], f"{path}.path")
        if source.get("type") is not None and source["type"] not in HOST_PATH_TYPES:
            out.append(unsupported(f"{path}.type", source["type"], HOST_PATH_TYPES))
    elif key in ("secret", "configMap"):
        name_key = "secretName" if key == "secret" else "name"
        if not _s(source.get(name_key)):
            out.append(required(f"{path}.{name_key}"))
        out += _file_mode(source.get("defaultMode"), f"{path}.defaultMode")
        for i, item in enumerate(_l(source.get("items"))):
            out += _key_to_path(_d(item), f"{path}.items[{i}]")
    elif key == "persistentVolumeClaim" and not _s(source.get("claimName")):
        out.append(required(f"{path}.claimName"))
    elif key == "nfs":
        out += [required(f"{path}.{k}") for k in ("server", "path") if not _s(source.get(k))]
        if not _s(source.get("path")).startswith("/"):
            out.append(fielderrors.invalid(f"{path}.path", _s(source.get("path")), "must be an absolute path"))
    elif key == "downwardAPI":
        out += _file_mode(source.get("defaultMode"), f"{path}.defaultMode")
        for item in _l(source.get("items")):  # kube names the source, not the item
            item = _d(item)
            if not _s(item.get("path")):
                out.append(required(f"{path}.path"))
            out += pathrules.local_path(_s(item.get("path")), f"{path}.path")
            if item.get("fieldRef") is not None and item.get("resourceFieldRef") is not None:
                out.append(fielderrors.invalid(path, "resource", "fieldRef and resourceFieldRef can not be specified simultaneously"))
            elif item.get("fieldRef") is None and item.get("resourceFieldRef") is None:
                out.append(required(path, "one of fieldRef and resourceFieldRef is required"))
            out += _file_mode(item.get("mode"), f"{path}.mode")
    return out


def _file_mode(mode: Any, path: str) -> list[Cause]:
    mode = integer(mode)
    return [fielderrors.invalid(path, mode, FILE_MODE)] if mode is not None and not 0 <= mode <= 0o777 else []


def _key_to_path(item: Obj, path: str) -> list[Cause]:
    out = [required(f"{path}.{k}") for k in ("key", "path") if not _s(item.get(k))]
    return out + pathrules.local_path(_s(item.get("path")), f"{path}.path") + _file_mode(item.get("mode"), f"{path}.mode")


# ---- containers

def _containers(items: list[Any], volumes: dict[str, Obj], grace: int | None, users: bool, path: str) -> list[Cause]:
    """validateContainers."""
    out: list[Cause] = []
    names: set[str] = set()
    for i, c in enumerate(items):
        c, here = _d(c), f"{path}[{i}]"
        out += _container(c, volumes, users, here)
        name = _s(c.get("name"))
        if name in names:
            out.append(fielderrors.duplicate(f"{here}.name", name))
        names.add(name)
        out += _handlers_and_probes(c, grace, here)
        if c.get("restartPolicy") is not None:
            out.append(fielderrors.forbidden(f"{here}.restartPolicy", "may not be set for non-init containers"))
    return out + _host_port_conflicts(items, path)


def _init_containers(items: list[Any], regular: list[Any], volumes: dict[str, Obj], grace: int | None, users: bool,
                     path: str) -> list[Cause]:
    """validateInitContainers: sidecars (restartPolicy Always) may have probes and hooks."""
    out: list[Cause] = []
    names = {_s(_d(c).get("name")) for c in regular}
    for i, c in enumerate(items):
        c, here = _d(c), f"{path}[{i}]"
        out += _container(c, volumes, users, here)
        restart, sidecar = c.get("restartPolicy"), False
        if restart is not None:
            if restart != "Always":
                out.append(unsupported(f"{here}.restartPolicy", restart, ("Always",)))
            sidecar = restart == "Always"
        name = _s(c.get("name"))
        if name in names:
            out.append(fielderrors.duplicate(f"{here}.name", name))
        elif name:
            names.add(name)
        out += _host_port_conflicts([c], path)  # kube checks each alone, as the list's first
        if sidecar:
            out += _handlers_and_probes(c, grace, here)
        else:
            out += [fielderrors.forbidden(f"{here}.{k}", "may not be set for init containers without restartPolicy=Always")
                    for k in ("lifecycle", "livenessProbe", "readinessProbe", "startupProbe") if c.get(k) is not None]
    return out


# the fields of an ephemeral container that may not be set (validateFieldAllowList), in struct order
EPHEMERAL_FORBIDDEN = ("ports", "resources", "resizePolicy", "restartPolicy", "livenessProbe", "readinessProbe",
                       "startupProbe", "lifecycle")


def _ephemeral_containers(items: list[Any], others: list[Any], volumes: dict[str, Obj], users: bool,
                          path: str) -> list[Cause]:
    """validateEphemeralContainers."""
    out: list[Cause] = []
    other = {_s(_d(c).get("name")) for c in others}
    names = set(other)
    for i, c in enumerate(items):
        c, here = _d(c), f"{path}[{i}]"
        out += _container(c, volumes, users, here) + image_whitespace(c, here)
        name = _s(c.get("name"))
        if name in names:
            out.append(fielderrors.duplicate(f"{here}.name", name))
        names.add(name)
        target = _s(c.get("targetContainerName"))
        if target and target not in other:
            out.append(not_found(f"{here}.targetContainerName", target))
        out += [fielderrors.forbidden(f"{here}.{k}", "cannot be set for an Ephemeral Container")
                for k in EPHEMERAL_FORBIDDEN if c.get(k) not in (None, {}, [])]
        for j, mount in enumerate(_l(c.get("volumeMounts"))):
            out += [fielderrors.forbidden(f"{here}.volumeMounts[{j}].{k}", "cannot be set for an Ephemeral Container")
                    for k in ("subPath", "subPathExpr") if _s(_d(mount).get(k))]
    return out


def _container(c: Obj, volumes: dict[str, Obj], users: bool, path: str) -> list[Cause]:
    """validateContainerCommon (users: the pod's hostUsers)."""
    name = _s(c.get("name"))
    out = [required(f"{path}.name")] if not name else invalid(f"{path}.name", name, dns_label(name))
    if not _s(c.get("image")):
        out.append(required(f"{path}.image"))
    out += one_of(f"{path}.terminationMessagePolicy", c.get("terminationMessagePolicy"), MESSAGE_POLICIES)
    out += _ports(_l(c.get("ports")), f"{path}.ports")
    out += _env(_l(c.get("env")), f"{path}.env")
    out += _env_from(_l(c.get("envFrom")), f"{path}.envFrom")
    out += _mounts(_l(c.get("volumeMounts")), volumes, f"{path}.volumeMounts")
    out += one_of(f"{path}.imagePullPolicy", c.get("imagePullPolicy"), PULL_POLICIES)
    out += _resources(_d(c.get("resources")), f"{path}.resources")
    return out + podsecurity.container_security_context(c.get("securityContext"), f"{path}.securityContext",
                                                        host_users=users)


def _ports(items: list[Any], path: str) -> list[Cause]:
    """validateContainerPorts: names unique within the container."""
    out: list[Cause] = []
    names: set[str] = set()
    for i, p in enumerate(items):
        p, here = _d(p), f"{path}[{i}]"
        name = _s(p.get("name"))
        if name:
            if servicerules.port_name_errors(name):
                out += invalid(f"{here}.name", name, servicerules.port_name_errors(name))
            elif name in names:
                out.append(fielderrors.duplicate(f"{here}.name", name))
            names.add(name)
        container, host = integer(p.get("containerPort")) or 0, integer(p.get("hostPort")) or 0
        if container == 0:
            out.append(required(f"{here}.containerPort"))
        elif not 1 <= container <= 65535:
            out.append(fielderrors.invalid(f"{here}.containerPort", container, servicerules.PORT_RANGE))
        if host != 0 and not 1 <= host <= 65535:
            out.append(fielderrors.invalid(f"{here}.hostPort", host, servicerules.PORT_RANGE))
        out += _protocol(p.get("protocol"), f"{here}.protocol")
    return out


def _protocol(value: Any, path: str) -> list[Cause]:
    if value in (None, ""):
        return [required(path)]
    return [] if value in servicerules.PROTOCOLS else [unsupported(path, value, servicerules.PROTOCOLS)]


def _host_port_conflicts(containers: list[Any], path: str) -> list[Cause]:
    """checkHostPortConflicts: one protocol/hostIP/hostPort per pod."""
    out, seen = [], set()
    for i, c in enumerate(containers):
        for j, p in enumerate(_l(_d(c).get("ports"))):
            p = _d(p)
            host = integer(p.get("hostPort")) or 0
            if host == 0:
                continue
            key = f"{_s(p.get('protocol'))}/{_s(p.get('hostIP'))}/{host}"
            if key in seen:
                out.append(fielderrors.duplicate(f"{path}[{i}].ports[{j}].hostPort", key))
            seen.add(key)
    return out


# ---- environment

# fields a downward API env var may read (validEnvDownwardAPIFieldPathExpressions), and every
# field the v1 conversion knows (ConvertDownwardAPIFieldLabel)
ENV_FIELDS = ("metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName",
              "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs")
POD_FIELDS = {*ENV_FIELDS, "metadata.annotations", "metadata.labels", "spec.restartPolicy", "spec.schedulerName",
              "status.phase"}
RESOURCE_FIELDS = ("limits.cpu", "limits.ephemeral-storage", "limits.memory", "requests.cpu",
                   "requests.ephemeral-storage", "requests.memory")
SUBSCRIPT = re.compile(r"(metadata\.(?:annotations|labels))\['(.*)'\]")


def _env(items: list[Any], path: str) -> list[Cause]:
    """ValidateEnv."""
    out: list[Cause] = []
    for i, e in enumerate(items):
        e, here = _d(e), f"{path}[{i}]"
        name = _s(e.get("name"))
        out += [required(f"{here}.name")] if not name else invalid(f"{here}.name", name, env_name(name))
        if e.get("valueFrom") is not None:
            out += _value_from(_d(e.get("valueFrom")), _s(e.get("value")), f"{here}.valueFrom")
    return out


def _value_from(source: Obj, value: str, path: str) -> list[Cause]:
    """validateEnvVarValueFrom: exactly one source, and no value beside it."""
    out: list[Cause] = []
    sources = [k for k in ("fieldRef", "resourceFieldRef", "configMapKeyRef", "secretKeyRef") if source.get(k) is not None]
    for key in sources:
        ref, here = _d(source[key]), f"{path}.{key}"
        if key == "fieldRef":
            out += _field_ref(ref, here)
        elif key == "resourceFieldRef":
            resource = _s(ref.get("resource"))
            if not resource:
                out.append(required(f"{here}.resource"))
            elif resource not in RESOURCE_FIELDS and not resource.startswith(("requests.hugepages-", "limits.hugepages-")):
                out.append(unsupported(f"{here}.resource", resource, RESOURCE_FIELDS))
        else:
            out += invalid(f"{here}.name", _s(ref.get("name")), dns_subdomain(_s(ref.get("name"))))
            key_name = _s(ref.get("key"))
            out += [required(f"{here}.key")] if not key_name else invalid(f"{here}.key", key_name, config_key(key_name))
    if not sources:
        out.append(fielderrors.invalid(path, "", "must specify one of: `fieldRef`, `resourceFieldRef`, "
                                       "`configMapKeyRef` or `secretKeyRef`"))
    elif value:
        out.append(fielderrors.invalid(path, "", "may not be specified when `value` is not empty"))
    elif len(sources) > 1:
        out.append(fielderrors.invalid(path, "", "may not have more than one field specified at a time"))
    return out


def _field_ref(ref: Obj, path: str) -> list[Cause]:
    """validateObjectFieldSelector with the env var's fields."""
    version, field = _s(ref.get("apiVersion")), _s(ref.get("fieldPath"))
    if not version:
        return [required(f"{path}.apiVersion")]
    if not field:
        return [required(f"{path}.fieldPath")]
    subscript = SUBSCRIPT.fullmatch(field)
    if version != "v1":
        error = f"unsupported pod version: {version}"
    elif subscript or field in POD_FIELDS:
        error = ""
    else:
        error = f"field label not supported: {field}"
    if error:
        return [fielderrors.invalid(f"{path}.fieldPath", field, f"error converting fieldPath: {error}")]
    if subscript:
        key = subscript.group(2)
        return invalid(path, key, labelrules.key_errors(key.lower() if subscript.group(1).endswith("annotations") else key))
    return [] if field in ENV_FIELDS else [unsupported(f"{path}.fieldPath", field, ENV_FIELDS)]


def _env_from(items: list[Any], path: str) -> list[Cause]:
    """ValidateEnvFrom: a prefix that is a variable name, one source."""
    out: list[Cause] = []
    for i, e in enumerate(items):
        e, here = _d(e), f"{path}[{i}]"
        prefix = _s(e.get("prefix"))
        if prefix:
            out += invalid(f"{here}.prefix", prefix, env_name(prefix))
        sources = [k for k in ("configMapRef", "secretRef") if e.get(k) is not None]
        for key in sources:
            name = _s(_d(e[key]).get("name"))
            masked = name[:-2] + "a" if len(name) > 1 and name.endswith("-") else name  # a name prefix
            out += [required(f"{here}.{key}.name")] if not name else invalid(f"{here}.{key}.name", name, dns_subdomain(masked))
        if not sources:
            out.append(fielderrors.invalid(path, "", "must specify one of: `configMapRef` or `secretRef`"))
        elif len(sources) > 1:
            out.append(fielderrors.invalid(path, "", "may not have more than one field specified at a time"))
    return out


def _mounts(items: list[Any], volumes: dict[str, Obj], path: str) -> list[Cause]:
    """ValidateVolumeMounts: a volume of the pod's, a mount path once per container."""
    out: list[Cause] = []
    paths: set[str] = set()
    for i, m in enumerate(items):
        m, here = _d(m), f"{path}[{i}]"
        name, mount_path = _s(m.get("name")), _s(m.get("mountPath"))
        if not name:
            out.append(required(f"{here}.name"))
        if name not in volumes:
            out.append(not_found(f"{here}.name", name))
        if not mount_path:
            out.append(required(f"{here}.mountPath"))
        if mount_path in paths:
            out.append(fielderrors.invalid(f"{here}.mountPath", mount_path, "must be unique"))
        paths.add(mount_path)
        sub_path, expr = _s(m.get("subPath")), _s(m.get("subPathExpr"))
        if sub_path:
            out += pathrules.descending(sub_path, f"{path}.subPath")  # kube names the list, not the item
        if expr:
            if sub_path:
                out.append(fielderrors.invalid(f"{here}.subPathExpr", expr, "subPathExpr and subPath are mutually exclusive"))
            out += pathrules.descending(expr, f"{path}.subPathExpr")
    return out


# ---- handlers and probes

PROBE_HANDLERS = ("exec", "httpGet", "tcpSocket", "grpc")
HOOK_HANDLERS = ("exec", "httpGet", "tcpSocket", "sleep")
PROBE_COUNTS = ("initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold", "failureThreshold")


def _handlers_and_probes(c: Obj, grace: int | None, path: str) -> list[Cause]:
    """validateLifecycle and the three probes (validateLivenessProbe, ...)."""
    out: list[Cause] = []
    lifecycle = c.get("lifecycle")
    if lifecycle is not None:
        for hook in ("postStart", "preStop"):
            if _d(lifecycle).get(hook) is not None:
                out += _handler(_d(lifecycle[hook]), HOOK_HANDLERS, grace, f"{path}.lifecycle.{hook}")
    for key in ("livenessProbe", "readinessProbe", "startupProbe"):
        probe = c.get(key)
        if probe is None:
            continue
        probe, here = _d(probe), f"{path}.{key}"
        out += _handler(probe, PROBE_HANDLERS, grace, here)
        for count in PROBE_COUNTS:
            value = integer(probe.get(count))
            if value is not None and value < 0:
                out.append(fielderrors.invalid(f"{here}.{count}", value, NON_NEGATIVE))
        seconds = integer(probe.get("terminationGracePeriodSeconds"))
        if seconds is not None and seconds <= 0:
            out.append(fielderrors.invalid(f"{here}.terminationGracePeriodSeconds", seconds, "must be greater than 0"))
        if key != "readinessProbe" and probe.get("successThreshold") != 1:
            out.append(fielderrors.invalid(f"{here}.successThreshold", probe.get("successThreshold"), "must be 1"))
        if key == "readinessProbe" and probe.get("terminationGracePeriodSeconds") is not None:
            out.append(fielderrors.invalid(f"{here}.terminationGracePeriodSeconds", probe["terminationGracePeriodSeconds"],
                                           "must not be set for readinessProbes"))
    return out


def _handler(handler: Obj, kinds: tuple[str, ...], grace: int | None, path: str) -> list[Cause]:
    """validateHandler: exactly one action, and the action's fields."""
    out: list[Cause] = []
    count = 0
    for kind in kinds:
        action = handler.get(kind)
        if action is None:
            continue
        here = f"{path}.{kind}"
        if count:
            out.append(fielderrors.forbidden(here, "may not specify more than 1 handler type"))
            continue
        count += 1
        action = _d(action)
        if kind == "exec" and not _l(action.get("command")):
            out.append(required(f"{here}.command"))
        elif kind == "httpGet":
            if not _s(action.get("path")):
                out.append(required(f"{here}.path"))
            out += port_number_or_name(action.get("port"), f"{here}.port")
            if action.get("scheme") not in ("HTTP", "HTTPS"):
                out.append(unsupported(f"{here}.scheme", _s(action.get("scheme")), ("HTTP", "HTTPS")))
            for header in _l(action.get("httpHeaders")):
                name = _s(_d(header).get("name"))
                if not HTTP_HEADER.fullmatch(name):
                    out.append(fielderrors.invalid(f"{here}.httpHeaders", name, HTTP_HEADER_MESSAGE))
        elif kind in ("tcpSocket", "grpc"):
            out += port_number_or_name(action.get("port"), f"{here}.port")
        elif kind == "sleep":
            seconds = integer(action.get("seconds")) or 0
            if grace is not None and not 0 <= seconds <= grace:
                out.append(fielderrors.invalid(here, seconds, "must be non-negative and less than "
                                               f"terminationGracePeriodSeconds ({grace})"))
    if not count:
        out.append(required(path, "must specify a handler type"))
    return out


def port_number_or_name(port: Any, path: str) -> list[Cause]:
    """ValidatePortNumOrName: an int-or-string port."""
    if isinstance(port, str):
        return invalid(path, port, servicerules.port_name_errors(port))
    number = integer(port) or 0
    return [] if 1 <= number <= 65535 else [fielderrors.invalid(path, number, servicerules.PORT_RANGE)]


# ---- resources and security context

CONTAINER_RESOURCES = ("cpu", "memory", "ephemeral-storage")
STANDARD_RESOURCES = {
    *CONTAINER_RESOURCES, "requests.cpu", "requests.memory", "requests.ephemeral-storage", "limits.cpu",
    "limits.memory", "limits.ephemeral-storage", "pods", "services", "replicationcontrollers", "resourcequotas",
    "secrets", "configmaps", "persistentvolumeclaims", "storage", "requests.storage", "services.nodeports",
    "services.loadbalancers"}


def _native(name: str) -> bool:
    return "/" not in name or "kubernetes.io/" in name


def _overcommit(name: str) -> bool:
    """IsOvercommitAllowed: native resources but huge pages."""
    return _native(name) and not name.startswith("hugepages-")


def _resource_name(name: str) -> list[str]:
    """validateContainerResourceName."""
    out = labelrules.key_errors(name)
    if not out and "/" not in name and name not in STANDARD_RESOURCES and \
            not name.startswith(("hugepages-", "requests.hugepages-")):
        out.append("must be a standard resource type or fully qualified")
    if "/" not in name:
        if name not in CONTAINER_RESOURCES and not name.startswith("hugepages-"):
            out.append("must be a standard resource for containers")
    elif not _native(name) and (name.startswith("requests.") or labelrules.key_errors("requests." + name)):
        out.append("doesn't follow extended resource name standard")
    return out


def _quantity(name: str, value: Any, path: str) -> tuple[Any, list[Cause]]:
    """ValidateResourceQuantityValue: the value (None if it is no quantity) and what is wrong."""
    number = quantity.value_of(value)
    if number is None:
        return None, []
    text, out = quantity.normalized(value), []
    if number < 0:
        out.append(fielderrors.invalid(path, text, NON_NEGATIVE))
    if not _native(name) and number.denominator != 1:  # extended resources count things
        out.append(fielderrors.invalid(path, text, "must be an integer"))
    return number, out


def _resources(resources: Obj, path: str) -> list[Cause]:
    """validateResourceRequirements: known names, quantities >= 0, requests <= limits (equal
    for what may not be overcommitted)."""
    out: list[Cause] = []
    limits, requests = _d(resources.get("limits")), _d(resources.get("requests"))
    limit_values = {}
    for name, value in sorted(limits.items()):
        here = f"{path}.limits[{name}]"
        out += invalid(here, name, _resource_name(name))
        limit_values[name], errs = _quantity(name, value, here)
        out += errs
    for name, value in sorted(requests.items()):
        here = f"{path}.requests[{name}]"
        out += invalid(here, name, _resource_name(name))
        number, errs = _quantity(name, value, here)
        out += errs
        limit = limit_values.get(name)
        if name in limits and number is not None and limit is not None:
            text, limit_text = quantity.normalized(value), quantity.normalized(limits[name])
            if number != limit and not _overcommit(name):
                out.append(fielderrors.invalid(f"{path}.requests", text, f"must be equal to {name} limit of {limit_text}"))
            elif number > limit:
                out.append(fielderrors.invalid(f"{path}.requests", text,
                                               f"must be less than or equal to {name} limit of {limit_text}"))
        elif name not in limits and not _overcommit(name):
            out.append(required(f"{path}.limits", "Limit must be set for non overcommitable resources"))
    names = {*limits, *requests}
    if any(n.startswith("hugepages-") for n in names) and not names & {"cpu", "memory"}:
        out.append(fielderrors.forbidden(path, "HugePages require cpu or memory"))
    return out

