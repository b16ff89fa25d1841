"""Realistic valid objects of every built-in kind with rules of its own, and a CRD with
several versions and a custom resource of it, for tests/test_fuzz_kinds.py to break at random.
Cluster-scoped names end in NS, replaced by the test's namespace."""

from __future__ import annotations

import copy
from typing import Any

import yaml

from tests import test_networkingrules, test_podrules, test_rbacrules, test_storagerules

Obj = dict[str, Any]

_DEPLOYMENT = yaml.safe_load(test_podrules.REALISTIC)
TEMPLATE: Obj = _DEPLOYMENT["spec"]["template"]
SELECTOR: Obj = {"matchLabels": {"app": "shop"}}


def _with_template(kind: str, api: str, spec: Obj, name: str = "shop") -> Obj:
    return {"apiVersion": api, "kind": kind, "metadata": {"name": name, "labels": {"app": "shop"}},
            "spec": {**spec, "template": copy.deepcopy(TEMPLATE)}}


def _job_template() -> Obj:
    template = copy.deepcopy(TEMPLATE)
    template["spec"]["restartPolicy"] = "Never"
    return template


_MORE = """\
apiVersion: v1
kind: Service
metadata: {name: shop}
spec:
  type: NodePort
  selector: {app: shop}
  sessionAffinity: ClientIP
  sessionAffinityConfig: {clientIP: {timeoutSeconds: 600}}
  externalTrafficPolicy: Local
  ipFamilyPolicy: SingleStack
  ports:
  - {name: http, port: 80, targetPort: http, protocol: TCP, nodePort: 30080}
  - {name: metrics, port: 9090, targetPort: 9090, appProtocol: http}
---
apiVersion: v1
kind: Service
metadata: {name: external}
spec: {type: ExternalName, externalName: db.example.com}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: shop}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: shop}
  minReplicas: 2
  maxReplicas: 10
  metrics:
  - type: Resource
    resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}
  - type: Pods
    pods: {metric: {name: requests_per_second}, target: {type: AverageValue, averageValue: "100"}}
  - type: Object
    object:
      metric: {name: hits, selector: {matchLabels: {app: shop}}}
      describedObject: {apiVersion: networking.k8s.io/v1, kind: Ingress, name: shop}
      target: {type: Value, value: 2k}
  - type: External
    external: {metric: {name: queue_depth}, target: {type: AverageValue, averageValue: "30"}}
  - type: ContainerResource
    containerResource: {name: memory, container: web, target: {type: AverageValue, averageValue: 500Mi}}
  behavior:
    scaleDown:
      stabilizationWindowSeconds: 300
      selectPolicy: Min
      policies: [{type: Percent, value: 10, periodSeconds: 60}, {type: Pods, value: 2, periodSeconds: 60}]
    scaleUp: {policies: [{type: Pods, value: 4, periodSeconds: 15}], tolerance: 0.05}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: shop}
spec: {minAvailable: 50%, selector: {matchExpressions: [{key: app, operator: In, values: [shop]}]}, unhealthyPodEvictionPolicy: AlwaysAllow}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: shop-max}
spec: {maxUnavailable: 1, selector: {matchLabels: {app: shop}}}
---
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: high-NS}
value: 1000000
preemptionPolicy: Never
description: shop tier
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: viewer-NS}
rules:
- {apiGroups: [""], resources: [pods, pods/log], verbs: [get, list]}
- {nonResourceURLs: [/healthz, "/metrics/*"], verbs: [get]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: aggregate-NS}
aggregationRule:
  clusterRoleSelectors: [{matchLabels: {rbac.example.com/aggregate: "true"}}, {matchExpressions: [{key: tier, operator: Exists}]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: viewer-NS}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: viewer-NS}
subjects:
- {kind: ServiceAccount, name: ci, namespace: default}
- {kind: Group, name: "system:authenticated", apiGroup: rbac.authorization.k8s.io}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.fuzz-NS.example.com}
spec:
  names: {plural: widgets, singular: widget, kind: Widget, listKind: WidgetList, shortNames: [wg], categories: [all]}
  group: fuzz-NS.example.com
  scope: Namespaced
  versions:
  - name: v1
    storage: true
    served: true
    subresources:
      status: {}
      scale: {specReplicasPath: .spec.replicas, statusReplicasPath: .status.replicas, labelSelectorPath: .status.selector}
    additionalPrinterColumns:
    - {name: Size, type: integer, jsonPath: .spec.size}
    - {name: Color, type: string, jsonPath: .spec.color, priority: 1, description: the color}
    - {name: Age, type: date, jsonPath: .metadata.creationTimestamp}
    selectableFields: [{jsonPath: .spec.color}]
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: gadgets.fuzz-NS.example.com}
spec:
  group: fuzz-NS.example.com
  scope: Cluster
  names: {plural: gadgets, kind: Gadget}
  versions:
  - {name: v1beta1, served: true, storage: false, deprecated: true, deprecationWarning: use v1,
     schema: {openAPIV3Schema: {type: object, properties: {spec: {type: object, properties: {mode: {type: string}, count: {type: integer}}}}}},
     additionalPrinterColumns: [{name: Mode, type: string, jsonPath: .spec.mode}], selectableFields: [{jsonPath: .spec.mode}]}
  - name: v1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, properties: {
      spec: {type: object, properties: {mode: {type: string, maxLength: 10}, count: {type: integer, format: int64},
                                        nested: {type: object, additionalProperties: {type: string}}}},
      status: {type: object, x-kubernetes-preserve-unknown-fields: true}}}}
    subresources: {status: {}}
    additionalPrinterColumns: [{name: Mode, type: string, jsonPath: .spec.mode}, {name: Count, type: number, jsonPath: .spec.count, format: float}]
    selectableFields: [{jsonPath: .spec.mode}, {jsonPath: .spec.count}]
  conversion: {strategy: None}
"""

_WIDGET_SCHEMA = """\
type: object
required: [spec]
properties:
  spec:
    type: object
    required: [size]
    properties:
      size: {type: integer, minimum: 1, maximum: 100, default: 3}
      color: {type: string, enum: [red, green, blue]}
      replicas: {type: integer}
      tags: {type: array, items: {type: string}, maxItems: 5, x-kubernetes-list-type: set}
      ports:
        type: array
        x-kubernetes-list-type: map
        x-kubernetes-list-map-keys: [name]
        items: {type: object, required: [name], properties: {name: {type: string}, port: {type: integer, format: int32}}}
      extra: {type: object, x-kubernetes-preserve-unknown-fields: true}
      quota: {x-kubernetes-int-or-string: true, pattern: "^[0-9]+%?$"}
    x-kubernetes-validations:
    - {rule: "self.size <= 50 || has(self.color)", message: big widgets need a color}
  status: {type: object, properties: {replicas: {type: integer}, selector: {type: string}}}
"""

WIDGET: Obj = {"apiVersion": "fuzz-NS.example.com/v1", "kind": "Widget", "metadata": {"name": "w", "labels": {"app": "shop"}},
               "spec": {"size": 5, "color": "red", "replicas": 2, "tags": ["a", "b"], "ports": [{"name": "http", "port": 80}],
                        "extra": {"anything": [1, {"x": None}]}, "quota": "50%"}}
GADGET: Obj = {"apiVersion": "fuzz-NS.example.com/v1", "kind": "Gadget", "metadata": {"name": "g-NS"},
               "spec": {"mode": "fast", "count": 3, "nested": {"a": "b"}}}


def _documents() -> list[Obj]:
    out = [o for o in yaml.safe_load_all(_MORE) if o]
    for o in out:
        if o["kind"] == "CustomResourceDefinition" and o["spec"]["names"]["kind"] == "Widget":
            o["spec"]["versions"][0]["schema"] = {"openAPIV3Schema": yaml.safe_load(_WIDGET_SCHEMA)}
    return out


def crds() -> list[Obj]:
    """The CRDs the custom resources need: created once, never broken."""
    return [o for o in _documents() if o["kind"] == "CustomResourceDefinition"]


def _renamed(crd: Obj) -> Obj:
    """A copy of a CRD under other names, to break without losing the custom resources' CRD."""
    out = copy.deepcopy(crd)
    names = out["spec"]["names"]
    names.update(plural="fuzz" + names["plural"], kind="Fuzz" + names["kind"])
    names.pop("singular", None), names.pop("listKind", None), names.pop("shortNames", None)
    out["metadata"]["name"] = f"{names['plural']}.{out['spec']['group']}"
    return out


def objects() -> list[Obj]:
    """Every object to break (CRDs under other names than crds())."""
    out: list[Obj] = [copy.deepcopy(_DEPLOYMENT)]
    pod = copy.deepcopy(_DEPLOYMENT["spec"]["template"])
    out.append({"apiVersion": "v1", "kind": "Pod", **pod, "metadata": {"name": "shop", **pod["metadata"]}})
    out.append(_with_template("ReplicaSet", "apps/v1", {"replicas": 1, "minReadySeconds": 5, "selector": SELECTOR}))
    out.append(_with_template("StatefulSet", "apps/v1", {
        "replicas": 3, "serviceName": "shop", "selector": SELECTOR, "podManagementPolicy": "Parallel",
        "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 1, "maxUnavailable": "25%"}},
        "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Delete", "whenScaled": "Retain"},
        "ordinals": {"start": 1}, "revisionHistoryLimit": 5,
        "volumeClaimTemplates": [{"metadata": {"name": "data"}, "spec": {
            "accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}]}))
    out.append(_with_template("DaemonSet", "apps/v1", {
        "selector": SELECTOR, "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": "10%"}}}))
    out.append({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "report"}, "spec": {
        "parallelism": 2, "completions": 4, "completionMode": "Indexed", "backoffLimitPerIndex": 1, "maxFailedIndexes": 2,
        "activeDeadlineSeconds": 600, "ttlSecondsAfterFinished": 100, "podReplacementPolicy": "Failed",
        "podFailurePolicy": {"rules": [{"action": "FailJob", "onExitCodes": {"containerName": "web", "operator": "In", "values": [42]}},
                                       {"action": "Ignore", "onPodConditions": [{"type": "DisruptionTarget", "status": "True"}]}]},
        "successPolicy": {"rules": [{"succeededIndexes": "0-2", "succeededCount": 2}]},
        "template": _job_template()}})
    out.append({"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "nightly"}, "spec": {
        "schedule": "30 2 * * 1-5", "timeZone": "Europe/Berlin", "concurrencyPolicy": "Forbid", "startingDeadlineSeconds": 60,
        "successfulJobsHistoryLimit": 3, "failedJobsHistoryLimit": 1, "suspend": False,
        "jobTemplate": {"metadata": {"labels": {"app": "shop"}}, "spec": {"backoffLimit": 2, "template": _job_template()}}}})
    for text in (test_networkingrules.REALISTIC, test_rbacrules.REALISTIC, test_storagerules.REALISTIC):
        out += [o for o in yaml.safe_load_all(text) if o]
    out += [o if o["kind"] != "CustomResourceDefinition" else _renamed(o) for o in _documents()]
    out += [copy.deepcopy(WIDGET), copy.deepcopy(GADGET)]
    return out


def named(obj: Obj, namespace: str) -> Obj:
    """The object with NS replaced by the namespace everywhere."""
    return yaml.safe_load(yaml.safe_dump(obj).replace("NS", namespace))  # type: ignore[no-any-return]
