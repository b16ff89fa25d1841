"""Reported state comes back: five edge stand-ins (workspaces of one edge vapi process) whose
Deployments' status a helper writes, acting as the edge's controllers; syncers report it; the
center folds it into the object's `.status` (kubectl rollout status and helm --wait read
it), into summaries grouped by region with an attention list, and into per-cluster copies
where a placement asks for them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import yaml

from tests.apiserver import KUBECTL, ROOT, VapiProcess, stop_all
from tests.test_edge_sync import wait_for

CLUSTERS = {"e1": "eu", "e2": "eu", "e3": "us", "e4": "us", "e5": "ap"}
HELM = os.path.join(ROOT, ".tools", "bin", "helm")


@dataclass
class Fleet:
    center: VapiProcess
    edge: VapiProcess
    syncers: list[subprocess.Popen[bytes]]


def placement(name: str, namespace: str, **collection: object) -> dict:
    return {"apiVersion": "edge.vapi.dev/v1alpha1", "kind": "Placement", "metadata": {"name": name},
            "spec": {"clusterSelector": {"matchLabels": {"fleet": "yes"}},
                     "objects": [{"apiGroup": "", "resources": ["namespaces"], "names": [namespace]},
                                 {"apiGroup": "apps", "resources": ["deployments"], "namespaces": [namespace]}],
                     "statusCollection": collection}}


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fleet]:
    base = tmp_path_factory.mktemp("status-fleet")
    center = VapiProcess(str(base / "center")).start()
    edge = VapiProcess(str(base / "edge")).start()
    syncers: list[subprocess.Popen[bytes]] = []
    try:
        for name, region in CLUSTERS.items():
            edge.kubectl("apply", "-f", "-", input=json.dumps({"apiVersion": "tenancy.vapi.dev/v1alpha1", "kind": "Workspace",
                                                                "metadata": {"name": name}}))
            kc = subprocess.run([sys.executable, "-m", "vapi.cli", "cluster", "register", name, "--data-dir", center.data_dir,
                                 "--label", f"region={region}", "--label", "fleet=yes"],
                                capture_output=True, text=True, cwd=ROOT, timeout=60, check=True).stdout
            (base / f"{name}.kubeconfig").write_text(kc)
            with open(edge.kubeconfig) as f:
                edge_kc = yaml.safe_load(f)
            edge_kc["clusters"][0]["cluster"]["server"] = f"{edge.base}/clusters/root:{name}"
            (base / f"edge-{name}.kubeconfig").write_text(yaml.safe_dump(edge_kc))
            log = open(base / f"syncer-{name}.log", "ab")
            syncers.append(subprocess.Popen(
                [sys.executable, "-m", "vapi.cli", "syncer", "--kubeconfig", str(base / f"{name}.kubeconfig"),
                 "--edge-kubeconfig", str(base / f"edge-{name}.kubeconfig"), "--state-dir", str(base / "state"),
                 "--heartbeat-seconds", "2", "--status-seconds", "0.3", "--resync-seconds", "30"],
                stdout=log, stderr=subprocess.STDOUT, cwd=ROOT))
        yield Fleet(center, edge, syncers)
    finally:
        stop_all(syncers, center, edge)


def edge_deployment(fleet: Fleet, cluster: str, ns: str, name: str) -> dict | None:
    code, _, body = fleet.edge.request("GET", f"/clusters/root:{cluster}/apis/apps/v1/namespaces/{ns}/deployments/{name}")
    return json.loads(body) if code == 200 else None


def roll_out(fleet: Fleet, cluster: str, ns: str, name: str, available: int | None = None) -> None:
    """What the edge's controllers would write: the Deployment's status, rolled out."""
    dep = edge_deployment(fleet, cluster, ns, name)
    assert dep is not None
    want = dep["spec"].get("replicas", 1)
    have = want if available is None else available
    status = {"observedGeneration": dep["metadata"]["generation"], "replicas": want, "updatedReplicas": want,
              "readyReplicas": have, "availableReplicas": have,
              "conditions": [{"type": "Available", "status": "True" if have >= want else "False", "reason": "MinimumReplicasAvailable",
                              "message": "Deployment has minimum availability.", "lastUpdateTime": "2026-01-01T00:00:00Z",
                              "lastTransitionTime": "2026-01-01T00:00:00Z"},
                             {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable",
                              "message": f'ReplicaSet "{name}-1" has successfully progressed.',
                              "lastUpdateTime": "2026-01-01T00:00:00Z", "lastTransitionTime": "2026-01-01T00:00:00Z"}]}
    code, _, body = fleet.edge.request("PATCH", f"/clusters/root:{cluster}/apis/apps/v1/namespaces/{ns}/deployments/{name}/status",
                                       json.dumps({"status": status}).encode(),
                                       headers={"Content-Type": "application/merge-patch+json"})
    assert code == 200, body


def center_get(fleet: Fleet, *args: str) -> dict:
    return json.loads(fleet.center.kubectl("get", *args, "-o", "json").stdout)


def still_running(proc: subprocess.Popen[str], seconds: float) -> bool:
    try:
        proc.wait(seconds)
        return False
    except subprocess.TimeoutExpired:
        return True


def test_rollout_status_summaries_and_attention(fleet: Fleet) -> None:
    c = fleet.center
    c.kubectl("apply", "-f", "-", input=json.dumps(placement(
        "app", "app", summaries=[{
            "name": "by-region", "groupBy": ["cluster.labels.region"],
            "aggregates": [{"name": "clusters", "function": "count"},
                           {"name": "ready", "function": "sum", "expression": "status.readyReplicas"},
                           {"name": "fewest", "function": "min", "expression": "status.availableReplicas"}],
            "select": [{"name": "available", "expression": "status.availableReplicas"}], "orderBy": "cluster.name", "limit": 2,
            "attention": "!has(status.availableReplicas) || status.availableReplicas < obj.spec.replicas"}])))
    c.kubectl("create", "namespace", "app")
    c.kubectl("-n", "app", "create", "deployment", "web", "--image=nginx", "--replicas=2")
    for name in CLUSTERS:
        wait_for(lambda n=name: edge_deployment(fleet, n, "app", "web"), f"web on {name}")
    lagging = wait_for(lambda: (s := center_get(fleet, "statussummary", "app.deployment.app.web"))["status"]["reporting"] == 5
                       and s["status"]["summaries"][0]["attention"], "five clusters reporting, none rolled out")
    assert lagging == {"count": 5, "clusters": ["e1", "e2"]}  # every cluster needs attention; the list is capped
    rollout = subprocess.Popen([KUBECTL, "--kubeconfig", c.kubeconfig, "-n", "app", "rollout", "status", "deployment/web",
                                "--timeout=90s"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        for name in ["e1", "e2", "e3", "e4"]:
            roll_out(fleet, name, "app", "web")
        summary = wait_for(lambda: (s := center_get(fleet, "statussummary", "app.deployment.app.web"))["status"]["ready"] == 4
                           and s["status"]["reporting"] == 5 and s, "five clusters reporting, four ready, in the summary")
        assert isinstance(summary, dict)
        assert still_running(rollout, 2), rollout.stdout.read() if rollout.stdout else ""
        status = summary["status"]
        assert (status["clusters"], status["reporting"], status["ready"], status["attention"]) == (5, 5, 4, 1)
        by_region = status["summaries"][0]
        groups = {g["key"]["cluster.labels.region"]: g["values"] for g in by_region["groups"]}
        assert groups["eu"] == {"clusters": 2, "ready": 4, "fewest": 2} and groups["us"] == {"clusters": 2, "ready": 4, "fewest": 2}
        assert groups["ap"]["clusters"] == 1 and groups["ap"]["ready"] == 0
        assert by_region["attention"] == {"count": 1, "clusters": ["e5"]}
        assert [r["cluster"] for r in by_region["rows"]] == ["e1", "e2"]  # ordered, capped at the limit
        web = center_get(fleet, "deployment", "web", "-n", "app")
        assert web["metadata"]["annotations"]["vapi.dev/clusters"] == "4/5 ready"

        roll_out(fleet, "e5", "app", "web")
        assert rollout.wait(60) == 0
        assert rollout.stdout is not None and 'deployment "web" successfully rolled out' in rollout.stdout.read()
    finally:
        if rollout.poll() is None:
            rollout.kill()
    web = center_get(fleet, "deployment", "web", "-n", "app")
    assert web["metadata"]["annotations"]["vapi.dev/clusters"] == "5/5 ready"
    assert web["status"]["observedGeneration"] == web["metadata"]["generation"]
    assert web["status"]["availableReplicas"] == 2
    for name in CLUSTERS:  # the write-back goes nowhere near the edges
        dep = edge_deployment(fleet, name, "app", "web")
        assert dep is not None and "vapi.dev/clusters" not in (dep["metadata"].get("annotations") or {})

    # a new generation: observed only when every cluster has observed it
    c.kubectl("-n", "app", "set", "image", "deployment/web", "nginx=nginx:2")
    web = wait_for(lambda: (w := center_get(fleet, "deployment", "web", "-n", "app"))["metadata"]["annotations"]["vapi.dev/clusters"]
                   == "0/5 ready" and w, "the new generation not yet observed")
    assert isinstance(web, dict) and web["status"]["observedGeneration"] < web["metadata"]["generation"]

    # a cluster leaving the placement stops counting, without any report
    c.kubectl("label", "edgecluster", "e5", "fleet=no", "--overwrite")
    wait_for(lambda: center_get(fleet, "deployment", "web", "-n", "app")["metadata"]["annotations"]["vapi.dev/clusters"] == "0/4 ready",
             "e5 no longer counted")
    c.kubectl("label", "edgecluster", "e5", "fleet=yes", "--overwrite")
    wait_for(lambda: center_get(fleet, "deployment", "web", "-n", "app")["metadata"]["annotations"]["vapi.dev/clusters"] == "0/5 ready",
             "e5 counted again")


def test_helm_install_wait_returns_when_every_cluster_is_ready(fleet: Fleet, tmp_path: object) -> None:
    c = fleet.center
    c.kubectl("apply", "-f", "-", input=json.dumps(placement("helmed", "helmed", full=True)))
    c.kubectl("create", "namespace", "helmed")
    chart = os.path.join(str(tmp_path), "chart")
    os.makedirs(os.path.join(chart, "templates"))
    with open(os.path.join(chart, "Chart.yaml"), "w") as f:
        f.write("apiVersion: v2\nname: fleetapp\nversion: 0.1.0\n")
    with open(os.path.join(chart, "templates", "deployment.yaml"), "w") as f:
        f.write(yaml.safe_dump({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "api"},
                                "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "api"}},
                                         "template": {"metadata": {"labels": {"app": "api"}},
                                                      "spec": {"containers": [{"name": "api", "image": "api:1"}]}}}}))
    helm = subprocess.Popen([HELM, "--kubeconfig", c.kubeconfig, "install", "fleetapp", chart, "-n", "helmed", "--wait",
                             "--timeout", "90s"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, "HELM_CACHE_HOME": str(tmp_path), "HELM_CONFIG_HOME": str(tmp_path),
                                 "HELM_DATA_HOME": str(tmp_path)})
    try:
        for name in CLUSTERS:
            wait_for(lambda n=name: edge_deployment(fleet, n, "helmed", "api"), f"api on {name}")
        for name in ["e1", "e2", "e3", "e4"]:
            roll_out(fleet, name, "helmed", "api")
        wait_for(lambda: center_get(fleet, "deployment", "api", "-n", "helmed")["metadata"]["annotations"]["vapi.dev/clusters"]
                 == "4/5 ready", "four of five ready")
        assert still_running(helm, 3), helm.stdout.read() if helm.stdout else ""
        roll_out(fleet, "e5", "helmed", "api")
        assert helm.wait(60) == 0, helm.stdout.read() if helm.stdout else ""
    finally:
        if helm.poll() is None:
            helm.kill()
    # full: true keeps each cluster's copy, listable with kubectl
    copies = wait_for(lambda: len(items := center_get(fleet, "reportedstatuses", "-l", "edge.vapi.dev/placement=helmed")["items"]) == 5
                      and items, "five reported statuses")
    assert isinstance(copies, list)
    assert sorted(i["spec"]["cluster"] for i in copies) == sorted(CLUSTERS)
    assert all(i["status"]["availableReplicas"] == 1 for i in copies)
    out = c.kubectl("get", "reportedstatuses").stdout
    assert "e3" in out and "deployment/api" in out


def test_associated_objects_come_back_summarized(fleet: Fleet) -> None:
    """Pods an edge made for a placed Deployment (owner chain Deployment -> ReplicaSet -> Pod)
    come back as summarized fields, usable by summaries and kept in full copies."""
    c = fleet.center
    c.kubectl("apply", "-f", "-", input=json.dumps(placement(
        "assoc", "assoc", full=True,
        associated=[{"apiVersion": "apps/v1", "kind": "ReplicaSet", "via": "owner"}, {"apiVersion": "v1", "kind": "Pod", "via": "owner"}],
        summaries=[{"name": "pods", "aggregates": [
            {"name": "readyPods", "function": "sum", "expression": 'size(associated.filter(a, a.kind == "Pod" && a.ready))'}]}])))
    c.kubectl("create", "namespace", "assoc")
    c.kubectl("-n", "assoc", "create", "deployment", "svc", "--image=svc:1", "--replicas=2")
    dep = wait_for(lambda: edge_deployment(fleet, "e1", "assoc", "svc"), "svc on e1")
    assert isinstance(dep, dict)

    def create(path: str, obj: dict, status: dict | None = None) -> dict:
        code, _, body = fleet.edge.request("POST", f"/clusters/root:e1{path}", json.dumps(obj).encode(),
                                           headers={"Content-Type": "application/json"})
        assert code == 201, body
        made = json.loads(body)
        if status is not None:
            name = made["metadata"]["name"]
            code, _, body = fleet.edge.request("PATCH", f"/clusters/root:e1{path}/{name}/status", json.dumps({"status": status}).encode(),
                                               headers={"Content-Type": "application/merge-patch+json"})
            assert code == 200, body
        return made

    def owner(o: dict) -> list[dict]:
        return [{"apiVersion": o["apiVersion"], "kind": o["kind"], "name": o["metadata"]["name"], "uid": o["metadata"]["uid"],
                 "controller": True}]

    rs = create("/apis/apps/v1/namespaces/assoc/replicasets", {
        "apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "svc-1", "ownerReferences": owner(dep)},
        "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "svc"}},
                 "template": {"metadata": {"labels": {"app": "svc"}}, "spec": {"containers": [{"name": "svc", "image": "svc:1"}]}}}},
        {"replicas": 2, "readyReplicas": 2, "availableReplicas": 2})
    for i, ready in ((1, "True"), (2, "True"), (3, "False")):
        create("/api/v1/namespaces/assoc/pods", {
            "apiVersion": "v1", "kind": "Pod", "metadata": {"name": f"svc-1-{i}", "labels": {"app": "svc"}, "ownerReferences": owner(rs)},
            "spec": {"containers": [{"name": "svc", "image": "svc:1"}]}},
            {"phase": "Running", "conditions": [{"type": "Ready", "status": ready}],
             "containerStatuses": [{"name": "svc", "ready": ready == "True", "restartCount": i, "image": "svc:1", "imageID": "",
                                    "state": {"running": {}}}]})
    # an unrelated Pod at the same edge is not associated
    create("/api/v1/namespaces/assoc/pods", {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "stray"},
                                             "spec": {"containers": [{"name": "x", "image": "x"}]}})
    copy = wait_for(lambda: (r := center_get(fleet, "reportedstatus", "e1.assoc.deployment.assoc.svc"))["status"].get("associated")
                    and len(r["status"]["associated"]) == 4 and r, "e1's associated objects at the center")
    assert isinstance(copy, dict)
    pods = {a["name"]: a for a in copy["status"]["associated"] if a["kind"] == "Pod"}
    assert set(pods) == {"svc-1-1", "svc-1-2", "svc-1-3"}
    assert pods["svc-1-2"] == {"kind": "Pod", "name": "svc-1-2", "namespace": "assoc", "phase": "Running", "ready": True, "restarts": 2}
    assert [a for a in copy["status"]["associated"] if a["kind"] == "ReplicaSet"][0]["readyReplicas"] == 2
    summary = wait_for(lambda: (s := center_get(fleet, "statussummary", "assoc.deployment.assoc.svc"))["status"]["summaries"][0]
                       ["groups"][0]["values"]["readyPods"] == 2 and s, "ready pods summed")
    assert isinstance(summary, dict)


def test_write_back_can_be_turned_off(fleet: Fleet) -> None:
    c = fleet.center
    c.kubectl("apply", "-f", "-", input=json.dumps(placement("quiet", "quiet", writeBack=False, full=True)))
    c.kubectl("create", "namespace", "quiet")
    c.kubectl("-n", "quiet", "create", "deployment", "q", "--image=q:1")
    for name in CLUSTERS:
        wait_for(lambda n=name: edge_deployment(fleet, n, "quiet", "q"), f"q on {name}")
        roll_out(fleet, name, "quiet", "q")
    wait_for(lambda: len([i for i in center_get(fleet, "reportedstatuses", "-l", "edge.vapi.dev/placement=quiet")["items"]
                          if i["status"].get("availableReplicas") == 1]) == 5, "five rolled-out reports")
    q = center_get(fleet, "deployment", "q", "-n", "quiet")
    assert not q.get("status") and "vapi.dev/clusters" not in (q["metadata"].get("annotations") or {})


def test_one_cluster_status_comes_back_as_is(fleet: Fleet) -> None:
    """With one selected cluster, the object's `.status` is the edge copy's, condition
    timestamps included; a full copy keeps them too."""
    c = fleet.center
    one = placement("solo", "solo", full=True)
    one["spec"]["clusterSelector"] = {"matchLabels": {"region": "ap"}}  # e5 alone
    c.kubectl("apply", "-f", "-", input=json.dumps(one))
    c.kubectl("create", "namespace", "solo")
    c.kubectl("-n", "solo", "create", "deployment", "s", "--image=s:1", "--replicas=3")
    wait_for(lambda: edge_deployment(fleet, "e5", "solo", "s"), "s on e5")
    roll_out(fleet, "e5", "solo", "s", available=2)
    edge = edge_deployment(fleet, "e5", "solo", "s")
    assert edge is not None and edge["status"]["conditions"][0]["lastTransitionTime"] == "2026-01-01T00:00:00Z"
    center = wait_for(lambda: (d := center_get(fleet, "deployment", "s", "-n", "solo")).get("status", {}).get("availableReplicas") == 2
                      and d, "e5's status at the center")
    assert isinstance(center, dict)
    assert center["status"] == edge["status"]
    assert center["metadata"]["annotations"]["vapi.dev/clusters"] == "0/1 ready"
    copy = wait_for(lambda: center_get(fleet, "reportedstatus", "e5.solo.deployment.solo.s"), "e5's full copy")
    assert isinstance(copy, dict) and copy["status"]["conditions"] == edge["status"]["conditions"]


def test_what_the_center_and_the_syncers_wrote_fits_the_schemas(fleet: Fleet) -> None:
    """Every vapi object stored at the center (placements and their status, EdgeClusters'
    status from the syncers, summaries, full copies with associated objects) fits its OpenAPI
    schema: a write through the API would drop none of it."""
    from tests.test_vapi_kinds_openapi import assert_stored_objects_fit

    kinds = assert_stored_objects_fit(fleet.center)
    assert {"AccessToken", "EdgeCluster", "Placement", "ReportedStatus", "StatusSummary"} <= set(kinds)


def test_what_is_no_longer_collected_goes(fleet: Fleet) -> None:
    """A cluster leaving takes its full copy along; an object leaving every placement gets
    back an empty status; a deleted placement takes its summaries and copies along."""
    c = fleet.center
    c.kubectl("apply", "-f", "-", input=json.dumps(placement("gone", "gone", full=True, aggregates=[{"count": True}])))
    c.kubectl("create", "namespace", "gone")
    c.kubectl("-n", "gone", "create", "deployment", "g", "--image=g:1")
    c.kubectl("-n", "gone", "create", "deployment", "h", "--image=h:1")
    for name in CLUSTERS:
        for dep in ("g", "h"):
            wait_for(lambda n=name, d=dep: edge_deployment(fleet, n, "gone", d), f"{dep} on {name}")
            roll_out(fleet, name, "gone", dep)

    def copies(dep: str) -> list[str]:
        return sorted(i["spec"]["cluster"] for i in center_get(fleet, "reportedstatuses", "-l", "edge.vapi.dev/placement=gone")["items"]
                      if i["spec"]["object"]["name"] == dep)

    def summaries() -> list[str]:
        return sorted(i["metadata"]["name"] for i in center_get(fleet, "statussummaries", "-l", "edge.vapi.dev/placement=gone")["items"])

    wait_for(lambda: copies("g") == sorted(CLUSTERS) and copies("h") == sorted(CLUSTERS), "five copies of each")
    assert summaries() == ["gone.deployment.gone.g", "gone.deployment.gone.h"]
    c.kubectl("label", "edgecluster", "e4", "fleet=no", "--overwrite")
    try:
        wait_for(lambda: copies("g") == ["e1", "e2", "e3", "e5"], "e4's copy gone")
    finally:
        c.kubectl("label", "edgecluster", "e4", "fleet=yes", "--overwrite")
    wait_for(lambda: (d := edge_deployment(fleet, "e4", "gone", "g")) and not d.get("status"), "g made again on e4")
    roll_out(fleet, "e4", "gone", "g")

    # an object no placement selects any more: what vapi wrote back is taken back
    c.kubectl("-n", "gone", "annotate", "deployment", "g", "keep=me")
    wait_for(lambda: center_get(fleet, "deployment", "g", "-n", "gone")["metadata"]["annotations"].get("vapi.dev/clusters") == "5/5 ready",
             "g ready everywhere")
    narrowed = placement("gone", "gone", full=True, aggregates=[{"count": True}])
    narrowed["spec"]["objects"][1]["names"] = ["h"]
    c.kubectl("apply", "-f", "-", input=json.dumps(narrowed))
    g = wait_for(lambda: "vapi.dev/clusters" not in (d := center_get(fleet, "deployment", "g", "-n", "gone"))["metadata"]["annotations"]
                 and d, "g's fleet status taken back")
    assert isinstance(g, dict) and not g.get("status") and g["metadata"]["annotations"] == {"keep": "me"}
    wait_for(lambda: copies("g") == [] and summaries() == ["gone.deployment.gone.h"], "g's summary and copies gone")

    # a deleted object, then a deleted placement
    c.kubectl("-n", "gone", "delete", "deployment", "h")
    wait_for(lambda: copies("h") == [] and summaries() == [], "h's summary and copies gone with it")
    c.kubectl("-n", "gone", "create", "deployment", "h", "--image=h:1")
    wait_for(lambda: summaries() == ["gone.deployment.gone.h"], "a summary of the new h")
    c.kubectl("delete", "placement", "gone")
    wait_for(lambda: copies("h") == [] and summaries() == [], "the placement's summaries and copies gone with it")


def test_bad_reports_are_refused_whole(fleet: Fleet) -> None:
    """A report with a malformed item gets a 400 naming it, and nothing of the batch is taken."""
    c = fleet.center
    c.kubectl("apply", "-f", "-", input=json.dumps(placement("strict", "strict", full=True)))
    c.kubectl("create", "namespace", "strict")
    c.kubectl("-n", "strict", "create", "deployment", "st", "--image=st:1")
    wait_for(lambda: edge_deployment(fleet, "e1", "strict", "st"), "st on e1")
    roll_out(fleet, "e1", "strict", "st")
    wait_for(lambda: center_get(fleet, "reportedstatus", "e1.strict.deployment.strict.st")["status"].get("availableReplicas") == 1,
             "e1's report")
    good = {"workspace": "root", "apiVersion": "apps/v1", "kind": "Deployment", "namespace": "strict", "name": "st",
            "generation": 1, "observedGeneration": 1, "status": {}}
    path = "/clusters/root/apis/edge.vapi.dev/v1alpha1/edgeclusters/e1/report"
    for bad, field in [({"status": "broken"}, "items[1].status"), ({"generation": "1"}, "items[1].generation"),
                       ({"observedGeneration": [1]}, "items[1].observedGeneration"), ({"associated": {}}, "items[1].associated"),
                       ({"name": ""}, "items[1].name")]:
        code, _, body = c.request("POST", path, json.dumps({"apiVersion": "edge.vapi.dev/v1alpha1", "kind": "StatusReport",
                                                            "items": [good, {**good, **bad}]}).encode(),
                                  headers={"Content-Type": "application/json"})
        status = json.loads(body)
        assert (code, status["reason"]) == (400, "BadRequest") and status["message"].startswith(field), body
    time.sleep(1)
    copy = center_get(fleet, "reportedstatus", "e1.strict.deployment.strict.st")
    assert copy["status"]["availableReplicas"] == 1  # the good item of the refused batches was not taken either


def test_a_restarted_center_gets_every_report_again(fleet: Fleet) -> None:
    """Contributions live in the center's memory: after it restarts, syncers see a new epoch
    on their view's bookmarks and report everything again, changed or not. (Last in this
    file: it restarts the shared center.)"""
    c = fleet.center
    c.kubectl("apply", "-f", "-", input=json.dumps(placement("again", "again")))
    c.kubectl("create", "namespace", "again")
    c.kubectl("-n", "again", "create", "deployment", "a", "--image=a:1")
    for name in CLUSTERS:
        wait_for(lambda n=name: edge_deployment(fleet, n, "again", "a"), f"a on {name}")
        roll_out(fleet, name, "again", "a", available=0 if name == "e1" else None)
    wait_for(lambda: center_get(fleet, "deployment", "a", "-n", "again")["metadata"]["annotations"]["vapi.dev/clusters"] == "4/5 ready",
             "four of five ready")
    port = c.base.rsplit(":", 1)[1]
    c.stop()
    c.extra = ["--port", port]  # the syncers' kubeconfigs name this port
    c.start()
    roll_out(fleet, "e1", "again", "a")  # one cluster changes; the four others have nothing new to say
    summary = wait_for(lambda: (s := center_get(fleet, "deployment", "a", "-n", "again"))["metadata"]["annotations"]["vapi.dev/clusters"]
                       == "5/5 ready" and s, "five of five ready after the restart")
    assert isinstance(summary, dict) and summary["status"]["availableReplicas"] == 1
