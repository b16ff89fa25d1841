"""The defaults kube-apiserver fills in on writes of built-in kinds (vapi/defaults.py), as a
real cluster shows them to `kubectl get -o yaml`, field selectors and `kubectl describe`."""

from __future__ import annotations

import json

from tests.apiserver import VapiProcess
from vapi import defaults


def test_deployment_and_its_pod_template() -> None:
    obj = {"spec": {"selector": {"matchLabels": {"a": "b"}}, "template": {"spec": {"containers": [
        {"name": "c", "image": "nginx", "ports": [{"containerPort": 80}],
         "readinessProbe": {"httpGet": {"path": "/", "port": 80}}},
        {"name": "d", "image": "registry:5000/app:1.2"}]}}}}
    defaults.apply("apps", "Deployment", obj)
    spec = obj["spec"]
    assert (spec["replicas"], spec["revisionHistoryLimit"], spec["progressDeadlineSeconds"]) == (1, 10, 600)
    assert spec["strategy"] == {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}}
    pod = spec["template"]["spec"]
    assert (pod["restartPolicy"], pod["dnsPolicy"], pod["schedulerName"], pod["terminationGracePeriodSeconds"]) == (
        "Always", "ClusterFirst", "default-scheduler", 30)
    c, d = pod["containers"]
    assert (c["imagePullPolicy"], d["imagePullPolicy"]) == ("Always", "IfNotPresent")  # untagged means latest
    assert c["ports"] == [{"containerPort": 80, "protocol": "TCP"}]
    assert c["readinessProbe"] == {"httpGet": {"path": "/", "port": 80, "scheme": "HTTP"}, "timeoutSeconds": 1,
                                   "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3}
    assert c["terminationMessagePath"] == "/dev/termination-log" and c["resources"] == {}


def test_set_values_are_kept_and_defaulting_is_idempotent() -> None:
    obj = {"spec": {"replicas": 0, "strategy": {"type": "Recreate"}, "template": {"spec": {"containers": [
        {"name": "c", "image": "i:latest", "imagePullPolicy": "Never"}]}}}}
    defaults.apply("apps", "Deployment", obj)
    assert obj["spec"]["replicas"] == 0 and obj["spec"]["strategy"] == {"type": "Recreate"}
    assert obj["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"] == "Never"
    again = json.loads(json.dumps(obj))
    defaults.apply("apps", "Deployment", again)
    assert again == obj


def test_other_kinds() -> None:
    svc = {"spec": {"type": "NodePort", "ports": [{"port": 80}]}}
    defaults.apply("", "Service", svc)
    assert svc["spec"]["ports"] == [{"port": 80, "protocol": "TCP", "targetPort": 80}]
    assert (svc["spec"]["sessionAffinity"], svc["spec"]["externalTrafficPolicy"]) == ("None", "Cluster")
    job = {"spec": {"parallelism": 3, "template": {"spec": {"restartPolicy": "Never", "containers": []}}}}
    defaults.apply("batch", "Job", job)
    assert "completions" not in job["spec"] and job["spec"]["backoffLimit"] == 6
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"
    secret: dict = {}
    defaults.apply("", "Secret", secret)
    assert secret == {"type": "Opaque"}
    cron = {"spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": "c", "image": "i:1"}]}}}}}}
    defaults.apply("batch", "CronJob", cron)
    assert (cron["spec"]["suspend"], cron["spec"]["concurrencyPolicy"]) == (False, "Allow")
    assert cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]["dnsPolicy"] == "ClusterFirst"


def test_autoscaler_and_initial_status() -> None:
    hpa = {"apiVersion": "autoscaling/v2", "spec": {"maxReplicas": 5}}
    defaults.apply("autoscaling", "HorizontalPodAutoscaler", hpa)
    assert hpa["spec"]["minReplicas"] == 1
    assert hpa["spec"]["metrics"] == [{"type": "Resource", "resource": {
        "name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}}}]
    v1 = {"apiVersion": "autoscaling/v1", "spec": {"maxReplicas": 5}}
    defaults.apply("autoscaling", "HorizontalPodAutoscaler", v1)
    assert v1 == {"apiVersion": "autoscaling/v1", "spec": {"maxReplicas": 5}}
    assert defaults.initial_status("", "PersistentVolumeClaim", {}) == {"phase": "Pending"}
    assert defaults.initial_status("", "ConfigMap", {}) is None


def test_qos_class() -> None:
    def spec(**resources: dict) -> dict:
        return {"containers": [{"name": "c", "resources": resources}]}
    assert defaults.qos_class(spec()) == "BestEffort"
    assert defaults.qos_class(spec(requests={"cpu": "1"})) == "Burstable"
    assert defaults.qos_class(spec(limits={"cpu": "1", "memory": "1Gi"})) == "Guaranteed"  # requests default to limits
    assert defaults.qos_class(spec(limits={"cpu": "1", "memory": "1Gi"}, requests={"cpu": "500m"})) == "Burstable"


def test_kubectl_sees_the_defaults(vapi: VapiProcess, namespace: str) -> None:
    def k(*args: str, input: str | None = None) -> str:
        return vapi.kubectl("-n", namespace, *args, input=input).stdout

    k("create", "secret", "generic", "s1", "--from-literal=x=y")
    assert k("get", "secrets", "--field-selector", "type=Opaque", "-o", "name").split() == ["secret/s1"]
    k("run", "p1", "--image=busybox:1.36", "--restart=Never")
    pod = json.loads(k("get", "pod", "p1", "-o", "json"))
    assert pod["status"] == {"phase": "Pending", "qosClass": "BestEffort"}
    assert pod["spec"]["containers"][0]["imagePullPolicy"] == "IfNotPresent"
    assert k("get", "pods", "--field-selector", "status.phase=Pending", "-o", "name").split() == ["pod/p1"]
    k("wait", "--for=jsonpath={.status.phase}=Pending", "pod/p1", "--timeout=10s")
    k("create", "-f", "-", input="apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data}\n"
      "spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}\n")
    assert k("get", "pvc", "data", "-o", "jsonpath={.status.phase}") == "Pending"
    pv = json.loads(vapi.kubectl("create", "-f", "-", "-o", "json", input=(
        f"apiVersion: v1\nkind: PersistentVolume\nmetadata: {{name: {namespace}-pv}}\n"
        "spec: {capacity: {storage: 1Gi}, accessModes: [ReadWriteOnce], hostPath: {path: /srv}}\n")).stdout)
    assert pv["spec"]["hostPath"] == {"path": "/srv", "type": ""}
    assert pv["status"]["phase"] == "Pending" and pv["status"]["lastPhaseTransitionTime"] == pv["metadata"]["creationTimestamp"]
    k("run", "hp", "--image=busybox:1.36", "--overrides", '{"spec":{"volumes":[{"name":"v","hostPath":{"path":"/x"}}]}}')
    assert k("get", "pod", "hp", "-o", "jsonpath={.spec.volumes[0].hostPath}") == '{"path":"/x","type":""}'
    k("create", "deployment", "web", "--image=nginx:1.27")
    dep = json.loads(k("get", "deploy", "web", "-o", "json", "--show-managed-fields"))
    assert dep["spec"]["strategy"]["rollingUpdate"] == {"maxUnavailable": "25%", "maxSurge": "25%"}
    created = dep["metadata"]["managedFields"][0]
    assert created["manager"] == "kubectl-create" and "f:progressDeadlineSeconds" in created["fieldsV1"]["f:spec"]


def undefault(group: str, kind: str, obj: dict) -> dict:
    """An object without its defaulted values, as the sync views trim each cluster's copy."""
    return defaults.without_defaults(obj, obj, defaults.defaulted(group, kind, obj))


def test_undefault_gives_back_what_was_written() -> None:
    """Edge copies start from this: each edge defaults for itself, and a replica count left
    out at the center stays the edge's (an autoscaler there is not fought)."""
    written = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
               "spec": {"selector": {"matchLabels": {"a": "b"}}, "template": {"metadata": {"labels": {"a": "b"}}, "spec": {
                   "containers": [{"name": "c", "image": "nginx:1", "ports": [{"containerPort": 80}],
                                   "readinessProbe": {"httpGet": {"port": 80}}}]}}}}
    stored = json.loads(json.dumps(written))
    defaults.apply("apps", "Deployment", stored)
    assert stored != written and undefault("apps", "Deployment", stored) == written
    # values set to something else stay, and so does everything defaulting could not restore
    stored["spec"]["replicas"] = 3
    stored["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"] = "Always"
    kept = undefault("apps", "Deployment", stored)
    assert kept["spec"]["replicas"] == 3 and kept["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"] == "Always"
    job = {"spec": {"parallelism": 2, "completions": 1, "template": {"spec": {"containers": []}}}}
    defaults.apply("batch", "Job", job)
    assert undefault("batch", "Job", job)["spec"]["completions"] == 1, "not restored when parallelism is set"
    cm = {"data": {"a": "b"}}
    assert undefault("", "ConfigMap", cm) is cm


def test_cluster_copies_keep_what_customizations_set() -> None:
    stored = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
              "spec": {"selector": {"matchLabels": {"a": "b"}}, "template": {"metadata": {"labels": {"a": "b"}},
                                                                             "spec": {"containers": [{"name": "c", "image": "i:1"}]}}}}
    defaults.apply("apps", "Deployment", stored)
    paths = defaults.defaulted("apps", "Deployment", stored)
    assert ("spec", "replicas") in paths
    copy = json.loads(json.dumps(stored))
    copy["spec"]["replicas"] = 4  # a customization for one cluster
    copy["spec"]["template"]["spec"]["containers"][0]["image"] = "mirror/i:1"
    out = defaults.without_defaults(copy, stored, paths)
    assert out["spec"]["replicas"] == 4 and "revisionHistoryLimit" not in out["spec"]
    assert out["spec"]["template"]["spec"]["containers"][0] == {"name": "c", "image": "mirror/i:1"}


def test_review_fixes_of_defaults() -> None:
    pod = {"spec": {"containers": [{"name": "c", "image": "i", "resources": {"limits": {"cpu": "1"}},
                                    "livenessProbe": {"httpGet": {"port": 80}}}]}}
    defaults.apply("", "Pod", pod)
    c = pod["spec"]["containers"][0]
    assert c["resources"]["requests"] == {"cpu": "1"} and c["livenessProbe"]["httpGet"]["path"] == "/"
    assert pod["spec"]["enableServiceLinks"] is True
    template = {"spec": {"selector": {"matchLabels": {"a": "b"}}, "template": {"spec": {"containers": []}}}}
    defaults.apply("apps", "Deployment", template)
    assert "enableServiceLinks" not in template["spec"]["template"]["spec"], "pods only, not templates"
    job = {"metadata": {}, "spec": {"backoffLimitPerIndex": 1, "podFailurePolicy": {"rules": []},
                                    "template": {"metadata": {"labels": {"app": "j"}}, "spec": {"containers": []}}}}
    defaults.apply("batch", "Job", job)
    assert (job["spec"]["backoffLimit"], job["spec"]["podReplacementPolicy"]) == (2**31 - 1, "Failed")
    assert job["metadata"]["labels"] == {"app": "j"}
    svc = {"spec": {"sessionAffinity": "ClientIP", "ports": [{"port": 80, "targetPort": 0}], "externalIPs": ["1.2.3.4"]}}
    defaults.apply("", "Service", svc)
    assert svc["spec"]["ports"][0]["targetPort"] == 80 and svc["spec"]["externalTrafficPolicy"] == "Cluster"
    assert svc["spec"]["sessionAffinityConfig"] == {"clientIP": {"timeoutSeconds": 10800}}
    binding = {"roleRef": {"kind": "Role", "name": "r"}}
    defaults.apply("rbac.authorization.k8s.io", "RoleBinding", binding)
    assert binding["roleRef"]["apiGroup"] == "rbac.authorization.k8s.io"
    assert defaults.qos_class({"containers": [{"resources": {"limits": {"cpu": "1", "memory": "1Gi"},
                                                              "requests": {"cpu": "1000m", "memory": "1024Mi"}}}]}) == "Guaranteed"


def test_service_account_alias(vapi: VapiProcess, namespace: str) -> None:
    """serviceAccount, the deprecated alias, is given back as serviceAccountName, which wins."""
    def k(*args: str) -> str:
        return vapi.kubectl("-n", namespace, *args).stdout

    k("create", "deployment", "web", "--image=nginx:1.27")
    assert k("set", "serviceaccount", "deployment/web", "builder").strip() == "deployment.apps/web serviceaccount updated"
    spec = json.loads(k("get", "deploy", "web", "-o", "jsonpath={.spec.template.spec}"))
    assert (spec["serviceAccountName"], spec["serviceAccount"]) == ("builder", "builder")
    k("patch", "deploy", "web", "-p", '{"spec":{"template":{"spec":{"serviceAccountName":"other"}}}}')
    spec = json.loads(k("get", "deploy", "web", "-o", "jsonpath={.spec.template.spec}"))
    assert (spec["serviceAccountName"], spec["serviceAccount"]) == ("other", "other")
    old_style = {"spec": {"serviceAccount": "legacy", "containers": [{"name": "c", "image": "i"}]}}
    defaults.apply("", "Pod", old_style)
    assert (old_style["spec"]["serviceAccountName"], old_style["spec"]["serviceAccount"]) == ("legacy", "legacy")
    plain = {"spec": {"containers": [{"name": "c", "image": "i"}]}}
    defaults.apply("", "Pod", plain)
    assert "serviceAccount" not in plain["spec"] and "serviceAccountName" not in plain["spec"]
    assert undefault("", "Pod", {"spec": {**old_style["spec"]}})["spec"].get("serviceAccount") is None, \
        "edge copies leave the alias to each edge"


def test_host_network_pods_get_their_container_ports_as_host_ports() -> None:
    """SetDefaults_Pod's defaultHostNetworkPorts: a pod's, not a template's."""
    ports = [{"containerPort": 80}, {"containerPort": 81, "hostPort": 9000}]
    pod = {"spec": {"hostNetwork": True, "containers": [{"name": "c", "image": "i", "ports": ports}],
                    "initContainers": [{"name": "i", "image": "i", "ports": [{"containerPort": 82}]}]}}
    defaults.apply("", "Pod", pod)
    assert [p["hostPort"] for p in pod["spec"]["containers"][0]["ports"]] == [80, 9000]
    assert pod["spec"]["initContainers"][0]["ports"][0]["hostPort"] == 82
    template = {"spec": {"selector": {"matchLabels": {"a": "b"}}, "template": {"spec": {
        "hostNetwork": True, "containers": [{"name": "c", "image": "i", "ports": [{"containerPort": 80}]}]}}}}
    defaults.apply("apps", "Deployment", template)
    assert "hostPort" not in template["spec"]["template"]["spec"]["containers"][0]["ports"][0]
