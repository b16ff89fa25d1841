"""End to end: a center, three edge stand-ins (each a vapi workspace served by its own vapi
process: a Kubernetes API without controllers) labelled by region, and a syncer process for
each. What a placement selects lands on exactly the clusters it selects, customized per
cluster, and follows relabelling, deletion, drift and customization errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

from tests.apiserver import ROOT, VapiProcess, stop_all

REGIONS = {"eu1": "eu", "us1": "us", "ap1": "ap"}
REGISTRY = {"eu1": "reg.eu", "us1": "reg.us", "ap1": "reg.ap"}
REPLICAS = {"eu1": "2", "us1": "3", "ap1": "1"}

CRD = {
    "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
    "metadata": {"name": "gadgets.example.com"},
    "spec": {"group": "example.com", "scope": "Namespaced",
             "names": {"plural": "gadgets", "singular": "gadget", "kind": "Gadget", "listKind": "GadgetList"},
             "versions": [{"name": "v1", "served": True, "storage": True,
                           "schema": {"openAPIV3Schema": {"type": "object", "properties": {
                               "spec": {"type": "object", "properties": {"size": {"type": "integer"}}}}}}}]},
}
WORKLOAD = [
    {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}},
    CRD,
    {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "shop", "labels": {"app": "web"}},
     "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}},
              "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "web:1"}]}}}},
    {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "shop"},
     "spec": {"selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": 8080}]}},
    {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings", "namespace": "shop"}, "data": {"mode": "edge"}},
    {"apiVersion": "example.com/v1", "kind": "Gadget", "metadata": {"name": "g1", "namespace": "shop"}, "spec": {"size": 3}},
    {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "shop-reader"},
     "rules": [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"]}]},
]
PLACEMENT = {
    "apiVersion": "edge.vapi.dev/v1alpha1", "kind": "Placement", "metadata": {"name": "shop"},
    "spec": {
        "clusterSelector": {"matchExpressions": [{"key": "region", "operator": "In", "values": ["eu", "us"]}]},
        "objects": [
            {"apiGroup": "", "resources": ["namespaces"], "names": ["shop"]},
            {"apiGroup": "apiextensions.k8s.io", "resources": ["customresourcedefinitions"], "names": ["gadgets.example.com"]},
            {"apiGroup": "apps", "resources": ["deployments"], "namespaces": ["shop"]},
            {"apiGroup": "", "resources": ["services", "configmaps"], "namespaces": ["shop"]},
            {"apiGroup": "example.com", "resources": ["gadgets"], "namespaces": ["shop"]},
            {"apiGroup": "rbac.authorization.k8s.io", "resources": ["clusterroles"], "names": ["shop-*"]},
        ],
        "customizations": [
            {"target": {"apiGroup": "apps", "resource": "deployments", "namespace": "shop", "name": "web"},
             "mergePatch": {"spec": {"template": {"spec": {"containers": [
                 {"name": "web", "image": "$(cluster.properties.registry)/web:1"}]}}}}},
            {"target": {"apiGroup": "apps", "resource": "deployments"},
             "jsonPatch": [{"op": "replace", "path": "/spec/replicas", "value": "$(cluster.properties.replicas)"}]},
        ],
        "localFields": [{"apiGroup": "apps", "resource": "deployments", "path": "spec.replicas"}],
    },
}


@dataclass
class Fleet:
    center: VapiProcess
    edges: dict[str, VapiProcess]
    syncers: dict[str, subprocess.Popen[bytes]]
    kubeconfigs: dict[str, str]


def wait_for(check: Callable[[], object], what: str, timeout: float = 20.0) -> object:
    deadline = time.monotonic() + timeout
    last: object = None
    while time.monotonic() < deadline:
        try:
            last = check()
            if last:
                return last
        except (AssertionError, KeyError, ValueError, subprocess.SubprocessError) as e:
            last = e
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}; last: {last!r}")


def edge_get(edge: VapiProcess, *args: str) -> dict | None:
    out = edge.kubectl("get", *args, "-o", "json", check=False)
    return json.loads(out.stdout) if out.returncode == 0 else None


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fleet]:
    base = tmp_path_factory.mktemp("fleet")
    center = VapiProcess(str(base / "center"), "--edge-heartbeat-grace", "3").start()
    edges: dict[str, VapiProcess] = {}
    syncers: dict[str, subprocess.Popen[bytes]] = {}
    kubeconfigs: dict[str, str] = {}
    try:
        for name, region in REGIONS.items():
            edges[name] = VapiProcess(str(base / f"edge-{name}")).start()
            out = subprocess.run(
                [sys.executable, "-m", "vapi.cli", "cluster", "register", name, "--data-dir", center.data_dir,
                 "--label", f"region={region}", "--property", f"registry={REGISTRY[name]}",
                 "--property", f"replicas={REPLICAS[name]}"],
                capture_output=True, text=True, cwd=ROOT, timeout=60, check=True)
            kubeconfigs[name] = str(base / f"{name}.kubeconfig")
            with open(kubeconfigs[name], "w") as f:
                f.write(out.stdout)
            log = open(base / f"syncer-{name}.log", "ab")
            syncers[name] = subprocess.Popen(
                [sys.executable, "-m", "vapi.cli", "syncer", "--kubeconfig", kubeconfigs[name],
                 "--edge-kubeconfig", edges[name].kubeconfig, "--state-dir", str(base / f"state-{name}"),
                 "--heartbeat-seconds", "1", "--status-seconds", "1", "--resync-seconds", "300"],
                stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
        for obj in WORKLOAD:
            center.kubectl("apply", "-f", "-", input=json.dumps(obj))
        center.kubectl("apply", "-f", "-", input=json.dumps(PLACEMENT))
        yield Fleet(center, edges, syncers, kubeconfigs)
    finally:
        stop_all(list(syncers.values()), center, *edges.values())


def test_workload_lands_exactly_where_placed_customized_per_cluster(fleet: Fleet) -> None:
    for name in ("eu1", "us1"):
        edge = fleet.edges[name]
        dep = wait_for(lambda e=edge: edge_get(e, "deployment", "web", "-n", "shop"), f"the Deployment on {name}")
        assert isinstance(dep, dict)
        assert dep["spec"]["template"]["spec"]["containers"][0]["image"] == f"{REGISTRY[name]}/web:1"
        assert dep["spec"]["replicas"] == int(REPLICAS[name])
        assert dep["metadata"]["labels"]["edge.vapi.dev/source"] == "root"
        assert "uid" not in json.dumps(dep["metadata"].get("ownerReferences", []))
        for args in (["service", "web", "-n", "shop"], ["configmap", "settings", "-n", "shop"], ["clusterrole", "shop-reader"],
                     ["crd", "gadgets.example.com"]):
            wait_for(lambda e=edge, a=args: edge_get(e, *a), f"{args} on {name}")
        gadget = wait_for(lambda e=edge: edge_get(e, "gadgets.example.com", "g1", "-n", "shop"), f"the Gadget on {name}")
        assert isinstance(gadget, dict) and gadget["spec"]["size"] == 3
    assert edge_get(fleet.edges["ap1"], "namespace", "shop") is None
    placement = wait_for(lambda: (p := json.loads(fleet.center.kubectl("get", "placement", "shop", "-o", "json").stdout))
                         .get("status", {}).get("clusters") == 2 and p, "placement status")
    assert isinstance(placement, dict) and placement["status"]["objects"] == len(WORKLOAD)
    status = wait_for(lambda: (c := json.loads(fleet.center.kubectl("get", "edgecluster", "eu1", "-o", "json").stdout))
                      .get("status", {}).get("objectsApplied") == len(WORKLOAD) and c, "eu1's syncer status")
    assert isinstance(status, dict)
    conditions = {c["type"]: c["status"] for c in status["status"]["conditions"]}
    assert conditions == {"Ready": "True", "Synced": "True"} and status["status"]["lastHeartbeatTime"]


def test_drift_is_repaired_and_local_fields_survive(fleet: Fleet) -> None:
    edge = fleet.edges["eu1"]
    wait_for(lambda: edge_get(edge, "deployment", "web", "-n", "shop"), "the Deployment on eu1")
    edge.kubectl("-n", "shop", "scale", "deployment", "web", "--replicas=7")  # a local HPA's doing
    edge.kubectl("-n", "shop", "set", "image", "deployment/web", "web=tampered:1")  # drift
    wait_for(lambda: edge_get(edge, "deployment", "web", "-n", "shop")["spec"]["template"]["spec"]["containers"][0]["image"]  # type: ignore[index]
             == "reg.eu/web:1", "drift repaired")
    fleet.center.kubectl("-n", "shop", "annotate", "deployment", "web", "note=changed-at-center")
    dep = wait_for(lambda: (d := edge_get(edge, "deployment", "web", "-n", "shop")) and
                   d["metadata"].get("annotations", {}).get("note") == "changed-at-center" and d, "a center change")
    assert isinstance(dep, dict) and dep["spec"]["replicas"] == 7


def test_customization_error_affects_only_that_cluster(fleet: Fleet) -> None:
    fleet.center.kubectl("apply", "-f", "-", input=json.dumps({
        "apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "tuned", "namespace": "default"}, "data": {"x": "y"}}))
    fleet.center.kubectl("apply", "-f", "-", input=json.dumps({
        "apiVersion": "edge.vapi.dev/v1alpha1", "kind": "Placement", "metadata": {"name": "tuned"},
        "spec": {"clusterSelector": {"matchExpressions": [{"key": "region", "operator": "In", "values": ["eu", "us"]}]},
                 "objects": [{"apiGroup": "", "resources": ["configmaps"], "namespaces": ["default"], "names": ["tuned"]}],
                 "customizations": [{"target": {"resource": "configmaps", "name": "tuned"},
                                     "mergePatch": {"data": {"x": "$(cluster.properties.eu-only)"}}}]}}))
    fleet.center.kubectl("patch", "edgecluster", "eu1", "--type=merge", "-p", '{"spec":{"properties":{"eu-only":"tuned-eu"}}}')
    cm = wait_for(lambda: edge_get(fleet.edges["eu1"], "configmap", "tuned", "-n", "default"), "the tuned ConfigMap on eu1")
    assert isinstance(cm, dict) and cm["data"] == {"x": "tuned-eu"}
    status = wait_for(lambda: (s := json.loads(fleet.center.kubectl("get", "placement", "tuned", "-o", "json").stdout)
                               .get("status", {})).get("errors") and s, "the error in the placement status")
    assert isinstance(status, dict)
    assert any("us1" in e and "eu-only" in e for e in status["errors"]), status
    assert edge_get(fleet.edges["us1"], "configmap", "tuned", "-n", "default") is None
    assert edge_get(fleet.edges["us1"], "deployment", "web", "-n", "shop") is not None  # the rest stays synced
    fleet.center.kubectl("delete", "placement", "tuned")
    wait_for(lambda: edge_get(fleet.edges["eu1"], "configmap", "tuned", "-n", "default") is None, "tuned removed from eu1")


def test_conflicting_customizations_are_reported_not_resolved(fleet: Fleet) -> None:
    """Two placements send the same object to the same cluster differently: both say so."""
    fleet.center.kubectl("apply", "-f", "-", input=json.dumps({
        "apiVersion": "edge.vapi.dev/v1alpha1", "kind": "Placement", "metadata": {"name": "rival"},
        "spec": {"clusterSelector": {"matchLabels": {"region": "eu"}},
                 "objects": [{"apiGroup": "", "resources": ["configmaps"], "namespaces": ["shop"], "names": ["settings"]}],
                 "customizations": [{"mergePatch": {"data": {"mode": "rival"}}}]}}))
    for name in ("rival", "shop"):
        status = wait_for(lambda n=name: (s := json.loads(fleet.center.kubectl("get", "placement", n, "-o", "json").stdout)
                                          .get("status", {})).get("errors") and s, f"the conflict in {name}'s status")
        assert isinstance(status, dict)
        assert any("rival" in e and "shop" in e and "differently" in e and "eu1" in e for e in status["errors"]), status
    cm = edge_get(fleet.edges["eu1"], "configmap", "settings", "-n", "shop")
    assert isinstance(cm, dict) and cm["data"] == {"mode": "edge"}  # neither won silently
    fleet.center.kubectl("delete", "placement", "rival")
    wait_for(lambda: not json.loads(fleet.center.kubectl("get", "placement", "shop", "-o", "json").stdout)["status"]["errors"],
             "the conflict cleared")


def test_placements_that_differ_only_in_how_the_edge_treats_an_object_agree(fleet: Fleet) -> None:
    """A second placement of the Deployment, without its local fields and asking for its Pods
    to be reported, sends the same content: no conflict, and the object stays in step."""
    fleet.center.kubectl("apply", "-f", "-", input=json.dumps({
        "apiVersion": "edge.vapi.dev/v1alpha1", "kind": "Placement", "metadata": {"name": "watcher"},
        "spec": {"clusterSelector": {"matchLabels": {"region": "eu"}},
                 "objects": [{"apiGroup": "apps", "resources": ["deployments"], "namespaces": ["shop"], "names": ["web"]}],
                 "customizations": PLACEMENT["spec"]["customizations"],
                 "statusCollection": {"associated": [{"apiVersion": "v1", "kind": "Pod", "via": "labels",
                                                      "labelSelector": {"matchLabels": {"app": "web"}}}]}}}))
    wait_for(lambda: json.loads(fleet.center.kubectl("get", "placement", "watcher", "-o", "json").stdout)
             .get("status", {}).get("clusters") == 1, "watcher's status")
    fleet.center.kubectl("-n", "shop", "annotate", "deployment", "web", "watched-by=two", "--overwrite")
    wait_for(lambda: (edge_get(fleet.edges["eu1"], "deployment", "web", "-n", "shop") or {})["metadata"]
             .get("annotations", {}).get("watched-by") == "two", "the change on eu1")
    for name in ("watcher", "shop"):
        status = json.loads(fleet.center.kubectl("get", "placement", name, "-o", "json").stdout)["status"]
        assert not any("differently" in e for e in status["errors"]), status
    fleet.center.kubectl("delete", "placement", "watcher")


def test_namespace_labels_select_contents_and_edge_refusals_are_reported(fleet: Fleet) -> None:
    center = fleet.center
    center.kubectl("apply", "-f", "-", input=json.dumps({"apiVersion": "v1", "kind": "Namespace",
                                                         "metadata": {"name": "team", "labels": {"team": "a"}}}))
    center.kubectl("-n", "team", "create", "configmap", "cfg", "--from-literal=k=v")
    widget_crd = json.loads(json.dumps(CRD).replace("gadget", "widget").replace("Gadget", "Widget"))
    center.kubectl("apply", "-f", "-", input=json.dumps(widget_crd))
    wait_for(lambda: center.kubectl("get", "widgets.example.com", check=False).returncode == 0, "the Widget kind at the center")
    center.kubectl("apply", "-f", "-", input=json.dumps({"apiVersion": "example.com/v1", "kind": "Widget",
                                                         "metadata": {"name": "w1", "namespace": "team"}, "spec": {"size": 1}}))
    center.kubectl("apply", "-f", "-", input=json.dumps({
        "apiVersion": "edge.vapi.dev/v1alpha1", "kind": "Placement", "metadata": {"name": "teams"},
        "spec": {"clusterSelector": {"matchLabels": {"region": "eu"}},
                 "objects": [{"apiGroup": "", "resources": ["namespaces"], "labelSelector": {"matchLabels": {"team": "a"}}},
                             {"apiGroup": "*", "resources": ["configmaps", "widgets"],
                              "namespaceSelector": {"matchLabels": {"team": "a"}}}]}}))
    wait_for(lambda: edge_get(fleet.edges["eu1"], "configmap", "cfg", "-n", "team"), "cfg on eu1")
    status = wait_for(lambda: (c := json.loads(center.kubectl("get", "edgecluster", "eu1", "-o", "json").stdout)["status"])
                      .get("objectsFailing") and c, "the refused Widget in eu1's status")
    assert isinstance(status, dict)
    assert any("Widget" in f["object"] and "w1" in f["object"] for f in status["failures"]), status
    assert {c["type"]: c["status"] for c in status["conditions"]}["Synced"] == "False"
    from tests.test_vapi_kinds_openapi import assert_stored_objects_fit

    assert "EdgeCluster" in assert_stored_objects_fit(center)  # the syncers' status, failures included, fits its schema

    center.kubectl("label", "namespace", "team", "team=b", "--overwrite")  # out of both selectors
    wait_for(lambda: edge_get(fleet.edges["eu1"], "namespace", "team") is None, "team gone from eu1")
    wait_for(lambda: json.loads(center.kubectl("get", "edgecluster", "eu1", "-o", "json").stdout)["status"]["objectsFailing"] == 0,
             "the failure cleared")
    center.kubectl("delete", "placement", "teams")


def test_sync_view_is_a_list_and_a_resumable_watch(fleet: Fleet) -> None:
    import urllib.request

    import yaml

    with open(fleet.kubeconfigs["eu1"]) as f:
        token = yaml.safe_load(f)["users"][0]["user"]["token"]
    view = f"{fleet.center.base}/clusters/root/apis/edge.vapi.dev/v1alpha1/edgeclusters/eu1/syncview"

    def events(query: str, until: Callable[[list[dict]], bool]) -> list[dict]:
        req = urllib.request.Request(f"{view}?watch=true&allowWatchBookmarks=true&timeoutSeconds=10&{query}",
                                     headers={"Authorization": f"Bearer {token}"})
        seen: list[dict] = []
        with urllib.request.urlopen(req, context=fleet.center.ssl_context(False), timeout=30) as r:
            for line in r:
                seen.append(json.loads(line))
                if until(seen):
                    break
        return seen

    code, _, body = fleet.center.request("GET", "/clusters/root/apis/edge.vapi.dev/v1alpha1/edgeclusters/eu1/syncview",
                                         headers={"Authorization": f"Bearer {token}"}, auth=False)
    listed = json.loads(body)
    assert code == 200 and listed["kind"] == "List" and int(listed["metadata"]["resourceVersion"]) > 0
    for item in listed["items"]:
        assert not {"uid", "resourceVersion", "managedFields", "creationTimestamp"} & set(item["metadata"])
        assert "status" not in item
    kinds = [i["kind"] for i in listed["items"]]
    assert kinds.index("Namespace") < kinds.index("Deployment") and kinds.index("CustomResourceDefinition") < kinds.index("Gadget")

    initial = events("", lambda seen: sum(e["type"] == "ADDED" for e in seen) == len(listed["items"]))
    assert {e["object"]["metadata"]["name"] for e in initial} == {i["metadata"]["name"] for i in listed["items"]}

    rv = listed["metadata"]["resourceVersion"]
    fleet.center.kubectl("-n", "shop", "label", "configmap", "settings", "watched=yes")
    changed = events(f"resourceVersion={rv}", lambda seen: any(e["type"] == "MODIFIED" for e in seen) and seen[-1]["type"] == "BOOKMARK")
    modified = [e for e in changed if e["type"] == "MODIFIED"]
    assert modified[0]["object"]["metadata"]["labels"]["watched"] == "yes"
    resume = changed[-1]["object"]["metadata"]["resourceVersion"]
    fleet.center.kubectl("-n", "shop", "label", "configmap", "settings", "watched=again", "--overwrite")
    later = events(f"resourceVersion={resume}", lambda seen: any(e["type"] == "MODIFIED" for e in seen))
    assert [e["object"]["metadata"]["labels"]["watched"] for e in later if e["type"] == "MODIFIED"] == ["again"]

    for option in ("labelSelector=app%3Dweb", "fieldSelector=metadata.name%3Dweb", "limit=1", "continue=x"):
        code, _, body = fleet.center.request("GET", f"/clusters/root/apis/edge.vapi.dev/v1alpha1/edgeclusters/eu1/syncview?{option}",
                                             headers={"Authorization": f"Bearer {token}"}, auth=False)
        status = json.loads(body)
        assert (code, status["kind"], status["reason"]) == (400, "Status", "BadRequest"), body  # refused, never ignored

    gone = events("resourceVersion=1", lambda seen: any(e["type"] == "ERROR" for e in seen))
    error = next(e for e in gone if e["type"] == "ERROR")["object"]
    assert (error["kind"], error["code"], error["reason"]) == ("Status", 410, "Expired")


@pytest.mark.parametrize("obj,field", [
    pytest.param({"apiVersion": "edge.vapi.dev/v1alpha1", "kind": "Placement", "metadata": {"name": "bad"},
                  "spec": {"clusterSelector": {"matchExpressions": [{"key": "region", "operator": "Near"}]}}},
                 "spec.clusterSelector", id="bad-selector"),
    pytest.param({"apiVersion": "edge.vapi.dev/v1alpha1", "kind": "Placement", "metadata": {"name": "bad"},
                  "spec": {"clusterPredicate": "cluster.labels[", "objects": []}}, "spec.clusterPredicate", id="bad-cel"),
    pytest.param({"apiVersion": "edge.vapi.dev/v1alpha1", "kind": "Placement", "metadata": {"name": "bad"},
                  "spec": {"statusCollection": {"summaries": [{"name": "s", "aggregates": [{"name": "x", "function": "median"}]}]}}},
                 "spec.statusCollection.summaries[0].aggregates[0]", id="bad-summary"),
    pytest.param({"apiVersion": "edge.vapi.dev/v1alpha1", "kind": "Placement", "metadata": {"name": "bad"},
                  "spec": {"statusCollection": {"groupBy": ["cluster.labels.region"], "summary": "by-region"}}},
                 'unknown field "spec.statusCollection.summary"', id="unknown-collection-field"),
    pytest.param({"apiVersion": "edge.vapi.dev/v1alpha1", "kind": "Placement", "metadata": {"name": "bad"},
                  "spec": {"statusCollection": {"summaries": [{"name": "s"}, {"name": "s"}]}}},
                 "spec.statusCollection.summaries[1].name: Duplicate value", id="duplicate-summary"),
    pytest.param({"apiVersion": "edge.vapi.dev/v1alpha1", "kind": "EdgeCluster", "metadata": {"name": "bad"},
                  "spec": {"properties": {"replicas": 3}}},
                 "json: cannot unmarshal number into Go struct field EdgeClusterSpec.spec.properties of type string",
                 id="non-string-property"),
])
def test_invalid_edge_objects_are_refused_and_not_stored(fleet: Fleet, obj: dict, field: str) -> None:
    """Refused by vapi's own validation (422 naming the field) whatever the field validation
    asked for (Ignore keeps the unknown fields it refuses), or, for a value of the wrong JSON
    type, by decoding (400, in kube's words)."""
    out = fleet.center.kubectl("create", "--validate=false", "-f", "-", check=False, input=json.dumps(obj))
    words = "is invalid" if "json:" not in field else "cannot be handled as a EdgeCluster"
    assert out.returncode != 0 and words in out.stderr and field in out.stderr, out.stderr
    assert fleet.center.kubectl("get", obj["kind"].lower(), "bad", check=False).returncode != 0


@pytest.mark.parametrize("body,code", [
    pytest.param(b"{not json", 400, id="malformed"),
    pytest.param(b'{"items": {"a": 1}}', 400, id="items-not-a-list"),
    pytest.param(b'{"items": [{"kind": "Deployment"}]}', 400, id="item-without-fields"),
])
def test_bad_status_reports_get_a_status(fleet: Fleet, body: bytes, code: int) -> None:
    got, _, out = fleet.center.request("POST", "/clusters/root/apis/edge.vapi.dev/v1alpha1/edgeclusters/eu1/report", body,
                                       headers={"Content-Type": "application/json"})
    status = json.loads(out)
    assert got == code and status["kind"] == "Status" and status["code"] == code
    missing, _, _ = fleet.center.request("POST", "/clusters/root/apis/edge.vapi.dev/v1alpha1/edgeclusters/nope/report", b'{"items": []}',
                                         headers={"Content-Type": "application/json"})
    assert missing == 404


def test_edge_clusters_are_registered_only_in_the_inventory_workspace(fleet: Fleet) -> None:
    """Anywhere else an EdgeCluster would never get a sync view: refused, by every way of making one."""
    subprocess.run([sys.executable, "-m", "vapi.cli", "workspace", "create", "root:elsewhere", "--data-dir", fleet.center.data_dir],
                   capture_output=True, text=True, cwd=ROOT, timeout=60, check=True)
    out = subprocess.run([sys.executable, "-m", "vapi.cli", "cluster", "register", "lost", "--data-dir", fleet.center.data_dir,
                          "--inventory", "root:elsewhere"], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert out.returncode == 1 and "400" in out.stderr and "inventory workspace 'root'" in out.stderr, out.stderr
    cluster = json.dumps({"apiVersion": "edge.vapi.dev/v1alpha1", "kind": "EdgeCluster", "metadata": {"name": "lost"}})
    for verb in (["create"], ["apply", "--server-side"]):
        out = fleet.center.kubectl("--server", f"{fleet.center.base}/clusters/root:elsewhere", *verb, "-f", "-",
                                   input=cluster, check=False)
        assert out.returncode != 0 and "BadRequest" in out.stderr and "inventory workspace" in out.stderr, out.stderr
    assert "lost" not in fleet.center.kubectl("--server", f"{fleet.center.base}/clusters/root:elsewhere", "get", "edgeclusters").stdout


def test_a_cluster_whose_syncer_went_quiet_is_not_ready(fleet: Fleet) -> None:
    import datetime

    subprocess.run([sys.executable, "-m", "vapi.cli", "cluster", "register", "ghost", "--data-dir", fleet.center.data_dir],
                   capture_output=True, text=True, cwd=ROOT, timeout=60, check=True)
    long_ago = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    fleet.center.kubectl("patch", "edgecluster", "ghost", "--subresource=status", "--type=merge", "-p", json.dumps({"status": {
        "lastHeartbeatTime": long_ago, "conditions": [{"type": "Ready", "status": "True", "reason": "Heartbeat", "message": "",
                                                        "lastTransitionTime": long_ago}]}}))

    def ready(name: str) -> dict:
        status = json.loads(fleet.center.kubectl("get", "edgecluster", name, "-o", "json").stdout)["status"]
        return next(c for c in status["conditions"] if c["type"] == "Ready")

    gone = wait_for(lambda: (r := ready("ghost"))["status"] == "Unknown" and r, "ghost's Ready to become Unknown")
    assert isinstance(gone, dict) and gone["reason"] == "HeartbeatMissed"
    assert ready("eu1")["status"] == "True"  # its syncer beats every second
    fleet.center.kubectl("delete", "edgecluster", "ghost")


def test_objects_that_were_there_before_are_kept_in_step_but_never_deleted(fleet: Fleet) -> None:
    edge = fleet.edges["eu1"]
    edge.kubectl("-n", "default", "create", "configmap", "adopted", "--from-literal=owner=edge")
    fleet.center.kubectl("-n", "default", "create", "configmap", "adopted", "--from-literal=owner=center")
    fleet.center.kubectl("apply", "-f", "-", input=json.dumps({
        "apiVersion": "edge.vapi.dev/v1alpha1", "kind": "Placement", "metadata": {"name": "adopt"},
        "spec": {"clusterSelector": {"matchLabels": {"region": "eu"}},
                 "objects": [{"apiGroup": "", "resources": ["configmaps"], "namespaces": ["default"], "names": ["adopted"]}]}}))
    wait_for(lambda: (edge_get(edge, "configmap", "adopted", "-n", "default") or {}).get("data") == {"owner": "center"},
             "the center's data on the edge's own ConfigMap")
    fleet.center.kubectl("delete", "placement", "adopt")
    time.sleep(3)
    assert edge_get(edge, "configmap", "adopted", "-n", "default") is not None


def test_syncer_credential_reads_only_its_own_view(fleet: Fleet) -> None:
    import yaml

    with open(fleet.kubeconfigs["eu1"]) as f:
        token = yaml.safe_load(f)["users"][0]["user"]["token"]

    def get(path: str) -> int:
        code, _, _ = fleet.center.request("GET", path, headers={"Authorization": f"Bearer {token}"}, auth=False)
        return code

    assert get("/clusters/root/apis/edge.vapi.dev/v1alpha1/edgeclusters/eu1/syncview") == 200
    assert get("/clusters/root/apis/edge.vapi.dev/v1alpha1/edgeclusters/us1/syncview") == 403
    assert get("/clusters/root/apis/edge.vapi.dev/v1alpha1/edgeclusters") == 403
    assert get("/clusters/root/api/v1/namespaces/shop/configmaps") == 403
    code, _, _ = fleet.center.request("PATCH", "/clusters/root/apis/edge.vapi.dev/v1alpha1/edgeclusters/us1/status", b"{}",
                                      headers={"Authorization": f"Bearer {token}", "Content-Type": "application/merge-patch+json"},
                                      auth=False)
    assert code == 403


def test_objects_deleted_at_the_edge_are_made_again(fleet: Fleet) -> None:
    """The full resync is 300 s away: the status rounds notice what is gone."""
    edge = fleet.edges["eu1"]
    wait_for(lambda: edge_get(edge, "deployment", "web", "-n", "shop"), "the Deployment on eu1")
    edge.kubectl("-n", "shop", "scale", "deployment", "web", "--replicas=9")
    edge.kubectl("-n", "shop", "delete", "deployment", "web")
    edge.kubectl("-n", "shop", "delete", "configmap", "settings")
    cm = wait_for(lambda: edge_get(edge, "configmap", "settings", "-n", "shop"), "the ConfigMap made again")
    assert isinstance(cm, dict) and cm["data"] == {"mode": "edge"}
    dep = wait_for(lambda: edge_get(edge, "deployment", "web", "-n", "shop"), "the Deployment made again")
    assert isinstance(dep, dict) and dep["spec"]["replicas"] == int(REPLICAS["eu1"])  # local fields set again, as at creation
    assert dep["spec"]["template"]["spec"]["containers"][0]["image"] == f"{REGISTRY['eu1']}/web:1"


def test_a_namespace_leaving_the_view_stays_while_objects_of_the_view_live_in_it(fleet: Fleet) -> None:
    center, edge = fleet.center, fleet.edges["eu1"]
    center.kubectl("create", "namespace", "kept")
    center.kubectl("-n", "kept", "create", "configmap", "inside", "--from-literal=k=v")
    for name, objects in (("kept-ns", [{"apiGroup": "", "resources": ["namespaces"], "names": ["kept"]}]),
                          ("kept-cm", [{"apiGroup": "", "resources": ["configmaps"], "namespaces": ["kept"]}])):
        center.kubectl("apply", "-f", "-", input=json.dumps({
            "apiVersion": "edge.vapi.dev/v1alpha1", "kind": "Placement", "metadata": {"name": name},
            "spec": {"clusterSelector": {"matchLabels": {"region": "eu"}}, "objects": objects}}))
    wait_for(lambda: edge_get(edge, "configmap", "inside", "-n", "kept"), "the ConfigMap on eu1")
    center.kubectl("delete", "placement", "kept-ns")  # the namespace leaves the view, its ConfigMap does not
    time.sleep(3)
    assert edge_get(edge, "configmap", "inside", "-n", "kept") is not None
    status = json.loads(center.kubectl("get", "edgecluster", "eu1", "-o", "json").stdout)["status"]
    assert not any("inside" in f["object"] for f in status["failures"]), status
    center.kubectl("delete", "placement", "kept-cm")  # the last object in it goes: so does the namespace the syncer made
    wait_for(lambda: edge_get(edge, "namespace", "kept") is None, "kept gone from eu1")


def test_what_left_the_view_while_the_syncer_was_away_is_gone_when_it_is_back(fleet: Fleet) -> None:
    center, edge = fleet.center, fleet.edges["eu1"]
    sprocket_crd = json.loads(json.dumps(CRD).replace("gadget", "sprocket").replace("Gadget", "Sprocket"))
    center.kubectl("apply", "-f", "-", input=json.dumps(sprocket_crd))  # at the center only: the edge refuses its objects
    wait_for(lambda: center.kubectl("get", "sprockets.example.com", check=False).returncode == 0, "the Sprocket kind at the center")
    center.kubectl("apply", "-f", "-", input=json.dumps({"apiVersion": "example.com/v1", "kind": "Sprocket",
                                                         "metadata": {"name": "s1", "namespace": "default"}, "spec": {"size": 1}}))
    center.kubectl("-n", "default", "create", "configmap", "while-away", "--from-literal=k=v")
    center.kubectl("apply", "-f", "-", input=json.dumps({
        "apiVersion": "edge.vapi.dev/v1alpha1", "kind": "Placement", "metadata": {"name": "away"},
        "spec": {"clusterSelector": {"matchLabels": {"region": "eu"}},
                 "objects": [{"apiGroup": "*", "resources": ["sprockets", "configmaps"], "namespaces": ["default"],
                              "names": ["s1", "while-away"]}]}}))
    wait_for(lambda: edge_get(edge, "configmap", "while-away", "-n", "default"), "while-away on eu1")

    def failing() -> list[str]:
        status = json.loads(center.kubectl("get", "edgecluster", "eu1", "-o", "json").stdout)["status"]
        return [f["object"] for f in status["failures"]]

    wait_for(lambda: any("Sprocket" in f for f in failing()), "the refused Sprocket in eu1's status")
    old = fleet.syncers["eu1"]
    old.terminate()
    old.wait(15)
    center.kubectl("delete", "placement", "away")
    fleet.syncers["eu1"] = subprocess.Popen(old.args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    wait_for(lambda: edge_get(edge, "configmap", "while-away", "-n", "default") is None, "while-away gone from eu1")
    wait_for(lambda: not any("Sprocket" in f for f in failing()), "the Sprocket's failure gone from eu1's status")


def test_relabelling_moves_the_workload_and_deleting_removes_it(fleet: Fleet) -> None:
    wait_for(lambda: edge_get(fleet.edges["us1"], "deployment", "web", "-n", "shop"), "the Deployment on us1")
    fleet.center.kubectl("label", "edgecluster", "us1", "region=ap", "--overwrite")
    fleet.center.kubectl("label", "edgecluster", "ap1", "region=us", "--overwrite")
    dep = wait_for(lambda: edge_get(fleet.edges["ap1"], "deployment", "web", "-n", "shop"), "the Deployment on ap1")
    assert isinstance(dep, dict) and dep["spec"]["template"]["spec"]["containers"][0]["image"] == "reg.ap/web:1"
    wait_for(lambda: edge_get(fleet.edges["us1"], "namespace", "shop") is None, "shop gone from us1")
    assert edge_get(fleet.edges["us1"], "clusterrole", "shop-reader") is None
    assert edge_get(fleet.edges["us1"], "namespace", "default") is not None  # not the syncer's to delete

    fleet.center.kubectl("-n", "shop", "delete", "configmap", "settings")
    wait_for(lambda: edge_get(fleet.edges["eu1"], "configmap", "settings", "-n", "shop") is None, "the deleted object gone")
    fleet.center.kubectl("delete", "placement", "shop")
    for name in ("eu1", "ap1"):
        wait_for(lambda n=name: edge_get(fleet.edges[n], "namespace", "shop") is None, f"shop gone from {name}")
        assert edge_get(fleet.edges[name], "crd", "gadgets.example.com") is None
