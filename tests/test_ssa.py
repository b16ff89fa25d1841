"""Server-side apply, case by case. Expected objects and field sets follow
sigs.k8s.io/structured-merge-diff (SMD) as kube-apiserver 1.35 runs it:

- ToFieldSet (typed/tofieldset.go): scalars, atomic lists/maps, list items and map entries
  are members; a struct field holding content is not; list items carry `.`.
- merge (typed/merge.go): map-type lists merge by key, set-type lists by value, atomic lists
  and maps are replaced, structs merge field by field.
- Updater.Apply (merge/update.go): conflicts are fields other managers own whose value the
  apply changes; force moves them; fields the applier stops applying are removed unless
  another manager owns them (removeNoLongerOwned... in merge/update.go).
- The stripped set of k8s.io/apiserver/pkg/endpoints/handlers/fieldmanager (apiVersion, kind,
  metadata.name/namespace/uid/...) is never owned.
"""

from __future__ import annotations

import json
import subprocess
from typing import Any

import pytest

from tests.apiserver import VapiProcess
from tests.test_helm import CHART, HELM
from vapi import apply, errors, fieldsets, golang, schemas

DEPLOYMENT = schemas.for_kind("apps", "v1", "Deployment")
CONFIGMAP = schemas.for_kind("", "v1", "ConfigMap")


def deploy(**spec: Any) -> dict:
    base = {"selector": {"matchLabels": {"app": "w"}},
            "template": {"metadata": {"labels": {"app": "w"}}, "spec": {"containers": [{"name": "c", "image": "i:1"}]}}}
    base.update(spec)
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "w"}, "spec": base}


def containers(obj: dict) -> list:
    return obj["spec"]["template"]["spec"]["containers"]


def owners(obj: dict) -> dict[str, list[str]]:
    return {e["manager"]: sorted(fieldsets.path_string(p) for p in fieldsets.paths(e["fieldsV1"]))
            for e in obj["metadata"]["managedFields"]}


def test_field_set_of_a_deployment() -> None:
    # SMD ToFieldSet: selector is an atomic map (x-kubernetes-map-type: atomic) -> a leaf;
    # containers is a map-type list keyed by name -> k:{"name":"c"} with "."; labels entries
    # are map entries -> members; metadata.name is stripped.
    got = fieldsets.sort(fieldsets.of(deploy(replicas=2), DEPLOYMENT))
    assert got == {
        "f:spec": {
            "f:replicas": {},
            "f:selector": {},
            "f:template": {
                "f:metadata": {"f:labels": {"f:app": {}}},
                "f:spec": {"f:containers": {'k:{"name":"c"}': {".": {}, "f:image": {}, "f:name": {}}}},
            },
        }
    }


def test_ports_are_keyed_by_port_and_defaulted_protocol() -> None:
    # ContainerPort list-map keys are containerPort and protocol; protocol defaults to TCP
    # before the set is computed (kube defaulting), so the key carries it.
    config = deploy()
    containers(config)[0]["ports"] = [{"containerPort": 80}]
    trie = fieldsets.of(config, DEPLOYMENT)
    ports = trie["f:spec"]["f:template"]["f:spec"]["f:containers"]['k:{"name":"c"}']["f:ports"]
    assert list(ports) == ['k:{"containerPort":80,"protocol":"TCP"}']


def test_sets_and_atomic_lists() -> None:
    # finalizers: x-kubernetes-list-type set -> v: members; args: atomic -> a leaf
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x", "finalizers": ["a", "b"]}}
    assert fieldsets.of(cm, CONFIGMAP) == {"f:metadata": {"f:finalizers": {'v:"a"': {}, 'v:"b"': {}}}}
    config = deploy()
    containers(config)[0]["args"] = ["x", "y"]
    c = fieldsets.of(config, DEPLOYMENT)["f:spec"]["f:template"]["f:spec"]["f:containers"]['k:{"name":"c"}']
    assert c["f:args"] == {}


def test_create_by_apply_and_no_op_reapply() -> None:
    first = apply.apply(None, deploy(replicas=1), DEPLOYMENT, "a", "apps/v1", False)
    assert first["spec"]["replicas"] == 1
    [entry] = first["metadata"]["managedFields"]
    assert (entry["manager"], entry["operation"], entry["apiVersion"], entry["fieldsType"]) == ("a", "Apply", "apps/v1", "FieldsV1")
    again = apply.apply(first, deploy(replicas=1), DEPLOYMENT, "a", "apps/v1", False)
    assert again == first, "a no-op apply changes nothing, not even the entry's time"


def test_list_map_items_merge_by_key() -> None:
    # manager a applies container c; manager b applies container d: both stay, each owned by
    # its applier (SMD merge of associative lists)
    live = apply.apply(None, deploy(), DEPLOYMENT, "a", "apps/v1", False)
    cfg = deploy()
    containers(cfg)[:] = [{"name": "d", "image": "d:1"}]
    out = apply.apply(live, cfg, DEPLOYMENT, "b", "apps/v1", False)
    assert [c["name"] for c in containers(out)] == ["c", "d"]
    assert '.spec.template.spec.containers[name="d"].image' in owners(out)["b"]
    assert '.spec.template.spec.containers[name="c"].image' in owners(out)["a"]


def test_nested_env_merge_and_shared_ownership() -> None:
    # both managers apply the same selector/labels with equal values: shared, no conflict
    base = deploy()
    containers(base)[0]["env"] = [{"name": "X", "value": "1"}]
    live = apply.apply(None, base, DEPLOYMENT, "a", "apps/v1", False)
    other = deploy()
    containers(other)[0]["env"] = [{"name": "Y", "value": "2"}]
    out = apply.apply(live, other, DEPLOYMENT, "b", "apps/v1", False)
    assert containers(out)[0]["env"] == [{"name": "X", "value": "1"}, {"name": "Y", "value": "2"}]
    assert ".spec.selector" in owners(out)["a"] and ".spec.selector" in owners(out)["b"]


def test_conflict_message_and_causes() -> None:
    # k8s.io/apimachinery managedfields/internal/conflict.go: an applier is named without its
    # apiVersion (printManager prints "using <apiVersion>" only for Update entries), and the
    # Status carries only the causes (errors.NewApplyConflict)
    live = apply.apply(None, deploy(replicas=1), DEPLOYMENT, "a", "apps/v1", False)
    with pytest.raises(errors.APIError) as e:
        apply.apply(live, deploy(replicas=3), DEPLOYMENT, "b", "apps/v1", False)
    err = e.value
    assert (err.code, err.reason) == (409, "Conflict")
    assert err.message == 'Apply failed with 1 conflict: conflict with "a": .spec.replicas'
    assert err.details == {"causes": [{"type": "FieldManagerConflict", "message": 'conflict with "a"', "field": ".spec.replicas"}]}


def test_several_conflicts_are_grouped_by_manager() -> None:
    # getConflictMessage: "Apply failed with N conflicts: " then per manager (sorted by its
    # identity JSON) "conflicts with <manager>:" and "- <path>" lines, even for a single path;
    # Update entries are named with "using <apiVersion>", subresources "with subresource".
    live = apply.apply(None, deploy(replicas=1), DEPLOYMENT, "a", "apps/v1", False)
    edited = json.loads(json.dumps(live))
    containers(edited)[0]["image"] = "i:2"
    apply.track_update(live, edited, DEPLOYMENT, "kubectl-edit", "apps/v1")
    scaled = json.loads(json.dumps(edited))
    scaled["spec"]["replicas"] = 4
    apply.track_update(edited, scaled, DEPLOYMENT, "kube-controller-manager", "apps/v1", "scale")
    cfg = deploy(replicas=2)
    containers(cfg)[0]["image"] = "i:3"
    cfg["spec"]["template"]["metadata"]["labels"]["app"] = "w"
    with pytest.raises(errors.APIError) as e:
        apply.apply(scaled, cfg, DEPLOYMENT, "b", "apps/v1", False)
    assert e.value.message == (
        "Apply failed with 2 conflicts: "
        'conflicts with "kube-controller-manager" with subresource "scale" using apps/v1:\n- .spec.replicas\n'
        'conflicts with "kubectl-edit" using apps/v1:\n- .spec.template.spec.containers[name="c"].image')
    assert [c["message"] for c in e.value.details["causes"]] == [
        'conflict with "kube-controller-manager" with subresource "scale" using apps/v1',
        'conflict with "kubectl-edit" using apps/v1']


def test_atomic_maps_conflict_as_one_value() -> None:
    # nodeSelector is x-kubernetes-map-type: atomic: SMD compares it as a leaf, so another
    # applier's different value is a conflict on the map itself
    cfg = deploy()
    cfg["spec"]["template"]["spec"]["nodeSelector"] = {"disk": "ssd"}
    live = apply.apply(None, cfg, DEPLOYMENT, "a", "apps/v1", False)
    other = deploy()
    other["spec"]["template"]["spec"]["nodeSelector"] = {"disk": "hdd"}
    with pytest.raises(errors.APIError) as e:
        apply.apply(live, other, DEPLOYMENT, "b", "apps/v1", False)
    assert e.value.message == 'Apply failed with 1 conflict: conflict with "a": .spec.template.spec.nodeSelector'


def test_force_takes_ownership() -> None:
    live = apply.apply(None, deploy(replicas=1), DEPLOYMENT, "a", "apps/v1", False)
    out = apply.apply(live, deploy(replicas=3), DEPLOYMENT, "b", "apps/v1", True)
    assert out["spec"]["replicas"] == 3
    assert ".spec.replicas" not in owners(out)["a"] and ".spec.replicas" in owners(out)["b"]


def test_removal_by_the_only_owner_and_kept_when_shared() -> None:
    # a stops applying replicas: removed (a was its only owner). a stops applying the
    # selector, which b also applies: it stays (SMD removes only fields nobody else owns).
    live = apply.apply(None, deploy(replicas=2), DEPLOYMENT, "a", "apps/v1", False)
    live = apply.apply(live, {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "w"},
                              "spec": {"selector": {"matchLabels": {"app": "w"}}}}, DEPLOYMENT, "b", "apps/v1", False)
    cfg = deploy()
    del cfg["spec"]["selector"]
    out = apply.apply(live, cfg, DEPLOYMENT, "a", "apps/v1", False)
    assert "replicas" not in out["spec"], "its only owner stopped applying it"
    assert out["spec"]["selector"] == {"matchLabels": {"app": "w"}}, "b still owns it"


def test_update_entries_record_changed_fields() -> None:
    # a non-apply write owns what it changed; other managers lose those fields (no conflict)
    live = apply.apply(None, deploy(replicas=1), DEPLOYMENT, "a", "apps/v1", False)
    new = json.loads(json.dumps(live))
    new["spec"]["replicas"] = 5
    apply.track_update(live, new, DEPLOYMENT, "kubectl-edit", "apps/v1")
    assert owners(new)["kubectl-edit"] == [".spec.replicas"]
    assert ".spec.replicas" not in owners(new)["a"]
    ops = {e["manager"]: e["operation"] for e in new["metadata"]["managedFields"]}
    assert ops == {"a": "Apply", "kubectl-edit": "Update"}



def test_managed_fields_sent_with_a_time_out_of_range_are_kept() -> None:
    """A time whose UTC form leaves datetime's range (year 9999 behind UTC) is kept as sent,
    not a 500 (OverflowError)."""
    live = apply.apply(None, deploy(replicas=1), DEPLOYMENT, "a", "apps/v1", False)
    new = json.loads(json.dumps(live))
    late = "9999-12-31T23:59:59-23:59"
    new["metadata"]["managedFields"] = [{**live["metadata"]["managedFields"][0], "time": late}]
    apply.track_update(live, new, DEPLOYMENT, "kubectl-edit", "apps/v1")
    assert [e["time"] for e in new["metadata"]["managedFields"]] == [late]

def test_update_entries_keep_the_item_marker() -> None:
    # a create, and an update adding a list item, own the item itself (".") and its fields,
    # as kube-apiserver records `kubectl create` and `kubectl edit`
    created = deploy()
    apply.track_update(None, created, DEPLOYMENT, "kubectl-create", "apps/v1")
    [entry] = created["metadata"]["managedFields"]
    assert entry["operation"] == "Update"
    assert entry["fieldsV1"]["f:spec"]["f:template"]["f:spec"]["f:containers"] == {
        'k:{"name":"c"}': {".": {}, "f:image": {}, "f:name": {}}}
    edited = json.loads(json.dumps(created))
    containers(edited).append({"name": "side", "image": "s:1"})
    apply.track_update(created, edited, DEPLOYMENT, "kubectl-edit", "apps/v1")
    mine = {e["manager"]: e for e in edited["metadata"]["managedFields"]}["kubectl-edit"]
    assert mine["fieldsV1"]["f:spec"]["f:template"]["f:spec"]["f:containers"] == {
        'k:{"name":"side"}': {".": {}, "f:image": {}, "f:name": {}}}


def test_create_entries_mark_what_the_empty_object_lacks() -> None:
    # kube-apiserver records a create as SMD's Update against `New()` of the kind: Go structs
    # (spec, strategy, template, its metadata and spec) are there already, empty, so they get
    # no "."; what is absent from the empty object and now holds fields (labels, a pointer
    # struct such as rollingUpdate, a list item) is added as a whole and gets "." -- the shape
    # `kubectl create deployment` leaves on a real cluster.
    created = deploy()
    created["metadata"]["labels"] = {"app": "w"}
    created["spec"]["strategy"] = {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%"}}
    apply.track_update(None, created, DEPLOYMENT, "kubectl-create", "apps/v1")
    [entry] = created["metadata"]["managedFields"]
    assert entry["fieldsV1"] == {
        "f:metadata": {"f:labels": {".": {}, "f:app": {}}},
        "f:spec": {
            "f:selector": {},
            "f:strategy": {"f:rollingUpdate": {".": {}, "f:maxSurge": {}}, "f:type": {}},
            "f:template": {
                "f:metadata": {"f:labels": {".": {}, "f:app": {}}},
                "f:spec": {"f:containers": {'k:{"name":"c"}': {".": {}, "f:image": {}, "f:name": {}}}},
            },
        },
    }
    # a later label on an object without labels adds the map as a whole too
    live = deploy()
    apply.track_update(None, live, DEPLOYMENT, "kubectl-create", "apps/v1")
    labelled = json.loads(json.dumps(live))
    labelled["metadata"]["labels"] = {"tier": "web"}
    apply.track_update(live, labelled, DEPLOYMENT, "kubectl-label", "apps/v1")
    mine = {e["manager"]: e for e in labelled["metadata"]["managedFields"]}["kubectl-label"]
    assert mine["fieldsV1"] == {"f:metadata": {"f:labels": {".": {}, "f:tier": {}}}}


def test_custom_resource_creates_and_status_writes() -> None:
    # a custom resource is created from an empty unstructured object (only apiVersion and
    # kind), so spec is added as a whole and gets "."; a built-in kind's status is a Go struct,
    # there (empty) before the first /status write, so it gets none, and the write is an
    # Update of the status subresource owning what it set
    schema = {"type": "object", "properties": {
        "metadata": {"type": "object"},
        "spec": {"type": "object", "properties": {"mode": {"type": "string"}, "replicas": {"type": "integer"}}}}}
    cr = {"apiVersion": "demo.vapi.dev/v1", "kind": "Gadget", "metadata": {"name": "g"}, "spec": {"mode": "a", "replicas": 1}}
    apply.track_update(None, cr, schema, "kubectl-create", "demo.vapi.dev/v1")
    assert cr["metadata"]["managedFields"][0]["fieldsV1"] == {"f:spec": {".": {}, "f:mode": {}, "f:replicas": {}}}
    live = deploy()
    apply.track_update(None, live, DEPLOYMENT, "kubectl-create", "apps/v1")
    status = json.loads(json.dumps(live))
    status["status"] = {"replicas": 3}
    apply.track_update(live, status, DEPLOYMENT, "kubectl-patch", "apps/v1", "status")
    mine = [e for e in status["metadata"]["managedFields"] if e.get("subresource") == "status"]
    assert [(e["manager"], e["operation"], e["fieldsV1"]) for e in mine] == [
        ("kubectl-patch", "Update", {"f:status": {"f:replicas": {}}})]


def test_update_time_moves_whenever_the_write_changes_owned_fields() -> None:
    # managedFieldsUpdater.Update stamps the writer whenever its operation took fields, even
    # when its set stays the same (a second scale); entries are sorted Apply first, then by time
    live = apply.apply(None, deploy(replicas=1), DEPLOYMENT, "a", "apps/v1", False)
    scaled = json.loads(json.dumps(live))
    scaled["spec"]["replicas"] = 2
    apply.track_update(live, scaled, DEPLOYMENT, "m", "apps/v1")
    for e in scaled["metadata"]["managedFields"]:
        e["time"] = "2020-01-01T00:00:00Z"
    again = json.loads(json.dumps(scaled))
    again["spec"]["replicas"] = 3
    apply.track_update(scaled, again, DEPLOYMENT, "m", "apps/v1")
    assert [(e["manager"], e["operation"]) for e in again["metadata"]["managedFields"]] == [("a", "Apply"), ("m", "Update")]
    assert again["metadata"]["managedFields"][1]["time"] != "2020-01-01T00:00:00Z"
    assert again["metadata"]["managedFields"][0]["time"] == "2020-01-01T00:00:00Z"


def test_clients_may_clear_managed_fields() -> None:
    live = apply.apply(None, deploy(), DEPLOYMENT, "a", "apps/v1", False)
    new = json.loads(json.dumps(live))
    new["metadata"]["managedFields"] = [{}]
    apply.track_update(live, new, DEPLOYMENT, "x", "apps/v1")
    assert "managedFields" not in new["metadata"]
    # the reset starts from nothing, and the write itself is still recorded (decodeLiveOrNew
    # then Update in k8s.io/apimachinery managedfields/internal/fieldmanager.go)
    changed = json.loads(json.dumps(live))
    changed["metadata"]["managedFields"] = []
    changed["spec"]["replicas"] = 7
    apply.track_update(live, changed, DEPLOYMENT, "x", "apps/v1")
    assert owners(changed) == {"x": [".spec.replicas"]}


# -- through the server -----------------------------------------------------------------


def k(vapi: VapiProcess, ns: str, *args: str, **kw: Any) -> subprocess.CompletedProcess[str]:
    return vapi.kubectl("-n", ns, *args, **kw)


MANIFEST = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: REPLICAS
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: c, image: nginx, ports: [{containerPort: 80}]}]
"""


def test_kubectl_server_side_apply_conflicts_and_force(vapi: VapiProcess, namespace: str) -> None:
    out = k(vapi, namespace, "apply", "--server-side", "-f", "-", input=MANIFEST.replace("REPLICAS", "1")).stdout
    assert out.strip() == "deployment.apps/web serverside-applied"
    rv = k(vapi, namespace, "get", "deploy", "web", "-o", "jsonpath={.metadata.resourceVersion}").stdout
    k(vapi, namespace, "apply", "--server-side", "-f", "-", input=MANIFEST.replace("REPLICAS", "1"))
    assert k(vapi, namespace, "get", "deploy", "web", "-o", "jsonpath={.metadata.resourceVersion}").stdout == rv
    k(vapi, namespace, "patch", "deploy", "web", "--type=merge", "-p", '{"spec":{"replicas":4}}')
    failed = k(vapi, namespace, "apply", "--server-side", "-f", "-", input=MANIFEST.replace("REPLICAS", "2"), check=False)
    assert failed.returncode != 0
    assert 'Apply failed with 1 conflict: conflict with "kubectl-patch" using apps/v1: .spec.replicas' in failed.stderr
    k(vapi, namespace, "apply", "--server-side", "--force-conflicts", "-f", "-", input=MANIFEST.replace("REPLICAS", "2"))
    assert k(vapi, namespace, "get", "deploy", "web", "-o", "jsonpath={.spec.replicas}").stdout == "2"
    got = json.loads(k(vapi, namespace, "get", "deploy", "web", "-o", "json", "--show-managed-fields").stdout)
    managers = {(e["manager"], e["operation"]) for e in got["metadata"]["managedFields"]}
    assert ("kubectl", "Apply") in managers


def test_client_side_then_server_side_apply(vapi: VapiProcess, namespace: str) -> None:
    k(vapi, namespace, "apply", "-f", "-", input=MANIFEST.replace("REPLICAS", "1"))
    got = json.loads(k(vapi, namespace, "get", "deploy", "web", "-o", "json", "--show-managed-fields").stdout)
    assert [(e["manager"], e["operation"]) for e in got["metadata"]["managedFields"]] == [("kubectl-client-side-apply", "Update")]
    # a changed value is no conflict with kubectl's own client-side apply: the field is in
    # the last-applied annotation with the live value (lastAppliedManager); the annotation
    # then follows the applied configuration (lastAppliedUpdater), kubectl saves it under
    # kubectl-last-applied (an apply that changes nothing: no time), migrates the client-side
    # entry into its own and applies again, without a warning
    out = k(vapi, namespace, "apply", "--server-side", "-f", "-", input=MANIFEST.replace("REPLICAS", "3"))
    assert (out.stdout.strip(), out.stderr) == ("deployment.apps/web serverside-applied", "")
    got = json.loads(k(vapi, namespace, "get", "deploy", "web", "-o", "json", "--show-managed-fields").stdout)
    assert got["spec"]["replicas"] == 3
    entries = got["metadata"]["managedFields"]
    assert [(e["manager"], e["operation"]) for e in entries] == [("kubectl-last-applied", "Apply"), ("kubectl", "Apply")]
    assert "time" not in entries[0] and "time" in entries[1]
    assert entries[0]["fieldsV1"] == {"f:metadata": {"f:annotations": {"f:kubectl.kubernetes.io/last-applied-configuration": {}}}}
    last = json.loads(got["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"])
    assert last["spec"]["replicas"] == 3
    # and back to client-side apply, which diffs against that annotation
    out = k(vapi, namespace, "apply", "-f", "-", input=MANIFEST.replace("REPLICAS", "2"))
    assert out.stdout.strip() == "deployment.apps/web configured"
    assert k(vapi, namespace, "get", "deploy", "web", "-o", "jsonpath={.spec.replicas}").stdout == "2"


def test_helm_default_server_side_apply(vapi: VapiProcess, namespace: str) -> None:
    def helm(*args: str) -> str:
        out = subprocess.run([HELM, "--kubeconfig", vapi.kubeconfig, "-n", namespace, *args],
                             capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr
        return out.stdout

    assert "STATUS: deployed" in helm("install", "ssa", CHART)
    helm("upgrade", "ssa", CHART, "--set", "replicas=3", "--set", "withService=false")
    assert k(vapi, namespace, "get", "deploy", "ssa-web", "-o", "jsonpath={.spec.replicas}").stdout == "3"
    assert k(vapi, namespace, "get", "gadget", "ssa-gadget", "-o", "jsonpath={.spec.replicas}").stdout == "3"
    assert "service/ssa-svc" not in k(vapi, namespace, "get", "svc", "-o", "name").stdout.split()
    got = json.loads(k(vapi, namespace, "get", "deploy", "ssa-web", "-o", "json", "--show-managed-fields").stdout)
    assert ("helm", "Apply") in {(e["manager"], e["operation"]) for e in got["metadata"]["managedFields"]}
    helm("uninstall", "ssa")
    assert k(vapi, namespace, "get", "deploy,cm,sa,gadgets", "-o", "name").stdout.split() == []


def test_apply_needs_a_field_manager_and_force_needs_apply(vapi: VapiProcess, namespace: str) -> None:
    # ValidatePatchOptions (k8s.io/apimachinery/pkg/apis/meta/v1/validation): a 422 on the
    # PatchOptions kind of meta.k8s.io, with the field error as its cause
    path = f"/clusters/root/api/v1/namespaces/{namespace}/configmaps/x"
    body = json.dumps({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}}).encode()
    for query in ("", "?fieldManager="):
        code, _, out = vapi.request("PATCH", path + query, body, headers={"Content-Type": "application/apply-patch+yaml"})
        status = json.loads(out)
        assert (code, status["reason"]) == (422, "Invalid")
        assert status["message"] == 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch'
        assert status["details"] == {"group": "meta.k8s.io", "kind": "PatchOptions", "causes": [
            {"reason": "FieldValueRequired", "message": "Required value: is required for apply patch", "field": "fieldManager"}]}
    code, _, out = vapi.request("PATCH", path + "?force=false", b"{}", headers={"Content-Type": "application/merge-patch+json"})
    assert code == 422
    assert json.loads(out)["message"] == 'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch'
    code, _, out = vapi.request("PATCH", path + "?fieldManager=m&dryRun=All", body,
                                headers={"Content-Type": "application/apply-patch+yaml"})
    created = json.loads(out)
    assert code == 201 and created["metadata"]["resourceVersion"] == "", "a dry-run create has no resourceVersion"
    assert vapi.request("GET", path)[0] == 404


@pytest.mark.parametrize(("body", "code", "message"), [
    pytest.param({"apiVersion": "apps/v1", "kind": "ConfigMap", "metadata": {"name": "x"}}, 400,
                 "invalid object type: apps/v1, Kind=ConfigMap", id="other-group"),
    pytest.param({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "x"}}, 400,
                 "invalid object type: /v1, Kind=Secret", id="other-kind"),
    pytest.param({"metadata": {"name": "x"}}, 400, "invalid object type: /, Kind=", id="no-type"),
    pytest.param({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "y"}}, 400,
                 "the name of the object (y) does not match the name on the URL (x)", id="other-name"),
    pytest.param({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {}}, 400,
                 "the name of the object () does not match the name on the URL (x)", id="no-name"),
    pytest.param({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x", "namespace": "elsewhere"}}, 400,
                 "the namespace of the object (elsewhere) does not match the namespace on the URL (NS)", id="other-namespace"),
    pytest.param({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x", "managedFields": [{"manager": "m"}]}}, 400,
                 "metadata.managedFields must be nil", id="managed-fields"),
    pytest.param([1, 2], 400, "error decoding YAML: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal "
                 "array into Go value of type map[string]interface {}", id="not-a-map"),
])
def test_bad_apply_configurations(vapi: VapiProcess, namespace: str, body: Any, code: int, message: str) -> None:
    # the words of k8s.io/apimachinery managedfields/internal (versionCheckManager,
    # structuredMergeManager) and of checkName in k8s.io/apiserver's handlers
    path = f"/clusters/root/api/v1/namespaces/{namespace}/configmaps/x?fieldManager=m"
    got, _, out = vapi.request("PATCH", path, json.dumps(body).encode(), headers={"Content-Type": "application/apply-patch+yaml"})
    status = json.loads(out)
    assert (got, status["kind"], status["message"]) == (code, "Status", message.replace("NS", namespace))


def test_apply_of_an_existing_object_may_leave_the_name_out(vapi: VapiProcess, namespace: str) -> None:
    # checkName runs on the merged object, which keeps the live name; a stale
    # resourceVersion in the configuration is an update precondition (409)
    path = f"/clusters/root/api/v1/namespaces/{namespace}/configmaps/named"
    headers = {"Content-Type": "application/apply-patch+yaml"}
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "named"}, "data": {"a": "1"}}
    assert vapi.request("PATCH", path + "?fieldManager=m", json.dumps(body).encode(), headers=headers)[0] == 201
    body = {"apiVersion": "v1", "kind": "ConfigMap", "data": {"a": "2"}}
    code, _, out = vapi.request("PATCH", path + "?fieldManager=m", json.dumps(body).encode(), headers=headers)
    assert code == 200 and json.loads(out)["data"] == {"a": "2"}
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"resourceVersion": "1"}, "data": {"a": "3"}}
    code, _, out = vapi.request("PATCH", path + "?fieldManager=m", json.dumps(body).encode(), headers=headers)
    assert code == 409 and json.loads(out)["message"] == (
        'Operation cannot be fulfilled on configmaps "named": the object has been modified; '
        "please apply your changes to the latest version and try again")


def test_scale_is_recorded_as_an_update_of_the_scale_subresource(vapi: VapiProcess, namespace: str) -> None:
    k(vapi, namespace, "apply", "--server-side", "-f", "-", input=MANIFEST.replace("REPLICAS", "1"))
    k(vapi, namespace, "scale", "deploy", "web", "--replicas=3")
    got = json.loads(k(vapi, namespace, "get", "deploy", "web", "-o", "json", "--show-managed-fields").stdout)
    scale = [e for e in got["metadata"]["managedFields"] if e.get("subresource") == "scale"]
    assert len(scale) == 1 and scale[0]["operation"] == "Update"
    assert scale[0]["fieldsV1"] == {"f:spec": {"f:replicas": {}}}
    kubectl_apply = next(e for e in got["metadata"]["managedFields"] if e["manager"] == "kubectl")
    assert "f:replicas" not in kubectl_apply["fieldsV1"]["f:spec"], "the scale took replicas over"


def test_update_managers_come_from_the_user_agent(vapi: VapiProcess, namespace: str) -> None:
    # managerOrUserAgent/prefixFromUserAgent (k8s.io/apiserver handlers): fieldManager when
    # set (an empty one counts as unset), else the User-Agent before its first "/"
    path = f"/clusters/root/api/v1/namespaces/{namespace}/configmaps"
    for name, query, agent, manager in (("ua1", "", "my-tool/1.2 (linux/amd64)", "my-tool"),
                                        ("ua2", "?fieldManager=", "other/3", "other"),
                                        ("ua3", "?fieldManager=mine", "other/3", "mine")):
        body = json.dumps({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": {"a": "1"}}).encode()
        code, _, out = vapi.request("POST", path + query, body, headers={"Content-Type": "application/json", "User-Agent": agent})
        assert code == 201
        assert [(e["manager"], e["operation"]) for e in json.loads(out)["metadata"]["managedFields"]] == [(manager, "Update")]


@pytest.mark.parametrize("fields", [
    pytest.param({"f:data": 5}, id="not-an-object"),
    pytest.param({"f:data": {"f:a": [1]}}, id="list-inside"),
    pytest.param({"k:{bad": {}}, id="key-not-json"),
    pytest.param({"k:[1]": {}}, id="key-not-an-object"),
    pytest.param({"i:x": {}}, id="index-not-an-int"),
    pytest.param({"f:data": {"f:a": {"f:b": 2**70}}}, id="huge-int"),
])
def test_managed_fields_that_do_not_decode_are_ignored(vapi: VapiProcess, namespace: str, fields: Any) -> None:
    """A client's managedFields whose fieldsV1 is no field set (Set.FromJSON fails) are
    ignored: the write keeps the live entries (decodeLiveOrNew in kube's fieldmanager.go)."""
    path = f"/clusters/root/api/v1/namespaces/{namespace}/configmaps"
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "mf"}, "data": {"a": "1"}}
    headers = {"Content-Type": "application/json", "User-Agent": "first"}
    code, _, out = vapi.request("POST", path, json.dumps(cm).encode(), headers=headers)
    assert code == 201, out
    live = json.loads(out)["metadata"]["managedFields"]
    entry = {"manager": "m", "operation": "Update", "apiVersion": "v1", "fieldsType": "FieldsV1", "fieldsV1": fields}
    put = {**cm, "metadata": {"name": "mf", "managedFields": [entry]}, "data": {"a": "1", "b": "2"}}
    code, _, out = vapi.request("PUT", f"{path}/mf", json.dumps(put).encode(), headers=headers)
    assert code == 200, out
    assert json.loads(out)["metadata"]["managedFields"][0]["fieldsV1"] == {"f:data": {".": {}, "f:a": {}, "f:b": {}}}
    assert [e["manager"] for e in live] == ["first"]
    code, _, _ = vapi.request("GET", f"{path}/mf")
    assert code == 200
    code, _, out = vapi.request("POST", path, json.dumps({**put, "metadata": {"name": "mf2", "managedFields": [entry]}}).encode(),
                                headers=headers)
    assert code == 201 and [e["manager"] for e in json.loads(out)["metadata"]["managedFields"]] == ["first"], out


# -- typed conversion of an apply configuration: wrong types in SMD's words ----------------
#
# structuredMergeManager.Apply converts the configuration to a typed value before anything
# decodes it into Go types; SMD's typed/validate.go words each error (%T of the value for
# numeric fields, %#v of the *value.valueUnstructured for strings, %v for the rest), with
# the schema kube-openapi's schemaconv makes: integer and number are numeric, strings with a
# format other than byte (date-time, int-or-string) and Quantity take any scalar, an object
# is a map and an array a list. null is accepted anywhere.

POD = schemas.for_kind("", "v1", "Pod")
SERVICE = schemas.for_kind("", "v1", "Service")
CRD_SCHEMA = schemas.for_kind("apiextensions.k8s.io", "v1", "CustomResourceDefinition")

# a custom resource's schema as vapi serves it (crds.py adds metadata as ObjectMeta)
GIZMO: dict[str, Any] = {"type": "object", "properties": {
    "metadata": {"$ref": "#/$defs/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"},
    "spec": {"type": "object", "properties": {
        "replicas": {"type": "integer", "format": "int32"},
        "enabled": {"type": "boolean"},
        "when": {"type": "string", "format": "date-time"},
        "email": {"type": "string", "format": "email"},
        "port": {"x-kubernetes-int-or-string": True, "anyOf": [{"type": "integer"}, {"type": "string"}]},
        "tags": {"type": "array", "items": {"type": "string"}, "x-kubernetes-list-type": "set"},
        "extra": {"type": "object", "x-kubernetes-preserve-unknown-fields": True,
                  "properties": {"level": {"type": "integer"}}},
        "template": {"type": "object", "x-kubernetes-embedded-resource": True,
                     "x-kubernetes-preserve-unknown-fields": True},
    }}}}

# the bench's (hack/bench_api.py) and a chart's Deployment, with both spellings of the
# int-or-string and quantity fields
REALISTIC = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {
    "name": "web", "namespace": "default", "labels": {"app.kubernetes.io/name": "web"},
    "annotations": {"description": "benchmark deployment"}, "creationTimestamp": None},
    "spec": {"replicas": 2, "revisionHistoryLimit": 5, "selector": {"matchLabels": {"app.kubernetes.io/name": "web"}},
             "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": "25%"}},
             "template": {"metadata": {"labels": {"app.kubernetes.io/name": "web"}, "creationTimestamp": None},
                          "spec": {"serviceAccountName": "web", "containers": [{
                              "name": "web", "image": "nginx:1.27", "imagePullPolicy": "IfNotPresent",
                              "args": ["--port", "8080"], "ports": [{"name": "http", "containerPort": 8080}],
                              "env": [{"name": "MODE", "value": "production"}, {"name": "EMPTY", "value": None}],
                              "resources": {"requests": {"cpu": "100m", "memory": 128974848},
                                            "limits": {"cpu": 1, "memory": "256Mi", "ephemeral-storage": 1.5}},
                              "readinessProbe": {"httpGet": {"path": "/healthz", "port": "http"}},
                              "livenessProbe": {"tcpSocket": {"port": 8080}, "periodSeconds": 10},
                              "volumeMounts": [{"name": "config", "mountPath": "/etc/web"}]}],
                              "volumes": [{"name": "config", "configMap": {"name": "web-config", "defaultMode": 420}}],
                              "affinity": None, "securityContext": {}}}},
    "status": {}}


@pytest.mark.parametrize(("schema", "config", "expected"), [
    pytest.param(CONFIGMAP, {"data": {"k": 1}}, [".data.k: expected string, got &value.valueUnstructured{Value:1}"],
                 id="int-in-string"),
    pytest.param(CONFIGMAP, {"data": {"k": 1.5, "l": 1e8, "m": True}}, [
        ".data.k: expected string, got &value.valueUnstructured{Value:1.5}",
        ".data.l: expected string, got &value.valueUnstructured{Value:1e+08}",
        ".data.m: expected string, got &value.valueUnstructured{Value:true}"], id="float-and-bool-in-string"),
    pytest.param(CONFIGMAP, {"metadata": {"labels": {"a": {"b": [1, "x", None]}}}}, [
        '.metadata.labels.a: expected string, got &value.valueUnstructured{Value:map[string]interface {}{"b":'
        '[]interface {}{1, "x", interface {}(nil)}}}'], id="map-in-string"),
    pytest.param(DEPLOYMENT, {"spec": {"replicas": "3"}}, [".spec.replicas: expected numeric (int or float), got string"],
                 id="string-in-integer"),
    pytest.param(DEPLOYMENT, {"spec": {"replicas": True, "minReadySeconds": [1], "progressDeadlineSeconds": {"a": 1}}}, [
        ".spec.replicas: expected numeric (int or float), got bool",
        ".spec.minReadySeconds: expected numeric (int or float), got []interface {}",
        ".spec.progressDeadlineSeconds: expected numeric (int or float), got map[string]interface {}"], id="numeric"),
    pytest.param(DEPLOYMENT, {"spec": {"paused": "true"}}, [".spec.paused: expected boolean, got &{true}"], id="string-in-bool"),
    pytest.param(DEPLOYMENT, {"spec": {"selector": "app=web", "template": {"spec": {"containers": {"name": "c"}}}}}, [
        ".spec.selector: expected map, got &{app=web}",
        ".spec.template.spec.containers: expected list, got &{map[name:c]}"], id="map-and-list"),
    pytest.param(POD, {"spec": {"containers": [{"name": "c", "resources": {"limits": {"cpu": {"n": 1}}}}]}}, [
        '.spec.containers[name="c"].resources.limits.cpu: expected any scalar, got &{map[n:1]}'], id="quantity-map"),
    pytest.param(SERVICE, {"spec": {"ports": [{"port": 80, "targetPort": [8080]}]}}, [
        '.spec.ports[port=80,protocol="TCP"].targetPort: expected any scalar, got &{[8080]}'], id="int-or-string-list"),
    pytest.param(POD, {"spec": {"containers": ["c", {"name": "d", "image": 1}]}}, [
        ".spec.containers: element 0: associative list with keys may not have non-map elements"], id="unkeyable-item"),
    pytest.param(POD, {"spec": {"containers": [{"image": "i"}]}}, [
        '.spec.containers: element 0: associative list with keys has an element that omits all key fields ["name"] '
        "(and doesn't have default values for any key fields)"], id="keyless-item"),
    pytest.param(CONFIGMAP, {"bogus": 1, "other": 2, "data": {"k": 1}}, [".bogus: field not declared in schema"],
                 id="first-undeclared-field-ends-the-map"),
    pytest.param(DEPLOYMENT, REALISTIC, [], id="realistic-deployment"),
    pytest.param(POD, {"metadata": {"creationTimestamp": "2024-01-01T00:00:00Z", "labels": None},
                       "spec": {"containers": [{"name": "c", "resources": {"limits": {"cpu": "1", "memory": 1e9}},
                                                "ports": [{"containerPort": 80, "hostPort": None}]}],
                                "overhead": {"cpu": 0.5}, "nodeSelector": None}}, [], id="quantities-and-nulls"),
    pytest.param(SERVICE, {"spec": {"ports": [{"port": 80, "targetPort": "http"}, {"port": 81, "targetPort": 8080}]}}, [],
                 id="target-ports"),
    pytest.param(CRD_SCHEMA, {"spec": {"versions": [{"name": "v1", "schema": {"openAPIV3Schema": {
        "type": "object", "default": {"a": 1}, "enum": [1, "x"], "x-kubernetes-int-or-string": True}}}]}}, [],
                 id="json-schema-props"),
    pytest.param(GIZMO, {"spec": {"replicas": "two", "enabled": "yes", "when": 5, "email": 7, "port": {"p": 1},
                                  "tags": ["a", 1], "extra": {"level": "high", "other": {"x": [1]}},
                                  "template": {"apiVersion": 1, "kind": "Pod", "spec": {"any": "thing"}}}}, [
        ".spec.replicas: expected numeric (int or float), got string",
        ".spec.enabled: expected boolean, got &{yes}",
        ".spec.tags[=1]: expected string, got &value.valueUnstructured{Value:1}",
        ".spec.extra.level: expected numeric (int or float), got string",
        ".spec.template.apiVersion: expected string, got &value.valueUnstructured{Value:1}"], id="custom-resource"),
    pytest.param(GIZMO, {"spec": {"replicas": 1.5, "when": "now", "port": "http", "extra": {"level": None, "x": "y"}}}, [],
                 id="custom-resource-accepted"),
])
def test_typed_conversion_refuses_wrong_types(schema: Any, config: Any, expected: list[str]) -> None:
    assert fieldsets.typed_errors(config, schema) == expected


BAD_TYPES = """
apiVersion: v1
kind: ConfigMap
metadata: {name: typed}
data: {k: 1}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: typed}
spec:
  replicas: "3"
  selector: {matchLabels: {app: typed}}
  template:
    metadata: {labels: {app: typed}}
    spec:
      containers: [{name: c, image: nginx}]
"""

GOOD_TYPES = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: typed}
spec:
  replicas: 3
  strategy: {rollingUpdate: {maxSurge: 1, maxUnavailable: "25%"}}
  selector: {matchLabels: {app: typed}}
  template:
    metadata: {labels: {app: typed}, creationTimestamp: null}
    spec:
      containers:
      - name: c
        image: nginx
        ports: [{name: http, containerPort: 80}]
        readinessProbe: {httpGet: {path: /, port: http}}
        livenessProbe: {tcpSocket: {port: 80}}
        resources: {requests: {cpu: 1, memory: 64Mi}, limits: {cpu: "2", memory: 134217728}}
---
apiVersion: v1
kind: Service
metadata: {name: typed}
spec:
  selector: {app: typed}
  ports: [{name: a, port: 80, targetPort: http}, {name: b, port: 81, targetPort: 8080}]
"""


def test_kubectl_server_side_apply_of_wrong_types(vapi: VapiProcess, namespace: str) -> None:
    out = k(vapi, namespace, "apply", "--server-side", "-f", "-", input=BAD_TYPES, check=False)
    assert out.returncode == 1
    assert out.stderr.strip().splitlines() == [
        f"Error from server (BadRequest): failed to create typed patch object ({namespace}/typed; /v1, Kind=ConfigMap): "
        ".data.k: expected string, got &value.valueUnstructured{Value:1}",
        f"Error from server (BadRequest): failed to create typed patch object ({namespace}/typed; apps/v1, Kind=Deployment): "
        ".spec.replicas: expected numeric (int or float), got string"]
    assert k(vapi, namespace, "get", "deploy,cm", "-o", "name").stdout.split() == []
    # what kube accepts: quantities and int-or-strings either way, nulls
    out = k(vapi, namespace, "apply", "--server-side", "-f", "-", input=GOOD_TYPES)
    assert out.stdout.split() == ["deployment.apps/typed", "serverside-applied", "service/typed", "serverside-applied"]
    got = json.loads(k(vapi, namespace, "get", "deploy", "typed", "-o", "json").stdout)
    assert got["spec"]["template"]["spec"]["containers"][0]["resources"] == {
        "requests": {"cpu": "1", "memory": "64Mi"}, "limits": {"cpu": "2", "memory": "134217728"}}


GADGET_CRD = {
    "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "metadata": {"name": "typedgadgets.example.com"},
    "spec": {"group": "example.com", "scope": "Namespaced",
             "names": {"plural": "typedgadgets", "singular": "typedgadget", "kind": "TypedGadget"},
             "versions": [{"name": "v1", "served": True, "storage": True,
                           "schema": {"openAPIV3Schema": {k: v for k, v in GIZMO.items() if k != "properties"} | {
                               "properties": {"spec": GIZMO["properties"]["spec"]}}}}]}}


def test_kubectl_server_side_apply_of_a_custom_resource(vapi: VapiProcess, namespace: str) -> None:
    # a custom resource's configuration goes through the same conversion (its structural
    # schema made OpenAPI by the CRD builder), before the CRD's own validation (422) is reached
    vapi.kubectl("apply", "-f", "-", input=json.dumps(GADGET_CRD))
    vapi.kubectl("wait", "--for=condition=established", "crd/typedgadgets.example.com", "--timeout=10s")
    bad = {"apiVersion": "example.com/v1", "kind": "TypedGadget", "metadata": {"name": "g"},
           "spec": {"replicas": "two", "extra": {"level": 1, "free": {"form": True}}}}
    out = k(vapi, namespace, "apply", "--server-side", "-f", "-", input=json.dumps(bad), check=False)
    assert out.returncode == 1
    assert out.stderr.strip() == (f"Error from server (BadRequest): failed to create typed patch object ({namespace}/g; "
                                  "example.com/v1, Kind=TypedGadget): .spec.replicas: expected numeric (int or float), got string")
    good = {**bad, "spec": {"replicas": 2, "port": "http", "when": "2024-01-01T00:00:00Z", "extra": {"level": None, "free": 1},
                            "template": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"x": 1}}}}
    out = k(vapi, namespace, "apply", "--server-side", "-f", "-", input=json.dumps(good))
    assert out.stdout.strip() == "typedgadget.example.com/g serverside-applied"
    assert json.loads(k(vapi, namespace, "get", "typedgadget", "g", "-o", "json").stdout)["spec"]["extra"] == {"free": 1}
    vapi.kubectl("delete", "crd", "typedgadgets.example.com")


@pytest.mark.parametrize(("value", "type_name", "sharp_v", "v"), [
    # as Go's fmt prints them (checked against go1.19: printf "%T\t%#v\t%v")
    pytest.param(1, "int64", "1", "1", id="int"),
    pytest.param(1.0, "float64", "1", "1", id="whole-float"),
    pytest.param(1e8, "float64", "1e+08", "1e+08", id="large-float"),
    pytest.param(123456.0, "float64", "123456", "123456", id="six-digits"),
    pytest.param(123456789.5, "float64", "1.234567895e+08", "1.234567895e+08", id="exponent"),
    pytest.param(0.0001, "float64", "0.0001", "0.0001", id="small"),
    pytest.param(0.00001, "float64", "1e-05", "1e-05", id="smaller"),
    pytest.param(2**63, "float64", "9.223372036854776e+18", "9.223372036854776e+18", id="beyond-int64"),
    pytest.param('a"b\u00e9\x01', "string", '"a\\"b\u00e9\\x01"', 'a"b\u00e9\x01', id="string"),
    pytest.param({"b": 1, "a": [1, "x", None, 2.5], "c": {"d": False}}, "map[string]interface {}",
                 'map[string]interface {}{"a":[]interface {}{1, "x", interface {}(nil), 2.5}, "b":1, '
                 '"c":map[string]interface {}{"d":false}}', "map[a:[1 x <nil> 2.5] b:1 c:map[d:false]]", id="map"),
    pytest.param([], "[]interface {}", "[]interface {}{}", "[]", id="empty-list"),
])
def test_values_print_as_go_prints_them(value: Any, type_name: str, sharp_v: str, v: str) -> None:
    assert (golang.type_name(value), golang.sprint_sharp_v(value), golang.sprint_v(value)) == (type_name, sharp_v, v)
