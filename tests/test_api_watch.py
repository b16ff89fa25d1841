"""Watch protocol details kube clients depend on: watch-list with its end bookmark, bookmarks,
selector transitions, an in-stream 410 for a too-old resourceVersion, 410 Expired for a
continue token whose revision was compacted, timeoutSeconds."""

from __future__ import annotations

import json
import ssl
import time
import urllib.request
from collections.abc import Iterator

import pytest

from tests.apiserver import VapiProcess

CMS = "/clusters/root/api/v1/namespaces/{ns}/configmaps"


def create(vapi: VapiProcess, ns: str, name: str, labels: dict[str, str] | None = None) -> dict:
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "labels": labels or {}}}
    code, _, out = vapi.request("POST", CMS.format(ns=ns), json.dumps(body).encode(),
                                headers={"Content-Type": "application/json"})
    assert code == 201, out
    return json.loads(out)


def stream(vapi: VapiProcess, path: str, n: int, timeout: float = 10) -> list[dict]:
    req = urllib.request.Request(vapi.base + path)
    events = []
    with urllib.request.urlopen(req, context=vapi.ssl_context(), timeout=timeout) as r:
        assert r.headers["Content-Type"] == "application/json"
        for line in r:
            events.append(json.loads(line))
            if len(events) >= n:
                break
    return events


def test_watch_list_ends_initial_events_with_a_bookmark(vapi: VapiProcess, namespace: str) -> None:
    create(vapi, namespace, "a")
    create(vapi, namespace, "b")
    path = CMS.format(ns=namespace) + "?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true"
    events = stream(vapi, path, 3)
    assert [(e["type"], e["object"]["metadata"].get("name")) for e in events[:2]] == [("ADDED", "a"), ("ADDED", "b")]
    assert events[2]["type"] == "BOOKMARK"
    meta = events[2]["object"]["metadata"]
    assert meta["annotations"] == {"k8s.io/initial-events-end": "true"}
    assert int(meta["resourceVersion"]) >= int(events[1]["object"]["metadata"]["resourceVersion"])


def test_watch_list_needs_resource_version_match(vapi: VapiProcess, namespace: str) -> None:
    code, _, out = vapi.request("GET", CMS.format(ns=namespace) + "?watch=true&sendInitialEvents=true&allowWatchBookmarks=true")
    status = json.loads(out)
    assert (code, status["reason"]) == (422, "Invalid")
    assert status["details"]["causes"] == [{
        "reason": "FieldValueForbidden", "field": "resourceVersionMatch",
        "message": "Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan"}]


def test_watch_list_without_bookmarks_has_no_end_bookmark(vapi: VapiProcess, namespace: str) -> None:
    """kube-apiserver 1.35 does not require allowWatchBookmarks: the initial events come, and
    no bookmark (the next event is a later change)."""
    create(vapi, namespace, "a")
    path = CMS.format(ns=namespace) + "?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&timeoutSeconds=1"
    events = stream(vapi, path, 10)
    assert [(e["type"], e["object"]["metadata"].get("name")) for e in events] == [("ADDED", "a")]


def test_selector_transitions(vapi: VapiProcess, namespace: str) -> None:
    start = json.loads(vapi.request("GET", CMS.format(ns=namespace))[2])["metadata"]["resourceVersion"]
    obj = create(vapi, namespace, "moving", {"app": "x"})
    obj["metadata"]["labels"] = {"app": "y"}
    vapi.request("PUT", CMS.format(ns=namespace) + "/moving", json.dumps(obj).encode(),
                 headers={"Content-Type": "application/json"})
    create(vapi, namespace, "other", {"app": "x"})
    events = stream(vapi, CMS.format(ns=namespace) + f"?watch=true&labelSelector=app%3Dx&resourceVersion={start}", 3)
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in events] == [
        ("ADDED", "moving"), ("DELETED", "moving"), ("ADDED", "other")
    ]


def test_timeout_seconds_ends_the_stream(vapi: VapiProcess, namespace: str) -> None:
    rv = json.loads(vapi.request("GET", CMS.format(ns=namespace))[2])["metadata"]["resourceVersion"]
    t = time.monotonic()
    events = stream(vapi, CMS.format(ns=namespace) + f"?watch=true&resourceVersion={rv}&timeoutSeconds=1", 100)
    assert events == [] and time.monotonic() - t < 5


@pytest.fixture(scope="module")
def compacting(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VapiProcess]:
    """A server that compacts all but 2 revisions every 0.2 s and keeps a 5-event watch window."""
    server = VapiProcess(
        str(tmp_path_factory.mktemp("compacting")),
        "--compaction-interval", "0.2", "--compaction-keep", "2", "--watch-cache-size", "5",
    ).start()
    yield server
    server.stop()


def test_too_old_resource_version_is_an_in_stream_410(compacting: VapiProcess) -> None:
    first = create(compacting, "default", "old0")
    for i in range(30):
        create(compacting, "default", f"old{i + 1}")
    rv = first["metadata"]["resourceVersion"]
    events = stream(compacting, CMS.format(ns="default") + f"?watch=true&resourceVersion={rv}", 1)
    assert events[0]["type"] == "ERROR"
    status = events[0]["object"]
    assert (status["kind"], status["code"], status["reason"]) == ("Status", 410, "Expired")
    assert status["message"].startswith("too old resource version")


def test_compacted_continue_token_is_410_expired(compacting: VapiProcess) -> None:
    for i in range(4):
        create(compacting, "kube-public", f"page{i}")
    code, _, out = compacting.request("GET", CMS.format(ns="kube-public") + "?limit=2")
    token = json.loads(out)["metadata"]["continue"]
    for i in range(10):
        create(compacting, "kube-public", f"more{i}")
    time.sleep(1.0)  # several compactions
    code, _, out = compacting.request("GET", CMS.format(ns="kube-public") + f"?limit=2&continue={token}")
    status = json.loads(out)
    assert (code, status["reason"]) == (410, "Expired")
    assert "continue parameter is too old" in status["message"]
    # as etcd3/errors.go: the 410 carries a token that goes on at the latest revision
    code, _, out = compacting.request("GET", CMS.format(ns="kube-public") + f"?limit=2&continue={status['metadata']['continue']}")
    rest = json.loads(out)
    assert code == 200 and [i["metadata"]["name"] for i in rest["items"]] == ["page2", "page3"]


def test_compacted_exact_list_is_410_expired(compacting: VapiProcess) -> None:
    first = create(compacting, "default", "exact0")
    for i in range(10):
        create(compacting, "default", f"exact{i + 1}")
    time.sleep(1.0)
    rv = first["metadata"]["resourceVersion"]
    for query in (f"resourceVersion={rv}&resourceVersionMatch=Exact", f"resourceVersion={rv}&limit=1"):
        code, _, out = compacting.request("GET", CMS.format(ns="default") + "?" + query)
        status = json.loads(out)
        assert (code, status["reason"], status["message"]) == (410, "Expired", "The resourceVersion for the provided list is too old.")
