"""The real kubectl 1.35 against a workspace: outputs asserted, not just exit codes.

Typed commands (`kubectl create configmap`, `auth can-i`) send protobuf bodies: see
tests/test_kubeproto.py."""

from __future__ import annotations

import base64
import json
import subprocess
import time
import urllib.request

from tests.apiserver import KUBECTL, VapiProcess

DEPLOYMENT = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: c, image: "nginx:1", env: [{name: A, value: "1"}]}
      - {name: d, image: busybox}
"""


def k(vapi: VapiProcess, ns: str, *args: str, **kw: object) -> str:
    return vapi.kubectl("-n", ns, *args, **kw).stdout  # type: ignore[arg-type]


def test_create_get_label_annotate_delete(vapi: VapiProcess, namespace: str) -> None:
    assert k(vapi, namespace, "create", "-f", "-", "--validate=false", input=DEPLOYMENT).strip() == "deployment.apps/web created"
    assert k(vapi, namespace, "get", "deployments", "-o", "name").split() == ["deployment.apps/web"]
    assert k(vapi, namespace, "label", "deploy", "web", "tier=fe").strip() == "deployment.apps/web labeled"
    assert k(vapi, namespace, "annotate", "deploy", "web", "note=hi").strip() == "deployment.apps/web annotated"
    got = json.loads(k(vapi, namespace, "get", "deploy", "web", "-o", "json"))
    assert got["metadata"]["labels"] == {"app": "web", "tier": "fe"}
    assert got["metadata"]["annotations"]["note"] == "hi"
    assert k(vapi, namespace, "get", "deploy", "-l", "tier=fe", "-o", "name").split() == ["deployment.apps/web"]
    assert k(vapi, namespace, "get", "deploy", "-l", "tier=be", "-o", "name").split() == []
    listed = vapi.kubectl("get", "deployments", "-A", "-o", "jsonpath={range .items[*]}{.metadata.namespace}/{.metadata.name} {end}").stdout
    assert f"{namespace}/web" in listed.split()
    assert k(vapi, namespace, "delete", "deploy", "web").strip() == f'deployment.apps "web" deleted from {namespace} namespace'
    assert k(vapi, namespace, "get", "deploy", "-o", "name").split() == []


def test_patch_all_three_types_scale_and_restart(vapi: VapiProcess, namespace: str) -> None:
    k(vapi, namespace, "create", "-f", "-", "--validate=false", input=DEPLOYMENT)
    k(vapi, namespace, "patch", "deploy", "web", "-p",
      '{"spec":{"template":{"spec":{"containers":[{"name":"c","image":"nginx:2"}]}}}}')
    k(vapi, namespace, "patch", "deploy", "web", "--type=merge", "-p", '{"metadata":{"labels":{"m":"1"}}}')
    k(vapi, namespace, "patch", "deploy", "web", "--type=json", "-p", '[{"op":"replace","path":"/spec/replicas","value":2}]')
    got = json.loads(k(vapi, namespace, "get", "deploy", "web", "-o", "json"))
    containers = got["spec"]["template"]["spec"]["containers"]
    assert [(c["name"], c["image"]) for c in containers] == [("c", "nginx:2"), ("d", "busybox")]
    assert containers[0]["env"] == [{"name": "A", "value": "1"}], "the strategic merge kept the rest"
    assert got["metadata"]["labels"] == {"app": "web", "m": "1"}
    assert got["spec"]["replicas"] == 2
    assert got["metadata"]["generation"] == 3

    assert k(vapi, namespace, "scale", "deploy", "web", "--replicas=5").strip() == "deployment.apps/web scaled"
    assert k(vapi, namespace, "get", "deploy", "web", "-o", "jsonpath={.spec.replicas}") == "5"
    scale = json.loads(vapi.kubectl("get", "--raw", f"/apis/apps/v1/namespaces/{namespace}/deployments/web/scale").stdout)
    assert scale["kind"] == "Scale" and scale["spec"]["replicas"] == 5 and scale["status"]["selector"] == "app=web"

    k(vapi, namespace, "rollout", "restart", "deploy", "web")
    annotations = json.loads(k(vapi, namespace, "get", "deploy", "web", "-o", "jsonpath={.spec.template.metadata.annotations}"))
    assert "kubectl.kubernetes.io/restartedAt" in annotations

    failed = vapi.kubectl("-n", namespace, "patch", "deploy", "web", "--type=json", "-p",
                          '[{"op":"test","path":"/spec/replicas","value":99}]', check=False)
    assert failed.returncode != 0 and "the server rejected our request due to an error in our request" in failed.stderr


def test_get_watch_sees_changes(vapi: VapiProcess, namespace: str) -> None:
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "watched"}, "data": {"a": "1"}}
    proc = subprocess.Popen(
        [KUBECTL, "--kubeconfig", vapi.kubeconfig, "-n", namespace, "get", "configmaps", "-w",
         "-o", "jsonpath={.metadata.name}={.data.a}{\"\\n\"}", "--request-timeout=20s"],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        time.sleep(1.0)
        k(vapi, namespace, "create", "-f", "-", "--validate=false", input=json.dumps(cm))
        k(vapi, namespace, "patch", "configmap", "watched", "--type=merge", "-p", '{"data":{"a":"2"}}')
        assert proc.stdout is not None
        lines = [proc.stdout.readline().strip(), proc.stdout.readline().strip()]
        assert lines == ["watched=1", "watched=2"]
    finally:
        proc.kill()
        proc.wait()


def test_wait_for_delete_and_jsonpath(vapi: VapiProcess, namespace: str) -> None:
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "w", "finalizers": ["x/y"]}, "data": {"ready": "yes"}}
    k(vapi, namespace, "create", "-f", "-", "--validate=false", input=json.dumps(cm))
    out = k(vapi, namespace, "wait", "configmap/w", "--for=jsonpath={.data.ready}=yes", "--timeout=10s")
    assert out.strip() == "configmap/w condition met"
    k(vapi, namespace, "delete", "configmap", "w", "--wait=false")
    waiter = subprocess.Popen(
        [KUBECTL, "--kubeconfig", vapi.kubeconfig, "-n", namespace, "wait", "configmap/w", "--for=delete", "--timeout=20s"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    time.sleep(1.0)
    assert waiter.poll() is None, "a finalizer holds the object"
    k(vapi, namespace, "patch", "configmap", "w", "--type=json", "-p", '[{"op":"remove","path":"/metadata/finalizers"}]')
    out, err = waiter.communicate(timeout=20)
    assert waiter.returncode == 0, err
    assert out.strip() == "configmap/w condition met"


def test_apply_twice_is_a_no_op(vapi: VapiProcess, namespace: str) -> None:
    assert k(vapi, namespace, "apply", "-f", "-", input=DEPLOYMENT).strip() == "deployment.apps/web created"
    rv = k(vapi, namespace, "get", "deploy", "web", "-o", "jsonpath={.metadata.resourceVersion}")
    assert k(vapi, namespace, "apply", "-f", "-", input=DEPLOYMENT).strip() == "deployment.apps/web unchanged"
    assert k(vapi, namespace, "get", "deploy", "web", "-o", "jsonpath={.metadata.resourceVersion}") == rv
    changed = DEPLOYMENT.replace("replicas: 1", "replicas: 3")
    diff = vapi.kubectl("-n", namespace, "diff", "-f", "-", input=changed, check=False)
    assert diff.returncode == 1 and "-  replicas: 1" in diff.stdout and "+  replicas: 3" in diff.stdout
    assert k(vapi, namespace, "get", "deploy", "web", "-o", "jsonpath={.spec.replicas}") == "1", "diff changes nothing"
    assert k(vapi, namespace, "apply", "-f", "-", input=changed).strip() == "deployment.apps/web configured"
    got = json.loads(k(vapi, namespace, "get", "deploy", "web", "-o", "json"))
    assert got["spec"]["replicas"] == 3 and got["metadata"]["generation"] == 2
    assert "kubectl.kubernetes.io/last-applied-configuration" in got["metadata"]["annotations"]


def test_apply_prune_by_label(vapi: VapiProcess, namespace: str) -> None:
    def cm(name: str) -> str:
        return json.dumps({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "labels": {"set": "p"}}})

    k(vapi, namespace, "apply", "-f", "-", input=cm("one") + "\n" + cm("two"))
    out = k(vapi, namespace, "apply", "--prune", "-l", "set=p", "--prune-allowlist=core/v1/ConfigMap", "-f", "-", input=cm("one"))
    assert "configmap/two pruned" in out
    assert k(vapi, namespace, "get", "cm", "-l", "set=p", "-o", "name").split() == ["configmap/one"]


def test_edit_and_describe(vapi: VapiProcess, namespace: str) -> None:
    k(vapi, namespace, "apply", "-f", "-", input=DEPLOYMENT)
    out = vapi.kubectl("-n", namespace, "edit", "deploy", "web", env={"KUBE_EDITOR": "sed -i s/nginx:1/nginx:9/"}).stdout
    assert out.strip() == "deployment.apps/web edited"
    assert k(vapi, namespace, "get", "deploy", "web", "-o", "jsonpath={.spec.template.spec.containers[0].image}") == "nginx:9"
    described = k(vapi, namespace, "describe", "deploy", "web")
    fields = dict(line.split(":", 1) for line in described.splitlines() if line and not line.startswith(" ") and ":" in line)
    fields = {key: value.strip() for key, value in fields.items()}
    assert fields["Name"] == "web" and fields["Namespace"] == namespace
    assert fields["Replicas"].startswith("1 desired")
    # the apiserver's defaults, as a real cluster shows them
    assert fields["StrategyType"] == "RollingUpdate"
    assert fields["RollingUpdateStrategy"] == "25% max unavailable, 25% max surge"
    assert "MinReadySeconds" in fields


def test_explain_uses_openapi_v3(vapi: VapiProcess) -> None:
    out = vapi.kubectl("explain", "deployment.spec.replicas").stdout
    assert "KIND:       Deployment" in out and "FIELD: replicas <integer>" in out
    assert "Number of desired pods" in out
    out = vapi.kubectl("explain", "pods.spec.containers.ports").stdout
    assert "FIELD: ports <[]ContainerPort>" in out


def test_get_prints_kube_columns(vapi: VapiProcess, namespace: str) -> None:
    k(vapi, namespace, "apply", "-f", "-", input=DEPLOYMENT)
    svc = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s", "labels": {"app": "web"}},
           "spec": {"clusterIP": "10.0.0.1", "ports": [{"port": 80}], "selector": {"app": "web"}}}
    k(vapi, namespace, "apply", "-f", "-", input=json.dumps(svc))
    lines = k(vapi, namespace, "get", "deploy").splitlines()
    assert lines[0].split() == ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]
    assert lines[1].split()[:4] == ["web", "0/1", "0", "0"]
    wide = k(vapi, namespace, "get", "deploy", "-o", "wide").splitlines()
    assert wide[0].split()[-3:] == ["CONTAINERS", "IMAGES", "SELECTOR"]
    assert wide[1].split()[-3:] == ["c,d", "nginx:1,busybox", "app=web"]
    svc_lines = k(vapi, namespace, "get", "svc", "--show-labels").splitlines()
    assert svc_lines[0].split() == ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE", "LABELS"]
    assert svc_lines[1].split()[:5] == ["s", "ClusterIP", "10.0.0.1", "<none>", "80/TCP"]
    assert svc_lines[1].split()[-1] == "app=web"
    ns_lines = vapi.kubectl("get", "namespace", namespace).stdout.splitlines()
    assert ns_lines[0].split() == ["NAME", "STATUS", "AGE"] and ns_lines[1].split()[:2] == [namespace, "Active"]
    other = vapi.kubectl("-n", namespace, "get", "roles")
    assert other.stdout == "" and other.stderr.strip() == f"No resources found in {namespace} namespace."


def test_unknown_fields_are_refused_by_the_server(vapi: VapiProcess, namespace: str) -> None:
    # kubectl finds fieldValidation on the PATCH operations of /openapi/v3 and leaves unknown
    # fields to the server (Strict by default), whose words it prints; --validate=warn warns
    bad = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: odd}\nbogus: 1\n"
    for args in (("apply",), ("create",)):
        out = vapi.kubectl("-n", namespace, *args, "-f", "-", input=bad, check=False)
        assert out.returncode == 1
        assert out.stderr.strip() == ('Error from server (BadRequest): error when creating "STDIN": ConfigMap in version "v1" '
                                      'cannot be handled as a ConfigMap: strict decoding error: unknown field "bogus"')
    # server-side apply's typed conversion refuses them whatever --validate asks for
    for validate in ("--validate=strict", "--validate=warn", "--validate=false"):
        out = vapi.kubectl("-n", namespace, "apply", "--server-side", validate, "-f", "-", input=bad, check=False)
        assert out.returncode == 1
        assert out.stderr.strip() == (f"Error from server (BadRequest): failed to create typed patch object ({namespace}/odd; "
                                      '/v1, Kind=ConfigMap): .bogus: field not declared in schema'), validate
    assert "configmap/odd" not in k(vapi, namespace, "get", "configmaps", "-o", "name").split()
    out = vapi.kubectl("-n", namespace, "apply", "--validate=warn", "-f", "-", input=bad)
    assert out.stdout.strip() == "configmap/odd created"
    assert 'Warning: unknown field "bogus"' in out.stderr
    assert "bogus" not in json.loads(k(vapi, namespace, "get", "configmap", "odd", "-o", "json"))  # only in last-applied


def test_kubectl_proxy_reaches_the_root_workspace(vapi: VapiProcess) -> None:
    # kubectl proxy drops the server URL's path (/clusters/root): unprefixed API paths are root's
    proxy = subprocess.Popen([KUBECTL, "--kubeconfig", vapi.kubeconfig, "proxy", "--port=0"],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert proxy.stdout is not None
        line = proxy.stdout.readline()
        assert line.startswith("Starting to serve on 127.0.0.1:"), line
        base = "http://" + line.split()[-1]
        with urllib.request.urlopen(f"{base}/api/v1/namespaces/default", timeout=10) as r:
            assert json.load(r)["metadata"]["name"] == "default"
        with urllib.request.urlopen(f"{base}/apis/apps/v1", timeout=10) as r:
            assert "deployments" in [x["name"] for x in json.load(r)["resources"]]
    finally:
        proxy.terminate()
        proxy.wait(10)


def test_deprecated_apis_warn(vapi: VapiProcess, namespace: str) -> None:
    out = vapi.kubectl("-n", namespace, "get", "endpoints")
    assert "Warning: v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice" in out.stderr
    assert "Warning" not in vapi.kubectl("-n", namespace, "get", "endpointslices").stderr


def test_failed_json_patch_is_kubes_generic_invalid(vapi: VapiProcess, namespace: str) -> None:
    k(vapi, namespace, "create", "configmap", "jp", "--from-literal=a=1")
    out = vapi.kubectl("-n", namespace, "patch", "configmap", "jp", "--type=json", "-p",
                       '[{"op":"remove","path":"/data/nope"}]', check=False)
    assert out.returncode == 1
    assert out.stderr.strip() == "The request is invalid: the server rejected our request due to an error in our request"
    code, _, body = vapi.request("PATCH", f"/clusters/root/api/v1/namespaces/{namespace}/configmaps/jp",
                                 b'[{"op":"test","path":"/data/a","value":"2"}]',
                                 headers={"Content-Type": "application/json-patch+json"})
    status = json.loads(body)
    assert (code, status["reason"], status["message"]) == (422, "Invalid", "the server rejected our request due to an error in our request")
    assert json.loads(k(vapi, namespace, "get", "configmap", "jp", "-o", "json"))["data"] == {"a": "1"}


def _csr_pem() -> str:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    csr = x509.CertificateSigningRequestBuilder().subject_name(
        x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "bob")])).sign(key, hashes.SHA256())
    return base64.b64encode(csr.public_bytes(serialization.Encoding.PEM)).decode()


def test_certificate_approve_through_the_approval_subresource(vapi: VapiProcess) -> None:
    name = f"csr-{time.time_ns()}"
    csr = {"apiVersion": "certificates.k8s.io/v1", "kind": "CertificateSigningRequest", "metadata": {"name": name},
           "spec": {"request": _csr_pem(), "signerName": "kubernetes.io/kube-apiserver-client",
                    "usages": ["client auth"], "username": "mallory", "groups": ["system:masters"]}}
    vapi.kubectl("create", "-f", "-", input=json.dumps(csr))
    got = json.loads(vapi.kubectl("get", "csr", name, "-o", "json").stdout)
    assert got["spec"]["username"] == "admin", "the requester is who created it, not what the body said"
    assert "system:authenticated" in got["spec"]["groups"] and "system:masters" in got["spec"]["groups"]
    assert vapi.kubectl("get", "csr", name, "--no-headers", "-o", "custom-columns=R:.spec.username").stdout.split() == ["admin"]

    assert vapi.kubectl("certificate", "approve", name).stdout.strip() == f"certificatesigningrequest.certificates.k8s.io/{name} approved"
    row = vapi.kubectl("get", "csr", name, "--no-headers").stdout.split()
    assert row[-1] == "Approved" and "admin" in row
    (approved,) = json.loads(vapi.kubectl("get", "csr", name, "-o", "json").stdout)["status"]["conditions"]
    assert approved["type"] == "Approved" and approved["reason"] == "KubectlApprove"
    assert approved["lastUpdateTime"] and approved["lastTransitionTime"], "the server stamps the condition's times"

    path = f"/clusters/root/apis/certificates.k8s.io/v1/certificatesigningrequests/{name}"
    live = json.loads(vapi.kubectl("get", "csr", name, "-o", "json").stdout)
    live["status"]["conditions"].append({"type": "Denied", "status": "True"})
    code, _, body = vapi.request("PUT", path + "/approval", json.dumps(live).encode(), headers={"Content-Type": "application/json"})
    assert code == 422 and json.loads(body)["message"] == (
        f'CertificateSigningRequest.certificates.k8s.io "{name}" is invalid: status.conditions[1].type: '
        'Invalid value: "Denied": Approved and Denied conditions are mutually exclusive')
    live["status"]["conditions"] = []
    code, _, body = vapi.request("PUT", path + "/approval", json.dumps(live).encode(), headers={"Content-Type": "application/json"})
    assert code == 422 and 'status.conditions: Forbidden: updates may not remove a condition of type "Approved"' in json.loads(body)["message"]
    live["status"]["conditions"] = [approved, {"type": "Failed", "status": "True"}]
    code, _, body = vapi.request("PUT", path + "/status", json.dumps(live).encode(), headers={"Content-Type": "application/json"})
    assert code == 200, body
    live = json.loads(body)
    live["spec"]["username"] = "mallory"
    code, _, body = vapi.request("PUT", path, json.dumps(live).encode(), headers={"Content-Type": "application/json"})
    assert code == 200 and json.loads(body)["spec"]["username"] == "admin", "the spec never changes after creation"


def test_secrets_hold_what_their_type_requires(vapi: VapiProcess, namespace: str) -> None:
    assert k(vapi, namespace, "create", "secret", "docker-registry", "reg", "--docker-server=r.io", "--docker-username=u",
             "--docker-password=p").strip() == "secret/reg created"
    assert k(vapi, namespace, "create", "secret", "generic", "ba", "--type=kubernetes.io/basic-auth",
             "--from-literal=username=u").strip() == "secret/ba created"

    def refused(secret_type: str, data: dict[str, str], annotations: dict[str, str] | None = None) -> str:
        body = {"apiVersion": "v1", "kind": "Secret", "type": secret_type, "data": data,
                "metadata": {"name": "bad", "annotations": annotations or {}}}
        out = vapi.kubectl("-n", namespace, "create", "-f", "-", input=json.dumps(body), check=False)
        assert out.returncode == 1
        return out.stderr.strip()

    assert refused("kubernetes.io/tls", {"tls.crt": "eA=="}) == 'The Secret "bad" is invalid: data[tls.key]: Required value'
    assert refused("kubernetes.io/dockerconfigjson", {".dockerconfigjson": base64.b64encode(b"x").decode()}) == (
        'The Secret "bad" is invalid: data[.dockerconfigjson]: Invalid value: "<secret contents redacted>": '
        "invalid character 'x' looking for beginning of value")
    assert refused("kubernetes.io/basic-auth", {"other": "eA=="}) == (
        'The Secret "bad" is invalid: \n* data[username]: Required value\n* data[password]: Required value')
    assert refused("kubernetes.io/service-account-token", {}) == (
        'The Secret "bad" is invalid: metadata.annotations[kubernetes.io/service-account.name]: Required value')
    assert refused("kubernetes.io/ssh-auth", {"ssh-privatekey": ""}) == (
        'The Secret "bad" is invalid: data[ssh-privatekey]: Required value')
    out = vapi.kubectl("-n", namespace, "patch", "secret", "reg", "-p", '{"type":"Opaque"}', check=False)
    assert out.stderr.strip() == 'The Secret "reg" is invalid: type: Invalid value: "Opaque": field is immutable'


def test_create_quota_is_validated_as_kube_does(vapi: VapiProcess, namespace: str) -> None:
    assert k(vapi, namespace, "create", "quota", "ok", "--hard=pods=2,requests.cpu=1,count/deployments.apps=3,"
             "requests.nvidia.com/gpu=1", "--scopes=NotTerminating").strip() == "resourcequota/ok created"
    assert json.loads(k(vapi, namespace, "get", "quota", "ok", "-o", "json"))["spec"]["scopes"] == ["NotTerminating"]

    def refused(*args: str) -> str:
        out = vapi.kubectl("-n", namespace, "create", "quota", "bad", *args, check=False)
        assert out.returncode == 1
        return out.stderr.strip().removeprefix('error: failed to create quota: ResourceQuota "bad" is invalid: ')

    assert refused("--hard=cpu=1", "--scopes=BestEffort") == 'spec.scopes: Invalid value: ["BestEffort"]: unsupported scope applied to resource'
    assert refused("--hard=pods=1", "--scopes=Terminating,NotTerminating") == (
        'spec.scopes: Invalid value: ["Terminating","NotTerminating"]: conflicting scopes')
    assert refused("--hard=pods=1", "--scopes=Someday") == 'spec.scopes: Invalid value: ["Someday"]: unsupported scope'
    assert refused("--hard=pods=-1") == 'spec.hard[pods]: Invalid value: "-1": must be greater than or equal to 0'
    assert refused("--hard=widgets=1,secrets=1500m") == (
        '[spec.hard[secrets]: Invalid value: "1500m": must be an integer, '
        'spec.hard[widgets]: Invalid value: "widgets": must be a standard resource for quota]')


def test_objects_read_back_as_kube_encodes_its_go_values(vapi: VapiProcess, namespace: str) -> None:
    """What encoding/json writes for fields left out: empty structs, null slices without
    omitempty, zero scalars without omitempty, null times."""
    k(vapi, namespace, "create", "deployment", "web", "--image=nginx:1")
    assert json.loads(k(vapi, namespace, "get", "deploy", "web", "-o", "json"))["status"] == {}
    k(vapi, namespace, "create", "cronjob", "tick", "--image=busybox", "--schedule=* * * * *")
    assert json.loads(k(vapi, namespace, "get", "cronjob", "tick", "-o", "json"))["status"] == {}
    name = f"agg-{namespace}"
    vapi.kubectl("create", "clusterrole", name, "--aggregation-rule=team=a")
    got = json.loads(vapi.kubectl("get", "clusterrole", name, "-o", "json").stdout)
    assert "rules" in got and got["rules"] is None
    vapi.kubectl("create", "-f", "-", input=json.dumps({"apiVersion": "v1", "kind": "Node", "metadata": {"name": name}}))
    node = json.loads(vapi.kubectl("get", "node", name, "-o", "json").stdout)
    assert node["spec"] == {} and node["status"]["daemonEndpoints"] == {"kubeletEndpoint": {"Port": 0}}
    assert node["status"]["nodeInfo"]["kubeletVersion"] == ""
    k(vapi, namespace, "create", "-f", "-", input=json.dumps({
        "apiVersion": "v1", "kind": "Event", "metadata": {"name": "e1"}, "involvedObject": {"kind": "Pod", "name": "p"},
        "reason": "Started", "message": "hi", "type": "Normal"}))
    event = json.loads(k(vapi, namespace, "get", "event", "e1", "-o", "json"))
    assert (event["reportingComponent"], event["eventTime"], event["firstTimestamp"], event["source"]) == ("", None, None, {})
