"""`kubectl describe` across kinds, as against a real kube-apiserver with no controllers: each
describer's extra requests (events by involvedObject field selectors, pods by label selector
or node, replica sets of a deployment, endpoint slices of a service, quotas and limit ranges
of a namespace, the node's lease) succeed, nothing is printed on stderr, and the Events
section lists the events involving the object, written through core/v1 or events.k8s.io/v1
(one resource in kube-apiserver: vapi/eventversions.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import yaml

from tests.apiserver import VapiProcess
from vapi import eventversions

NS = "describe"

OBJECTS = """
apiVersion: v1
kind: Node
metadata: {name: describe-node, labels: {kubernetes.io/hostname: describe-node}}
spec: {podCIDR: 10.244.0.0/24, taints: [{key: dedicated, value: db, effect: NoSchedule}]}
---
apiVersion: v1
kind: Pod
metadata: {name: web-1, labels: {app: web}}
spec:
  nodeName: describe-node
  containers:
  - name: c
    image: nginx
    resources: {requests: {cpu: 100m, memory: 64Mi}, limits: {cpu: 200m, memory: 128Mi}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template: {metadata: {labels: {app: web}}, spec: {containers: [{name: c, image: nginx}]}}
---
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: web-rs}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template: {metadata: {labels: {app: web}}, spec: {containers: [{name: c, image: nginx}]}}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: db
  selector: {matchLabels: {app: db}}
  template: {metadata: {labels: {app: db}}, spec: {containers: [{name: c, image: postgres}]}}
  volumeClaimTemplates:
  - metadata: {name: data}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template: {metadata: {labels: {app: agent}}, spec: {containers: [{name: c, image: busybox}]}}
---
apiVersion: batch/v1
kind: Job
metadata: {name: once}
spec:
  template: {spec: {restartPolicy: Never, containers: [{name: c, image: busybox}]}}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly}
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template: {spec: {restartPolicy: OnFailure, containers: [{name: c, image: busybox}]}}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: web-x1, labels: {kubernetes.io/service-name: web}}
addressType: IPv4
endpoints: [{addresses: [10.0.0.7], conditions: {ready: true}}]
ports: [{port: 8080, protocol: TCP, name: ""}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web}
spec:
  rules:
  - host: shop.example.com
    http:
      paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {mode: fast}
---
apiVersion: v1
kind: Secret
metadata: {name: creds}
stringData: {password: hunter2}
---
apiVersion: v1
kind: ResourceQuota
metadata: {name: pods}
spec: {hard: {pods: "10"}}
---
apiVersion: v1
kind: LimitRange
metadata: {name: cpu}
spec:
  limits: [{type: Container, default: {cpu: 500m}, defaultRequest: {cpu: 100m}, max: {cpu: "1"}, min: {cpu: 50m}}]
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}, storageClassName: describe-std}
---
apiVersion: v1
kind: PersistentVolume
metadata: {name: describe-pv}
spec: {capacity: {storage: 1Gi}, accessModes: [ReadWriteOnce], hostPath: {path: /data}, storageClassName: describe-std}
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: describe-std}
provisioner: example.com/disks
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: builder}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: reader}
rules: [{apiGroups: [""], resources: [pods], verbs: [get, list]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: reader}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
subjects: [{kind: ServiceAccount, name: builder, namespace: describe}]
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  maxReplicas: 5
  metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}}]
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web}
spec: {minAvailable: 1, selector: {matchLabels: {app: web}}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web}
spec: {podSelector: {matchLabels: {app: web}}, policyTypes: [Ingress], ingress: [{from: [{podSelector: {}}]}]}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: gadgets.describe.example.com}
spec:
  group: describe.example.com
  names: {kind: Gadget, plural: gadgets, singular: gadget}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
"""

GADGET = {"apiVersion": "describe.example.com/v1", "kind": "Gadget", "metadata": {"name": "g1"}, "spec": {"size": 3}}

# (kubectl resource, name, apiVersion, kind, namespaced, lines the description must hold)
KINDS = [
    ("pod", "web-1", "v1", "Pod", True, ["Node:             describe-node/", "QoS Class:        Burstable"]),
    ("deployment", "web", "apps/v1", "Deployment", True, ["Replicas:               2 desired | 0 updated",
                                                          "StrategyType:           RollingUpdate"]),
    ("replicaset", "web-rs", "apps/v1", "ReplicaSet", True, ["Pods Status:  0 Running / 0 Waiting"]),
    ("statefulset", "db", "apps/v1", "StatefulSet", True, ["Volume Claims:", "  Name:          data"]),
    ("daemonset", "agent", "apps/v1", "DaemonSet", True, ["Desired Number of Nodes Scheduled: 0"]),
    ("job", "once", "batch/v1", "Job", True, ["Completions:      1"]),
    ("cronjob", "nightly", "batch/v1", "CronJob", True, ["Schedule:                      0 3 * * *"]),
    ("service", "web", "v1", "Service", True, ["Endpoints:                10.0.0.7:8080"]),
    ("ingress", "web", "networking.k8s.io/v1", "Ingress", True, ["  shop.example.com  ", "web:80 (10.0.0.7:8080)"]),
    ("configmap", "settings", "v1", "ConfigMap", True, ["mode:", "fast"]),
    ("node", "describe-node", "v1", "Node", False, ["Taints:             dedicated=db:NoSchedule",
                                                    "Non-terminated Pods:          (1 in total)"]),
    ("persistentvolumeclaim", "data", "v1", "PersistentVolumeClaim", True, ["StorageClass:  describe-std"]),
    ("persistentvolume", "describe-pv", "v1", "PersistentVolume", False, ["Reclaim Policy:  Retain"]),
    ("storageclass", "describe-std", "storage.k8s.io/v1", "StorageClass", False, ["Provisioner:           example.com/disks"]),
    ("serviceaccount", "builder", "v1", "ServiceAccount", True, ["Image pull secrets:  <none>"]),
    ("horizontalpodautoscaler", "web", "autoscaling/v2", "HorizontalPodAutoscaler", True,
     ["Reference:                                             Deployment/web"]),
    ("poddisruptionbudget", "web", "policy/v1", "PodDisruptionBudget", True, ["Min available:  1"]),
    ("customresourcedefinition", "gadgets.describe.example.com", "apiextensions.k8s.io/v1", "CustomResourceDefinition",
     False, ["  Group:  describe.example.com"]),
    ("gadget", "g1", "describe.example.com/v1", "Gadget", True, ["  Size:  3"]),
]


def squeezed(text: str) -> str:
    """Each line's words one space apart: describers align columns per object."""
    return "\n".join(" ".join(line.split()) for line in text.splitlines())


def _events(name: str, api_version: str, kind: str, uid: str, namespaced: bool) -> list[dict[str, object]]:
    """A core/v1 and an events.k8s.io/v1 event about one object, as a controller writes them."""
    ref = {"apiVersion": api_version, "kind": kind, "name": name, "uid": uid, **({"namespace": NS} if namespaced else {})}
    slug = f"{kind.lower()}-{name}"
    return [
        {"apiVersion": "v1", "kind": "Event", "metadata": {"name": f"core-{slug}", "namespace": NS},
         "involvedObject": ref, "reason": "CoreReason", "message": f"core about {name}", "type": "Normal",
         "count": 1, "firstTimestamp": "2026-01-01T00:00:00Z", "lastTimestamp": "2026-01-01T00:00:00Z",
         "source": {"component": "core-writer"}},
        {"apiVersion": "events.k8s.io/v1", "kind": "Event", "metadata": {"name": f"new-{slug}", "namespace": NS},
         "regarding": ref, "reason": "NewReason", "note": f"new about {name}", "type": "Warning", "action": "Check",
         "reportingController": "example.com/new-writer", "reportingInstance": "w-1",
         "eventTime": "2026-01-01T00:00:01.000000Z"},
    ]


@pytest.fixture(scope="module")
def described(vapi: VapiProcess) -> Iterator[VapiProcess]:
    """The namespace NS holding one object of each kind, each with its two events."""
    vapi.kubectl("create", "namespace", NS)
    vapi.kubectl("-n", NS, "apply", "-f", "-", input=OBJECTS)
    vapi.kubectl("wait", "--for=condition=Established", "crd/gadgets.describe.example.com")
    vapi.kubectl("-n", NS, "apply", "-f", "-", input=json.dumps(GADGET))
    events = []
    for resource, name, api_version, kind, namespaced, _ in KINDS:
        scope = ["-n", NS] if namespaced else []
        uid = vapi.kubectl(*scope, "get", resource, name, "-o", "jsonpath={.metadata.uid}").stdout
        events += _events(name, api_version, kind, uid, namespaced)
    vapi.kubectl("create", "-f", "-", input=yaml.safe_dump_all(events))
    yield vapi
    vapi.kubectl("delete", "namespace", NS, "--wait=false")
    vapi.kubectl("delete", "-f", "-", "--ignore-not-found", input=OBJECTS)


@pytest.mark.parametrize("resource,name,api_version,kind,namespaced,lines", [
    pytest.param(*kind, id=kind[0]) for kind in KINDS])
def test_describe_shows_the_object_and_events_of_both_apis(
    described: VapiProcess, resource: str, name: str, api_version: str, kind: str, namespaced: bool, lines: list[str],
) -> None:
    out = described.kubectl(*(["-n", NS] if namespaced else []), "describe", resource, name)
    assert out.stderr == ""
    for line in lines:
        assert squeezed(line) in squeezed(out.stdout), out.stdout
    events = out.stdout[out.stdout.index("\nEvents:"):].splitlines()
    rows = sorted(" ".join(row.split()[:2] + row.split()[3:]) for row in events[4:])
    assert rows == [f"Normal CoreReason core-writer core about {name}",
                    f"Warning NewReason example.com/new-writer new about {name}"], out.stdout


def test_describe_namespace_lists_quotas_and_limit_ranges(described: VapiProcess) -> None:
    out = described.kubectl("describe", "namespace", NS)
    assert out.stderr == ""
    assert "Resource Quotas\nName: pods\nResource Used Hard\n" in squeezed(out.stdout)
    assert "Container cpu 50m 1 100m 500m -" in squeezed(out.stdout)


@pytest.mark.parametrize("resource,name,line", [
    pytest.param("secret", "creds", "password:  7 bytes", id="secret"),
    pytest.param("role", "reader", "  pods       []                 []              [get list]", id="role"),
    pytest.param("rolebinding", "reader", "  ServiceAccount  builder  describe", id="rolebinding"),
    pytest.param("networkpolicy", "web", "  PodSelector:     app=web", id="networkpolicy"),
])
def test_describers_without_events(described: VapiProcess, resource: str, name: str, line: str) -> None:
    out = described.kubectl("-n", NS, "describe", resource, name)
    assert out.stderr == "" and squeezed(line) in squeezed(out.stdout), out.stdout
    assert "Events:" not in out.stdout


def test_describe_of_something_missing(described: VapiProcess) -> None:
    out = described.kubectl("-n", NS, "describe", "deployment", "absent", check=False)
    assert out.returncode == 1 and out.stdout == ""
    assert out.stderr == 'Error from server (NotFound): deployments.apps "absent" not found\n'


def test_an_event_is_one_object_in_both_apis(described: VapiProcess) -> None:
    """Written as events.k8s.io/v1, read as core/v1 and the other way round; changed and
    deleted through the other API."""
    core = json.loads(described.kubectl("-n", NS, "get", "events.v1.", "new-pod-web-1", "-o", "json").stdout)
    assert core["apiVersion"] == "v1"
    assert core["involvedObject"]["name"] == "web-1" and core["message"] == "new about web-1"
    assert core["reportingComponent"] == "example.com/new-writer" and core["source"] == {}
    assert core["firstTimestamp"] is None and "regarding" not in core
    new = json.loads(described.kubectl("-n", NS, "get", "events.v1.events.k8s.io", "core-pod-web-1", "-o", "json").stdout)
    assert new["apiVersion"] == "events.k8s.io/v1"
    assert new["regarding"]["name"] == "web-1" and new["note"] == "core about web-1"
    assert new["deprecatedSource"] == {"component": "core-writer"} and new["deprecatedCount"] == 1
    assert "reportingController" not in new and "involvedObject" not in new
    listed = described.kubectl("-n", NS, "get", "events.events.k8s.io", "--field-selector", "regarding.name=web-1",
                               "-o", "name").stdout.split()
    assert sorted(listed) == ["event.events.k8s.io/core-pod-web-1", "event.events.k8s.io/new-pod-web-1"]
    described.kubectl("-n", NS, "patch", "events.v1.events.k8s.io", "core-pod-web-1", "--type=merge",
                      "-p", '{"note": "changed"}')
    assert described.kubectl("-n", NS, "get", "events.v1.", "core-pod-web-1", "-o", "jsonpath={.message}").stdout == "changed"
    described.kubectl("-n", NS, "delete", "events.v1.", "new-pod-web-1")
    gone = described.kubectl("-n", NS, "get", "events.v1.events.k8s.io", "new-pod-web-1", check=False)
    assert 'events.events.k8s.io "new-pod-web-1" not found' in gone.stderr


@pytest.mark.parametrize("obj,api_version,want", [
    pytest.param({"apiVersion": "v1", "kind": "Event", "metadata": {}, "involvedObject": {"name": "x"}, "message": "m",
                  "source": {"component": "c"}, "count": 2, "reportingComponent": "", "reportingInstance": ""},
                 "events.k8s.io/v1",
                 {"apiVersion": "events.k8s.io/v1", "kind": "Event", "metadata": {}, "regarding": {"name": "x"},
                  "note": "m", "deprecatedSource": {"component": "c"}, "deprecatedCount": 2, "eventTime": None,
                  "deprecatedFirstTimestamp": None, "deprecatedLastTimestamp": None}, id="core-to-events"),
    pytest.param({"apiVersion": "events.k8s.io/v1", "kind": "Event", "metadata": {}, "regarding": {"name": "x"},
                  "note": "m", "reportingController": "r", "eventTime": "2026-01-01T00:00:00.000000Z"},
                 "v1",
                 {"apiVersion": "v1", "kind": "Event", "metadata": {}, "involvedObject": {"name": "x"}, "message": "m",
                  "reportingComponent": "r", "reportingInstance": "", "source": {}, "eventTime": "2026-01-01T00:00:00.000000Z",
                  "firstTimestamp": None, "lastTimestamp": None}, id="events-to-core"),
])
def test_event_conversion(obj: dict[str, object], api_version: str, want: dict[str, object]) -> None:
    assert eventversions.convert(obj, api_version) == want
