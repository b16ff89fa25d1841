"""The subresources of Pods a kube-apiserver serves itself (vapi/handlers/pods.py): logs of a
pod no node runs are empty, exec and friends are refused, binding assigns a node once,
eviction deletes a pod unless a disruption budget protects it while it runs."""

from __future__ import annotations

import json

from tests.apiserver import VapiProcess

POD = "apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}, labels: {{app: a}}}}\nspec: {{containers: {containers}}}\n"


def test_logs_exec_and_binding(vapi: VapiProcess, namespace: str) -> None:
    def k(*args: str, check: bool = True, input: str | None = None) -> tuple[int, str, str]:
        out = vapi.kubectl("-n", namespace, *args, check=check, input=input)
        return out.returncode, out.stdout, out.stderr.strip()

    k("create", "-f", "-", input=POD.format(name="one", containers="[{name: c, image: nginx}]"))
    k("create", "-f", "-", input=POD.format(name="two", containers="[{name: a, image: nginx}, {name: b, image: nginx}]"))
    assert k("logs", "one") == (0, "", "")
    assert 'Defaulted container "a" out of: a, b' in k("logs", "two")[2]  # kubectl picks one itself
    code, _, body = vapi.request("GET", f"/clusters/root/api/v1/namespaces/{namespace}/pods/two/log")
    assert (code, json.loads(body)["message"]) == (400, "a container name must be specified for pod two, choose one of: [a b]")
    code, _, body = vapi.request("GET", f"/clusters/root/api/v1/namespaces/{namespace}/pods/two/log?container=z")
    assert (code, json.loads(body)["message"]) == (400, "container z is not valid for pod two")
    assert k("exec", "one", "--", "ls", check=False)[2] == "Error from server (BadRequest): pod one does not have a host assigned"
    for query, code, message in (  # log options are validated before the pod is looked at
            ("tailLines=-1", 422, 'PodLogOptions "nope" is invalid: tailLines: Invalid value: -1: must be greater than or equal to 0'),
            ("sinceSeconds=0", 422, 'PodLogOptions "nope" is invalid: sinceSeconds: Invalid value: 0: must be greater than 0'),
            ("limitBytes=0", 422, 'PodLogOptions "nope" is invalid: limitBytes: Invalid value: 0: must be greater than 0'),
            ("tailLines=x", 400, 'strconv.ParseInt: parsing "x": invalid syntax'),
            ("tailLines=2", 404, 'pods "nope" not found')):
        got = vapi.request("GET", f"/clusters/root/api/v1/namespaces/{namespace}/pods/nope/log?{query}")
        assert (got[0], json.loads(got[2])["message"]) == (code, message), query
    for path in ("proxy", "proxy/", "proxy/a/b?x=1"):  # proxy takes a path, as the Python client's *_proxy_with_path
        code, _, body = vapi.request("GET", f"/clusters/root/api/v1/namespaces/{namespace}/pods/one/{path}")
        assert (code, json.loads(body)["message"]) == (400, "pod one does not have a host assigned"), path
    code, _, body = vapi.request("GET", f"/clusters/root/api/v1/namespaces/{namespace}/pods/one/log/a")
    assert code == 404, "other subresources take none"

    binding = "apiVersion: v1\nkind: Binding\nmetadata: {name: one}\ntarget: {kind: Node, name: node-1}\n"
    k("create", "-f", "-", input=binding)
    pod = json.loads(k("get", "pod", "one", "-o", "json")[1])
    assert pod["spec"]["nodeName"] == "node-1"
    assert [c["type"] for c in pod["status"]["conditions"]] == ["PodScheduled"]
    code, _, err = k("create", "-f", "-", input=binding, check=False)
    assert code == 1 and 'pod one is already assigned to node "node-1"' in err
    assert "no kubelet serves it here" in k("logs", "one", check=False)[2]


def test_eviction_respects_disruption_budgets_of_running_pods(vapi: VapiProcess, namespace: str) -> None:
    base = f"/clusters/root/api/v1/namespaces/{namespace}/pods"
    vapi.kubectl("-n", namespace, "create", "-f", "-", input=POD.format(name="p", containers="[{name: c, image: nginx}]"))
    vapi.kubectl("-n", namespace, "create", "-f", "-", input="apiVersion: policy/v1\nkind: PodDisruptionBudget\n"
                 "metadata: {name: keep}\nspec: {minAvailable: 1, selector: {matchLabels: {app: a}}}\n")
    evict = json.dumps({"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": "p"}}).encode()
    headers = {"Content-Type": "application/json"}
    running = {"status": {"phase": "Running"}}
    code, _, _ = vapi.request("PATCH", f"{base}/p/status", json.dumps(running).encode(),
                              headers={"Content-Type": "application/merge-patch+json"})
    assert code == 200
    code, _, body = vapi.request("POST", f"{base}/p/eviction", evict, headers=headers)
    status = json.loads(body)
    assert (code, status["reason"]) == (429, "TooManyRequests")
    assert status["message"] == "Cannot evict pod as it would violate the pod's disruption budget."
    assert status["details"]["causes"][0]["reason"] == "DisruptionBudget"
    code, _, _ = vapi.request("PATCH", f"{base}/p/status", json.dumps({"status": {"phase": "Pending"}}).encode(),
                              headers={"Content-Type": "application/merge-patch+json"})
    code, _, body = vapi.request("POST", f"{base}/p/eviction", evict, headers=headers)
    assert (code, json.loads(body)["status"]) == (201, "Success"), body
    assert vapi.request("GET", f"{base}/p")[0] == 404


def test_ephemeral_containers_are_added_through_their_subresource_only(vapi: VapiProcess, namespace: str) -> None:
    vapi.kubectl("-n", namespace, "create", "-f", "-", input=POD.format(name="dbg", containers="[{name: c, image: nginx}]"))
    out = vapi.kubectl("-n", namespace, "debug", "dbg", "--image=busybox", "--container=debugger")
    assert out.returncode == 0
    pod = json.loads(vapi.kubectl("-n", namespace, "get", "pod", "dbg", "-o", "json").stdout)
    assert [(c["name"], c["image"]) for c in pod["spec"]["ephemeralContainers"]] == [("debugger", "busybox")]
    changed = vapi.kubectl("-n", namespace, "patch", "pod", "dbg", "--subresource=ephemeralcontainers", "--type=json", "-p",
                           '[{"op":"replace","path":"/spec/ephemeralContainers/0/image","value":"alpine"}]', check=False)
    assert 'existing ephemeral containers ["debugger"] may not be removed or changed' in changed.stderr
    plain = vapi.kubectl("-n", namespace, "patch", "pod", "dbg", "--type=merge", "-p",
                         '{"spec":{"ephemeralContainers":[{"name":"x","image":"y"}]}}', check=False)
    assert plain.returncode == 1 and "pod updates may not change fields" in plain.stderr


def test_a_pod_on_a_node_is_deleted_gracefully(vapi: VapiProcess, namespace: str) -> None:
    """As with no kubelet to finish it: a pod on a node is marked for its grace period and
    stays; a shorter period moves the deadline, 0 deletes it; a pod on no node goes at once."""
    from kubernetes import client, config

    api = config.new_client_from_config(config_file=vapi.kubeconfig)
    try:
        core = client.CoreV1Api(api)
        for name, node in (("on-node", {"nodeName": "n1"}), ("nowhere", {})):
            core.create_namespaced_pod(namespace, {"metadata": {"name": name},
                                                   "spec": {"containers": [{"name": "c", "image": "x"}], **node}})
        marked = core.delete_namespaced_pod("on-node", namespace)
        assert marked.metadata.deletion_grace_period_seconds == 30
        assert (marked.metadata.deletion_timestamp - marked.metadata.creation_timestamp).total_seconds() >= 30
        assert core.read_namespaced_pod("on-node", namespace).metadata.deletion_timestamp == marked.metadata.deletion_timestamp
        shorter = core.delete_namespaced_pod("on-node", namespace, body=client.V1DeleteOptions(grace_period_seconds=10))
        assert shorter.metadata.deletion_grace_period_seconds == 10
        assert (marked.metadata.deletion_timestamp - shorter.metadata.deletion_timestamp).total_seconds() == 20
        core.delete_namespaced_pod("on-node", namespace, grace_period_seconds=0)
        core.delete_namespaced_pod("nowhere", namespace)
        assert core.list_namespaced_pod(namespace).items == []
    finally:
        api.close()
