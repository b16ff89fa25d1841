"""Realistic objects of every kind with rules of its own (tests/fuzzcorpus.py), broken at random
(seeded, so a failure reproduces) and sent through create, update, merge and strategic merge
patches and server-side apply: every answer is a success or a Status with its own code, never a
500. The rule modules are also driven directly, which is where a crash would start."""

from __future__ import annotations

import copy
import http.client
import json
import random
import time
from typing import Any, Iterator

import pytest
import yaml

from tests import fuzzcorpus
from tests.apiserver import VapiProcess

Obj = dict[str, Any]

# kind -> (api prefix, plural, namespaced)
RESOURCES = {
    "Deployment": ("/apis/apps/v1", "deployments", True), "ReplicaSet": ("/apis/apps/v1", "replicasets", True),
    "StatefulSet": ("/apis/apps/v1", "statefulsets", True), "DaemonSet": ("/apis/apps/v1", "daemonsets", True),
    "Pod": ("/api/v1", "pods", True), "Service": ("/api/v1", "services", True),
    "PersistentVolumeClaim": ("/api/v1", "persistentvolumeclaims", True), "PersistentVolume": ("/api/v1", "persistentvolumes", False),
    "Job": ("/apis/batch/v1", "jobs", True), "CronJob": ("/apis/batch/v1", "cronjobs", True),
    "Ingress": ("/apis/networking.k8s.io/v1", "ingresses", True), "IngressClass": ("/apis/networking.k8s.io/v1", "ingressclasses", False),
    "NetworkPolicy": ("/apis/networking.k8s.io/v1", "networkpolicies", True),
    "Role": ("/apis/rbac.authorization.k8s.io/v1", "roles", True), "RoleBinding": ("/apis/rbac.authorization.k8s.io/v1", "rolebindings", True),
    "ClusterRole": ("/apis/rbac.authorization.k8s.io/v1", "clusterroles", False),
    "ClusterRoleBinding": ("/apis/rbac.authorization.k8s.io/v1", "clusterrolebindings", False),
    "StorageClass": ("/apis/storage.k8s.io/v1", "storageclasses", False),
    "HorizontalPodAutoscaler": ("/apis/autoscaling/v2", "horizontalpodautoscalers", True),
    "PodDisruptionBudget": ("/apis/policy/v1", "poddisruptionbudgets", True),
    "PriorityClass": ("/apis/scheduling.k8s.io/v1", "priorityclasses", False),
    "CustomResourceDefinition": ("/apis/apiextensions.k8s.io/v1", "customresourcedefinitions", False),
    "Widget": ("/apis/fuzz-NS.example.com/v1", "widgets", True), "Gadget": ("/apis/fuzz-NS.example.com/v1", "gadgets", False),
}

ODD = [None, "", 0, -1, 2**63, 1.5, True, [], {}, [None], {"": None}, "x" * 300, "ünï©ødé ☃", "a b", {"a": {"b": [1]}}, [[1]], -2**63]
# values of the same JSON type, which reach the rules past type checking
SAME_TYPE: dict[type, list[Any]] = {
    str: ["", " ", "x" * 300, "ünï©ødé", "a b", "-", "*", "0", "-1", "/", "..", "A", "1.5", "%2f", "a/b/c", ":", "-a-", "0x10",
          "1e400", "99999999999999999999%", "%", "-5%", "0%", "*/0", "0-99999", "@every 0s", "::/0", "1.2.3.4/33", "1Ei", "1e-9",
          "9223372036854775808", "-0", "a=b", "a.b/c", "TZ=x", "59-1 * * * *", "@yearly", "a..b", "*.", "Gi", "0.0000000001m"],
    int: [0, -1, 1, 2**31, 2**63 - 1, -2**63, 65536],
    float: [0.0, -1.5, 1e300],
    list: [[]],
    dict: [{}],
}
DIRECTIVES = ["$patch", "$retainKeys", "$setElementOrder/containers", "$setElementOrder/ports", "$deleteFromPrimitiveList/args",
              "$deleteFromPrimitiveList/verbs", "$setElementOrder/rules"]
DIRECTIVE_VALUES: list[Any] = ["replace", "delete", "merge", "bogus", None, [], [{"name": "web"}], [{"name": None}], ["x"], [1], {}, 3]
OPERATIONS = ["create", "update", "merge", "strategic", "apply-new", "apply-over"]
PATCH = {"merge": "application/merge-patch+json", "strategic": "application/strategic-merge-patch+json"}


def paths(o: object, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    inner = o.items() if isinstance(o, dict) else enumerate(o) if isinstance(o, list) else []
    return [at] + [p for k, v in inner for p in paths(v, at + (k,))]


def mutate(rng: random.Random, obj: Obj) -> Obj:
    """obj with one to three values broken: deleted, replaced by an odd value, wrapped, a list item
    repeated, a list made a map or a map a list."""
    broken = copy.deepcopy(obj)
    for _ in range(rng.randint(1, 3)):
        candidates = [p for p in paths(broken) if p and p[0] not in ("apiVersion", "kind") and p != ("metadata", "name")]
        if not candidates:
            break
        where = rng.choice(candidates)
        node: Any = broken
        for k in where[:-1]:
            node = node[k]
        value, how = node[where[-1]], rng.random()
        if how < 0.06 and isinstance(value, dict):
            # strategic merge patch directives (harmless elsewhere: unknown fields)
            value[rng.choice(DIRECTIVES)] = copy.deepcopy(rng.choice(DIRECTIVE_VALUES + [list(value)[:1]]))
        elif how < 0.12:
            del node[where[-1]]
        elif how < 0.2:
            node[where[-1]] = {"x": value} if rng.random() < 0.5 else [value]
        elif how < 0.28 and isinstance(value, list) and value:
            value.append(copy.deepcopy(rng.choice(value)))
        elif how < 0.34 and isinstance(value, list):
            node[where[-1]] = {str(i): v for i, v in enumerate(value)}
        elif how < 0.4 and isinstance(value, dict):
            node[where[-1]] = list(value.values())
        elif how < 0.7 and type(value) in SAME_TYPE:
            node[where[-1]] = copy.deepcopy(rng.choice(SAME_TYPE[type(value)]))
        elif how < 0.75 and isinstance(value, bool):
            node[where[-1]] = not value
        else:
            node[where[-1]] = copy.deepcopy(rng.choice(ODD))
    return broken


class Client:
    """One kept-alive HTTPS connection to the server."""

    def __init__(self, vapi: VapiProcess) -> None:
        host, port = vapi.base.removeprefix("https://").rsplit(":", 1)
        self.host, self.port, self.ctx = host, int(port), vapi.ssl_context()
        self.conn = http.client.HTTPSConnection(self.host, self.port, context=self.ctx, timeout=30)

    def send(self, method: str, path: str, body: object = None, ctype: str = "application/json") -> tuple[int, bytes]:
        data = None if body is None else (yaml.safe_dump(body) if ctype.endswith("yaml") else json.dumps(body)).encode()
        for attempt in (0, 1):
            try:
                self.conn.request(method, path, data, {"Content-Type": ctype} if data else {})
                r = self.conn.getresponse()
                return r.status, r.read()
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                self.conn = http.client.HTTPSConnection(self.host, self.port, context=self.ctx, timeout=30)
                if attempt:
                    raise
        raise AssertionError("unreachable")


def where(obj: Obj, namespace: str) -> tuple[str, str]:
    """(collection, item) paths of obj."""
    api, plural, namespaced = RESOURCES[obj["kind"]]
    collection = "/clusters/root" + api.replace("NS", namespace) + (f"/namespaces/{namespace}" if namespaced else "") + "/" + plural
    return collection, f"{collection}/{obj['metadata']['name']}"


def check(code: int, out: bytes, what: object) -> None:
    assert code < 500, (what, out[:500])
    if code >= 300:
        status = json.loads(out)
        assert (status["kind"], status["code"]) == ("Status", code), (what, status)


def run(client: Client, valid: Obj, broken: Obj, operation: str, namespace: str) -> tuple[int, bytes]:
    """Sends broken over (or instead of) valid as the operation does; valid is recreated first."""
    collection, item = where(valid, namespace)
    client.send("DELETE", item)
    if operation not in ("create", "apply-new"):
        code, out = client.send("POST", collection, valid)
        assert code == 201, out[:500]
    if operation == "create":
        return client.send("POST", collection, broken)
    if operation == "update":
        code, out = client.send("GET", item)
        if isinstance(broken.get("metadata"), dict) and code == 200:
            broken["metadata"]["resourceVersion"] = json.loads(out)["metadata"]["resourceVersion"]
        return client.send("PUT", item, broken)
    if operation in PATCH:
        return client.send("PATCH", item, broken, PATCH[operation])
    return client.send("PATCH", item + "?fieldManager=fuzz&force=true", broken, "application/apply-patch+yaml")


TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io"
SELECTABLE = {"Widget": "spec.color=red", "Gadget": "spec.mode=fast,spec.count!=1", "Pod": "spec.nodeName=,status.phase!=Failed",
              "Job": "status.successful=0", "Service": "spec.type=NodePort"}


def read_back(client: Client, obj: Obj, namespace: str) -> list[tuple[int, bytes]]:
    """What was stored, listed as kubectl get lists it (a Table) and by field selector."""
    collection, item = where(obj, namespace)
    selector = SELECTABLE.get(obj["kind"], "metadata.name=" + obj["metadata"]["name"])
    out = []
    for path, accept in ((item, TABLE), (collection + "?fieldSelector=" + selector, TABLE), (collection + "?fieldSelector=" + selector, "")):
        client.conn.request("GET", path, headers={"Accept": accept} if accept else {})
        r = client.conn.getresponse()
        out.append((r.status, r.read()))
    return out


def cases(seed: int, count: int, corpus: list[Obj]) -> Iterator[tuple[Obj, Obj, str]]:
    rng = random.Random(seed)
    for _ in range(count):
        valid = rng.choice(corpus)
        yield valid, mutate(rng, valid), rng.choice(OPERATIONS)


@pytest.fixture
def client(vapi: VapiProcess) -> Client:
    return Client(vapi)


@pytest.fixture
def corpus(client: Client, namespace: str) -> Iterator[list[Obj]]:
    """The corpus named for the namespace, each object accepted as it is; the custom
    resources' CRDs established."""
    crds = [fuzzcorpus.named(o, namespace) for o in fuzzcorpus.crds()]
    for crd in crds:
        code, out = client.send("POST", where(crd, namespace)[0], crd)
        assert code == 201, out[:500]
    objects = [fuzzcorpus.named(o, namespace) for o in fuzzcorpus.objects()]
    for obj in objects:
        collection, item = where(obj, namespace)
        for _ in range(50):  # a new CRD's resources are served within moments
            code, out = client.send("POST", collection, obj)
            if code != 404:
                break
            time.sleep(0.1)
        assert code == 201, (obj["kind"], out[:500])
        client.send("DELETE", item)
    yield objects
    for obj in reversed(objects + crds):
        client.send("DELETE", where(obj, namespace)[1])


# explored far wider while writing this (tens of thousands of cases over HTTP and in-process);
# seed 41 runs into the CRD schema crash of test_crd_schema_either_types_are_decoded
@pytest.mark.parametrize("seed,count", [(1128, 500), (41, 400), (2026, 500)])
def test_broken_objects_never_get_a_500(client: Client, corpus: list[Obj], namespace: str, seed: int, count: int) -> None:
    for valid, broken, operation in cases(seed, count, corpus):
        code, out = run(client, valid, broken, operation, namespace)
        check(code, out, (operation, broken))
        if code < 300:
            for got, listed in read_back(client, valid, namespace):
                check(got, listed, ("read", operation, broken))


def _crd_with_items(items: object) -> Obj:
    return {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "metadata": {"name": "things.fz.example.com"},
            "spec": {"group": "fz.example.com", "scope": "Namespaced", "names": {"plural": "things", "kind": "Thing"},
                     "versions": [{"name": "v1", "served": True, "storage": True, "schema": {"openAPIV3Schema": {
                         "type": "object", "properties": {"spec": {"type": "array", "items": items}}}}}]}}


@pytest.mark.parametrize("items,message", [
    # JSONSchemaPropsOrArray decodes an object as a JSONSchemaProps (was a 500: unhashable type: 'dict')
    pytest.param({"type": "object", "required": [{}]}, "json: cannot unmarshal object into Go struct field "
                 "JSONSchemaProps.spec.versions.schema.openAPIV3Schema.properties.items.required of type string", id="items-object"),
    pytest.param([{"type": 1}], "json: cannot unmarshal number into Go struct field "
                 "JSONSchemaProps.spec.versions.schema.openAPIV3Schema.properties.items.type of type string", id="items-array"),
    # JSONSchemaPropsOrBool takes an object or a boolean, in words of its own
    pytest.param({"type": "object", "additionalProperties": "yes"}, "boolean or JSON schema expected", id="additional-properties"),
])
@pytest.mark.parametrize("method,ctype", [("POST", "application/json"), ("PATCH", "application/apply-patch+yaml")])
def test_crd_schema_either_types_are_decoded(client: Client, items: object, message: str, method: str, ctype: str) -> None:
    crd = _crd_with_items(items)
    collection = "/clusters/root/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
    path = collection if method == "POST" else f"{collection}/{crd['metadata']['name']}?fieldManager=fuzz"
    code, out = client.send(method, path, crd, ctype)
    status = json.loads(out)
    assert (code, status["reason"]) == (400, "BadRequest"), status
    assert status["message"] == ("CustomResourceDefinition in version \"v1\" cannot be handled as a "
                                 f"CustomResourceDefinition: {message}")


def _through_the_rules(kind: Obj, obj: Obj, old: Obj | None) -> str:
    """What vapi's write path does to obj before storing it, in-process: its decoding's type
    checks, then defaulting and every rule; the refusal's kind, or "" for none."""
    from vapi import clock, errors, objects, quantity, resources, schemas, validation

    group, _, version = kind["apiVersion"].rpartition("/")
    res = resources.builtin().by_kind(group, version, kind["kind"])
    assert res is not None
    schema = schemas.of_resource(res)
    if schemas.type_errors(obj, schema, struct=res.kind):
        return "typed"
    try:
        schemas.as_decoded(obj, schema)
    except (quantity.QuantityError, clock.TimeError):
        return "decoding"
    schemas.unknown_fields(obj, schema, prune=True)
    obj.setdefault("metadata", {})
    try:
        validation.validate_create(res, obj)
        objects.normalize(res, obj)
        validation.validate_kind(res, obj, old)
    except errors.APIError:
        return "invalid"
    return ""


@pytest.mark.parametrize("seed", [0, 7, 41])
def test_rules_never_raise_on_typed_objects(seed: int) -> None:
    """The rule modules (podrules, appsrules, networkingrules, crdvalidation, ...) on broken
    objects that pass type checking, created and updated: a refusal or nothing, never an
    exception (much faster than over HTTP, which is where a crash would start)."""
    corpus = [fuzzcorpus.named(o, "fz") for o in fuzzcorpus.objects() if o["kind"] not in ("Widget", "Gadget")]
    rng, outcomes = random.Random(seed), []
    for _ in range(1000):
        valid = rng.choice(corpus)
        old = None
        if rng.random() < 0.4:
            old = copy.deepcopy(valid)
            assert _through_the_rules(valid, old, None) == "", old
            old["metadata"]["resourceVersion"] = "1"
        outcomes.append(_through_the_rules(valid, mutate(rng, valid), old))
    assert {"typed", "invalid", ""} <= set(outcomes), "the cases reach the rules, and some pass them"


def _set(obj: Obj, path: str, value: object) -> Obj:
    out = copy.deepcopy(obj)
    node: Any = out
    keys = [int(k) if k.isdigit() else k for k in path.split(".")]
    for k in keys[:-1]:
        node = node[k]
    node[keys[-1]] = value
    return out


def _of_kind(kind: str, name: str = "") -> Obj:
    return next(o for o in fuzzcorpus.objects() if o["kind"] == kind and (not name or o["metadata"]["name"] == name))


# what random breaking found crashing (500 ValueError), each now refused as kube refuses it
FOUND = [
    # str.isdigit takes "²" (and "١"), which int() then refused; Go's digits are ASCII
    pytest.param(_set(_of_kind("NetworkPolicy"), "spec.ingress.0.from.1.ipBlock.cidr", "172.17.0.²/16"), 422,
                 "spec.ingress[0].from[1].ipBlock.cidr", id="cidr-superscript-octet"),
    pytest.param(_set(_of_kind("NetworkPolicy"), "spec.ingress.0.from.1.ipBlock.cidr", "١٧٢.17.0.0/16"), 422,
                 "spec.ingress[0].from[1].ipBlock.cidr", id="cidr-arabic-indic-digits"),
    # Python's $ matches before a last newline, Go's only at the end: "5%\n" passed as a percent
    pytest.param(_set(_of_kind("Deployment"), "spec.strategy", {"rollingUpdate": {"maxSurge": "5%\n"}}), 422,
                 "spec.strategy.rollingUpdate.maxSurge", id="max-surge-percent-newline"),
    pytest.param(_set(_of_kind("PodDisruptionBudget", "shop"), "spec.minAvailable", "50%\n"), 422,
                 "spec.minAvailable", id="pdb-percent-newline"),
]


@pytest.mark.parametrize("obj,code,field", FOUND)
def test_what_fuzzing_found_is_refused(client: Client, namespace: str, obj: Obj, code: int, field: str) -> None:
    obj = fuzzcorpus.named(obj, namespace)
    got, out = client.send("POST", where(obj, namespace)[0], obj)
    status = json.loads(out)
    assert (got, status["code"]) == (code, code), status
    assert field in [c.get("field") for c in status["details"]["causes"]], status


@pytest.mark.parametrize("index", ["x", "²", "١"])
def test_a_json_patch_index_of_other_digits_is_refused(client: Client, namespace: str, index: str) -> None:
    """A JSON patch's array index is ASCII digits (a "²" was a 500 ValueError)."""
    obj = fuzzcorpus.named(_of_kind("Deployment"), namespace)
    collection, item = where(obj, namespace)
    assert client.send("POST", collection, obj)[0] == 201
    patch = [{"op": "replace", "path": f"/spec/template/spec/containers/{index}/image", "value": "i:2"}]
    got, out = client.send("PATCH", item, patch, "application/json-patch+json")
    assert (got, json.loads(out)["message"]) == (422, "the server rejected our request due to an error in our request"), out


@pytest.mark.parametrize("metadata,data,field", [
    pytest.param({"name": "nl\n"}, {}, "metadata.name", id="name"),
    pytest.param({"name": "nl", "labels": {"a": "b\n"}}, {}, "metadata.labels", id="label-value"),
    pytest.param({"name": "nl", "labels": {"a\n": "b"}}, {}, "metadata.labels", id="label-key"),
    pytest.param({"name": "nl"}, {"k\n": "v"}, "data[k\n]", id="config-key"),
])
def test_a_last_newline_is_not_the_end_of_a_name(client: Client, namespace: str, metadata: Obj, data: Obj, field: str) -> None:
    """kube's regular expressions end at Go's $, the end of the text; Python's $ also
    matches before a last newline, so a ConfigMap named "nl\\n" was stored."""
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": metadata, "data": data}
    got, out = client.send("POST", f"/clusters/root/api/v1/namespaces/{namespace}/configmaps", body)
    status = json.loads(out)
    assert (got, [c["field"] for c in status["details"]["causes"]]) == (422, [field]), status


def test_a_sysctl_name_ends_at_the_end() -> None:
    from vapi import podsecurity

    causes = podsecurity.pod_security_context({"securityContext": {"sysctls": [{"name": "kernel.shm_rmid_forced\n", "value": "1"}]}}, "spec")
    assert [c["field"] for c in causes] == ["spec.sysctls[0].name"]
