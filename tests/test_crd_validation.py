"""CRDs and custom resources refused as kube-apiserver 1.35 refuses them, in its words
(apiextensions-apiserver's CRD validation, structural schemas, kube-openapi's value errors as
kubeOpenAPIResultToFieldErrors renders them, CEL rule failures with objects' values omitted)."""

from __future__ import annotations

import json
import time

import pytest

from tests.apiserver import VapiProcess

CRDS = "/clusters/root/apis/apiextensions.k8s.io/v1/customresourcedefinitions"


def crd(name: str = "gadgets", *, versions: list[dict[str, object]] | None = None, group: str = "example.com",
        scope: str = "Namespaced", names: dict[str, object] | None = None) -> dict[str, object]:
    schema = {"openAPIV3Schema": {"type": "object"}}
    return {
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": f"{name}.{group}"},
        "spec": {"group": group, "scope": scope, "names": names or {"plural": name, "kind": "Gadget"},
                 "versions": versions if versions is not None else [
                     {"name": "v1", "served": True, "storage": True, "schema": schema}]},
    }


def post(vapi: VapiProcess, path: str, obj: dict[str, object]) -> tuple[int, dict[str, object]]:
    code, _, body = vapi.request("POST", path, json.dumps(obj).encode(), headers={"Content-Type": "application/json"})
    return code, json.loads(body)


def causes(status: dict[str, object]) -> list[str]:
    details = status.get("details")
    assert isinstance(details, dict), status
    return [f"{c['field']}: {c['message']}" for c in details["causes"]]


def schema_v1(schema: dict[str, object], **extra: object) -> list[dict[str, object]]:
    return [{"name": "v1", "served": True, "storage": True, "schema": {"openAPIV3Schema": schema}, **extra}]


S = "spec.validation.openAPIV3Schema"
SELECTABLE_SCHEMA = {"type": "object", "properties": {
    "metadata": {"type": "object", "properties": {"name": {"type": "string"}}},
    "spec": {"type": "object", "properties": {
        "color": {"type": "string"}, "size": {"type": "integer"}, "tags": {"type": "array", "items": {"type": "string"}},
        "labels": {"type": "object", "additionalProperties": {"type": "string"}},
        **{f"n{i}": {"type": "boolean"} for i in range(9)}}}}}

NOT_STRUCTURAL = {"type": "object", "properties": {"spec": {"properties": {"a": {"type": "string"}}}}}
ANY_OF_ROOT = {"type": "object", "properties": {"spec": {"type": "object"}}, "anyOf": [{"required": ["spec"]}]}


def two_versions(first: dict[str, object], second: dict[str, object], **extra: dict[str, object]) -> list[dict[str, object]]:
    """v1 (storage) and v2 with these schemas; `extra` adds fields to a version by name."""
    return [{"name": name, "served": True, "storage": name == "v1", "schema": {"openAPIV3Schema": schema}, **extra.get(name, {})}
            for name, schema in (("v1", first), ("v2", second))]


BAD_CRDS = [
    pytest.param(crd(versions=[{"name": "v1", "served": True, "storage": True, "schema": {"openAPIV3Schema": {"type": "object"}}},
                               {"name": "v2", "served": True, "storage": True, "schema": {"openAPIV3Schema": {"type": "object"}}}]),
                 ["spec.versions: Invalid value: ", ": must have exactly one version marked as storage version"], id="two-storage-versions"),
    pytest.param(crd(versions=[{"name": "v1", "served": True, "storage": True}]),
                 ["spec.versions[0].schema.openAPIV3Schema: Required value"], id="no-schema"),
    pytest.param(crd(group="example", scope="Global"),
                 ['spec.group: Invalid value: "example": should be a domain with at least one dot',
                  'spec.scope: Unsupported value: "Global": supported values: "Cluster", "Namespaced"'], id="group-and-scope"),
    pytest.param(crd(versions=schema_v1({"type": "object", "properties": {"spec": {"properties": {"a": {"type": "string"}}}}})),
                 [f"{S}.properties[spec].type: Required value: must not be empty for specified object fields"], id="not-structural"),
    pytest.param(crd(versions=schema_v1({"type": "object", "properties": {"spec": {"type": "object", "properties": {
        "a": {"type": "string", "default": 5}}}}})),
                 [f'{S}.properties[spec].properties[a].default: Invalid value: "integer": {S}.properties[spec].properties[a].default'
                  ' in body must be of type string: "integer"'], id="default-of-wrong-type"),
    pytest.param(crd(versions=schema_v1({"type": "object", "properties": {"list": {"type": "array"}}})),
                 [f"{S}.properties[list].items: Required value: must be specified"], id="array-without-items"),
    pytest.param(crd(versions=schema_v1({"type": "object", "properties": {"spec": {
        "type": "object", "x-kubernetes-validations": [{"rule": "self.a =="}]}}})),
                 [f"{S}.properties[spec].x-kubernetes-validations[0].rule: Invalid value: ", "compilation failed: ERROR: <input>:"],
                 id="rule-does-not-compile"),
    pytest.param(crd(names={"plural": "gadgets", "kind": "Gadget", "listKind": "Gadget"}),
                 ['spec.names.listKind: Invalid value: "Gadget": kind and listKind may not be the same'], id="list-kind"),
    pytest.param(crd(versions=schema_v1({"type": "object"}, additionalPrinterColumns=[{"name": "X", "type": "text", "jsonPath": "spec.x"}])),
                 ['spec.additionalPrinterColumns[0].type: Invalid value: "text": must be one of boolean,date,integer,number,string',
                  'spec.additionalPrinterColumns[0].JSONPath: Invalid value: "spec.x": must be a simple json path starting with .'],
                 id="printer-column"),
    pytest.param(crd(versions=schema_v1({"type": "object"}, subresources={"scale": {"specReplicasPath": ".status.n", "statusReplicasPath": ".status.n"}})),
                 ['spec.subresources.scale.specReplicasPath: Invalid value: ".status.n": should be a json path under .spec'],
                 id="scale-path"),
    pytest.param(crd(versions=schema_v1({"type": "object", "properties": {"a": {"type": "string", "pattern": "^(?=x)"}}})),
                 [f'{S}.properties[a].pattern: Invalid value: "^(?=x)": must be a valid regular expression, but isn\'t: '
                  "error parsing regexp: invalid or unsupported Perl syntax: `(?=`"], id="pattern-not-go-syntax"),
    pytest.param(crd(versions=schema_v1(SELECTABLE_SCHEMA, selectableFields=[
        {"jsonPath": ".spec.color"}, {"jsonPath": ".spec.missing"}, {"jsonPath": "spec.color"}, {"jsonPath": ".spec.tags"},
        {"jsonPath": ".metadata.name"}, {"jsonPath": ".spec.labels.team"}, {"jsonPath": ".spec.color"}, {"jsonPath": ".spec.tags[0]"}])),
                 ['spec.selectableFields[1].jsonPath: Invalid value: ".spec.missing": is an invalid path: does not refer to a valid field',
                  'spec.selectableFields[2].jsonPath: Invalid value: "spec.color": is an invalid path: expected [ or . but got: spec',
                  'spec.selectableFields[3].jsonPath: Invalid value: ".spec.tags": must point to a field of type string, boolean or integer. '
                  "Enum string fields and strings with formats are allowed.",
                  'spec.selectableFields[4].jsonPath: Invalid value: ".metadata.name": must not point to fields in metadata',
                  'spec.selectableFields[6].jsonPath: Duplicate value: ".spec.color"',
                  'spec.selectableFields[7].jsonPath: Invalid value: ".spec.tags[0]": is an invalid path: array notation is not allowed'],
                 id="selectable-fields"),
    pytest.param(crd(versions=schema_v1(SELECTABLE_SCHEMA, selectableFields=[{"jsonPath": f".spec.n{i}"} for i in range(9)])),
                 ["spec.selectableFields: Too many: 9: must have at most 8 items"], id="selectable-fields-too-many"),
    pytest.param(crd(versions=[{"name": "v1", "served": True, "storage": True, "schema": {"openAPIV3Schema": SELECTABLE_SCHEMA},
                                "selectableFields": [{"jsonPath": ".spec.color"}]},
                               {"name": "v2", "served": True, "storage": False, "schema": {"openAPIV3Schema": {"type": "object"}},
                                "selectableFields": [{"jsonPath": ".spec.size"}]}]),
                 ['spec.versions[1].selectableFields[0].jsonPath: Invalid value: ".spec.size": is an invalid path: '
                  "does not refer to a valid field"], id="selectable-fields-per-version"),
    pytest.param(crd(versions=two_versions(SELECTABLE_SCHEMA, SELECTABLE_SCHEMA, v1={"selectableFields": [{"jsonPath": ".spec.color"}]})),
                 ['spec.versions[0].selectableFields: Invalid value: "": '
                  "may only be set when `version.schema.openAPIV3Schema` is not included"], id="selectable-fields-per-version-schema-shared"),
    pytest.param(crd(versions=two_versions(NOT_STRUCTURAL, NOT_STRUCTURAL)),
                 [f"{S}.properties[spec].type: Required value: must not be empty for specified object fields"],
                 id="shared-schema-hoisted"),
    pytest.param(crd(versions=two_versions({"type": "object"}, NOT_STRUCTURAL)),
                 ["spec.versions[1].schema.openAPIV3Schema.properties[spec].type: Required value: "
                  "must not be empty for specified object fields"], id="schemas-differ"),
    pytest.param(crd(versions=two_versions({"type": "string"}, NOT_STRUCTURAL, v2={"schema": None})),
                 ["spec.versions[1].schema.openAPIV3Schema: Required value",
                  'spec.versions[0].schema.openAPIV3Schema.type: Invalid value: "string": must be object at the root'],
                 id="schema-required-before-versions"),
    pytest.param(crd(versions=two_versions({"type": "object"}, {"type": "object"}, **{
        v: {"additionalPrinterColumns": [{"name": "X", "type": "string", "jsonPath": "spec.x"}]} for v in ("v1", "v2")})),
                 ['spec.additionalPrinterColumns[0].JSONPath: Invalid value: "spec.x": must be a simple json path starting with .'],
                 id="shared-columns-hoisted"),
    pytest.param(crd(versions=two_versions({"type": "object"}, {"type": "object"}, v2={
        "additionalPrinterColumns": [{"name": "X", "type": "string", "jsonPath": "spec.x"}]})),
                 ['spec.versions[1].additionalPrinterColumns[0].JSONPath: Invalid value: "spec.x": must be a simple json path starting with .'],
                 id="columns-differ"),
    pytest.param(crd(versions=two_versions({"type": "object"}, {"type": "object"}, v2={
        "subresources": {"scale": {"specReplicasPath": ".spec.n", "statusReplicasPath": "status.n"}}})),
                 ['spec.versions[1].subresources.scale.statusReplicasPath: Invalid value: "status.n": must be a simple json path starting with .'],
                 id="subresources-differ"),
    pytest.param(crd(versions=two_versions(ANY_OF_ROOT, ANY_OF_ROOT, v2={"subresources": {"status": {}}})),
                 ["spec.validation.openAPIV3Schema: Invalid value: ",
                  "only [Description Type Format Title Maximum ExclusiveMaximum Minimum ExclusiveMinimum MaxLength "],
                 id="shared-schema-status-of-any-version"),
]


@pytest.mark.parametrize(("body", "expected"), BAD_CRDS)
def test_invalid_crds_get_kubes_causes(vapi: VapiProcess, body: dict[str, object], expected: list[str]) -> None:
    code, status = post(vapi, CRDS, body)
    assert code == 422 and status["reason"] == "Invalid", status
    assert str(status["message"]).startswith(f'CustomResourceDefinition.apiextensions.k8s.io "{body["metadata"]["name"]}" is invalid: ')  # type: ignore[index]
    got = causes(status)
    if len(expected) == 2 and expected[0].endswith(": "):  # a Go value sits between the two parts
        assert any(c.startswith(expected[0]) and expected[1] in c for c in got), got
    else:
        assert got == expected


def test_crd_spec_defaults_and_immutable_fields(vapi: VapiProcess) -> None:
    code, _ = post(vapi, CRDS, crd("sprockets"))
    assert code == 201
    got = json.loads(vapi.kubectl("get", "crd", "sprockets.example.com", "-o", "json").stdout)
    assert got["spec"]["names"] == {"plural": "sprockets", "singular": "gadget", "kind": "Gadget", "listKind": "GadgetList"}
    assert got["spec"]["conversion"] == {"strategy": "None"}
    patched = vapi.kubectl("patch", "crd", "sprockets.example.com", "--type=merge", "-p", '{"spec":{"scope":"Cluster"}}', check=False)
    assert patched.returncode != 0
    assert 'spec.scope: Invalid value: "Cluster": field is immutable' in patched.stderr
    vapi.kubectl("delete", "crd", "sprockets.example.com")


def test_freed_names_are_accepted(vapi: VapiProcess) -> None:
    post(vapi, CRDS, crd("bolts", names={"plural": "bolts", "kind": "Bolt"}))
    post(vapi, CRDS, crd("nuts", names={"plural": "nuts", "kind": "Bolt"}))
    nuts = json.loads(vapi.kubectl("get", "crd", "nuts.example.com", "-o", "json").stdout)
    assert [(c["type"], c["status"], c["reason"], c["message"]) for c in nuts["status"]["conditions"]] == [
        ("NamesAccepted", "False", "ListKindConflict", '"BoltList" is already in use'),
        ("Established", "False", "NotAccepted", "not all names are accepted")]
    vapi.kubectl("delete", "crd", "bolts.example.com")
    vapi.kubectl("wait", "--for=condition=established", "crd/nuts.example.com", "--timeout=10s")
    assert "nuts" in vapi.kubectl("api-resources", "--api-group=example.com", "-o", "name").stdout
    vapi.kubectl("delete", "crd", "nuts.example.com")


GIZMO = {"type": "object", "properties": {"spec": {
    "type": "object",
    "x-kubernetes-validations": [{"rule": "self.replicas <= self.maxReplicas", "message": "replicas must not exceed maxReplicas"}],
    "properties": {
        "image": {"type": "string", "maxLength": 10, "x-kubernetes-validations": [{"rule": "self == oldSelf", "message": "image is immutable"}]},
        "replicas": {"type": "integer", "default": 1},
        "maxReplicas": {"type": "integer", "default": 5},
        "port": {"x-kubernetes-int-or-string": True},
        "email": {"type": "string", "format": "email"},
        "tags": {"type": "array", "maxItems": 3, "items": {"type": "string"}, "x-kubernetes-list-type": "set"},
        "template": {"type": "object", "x-kubernetes-embedded-resource": True, "x-kubernetes-preserve-unknown-fields": True},
    }}}}


def test_custom_resource_errors_in_kubes_words(vapi: VapiProcess, namespace: str) -> None:
    code, _ = post(vapi, CRDS, crd("gizmos", versions=schema_v1(GIZMO), names={"plural": "gizmos", "kind": "Gizmo"}))
    assert code == 201
    vapi.kubectl("wait", "--for=condition=established", "crd/gizmos.example.com", "--timeout=10s")
    path = f"/clusters/root/apis/example.com/v1/namespaces/{namespace}/gizmos"

    def gizmo(name: str, **spec: object) -> dict[str, object]:
        return {"apiVersion": "example.com/v1", "kind": "Gizmo", "metadata": {"name": name}, "spec": spec}

    code, status = post(vapi, path, gizmo("bad", image="averyverylongname", replicas="two", port=True, email="nobody",
                                          tags=["a", "b", "a", "c"], template={"metadata": {"name": "x"}}))
    assert code == 422
    assert sorted(causes(status)) == sorted([
        "spec.image: Too long: may not be more than 10 bytes",
        'spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"',
        'spec.port: Invalid value: "boolean": spec.port in body must be of type integer,string: "boolean"',
        'spec.email: Invalid value: "nobody": spec.email in body must be of type email: "nobody"',
        "spec.tags: Too many: 4: must have at most 3 items",
        'spec.tags[2]: Duplicate value: "a"',
        "spec.template.apiVersion: Required value",
        "spec.template.kind: Required value",
    ])
    code, status = post(vapi, path, gizmo("cel", image="nginx", replicas=9))
    assert code == 422 and causes(status) == ["spec: Invalid value: replicas must not exceed maxReplicas"]
    code, _ = post(vapi, path, gizmo("ok", image="nginx", port="http"))
    assert code == 201
    changed = vapi.kubectl("-n", namespace, "patch", "gizmo", "ok", "--type=merge", "-p", '{"spec":{"image":"httpd"}}', check=False)
    assert changed.returncode != 0
    assert 'spec.image: Invalid value: "httpd": image is immutable' in changed.stderr
    vapi.kubectl("delete", "crd", "gizmos.example.com")


def test_custom_resources_are_pruned_and_defaulted_before_validation(vapi: VapiProcess, namespace: str) -> None:
    """apiextensions-apiserver: nulls of fields that are not nullable are pruned before
    defaulting, so a default fills them; nullable nulls stay (and are not defaulted); required
    fields are checked after defaulting, and server-side apply validates the merged object,
    not a manager's partial configuration."""
    schema = {"type": "object", "properties": {"spec": {"type": "object", "required": ["image", "size"], "properties": {
        "image": {"type": "string"}, "size": {"type": "integer", "default": 1}, "note": {"type": "string"},
        "extra": {"type": "string", "nullable": True, "default": "x"}}}}}
    code, _ = post(vapi, CRDS, crd("doodads", versions=schema_v1(schema), names={"plural": "doodads", "kind": "Doodad"}))
    assert code == 201
    vapi.kubectl("wait", "--for=condition=established", "crd/doodads.example.com", "--timeout=10s")
    path = f"/clusters/root/apis/example.com/v1/namespaces/{namespace}/doodads"
    code, out = post(vapi, path, {"apiVersion": "example.com/v1", "kind": "Doodad", "metadata": {"name": "d"},
                                  "spec": {"image": "nginx", "size": None, "note": None, "extra": None}})
    assert code == 201, out
    assert out["spec"] == {"image": "nginx", "size": 1, "extra": None}
    # a second manager applies only the field it owns, without the required ones
    code, _, body = vapi.request("PATCH", f"{path}/d?fieldManager=annotator", json.dumps(
        {"apiVersion": "example.com/v1", "kind": "Doodad", "metadata": {"name": "d"}, "spec": {"note": "hi"}}).encode(),
        headers={"Content-Type": "application/apply-patch+yaml"})
    assert code == 200, body
    assert json.loads(body)["spec"] == {"image": "nginx", "size": 1, "extra": None, "note": "hi"}
    code, status = post(vapi, path, {"apiVersion": "example.com/v1", "kind": "Doodad", "metadata": {"name": "e"}, "spec": {}})
    assert code == 422 and causes(status) == ["spec.image: Required value"]
    vapi.kubectl("delete", "crd", "doodads.example.com")


def test_a_multiple_of_zero_is_a_422_not_a_500(vapi: VapiProcess, namespace: str) -> None:
    """go-openapi refuses a value against a multipleOf factor that is not positive."""
    schema = {"type": "object", "properties": {"spec": {"type": "object", "properties": {
        "n": {"type": "integer", "multipleOf": 0}}}}}
    code, _ = post(vapi, CRDS, crd("widgetzeros", versions=schema_v1(schema), names={"plural": "widgetzeros", "kind": "WidgetZero"}))
    assert code == 201
    vapi.kubectl("wait", "--for=condition=established", "crd/widgetzeros.example.com", "--timeout=10s")
    path = f"/clusters/root/apis/example.com/v1/namespaces/{namespace}/widgetzeros"
    code, status = post(vapi, path, {"apiVersion": "example.com/v1", "kind": "WidgetZero", "metadata": {"name": "z"},
                                     "spec": {"n": 4}})
    assert code == 422
    assert causes(status) == ["spec.n: Invalid value: 0: factor MultipleOf declared for spec.n must be positive: 0"]
    vapi.kubectl("delete", "crd", "widgetzeros.example.com")


def test_a_rule_dividing_by_zero_is_a_422_not_a_500(vapi: VapiProcess, namespace: str) -> None:
    schema = {"type": "object", "properties": {"spec": {"type": "object", "properties": {
        "a": {"type": "integer"}, "b": {"type": "integer"}},
        "x-kubernetes-validations": [{"rule": "self.a / self.b >= 1", "message": "a is at least b"}]}}}
    code, _ = post(vapi, CRDS, crd("ratios", versions=schema_v1(schema), names={"plural": "ratios", "kind": "Ratio"}))
    assert code == 201
    vapi.kubectl("wait", "--for=condition=established", "crd/ratios.example.com", "--timeout=10s")
    path = f"/clusters/root/apis/example.com/v1/namespaces/{namespace}/ratios"
    code, status = post(vapi, path, {"apiVersion": "example.com/v1", "kind": "Ratio", "metadata": {"name": "r"},
                                     "spec": {"a": 1, "b": 0}})
    assert code == 422
    assert causes(status) == ["spec: Invalid value: division by zero in CEL expression evaluating rule: a is at least b"]
    vapi.kubectl("delete", "crd", "ratios.example.com")


def test_patterns_run_as_go_runs_them(vapi: VapiProcess, namespace: str) -> None:
    """A pattern is Go's regexp (RE2): its syntax (\\pL), and time linear in the value, so a
    pattern that makes a backtracking engine take exponential time answers at once."""
    schema = {"type": "object", "properties": {"spec": {"type": "object", "properties": {
        "word": {"type": "string", "pattern": "^\\pL+$"}, "as": {"type": "string", "pattern": "^(a+)+$"}}}}}
    code, _ = post(vapi, CRDS, crd("patterns", versions=schema_v1(schema), names={"plural": "patterns", "kind": "Pattern"}))
    assert code == 201
    vapi.kubectl("wait", "--for=condition=established", "crd/patterns.example.com", "--timeout=10s")
    path = f"/clusters/root/apis/example.com/v1/namespaces/{namespace}/patterns"
    code, _ = post(vapi, path, {"apiVersion": "example.com/v1", "kind": "Pattern", "metadata": {"name": "ok"},
                                "spec": {"word": "héllo", "as": "aaa"}})
    assert code == 201
    start = time.monotonic()
    code, status = post(vapi, path, {"apiVersion": "example.com/v1", "kind": "Pattern", "metadata": {"name": "slow"},
                                     "spec": {"word": "two words", "as": "a" * 40 + "!"}})
    assert time.monotonic() - start < 5, "the match ran in linear time"
    assert code == 422
    assert causes(status) == ["spec.as: Invalid value: \"" + "a" * 40 + "!\": spec.as in body should match '^(a+)+$'",
                              "spec.word: Invalid value: \"two words\": spec.word in body should match '^\\pL+$'"]
    vapi.kubectl("delete", "crd", "patterns.example.com")


def test_kubectl_refuses_a_selectable_field_of_an_object(vapi: VapiProcess) -> None:
    body = crd("widgets", group="selectable.example.com", names={"plural": "widgets", "kind": "Widget"},
               versions=schema_v1(SELECTABLE_SCHEMA, selectableFields=[{"jsonPath": ".spec.labels"}]))
    out = vapi.kubectl("create", "-f", "-", input=json.dumps(body), check=False)
    assert out.returncode == 1 and out.stderr.strip() == (
        'The CustomResourceDefinition "widgets.selectable.example.com" is invalid: spec.selectableFields[0].jsonPath: Invalid value: '
        '".spec.labels": must point to a field of type string, boolean or integer. Enum string fields and strings with formats are allowed.')
    body["spec"]["versions"][0]["selectableFields"] = [{"jsonPath": ".spec.labels.team"}]  # type: ignore[index]
    try:
        assert vapi.kubectl("create", "-f", "-", input=json.dumps(body)).stdout.strip() == (
            "customresourcedefinition.apiextensions.k8s.io/widgets.selectable.example.com created")
    finally:
        vapi.kubectl("delete", "crd", "widgets.selectable.example.com", "--ignore-not-found")


def crd_manifest(plural: str, versions: str) -> str:
    return f"""apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {{name: {plural}.hoisting.example.com}}
spec:
  group: hoisting.example.com
  scope: Namespaced
  names: {{plural: {plural}, kind: Thing}}
  versions:
{versions}"""


BAD_SPEC = "{type: object, properties: {spec: {properties: {size: {type: integer}}}}}"


@pytest.mark.parametrize(("versions", "expected"), [
    pytest.param(f"  - {{name: v1, served: true, storage: true, schema: {{openAPIV3Schema: {BAD_SPEC}}}}}",
                 'The CustomResourceDefinition "things.hoisting.example.com" is invalid: '
                 "spec.validation.openAPIV3Schema.properties[spec].type: Required value: must not be empty for specified object fields",
                 id="one-version"),
    pytest.param(f"  - {{name: v1, served: true, storage: true, schema: {{openAPIV3Schema: {BAD_SPEC}}}}}\n"
                 f"  - {{name: v2, served: true, storage: false, schema: {{openAPIV3Schema: {BAD_SPEC}}}}}",
                 'The CustomResourceDefinition "things.hoisting.example.com" is invalid: '
                 "spec.validation.openAPIV3Schema.properties[spec].type: Required value: must not be empty for specified object fields",
                 id="versions-share-the-schema"),
    pytest.param("  - {name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object}},\n"
                 "     additionalPrinterColumns: [{name: Size, type: integer, jsonPath: .spec.size}]}\n"
                 f"  - {{name: v2, served: true, storage: false, schema: {{openAPIV3Schema: {BAD_SPEC}}},\n"
                 "     additionalPrinterColumns: [{name: Size, type: int, jsonPath: .spec.size}]}",
                 'The CustomResourceDefinition "things.hoisting.example.com" is invalid: \n'
                 "* spec.versions[1].schema.openAPIV3Schema.properties[spec].type: Required value: "
                 "must not be empty for specified object fields\n"
                 '* spec.versions[1].additionalPrinterColumns[0].type: Invalid value: "int": '
                 "must be one of boolean,date,integer,number,string",
                 id="versions-differ"),
])
def test_kubectl_shows_crd_errors_where_kube_reports_them(vapi: VapiProcess, versions: str, expected: str) -> None:
    """kube validates the internal CRD: what every version shares is reported at spec.validation
    (spec.additionalPrinterColumns, ...), what differs at spec.versions[i]."""
    out = vapi.kubectl("create", "-f", "-", input=crd_manifest("things", versions), check=False)
    assert out.returncode == 1, out.stdout
    assert out.stderr.strip() == expected
    assert vapi.kubectl("get", "crd", "things.hoisting.example.com", "--ignore-not-found", "-o", "name").stdout == ""
