"""Pod specs refused as kube-apiserver 1.35 refuses them (vapi/podrules.py): the causes of
ValidatePodSpec and friends in kube's order and words, for Pods and every pod template, and
what kubectl prints."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.apiserver import VapiProcess
from tests.rulecauses import causes, kubectl_refusal
from vapi import dnsnames, podrules

LABEL = dnsnames.DNS1123_LABEL_MESSAGE
SUBDOMAIN = dnsnames.DNS1123_SUBDOMAIN_MESSAGE


def pod(**spec: Any) -> dict[str, Any]:
    spec.setdefault("containers", [{"name": "c", "image": "i:1"}])
    return {"metadata": {"name": "p"}, "spec": spec}


def container(**fields: Any) -> dict[str, Any]:
    return {"name": "c", "image": "i:1", **fields}


def pod_causes(**spec: Any) -> list[tuple[str, str, str]]:
    return causes("", "pods", pod(**spec))


def test_container_names_images_and_policies() -> None:
    got = causes("apps", "deployments", {"metadata": {"name": "d"}, "spec": {
        "selector": {"matchLabels": {"a": "b"}}, "template": {"metadata": {"labels": {"a": "b"}}, "spec": {
            "containers": [{"name": "web", "image": "nginx"}, {"name": "web", "image": "nginx"}]}}}})
    assert got == [("spec.template.spec.containers[1].name", "FieldValueDuplicate", 'Duplicate value: "web"')]
    assert pod_causes(containers=[{"name": "Web_1"}, container(name="a.b")],
                      initContainers=[container(name="c"), container(name="a.b", restartPolicy="OnFailure")]) == [
        ("spec.containers[0].name", "FieldValueInvalid", f'Invalid value: "Web_1": {LABEL}'),
        ("spec.containers[0].image", "FieldValueRequired", "Required value"),
        ("spec.containers[1].name", "FieldValueInvalid", 'Invalid value: "a.b": must not contain dots'),
        ("spec.initContainers[1].name", "FieldValueInvalid", 'Invalid value: "a.b": must not contain dots'),
        ("spec.initContainers[1].restartPolicy", "FieldValueNotSupported",
         'Unsupported value: "OnFailure": supported values: "Always"'),
        ("spec.initContainers[1].name", "FieldValueDuplicate", 'Duplicate value: "a.b"')]
    assert pod_causes(containers=[container(imagePullPolicy="Sometimes", terminationMessagePolicy="Log",
                                            restartPolicy="Always")], restartPolicy="Sometimes", dnsPolicy="") == [
        ("spec.containers[0].terminationMessagePolicy", "FieldValueNotSupported",
         'Unsupported value: "Log": supported values: "File", "FallbackToLogsOnError"'),
        ("spec.containers[0].imagePullPolicy", "FieldValueNotSupported",
         'Unsupported value: "Sometimes": supported values: "Always", "IfNotPresent", "Never"'),
        ("spec.containers[0].restartPolicy", "FieldValueForbidden", "Forbidden: may not be set for non-init containers"),
        ("spec.restartPolicy", "FieldValueNotSupported",
         'Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"'),
        ("spec.dnsPolicy", "FieldValueRequired", "Required value")]
    # a pod's image may not be padded; a template's may (kube kept it for compatibility)
    assert pod_causes(containers=[container(image=" i ")]) == [
        ("spec.containers[0].image", "FieldValueInvalid", 'Invalid value: " i ": must not have leading or trailing whitespace')]
    assert causes("", "podtemplates", {"metadata": {"name": "t"}, "template": {"spec": {"containers": [container(image=" i ")]}}}) == []


def test_ports() -> None:
    ports = [{"containerPort": 80, "name": "http", "hostPort": 8080}, {"containerPort": 0, "name": "http"},
             {"containerPort": 70000, "name": "Metrics--", "protocol": "HTTP"}]
    assert pod_causes(containers=[container(ports=ports), container(name="d", ports=[{"containerPort": 81, "hostPort": 8080}])]) == [
        ("spec.containers[0].ports[1].name", "FieldValueDuplicate", 'Duplicate value: "http"'),
        ("spec.containers[0].ports[1].containerPort", "FieldValueRequired", "Required value"),
        ("spec.containers[0].ports[2].name", "FieldValueInvalid",
         'Invalid value: "Metrics--": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)'),
        ("spec.containers[0].ports[2].name", "FieldValueInvalid", 'Invalid value: "Metrics--": must not contain consecutive hyphens'),
        ("spec.containers[0].ports[2].name", "FieldValueInvalid", 'Invalid value: "Metrics--": must not begin or end with a hyphen'),
        ("spec.containers[0].ports[2].containerPort", "FieldValueInvalid", "Invalid value: 70000: must be between 1 and 65535, inclusive"),
        ("spec.containers[0].ports[2].protocol", "FieldValueNotSupported",
         'Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"'),
        ("spec.containers[1].ports[0].hostPort", "FieldValueDuplicate", 'Duplicate value: "TCP//8080"')]
    # on the host network a pod's host port is its container port (defaulted when left out); a
    # template may leave it out
    assert pod_causes(hostNetwork=True, containers=[container(ports=[{"containerPort": 80}, {"containerPort": 81, "hostPort": 82}])]) == [
        ("spec.containers[0].ports[1].hostPort", "FieldValueInvalid",
         "Invalid value: 82: must match `containerPort` when `hostNetwork` is true")]
    assert causes("", "podtemplates", {"metadata": {"name": "t"}, "template": {"spec": {
        "hostNetwork": True, "containers": [container(ports=[{"containerPort": 80}])]}}}) == []


def test_env() -> None:
    env = [{"name": ""}, {"name": "A=B"}, {"name": "my.var-1 x", "value": "ok"},
           {"name": "X", "valueFrom": {}},
           {"name": "Y", "value": "v", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
           {"name": "Z", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}, "secretKeyRef": {"name": "s", "key": "k"}}},
           {"name": "F", "valueFrom": {"fieldRef": {"fieldPath": "status.phase"}}},
           {"name": "G", "valueFrom": {"fieldRef": {"fieldPath": "spec.host"}}},
           {"name": "C", "valueFrom": {"configMapKeyRef": {"name": "Cfg", "key": "a/b"}}}]
    env_from = [{"prefix": "P=", "configMapRef": {"name": "c"}}, {}]
    assert pod_causes(containers=[container(env=env, envFrom=env_from)]) == [
        ("spec.containers[0].env[0].name", "FieldValueRequired", "Required value"),
        ("spec.containers[0].env[1].name", "FieldValueInvalid", 'Invalid value: "A=B": ' + podrules.ENV_NAME_MESSAGE),
        ("spec.containers[0].env[3].valueFrom", "FieldValueInvalid",
         'Invalid value: "": must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'),
        ("spec.containers[0].env[4].valueFrom", "FieldValueInvalid", 'Invalid value: "": may not be specified when `value` is not empty'),
        ("spec.containers[0].env[5].valueFrom", "FieldValueInvalid",
         'Invalid value: "": may not have more than one field specified at a time'),
        ("spec.containers[0].env[6].valueFrom.fieldRef.fieldPath", "FieldValueNotSupported",
         'Unsupported value: "status.phase": supported values: "metadata.name", "metadata.namespace", "metadata.uid", '
         '"spec.nodeName", "spec.serviceAccountName", "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs"'),
        ("spec.containers[0].env[7].valueFrom.fieldRef.fieldPath", "FieldValueInvalid",
         'Invalid value: "spec.host": error converting fieldPath: field label not supported: spec.host'),
        ("spec.containers[0].env[8].valueFrom.configMapKeyRef.name", "FieldValueInvalid", f'Invalid value: "Cfg": {SUBDOMAIN}'),
        ("spec.containers[0].env[8].valueFrom.configMapKeyRef.key", "FieldValueInvalid",
         'Invalid value: "a/b": ' + podrules.CONFIG_KEY_MESSAGE),
        ("spec.containers[0].envFrom[0].prefix", "FieldValueInvalid", 'Invalid value: "P=": ' + podrules.ENV_NAME_MESSAGE),
        ("spec.containers[0].envFrom", "FieldValueInvalid", 'Invalid value: "": must specify one of: `configMapRef` or `secretRef`')]


def test_volumes_and_mounts() -> None:
    volumes = [{"name": "data", "emptyDir": {}}, {"name": "data", "emptyDir": {}},
               {"name": "Cfg", "configMap": {"name": "c", "defaultMode": 1000, "items": [{"key": "k", "path": "../x"}]}},
               {"name": "two", "secret": {}, "hostPath": {"path": "/x"}}, {"name": "none"}]
    mounts = [{"name": "data", "mountPath": "/d"}, {"name": "data", "mountPath": "/d"}, {"name": "none", "mountPath": ""},
              {"name": "data", "mountPath": "/e", "subPath": "/abs"}]
    assert pod_causes(volumes=volumes, containers=[container(volumeMounts=mounts)]) == [
        ("spec.volumes[1].name", "FieldValueDuplicate", 'Duplicate value: "data"'),
        ("spec.volumes[2].configMap.defaultMode", "FieldValueInvalid",
         "Invalid value: 1000: must be a number between 0 and 0777 (octal), both inclusive"),
        ("spec.volumes[2].configMap.items[0].path", "FieldValueInvalid", "Invalid value: \"../x\": must not contain '..'"),
        ("spec.volumes[2].name", "FieldValueInvalid", f'Invalid value: "Cfg": {LABEL}'),
        ("spec.volumes[3].secret", "FieldValueForbidden", "Forbidden: may not specify more than 1 volume type"),
        ("spec.volumes[4]", "FieldValueRequired", "Required value: must specify a volume type"),
        ("spec.containers[0].volumeMounts[1].mountPath", "FieldValueInvalid", 'Invalid value: "/d": must be unique'),
        ("spec.containers[0].volumeMounts[2].name", "FieldValueNotFound", 'Not found: "none"'),
        ("spec.containers[0].volumeMounts[2].mountPath", "FieldValueRequired", "Required value"),
        ("spec.containers[0].volumeMounts.subPath", "FieldValueInvalid", 'Invalid value: "/abs": must be a relative path')]


def test_resources() -> None:
    resources = {"limits": {"cpu": "500m", "memory": "1Gi", "nvidia.com/gpu": "1"},
                 "requests": {"cpu": "1", "memory": "-1", "cpus": "1", "nvidia.com/gpu": "0.5", "example.com/dongle": "1"}}
    assert pod_causes(containers=[container(resources=resources)]) == [
        ("spec.containers[0].resources.requests", "FieldValueInvalid", 'Invalid value: "1": must be less than or equal to cpu limit of 500m'),
        ("spec.containers[0].resources.requests[cpus]", "FieldValueInvalid",
         'Invalid value: "cpus": must be a standard resource type or fully qualified'),
        ("spec.containers[0].resources.requests[cpus]", "FieldValueInvalid", 'Invalid value: "cpus": must be a standard resource for containers'),
        ("spec.containers[0].resources.limits", "FieldValueRequired", "Required value: Limit must be set for non overcommitable resources"),
        ("spec.containers[0].resources.requests[memory]", "FieldValueInvalid", 'Invalid value: "-1": must be greater than or equal to 0'),
        ("spec.containers[0].resources.requests[nvidia.com/gpu]", "FieldValueInvalid", 'Invalid value: "500m": must be an integer'),
        ("spec.containers[0].resources.requests", "FieldValueInvalid", 'Invalid value: "500m": must be equal to nvidia.com/gpu limit of 1')]
    assert pod_causes(containers=[container(resources={"limits": {"hugepages-2Mi": "2Mi"}})]) == [
        ("spec.containers[0].resources", "FieldValueForbidden", "Forbidden: HugePages require cpu or memory")]


def test_probes_and_hooks() -> None:
    c = container(livenessProbe={"exec": {"command": []}, "httpGet": {"port": 80}, "successThreshold": 2, "periodSeconds": -1},
                  readinessProbe={"terminationGracePeriodSeconds": 5, "httpGet": {"port": "Web", "scheme": "FTP",
                                                                                  "httpHeaders": [{"name": "X A", "value": "1"}]}},
                  startupProbe={"grpc": {"port": 0}}, lifecycle={"preStop": {"sleep": {"seconds": 40}}, "postStart": {}})
    init = container(name="i", livenessProbe={"tcpSocket": {"port": 80}})
    assert pod_causes(containers=[c], initContainers=[init]) == [
        ("spec.containers[0].lifecycle.postStart", "FieldValueRequired", "Required value: must specify a handler type"),
        ("spec.containers[0].lifecycle.preStop.sleep", "FieldValueInvalid",
         "Invalid value: 40: must be non-negative and less than terminationGracePeriodSeconds (30)"),
        ("spec.containers[0].livenessProbe.exec.command", "FieldValueRequired", "Required value"),
        ("spec.containers[0].livenessProbe.httpGet", "FieldValueForbidden", "Forbidden: may not specify more than 1 handler type"),
        ("spec.containers[0].livenessProbe.periodSeconds", "FieldValueInvalid", "Invalid value: -1: must be greater than or equal to 0"),
        ("spec.containers[0].livenessProbe.successThreshold", "FieldValueInvalid", "Invalid value: 2: must be 1"),
        ("spec.containers[0].readinessProbe.httpGet.port", "FieldValueInvalid",
         'Invalid value: "Web": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)'),
        ("spec.containers[0].readinessProbe.httpGet.scheme", "FieldValueNotSupported",
         'Unsupported value: "FTP": supported values: "HTTP", "HTTPS"'),
        ("spec.containers[0].readinessProbe.httpGet.httpHeaders", "FieldValueInvalid",
         'Invalid value: "X A": ' + podrules.HTTP_HEADER_MESSAGE),
        ("spec.containers[0].readinessProbe.terminationGracePeriodSeconds", "FieldValueInvalid",
         "Invalid value: 5: must not be set for readinessProbes"),
        ("spec.containers[0].startupProbe.grpc.port", "FieldValueInvalid", "Invalid value: 0: must be between 1 and 65535, inclusive"),
        ("spec.initContainers[0].livenessProbe", "FieldValueForbidden",
         "Forbidden: may not be set for init containers without restartPolicy=Always")]
    # a sidecar (an init container restarting Always) may have probes
    assert pod_causes(initContainers=[container(name="i", restartPolicy="Always", livenessProbe={"tcpSocket": {"port": 80}})]) == []


def test_pod_level_fields() -> None:
    tolerations = [{"operator": "Equal", "value": "x"}, {"key": "k", "operator": "Exists", "value": "v"},
                   {"key": "k", "operator": "In"}, {"key": "k", "effect": "NoSchedule", "tolerationSeconds": 5},
                   {"key": "k/a/b", "effect": "Never"}]
    assert pod_causes(nodeSelector={"disk": "ssd!", "Bad Key": "x"}, dnsPolicy="None", serviceAccountName="Build_Bot",
                      activeDeadlineSeconds=0, hostname="a.b", tolerations=tolerations, preemptionPolicy="Sometimes") == [
        ("spec.nodeSelector", "FieldValueInvalid", 'Invalid value: "Bad Key": name part ' + podrules.labelrules.KEY_RULE),
        ("spec.nodeSelector", "FieldValueInvalid", 'Invalid value: "ssd!": ' + podrules.labelrules.VALUE_RULE),
        ("spec.dnsConfig", "FieldValueRequired", "Required value: must provide `dnsConfig` when `dnsPolicy` is None"),
        ("spec.serviceAccountName", "FieldValueInvalid", f'Invalid value: "Build_Bot": {SUBDOMAIN}'),
        ("spec.activeDeadlineSeconds", "FieldValueInvalid", "Invalid value: 0: must be between 1 and 2147483647, inclusive"),
        ("spec.hostname", "FieldValueInvalid", 'Invalid value: "a.b": must not contain dots'),
        ("spec.tolerations[0].operator", "FieldValueInvalid",
         'Invalid value: "Equal": operator must be Exists when `key` is empty, which means "match all values and all keys"'),
        ("spec.tolerations[1].operator", "FieldValueInvalid", "Invalid value: \"v\": value must be empty when `operator` is 'Exists'"),
        ("spec.tolerations[2].operator", "FieldValueNotSupported", 'Unsupported value: "In": supported values: "Equal", "Exists"'),
        ("spec.tolerations[3].effect", "FieldValueInvalid",
         "Invalid value: \"NoSchedule\": effect must be 'NoExecute' when `tolerationSeconds` is set"),
        ("spec.tolerations[4].key", "FieldValueInvalid", 'Invalid value: "k/a/b": a valid label key ' + podrules.labelrules.KEY_RULE +
         " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"),
        ("spec.tolerations[4].effect", "FieldValueNotSupported",
         'Unsupported value: "Never": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"'),
        ("spec.preemptionPolicy", "FieldValueNotSupported",
         'Unsupported value: "Sometimes": supported values: "PreemptLowerPriority", "Never"')]


KEY_RULE, VALUE_RULE = podrules.labelrules.KEY_RULE, podrules.labelrules.VALUE_RULE
NODE_TERM = "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0]"
ANTI = "spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0]"


def test_affinity() -> None:
    affinity = {
        "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [{
                "matchExpressions": [{"key": "zone", "operator": "In"}, {"key": "Bad Key", "operator": "Exists", "values": ["a"]},
                                     {"key": "gpu", "operator": "Gt", "values": ["1", "2"]},
                                     {"key": "k", "operator": "Is", "values": ["x!"]}],
                "matchFields": [{"key": "metadata.uid", "operator": "In", "values": ["a", "b"]}]}]},
            # preferred terms' values are never checked (kube: they may match a single node)
            "preferredDuringSchedulingIgnoredDuringExecution": [
                {"weight": 0, "preference": {"matchExpressions": [{"key": "k", "operator": "In", "values": ["x!"]}]}}]},
        "podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [{"labelSelector": {"matchLabels": {"app": "a"}}}]},
        "podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 101, "podAffinityTerm": {
            "labelSelector": {"matchExpressions": [{"key": "app", "operator": "In"}]}, "namespaces": ["Team_A"],
            "topologyKey": "zone"}}]}}
    assert pod_causes(affinity=affinity) == [
        (f"{NODE_TERM}.matchExpressions[0].values", "FieldValueRequired",
         "Required value: must be specified when `operator` is 'In' or 'NotIn'"),
        (f"{NODE_TERM}.matchExpressions[1].values", "FieldValueForbidden",
         "Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'"),
        (f"{NODE_TERM}.matchExpressions[1].key", "FieldValueInvalid", f'Invalid value: "Bad Key": name part {KEY_RULE}'),
        (f"{NODE_TERM}.matchExpressions[2].values", "FieldValueRequired",
         "Required value: must be specified single value when `operator` is 'Lt' or 'Gt'"),
        (f"{NODE_TERM}.matchExpressions[3].operator", "FieldValueInvalid", 'Invalid value: "Is": not a valid selector operator'),
        (f"{NODE_TERM}.matchExpressions[3].values[0]", "FieldValueInvalid", f'Invalid value: "x!": {VALUE_RULE}'),
        (f"{NODE_TERM}.matchFields[0].values", "FieldValueRequired",
         "Required value: must be only one value when `operator` is 'In' or 'NotIn' for node field selector"),
        (f"{NODE_TERM}.matchFields[0].key", "FieldValueInvalid", 'Invalid value: "metadata.uid": not a valid field selector key'),
        ("spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight", "FieldValueInvalid",
         "Invalid value: 0: must be in the range 1-100"),
        ("spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey", "FieldValueRequired",
         "Required value: can not be empty"),
        ("spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey", "FieldValueInvalid",
         'Invalid value: "": name part must be non-empty'),
        ("spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey", "FieldValueInvalid",
         f'Invalid value: "": name part {KEY_RULE}'),
        (f"{ANTI}.weight", "FieldValueInvalid", "Invalid value: 101: must be in the range 1-100"),
        (f"{ANTI}.podAffinityTerm.labelSelector.matchExpressions[0].values", "FieldValueRequired",
         "Required value: must be specified when `operator` is 'In' or 'NotIn'"),
        (f"{ANTI}.podAffinityTerm.namespace", "FieldValueInvalid", f'Invalid value: "Team_A": {LABEL}')]
    assert pod_causes(affinity={"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {}},
                                "podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
                                    {"topologyKey": "zone", "matchLabelKeys": ["app"], "mismatchLabelKeys": ["app"]}]}}) == [
        ("spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms", "FieldValueRequired",
         "Required value: must have at least one node selector term"),
        ("spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].matchLabelKeys", "FieldValueForbidden",
         "Forbidden: must not be specified when labelSelector is not set"),
        ("spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].mismatchLabelKeys", "FieldValueForbidden",
         "Forbidden: must not be specified when labelSelector is not set"),
        ("spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].matchLabelKeys[0]", "FieldValueInvalid",
         'Invalid value: "app": exists in both matchLabelKeys and mismatchLabelKeys')]


def test_topology_spread_constraints() -> None:
    constraints = [
        {"maxSkew": 0, "topologyKey": "zone", "whenUnsatisfiable": "Maybe", "labelSelector": {"matchLabels": {"app": "a!"}},
         "matchLabelKeys": ["app"]},
        {"maxSkew": 1, "topologyKey": "", "whenUnsatisfiable": "ScheduleAnyway", "minDomains": 0},
        {"maxSkew": 1, "topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule", "nodeAffinityPolicy": "Always",
         "matchLabelKeys": ["x"]},
        {"maxSkew": 1, "topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule"},
        {}]
    assert pod_causes(topologySpreadConstraints=constraints) == [
        ("spec.topologySpreadConstraints[0].maxSkew", "FieldValueInvalid", "Invalid value: 0: must be greater than zero"),
        ("spec.topologySpreadConstraints[0].whenUnsatisfiable", "FieldValueNotSupported",
         'Unsupported value: "Maybe": supported values: "DoNotSchedule", "ScheduleAnyway"'),
        ("spec.topologySpreadConstraints[0].matchLabelKeys[0]", "FieldValueInvalid",
         'Invalid value: "app": exists in both matchLabelKeys and labelSelector'),
        ("spec.topologySpreadConstraints[0].labelSelector.matchLabels", "FieldValueInvalid", f'Invalid value: "a!": {VALUE_RULE}'),
        ("spec.topologySpreadConstraints[1].topologyKey", "FieldValueRequired", "Required value: can not be empty"),
        ("spec.topologySpreadConstraints[1].minDomains", "FieldValueInvalid", "Invalid value: 0: must be greater than zero"),
        ("spec.topologySpreadConstraints[1].minDomains", "FieldValueInvalid",
         "Invalid value: 0: can only use minDomains if whenUnsatisfiable=DoNotSchedule, not ScheduleAnyway"),
        ("spec.topologySpreadConstraints[2].{topologyKey, whenUnsatisfiable}", "FieldValueDuplicate",
         'Duplicate value: "{zone, DoNotSchedule}"'),
        ("spec.topologySpreadConstraints[2].nodeAffinityPolicy", "FieldValueNotSupported",
         'Unsupported value: "Always": supported values: "Honor", "Ignore"'),
        ("spec.topologySpreadConstraints[2].matchLabelKeys", "FieldValueForbidden",
         "Forbidden: must not be specified when labelSelector is not set"),
        # left out, the three required fields are Go's zero values to kube
        ("spec.topologySpreadConstraints[4].maxSkew", "FieldValueInvalid", "Invalid value: 0: must be greater than zero"),
        ("spec.topologySpreadConstraints[4].topologyKey", "FieldValueRequired", "Required value: can not be empty"),
        ("spec.topologySpreadConstraints[4].whenUnsatisfiable", "FieldValueNotSupported",
         'Unsupported value: "": supported values: "DoNotSchedule", "ScheduleAnyway"')]


SYSCTL_RULE = ("must have at most 253 characters and match regex "
               "^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[\\./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?$")


def test_pod_security_context() -> None:
    context = {"runAsUser": -1, "runAsGroup": 2**31, "fsGroup": -5, "supplementalGroups": [1, -2],
               "sysctls": [{"name": ""}, {"name": "net.core.somaxconn", "value": "1024"}, {"name": "Kernel.X", "value": "1"},
                           {"name": "net.core.somaxconn", "value": "1"}, {"name": "kernel/shm_rmid_forced", "value": "1"}],
               "fsGroupChangePolicy": "Never", "seccompProfile": {"type": "RuntimeDefault", "localhostProfile": "p.json"},
               "appArmorProfile": {"type": "Localhost"}, "supplementalGroupsPolicy": "Loose"}
    sc = "spec.securityContext"
    assert pod_causes(securityContext=context, hostNetwork=True, hostIPC=True, hostPID=True, shareProcessNamespace=True) == [
        (f"{sc}.fsGroup", "FieldValueInvalid", "Invalid value: -5: must be between 0 and 2147483647, inclusive"),
        (f"{sc}.runAsUser", "FieldValueInvalid", "Invalid value: -1: must be between 0 and 2147483647, inclusive"),
        (f"{sc}.runAsGroup", "FieldValueInvalid", "Invalid value: 2147483648: must be between 0 and 2147483647, inclusive"),
        (f"{sc}.supplementalGroups[1]", "FieldValueInvalid", "Invalid value: -2: must be between 0 and 2147483647, inclusive"),
        # kube keeps shareProcessNamespace in the internal PodSecurityContext
        (f"{sc}.shareProcessNamespace", "FieldValueInvalid", "Invalid value: true: ShareProcessNamespace and HostPID cannot both be enabled"),
        (f"{sc}.sysctls[0].name", "FieldValueRequired", "Required value"),
        (f"{sc}.sysctls[1].name", "FieldValueInvalid", "Invalid value: \"net.core.somaxconn\": may not be specified when 'hostNetwork' is true"),
        (f"{sc}.sysctls[2].name", "FieldValueInvalid", f'Invalid value: "Kernel.X": {SYSCTL_RULE}'),
        (f"{sc}.sysctls[3].name", "FieldValueDuplicate", 'Duplicate value: "net.core.somaxconn"'),
        (f"{sc}.sysctls[3].name", "FieldValueInvalid", "Invalid value: \"net.core.somaxconn\": may not be specified when 'hostNetwork' is true"),
        (f"{sc}.sysctls[4].name", "FieldValueInvalid", "Invalid value: \"kernel/shm_rmid_forced\": may not be specified when 'hostIPC' is true"),
        (f"{sc}.fsGroupChangePolicy", "FieldValueNotSupported", 'Unsupported value: "Never": supported values: "Always", "OnRootMismatch"'),
        (f"{sc}.seccompProfile.localhostProfile", "FieldValueInvalid",
         'Invalid value: {"Type":"RuntimeDefault","LocalhostProfile":"p.json"}: can only be set when seccomp type is Localhost'),
        (f"{sc}.appArmorProfile.localhostProfile", "FieldValueRequired", "Required value: must be set when AppArmor type is Localhost"),
        (f"{sc}.supplementalGroupsPolicy", "FieldValueNotSupported", 'Unsupported value: "Loose": supported values: "Merge", "Strict"')]
    assert pod_causes(securityContext={"seccompProfile": {}, "appArmorProfile": {"type": "Custom"}}) == [
        (f"{sc}.seccompProfile.type", "FieldValueRequired", "Required value: type is required when seccompProfile is set"),
        (f"{sc}.appArmorProfile.type", "FieldValueNotSupported",
         'Unsupported value: "Custom": supported values: "Localhost", "RuntimeDefault", "Unconfined"')]
    assert pod_causes(securityContext={"seccompProfile": {"type": "Localhost", "localhostProfile": "/etc/p.json"},
                                       "appArmorProfile": {"type": "Localhost", "localhostProfile": " p "}}) == [
        (f"{sc}.seccompProfile.localhostProfile", "FieldValueInvalid", 'Invalid value: "/etc/p.json": must be a relative path'),
        (f"{sc}.appArmorProfile.localhostProfile", "FieldValueInvalid", 'Invalid value: " p ": must not be padded with whitespace')]


def test_container_security_context() -> None:
    # privileged is allowed (kube-apiserver --allow-privileged=true, as clusters run); capability
    # names, runAsNonRoot with runAsUser 0 and seLinuxOptions are not kube-apiserver's to check
    assert pod_causes(containers=[container(securityContext={
        "privileged": True, "runAsNonRoot": True, "runAsUser": 0, "readOnlyRootFilesystem": True,
        "capabilities": {"add": ["NET_ADMIN", "not a cap"], "drop": ["ALL"]}, "seLinuxOptions": {"type": "spc_t"},
        "procMount": "Default", "seccompProfile": {"type": "RuntimeDefault"}, "appArmorProfile": {"type": "Unconfined"},
        "windowsOptions": {"gmsaCredentialSpecName": "webapp", "runAsUserName": "NT AUTHORITY\\NETWORK SERVICE"}})]) == []
    internal = ('{"Capabilities":{"Add":["CAP_SYS_ADMIN"],"Drop":null},"Privileged":true,"SELinuxOptions":'
                '{"User":"","Role":"","Type":"spc_t","Level":""},"WindowsOptions":null,"RunAsUser":-1,"RunAsGroup":null,'
                '"RunAsNonRoot":null,"ReadOnlyRootFilesystem":null,"AllowPrivilegeEscalation":false,"ProcMount":"Unmasked",'
                '"SeccompProfile":{"Type":"Localhost","LocalhostProfile":null},"AppArmorProfile":null}')
    here = "spec.initContainers[0].securityContext"
    assert pod_causes(initContainers=[container(securityContext={
        "privileged": True, "runAsUser": -1, "procMount": "Unmasked", "seccompProfile": {"type": "Localhost"},
        "allowPrivilegeEscalation": False, "capabilities": {"add": ["CAP_SYS_ADMIN"]}, "seLinuxOptions": {"type": "spc_t"}})],
        containers=[container(name="d", securityContext={"runAsGroup": 2**31, "procMount": "Masked", "appArmorProfile": {
            "type": "Default"}, "windowsOptions": {"gmsaCredentialSpec": "", "runAsUserName": ".bad\\us<er"}})]) == [
        ("spec.containers[0].securityContext.runAsGroup", "FieldValueInvalid",
         "Invalid value: 2147483648: must be between 0 and 2147483647, inclusive"),
        ("spec.containers[0].securityContext.procMount", "FieldValueNotSupported",
         'Unsupported value: "Masked": supported values: "Default", "Unmasked"'),
        ("spec.containers[0].securityContext.windowsOptions.gmsaCredentialSpec", "FieldValueInvalid",
         'Invalid value: "": gmsaCredentialSpec cannot be an empty string'),
        ("spec.containers[0].securityContext.windowsOptions.runAsUserName", "FieldValueInvalid",
         'Invalid value: ".bad\\\\us\\u003cer": runAsUserName\'s Domain doesn\'t match the NetBios nor the DNS format'),
        ("spec.containers[0].securityContext.windowsOptions.runAsUserName", "FieldValueInvalid",
         'Invalid value: ".bad\\\\us\\u003cer": runAsUserName\'s User cannot contain the following characters: "/\\:;|=,+*?<>@[]'),
        ("spec.containers[0].securityContext.appArmorProfile.type", "FieldValueNotSupported",
         'Unsupported value: "Default": supported values: "Localhost", "RuntimeDefault", "Unconfined"'),
        (f"{here}.runAsUser", "FieldValueInvalid", "Invalid value: -1: must be between 0 and 2147483647, inclusive"),
        (f"{here}.procMount", "FieldValueInvalid", 'Invalid value: "Unmasked": `hostUsers` must be false to use `Unmasked`'),
        (f"{here}.seccompProfile.localhostProfile", "FieldValueRequired",
         "Required value: must be set when seccomp type is Localhost"),
        (here, "FieldValueInvalid",
         f"Invalid value: {internal}: cannot set `allowPrivilegeEscalation` to false and `privileged` to true"),
        (here, "FieldValueInvalid",
         f"Invalid value: {internal}: cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN")]
    # Unmasked needs the pod's own user namespace, which shares no other namespace with the host
    assert pod_causes(hostUsers=False, hostPID=True, hostIPC=True, containers=[container(securityContext={"procMount": "Unmasked"})]) == [
        ("spec.HostPID", "FieldValueForbidden", "Forbidden: when `pod.Spec.HostUsers` is false"),
        ("spec.HostIPC", "FieldValueForbidden", "Forbidden: when `pod.Spec.HostUsers` is false")]
    # Windows host-process containers: all or none, on the host network; the pod's setting is inherited
    assert pod_causes(securityContext={"windowsOptions": {"hostProcess": True, "runAsUserName": ""}},
                      containers=[container(), container(name="d", securityContext={"windowsOptions": {"hostProcess": False}})]) == [
        ("spec.securityContext.windowsOptions.runAsUserName", "FieldValueInvalid",
         'Invalid value: "": runAsUserName cannot be an empty string'),
        ("spec.containers[1].securityContext.windowsOptions.hostProcess", "FieldValueInvalid",
         "Invalid value: false: pod hostProcess value must be identical if both are specified, was true"),
        ("spec", "FieldValueInvalid",
         'Invalid value: "": If pod contains any hostProcess containers then all containers must be HostProcess containers'),
        ("spec.hostNetwork", "FieldValueInvalid",
         "Invalid value: false: hostNetwork must be true if pod contains any hostProcess containers")]


def test_template_metadata() -> None:
    """ValidatePodTemplateSpec checks the template's labels and annotations first, at
    <template>.labels and <template>.annotations (no "metadata" in kube's path)."""
    template = {"metadata": {"labels": {"app": "a", "tier": "front end", "Bad Key": "x"},
                             "annotations": {"Example.COM/ok": "x", "bad key": "y"}},
                "spec": {"containers": [container()]}}
    got = causes("apps", "deployments", {"metadata": {"name": "d"}, "spec": {
        "selector": {"matchLabels": {"app": "a"}}, "template": template}})
    assert got == [
        ("spec.template.labels", "FieldValueInvalid", f'Invalid value: "Bad Key": name part {KEY_RULE}'),
        ("spec.template.labels", "FieldValueInvalid", f'Invalid value: "front end": {VALUE_RULE}'),
        ("spec.template.annotations", "FieldValueInvalid", f'Invalid value: "bad key": name part {KEY_RULE}')]
    assert causes("", "podtemplates", {"metadata": {"name": "t"}, "template": {
        "metadata": {"labels": {"a": "b/c"}}, "spec": {"containers": [container()]}}}) == [
        ("template.labels", "FieldValueInvalid", f'Invalid value: "b/c": {VALUE_RULE}')]


BAD_SPEC = {"containers": [{"name": "web", "image": "i:1"}, {"name": "web", "image": "i:1"}], "restartPolicy": "Never"}


@pytest.mark.parametrize("group,resource,body,path", [
    pytest.param("", "podtemplates", {"template": {"spec": BAD_SPEC}}, "template.spec", id="podtemplate"),
    pytest.param("", "replicationcontrollers", {"spec": {"selector": {"a": "b"}, "template": {
        "metadata": {"labels": {"a": "b"}}, "spec": BAD_SPEC}}}, "spec.template.spec", id="replicationcontroller"),
    pytest.param("apps", "daemonsets", {"spec": {"selector": {"matchLabels": {"a": "b"}}, "template": {
        "metadata": {"labels": {"a": "b"}}, "spec": BAD_SPEC}}}, "spec.template.spec", id="daemonset"),
    pytest.param("apps", "statefulsets", {"spec": {"selector": {"matchLabels": {"a": "b"}}, "template": {
        "metadata": {"labels": {"a": "b"}}, "spec": BAD_SPEC}}}, "spec.template.spec", id="statefulset"),
    pytest.param("apps", "replicasets", {"spec": {"selector": {"matchLabels": {"a": "b"}}, "template": {
        "metadata": {"labels": {"a": "b"}}, "spec": BAD_SPEC}}}, "spec.template.spec", id="replicaset"),
    pytest.param("batch", "jobs", {"spec": {"template": {"spec": BAD_SPEC}}}, "spec.template.spec", id="job"),
    pytest.param("batch", "cronjobs", {"spec": {"schedule": "* * * * *", "jobTemplate": {"spec": {"template": {"spec": BAD_SPEC}}}}},
                 "spec.jobTemplate.spec.template.spec", id="cronjob"),
])
def test_every_template_is_a_pod_spec(group: str, resource: str, body: dict[str, Any], path: str) -> None:
    got = causes(group, resource, {"metadata": {"name": "x", "uid": "u"}, **json.loads(json.dumps(body))})
    assert (f"{path}.containers[1].name", "FieldValueDuplicate", 'Duplicate value: "web"') in got
    body = json.loads(json.dumps(body))
    spec = body.get("template") or body["spec"].get("template") or body["spec"]["jobTemplate"]["spec"]["template"]
    spec["spec"]["ephemeralContainers"] = [{"name": "debug", "image": "busybox"}]
    got = causes(group, resource, {"metadata": {"name": "x", "uid": "u"}, **body})
    assert (f"{path}.ephemeralContainers", "FieldValueForbidden", "Forbidden: ephemeral containers not allowed in pod template") in got


REALISTIC = """apiVersion: apps/v1
kind: Deployment
metadata: {name: shop}
spec:
  replicas: 2
  selector: {matchLabels: {app: shop}}
  template:
    metadata:
      labels: {app: shop, app.kubernetes.io/version: 1.4.2}
      annotations: {prometheus.io/scrape: "true", kubectl.kubernetes.io/default-container: web}
    spec:
      serviceAccountName: shop
      nodeSelector: {kubernetes.io/os: linux}
      affinity:
        nodeAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            nodeSelectorTerms:
            - matchExpressions: [{key: kubernetes.io/arch, operator: In, values: [amd64, arm64]}]
            - matchFields: [{key: metadata.name, operator: NotIn, values: [node-7]}]
          preferredDuringSchedulingIgnoredDuringExecution:
          - {weight: 50, preference: {matchExpressions: [{key: node.example.com/cores, operator: Gt, values: ["8"]}]}}
        podAffinity:
          preferredDuringSchedulingIgnoredDuringExecution:
          - weight: 100
            podAffinityTerm:
              labelSelector: {matchLabels: {app: cache}}
              namespaceSelector: {}
              topologyKey: kubernetes.io/hostname
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
          - labelSelector: {matchExpressions: [{key: app, operator: In, values: [shop]}]}
            topologyKey: kubernetes.io/hostname
            namespaces: [default]
            matchLabelKeys: [pod-template-hash]
      topologySpreadConstraints:
      - {maxSkew: 1, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: DoNotSchedule, minDomains: 2,
         labelSelector: {matchLabels: {app: shop}}, matchLabelKeys: [pod-template-hash], nodeTaintsPolicy: Honor}
      - {maxSkew: 2, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: ScheduleAnyway, labelSelector: {matchLabels: {app: shop}}}
      tolerations: [{key: dedicated, operator: Equal, value: shop, effect: NoSchedule},
                    {operator: Exists, effect: NoExecute, tolerationSeconds: 300}]
      securityContext:
        runAsNonRoot: true
        runAsUser: 1000
        runAsGroup: 3000
        fsGroup: 2000
        fsGroupChangePolicy: OnRootMismatch
        supplementalGroups: [4000]
        seccompProfile: {type: RuntimeDefault}
        appArmorProfile: {type: Localhost, localhostProfile: k8s-shop}
        sysctls: [{name: net.ipv4.ip_local_port_range, value: "1024 65000"}, {name: kernel.shm_rmid_forced, value: "1"}]
      volumes:
      - {name: config, configMap: {name: shop-config, items: [{key: app.yaml, path: conf/app.yaml}]}}
      - {name: tls, secret: {secretName: shop-tls, defaultMode: 0400}}
      - {name: cache, emptyDir: {sizeLimit: 1Gi}}
      - name: info
        downwardAPI: {items: [{path: labels, fieldRef: {fieldPath: metadata.labels}}]}
      initContainers:
      - name: migrate
        image: registry.example.com/shop:1.4.2
        command: [/app/migrate]
        envFrom: [{secretRef: {name: shop-db}, prefix: DB_}]
        volumeMounts: [{name: config, mountPath: /etc/shop}]
      - name: proxy
        image: envoyproxy/envoy:v1.30.1
        restartPolicy: Always
        ports: [{name: admin, containerPort: 9901}]
        readinessProbe: {tcpSocket: {port: admin}}
        securityContext: {privileged: true, capabilities: {add: [NET_ADMIN, SYS_TIME]}}
      containers:
      - name: web
        image: registry.example.com/shop:1.4.2
        ports: [{name: http, containerPort: 8080}, {name: metrics, containerPort: 9090}]
        env:
        - {name: LOG_LEVEL, value: info}
        - {name: POD_NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
        - {name: APP_TEAM, valueFrom: {fieldRef: {fieldPath: "metadata.labels['app']"}}}
        - {name: CPU_LIMIT, valueFrom: {resourceFieldRef: {resource: limits.cpu, divisor: 1m}}}
        - {name: DB_PASSWORD, valueFrom: {secretKeyRef: {name: shop-db, key: password}}}
        - {name: FEATURE_FLAGS, valueFrom: {configMapKeyRef: {name: shop-config, key: flags, optional: true}}}
        resources:
          requests: {cpu: 250m, memory: 256Mi, ephemeral-storage: 1Gi}
          limits: {cpu: "1", memory: 512Mi, example.com/dongle: "1"}
        livenessProbe: {httpGet: {path: /healthz, port: http}, initialDelaySeconds: 10}
        readinessProbe: {httpGet: {path: /ready, port: 8080, httpHeaders: [{name: X-Probe, value: "1"}]}}
        startupProbe: {exec: {command: [cat, /tmp/started]}, failureThreshold: 30}
        lifecycle: {preStop: {sleep: {seconds: 5}}}
        securityContext:
          runAsUser: 1000
          runAsGroup: 3000
          runAsNonRoot: true
          allowPrivilegeEscalation: false
          readOnlyRootFilesystem: true
          privileged: false
          procMount: Default
          capabilities: {add: [NET_BIND_SERVICE], drop: [ALL]}
          seccompProfile: {type: Localhost, localhostProfile: profiles/shop.json}
          appArmorProfile: {type: RuntimeDefault}
          seLinuxOptions: {level: "s0:c123,c456", type: container_t}
        volumeMounts:
        - {name: config, mountPath: /etc/shop, readOnly: true}
        - {name: tls, mountPath: /etc/tls}
        - {name: cache, mountPath: /var/cache/shop, subPath: web}
        - {name: info, mountPath: /etc/podinfo}
"""


def test_a_realistic_deployment_and_pod_pass(vapi: VapiProcess, namespace: str) -> None:
    out = vapi.kubectl("-n", namespace, "apply", "-f", "-", input=REALISTIC)
    assert out.stdout.strip() == "deployment.apps/shop created"
    as_pod = REALISTIC.replace("apps/v1\nkind: Deployment", "v1\nkind: Pod")
    pod_manifest = "apiVersion: v1\nkind: Pod\nmetadata: {name: shop}\nspec:" + as_pod.split("    spec:", 1)[1].replace("\n    ", "\n")
    out = vapi.kubectl("-n", namespace, "apply", "-f", "-", input=pod_manifest)
    assert out.stdout.strip() == "pod/shop created"


def test_kubectl_prints_kube_refusals(vapi: VapiProcess, namespace: str) -> None:
    deployment = ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  selector: {matchLabels: {app: a}}\n"
                  "  template:\n    metadata: {labels: {app: a}}\n    spec:\n      containers:\n"
                  "      - {name: web, image: nginx}\n      - {name: web, image: nginx}\n")
    assert kubectl_refusal(vapi, namespace, deployment, "deployments") == (
        'The Deployment "d" is invalid: spec.template.spec.containers[1].name: Duplicate value: "web"')
    bad_pod = ("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: i\n"
               "    volumeMounts: [{name: data, mountPath: /data}]\n    resources: {requests: {cpu: '2'}, limits: {cpu: '1'}}\n")
    assert kubectl_refusal(vapi, namespace, bad_pod, "pods") == (
        'The Pod "p" is invalid: \n* spec.containers[0].volumeMounts[0].name: Not found: "data"\n'
        '* spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1')
    code, _, body = vapi.request("POST", f"/clusters/root/api/v1/namespaces/{namespace}/pods",
                                 json.dumps(pod(containers=[container(env=[{"name": "A=B"}])])).encode(),
                                 headers={"Content-Type": "application/json"})
    status = json.loads(body)
    assert (code, status["reason"], status["details"]["causes"]) == (422, "Invalid", [
        {"reason": "FieldValueInvalid", "field": "spec.containers[0].env[0].name",
         "message": 'Invalid value: "A=B": ' + podrules.ENV_NAME_MESSAGE}])
    assert status["message"] == 'Pod "p" is invalid: spec.containers[0].env[0].name: Invalid value: "A=B": ' + podrules.ENV_NAME_MESSAGE


def test_kubectl_prints_scheduling_security_and_template_refusals(vapi: VapiProcess, namespace: str) -> None:
    deployment = ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: spread}\nspec:\n  selector: {matchLabels: {app: a}}\n"
                  "  template:\n    metadata: {labels: {app: a, tier: front end}}\n    spec:\n"
                  "      containers: [{name: web, image: nginx}]\n"
                  "      securityContext: {runAsUser: -1, seccompProfile: {type: Custom}}\n"
                  "      affinity: {podAntiAffinity: {requiredDuringSchedulingIgnoredDuringExecution: [{labelSelector: {}, topologyKey: ''}]}}\n"
                  "      topologySpreadConstraints: [{maxSkew: 0, topologyKey: zone, whenUnsatisfiable: DoNotSchedule}]\n")
    term = "spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey"
    assert kubectl_refusal(vapi, namespace, deployment, "deployments") == (
        'The Deployment "spread" is invalid: \n'
        f'* spec.template.labels: Invalid value: "front end": {VALUE_RULE}\n'
        "* spec.template.spec.securityContext.runAsUser: Invalid value: -1: must be between 0 and 2147483647, inclusive\n"
        '* spec.template.spec.securityContext.seccompProfile.type: Unsupported value: "Custom": '
        'supported values: "Localhost", "RuntimeDefault", "Unconfined"\n'
        f"* {term}: Required value: can not be empty\n"
        f'* {term}: Invalid value: "": name part must be non-empty\n'
        f'* {term}: Invalid value: "": name part {KEY_RULE}\n'
        "* spec.template.spec.topologySpreadConstraints[0].maxSkew: Invalid value: 0: must be greater than zero")


def test_kubectl_prints_container_security_context_refusals(vapi: VapiProcess, namespace: str) -> None:
    bad_pod = ("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: i\n"
               "    securityContext: {privileged: true, allowPrivilegeEscalation: false, procMount: Masked}\n")
    internal = ('{"Capabilities":null,"Privileged":true,"SELinuxOptions":null,"WindowsOptions":null,"RunAsUser":null,'
                '"RunAsGroup":null,"RunAsNonRoot":null,"ReadOnlyRootFilesystem":null,"AllowPrivilegeEscalation":false,'
                '"ProcMount":"Masked","SeccompProfile":null,"AppArmorProfile":null}')
    assert kubectl_refusal(vapi, namespace, bad_pod, "pods") == (
        'The Pod "p" is invalid: \n'
        '* spec.containers[0].securityContext.procMount: Unsupported value: "Masked": supported values: "Default", "Unmasked"\n'
        f"* spec.containers[0].securityContext: Invalid value: {internal}: "
        "cannot set `allowPrivilegeEscalation` to false and `privileged` to true")
