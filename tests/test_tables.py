"""Server-side Table output against kube-apiserver's printers (pkg/printers/internalversion/
printers.go) and default convertor (k8s.io/apiserver/pkg/registry/rest/table.go).

Pure cases call `tables.table` on hand-written objects and compare the cells kube prints;
the last tests read `kubectl get` of a real vapi server. Times are given relative to a
pinned now."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest

from tests.apiserver import VapiProcess
from vapi import tables

Obj = dict[str, Any]


# The pure cases are made when the module is collected and run minutes later in a full
# run: tables' "now" is pinned to the moment they were made.
NOW = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=500_000)  # timestamps below drop the fraction


@pytest.fixture(autouse=True)
def pinned_now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tables.cells, "_now", lambda: NOW)


def ago(seconds: int) -> str:
    t = NOW - datetime.timedelta(seconds=seconds)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


TEN_MINUTES = ago(600)
THREE_HOURS = ago(3 * 3600)


def cells(group: str, resource: str, obj: Obj, custom: list[Obj] | None = None) -> dict[str, Any]:
    """Column name → cell of the one-row table kube would print for `obj`."""
    t = tables.table([obj], group, resource, "None", custom=custom)
    names = [c["name"] for c in t["columnDefinitions"]]
    assert len(t["rows"][0]["cells"]) == len(names)
    return dict(zip(names, t["rows"][0]["cells"]))


def meta(name: str = "x", **more: Any) -> Obj:
    return {"name": name, "creationTimestamp": TEN_MINUTES, **more}


def pod(*, status: Obj, spec: Obj | None = None, **metadata: Any) -> Obj:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta("p", **metadata),
            "spec": spec or {"containers": [{"name": "a", "image": "i"}]}, "status": status}


RUNNING = {"running": {"startedAt": TEN_MINUTES}}
TWO_INITS = {"initContainers": [{"name": "i1"}, {"name": "i2"}], "containers": [{"name": "a"}]}

POD_CASES = [
    pytest.param(pod(status={"phase": "Pending"}), {"Ready": "0/1", "Status": "Pending", "Restarts": "0"}, id="pending"),
    pytest.param(pod(status={"phase": "Pending", "conditions": [{"type": "PodScheduled", "status": "False", "reason": "SchedulingGated"}]}),
                 {"Status": "SchedulingGated"}, id="scheduling-gated"),
    pytest.param(pod(spec=TWO_INITS, status={"phase": "Pending", "initContainerStatuses": [
        {"name": "i1", "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}},
        {"name": "i2", "state": RUNNING}]}), {"Status": "Init:1/2", "Ready": "0/1"}, id="init-progress"),
    pytest.param(pod(spec=TWO_INITS, status={"phase": "Pending", "initContainerStatuses": [
        {"name": "i1", "state": {"waiting": {"reason": "ImagePullBackOff"}}, "restartCount": 2}]}),
        {"Status": "Init:ImagePullBackOff", "Restarts": "2"}, id="init-waiting"),
    pytest.param(pod(spec=TWO_INITS, status={"phase": "Pending", "initContainerStatuses": [
        {"name": "i1", "state": {"terminated": {"exitCode": 137, "signal": 9}}}]}), {"Status": "Init:Signal:9"}, id="init-signal"),
    pytest.param(pod(spec=TWO_INITS, status={"phase": "Pending", "initContainerStatuses": [
        {"name": "i1", "state": {"terminated": {"exitCode": 3}}}]}), {"Status": "Init:ExitCode:3"}, id="init-exit-code"),
    pytest.param(pod(status={"phase": "Running", "containerStatuses": [
        {"name": "a", "ready": False, "restartCount": 4, "state": {"waiting": {"reason": "CrashLoopBackOff"}},
         "lastState": {"terminated": {"exitCode": 1, "finishedAt": TEN_MINUTES}}}]}),
        {"Ready": "0/1", "Status": "CrashLoopBackOff", "Restarts": "4 (10m ago)"}, id="crash-loop"),
    pytest.param(pod(status={"phase": "Running", "containerStatuses": [
        {"name": "a", "ready": False, "restartCount": 1, "state": {"terminated": {"exitCode": 137, "reason": "OOMKilled"}}}]}),
        {"Status": "OOMKilled", "Restarts": "1"}, id="oom-killed-no-finish-time"),
    pytest.param(pod(status={"phase": "Running", "containerStatuses": [
        {"name": "a", "ready": True, "state": {"waiting": {}}}]}), {"Ready": "0/1", "Status": "Running"}, id="ready-needs-running"),
    pytest.param(pod(spec={"containers": [{"name": "a"}, {"name": "b"}]}, status={
        "phase": "Running", "conditions": [{"type": "Ready", "status": "True"}], "containerStatuses": [
            {"name": "a", "ready": True, "state": RUNNING},
            {"name": "b", "ready": False, "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}}]}),
        {"Ready": "1/2", "Status": "Running"}, id="completed-but-running-ready"),
    pytest.param(pod(spec={"containers": [{"name": "a"}, {"name": "b"}]}, status={
        "phase": "Running", "containerStatuses": [
            {"name": "a", "ready": True, "state": RUNNING},
            {"name": "b", "ready": False, "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}}]}),
        {"Status": "NotReady"}, id="completed-but-running-not-ready"),
    pytest.param(pod(spec={"initContainers": [{"name": "proxy", "restartPolicy": "Always"}], "containers": [{"name": "a"}]}, status={
        "phase": "Running", "conditions": [{"type": "Initialized", "status": "True"}],
        "initContainerStatuses": [{"name": "proxy", "started": True, "ready": True, "restartCount": 2, "state": RUNNING,
                                   "lastState": {"terminated": {"exitCode": 1, "finishedAt": THREE_HOURS}}}],
        "containerStatuses": [{"name": "a", "ready": True, "restartCount": 1, "state": RUNNING,
                               "lastState": {"terminated": {"exitCode": 1, "finishedAt": TEN_MINUTES}}}]}),
        {"Ready": "2/2", "Status": "Running", "Restarts": "3 (10m ago)"}, id="sidecar"),
    pytest.param(pod(status={"phase": "Running", "containerStatuses": [{"name": "a", "ready": True, "state": RUNNING}]},
                     deletionTimestamp=TEN_MINUTES), {"Ready": "1/1", "Status": "Terminating"}, id="terminating"),
    pytest.param(pod(status={"phase": "Running", "reason": "NodeLost"}, deletionTimestamp=TEN_MINUTES),
                 {"Status": "Unknown"}, id="node-lost"),
    pytest.param(pod(status={"phase": "Succeeded", "containerStatuses": [
        {"name": "a", "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}}]}, deletionTimestamp=TEN_MINUTES),
        {"Status": "Completed"}, id="deleted-after-success"),
    pytest.param(pod(spec={"containers": [{"name": "a"}], "nodeName": "n1",
                           "readinessGates": [{"conditionType": "g1"}, {"conditionType": "g2"}]},
                     status={"phase": "Running", "podIPs": [{"ip": "10.0.0.7"}, {"ip": "fd00::7"}],
                             "conditions": [{"type": "g1", "status": "True"}, {"type": "g2", "status": "False"}]}),
                 {"IP": "10.0.0.7", "Node": "n1", "Nominated Node": "<none>", "Readiness Gates": "1/2", "Age": "10m"}, id="wide"),
]


@pytest.mark.parametrize(("obj", "expected"), POD_CASES)
def test_pod_cells(obj: Obj, expected: dict[str, Any]) -> None:
    got = cells("", "pods", obj)
    assert {k: got[k] for k in expected} == expected


def test_pod_rows_of_finished_pods_carry_the_completed_condition() -> None:
    done = tables.table([pod(status={"phase": "Succeeded"}), pod(status={"phase": "Running"})], "", "pods", "None")
    assert done["rows"][0]["conditions"] == [{"type": "Completed", "status": "True", "reason": "Succeeded",
                                              "message": "The pod has completed successfully."}]
    assert "conditions" not in done["rows"][1]


TEMPLATE = {"metadata": {"labels": {"app": "web"}},
            "spec": {"containers": [{"name": "c", "image": "nginx:1"}, {"name": "d", "image": "busybox"}]}}
EXPRESSIONS = {"matchLabels": {"app": "dep"}, "matchExpressions": [{"key": "env", "operator": "In", "values": ["stage", "prod"]},
                                                                   {"key": "canary", "operator": "DoesNotExist"}]}

CASES = [
    # workloads
    pytest.param("apps", "deployments", {"metadata": meta(), "spec": {"replicas": 3, "selector": EXPRESSIONS, "template": TEMPLATE},
                                         "status": {"readyReplicas": 2, "updatedReplicas": 3, "availableReplicas": 2}},
                 {"Ready": "2/3", "Up-to-date": 3, "Available": 2, "Containers": "c,d", "Images": "nginx:1,busybox",
                  "Selector": "app=dep,!canary,env in (prod,stage)"}, id="deployment"),
    pytest.param("apps", "replicasets", {"metadata": meta(), "spec": {"replicas": 2, "selector": {}, "template": TEMPLATE}},
                 {"Desired": 2, "Current": 0, "Ready": 0, "Selector": "<none>"}, id="replicaset-empty-selector"),
    pytest.param("apps", "replicasets", {"metadata": meta(), "spec": {"selector": {"matchExpressions": [{"key": "a", "operator": "Bogus"}]}}},
                 {"Selector": "<error>"}, id="replicaset-bad-selector"),
    pytest.param("apps", "daemonsets", {"metadata": meta(), "spec": {"selector": {"matchLabels": {"app": "ds"}},
                                                                     "template": {**TEMPLATE, "spec": {**TEMPLATE["spec"], "nodeSelector": {"os": "linux", "arch": "arm"}}}},
                                        "status": {"desiredNumberScheduled": 3, "currentNumberScheduled": 3, "numberReady": 2,
                                                   "updatedNumberScheduled": 3, "numberAvailable": 2}},
                 {"Desired": 3, "Ready": 2, "Node Selector": "arch=arm,os=linux", "Containers": "c,d", "Selector": "app=ds"}, id="daemonset"),
    pytest.param("apps", "statefulsets", {"metadata": meta(), "spec": {"replicas": 3, "template": TEMPLATE}, "status": {"readyReplicas": 1}},
                 {"Ready": "1/3", "Age": "10m", "Containers": "c,d", "Images": "nginx:1,busybox"}, id="statefulset"),
    pytest.param("", "replicationcontrollers", {"metadata": meta(), "spec": {"replicas": 2, "selector": {"app": "web"}, "template": TEMPLATE},
                                                "status": {"replicas": 2, "readyReplicas": 1}},
                 {"Desired": 2, "Current": 2, "Ready": 1, "Containers": "c,d", "Selector": "app=web"}, id="replicationcontroller"),
    pytest.param("", "podtemplates", {"metadata": meta(), "template": TEMPLATE},
                 {"Containers": "c,d", "Images": "nginx:1,busybox", "Pod Labels": "app=web"}, id="podtemplate"),
    pytest.param("apps", "controllerrevisions", {"metadata": meta(ownerReferences=[{"apiVersion": "apps/v1", "kind": "DaemonSet", "name": "ds", "controller": True}]),
                                                 "revision": 4}, {"Controller": "daemonset.apps/ds", "Revision": 4}, id="controllerrevision"),
    # jobs
    pytest.param("batch", "jobs", {"metadata": meta(), "spec": {"completions": 3, "template": TEMPLATE, "selector": {"matchLabels": {"job": "j"}}},
                                   "status": {"succeeded": 3, "startTime": "2024-01-01T00:00:00Z", "completionTime": "2024-01-01T00:01:30Z",
                                              "conditions": [{"type": "Complete", "status": "True"}]}},
                 {"Status": "Complete", "Completions": "3/3", "Duration": "90s", "Containers": "c,d", "Selector": "job=j"}, id="job-complete"),
    pytest.param("batch", "jobs", {"metadata": meta(), "spec": {"parallelism": 3}, "status": {"succeeded": 1, "startTime": TEN_MINUTES}},
                 {"Status": "Running", "Completions": "1/1 of 3", "Duration": "10m"}, id="job-running-parallel"),
    pytest.param("batch", "jobs", {"metadata": meta(), "spec": {}, "status": {"conditions": [{"type": "Suspended", "status": "True"}]}},
                 {"Status": "Suspended", "Completions": "0/1", "Duration": ""}, id="job-suspended"),
    pytest.param("batch", "jobs", {"metadata": meta(), "status": {"conditions": [{"type": "FailureTarget", "status": "True"}]}},
                 {"Status": "FailureTarget"}, id="job-failure-target"),
    pytest.param("batch", "jobs", {"metadata": meta(deletionTimestamp=TEN_MINUTES), "status": {"conditions": [{"type": "Suspended", "status": "True"}]}},
                 {"Status": "Terminating"}, id="job-terminating"),
    pytest.param("batch", "jobs", {"metadata": meta(deletionTimestamp=TEN_MINUTES), "status": {"conditions": [
        {"type": "Failed", "status": "True"}, {"type": "Complete", "status": "False"}]}}, {"Status": "Failed"}, id="job-failed"),
    pytest.param("batch", "cronjobs", {"metadata": meta(), "spec": {"schedule": "*/5 * * * *", "jobTemplate": {"spec": {"template": TEMPLATE}}},
                                       "status": {"lastScheduleTime": THREE_HOURS, "active": [{"name": "j1"}]}},
                 {"Schedule": "*/5 * * * *", "Timezone": "<none>", "Suspend": "<unset>", "Active": 1, "Last Schedule": "3h",
                  "Containers": "c,d", "Images": "nginx:1,busybox", "Selector": "<none>"}, id="cronjob"),
    pytest.param("batch", "cronjobs", {"metadata": meta(), "spec": {"schedule": "@daily", "suspend": True, "timeZone": "Etc/UTC"}},
                 {"Suspend": "True", "Timezone": "Etc/UTC", "Last Schedule": "<none>"}, id="cronjob-suspended"),
    # services and networking
    pytest.param("", "services", {"metadata": meta(), "spec": {"type": "NodePort", "clusterIP": "10.0.0.9", "clusterIPs": ["10.0.0.1", "fd00::1"],
                                                               "ports": [{"port": 80, "nodePort": 30080, "protocol": "TCP"}, {"port": 53, "protocol": "UDP"}],
                                                               "selector": {"app": "web"}}},
                 {"Type": "NodePort", "Cluster-IP": "10.0.0.1", "External-IP": "<none>", "Port(s)": "80:30080/TCP,53/UDP", "Selector": "app=web"}, id="service-nodeport"),
    pytest.param("", "services", {"metadata": meta(), "spec": {"type": "ExternalName", "externalName": "db.example.com"}},
                 {"Cluster-IP": "<none>", "External-IP": "db.example.com", "Port(s)": "<none>", "Selector": "<none>"}, id="service-externalname"),
    pytest.param("", "services", {"metadata": meta(), "spec": {"type": "LoadBalancer", "clusterIP": "10.0.0.2", "ports": [{"port": 443}]}},
                 {"Cluster-IP": "10.0.0.2", "External-IP": "<pending>", "Port(s)": "443/TCP"}, id="service-lb-pending"),
    pytest.param("", "services", {"metadata": meta(), "spec": {"type": "LoadBalancer", "externalIPs": ["1.1.1.1"]},
                                  "status": {"loadBalancer": {"ingress": [{"ip": "5.6.7.8"}, {"hostname": "lb.example.com"}]}}},
                 {"External-IP": "5.6.7.8,lb.example.com,1.1.1.1"}, id="service-lb"),
    pytest.param("", "services", {"metadata": meta(), "spec": {"type": "ClusterIP", "clusterIP": "None"},
                                  "status": {"loadBalancer": {"ingress": [{"ip": "5.6.7.8"}]}}},
                 {"Cluster-IP": "None", "External-IP": "<none>"}, id="service-clusterip-ignores-status"),
    pytest.param("", "endpoints", {"metadata": meta(), "subsets": [
        {"addresses": [{"ip": "10.0.0.1"}, {"ip": "10.0.0.2"}], "ports": [{"port": 80}, {"port": 443}]},
        {"addresses": [{"ip": "fd00::3"}], "ports": [{"port": 80}]}]},
        {"Endpoints": "10.0.0.1:80,10.0.0.2:80,10.0.0.1:443 + 2 more..."}, id="endpoints-more"),
    pytest.param("", "endpoints", {"metadata": meta(), "subsets": [{"addresses": [{"ip": "fd00::3"}], "ports": [{"port": 80}]}]},
                 {"Endpoints": "[fd00::3]:80"}, id="endpoints-ipv6"),
    pytest.param("", "endpoints", {"metadata": meta()}, {"Endpoints": "<none>"}, id="endpoints-none"),
    pytest.param("discovery.k8s.io", "endpointslices", {"metadata": meta(), "addressType": "IPv4",
                                                        "ports": [{"port": 80}, {"name": "metrics"}, {}, {"port": 9}],
                                                        "endpoints": [{"addresses": ["10.0.0.1"]}, {"addresses": ["10.0.0.2"]}]},
                 {"AddressType": "IPv4", "Ports": "80,metrics,* + 1 more...", "Endpoints": "10.0.0.1,10.0.0.2"}, id="endpointslice"),
    pytest.param("discovery.k8s.io", "endpointslices", {"metadata": meta(), "addressType": "IPv4"},
                 {"Ports": "<unset>", "Endpoints": "<unset>"}, id="endpointslice-empty"),
    pytest.param("networking.k8s.io", "ingresses", {"metadata": meta(), "spec": {"ingressClassName": "nginx", "tls": [{"hosts": ["a"]}], "rules": [
        {"host": "a"}, {}, {"host": "b"}, {"host": "c"}, {"host": "d"}]},
        "status": {"loadBalancer": {"ingress": [{"ip": "9.9.9.9"}, {"ip": "1.2.3.4"}]}}},
        {"Class": "nginx", "Hosts": "a,b,c + 2 more...", "Address": "1.2.3.4,9.9.9.9", "Ports": "80, 443"}, id="ingress"),
    pytest.param("networking.k8s.io", "ingresses", {"metadata": meta(), "spec": {"rules": [{}, {"host": "a"}]}},
                 {"Class": "<none>", "Hosts": "a", "Address": "", "Ports": "80"}, id="ingress-one-host"),
    pytest.param("networking.k8s.io", "ingressclasses", {"metadata": meta(), "spec": {"controller": "k8s.io/ingress-nginx",
                                                                                      "parameters": {"apiGroup": "k8s.example.com", "kind": "IngressParameters", "name": "p"}}},
                 {"Controller": "k8s.io/ingress-nginx", "Parameters": "IngressParameters.k8s.example.com/p"}, id="ingressclass"),
    pytest.param("networking.k8s.io", "networkpolicies", {"metadata": meta(), "spec": {"podSelector": {"matchLabels": {"role": "db"}}}},
                 {"Pod-Selector": "role=db"}, id="networkpolicy"),
    pytest.param("networking.k8s.io", "networkpolicies", {"metadata": meta(), "spec": {"podSelector": {}}},
                 {"Pod-Selector": "<none>"}, id="networkpolicy-all-pods"),
    pytest.param("networking.k8s.io", "servicecidrs", {"metadata": meta(), "spec": {"cidrs": ["10.96.0.0/28", "fd00::/112"]}},
                 {"CIDRs": "10.96.0.0/28,fd00::/112"}, id="servicecidr"),
    pytest.param("networking.k8s.io", "ipaddresses", {"metadata": meta(), "spec": {"parentRef": {"group": "", "resource": "services", "namespace": "ns", "name": "s"}}},
                 {"ParentRef": "services/ns/s"}, id="ipaddress"),
    # nodes and storage
    pytest.param("", "nodes", {"metadata": meta(labels={"node-role.kubernetes.io/control-plane": "", "kubernetes.io/role": "infra", "node-role.kubernetes.io/": "x"}),
                               "spec": {"unschedulable": True},
                               "status": {"conditions": [{"type": "Ready", "status": "False"}], "nodeInfo": {"kubeletVersion": "v1.35.0", "osImage": "Debian"},
                                          "addresses": [{"type": "Hostname", "address": "n1"}, {"type": "InternalIP", "address": "192.168.1.2"}]}},
                 {"Status": "NotReady,SchedulingDisabled", "Roles": "control-plane,infra", "Version": "v1.35.0", "Internal-IP": "192.168.1.2",
                  "External-IP": "<none>", "OS-Image": "Debian", "Kernel-Version": "<unknown>", "Container-Runtime": "<unknown>"}, id="node"),
    pytest.param("", "nodes", {"metadata": meta()}, {"Status": "Unknown", "Roles": "<none>"}, id="node-unknown"),
    pytest.param("", "persistentvolumes", {"metadata": meta(), "spec": {"capacity": {"storage": "5Gi"}, "accessModes": ["ReadWriteMany", "ReadWriteOnce"],
                                                                        "persistentVolumeReclaimPolicy": "Retain", "storageClassName": "fast",
                                                                        "claimRef": {"namespace": "ns", "name": "data"}, "volumeMode": "Block"},
                                           "status": {"phase": "Bound"}},
                 {"Capacity": "5Gi", "Access Modes": "RWO,RWX", "Reclaim Policy": "Retain", "Status": "Bound", "Claim": "ns/data",
                  "StorageClass": "fast", "VolumeAttributesClass": "<unset>", "Reason": "", "Age": "10m", "VolumeMode": "Block"}, id="pv"),
    pytest.param("", "persistentvolumes", {"metadata": meta(deletionTimestamp=TEN_MINUTES, annotations={"volume.beta.kubernetes.io/storage-class": "old"}),
                                           "spec": {"storageClassName": "new"}, "status": {"phase": "Released"}},
                 {"Capacity": "0", "Status": "Terminating", "Claim": "", "StorageClass": "old", "VolumeMode": "<unset>"}, id="pv-terminating"),
    pytest.param("", "persistentvolumeclaims", {"metadata": meta(), "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}},
                                                "status": {"phase": "Pending"}},
                 {"Status": "Pending", "Volume": "", "Capacity": "", "Access Modes": "", "StorageClass": "",
                  "VolumeAttributesClass": "<unset>", "VolumeMode": "<unset>"}, id="pvc-pending"),
    pytest.param("", "persistentvolumeclaims", {"metadata": meta(), "spec": {"volumeName": "pv-1", "storageClassName": "fast", "volumeMode": "Filesystem"},
                                                "status": {"phase": "Bound", "capacity": {"storage": "10Gi"}, "accessModes": ["ReadWriteOncePod", "ReadOnlyMany"]}},
                 {"Status": "Bound", "Volume": "pv-1", "Capacity": "10Gi", "Access Modes": "ROX,RWOP", "StorageClass": "fast", "VolumeMode": "Filesystem"}, id="pvc-bound"),
    pytest.param("storage.k8s.io", "storageclasses", {"metadata": meta("fast", annotations={"storageclass.kubernetes.io/is-default-class": "true"}),
                                                      "provisioner": "csi.example.com", "allowVolumeExpansion": True},
                 {"Name": "fast (default)", "Provisioner": "csi.example.com", "ReclaimPolicy": "Delete", "VolumeBindingMode": "Immediate",
                  "AllowVolumeExpansion": True}, id="storageclass-default"),
    pytest.param("storage.k8s.io", "storageclasses", {"metadata": meta("slow"), "provisioner": "p", "reclaimPolicy": "Retain", "volumeBindingMode": "WaitForFirstConsumer"},
                 {"Name": "slow", "ReclaimPolicy": "Retain", "VolumeBindingMode": "WaitForFirstConsumer", "AllowVolumeExpansion": False}, id="storageclass"),
    pytest.param("storage.k8s.io", "volumeattributesclasses", {"metadata": meta("gold"), "driverName": "csi.example.com"},
                 {"Name": "gold", "DriverName": "csi.example.com"}, id="volumeattributesclass"),
    pytest.param("storage.k8s.io", "csidrivers", {"metadata": meta(), "spec": {"podInfoOnMount": True, "volumeLifecycleModes": ["Persistent", "Ephemeral"],
                                                                               "tokenRequests": [{"audience": "vault"}]}},
                 {"AttachRequired": True, "PodInfoOnMount": True, "StorageCapacity": False, "TokenRequests": "vault",
                  "RequiresRepublish": False, "Modes": "Persistent,Ephemeral"}, id="csidriver"),
    pytest.param("storage.k8s.io", "csidrivers", {"metadata": meta(), "spec": {"attachRequired": False}},
                 {"AttachRequired": False, "TokenRequests": "<unset>", "Modes": "<none>"}, id="csidriver-defaults"),
    pytest.param("storage.k8s.io", "csinodes", {"metadata": meta(), "spec": {"drivers": [{"name": "a"}, {"name": "b"}]}},
                 {"Drivers": 2, "Age": "10m"}, id="csinode"),
    pytest.param("storage.k8s.io", "volumeattachments", {"metadata": meta(), "spec": {"attacher": "csi.example.com", "nodeName": "n1",
                                                                                      "source": {"persistentVolumeName": "pv-1"}}, "status": {"attached": True}},
                 {"Attacher": "csi.example.com", "PV": "pv-1", "Node": "n1", "Attached": True}, id="volumeattachment"),
    pytest.param("", "resourcequotas", {"metadata": meta(), "status": {
        "hard": {"pods": "10", "requests.cpu": "2", "limits.memory": "2Gi", "limits.cpu": "4", "configmaps": 5},
        "used": {"pods": "3", "requests.cpu": "500m", "limits.cpu": "1"}}},
        {"Request": "configmaps: 0/5, pods: 3/10, requests.cpu: 500m/2", "Limit": "limits.cpu: 1/4, limits.memory: 0/2Gi"}, id="resourcequota"),
    # autoscaling, policy
    pytest.param("autoscaling", "horizontalpodautoscalers", {"apiVersion": "autoscaling/v2", "metadata": meta(), "spec": {
        "scaleTargetRef": {"kind": "Deployment", "name": "web"}, "minReplicas": 2, "maxReplicas": 10, "metrics": [
            {"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}}},
            {"type": "Resource", "resource": {"name": "memory", "target": {"type": "AverageValue", "averageValue": "1Gi"}}},
            {"type": "Pods", "pods": {"target": {"averageValue": "100"}}}]},
        "status": {"currentReplicas": 3, "currentMetrics": [{"type": "Resource", "resource": {"name": "cpu", "current": {"averageUtilization": 45}}}]}},
        {"Reference": "Deployment/web", "Targets": "cpu: 45%/80%, memory: <unknown>/1Gi + 1 more...", "MinPods": "2", "MaxPods": 10, "Replicas": 3},
        id="hpa-v2"),
    pytest.param("autoscaling", "horizontalpodautoscalers", {"apiVersion": "autoscaling/v1", "metadata": meta(), "spec": {
        "scaleTargetRef": {"kind": "Deployment", "name": "web"}, "maxReplicas": 4, "targetCPUUtilizationPercentage": 50},
        "status": {"currentReplicas": 1}},
        {"Targets": "cpu: <unknown>/50%", "MinPods": "<unset>", "MaxPods": 4, "Replicas": 1}, id="hpa-v1"),
    pytest.param("autoscaling", "horizontalpodautoscalers", {"metadata": meta(), "spec": {"scaleTargetRef": {"kind": "StatefulSet", "name": "db"}}},
                 {"Targets": "<none>"}, id="hpa-no-metrics"),
    pytest.param("policy", "poddisruptionbudgets", {"metadata": meta(), "spec": {"minAvailable": "50%"}, "status": {"disruptionsAllowed": 1}},
                 {"Min Available": "50%", "Max Unavailable": "N/A", "Allowed Disruptions": 1}, id="pdb"),
    pytest.param("policy", "poddisruptionbudgets", {"metadata": meta(), "spec": {"maxUnavailable": 1}},
                 {"Min Available": "N/A", "Max Unavailable": "1", "Allowed Disruptions": 0}, id="pdb-max-unavailable"),
    # rbac, certificates, admission
    pytest.param("rbac.authorization.k8s.io", "rolebindings", {"metadata": meta(), "roleRef": {"kind": "ClusterRole", "name": "view"}, "subjects": [
        {"kind": "User", "name": "alice"}, {"kind": "User", "name": "bob"}, {"kind": "Group", "name": "devs"},
        {"kind": "ServiceAccount", "name": "ci", "namespace": "tools"}]},
        {"Role": "ClusterRole/view", "Users": "alice, bob", "Groups": "devs", "ServiceAccounts": "tools/ci"}, id="rolebinding"),
    pytest.param("rbac.authorization.k8s.io", "clusterrolebindings", {"metadata": meta(), "roleRef": {"kind": "ClusterRole", "name": "admin"}},
                 {"Role": "ClusterRole/admin", "Users": "", "Groups": "", "ServiceAccounts": ""}, id="clusterrolebinding"),
    pytest.param("certificates.k8s.io", "certificatesigningrequests", {"metadata": meta(), "spec": {
        "signerName": "kubernetes.io/kube-apiserver-client", "username": "alice", "expirationSeconds": 86400},
        "status": {"conditions": [{"type": "Approved"}, {"type": "Failed"}], "certificate": "Y2VydA=="}},
        {"SignerName": "kubernetes.io/kube-apiserver-client", "Requestor": "alice", "RequestedDuration": "24h",
         "Condition": "Approved,Failed,Issued"}, id="csr"),
    pytest.param("certificates.k8s.io", "certificatesigningrequests", {"metadata": meta(), "spec": {}},
                 {"SignerName": "<none>", "RequestedDuration": "<none>", "Condition": "Pending"}, id="csr-pending"),
    pytest.param("admissionregistration.k8s.io", "validatingwebhookconfigurations", {"metadata": meta(), "webhooks": [{"name": "a"}, {"name": "b"}]},
                 {"Webhooks": 2}, id="validatingwebhooks"),
    pytest.param("admissionregistration.k8s.io", "mutatingwebhookconfigurations", {"metadata": meta()}, {"Webhooks": 0}, id="mutatingwebhooks"),
    pytest.param("admissionregistration.k8s.io", "validatingadmissionpolicies", {"metadata": meta(), "spec": {
        "validations": [{"expression": "true"}], "paramKind": {"apiVersion": "v1", "kind": "ConfigMap"}}},
        {"Validations": 1, "ParamKind": "v1/ConfigMap"}, id="vap"),
    pytest.param("admissionregistration.k8s.io", "validatingadmissionpolicybindings", {"metadata": meta(), "spec": {
        "policyName": "p", "paramRef": {"name": "limits"}}}, {"PolicyName": "p", "ParamRef": "*/limits"}, id="vapb"),
    pytest.param("admissionregistration.k8s.io", "validatingadmissionpolicybindings", {"metadata": meta(), "spec": {"policyName": "p"}},
                 {"ParamRef": "<unset>"}, id="vapb-no-param"),
    # coordination, scheduling, flow control, dra
    pytest.param("coordination.k8s.io", "leases", {"metadata": meta(), "spec": {"holderIdentity": "node-1_abc"}},
                 {"Holder": "node-1_abc", "Age": "10m"}, id="lease"),
    pytest.param("scheduling.k8s.io", "priorityclasses", {"metadata": meta(), "value": 1000, "globalDefault": False,
                                                          "preemptionPolicy": "Never"},
                 {"Value": 1000, "Global-Default": False, "PreemptionPolicy": "Never"}, id="priorityclass"),
    pytest.param("node.k8s.io", "runtimeclasses", {"metadata": meta(), "handler": "runc"}, {"Handler": "runc"}, id="runtimeclass"),
    pytest.param("flowcontrol.apiserver.k8s.io", "flowschemas", {"metadata": meta(), "spec": {
        "priorityLevelConfiguration": {"name": "workload-low"}, "matchingPrecedence": 9000, "distinguisherMethod": {"type": "ByUser"}},
        "status": {"conditions": [{"type": "Dangling", "status": "False"}]}},
        {"PriorityLevel": "workload-low", "MatchingPrecedence": 9000, "DistinguisherMethod": "ByUser", "MissingPL": "False"}, id="flowschema"),
    pytest.param("flowcontrol.apiserver.k8s.io", "prioritylevelconfigurations", {"metadata": meta(), "spec": {
        "type": "Limited", "limited": {"nominalConcurrencyShares": 30, "limitResponse": {"type": "Queue", "queuing": {
            "queues": 64, "handSize": 6, "queueLengthLimit": 50}}}}},
        {"Type": "Limited", "NominalConcurrencyShares": 30, "Queues": 64, "HandSize": 6, "QueueLengthLimit": 50}, id="plc"),
    pytest.param("flowcontrol.apiserver.k8s.io", "prioritylevelconfigurations", {"metadata": meta(), "spec": {"type": "Exempt"}},
                 {"NominalConcurrencyShares": "<none>", "Queues": "<none>"}, id="plc-exempt"),
    pytest.param("resource.k8s.io", "resourceclaims", {"metadata": meta(), "status": {"allocation": {}, "reservedFor": [{"name": "p"}]}},
                 {"State": "allocated,reserved"}, id="resourceclaim"),
    pytest.param("resource.k8s.io", "resourceslices", {"metadata": meta(), "spec": {"nodeName": "n1", "driver": "gpu.example.com", "pool": {"name": "n1"}}},
                 {"Node": "n1", "Driver": "gpu.example.com", "Pool": "n1"}, id="resourceslice"),
    pytest.param("apiregistration.k8s.io", "apiservices", {"metadata": meta(), "spec": {"service": {"namespace": "kube-system", "name": "metrics"}},
                                                           "status": {"conditions": [{"type": "Available", "status": "False", "reason": "MissingEndpoints"}]}},
                 {"Service": "kube-system/metrics", "Available": "False (MissingEndpoints)"}, id="apiservice"),
]


@pytest.mark.parametrize(("group", "resource", "obj", "expected"), CASES)
def test_builtin_cells(group: str, resource: str, obj: Obj, expected: dict[str, Any]) -> None:
    got = cells(group, resource, obj)
    assert {k: got.get(k, "<no column>") for k in expected} == expected


CORE_EVENT = {"apiVersion": "v1", "kind": "Event", "metadata": meta("web.17a"), "type": "Warning", "reason": "BackOff",
              "involvedObject": {"kind": "Pod", "name": "web", "fieldPath": "spec.containers{app}"},
              "source": {"component": "kubelet", "host": "node-1"}, "message": "  Back-off restarting failed container\n",
              "firstTimestamp": THREE_HOURS, "lastTimestamp": TEN_MINUTES, "count": 7}


@pytest.mark.parametrize(("group", "event", "expected"), [
    pytest.param("", CORE_EVENT, ["10m", "Warning", "BackOff", "pod/web", "spec.containers{app}", "kubelet, node-1",
                                  "Back-off restarting failed container", "3h", 7, "web.17a"], id="core"),
    pytest.param("", {"metadata": meta("e"), "eventTime": THREE_HOURS.replace("Z", ".123456Z"), "involvedObject": {"kind": "Node"},
                      "reportingComponent": "scheduler", "reportingInstance": "s-1", "series": {"count": 4, "lastObservedTime": TEN_MINUTES}},
                 ["10m", "", "", "node", "", "scheduler, s-1", "", "3h", 4, "e"], id="core-series-event-time"),
    pytest.param("", {"metadata": meta("e"), "firstTimestamp": THREE_HOURS}, ["3h", "", "", "", "", "", "", "3h", 1, "e"], id="core-singleton"),
    pytest.param("events.k8s.io", {"apiVersion": "events.k8s.io/v1", "kind": "Event", "metadata": meta("web.17b"), "type": "Normal",
                                   "reason": "Pulled", "regarding": {"kind": "Pod", "name": "web"}, "note": "pulled ",
                                   "eventTime": "2024-01-01T00:00:00.000000Z", "reportingController": "kubelet", "reportingInstance": "node-2",
                                   "deprecatedLastTimestamp": TEN_MINUTES, "deprecatedFirstTimestamp": THREE_HOURS, "deprecatedCount": 2},
                 ["10m", "Normal", "Pulled", "pod/web", "", "kubelet, node-2", "pulled", "3h", 2, "web.17b"], id="events.k8s.io"),
])
def test_event_cells(group: str, event: Obj, expected: list[Any]) -> None:
    t = tables.table([event], group, "events", "None")
    assert [(c["name"], c["priority"]) for c in t["columnDefinitions"]] == [
        ("Last Seen", 0), ("Type", 0), ("Reason", 0), ("Object", 0), ("Subobject", 1), ("Source", 1), ("Message", 0),
        ("First Seen", 1), ("Count", 1), ("Name", 1)]
    assert t["rows"][0]["cells"] == expected


def test_column_definitions_follow_printers_go() -> None:
    def defs(group: str, resource: str) -> list[tuple[str, str, int]]:
        return [(c["name"], c["type"], c["priority"]) for c in tables.column_definitions(tables.columns_for(group, resource))]

    assert defs("", "pods") == [("Name", "string", 0), ("Ready", "string", 0), ("Status", "string", 0), ("Restarts", "string", 0),
                                ("Age", "string", 0), ("IP", "string", 1), ("Node", "string", 1), ("Nominated Node", "string", 1),
                                ("Readiness Gates", "string", 1)]
    assert defs("", "persistentvolumes")[-2:] == [("Age", "string", 0), ("VolumeMode", "string", 1)]
    assert defs("batch", "cronjobs")[3] == ("Suspend", "boolean", 0)
    assert defs("scheduling.k8s.io", "priorityclasses")[-1] == ("PreemptionPolicy", "string", 0)
    assert [d[2] for d in defs("", "nodes")] == [0, 0, 0, 0, 0, 1, 1, 1, 1, 1]
    name = tables.column_definitions(tables.columns_for("", "configmaps"))[0]
    assert name["format"] == "name" and name["description"].startswith("Name must be unique within a namespace.")


@pytest.mark.parametrize(("group", "resource"), [
    ("rbac.authorization.k8s.io", "roles"), ("rbac.authorization.k8s.io", "clusterroles"), ("", "limitranges"),
    ("apiextensions.k8s.io", "customresourcedefinitions"), ("storage.k8s.io", "csistoragecapacities"),
])
def test_kinds_without_a_printer_get_the_default_convertor(group: str, resource: str) -> None:
    t = tables.table([{"metadata": {"name": "r", "creationTimestamp": "2024-03-04T05:06:07Z"}}, {"metadata": {"name": "fresh"}}],
                     group, resource, "None")
    assert [(c["name"], c["type"], c["format"]) for c in t["columnDefinitions"]] == [("Name", "string", "name"), ("Created At", "date", "")]
    assert [r["cells"] for r in t["rows"]] == [["r", "2024-03-04T05:06:07Z"], ["fresh", "0001-01-01T00:00:00Z"]]


def test_custom_resources() -> None:
    widget = {"metadata": meta("w"), "spec": {"size": 3, "ready": True}}
    assert cells("example.com", "widgets", widget, custom=[]) == {"Name": "w", "Age": "10m"}
    plain = tables.table([widget], "example.com", "widgets", "None", custom=[])["columnDefinitions"]
    assert [(c["name"], c["type"]) for c in plain] == [("Name", "string"), ("Age", "date")]
    printed = cells("example.com", "widgets", widget, custom=[
        {"name": "Size", "type": "integer", "jsonPath": ".spec.size"},
        {"name": "Color", "type": "string", "jsonPath": ".spec.color"},
        {"name": "Ready", "type": "string", "jsonPath": ".spec.ready"},
        {"name": "Born", "type": "date", "jsonPath": ".metadata.creationTimestamp"}])
    assert printed == {"Name": "w", "Size": 3, "Color": None, "Ready": "true", "Born": "10m"}


def test_flow_schemas_list_in_matching_precedence_order() -> None:
    def fs(name: str, precedence: int) -> Obj:
        return {"metadata": meta(name), "spec": {"matchingPrecedence": precedence}}

    t = tables.table([fs("b", 500), fs("z", 100), fs("a", 500)], "flowcontrol.apiserver.k8s.io", "flowschemas", "None")
    assert [r["cells"][0] for r in t["rows"]] == ["z", "a", "b"]


# ----------------------------------------------------------------------- real kubectl


def k(vapi: VapiProcess, *args: str, **kw: Any) -> list[list[str]]:
    """kubectl's table, split into words per line."""
    return [line.split() for line in vapi.kubectl(*args, **kw).stdout.splitlines()]


def test_kubectl_prints_kube_columns(vapi: VapiProcess, namespace: str) -> None:
    ns = ["-n", namespace]
    docs = [
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": "reader"},
         "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}]},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": {"name": "read"},
         "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "reader"},
         "subjects": [{"kind": "User", "name": "alice", "apiGroup": "rbac.authorization.k8s.io"},
                      {"kind": "ServiceAccount", "name": "ci", "namespace": namespace}]},
        {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "data"},
         "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}},
    ]
    vapi.kubectl(*ns, "apply", "-f", "-", input=json.dumps({"apiVersion": "v1", "kind": "List", "items": docs}))

    roles = k(vapi, *ns, "get", "roles")
    assert roles[0] == ["NAME", "CREATED", "AT"] and roles[1][0] == "reader"
    assert datetime.datetime.fromisoformat(roles[1][1]).tzinfo is not None, "an RFC 3339 time, not an age"

    assert k(vapi, *ns, "get", "rolebindings")[0] == ["NAME", "ROLE", "AGE"]
    wide = k(vapi, *ns, "get", "rolebindings", "-o", "wide")
    assert wide[0] == ["NAME", "ROLE", "AGE", "USERS", "GROUPS", "SERVICEACCOUNTS"]
    assert wide[1][:2] == ["read", "Role/reader"] and wide[1][-2:] == ["alice", f"{namespace}/ci"]

    pvcs = k(vapi, *ns, "get", "pvc", "-o", "wide")
    assert pvcs[0] == ["NAME", "STATUS", "VOLUME", "CAPACITY", "ACCESS", "MODES", "STORAGECLASS", "VOLUMEATTRIBUTESCLASS", "AGE", "VOLUMEMODE"]
    # unbound: VOLUME, CAPACITY, ACCESS MODES and STORAGECLASS print empty, so the split line
    # is NAME, VOLUMEATTRIBUTESCLASS, AGE, VOLUMEMODE (the phase word is skipped: kube stamps
    # Pending on create, vapi leaves the status empty)
    row = [w for w in pvcs[1] if w != "Pending"]
    assert len(row) == 4 and row[:2] == ["data", "<unset>"] and row[3] == "Filesystem"


def test_kubectl_prints_cluster_scoped_kinds(vapi: VapiProcess, namespace: str) -> None:
    pv, sc = f"{namespace}-pv", f"{namespace}-fast"
    docs = [
        {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {
            "name": sc, "annotations": {"storageclass.kubernetes.io/is-default-class": "true"}},
         "provisioner": "csi.example.com", "volumeBindingMode": "WaitForFirstConsumer"},
        {"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": pv},
         "spec": {"capacity": {"storage": "5Gi"}, "accessModes": ["ReadWriteMany", "ReadWriteOnce"], "persistentVolumeReclaimPolicy": "Retain",
                  "storageClassName": sc, "hostPath": {"path": "/tmp/pv"}}},
    ]
    vapi.kubectl("apply", "-f", "-", input=json.dumps({"apiVersion": "v1", "kind": "List", "items": docs}))
    try:
        classes = k(vapi, "get", "storageclass", sc)
        assert classes[0] == ["NAME", "PROVISIONER", "RECLAIMPOLICY", "VOLUMEBINDINGMODE", "ALLOWVOLUMEEXPANSION", "AGE"]
        assert classes[1][:6] == [sc, "(default)", "csi.example.com", "Delete", "WaitForFirstConsumer", "false"]

        volumes = k(vapi, "get", "pv", pv, "-o", "wide")
        assert volumes[0] == ["NAME", "CAPACITY", "ACCESS", "MODES", "RECLAIM", "POLICY", "STATUS", "CLAIM", "STORAGECLASS",
                              "VOLUMEATTRIBUTESCLASS", "REASON", "AGE", "VOLUMEMODE"]
        # empty CLAIM and REASON cells vanish from the split line, and so does the phase, which
        # vapi leaves unset where kube's PV controller would print Available
        row = [w for w in volumes[1] if w not in ("Pending", "Available")]
        assert row[:6] == [pv, "5Gi", "RWO,RWX", "Retain", sc, "<unset>"] and row[-1] == "Filesystem" and len(row) == 8
    finally:
        vapi.kubectl("delete", "pv", pv, "--wait=false", check=False)
        vapi.kubectl("delete", "storageclass", sc, check=False)
