"""vapi's own kinds are first-class in OpenAPI (vapi/kindschemas.py): `kubectl explain` reads
their descriptions, writes drop (Warn) or refuse (Strict) unknown fields and refuse values of
the wrong JSON type in kube's words, server-side apply merges their keyed lists, and every
example object of them (README, tests, what the server and syncer write) fits its schema."""

from __future__ import annotations

import datetime
import json
import os
import re
from typing import Any

import pytest
import yaml

from tests.apiserver import ROOT, VapiProcess
from vapi import kindschemas, openapi, schemas, tokens
from vapi.resources import VAPI_GROUPS, builtin

Obj = dict[str, Any]


def misfits(obj: Obj) -> list[str]:
    """What of a vapi object its schema does not declare, or declares with another JSON type."""
    group, _, version = str(obj["apiVersion"]).rpartition("/")
    schema = schemas.for_kind(group, version, str(obj["kind"]))
    assert schema is not None, f"no schema for {obj['apiVersion']} {obj['kind']}"
    copy = json.loads(json.dumps(obj))
    wrong = [f"{f}: {found}, not {wanted}" for f, wanted, found in schemas.type_errors(copy, schema, struct=str(obj["kind"]))]
    return [f"unknown field {u}" for u in schemas.unknown_fields(copy, schema)] + wrong


def test_every_vapi_kind_has_a_schema_with_its_kind() -> None:
    for g in VAPI_GROUPS:
        for v in g["versions"]:
            for r in v["resources"]:
                name = schemas.definition_name(g["group"], v["version"], r["kind"])
                assert name and schemas.for_kind(g["group"], v["version"], r["kind"]) is not None, r["kind"]
                assert schemas.definition_name(g["group"], v["version"], r["kind"] + "List"), r["kind"] + "List"


def _refs(node: Any) -> set[str]:
    if isinstance(node, dict):
        own = {node["$ref"].rsplit("/", 1)[-1]} if isinstance(node.get("$ref"), str) else set()
        return own.union(*(_refs(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(_refs(v) for v in node))
    return set()


def test_schemas_are_structural_and_described() -> None:
    """Every node has a type (or preserves unknown fields, or is a $ref), every property a
    description; every $ref resolves; keyed lists name keys their items require."""
    defs = schemas.definitions()

    def walk(node: Obj, where: str, described: bool = True) -> None:
        if "$ref" in node:
            assert node["$ref"].rsplit("/", 1)[-1] in defs, where
            return
        assert "type" in node or node.get("x-kubernetes-preserve-unknown-fields"), f"{where}: no type"
        if described:
            assert node.get("description"), f"{where}: no description"
        if node.get("x-kubernetes-list-type") == "map":
            item = schemas.resolve(node["items"]) or {}
            assert set(node["x-kubernetes-list-map-keys"]) <= set(item.get("required", ())), f"{where}: keys not required"
        for name, prop in (node.get("properties") or {}).items():
            walk(prop, f"{where}.{name}")
        if isinstance(node.get("items"), dict):
            walk(node["items"], f"{where}[]", described=False)
        if isinstance(node.get("additionalProperties"), dict):
            walk(node["additionalProperties"], f"{where}{{}}", described=False)

    for name, schema in kindschemas.definitions().items():
        walk(schema, name)
    published = openapi.definitions("#/definitions/")
    assert not any(kindschemas.REFUSED in json.dumps(published[n]) for n in kindschemas.definitions())


# -- example objects ---------------------------------------------------------------------------


def _readme_examples() -> list[Obj]:
    """The YAML examples of README.md that show a vapi kind (a bare `spec:` one is a Placement's)."""
    with open(os.path.join(ROOT, "README.md")) as f:
        text = f.read()
    out = []
    for block in re.findall(r"```yaml\n(.*?)```", text, re.S):
        doc = yaml.safe_load(block)
        if isinstance(doc, dict) and "kind" not in doc and "spec" in doc:
            doc = {"apiVersion": "edge.vapi.dev/v1alpha1", "kind": "Placement", "metadata": {"name": "readme"}, **doc}
        if isinstance(doc, dict) and str(doc.get("apiVersion", "")).split("/")[0] in ("edge.vapi.dev", "tenancy.vapi.dev"):
            out.append(doc)
    return out


def examples() -> list[Any]:
    from tests import test_access, test_edge_status, test_edge_sync

    now = datetime.datetime.now(datetime.timezone.utc)
    bound = {"workspace": "root:sa", "audiences": ["https://kubernetes.default.svc"],
             "serviceAccount": {"namespace": "default", "name": "robot", "uid": "u-1"}}
    out = [pytest.param(o, id=f"readme-{i}") for i, o in enumerate(_readme_examples())]
    out += [
        pytest.param(test_edge_sync.PLACEMENT, id="edge-sync-placement"),
        pytest.param(test_edge_status.placement("web", "shop", writeBack=True, full=True, summaries=[{
            "name": "by-region", "groupBy": ["cluster.labels.region"],
            "aggregates": [{"count": True}, {"sum": "status.readyReplicas"}, {"name": "avg", "function": "avg", "expression": "1"}],
            "select": ["cluster.name", {"name": "available", "expression": "status.availableReplicas"}],
            "orderBy": "cluster.name", "limit": 3, "attention": {"expression": "status.readyReplicas < 1", "limit": 2}}],
            associated=[{"apiVersion": "apps/v1", "kind": "ReplicaSet", "via": "owner"},
                        {"apiVersion": "v1", "kind": "Pod", "via": "labels", "labelSelector": {"matchLabels": {"app": "web"}}}]),
                     id="edge-status-placement"),
        pytest.param(test_access.grant("g", "User", "alice", "edit"), id="access-grant"),
        pytest.param(test_access.ws("w"), id="workspace"),
        pytest.param({"apiVersion": "tenancy.vapi.dev/v1alpha1", "kind": "Workspace", "metadata": {"name": "q"},
                      "spec": {"quota": {"objects": 5000}}, "status": {"phase": "Ready", "URL": "https://h/clusters/root:q"}},
                     id="workspace-with-quota"),
        pytest.param(tokens.new("bob", ["devs"], now)[1], id="access-token"),
        pytest.param(tokens.new("system:serviceaccount:default:robot", [], now, bound)[1], id="bound-access-token"),
        pytest.param({"apiVersion": "edge.vapi.dev/v1alpha1", "kind": "Placement", "metadata": {"name": "all"}, "spec": {
            "clusterPredicate": 'cluster.properties.tier != "lab"',
            "objects": [{"apiGroup": "*", "resources": ["configmaps"], "names": ["a-*"], "namespaces": ["*"],
                         "labelSelector": {"matchExpressions": [{"key": "x", "operator": "Exists"}]},
                         "namespaceSelector": {"matchLabels": {"team": "a"}}}],
            "customizations": [{"clusterSelector": {"matchLabels": {"tier": "lab"}}, "jsonPatch": [
                {"op": "move", "from": "/data/a", "path": "/data/b"}, {"op": "add", "path": "/data/c", "value": {"n": [1]}}]}],
            "createOnly": [{"apiGroup": "", "resource": "configmaps", "namespace": "shop", "name": "seed"}],
            "statusCollection": {"writeBack": False, "filter": "true", "groupBy": ["cluster.name"],
                                 "aggregates": [{"max": "status.x"}, {"min": "status.x"}, {"avg": "status.x"}],
                                 "attention": "false"}}}, id="every-placement-field"),
    ]
    return out


@pytest.mark.parametrize("obj", examples())
def test_example_objects_fit_their_schema(obj: Obj) -> None:
    assert misfits(obj) == []


def test_misfits_are_found() -> None:
    """The check above can fail: a typo and a wrong type are named."""
    bad = {"apiVersion": "edge.vapi.dev/v1alpha1", "kind": "EdgeCluster", "metadata": {"name": "x"},
           "spec": {"propertes": {}}, "status": {"objectsApplied": "3"}}
    assert misfits(bad) == ["unknown field spec.propertes",
                            "EdgeClusterStatus.status.objectsApplied: string, not int32"]


def stored_vapi_objects(server: VapiProcess, workspace: str = "root") -> list[Obj]:
    """Every object of a vapi kind stored in a workspace, as served."""
    out = []
    for g in VAPI_GROUPS:
        for v in g["versions"]:
            for r in v["resources"]:
                code, _, body = server.request("GET", f"/clusters/{workspace}/apis/{g['group']}/{v['version']}/{r['resource']}")
                assert code == 200, body
                out += [{"apiVersion": f"{g['group']}/{v['version']}", "kind": r["kind"], **{k: v for k, v in i.items()
                                                                                             if k not in ("apiVersion", "kind")}}
                        for i in json.loads(body)["items"]]
    return out


def assert_stored_objects_fit(server: VapiProcess, workspace: str = "root") -> list[str]:
    """What the server and the syncers wrote fits the schemas; the kinds seen."""
    stored = stored_vapi_objects(server, workspace)
    wrong = {f"{o['kind']}/{o['metadata']['name']}": m for o in stored if (m := misfits(o))}
    assert wrong == {}
    return sorted({o["kind"] for o in stored})


# -- against a server ---------------------------------------------------------------------------


def test_kubectl_explain_vapi_kinds(vapi: VapiProcess) -> None:
    selector = vapi.kubectl("explain", "placement.spec.clusterSelector").stdout
    assert "KIND:       Placement" in selector and "FIELD: clusterSelector <LabelSelector>" in selector
    assert "Which EdgeClusters the placement selects" in selector and "matchExpressions" in selector
    summaries = vapi.kubectl("explain", "placements.spec.statusCollection.summaries.aggregates").stdout
    assert "FIELD: aggregates <[]Aggregate>" in summaries and "function\t<string>" in summaries
    recursive = vapi.kubectl("explain", "edgecluster", "--recursive").stdout
    for line in ("spec\t<EdgeClusterSpec>", "properties\t<map[string]string>", "status\t<EdgeClusterStatus>",
                 "lastHeartbeatTime\t<string>", "failures\t<[]SyncFailure>", "conditions\t<[]Condition>"):
        assert line in recursive, (line, recursive)
    assert "its properties customize what it gets" in recursive.replace("\n    ", " ")
    for kind in ("workspace", "accessgrant.spec.subject", "accesstoken.spec", "statussummary.status.summaries",
                 "reportedstatus.spec.object"):
        assert "DESCRIPTION:" in vapi.kubectl("explain", kind).stdout, kind


def test_openapi_v2_and_v3_carry_vapi_kinds(vapi: VapiProcess) -> None:
    code, _, body = vapi.request("GET", "/clusters/root/openapi/v2", headers={"Accept": "application/json"})
    defs = json.loads(body)["definitions"]
    assert code == 200 and defs["dev.vapi.edge.v1alpha1.Placement"]["x-kubernetes-group-version-kind"] == [
        {"group": "edge.vapi.dev", "version": "v1alpha1", "kind": "Placement"}]
    summaries = defs["dev.vapi.edge.v1alpha1.StatusCollection"]["properties"]["summaries"]
    assert (summaries["x-kubernetes-list-type"], summaries["x-kubernetes-list-map-keys"]) == ("map", ["name"])
    code, _, proto = vapi.request("GET", "/clusters/root/openapi/v2",
                                  headers={"Accept": "application/com.github.proto-openapi.spec.v2@v1.0+protobuf"})
    assert code == 200 and b"dev.vapi.edge.v1alpha1.EdgeClusterStatus" in proto and kindschemas.REFUSED.encode() not in proto
    code, _, body = vapi.request("GET", "/clusters/root/openapi/v3")
    for gv, kind in (("apis/edge.vapi.dev/v1alpha1", "EdgeCluster"), ("apis/tenancy.vapi.dev/v1alpha1", "AccessGrant")):
        code, _, doc = vapi.request("GET", "/clusters/root" + json.loads(body)["paths"][gv]["serverRelativeURL"])
        components = json.loads(doc)["components"]["schemas"]
        assert code == 200 and f"dev.vapi.{gv.split('/')[1].split('.')[0]}.v1alpha1.{kind}" in components


PLACEMENT_TYPO = {"apiVersion": "edge.vapi.dev/v1alpha1", "kind": "Placement", "metadata": {"name": "typo"},
                  "spec": {"clusterSelector": {"matchLabels": {"region": "eu"}}, "clusterPredicat": "true",
                           "objects": [{"apiGroup": "", "resources": ["configmaps"], "names": ["typo"]}]}}
CLUSTER_TYPO = {"apiVersion": "edge.vapi.dev/v1alpha1", "kind": "EdgeCluster", "metadata": {"name": "typo"},
                "spec": {"propertys": {"registry": "reg.eu"}}}


@pytest.mark.parametrize("obj,field", [
    pytest.param(PLACEMENT_TYPO, "spec.clusterPredicat", id="placement"),
    pytest.param(CLUSTER_TYPO, "spec.propertys", id="edgecluster"),
])
def test_unknown_fields_strict_refused_warn_dropped(vapi: VapiProcess, obj: Obj, field: str) -> None:
    kind = obj["kind"]
    strict = vapi.kubectl("create", "--validate=strict", "-f", "-", check=False, input=json.dumps(obj))
    assert strict.returncode != 0 and (f'Error from server (BadRequest): error when creating "STDIN": {kind} in version '
                                       f'"v1alpha1" cannot be handled as a {kind}: strict decoding error: unknown field '
                                       f'"{field}"') in strict.stderr, strict.stderr
    assert vapi.kubectl("get", kind.lower(), "typo", check=False).returncode != 0, "not stored"
    warn = vapi.kubectl("create", "--validate=warn", "-f", "-", check=False, input=json.dumps(obj))
    assert warn.returncode == 0 and f'Warning: unknown field "{field}"' in warn.stderr, warn.stderr
    stored = json.loads(vapi.kubectl("get", kind.lower(), "typo", "-o", "json").stdout)
    assert field.split(".")[1] not in stored["spec"]
    vapi.kubectl("delete", kind.lower(), "typo")


def test_apply_server_side_strict_words(vapi: VapiProcess) -> None:
    obj = {**PLACEMENT_TYPO, "metadata": {"name": "typo-ssa"}}
    out = vapi.kubectl("apply", "--server-side", "--validate=strict", "-f", "-", check=False, input=json.dumps(obj))
    assert out.returncode != 0 and ("failed to create typed patch object (/typo-ssa; edge.vapi.dev/v1alpha1, Kind=Placement): "
                                    ".spec.clusterPredicat: field not declared in schema") in out.stderr, out.stderr


def test_misspelt_selector_fields_are_refused_whatever_the_validation(vapi: VapiProcess) -> None:
    """Dropping them would widen what the placement selects: vapi's validation names them."""
    obj = {"apiVersion": "edge.vapi.dev/v1alpha1", "kind": "Placement", "metadata": {"name": "wide"},
           "spec": {"clusterSelector": {"matchLabel": {"region": "eu"}}}}
    for validate in ("warn", "ignore"):
        out = vapi.kubectl("create", f"--validate={validate}", "-f", "-", check=False, input=json.dumps(obj))
        assert out.returncode != 0 and 'The Placement "wide" is invalid: spec.clusterSelector.matchLabel' in out.stderr, out.stderr


@pytest.mark.parametrize("obj,words", [
    pytest.param({"apiVersion": "edge.vapi.dev/v1alpha1", "kind": "EdgeCluster", "metadata": {"name": "typed"},
                  "spec": {"properties": {"replicas": 3}}},
                 "json: cannot unmarshal number into Go struct field EdgeClusterSpec.spec.properties of type string", id="edgecluster"),
    pytest.param({"apiVersion": "edge.vapi.dev/v1alpha1", "kind": "Placement", "metadata": {"name": "typed"},
                  "spec": {"objects": [{"resources": "configmaps"}]}},
                 "json: cannot unmarshal string into Go struct field ObjectSelector.spec.objects.resources of type []string",
                 id="placement"),
])
def test_wrong_json_types_are_a_400(vapi: VapiProcess, obj: Obj, words: str) -> None:
    out = vapi.kubectl("create", "--validate=false", "-f", "-", check=False, input=json.dumps(obj))
    kind = obj["kind"]
    assert out.returncode != 0 and f'{kind} in version "v1alpha1" cannot be handled as a {kind}: {words}' in out.stderr, out.stderr


def test_server_side_apply_merges_summaries_by_name(vapi: VapiProcess) -> None:
    def config(name: str, summary: Obj) -> str:
        return json.dumps({"apiVersion": "edge.vapi.dev/v1alpha1", "kind": "Placement", "metadata": {"name": name},
                           "spec": {"statusCollection": {"summaries": [summary]}}})

    by_region = {"name": "by-region", "groupBy": ["cluster.labels.region"], "aggregates": [{"count": True}]}
    lagging = {"name": "lagging", "attention": "status.readyReplicas < 1"}
    vapi.kubectl("apply", "--server-side", "--field-manager=alice", "-f", "-", input=config("merged", by_region))
    vapi.kubectl("apply", "--server-side", "--field-manager=bob", "-f", "-", input=config("merged", lagging))
    got = json.loads(vapi.kubectl("get", "placement", "merged", "-o", "json", "--show-managed-fields").stdout)
    assert got["spec"]["statusCollection"]["summaries"] == [by_region, lagging]
    owned = {e["manager"]: list(e["fieldsV1"]["f:spec"]["f:statusCollection"]["f:summaries"])
             for e in got["metadata"]["managedFields"] if e["operation"] == "Apply"}
    assert owned == {"alice": ['k:{"name":"by-region"}'], "bob": ['k:{"name":"lagging"}']}
    changed = {**lagging, "attention": "status.readyReplicas < 2"}
    conflict = vapi.kubectl("apply", "--server-side", "--field-manager=alice", "-f", "-", check=False,
                            input=config("merged", changed))
    assert conflict.returncode != 0 and "conflict" in conflict.stderr.lower() and "bob" in conflict.stderr, conflict.stderr
    vapi.kubectl("apply", "--server-side", "--field-manager=alice", "-f", "-", input=config("merged", {"name": "by-region"}))
    got = json.loads(vapi.kubectl("get", "placement", "merged", "-o", "json").stdout)
    assert got["spec"]["statusCollection"]["summaries"] == [{"name": "by-region"}, lagging], "alice's dropped fields go"
    vapi.kubectl("delete", "placement", "merged")


def test_stored_objects_of_a_server_fit(vapi: VapiProcess) -> None:
    """What this server wrote of vapi kinds (workspaces' status, placements' status) fits."""
    res = builtin().lookup("edge.vapi.dev", "v1alpha1", "placements")
    assert res is not None
    vapi.kubectl("create", "-f", "-", input=json.dumps({**PLACEMENT_TYPO, "metadata": {"name": "fits"},
                                                         "spec": {"clusterPredicate": "cluster.x == 1"}}))
    vapi.kubectl("create", "-f", "-", input=json.dumps({"apiVersion": "tenancy.vapi.dev/v1alpha1", "kind": "Workspace",
                                                         "metadata": {"name": "fits"}}))
    kinds = assert_stored_objects_fit(vapi)
    assert {"Placement", "Workspace"} <= set(kinds)
    vapi.kubectl("delete", "placement", "fits")
    vapi.kubectl("delete", "workspace", "fits")
