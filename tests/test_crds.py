"""CRDs make their kinds storable in the workspace (the inertness rule's exception)."""

from __future__ import annotations

import json
import os
import time

from tests.apiserver import VapiProcess

CRD = """
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget, shortNames: [wd], categories: [all]}
  versions:
  - name: v1
    served: true
    storage: true
    subresources: {status: {}}
    additionalPrinterColumns:
    - {name: Size, type: integer, jsonPath: .spec.size}
    - {name: Color, type: string, jsonPath: .spec.color}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            required: [size]
            properties:
              size: {type: integer, minimum: 1, maximum: 10}
              color: {type: string, enum: [red, blue]}
              labels: {type: object, x-kubernetes-preserve-unknown-fields: true}
          status:
            type: object
            properties:
              ready: {type: boolean}
"""


def widget(name: str, **spec: object) -> str:
    return json.dumps({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": name}, "spec": spec})


def test_crd_lifecycle(vapi: VapiProcess, namespace: str) -> None:
    vapi.kubectl("apply", "-f", "-", input=CRD)
    out = vapi.kubectl("wait", "--for=condition=established", "crd/widgets.example.com", "--timeout=10s").stdout
    assert out.strip() == "customresourcedefinition.apiextensions.k8s.io/widgets.example.com condition met"
    crd = json.loads(vapi.kubectl("get", "crd", "widgets.example.com", "-o", "json").stdout)
    assert {c["type"]: c["status"] for c in crd["status"]["conditions"]} == {"NamesAccepted": "True", "Established": "True"}
    assert crd["status"]["acceptedNames"]["kind"] == "Widget" and crd["status"]["storedVersions"] == ["v1"]

    resources = vapi.kubectl("api-resources", "--api-group=example.com", "-o", "wide").stdout
    assert "widgets" in resources and "wd" in resources and "example.com/v1" in resources

    ns = ["-n", namespace]
    vapi.kubectl(*ns, "apply", "-f", "-", input=widget("small", size=2, color="red", labels={"any": {"thing": 1}}))
    lines = vapi.kubectl(*ns, "get", "wd").stdout.splitlines()
    assert lines[0].split() == ["NAME", "SIZE", "COLOR"] and lines[1].split() == ["small", "2", "red"]
    assert "widget.example.com/small" in vapi.kubectl(*ns, "get", "all", "-o", "name").stdout.split()
    got = json.loads(vapi.kubectl(*ns, "get", "widget", "small", "-o", "json").stdout)
    assert got["spec"]["labels"] == {"any": {"thing": 1}}, "preserve-unknown-fields keeps what it holds"
    code, _, raw = vapi.request("GET", f"/clusters/root/apis/example.com/v1/namespaces/{namespace}/widgets")
    listed = json.loads(raw)  # unstructured lists: items keep their kind and apiVersion
    assert code == 200 and listed["kind"] == "WidgetList"
    assert [(i["apiVersion"], i["kind"]) for i in listed["items"]] == [("example.com/v1", "Widget")]

    bad = vapi.kubectl(*ns, "apply", "-f", "-", input=widget("big", size=30, color="green"), check=False)
    assert bad.returncode != 0 and 'The Widget "big" is invalid' in bad.stderr
    assert "spec.size" in bad.stderr and "spec.color" in bad.stderr
    unknown = vapi.kubectl(*ns, "apply", "-f", "-", input=widget("odd", size=1, extra=True), check=False)
    # kubectl checks it against vapi's OpenAPI v2 (client-side, as vapi publishes no v2 paths
    # announcing server-side field validation); the server refuses it too under Strict
    assert unknown.returncode != 0 and "unknown field" in unknown.stderr and "extra" in unknown.stderr

    out = vapi.kubectl(*ns, "apply", "--server-side", "-f", "-", input=widget("ssa", size=3)).stdout
    assert out.strip() == "widget.example.com/ssa serverside-applied"
    vapi.kubectl(*ns, "patch", "widget", "ssa", "--type=merge", "--subresource=status", "-p", '{"status":{"ready":true}}')
    got = json.loads(vapi.kubectl(*ns, "get", "widget", "ssa", "-o", "json").stdout)
    assert got["status"] == {"ready": True} and got["spec"]["size"] == 3

    smp = vapi.kubectl(*ns, "patch", "widget", "ssa", "-p", '{"spec":{"size":4}}', check=False)
    assert smp.returncode != 0 and "strategic merge patch is not supported" in smp.stderr, "as for CRs in kube"

    vapi.kubectl("delete", "crd", "widgets.example.com")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        code, _, _ = vapi.request("GET", f"/clusters/root/apis/example.com/v1/namespaces/{namespace}/widgets")
        if code == 404:
            break
        time.sleep(0.05)
    assert code == 404
    # recreating the CRD does not bring the old objects back: they were deleted with it
    vapi.kubectl("apply", "-f", "-", input=CRD)
    assert vapi.kubectl(*ns, "get", "widgets", "-o", "name").stdout.split() == []
    vapi.kubectl("delete", "crd", "widgets.example.com")


TWO_VERSIONS = """
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: dials.example.com
spec:
  group: example.com
  scope: Cluster
  names: {plural: dials, singular: dial, kind: Dial}
  versions:
  - name: v1beta1
    served: true
    storage: false
    schema: {openAPIV3Schema: {type: object, properties: {spec: {type: object, properties: {level: {type: integer, default: 5}, unit: {type: string, default: dB}}}}}}
  - name: v1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, properties: {spec: {type: object, properties: {level: {type: integer, default: 5}, unit: {type: string, default: dB}}}}}}
"""


def test_cluster_scoped_two_versions_and_defaults(vapi: VapiProcess) -> None:
    vapi.kubectl("apply", "-f", "-", input=TWO_VERSIONS)
    versions = json.loads(vapi.request("GET", "/clusters/root/apis/example.com")[2])
    assert [v["version"] for v in versions["versions"]] == ["v1", "v1beta1"], "GA before beta, as kube orders"
    assert versions["preferredVersion"]["version"] == "v1"
    vapi.kubectl("apply", "-f", "-", input=json.dumps({"apiVersion": "example.com/v1beta1", "kind": "Dial",
                                                         "metadata": {"name": "d1"}, "spec": {"level": 7}}))
    got = json.loads(vapi.request("GET", "/clusters/root/apis/example.com/v1/dials/d1")[2])
    assert got["apiVersion"] == "example.com/v1", "read through v1, converted with conversion: None"
    assert got["spec"] == {"level": 7, "unit": "dB"}, "defaults from the schema"
    vapi.kubectl("delete", "crd", "dials.example.com")


def test_crd_name_must_be_plural_dot_group(vapi: VapiProcess) -> None:
    bad = CRD.replace("name: widgets.example.com", "name: gizmos.example.com")
    out = vapi.kubectl("apply", "-f", "-", input=bad, check=False)
    assert out.returncode != 0 and "must be spec.names.plural" in out.stderr


def test_kubectl_explain_a_custom_resource(vapi: VapiProcess) -> None:
    vapi.kubectl("apply", "-f", "-", input=CRD)
    out = vapi.kubectl("explain", "widgets.spec.size").stdout
    assert "KIND:       Widget" in out and "FIELD: size <integer>" in out
    vapi.kubectl("delete", "crd", "widgets.example.com")


RULES = """
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: ranges.example.com
spec:
  group: example.com
  scope: Namespaced
  names: {plural: ranges, singular: range, kind: Range}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            x-kubernetes-validations:
            - rule: "self.min <= self.max"
              message: "min must not exceed max"
            - rule: "self.max - self.min <= oldSelf.max - oldSelf.min + 10"
              message: "the range may grow by 10 at most"
            properties:
              min: {type: integer}
              max: {type: integer}
"""


def test_cel_validation_rules(vapi: VapiProcess, namespace: str) -> None:
    """x-kubernetes-validations are evaluated (they are schema, not admission); transition
    rules (oldSelf) only on update."""
    vapi.kubectl("apply", "-f", "-", input=RULES)
    ns = ["-n", namespace]

    def rng(lo: int, hi: int) -> str:
        return json.dumps({"apiVersion": "example.com/v1", "kind": "Range", "metadata": {"name": "r"},
                           "spec": {"min": lo, "max": hi}})

    bad = vapi.kubectl(*ns, "apply", "-f", "-", input=rng(5, 1), check=False)
    assert bad.returncode != 0 and "min must not exceed max" in bad.stderr and "spec" in bad.stderr
    vapi.kubectl(*ns, "apply", "-f", "-", input=rng(1, 50), )  # created: the transition rule is skipped
    grow = vapi.kubectl(*ns, "apply", "-f", "-", input=rng(1, 80), check=False)
    assert grow.returncode != 0 and "the range may grow by 10 at most" in grow.stderr
    vapi.kubectl(*ns, "apply", "-f", "-", input=rng(1, 55))
    assert vapi.kubectl(*ns, "get", "range", "r", "-o", "jsonpath={.spec.max}").stdout == "55"
    vapi.kubectl("delete", "crd", "ranges.example.com")


SCALABLE = """
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: fleets.example.com
spec:
  group: example.com
  scope: Namespaced
  names: {plural: fleets, singular: fleet, kind: Fleet}
  versions:
  - name: v1
    served: true
    storage: true
    subresources:
      status: {}
      scale: {specReplicasPath: .spec.size, statusReplicasPath: .status.size, labelSelectorPath: .status.selector}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec: {type: object, properties: {size: {type: integer}}}
          status: {type: object, properties: {size: {type: integer}, selector: {type: string}}}
"""


def test_custom_scale_subresource(vapi: VapiProcess, namespace: str) -> None:
    vapi.kubectl("apply", "-f", "-", input=SCALABLE)
    ns = ["-n", namespace]
    vapi.kubectl(*ns, "apply", "-f", "-", input=json.dumps(
        {"apiVersion": "example.com/v1", "kind": "Fleet", "metadata": {"name": "f"}, "spec": {"size": 2}}))
    assert vapi.kubectl(*ns, "scale", "fleet", "f", "--replicas=7").stdout.strip() == "fleet.example.com/f scaled"
    assert vapi.kubectl(*ns, "get", "fleet", "f", "-o", "jsonpath={.spec.size}").stdout == "7"
    scale = json.loads(vapi.request("GET", f"/clusters/root/apis/example.com/v1/namespaces/{namespace}/fleets/f/scale")[2])
    assert scale["kind"] == "Scale" and scale["spec"]["replicas"] == 7
    vapi.kubectl("delete", "crd", "fleets.example.com")


def test_name_conflicts_are_reported_not_served(vapi: VapiProcess) -> None:
    vapi.kubectl("apply", "-f", "-", input=CRD)
    clash = CRD.replace("widgets.example.com", "gizmos.example.com").replace(
        "plural: widgets, singular: widget, kind: Widget, shortNames: [wd]", "plural: gizmos, singular: gizmo, kind: Widget")
    vapi.kubectl("apply", "-f", "-", input=clash)
    crd = json.loads(vapi.kubectl("get", "crd", "gizmos.example.com", "-o", "json").stdout)
    conditions = {c["type"]: (c["status"], c["reason"]) for c in crd["status"]["conditions"]}
    # kube's naming controller: the last name found taken gives the reason, quoted in the message
    assert conditions == {"NamesAccepted": ("False", "ListKindConflict"), "Established": ("False", "NotAccepted")}
    message = next(c["message"] for c in crd["status"]["conditions"] if c["type"] == "NamesAccepted")
    assert message == '"WidgetList" is already in use'
    assert crd["status"]["acceptedNames"] == {"plural": "gizmos", "singular": "gizmo", "kind": "", "categories": ["all"]}
    assert "gizmos" not in vapi.kubectl("api-resources", "--api-group=example.com", "-o", "name").stdout
    vapi.kubectl("delete", "crd", "gizmos.example.com", "widgets.example.com")


def test_custom_resources_in_openapi_v2(vapi: VapiProcess) -> None:
    vapi.kubectl("apply", "-f", "-", input=CRD)
    doc = json.loads(vapi.request("GET", "/clusters/root/openapi/v2", headers={"Accept": "application/json"})[2])
    widget = doc["definitions"]["com.example.v1.Widget"]
    assert widget["x-kubernetes-group-version-kind"] == [{"group": "example.com", "version": "v1", "kind": "Widget"}]
    assert widget["properties"]["metadata"]["$ref"] == "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
    vapi.kubectl("delete", "crd", "widgets.example.com")
    doc = json.loads(vapi.request("GET", "/clusters/root/openapi/v2", headers={"Accept": "application/json"})[2])
    assert "com.example.v1.Widget" not in doc["definitions"]


BUNDLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "crds", "backups.yaml")


def test_three_version_bundle(vapi: VapiProcess, namespace: str) -> None:
    vapi.kubectl("apply", "-f", BUNDLE)
    vapi.kubectl("wait", "--for=condition=established", "crd/backups.storage.example.com", "--timeout=10s")
    group = json.loads(vapi.request("GET", "/clusters/root/apis/storage.example.com")[2])
    assert [v["version"] for v in group["versions"]] == ["v1", "v1beta1", "v1alpha1"]
    ns = ["-n", namespace]
    nightly = {"apiVersion": "storage.example.com/v1alpha1", "kind": "Backup", "metadata": {"name": "nightly"},
               "spec": {"schedule": "@daily", "podTemplate": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "t"},
                                                              "spec": {"anything": True}}, "junk": 1}}
    # --validate=false: the server prunes the unknown field (fieldValidation Ignore) instead of kubectl refusing it
    vapi.kubectl(*ns, "apply", "--validate=false", "-f", "-", input=json.dumps(nightly))
    got = json.loads(vapi.kubectl(*ns, "get", "backups.v1.storage.example.com", "nightly", "-o", "json").stdout)
    assert got["apiVersion"] == "storage.example.com/v1"
    assert got["spec"]["retention"] == 7 and got["spec"]["mode"] == "full" and got["spec"]["workers"] == 1, "defaulted"
    assert "junk" not in got["spec"], "pruned"
    assert got["spec"]["podTemplate"]["spec"] == {"anything": True}, "an embedded resource keeps its content"
    lines = vapi.kubectl(*ns, "get", "bk").stdout.splitlines()
    assert lines[0].split() == ["NAME", "SCHEDULE", "MODE", "WORKERS", "AGE"] and lines[1].split()[:4] == ["nightly", "@daily", "full", "1"]
    vapi.kubectl(*ns, "scale", "backup", "nightly", "--replicas=3")
    assert vapi.kubectl(*ns, "get", "bk", "nightly", "-o", "jsonpath={.spec.workers}").stdout == "3"
    bad = dict(nightly, metadata={"name": "broken"}, spec={"schedule": "whenever", "retention": 0, "mode": "some"})
    out = vapi.kubectl(*ns, "apply", "-f", "-", input=json.dumps(bad), check=False)
    assert out.returncode != 0 and 'The Backup "broken" is invalid' in out.stderr
    # kube-apiserver's wording for custom resource validation errors
    assert 'spec.mode: Unsupported value: "some": supported values: "full", "incremental"' in out.stderr
    assert "spec.retention: Invalid value: 0: spec.retention in body should be greater than or equal to 1" in out.stderr
    assert 'spec.schedule: Invalid value: "whenever": spec.schedule in body should match' in out.stderr
    explained = vapi.kubectl("explain", "backups.spec.retention").stdout
    assert "FIELD: retention <integer>" in explained
    vapi.kubectl("delete", "-f", BUNDLE)


def test_several_crds_in_one_group_are_all_served(vapi: VapiProcess, namespace: str) -> None:
    for plural, kind in (("sprockets", "Sprocket"), ("cogs", "Cog"), ("levers", "Lever")):
        vapi.kubectl("apply", "-f", "-", input=json.dumps({
            "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": f"{plural}.machines.example.org"},
            "spec": {"group": "machines.example.org", "scope": "Namespaced",
                     "names": {"plural": plural, "kind": kind},
                     "versions": [{"name": "v1", "served": True, "storage": True,
                                   "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}}}]}}))
    for plural, kind in (("sprockets", "Sprocket"), ("cogs", "Cog"), ("levers", "Lever")):
        vapi.kubectl("apply", "-n", namespace, "-f", "-", input=json.dumps({
            "apiVersion": "machines.example.org/v1", "kind": kind, "metadata": {"name": "one"}}))
        assert vapi.kubectl("get", f"{plural}.machines.example.org", "-n", namespace, "-o", "name").stdout.strip() == \
            f"{kind.lower()}.machines.example.org/one"
    resources = vapi.kubectl("api-resources", "--api-group=machines.example.org", "-o", "name").stdout.split()
    assert sorted(resources) == ["cogs.machines.example.org", "levers.machines.example.org", "sprockets.machines.example.org"]


def test_openapi_follows_a_changed_crd_schema(vapi: VapiProcess) -> None:
    vapi.kubectl("apply", "-f", "-", input=CRD)
    doc = json.loads(vapi.request("GET", "/clusters/root/openapi/v2", headers={"Accept": "application/json"})[2])
    assert "shape" not in doc["definitions"]["com.example.v1.Widget"]["properties"]["spec"]["properties"]
    changed = CRD.replace("              color: {type: string, enum: [red, blue]}",
                          "              color: {type: string, enum: [red, blue]}\n              shape: {type: string}")
    vapi.kubectl("apply", "-f", "-", input=changed)
    doc = json.loads(vapi.request("GET", "/clusters/root/openapi/v2", headers={"Accept": "application/json"})[2])
    assert "shape" in doc["definitions"]["com.example.v1.Widget"]["properties"]["spec"]["properties"]
    v3 = json.loads(vapi.request("GET", "/clusters/root/openapi/v3/apis/example.com/v1")[2])
    assert "shape" in v3["components"]["schemas"]["com.example.v1.Widget"]["properties"]["spec"]["properties"]
    vapi.kubectl("delete", "crd", "widgets.example.com")
