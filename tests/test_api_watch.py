"""Watch protocol details kube clients depend on: watch-list with its end bookmark, bookmarks,
selector transitions, an in-stream 410 for a too-old resourceVersion, 410 Expired for a
continue token whose revision was compacted, timeoutSeconds."""

from __future__ import annotations

import itertools
import json
import queue
import ssl
import threading
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

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


class Watcher:
    """A watch read on a thread: `next()` waits for the next event (None: the stream ended),
    so a test waits for what it expects instead of sleeping."""

    def __init__(self, vapi: VapiProcess, path: str) -> None:
        self.events: queue.Queue[dict | None] = queue.Queue()
        self.response = urllib.request.urlopen(urllib.request.Request(vapi.base + path),
                                               context=vapi.ssl_context(), timeout=30)
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        try:
            for line in self.response:
                self.events.put(json.loads(line))
        except Exception:  # noqa: BLE001 - close() from the test's thread ends the read any way it can
            pass
        self.events.put(None)

    def next(self, timeout: float = 15) -> dict | None:
        return self.events.get(timeout=timeout)

    def close(self) -> None:
        self.response.close()


_workspaces = itertools.count()


def fresh_workspace(vapi: VapiProcess) -> str:
    """A new workspace, so that no other test has watched its resources yet."""
    name = f"watch{next(_workspaces)}"
    body = {"apiVersion": "tenancy.vapi.dev/v1alpha1", "kind": "Workspace", "metadata": {"name": name}}
    code, _, out = vapi.request("POST", "/clusters/root/apis/tenancy.vapi.dev/v1alpha1/workspaces",
                                json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    assert code == 201, out
    return f"root:{name}"


def test_watch_from_a_list_taken_before_the_cache_started(vapi: VapiProcess) -> None:
    """A client lists, somebody else starts watching the resource (which starts the watch
    cache of it), then the client watches from its list's resourceVersion: every change
    since the list comes once, as from kube-apiserver, whose cache holds recent history
    whoever asked first (it was a 410 Expired: the cache began at the other watch's start)."""
    ws = fresh_workspace(vapi)
    path = f"/clusters/{ws}/api/v1/namespaces/default/configmaps"

    def put(name: str) -> None:
        body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}}
        code, _, out = vapi.request("POST", path, json.dumps(body).encode(), headers={"Content-Type": "application/json"})
        assert code == 201, out

    listed = json.loads(vapi.request("GET", path)[2])["metadata"]["resourceVersion"]
    put("a")
    other = Watcher(vapi, path + "?watch=true&allowWatchBookmarks=true")
    try:
        assert [(e or {}).get("type") for e in (other.next(), other.next())] == ["ADDED", "BOOKMARK"]
        put("b")
        assert (other.next() or {}).get("type") == "ADDED", "the other watch is running"
        events = stream(vapi, path + f"?watch=true&resourceVersion={listed}", 2)
        assert [(e["type"], e["object"]["metadata"].get("name")) for e in events] == [("ADDED", "a"), ("ADDED", "b")]
    finally:
        other.close()


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
    # as kube's cacher: the object leaving is sent as it last matched, at the revision of the change
    left = events[1]["object"]["metadata"]
    moved = json.loads(vapi.request("GET", CMS.format(ns=namespace) + "/moving")[2])["metadata"]
    assert (left["labels"], left["resourceVersion"]) == ({"app": "x"}, moved["resourceVersion"])


def test_timeout_seconds_ends_the_stream(vapi: VapiProcess, namespace: str) -> None:
    rv = json.loads(vapi.request("GET", CMS.format(ns=namespace))[2])["metadata"]["resourceVersion"]
    t = time.monotonic()
    events = stream(vapi, CMS.format(ns=namespace) + f"?watch=true&resourceVersion={rv}&timeoutSeconds=1", 100)
    assert events == [] and time.monotonic() - t < 5


def test_bookmark_right_before_the_timeout(vapi: VapiProcess, namespace: str) -> None:
    """With bookmarks allowed, kube's cacher sends one 2 s before the watch times out
    (cache_watcher.go nextBookmarkTime), however short the timeout: the client resumes from it."""
    rv = json.loads(vapi.request("GET", CMS.format(ns=namespace))[2])["metadata"]["resourceVersion"]
    path = CMS.format(ns=namespace) + f"?watch=true&resourceVersion={rv}&allowWatchBookmarks=true&timeoutSeconds=3"
    # several at once: one bookmark each, also when the server's clock (uvloop's, in whole
    # milliseconds) has not moved since it sent it
    with ThreadPoolExecutor(12) as pool:
        streams = list(pool.map(lambda _: stream(vapi, path, 100, timeout=30), range(12)))
    for events in streams:
        assert [(e["type"], e["object"]["kind"], e["object"]["metadata"]) for e in events] == [
            ("BOOKMARK", "ConfigMap", {"resourceVersion": rv})]


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


def test_watch_of_custom_resources_ends_when_their_crd_is_deleted(vapi: VapiProcess) -> None:
    """kube-apiserver deletes the custom resources (DELETED events), then tears down the
    resource's storage, which ends its watches (the stream ends, no ERROR); a new watch is a
    404. vapi kept the stream open forever."""
    ws = fresh_workspace(vapi)
    crds = f"/clusters/{ws}/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
    crd = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
           "metadata": {"name": "gadgets.example.com"},
           "spec": {"group": "example.com", "scope": "Namespaced",
                    "names": {"plural": "gadgets", "singular": "gadget", "kind": "Gadget"},
                    "versions": [{"name": "v1", "served": True, "storage": True, "schema": {"openAPIV3Schema": {
                        "type": "object", "x-kubernetes-preserve-unknown-fields": True}}}]}}
    json_headers = {"Content-Type": "application/json"}
    code, _, out = vapi.request("POST", crds, json.dumps(crd).encode(), headers=json_headers)
    assert code == 201, out
    gadgets = f"/clusters/{ws}/apis/example.com/v1/namespaces/default/gadgets"
    body = {"apiVersion": "example.com/v1", "kind": "Gadget", "metadata": {"name": "g"}}
    code, _, out = vapi.request("POST", gadgets, json.dumps(body).encode(), headers=json_headers)
    assert code == 201, out

    watcher = Watcher(vapi, f"/clusters/{ws}/apis/example.com/v1/gadgets?watch=true")
    try:
        first = watcher.next()
        assert first is not None and (first["type"], first["object"]["metadata"]["name"]) == ("ADDED", "g")
        code, _, out = vapi.request("DELETE", crds + "/gadgets.example.com")
        assert code == 200, out
        gone = watcher.next()
        assert gone is not None and (gone["type"], gone["object"]["metadata"]["name"]) == ("DELETED", "g")
        assert watcher.next() is None, "the stream ends"
    finally:
        watcher.close()
    code, _, out = vapi.request("GET", f"/clusters/{ws}/apis/example.com/v1/gadgets?watch=true")
    assert code == 404, out


@pytest.mark.parametrize("include", ["Metadata", "None"])
def test_table_watch_sends_bookmarks_as_tables(vapi: VapiProcess, namespace: str, include: str) -> None:
    """kube-apiserver converts every event of a Table watch, bookmarks included
    (handlers/response.go); the initial-events-end bookmark's row keeps its metadata, so that
    the annotation reaches the client even with includeObject=None."""
    create(vapi, namespace, "a")
    path = CMS.format(ns=namespace) + f"?watch=true&allowWatchBookmarks=true&includeObject={include}"
    req = urllib.request.Request(vapi.base + path, headers={"Accept": "application/json;as=Table;v=v1;g=meta.k8s.io"})
    with urllib.request.urlopen(req, context=vapi.ssl_context(), timeout=15) as r:
        added, bookmark = (json.loads(r.readline()) for _ in range(2))
    assert added["type"] == "ADDED" and added["object"]["kind"] == "Table" and added["object"]["columnDefinitions"]
    assert bookmark["type"] == "BOOKMARK"
    table = bookmark["object"]
    assert (table["kind"], table["columnDefinitions"]) == ("Table", []), "column definitions only in the first event"
    [row] = table["rows"]
    assert row["object"]["kind"] == "PartialObjectMetadata"
    assert row["object"]["metadata"]["annotations"] == {"k8s.io/initial-events-end": "true"}
    assert row["object"]["metadata"]["resourceVersion"] == table["metadata"]["resourceVersion"]
