"""Placement rules as pure functions: object and cluster selection, customization with
cluster references, what an edge copy keeps."""

from __future__ import annotations

import json

import pytest

from vapi import defaults, placement, schemas

EU = placement.Cluster("eu1", {"region": "eu", "tier": "prod"}, {"registry": "reg.eu", "replicas": "4", "lab": "false"})


def deployment(name: str = "web", ns: str = "shop", labels: dict | None = None) -> dict:
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": name, "namespace": ns, "labels": labels or {}, "uid": "u", "resourceVersion": "9",
                         "managedFields": [{}], "ownerReferences": [{"name": "x"}],
                         "annotations": {placement.LAST_APPLIED: "{}", "keep": "me"}},
            "spec": {"replicas": 1, "template": {"spec": {"containers": [{"name": "web", "image": "web:1"}, {"name": "side", "image": "s:1"}]}}},
            "status": {"replicas": 1}}


@pytest.mark.parametrize(
    "selector,group,resource,obj,ns_labels,expected",
    [
        pytest.param({"apiGroup": "apps", "resources": ["deployments"], "names": ["web-*"]}, "apps", "deployments",
                     deployment("web-1"), None, True, id="name-wildcard"),
        pytest.param({"apiGroup": "apps", "resources": ["deployments"], "names": ["web-*"]}, "apps", "deployments",
                     deployment("api"), None, False, id="name-miss"),
        pytest.param({"apiGroup": "*", "resources": ["*"], "namespaces": ["shop"]}, "apps", "deployments",
                     deployment(), None, True, id="all-in-namespace"),
        pytest.param({"apiGroup": "*", "resources": ["*"], "namespaces": ["shop"]}, "rbac.authorization.k8s.io", "clusterroles",
                     {"metadata": {"name": "r"}}, None, False, id="cluster-scoped-not-in-namespace-list"),
        pytest.param({"apiGroup": "apps", "resources": ["deployments"], "labelSelector": {"matchLabels": {"app": "web"}}},
                     "apps", "deployments", deployment(labels={"app": "web"}), None, True, id="labels"),
        pytest.param({"apiGroup": "apps", "resources": ["deployments"], "namespaceSelector": {"matchLabels": {"team": "a"}}},
                     "apps", "deployments", deployment(), {"team": "b"}, False, id="namespace-labels-miss"),
        pytest.param({"apiGroup": "", "resources": ["events"]}, "", "events", {"metadata": {"name": "e", "namespace": "shop"}},
                     None, False, id="never-events"),
    ],
)
def test_object_selection(selector: dict, group: str, resource: str, obj: dict, ns_labels: dict | None, expected: bool) -> None:
    rules = placement.compile_rules("root", "p", {"objects": [selector]})
    assert rules.selects_object(group, resource, obj, ns_labels) is expected


def test_cluster_selection_by_labels_and_cel() -> None:
    rules = placement.compile_rules("root", "p", {
        "clusterSelector": {"matchExpressions": [{"key": "region", "operator": "In", "values": ["eu", "us"]}]},
        "clusterPredicate": 'cluster.properties.lab != "true" && cluster.name.startsWith("eu")'})
    assert rules.selects_cluster(EU)
    assert not rules.selects_cluster(placement.Cluster("us1", {"region": "us"}, {"lab": "false"}))
    assert not rules.selects_cluster(placement.Cluster("eu2", {"region": "ap"}, {}))
    with pytest.raises(placement.CustomizationError):  # a property the predicate needs is missing
        rules.selects_cluster(placement.Cluster("eu3", {"region": "eu"}, {}))


@pytest.mark.parametrize("spec,field", [
    pytest.param({"clusterPredicate": "cluster.name ==="}, "spec.clusterPredicate", id="bad-cel"),
    pytest.param({"clusterSelector": {"matchExpressions": [{"key": "a", "operator": "Near"}]}}, "spec.clusterSelector", id="bad-op"),
    pytest.param({"customizations": [{"mergePatch": {}, "jsonPatch": []}]}, "spec.customizations[0]", id="two-patches"),
    pytest.param({"objects": "all"}, "spec.objects", id="objects-not-list"),
    pytest.param({"clusterPredicate": "cluster.name"}, "spec.clusterPredicate", id="cel-not-a-bool"),
    pytest.param({"clusterPredicate": 'region == "eu"'}, "spec.clusterPredicate", id="cel-undeclared-variable"),
    pytest.param({"clusterPredicate": "nosuch(cluster.name)"}, "spec.clusterPredicate", id="cel-undefined-function"),
    pytest.param({"objects": [{"apiGroups": ["apps"], "resources": ["deployments"]}]}, "spec.objects[0].apiGroups",
                 id="misspelt-selector-field"),
    pytest.param({"clusterSelector": {"matchLabel": {"region": "eu"}}}, "spec.clusterSelector.matchLabel", id="misspelt-match-labels"),
    pytest.param({"customizations": {"mergePatch": {}}}, "spec.customizations", id="customizations-not-list"),
    pytest.param({"localFields": {"path": "spec.replicas"}}, "spec.localFields", id="local-fields-not-list"),
    pytest.param({"createOnly": "seed"}, "spec.createOnly", id="create-only-not-list"),
    pytest.param({"customizations": [{"target": {"apiGroup": ["apps"]}, "mergePatch": {}}]},
                 "spec.customizations[0].target.apiGroup", id="target-not-strings"),
    pytest.param({"customizations": [{"selector": {}, "mergePatch": {}}]}, "spec.customizations[0].selector", id="unknown-rule-field"),
    pytest.param({"customizations": [{"jsonPatch": [{"op": "frob", "path": "/spec"}]}]},
                 "spec.customizations[0].jsonPatch[0].op", id="json-patch-unknown-op"),
    pytest.param({"customizations": [{"jsonPatch": ["replace"]}]}, "spec.customizations[0].jsonPatch[0]", id="json-patch-not-an-op"),
    pytest.param({"customizations": [{"jsonPatch": [{"op": "replace", "path": "spec/replicas", "value": 1}]}]},
                 "spec.customizations[0].jsonPatch[0].path", id="json-patch-not-a-pointer"),
    pytest.param({"customizations": [{"jsonPatch": [{"op": "add", "path": "/spec/replicas"}]}]},
                 "spec.customizations[0].jsonPatch[0].value", id="json-patch-without-value"),
    pytest.param({"customizations": [{"mergePatch": {"data": {"x": "$(cluster.property.registry)"}}}]},
                 "spec.customizations[0].mergePatch.data.x", id="misspelt-reference"),
])
def test_invalid_specs_name_the_field(spec: dict, field: str) -> None:
    with pytest.raises(placement.Invalid, match=field.replace("[", r"\[").replace("]", r"\]")):
        placement.compile_rules("root", "p", spec)


@pytest.mark.parametrize("predicate,message", [
    pytest.param('cluster.properties.zone == "a"', "no such key: zone", id="missing-property"),
    pytest.param("1 / (size(cluster.labels) - 1) == 1", "division by zero", id="division-by-zero"),
    pytest.param('size(cluster.labels) == 0 ? true : "yes"', "must evaluate to a bool", id="not-a-bool-here"),
])
def test_predicate_failing_for_one_cluster_is_that_clusters_error(predicate: str, message: str) -> None:
    rules = placement.compile_rules("root", "p", {"clusterPredicate": predicate})
    with pytest.raises(placement.CustomizationError, match=message):
        rules.selects_cluster(placement.Cluster("eu3", {"region": "eu"}, {}))


@pytest.mark.parametrize("customization", [
    pytest.param({"mergePatch": {"metadata": {"name": "other"}}}, id="rename"),
    pytest.param({"mergePatch": {"metadata": "gone"}}, id="metadata-not-a-map"),
    pytest.param({"jsonPatch": [{"op": "replace", "path": "/kind", "value": "StatefulSet"}]}, id="change-kind"),
    pytest.param({"mergePatch": {"spec": {"$patch": "frob"}}}, id="bad-directive"),
    pytest.param({"mergePatch": {"spec": {"template": {"spec": {"containers": [{"image": "x"}]}}}}}, id="no-merge-key"),
])
def test_a_customization_that_cannot_make_a_copy_is_that_pairs_error(customization: dict) -> None:
    """Never another exception: the view of every cluster would fail with it."""
    rules = placement.compile_rules("root", "p", {"customizations": [customization]})
    with pytest.raises(placement.CustomizationError, match="web"):
        placement.customize(rules, "apps", "deployments", deployment(), EU, schemas.for_kind("apps", "v1", "Deployment"))


def test_customization_merges_by_container_name_and_types_references() -> None:
    rules = placement.compile_rules("root", "p", {"customizations": [
        {"target": {"apiGroup": "apps", "resource": "deployments", "name": "web"},
         "mergePatch": {"spec": {"template": {"spec": {"containers": [{"name": "web", "image": "$(cluster.properties.registry)/web:1"}]}}}}},
        {"clusterSelector": {"matchLabels": {"tier": "prod"}},
         "jsonPatch": [{"op": "replace", "path": "/spec/replicas", "value": "$(cluster.properties.replicas)"},
                       {"op": "add", "path": "/metadata/labels/site", "value": "site-$(cluster.name)-$(cluster.labels.region)"}]},
        {"clusterSelector": {"matchLabels": {"tier": "lab"}}, "jsonPatch": [{"op": "remove", "path": "/spec"}]},
    ], "localFields": [{"apiGroup": "apps", "resource": "deployments", "path": "spec.replicas"}]})
    schema = schemas.for_kind("apps", "v1", "Deployment")
    out = placement.customize(rules, "apps", "deployments", deployment(), EU, schema)
    containers = out["spec"]["template"]["spec"]["containers"]
    assert containers == [{"name": "web", "image": "reg.eu/web:1"}, {"name": "side", "image": "s:1"}]
    assert out["spec"]["replicas"] == 4  # an integer: the field is one
    assert out["metadata"]["labels"]["site"] == "site-eu1-eu"
    assert out["metadata"]["annotations"][placement.LOCAL_FIELDS] == "spec.replicas"


def test_missing_property_is_an_error_for_that_pair_only() -> None:
    rules = placement.compile_rules("root", "p", {"customizations": [{"mergePatch": {"data": {"x": "$(cluster.properties.nope)"}}}]})
    with pytest.raises(placement.CustomizationError, match="nope"):
        placement.customize(rules, "", "configmaps", {"metadata": {"name": "c"}, "data": {}}, EU, None)


def test_edge_copy_of_a_job_drops_the_selector_made_from_the_center_uid() -> None:
    job = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j", "uid": "u-1"},
           "spec": {"template": {"metadata": {"labels": {"app": "a"}}, "spec": {"restartPolicy": "Never", "containers": []}}}}
    defaults.job_selector(job)
    assert job["spec"]["selector"] == {"matchLabels": {"batch.kubernetes.io/controller-uid": "u-1"}}
    out = placement.strip(job, "root")
    assert "selector" not in out["spec"]
    assert out["spec"]["template"]["metadata"]["labels"] == {"app": "a", "batch.kubernetes.io/job-name": "j", "job-name": "j"}
    assert job["spec"]["selector"]["matchLabels"], "the center's object is left alone"
    manual = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "m"},
              "spec": {"manualSelector": True, "selector": {"matchLabels": {"controller-uid": "mine"}}}}
    assert placement.strip(manual, "root")["spec"] == manual["spec"]


def test_edge_copy_drops_center_bookkeeping() -> None:
    out = placement.strip(deployment(), "root:retail")
    assert "status" not in out
    meta = out["metadata"]
    for gone in ("uid", "resourceVersion", "managedFields", "ownerReferences"):
        assert gone not in meta
    assert meta["annotations"] == {"keep": "me"}  # no generation: the object had none
    assert meta["labels"][placement.SOURCE_LABEL] == "root.retail"


def test_copies_from_several_placements_merge_unless_their_content_differs() -> None:
    """Identical results merge, however each placement has the edge treat them (local fields,
    create-only, associated objects); different content is a conflict (None)."""
    def copy_by(spec: dict) -> dict:
        rules = placement.compile_rules("root", "p", spec)
        return placement.customize(rules, "apps", "deployments", placement.strip(deployment(), "root"), EU, None)

    plain = copy_by({})
    local = copy_by({"localFields": [{"apiGroup": "apps", "resource": "deployments", "path": "spec.replicas"}]})
    watched = copy_by({"statusCollection": {"associated": [{"apiVersion": "apps/v1", "kind": "ReplicaSet"},
                                                            {"apiVersion": "v1", "kind": "Pod"}]}})
    pods = copy_by({"statusCollection": {"associated": [{"apiVersion": "v1", "kind": "Pod"}]}})
    merged = placement.merge([plain, pods, local, watched])
    assert merged is not None
    annotations = merged["metadata"]["annotations"]
    assert annotations[placement.LOCAL_FIELDS] == "spec.replicas"
    assert [a["kind"] for a in json.loads(annotations[placement.ASSOCIATED])] == ["ReplicaSet", "Pod"]  # the owner chain kept
    assert {k: v for k, v in merged.items() if k != "metadata"} == {k: v for k, v in plain.items() if k != "metadata"}
    assert placement.merge([plain, plain]) == plain
    other = copy_by({"customizations": [{"jsonPatch": [{"op": "replace", "path": "/spec/replicas", "value": 5}]}]})
    assert placement.merge([plain, other]) is None
