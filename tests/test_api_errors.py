"""Bad input of every kind gets a Status with the code and reason kube-apiserver uses, and
stores nothing."""

from __future__ import annotations

import json

import pytest

from tests.apiserver import VapiProcess

CMS = "/clusters/root/api/v1/namespaces/{ns}/configmaps"
JSON = {"Content-Type": "application/json"}
YAML = {"Content-Type": "application/yaml"}


def good(name: str = "ok") -> dict:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": {"a": "b"}}


CASES = [
    pytest.param("POST", CMS, b"{not json", JSON, 400, "BadRequest", id="malformed-json"),
    pytest.param("POST", CMS, b"a: [unclosed", YAML, 400, "BadRequest", id="malformed-yaml"),
    pytest.param("POST", CMS, b"[1, 2]", JSON, 400, "BadRequest", id="not-an-object"),
    # YAML as sigs.k8s.io/yaml turns it into JSON, or a 400 (a self-referring alias was a crash)
    pytest.param("POST", CMS, b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\nextra: &a {a: *a}\n", YAML, 400, "BadRequest", id="yaml-alias-loop"),
    pytest.param("POST", CMS, b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\nx0: &x0 [a, a, a, a, a, a, a, a, a]\n"
                 + b"".join(b"x%d: &x%d [%s]\n" % (i, i, b", ".join([b"*x%d" % (i - 1)] * 9)) for i in range(1, 8)),
                 YAML, 400, "BadRequest", id="yaml-excessive-aliasing"),
    pytest.param("POST", CMS, b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\nextra: .inf\n", YAML, 400, "BadRequest", id="yaml-infinity"),
    pytest.param("POST", CMS, b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\nextra: {null: 1}\n", YAML, 400, "BadRequest", id="yaml-null-key"),
    pytest.param("POST", CMS, b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\nextra: 1" + b"0" * 400 + b"\n", YAML, 400, "BadRequest", id="yaml-huge-int"),
    pytest.param("POST", CMS, json.dumps({**good(), "kind": "Secret"}).encode(), JSON, 400, "BadRequest", id="wrong-kind"),
    pytest.param("POST", CMS, json.dumps({**good(), "apiVersion": "apps/v1"}).encode(), JSON, 400, "BadRequest", id="wrong-api-version"),
    pytest.param("POST", CMS, json.dumps(good("Bad_Name")).encode(), JSON, 422, "Invalid", id="invalid-name"),
    pytest.param("POST", CMS, json.dumps({**good(), "metadata": {"generateName": ""}}).encode(), JSON, 422, "Invalid", id="no-name"),
    pytest.param("POST", CMS, json.dumps({**good(), "metadata": {"name": "x", "labels": {"bad key!": "v"}}}).encode(), JSON, 422, "Invalid", id="invalid-label-key"),
    pytest.param("POST", CMS, json.dumps({**good(), "metadata": {"name": "x", "labels": {"k": 5}}}).encode(), JSON, 400, "BadRequest", id="label-wrong-type"),
    pytest.param("POST", CMS, json.dumps({**good(), "metadata": "x"}).encode(), JSON, 400, "BadRequest", id="metadata-wrong-type"),
    pytest.param("POST", CMS, json.dumps({**good(), "metadata": {"name": "x", "namespace": "other"}}).encode(), JSON, 400, "BadRequest", id="namespace-mismatch"),
    pytest.param("POST", CMS, json.dumps(good()).encode(), {"Content-Type": "text/plain"}, 415, "UnsupportedMediaType", id="unknown-media-type"),
    pytest.param("POST", CMS, b'{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"big"},"data":{"a":"' + b"x" * (4 << 20) + b'"}}', JSON, 413, "RequestEntityTooLarge", id="oversized-body"),
    pytest.param("GET", CMS + "?labelSelector=a%20in%20(", None, {}, 400, "BadRequest", id="bad-label-selector"),
    pytest.param("GET", CMS + "?labelSelector=-bad-=x", None, {}, 400, "BadRequest", id="bad-label-key"),
    pytest.param("GET", CMS + "?fieldSelector=spec.nothing=x", None, {}, 400, "BadRequest", id="unsupported-field-selector"),
    pytest.param("GET", CMS + "?limit=abc", None, {}, 400, "BadRequest", id="bad-limit"),
    pytest.param("GET", CMS + "?limit=" + str(2**70), None, {}, 400, "BadRequest", id="limit-past-int64"),
    pytest.param("GET", CMS + "?watch=true&timeoutSeconds=" + str(2**63), None, {}, 400, "BadRequest", id="timeout-past-int64"),
    pytest.param("GET", CMS + "?resourceVersion=abc", None, {}, 400, "BadRequest", id="bad-resource-version"),
    pytest.param("GET", CMS + "?continue=garbage!!", None, {}, 400, "BadRequest", id="bad-continue"),
    pytest.param("GET", CMS + "?resourceVersionMatch=Sometimes&resourceVersion=1", None, {}, 422, "Invalid", id="bad-rv-match"),
    # ValidateCreateOptions: 422 on CreateOptions.meta.k8s.io
    pytest.param("POST", CMS + "?dryRun=Some", json.dumps(good()).encode(), JSON, 422, "Invalid", id="bad-dry-run"),
    pytest.param("POST", CMS + "?fieldValidation=Loose", json.dumps(good()).encode(), JSON, 422, "Invalid", id="bad-field-validation"),
    pytest.param("POST", CMS + "?fieldManager=" + "m" * 129, json.dumps(good()).encode(), JSON, 422, "Invalid", id="long-field-manager"),
    pytest.param("POST", "/clusters/root/api/v1/namespaces/missing-ns/configmaps", json.dumps(good()).encode(), JSON, 404, "NotFound", id="missing-namespace"),
    pytest.param("PUT", CMS + "/nothere", json.dumps(good("nothere")).encode(), JSON, 404, "NotFound", id="update-missing"),
    pytest.param("PUT", CMS + "/other", json.dumps(good("ok")).encode(), JSON, 400, "BadRequest", id="update-name-mismatch"),
    pytest.param("POST", "/clusters/root/api/v1/componentstatuses", json.dumps({"apiVersion": "v1", "kind": "ComponentStatus", "metadata": {"name": "x"}}).encode(), JSON, 405, "MethodNotAllowed", id="verb-not-supported"),
    pytest.param("DELETE", CMS + "/nothere", None, {}, 404, "NotFound", id="delete-missing"),
]


@pytest.mark.parametrize("method,path,body,headers,code,reason", CASES)
def test_bad_input_gets_status_and_stores_nothing(
    vapi: VapiProcess, namespace: str, method: str, path: str, body: bytes | None,
    headers: dict[str, str], code: int, reason: str,
) -> None:
    got, resp_headers, out = vapi.request(method, path.format(ns=namespace), body, headers=headers)
    status = json.loads(out)
    assert (got, status["kind"], status["reason"], status["code"]) == (code, "Status", reason, code), status
    assert status["status"] == "Failure" and status["message"]
    _, _, listed = vapi.request("GET", CMS.format(ns=namespace))
    assert json.loads(listed)["items"] == [], "nothing was stored"


def test_invalid_names_list_their_causes(vapi: VapiProcess, namespace: str) -> None:
    _, _, out = vapi.request("POST", CMS.format(ns=namespace), json.dumps(good("UPPER")).encode(), headers=JSON)
    status = json.loads(out)
    assert status["details"]["causes"][0]["field"] == "metadata.name"
    assert status["details"]["name"] == "UPPER" and status["details"]["kind"] == "ConfigMap"


DEPLOY = "/clusters/root/apis/apps/v1/namespaces/{ns}/deployments"


def deployment(extra_spec: dict) -> bytes:
    return json.dumps({
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
        "spec": {"selector": {"matchLabels": {"a": "b"}}, "template": {"metadata": {"labels": {"a": "b"}},
                 "spec": {"containers": [{"name": "c", "image": "i", "bogus": 1}]}}, **extra_spec},
    }).encode()


def test_unknown_fields_under_strict_are_refused(vapi: VapiProcess, namespace: str) -> None:
    code, _, out = vapi.request("POST", DEPLOY.format(ns=namespace) + "?fieldValidation=Strict",
                                deployment({"foo": "bar"}), headers=JSON)
    status = json.loads(out)
    assert (code, status["reason"]) == (400, "BadRequest")
    assert 'unknown field "spec.foo"' in status["message"]
    assert 'unknown field "spec.template.spec.containers[0].bogus"' in status["message"]
    assert json.loads(vapi.request("GET", DEPLOY.format(ns=namespace))[2])["items"] == []


@pytest.mark.parametrize("mode,warned", [pytest.param("", True, id="default-warn"), pytest.param("Ignore", False, id="ignore")])
def test_unknown_fields_are_dropped_with_or_without_warning(vapi: VapiProcess, namespace: str, mode: str, warned: bool) -> None:
    query = f"?fieldValidation={mode}" if mode else ""
    code, headers, out = vapi.request("POST", DEPLOY.format(ns=namespace) + query, deployment({"foo": "bar"}), headers=JSON)
    assert code == 201
    stored = json.loads(out)
    assert "foo" not in stored["spec"] and "bogus" not in stored["spec"]["template"]["spec"]["containers"][0]
    warnings = headers.get_all("Warning") or []
    assert ('299 - "unknown field \\"spec.foo\\""' in warnings) == warned, warnings
    assert len(warnings) == (2 if warned else 0)


@pytest.mark.parametrize(
    "spec,field",
    [
        # Go's encoding/json words: the innermost struct, the path without indices, the Go type
        pytest.param({"replicas": "three"}, "string into Go struct field DeploymentSpec.spec.replicas of type int32", id="string-for-int"),
        pytest.param({"replicas": True}, "bool into Go struct field DeploymentSpec.spec.replicas of type int32", id="bool-for-int"),
        pytest.param({"paused": "yes"}, "string into Go struct field DeploymentSpec.spec.paused of type bool", id="string-for-bool"),
        pytest.param({"selector": ["a"]}, "array into Go struct field DeploymentSpec.spec.selector of type v1.LabelSelector", id="list-for-object"),
        pytest.param({"strategy": {"rollingUpdate": {"maxSurge": {"a": 1}}}},
                     "object into Go struct field RollingUpdateDeployment.spec.strategy.rollingUpdate.maxSurge of type intstr.IntOrString",
                     id="object-for-int-or-string"),
        pytest.param({"template": {"spec": {"containers": [{"name": "c", "image": 5}]}}},
                     "number into Go struct field Container.spec.template.spec.containers.image of type string", id="in-a-list"),
        # a number an integer field cannot hold is named (and was stored, or a 500 when over 64 bits)
        pytest.param({"replicas": 2**40}, "number 1099511627776 into Go struct field DeploymentSpec.spec.replicas of type int32",
                     id="int32-overflow"),
        pytest.param({"replicas": 2**70}, "number 1180591620717411303424 into Go struct field DeploymentSpec.spec.replicas of type int32",
                     id="over-64-bits"),
        pytest.param({"replicas": 2.5}, "number 2.5 into Go struct field DeploymentSpec.spec.replicas of type int32", id="fraction"),
        pytest.param({"progressDeadlineSeconds": -(2**31) - 1},
                     "number -2147483649 into Go struct field DeploymentSpec.spec.progressDeadlineSeconds of type int32", id="int32-underflow"),
        pytest.param({"template": {"spec": {"activeDeadlineSeconds": 2**63}}},
                     "number 9223372036854775808 into Go struct field PodSpec.spec.template.spec.activeDeadlineSeconds of type int64",
                     id="int64-overflow"),
    ],
)
def test_wrong_field_types_are_400(vapi: VapiProcess, namespace: str, spec: dict, field: str) -> None:
    code, _, out = vapi.request("POST", DEPLOY.format(ns=namespace), deployment(spec), headers=JSON)
    status = json.loads(out)
    assert (code, status["reason"]) == (400, "BadRequest"), status
    assert status["message"] == ('Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal ' + field)
    assert json.loads(vapi.request("GET", DEPLOY.format(ns=namespace))[2])["items"] == []


def test_int_or_string_and_quantities_accept_both(vapi: VapiProcess, namespace: str) -> None:
    body = json.loads(deployment({"strategy": {"rollingUpdate": {"maxSurge": 1, "maxUnavailable": "25%"}}}))
    body["spec"]["template"]["spec"]["containers"][0].pop("bogus")
    body["spec"]["template"]["spec"]["containers"][0]["resources"] = {
        "limits": {"cpu": 1, "memory": "1.5Gi"}, "requests": {"cpu": 0.25, "memory": "1024Mi", "ephemeral-storage": "2000M"}}
    code, _, out = vapi.request("POST", DEPLOY.format(ns=namespace), json.dumps(body).encode(), headers=JSON)
    assert code == 201, out
    # stored in canonical form, as resource.Quantity serializes: apimachinery quantity.go
    # CanonicalizeBytes (decimal: integer mantissa, exponent a multiple of 3; binary: the
    # largest power of 1024 that divides the value)
    resources = json.loads(out)["spec"]["template"]["spec"]["containers"][0]["resources"]
    assert resources == {"limits": {"cpu": "1", "memory": "1536Mi"},
                         "requests": {"cpu": "250m", "memory": "1Gi", "ephemeral-storage": "2G"}}


@pytest.mark.parametrize("value,message", [
    ("abc", "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"),
    ("1.2.3", "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"),
    ("2K", "unable to parse quantity's suffix"),
    ("1e", "unable to parse quantity's suffix"),
])
def test_bad_quantities_are_400(vapi: VapiProcess, namespace: str, value: str, message: str) -> None:
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "q"},
           "spec": {"containers": [{"name": "c", "image": "i", "resources": {"limits": {"memory": value}}}]}}
    pods = f"/clusters/root/api/v1/namespaces/{namespace}/pods"
    code, _, out = vapi.request("POST", pods, json.dumps(pod).encode(), headers=JSON)
    status = json.loads(out)
    assert (code, status["reason"]) == (400, "BadRequest"), status
    assert status["message"] == f'Pod in version "v1" cannot be handled as a Pod: {message}'
    assert json.loads(vapi.request("GET", pods)[2])["items"] == []


# Valid objects of kinds with defaulting and validation of their own (vapi/defaults.py,
# vapi/kindrules.py), to be broken at random below
VALID = {
    "/apis/apps/v1/namespaces/{ns}/deployments": {
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d", "labels": {"a": "b"}},
        "spec": {"replicas": 2, "selector": {"matchLabels": {"a": "b"}}, "strategy": {"rollingUpdate": {"maxSurge": 1}},
                 "template": {"metadata": {"labels": {"a": "b"}}, "spec": {"containers": [
                     {"name": "c", "image": "i", "ports": [{"containerPort": 80}], "readinessProbe": {"httpGet": {"port": 80}},
                      "env": [{"name": "X", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}]}],
                     "volumes": [{"name": "v", "configMap": {"name": "x"}}]}}}},
    "/api/v1/namespaces/{ns}/pods": {
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
        "spec": {"containers": [{"name": "c", "image": "i", "resources": {"limits": {"cpu": "1"}}}]}},
    "/api/v1/namespaces/{ns}/services": {
        "apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"},
        "spec": {"type": "NodePort", "ports": [{"port": 80, "targetPort": 8080}], "selector": {"a": "b"}}},
    "/api/v1/namespaces/{ns}/configmaps": {
        "apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a": "b"}, "immutable": False},
    "/apis/batch/v1/namespaces/{ns}/cronjobs": {
        "apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "j"},
        "spec": {"schedule": "* * * * *", "jobTemplate": {"spec": {"template": {"spec": {
            "restartPolicy": "Never", "containers": [{"name": "c", "image": "i"}]}}}}}},
}
ODD_VALUES = [None, "", 0, -1, [], {}, "x", True, [None], [1], {"a": None}, 70000]


def test_randomly_broken_objects_never_get_a_500(vapi: VapiProcess, namespace: str) -> None:
    """Creates, updates and merge patches of valid objects with one to three values swapped
    for odd ones (seeded, so a failure reproduces): every answer is a success or a 4xx Status."""
    import copy
    import random

    def paths(o: object, at: tuple = ()) -> list[tuple]:
        inner = o.items() if isinstance(o, dict) else enumerate(o) if isinstance(o, list) else []
        return [at] + [p for k, v in inner for p in paths(v, at + (k,))]

    def send(method: str, path: str, body: object, ctype: str = "application/json") -> tuple[int, bytes]:
        got, _, out = vapi.request(method, path, json.dumps(body).encode(), headers={"Content-Type": ctype})
        return got, out

    rng = random.Random(1128)
    for _ in range(150):
        collection, valid = rng.choice(list(VALID.items()))
        collection = "/clusters/root" + collection.format(ns=namespace)
        broken = copy.deepcopy(valid)
        for _ in range(rng.randint(1, 3)):
            where = rng.choice([p for p in paths(broken) if p and p[0] not in ("apiVersion", "kind") and p != ("metadata", "name")])
            node = broken
            for k in where[:-1]:
                node = node[k]
            node[where[-1]] = copy.deepcopy(rng.choice(ODD_VALUES))
        item = f"{collection}/{valid['metadata']['name']}"
        vapi.request("DELETE", item)
        method = rng.choice(["POST", "PUT", "PATCH"])
        if method != "POST":
            assert send("POST", collection, valid)[0] == 201
        got, out = (send("POST", collection, broken) if method == "POST" else send("PUT", item, broken) if method == "PUT"
                    else send("PATCH", item, broken, "application/merge-patch+json"))
        assert got < 500, (method, broken, out[:300])
        if got >= 400:
            assert json.loads(out)["kind"] == "Status"


def test_nulls_are_decoded_as_kube_decodes_them(vapi: VapiProcess, namespace: str) -> None:
    """kube-apiserver decodes bodies into Go structs: a null field is nil and left out (then
    defaulted), a null in a map of strings is "" (encoding/json; ObjectMeta.labels)."""
    body = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "nulls", "labels": {"a": None}, "annotations": None},
            "spec": {"replicas": None, "selector": {"matchLabels": {"app": "n"}}, "template": {
                "metadata": {"labels": {"app": "n"}},
                "spec": {"nodeSelector": None, "containers": [{"name": "c", "image": "i", "args": None,
                                                                "resources": {"limits": {"cpu": None}}}]}}}}
    code, _, out = vapi.request("POST", DEPLOY.format(ns=namespace), json.dumps(body).encode(), headers=JSON)
    assert code == 201, out
    stored = json.loads(out)
    assert stored["metadata"]["labels"] == {"a": ""} and "annotations" not in stored["metadata"]
    assert stored["spec"]["replicas"] == 1  # defaulted, as for an absent field
    pod = stored["spec"]["template"]["spec"]
    assert "nodeSelector" not in pod and "args" not in pod["containers"][0]
    assert pod["containers"][0]["resources"] == {"limits": {"cpu": "0"}}  # the zero Quantity


def test_empty_values_of_omitempty_fields_are_left_out(vapi: VapiProcess, namespace: str) -> None:
    """encoding/json leaves out `omitempty` fields at their zero value ("" 0 false [] {}),
    so kube-apiserver never stores them; pointers (replicas) and structs (resources) stay."""
    body = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "empties", "labels": {}, "finalizers": []},
            "spec": {"replicas": 0, "paused": False, "minReadySeconds": 0, "selector": {"matchLabels": {"app": "e"}},
                     "template": {"metadata": {"labels": {"app": "e"}, "annotations": {}}, "spec": {
                         "hostNetwork": False, "volumes": [], "nodeSelector": {},
                         "containers": [{"name": "c", "image": "i", "args": [], "env": [], "workingDir": "", "resources": {}}]}}}}
    code, _, out = vapi.request("POST", DEPLOY.format(ns=namespace), json.dumps(body).encode(), headers=JSON)
    assert code == 201, out
    stored = json.loads(out)
    assert "labels" not in stored["metadata"] and "finalizers" not in stored["metadata"]
    assert stored["spec"]["replicas"] == 0 and "paused" not in stored["spec"] and "minReadySeconds" not in stored["spec"]
    template = stored["spec"]["template"]
    assert "annotations" not in template["metadata"]
    assert not {"hostNetwork", "volumes", "nodeSelector"} & set(template["spec"])
    container = template["spec"]["containers"][0]
    assert not {"args", "env", "workingDir"} & set(container) and container["resources"] == {}


def test_a_crd_property_schema_of_null_is_an_empty_schema(vapi: VapiProcess) -> None:
    crd = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "metadata": {"name": "nulls.ex.com"},
           "spec": {"group": "ex.com", "scope": "Namespaced", "names": {"plural": "nulls", "kind": "Null"},
                    "versions": [{"name": "v1", "served": True, "storage": True, "schema": {"openAPIV3Schema": {
                        "type": "object", "properties": {"spec": {"type": "object", "properties": {"port": None, "size": {"type": "integer", "minimum": None}}}}}}}]}}
    code, _, out = vapi.request("POST", "/clusters/root/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
                                json.dumps(crd).encode(), headers=JSON)
    status = json.loads(out)
    assert (code, status["reason"]) == (422, "Invalid"), status
    assert [c["field"] for c in status["details"]["causes"]] == [
        "spec.validation.openAPIV3Schema.properties[spec].properties[port].type"], status


@pytest.mark.parametrize(("method", "query", "message"), [
    pytest.param("POST", "?dryRun=Some", 'CreateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: ["Some"]: '
                 'supported values: "All"', id="dry-run"),
    pytest.param("POST", "?fieldValidation=Loose", 'CreateOptions.meta.k8s.io "" is invalid: fieldValidation: Unsupported value: '
                 '"Loose": supported values: "", "Ignore", "Strict", "Warn"', id="field-validation"),
    pytest.param("PUT", "/x?fieldManager=" + "m" * 129, 'UpdateOptions.meta.k8s.io "" is invalid: fieldManager: Too long: '
                 "may not be more than 128 bytes", id="field-manager"),
    pytest.param("DELETE", "/x?dryRun=no", 'DeleteOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: ["no"]: '
                 'supported values: "All"', id="delete-dry-run"),
])
def test_bad_options_are_invalid_options(vapi: VapiProcess, namespace: str, method: str, query: str, message: str) -> None:
    # k8s.io/apimachinery/pkg/apis/meta/v1/validation: Validate{Create,Update,Delete}Options,
    # answered with NewInvalid on the options kind of meta.k8s.io
    body = json.dumps(good("x")).encode() if method != "DELETE" else None
    got, _, out = vapi.request(method, CMS.format(ns=namespace) + query, body, headers=JSON if body else {})
    status = json.loads(out)
    assert (got, status["reason"], status["message"]) == (422, "Invalid", message)


def test_yaml_is_read_as_kube_reads_it(vapi: VapiProcess, namespace: str) -> None:
    """sigs.k8s.io/yaml (yaml.v2 into interface{}, then JSON): timestamps stay strings,
    `!!binary` is its text, number and boolean keys are strings, integers past 64 bits are
    floats (which no integer field takes)."""
    body = (b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: y, labels: {1: a, false: b}}\n"
            b"data: {at: 2024-01-01T00:00:00Z, day: 2024-01-01, bin: !!binary aGVsbG8=}\n")
    code, _, out = vapi.request("POST", CMS.format(ns=namespace), body, headers=YAML)
    assert code == 201, out
    stored = json.loads(out)
    assert stored["data"] == {"at": "2024-01-01T00:00:00Z", "day": "2024-01-01", "bin": "hello"}
    assert stored["metadata"]["labels"] == {"1": "a", "false": "b"}
    deploy = (b"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: big}\nspec: {replicas: 1180591620717411303424, "
              b"selector: {matchLabels: {a: b}}, template: {metadata: {labels: {a: b}}, spec: {containers: [{name: c, image: i}]}}}\n")
    code, _, out = vapi.request("POST", DEPLOY.format(ns=namespace), deploy, headers=YAML)
    assert (code, json.loads(out)["message"]) == (400, 'Deployment in version "v1" cannot be handled as a Deployment: json: cannot '
                                                  "unmarshal number 1180591620717411303424 into Go struct field DeploymentSpec.spec.replicas of type int32")
    assert json.loads(vapi.request("GET", DEPLOY.format(ns=namespace))[2])["items"] == []


def test_patches_may_not_nest_too_deeply(vapi: VapiProcess, namespace: str) -> None:
    """An object, a patch, or a JSON patch copying a value into itself may not nest the object
    deeper than vapi stores (orjson writes 254 levels): a 400 (was a 500), and nothing changes."""
    crds = "/clusters/root/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
    crd = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "metadata": {"name": "deeps.ex.com"},
           "spec": {"group": "ex.com", "scope": "Namespaced", "names": {"plural": "deeps", "kind": "Deep"},
                    "versions": [{"name": "v1", "served": True, "storage": True, "schema": {"openAPIV3Schema": {
                        "type": "object", "x-kubernetes-preserve-unknown-fields": True}}}]}}
    code, _, out = vapi.request("POST", crds, json.dumps(crd).encode(), headers=JSON)
    assert code == 201, out
    deeps = f"/clusters/root/apis/ex.com/v1/namespaces/{namespace}/deeps"
    nested: object = 1
    for _ in range(200):
        nested = {"a": nested}
    body = json.dumps({"apiVersion": "ex.com/v1", "kind": "Deep", "metadata": {"name": "d"}, "spec": nested}).encode()
    for _ in range(50):  # the CRD's kind may take a moment to be served
        code, _, out = vapi.request("POST", deeps, body, headers=JSON)
        if code != 404:
            break
    assert code == 201, out
    rv = json.loads(out)["metadata"]["resourceVersion"]
    too_deep = {"apiVersion": "ex.com/v1", "kind": "Deep", "metadata": {"name": "e"}, "spec": {"x": [nested, "here"]}}
    code, _, out = vapi.request("POST", deeps, json.dumps(too_deep).replace('"here"', "[" * 260 + "]" * 260).encode(), headers=JSON)
    assert (code, json.loads(out)["reason"]) == (400, "BadRequest"), out
    for ctype, patch in (("application/json-patch+json", [{"op": "copy", "from": "/spec", "path": "/spec" + "/a" * 100 + "/b"}]),
                         ("application/merge-patch+json", {"other": json.loads("[" * 300 + "]" * 300)})):
        code, _, out = vapi.request("PATCH", f"{deeps}/d", json.dumps(patch).encode(), headers={"Content-Type": ctype})
        status = json.loads(out)
        assert (code, status["reason"]) == (400, "BadRequest") and "nested too deeply" in status["message"], status
    assert json.loads(vapi.request("GET", f"{deeps}/d")[2])["metadata"]["resourceVersion"] == rv
    assert [i["metadata"]["name"] for i in json.loads(vapi.request("GET", deeps)[2])["items"]] == ["d"]
    vapi.request("DELETE", f"{crds}/deeps.ex.com")


def test_long_urls_get_an_answer_from_vapi(vapi: VapiProcess, namespace: str) -> None:
    """A name longer than any stored key is simply not found (was a 413 naming the storage
    key), also past aiohttp's 8 KiB request line (Go's net/http reads 1 MiB)."""
    for method in ("GET", "DELETE"):
        for length in (2000, 20000):
            code, _, out = vapi.request(method, CMS.format(ns=namespace) + "/" + "a" * length)
            assert (code, json.loads(out)["reason"]) == (404, "NotFound"), out[:300]


def test_wrongly_typed_delete_options_delete_nothing(vapi: VapiProcess, namespace: str) -> None:
    code, _, out = vapi.request("POST", CMS.format(ns=namespace), json.dumps(good("kept")).encode(), headers=JSON)
    assert code == 201, out
    code, _, out = vapi.request("DELETE", CMS.format(ns=namespace) + "/kept", b'{"preconditions": "x"}', headers=JSON)
    assert (code, json.loads(out)["message"]) == (400, "json: cannot unmarshal string into Go struct field "
                                                  "DeleteOptions.preconditions of type v1.Preconditions"), out
    assert vapi.request("GET", CMS.format(ns=namespace) + "/kept")[0] == 200


@pytest.mark.parametrize("resource,body", [
    pytest.param("leases", {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": {"name": "t"},
                            "spec": {"renewTime": "garbage"}}, id="micro-time"),
    pytest.param("leases", {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": {"name": "t"},
                            "spec": {"acquireTime": "2024-02-30T00:00:00.000000Z"}}, id="no-such-day"),
    pytest.param("events", {"apiVersion": "v1", "kind": "Event", "metadata": {"name": "t"}, "firstTimestamp": "2024-01-01",
                            "involvedObject": {"name": "x"}}, id="date-only"),
    pytest.param("configmaps", {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "t", "creationTimestamp": "now"}},
                 id="object-meta"),
])
def test_times_that_do_not_parse_are_400(vapi: VapiProcess, namespace: str, resource: str, body: dict) -> None:
    """metav1.Time and MicroTime decode with time.Parse: anything else is a 400 (it was stored,
    and then no Go client could read the object)."""
    group = body["apiVersion"].rpartition("/")[0]
    path = f"/clusters/root/{'apis/' + group + '/v1' if group else 'api/v1'}/namespaces/{namespace}/{resource}"
    code, _, out = vapi.request("POST", path, json.dumps(body).encode(), headers=JSON)
    status = json.loads(out)
    assert (code, status["reason"]) == (400, "BadRequest"), status
    assert f'{body["kind"]} in version "v1" cannot be handled as a {body["kind"]}: parsing time "' in status["message"]
    assert json.loads(vapi.request("GET", path)[2])["items"] == []


@pytest.mark.parametrize("scale,message", [
    pytest.param({"spec": 3}, "json: cannot unmarshal number into Go struct field Scale.spec of type v1.ScaleSpec", id="spec-not-object"),
    pytest.param({"metadata": "x", "spec": {"replicas": 3}}, "json: cannot unmarshal string into Go struct field Scale.metadata of type v1.ObjectMeta",
                 id="metadata-not-object"),
    pytest.param({"spec": {"replicas": 2**40}}, "json: cannot unmarshal number 1099511627776 into Go struct field ScaleSpec.spec.replicas of type int32",
                 id="replicas-past-int32"),
])
def test_bad_scale_bodies_are_400(vapi: VapiProcess, namespace: str, scale: dict, message: str) -> None:
    """A Scale is decoded into autoscaling/v1 Scale: wrong types are a 400 (a spec that was no
    object was a 500) and the workload keeps its replicas."""
    code, _, out = vapi.request("POST", DEPLOY.format(ns=namespace), deployment({"replicas": 2}).replace(b', "bogus": 1', b""),
                                headers=JSON)
    assert code == 201, out
    body = {"apiVersion": "autoscaling/v1", "kind": "Scale", "metadata": {"name": "d"}, **scale}
    for method, ctype in (("PUT", "application/json"), ("PATCH", "application/merge-patch+json")):
        code, _, out = vapi.request(method, DEPLOY.format(ns=namespace) + "/d/scale", json.dumps(body).encode(),
                                    headers={"Content-Type": ctype})
        status = json.loads(out)
        assert (code, status["reason"], status["message"]) == (400, "BadRequest", 'Scale in version "v1" cannot be handled as a Scale: '
                                                               + message), status
    assert json.loads(vapi.request("GET", DEPLOY.format(ns=namespace) + "/d")[2])["spec"]["replicas"] == 2
