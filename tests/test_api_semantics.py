"""API semantics a client library relies on, as kube-apiserver 1.35 answers them: option
validation (422 Invalid on ListOptions/CreateOptions/DeleteOptions), what a delete returns,
deletion preconditions, metadata a write may not change, watch-list defaults."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from kubernetes import client, config
from kubernetes.client.rest import ApiException

from tests.apiserver import VapiProcess
from tests.test_api_watch import create, stream

CMS = "/clusters/root/api/v1/namespaces/{ns}/configmaps"
JSON = {"Content-Type": "application/json"}


@pytest.fixture(scope="module")
def api(vapi: VapiProcess) -> Iterator[client.ApiClient]:
    c = config.new_client_from_config(config_file=vapi.kubeconfig)
    yield c
    c.close()


def call(vapi: VapiProcess, method: str, path: str, body: Any = None) -> tuple[int, dict[str, Any]]:
    data = json.dumps(body).encode() if body is not None else None
    code, _, out = vapi.request(method, path, data, headers=JSON)
    return code, json.loads(out)


FORBIDDEN = "FieldValueForbidden"
NOT_SUPPORTED = "FieldValueNotSupported"


@pytest.mark.parametrize(
    ("query", "reason", "field", "message"),
    [
        pytest.param("resourceVersionMatch=Exact", FORBIDDEN, "resourceVersionMatch",
                     "Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided", id="match-without-rv"),
        pytest.param("resourceVersionMatch=Sometimes&resourceVersion=1", NOT_SUPPORTED, "resourceVersionMatch",
                     'Unsupported value: "Sometimes": supported values: "Exact", "NotOlderThan", ""', id="unknown-match"),
        pytest.param("resourceVersionMatch=Exact&resourceVersion=0", FORBIDDEN, "resourceVersionMatch",
                     'Forbidden: resourceVersionMatch "exact" is forbidden for resourceVersion "0"', id="exact-0"),
        pytest.param("sendInitialEvents=true", FORBIDDEN, "sendInitialEvents",
                     "Forbidden: sendInitialEvents is forbidden for list", id="send-initial-events-on-list"),
        pytest.param("watch=true&resourceVersionMatch=NotOlderThan", FORBIDDEN, "resourceVersionMatch",
                     "Forbidden: resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided",
                     id="watch-match-without-send-initial-events"),
        # a watch from "" or "0" is made a watch-list (resourceVersionMatch=NotOlderThan)
        # before validation, as kube 1.34+ does (SetListOptionsDefaults)
        pytest.param("watch=true&continue=abc", FORBIDDEN, "resourceVersionMatch",
                     "Forbidden: resourceVersionMatch is forbidden when continue is provided", id="watch-list-with-continue"),
        pytest.param("watch=true&resourceVersion=0&continue=abc", FORBIDDEN, "resourceVersionMatch",
                     "Forbidden: resourceVersionMatch is forbidden when continue is provided", id="watch-list-0-with-continue"),
    ],
)
def test_list_options_are_validated(vapi: VapiProcess, namespace: str, query: str, reason: str, field: str,
                                    message: str) -> None:
    code, status = call(vapi, "GET", CMS.format(ns=namespace) + "?" + query)
    assert (code, status["reason"]) == (422, "Invalid")
    assert status["details"] == {"group": "meta.k8s.io", "kind": "ListOptions",
                                 "causes": [{"reason": reason, "field": field, "message": message}]}
    assert status["message"] == f'ListOptions.meta.k8s.io "" is invalid: {field}: {message}'


def test_watch_from_a_resource_version_ignores_continue(vapi: VapiProcess, namespace: str) -> None:
    """Only a list refuses a continue token beside a resourceVersion (the storage's list
    does); a watch from a resourceVersion goes on and ignores it."""
    rv = call(vapi, "GET", CMS.format(ns=namespace))[1]["metadata"]["resourceVersion"]
    code, _, out = vapi.request("GET", CMS.format(ns=namespace) + f"?watch=true&resourceVersion={rv}&continue=abc&timeoutSeconds=1")
    assert (code, out) == (200, b"")
    code, status = call(vapi, "GET", CMS.format(ns=namespace) + f"?resourceVersion={rv}&continue=abc")
    assert (code, status["message"]) == (400, "specifying resource version is not allowed when using continue")


def test_list_with_match_and_resource_version(vapi: VapiProcess, namespace: str) -> None:
    create(vapi, namespace, "a")
    code, listed = call(vapi, "GET", CMS.format(ns=namespace))
    rv = listed["metadata"]["resourceVersion"]
    for match in ("Exact", "NotOlderThan"):
        code, out = call(vapi, "GET", CMS.format(ns=namespace) + f"?resourceVersion={rv}&resourceVersionMatch={match}")
        assert code == 200 and [i["metadata"]["name"] for i in out["items"]] == ["a"]
    code, out = call(vapi, "GET", CMS.format(ns=namespace) + "?resourceVersion=0")
    assert code == 200 and len(out["items"]) == 1


@pytest.mark.parametrize("query", [
    pytest.param("resourceVersion=0&limit=1", id="any"),
    pytest.param("resourceVersion=0&resourceVersionMatch=NotOlderThan&limit=1", id="not-older-than-0"),
])
def test_list_from_resource_version_0_ignores_the_limit(vapi: VapiProcess, namespace: str, query: str) -> None:
    """kube-apiserver serves resourceVersion=0 from its watch cache, which ignores the limit
    (cacher.go computeListLimit): every item, no continue token."""
    for name in ("a", "b", "c"):
        create(vapi, namespace, name)
    code, out = call(vapi, "GET", CMS.format(ns=namespace) + "?" + query)
    assert code == 200 and [i["metadata"]["name"] for i in out["items"]] == ["a", "b", "c"]
    assert "continue" not in out["metadata"] and "remainingItemCount" not in out["metadata"]
    code, out = call(vapi, "GET", CMS.format(ns=namespace) + "?limit=1")
    assert [i["metadata"]["name"] for i in out["items"]] == ["a"] and out["metadata"]["continue"], "other lists page"


def test_typed_list_items_carry_no_kind(vapi: VapiProcess, namespace: str) -> None:
    """A built-in kind's list is encoded from typed items: kind and apiVersion only on the list."""
    create(vapi, namespace, "a")
    code, listed = call(vapi, "GET", CMS.format(ns=namespace))
    assert code == 200 and (listed["kind"], listed["apiVersion"]) == ("ConfigMapList", "v1")
    assert [sorted(i) for i in listed["items"]] == [["metadata"]]
    code, got = call(vapi, "GET", CMS.format(ns=namespace) + "/a")
    assert (got["kind"], got["apiVersion"]) == ("ConfigMap", "v1")


def test_read_at_a_future_resource_version_waits_for_it(vapi: VapiProcess, namespace: str) -> None:
    """kube's watch cache blocks a read at a resourceVersion it has not reached for up to
    3 s: a write arriving meanwhile answers it; after that, 504 Too large resource version."""
    made = create(vapi, namespace, "a")
    ahead = int(made["metadata"]["resourceVersion"]) + 1
    done: dict[str, Any] = {}

    def later_write() -> None:
        time.sleep(0.5)
        done["write"] = time.monotonic()
        create(vapi, namespace, "b")

    writer = threading.Thread(target=later_write)
    start = time.monotonic()
    writer.start()
    code, out = call(vapi, "GET", CMS.format(ns=namespace) + f"?resourceVersion={ahead}")
    writer.join()
    assert code == 200 and sorted(i["metadata"]["name"] for i in out["items"]) == ["a", "b"]
    assert time.monotonic() - start >= 0.5
    far = ahead + 1000
    start = time.monotonic()
    code, status = call(vapi, "GET", CMS.format(ns=namespace) + f"/a?resourceVersion={far}")
    waited = time.monotonic() - start
    assert code == 504 and status["reason"] == "Timeout" and 2.5 < waited < 10
    assert status["message"].startswith(f"Too large resource version: {far}, current: ")
    assert status["details"]["causes"] == [{"reason": "ResourceVersionTooLarge", "message": "Too large resource version"}]


@pytest.mark.parametrize(
    ("method", "suffix", "kind", "field", "message"),
    [
        pytest.param("POST", "?dryRun=Some", "CreateOptions", "dryRun",
                     'Unsupported value: ["Some"]: supported values: "All"', id="create-dry-run"),
        pytest.param("POST", "?fieldValidation=Loose", "CreateOptions", "fieldValidation",
                     'Unsupported value: "Loose": supported values: "", "Ignore", "Strict", "Warn"', id="create-field-validation"),
        pytest.param("PUT", "/x?dryRun=Some", "UpdateOptions", "dryRun",
                     'Unsupported value: ["Some"]: supported values: "All"', id="update-dry-run"),
        pytest.param("DELETE", "/x?dryRun=Some", "DeleteOptions", "dryRun",
                     'Unsupported value: ["Some"]: supported values: "All"', id="delete-dry-run"),
    ],
)
def test_write_options_are_validated(vapi: VapiProcess, namespace: str, method: str, suffix: str, kind: str,
                                     field: str, message: str) -> None:
    made = create(vapi, namespace, "x")
    code, status = call(vapi, method, CMS.format(ns=namespace) + suffix, None if method == "DELETE" else made)
    assert (code, status["reason"], status["details"]["kind"]) == (422, "Invalid", kind)
    assert status["message"] == f'{kind}.meta.k8s.io "" is invalid: {field}: {message}'


def test_delete_answers_with_a_status_once_gone(api: client.ApiClient, namespace: str) -> None:
    v1 = client.CoreV1Api(api)
    made = v1.create_namespaced_config_map(namespace, client.V1ConfigMap(metadata=client.V1ObjectMeta(name="gone")))
    status = v1.delete_namespaced_config_map("gone", namespace)  # this client hands back the JSON as is
    assert status == {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
                      "details": {"name": "gone", "kind": "configmaps", "uid": made.metadata.uid}}
    # held by a finalizer: the object comes back, marked for deletion
    v1.create_namespaced_config_map(namespace, client.V1ConfigMap(
        metadata=client.V1ObjectMeta(name="held", finalizers=["example.com/hold"])))
    held = v1.delete_namespaced_config_map("held", namespace)
    assert held["kind"] == "ConfigMap" and held["metadata"]["deletionTimestamp"]
    # kinds whose registry returns the deleted object: services
    v1.create_namespaced_service(namespace, client.V1Service(
        metadata=client.V1ObjectMeta(name="svc"), spec=client.V1ServiceSpec(ports=[client.V1ServicePort(port=80)])))
    assert v1.delete_namespaced_service("svc", namespace).metadata.name == "svc"  # typed: V1Service


def test_delete_dry_run_in_the_body_deletes_nothing(vapi: VapiProcess, namespace: str) -> None:
    """kubectl delete --dry-run=server sends dryRun in the DeleteOptions body."""
    create(vapi, namespace, "kept")
    code, out = call(vapi, "DELETE", CMS.format(ns=namespace) + "/kept",
                     {"kind": "DeleteOptions", "apiVersion": "v1", "dryRun": ["All"], "propagationPolicy": "Background"})
    assert code == 200 and out["status"] == "Success"
    assert call(vapi, "GET", CMS.format(ns=namespace) + "/kept")[0] == 200
    out_text = vapi.kubectl("delete", "configmap", "kept", "-n", namespace, "--dry-run=server").stdout
    assert out_text.strip() == f'configmap "kept" deleted from {namespace} namespace (server dry run)'
    assert call(vapi, "GET", CMS.format(ns=namespace) + "/kept")[0] == 200


def test_delete_preconditions(vapi: VapiProcess, namespace: str) -> None:
    made = create(vapi, namespace, "p")
    uid, rv = made["metadata"]["uid"], made["metadata"]["resourceVersion"]
    code, status = call(vapi, "DELETE", CMS.format(ns=namespace) + "/p", {"preconditions": {"uid": "other"}})
    assert (code, status["reason"]) == (409, "Conflict")
    assert status["message"] == (f'Operation cannot be fulfilled on ConfigMap "p": the UID in the precondition (other) '
                                 f"does not match the UID in record ({uid}). The object might have been deleted and then recreated")
    code, status = call(vapi, "DELETE", CMS.format(ns=namespace) + "/p", {"preconditions": {"resourceVersion": "1"}})
    assert (code, status["reason"]) == (409, "Conflict")
    assert status["message"] == (f'Operation cannot be fulfilled on ConfigMap "p": the ResourceVersion in the precondition (1) '
                                 f"does not match the ResourceVersion in record ({rv}). The object might have been modified")
    code, status = call(vapi, "DELETE", CMS.format(ns=namespace) + "/p", {"preconditions": {"uid": uid, "resourceVersion": rv}})
    assert code == 200 and status["status"] == "Success"


def test_update_may_not_change_uid(vapi: VapiProcess, namespace: str) -> None:
    made = create(vapi, namespace, "u")
    made["metadata"]["uid"] = "another"
    code, status = call(vapi, "PUT", CMS.format(ns=namespace) + "/u", made)
    assert (code, status["reason"]) == (422, "Invalid")
    assert status["message"] == 'ConfigMap "u" is invalid: metadata.uid: Invalid value: "another": field is immutable'
    # an update without uid or resourceVersion is unconditional and keeps them
    del made["metadata"]["uid"], made["metadata"]["resourceVersion"]
    made["data"] = {"k": "v"}
    code, out = call(vapi, "PUT", CMS.format(ns=namespace) + "/u", made)
    assert code == 200 and out["data"] == {"k": "v"} and out["metadata"]["uid"]


def test_deletion_bumps_generation_and_freezes_finalizers(vapi: VapiProcess, namespace: str) -> None:
    path = f"/clusters/root/apis/apps/v1/namespaces/{namespace}/deployments"
    dep = {"apiVersion": "apps/v1", "kind": "Deployment",
           "metadata": {"name": "d", "finalizers": ["example.com/hold"]},
           "spec": {"selector": {"matchLabels": {"app": "d"}},
                    "template": {"metadata": {"labels": {"app": "d"}}, "spec": {"containers": [{"name": "c", "image": "i"}]}}}}
    code, made = call(vapi, "POST", path, dep)
    assert code == 201 and made["metadata"]["generation"] == 1
    code, marked = call(vapi, "DELETE", path + "/d")
    assert code == 200 and marked["metadata"]["deletionTimestamp"] and marked["metadata"]["generation"] == 2
    marked["metadata"]["finalizers"] = ["example.com/hold", "example.com/more"]
    code, status = call(vapi, "PUT", path + "/d", marked)
    assert (code, status["reason"]) == (422, "Invalid")
    assert status["details"]["causes"] == [{
        "reason": "FieldValueForbidden", "field": "metadata.finalizers",
        "message": 'Forbidden: no new finalizers can be added if the object is being deleted, '
                   'found new finalizers []string{"example.com/more"}'}]
    marked["metadata"]["finalizers"] = []
    code, _ = call(vapi, "PUT", path + "/d", marked)
    assert code == 200 and call(vapi, "GET", path + "/d")[0] == 404


def test_watch_from_now_ends_initial_events_with_a_bookmark(vapi: VapiProcess, namespace: str) -> None:
    """kube 1.34+ treats a watch without resourceVersion as a watch-list: with bookmarks
    allowed, its initial events end with the initial-events-end bookmark."""
    create(vapi, namespace, "a")
    events = stream(vapi, CMS.format(ns=namespace) + "?watch=true&allowWatchBookmarks=true", 2)
    assert [e["type"] for e in events] == ["ADDED", "BOOKMARK"]
    assert events[1]["object"]["metadata"]["annotations"] == {"k8s.io/initial-events-end": "true"}


def test_watch_without_initial_events_starts_now(vapi: VapiProcess, namespace: str) -> None:
    create(vapi, namespace, "old")
    path = CMS.format(ns=namespace) + "?watch=true&sendInitialEvents=false&resourceVersionMatch=NotOlderThan&timeoutSeconds=1"
    assert stream(vapi, path, 5) == []


def test_python_client_delete_collection(api: client.ApiClient, namespace: str) -> None:
    v1 = client.CoreV1Api(api)
    for name, tier in (("a", "x"), ("b", "x"), ("c", "y")):
        v1.create_namespaced_config_map(namespace, client.V1ConfigMap(
            metadata=client.V1ObjectMeta(name=name, labels={"tier": tier})))
    v1.delete_collection_namespaced_config_map(namespace, label_selector="tier=x")
    assert [c.metadata.name for c in v1.list_namespaced_config_map(namespace).items] == ["c"]
    with pytest.raises(ApiException) as e:
        v1.list_namespaced_config_map(namespace, resource_version_match="Exact")
    assert e.value.status == 422


def test_bad_continue_token(vapi: VapiProcess, namespace: str) -> None:
    code, status = call(vapi, "GET", CMS.format(ns=namespace) + "?continue=garbage!!")
    assert (code, status["reason"]) == (400, "BadRequest")
    assert status["message"].startswith("invalid continue token: continue key is not valid")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        pytest.param({"preconditions": "x"}, "Go struct field DeleteOptions.preconditions of type v1.Preconditions",
                     id="preconditions"),
        pytest.param({"preconditions": {"uid": 5}}, "Go struct field Preconditions.preconditions.uid of type string",
                     id="precondition-uid"),
        pytest.param({"orphanDependents": "yes"}, "Go struct field DeleteOptions.orphanDependents of type bool",
                     id="orphan-dependents"),
        pytest.param({"dryRun": "All"}, "Go struct field DeleteOptions.dryRun of type []string", id="dry-run"),
    ],
)
def test_delete_options_of_the_wrong_type_are_a_400(vapi: VapiProcess, namespace: str, body: dict[str, object],
                                                    message: str) -> None:
    create(vapi, namespace, "typed")
    code, status = call(vapi, "DELETE", CMS.format(ns=namespace) + "/typed", body)
    assert (code, status["reason"]) == (400, "BadRequest") and message in status["message"]
    assert call(vapi, "GET", CMS.format(ns=namespace) + "/typed")[0] == 200, "nothing deleted"


def test_create_refuses_a_resource_version(api: client.ApiClient, namespace: str) -> None:
    """An object carrying a resourceVersion (read from another cluster, say) is refused at
    creation (400), unless it is "0" or no number, which kube's storage ignores."""
    v1 = client.CoreV1Api(api)
    with pytest.raises(ApiException) as e:
        v1.create_namespaced_config_map(namespace, {"metadata": {"name": "copied", "resourceVersion": "42"}})
    assert (e.value.status, json.loads(e.value.body)["message"]) == (400, "resourceVersion should not be set on objects to be created")
    for rv in ("0", "abc"):
        created = v1.create_namespaced_config_map(namespace, {"metadata": {"name": f"rv-{rv}", "resourceVersion": rv}})
        assert created.metadata.resource_version not in ("0", "abc")
