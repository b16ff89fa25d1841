"""The syncer's loop: list its sync view, apply it to the edge, then follow the view's watch.

    vapi syncer --kubeconfig center.kubeconfig --edge-kubeconfig edge.kubeconfig

It starts every connection itself (works behind NAT) and keeps going when the center is
away: the edge keeps what it has, the syncer retries with backoff and resumes its watch from
the last resourceVersion it saw (or lists again after a 410). Objects are applied with
server-side apply (field manager `vapi-syncer`, conflicts forced: the center is the source of
truth for the fields it sends) through the official `kubernetes` client. What leaves the
view is deleted from the edge if this syncer applied it (kept in a small state file).
Every `heartbeat` seconds the EdgeCluster's status gets a heartbeat, the counts of objects
applied and failing, and the failures; every `resync` seconds everything is applied again,
which repairs drift of the fields the syncer owns.
"""

from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import dataclass, field
from typing import Any

from syncer import plan

log = logging.getLogger("vapi.syncer")

VERSION = "0.1.0"
FAILURES_SHOWN = 20


class CenterError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{status}: {message}")
        self.status = status


class Center:
    """vapi, as this cluster's syncer sees it: its sync view and its EdgeCluster status."""

    def __init__(self, kubeconfig: str) -> None:
        from kubernetes import config

        self.api = config.new_client_from_config(config_file=kubeconfig)  # type: ignore[no-untyped-call]

    def call(self, method: str, path: str, query: list[tuple[str, str]] | None = None, body: Any = None, *,
             content_type: str = "application/json", timeout: float | tuple[float, float] = 30.0) -> Any:
        """The raw urllib3 response of a request; CenterError unless it succeeded."""
        request = self.api.param_serialize(method, path, query_params=query or [], body=body, auth_settings=["BearerToken"],
                                           header_params={"Accept": "application/json", "Content-Type": content_type})
        try:
            resp = self.api.call_api(*request, _request_timeout=timeout)
        except Exception as e:  # urllib3 and socket errors: the center is away
            raise CenterError(0, str(e)) from e
        if not 200 <= resp.status <= 299:
            data = resp.read()
            try:
                message = json.loads(data).get("message", "")
            except (ValueError, AttributeError):
                message = data[:200].decode(errors="replace") if isinstance(data, bytes) else str(data)
            raise CenterError(resp.status, message)
        return resp.response

    def whoami(self) -> str:
        resp = self.call("POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews",
                         body={"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"})
        return str(json.loads(resp.data)["status"]["userInfo"]["username"])


class Edge:
    """The edge cluster's API through the `kubernetes` dynamic client."""

    def __init__(self, kubeconfig: str | None) -> None:
        from kubernetes import config, dynamic

        if kubeconfig:
            api = config.new_client_from_config(config_file=kubeconfig)  # type: ignore[no-untyped-call]
        else:
            config.load_incluster_config()  # type: ignore[no-untyped-call]
            from kubernetes import client

            api = client.ApiClient()
        self.dynamic = dynamic.DynamicClient(api)  # type: ignore[no-untyped-call]

    def resource(self, obj: plan.Obj) -> Any:
        from kubernetes.dynamic.exceptions import ResourceNotFoundError

        try:
            return self.dynamic.resources.get(api_version=obj["apiVersion"], kind=obj["kind"])
        except ResourceNotFoundError:
            self.dynamic.resources.invalidate_cache()  # a CRD applied since discovery was read
            return self.dynamic.resources.get(api_version=obj["apiVersion"], kind=obj["kind"])

    def exists(self, obj: plan.Obj) -> bool:
        from kubernetes.dynamic.exceptions import NotFoundError

        _, _, ns, name = plan.identity(obj)
        try:
            self.resource(obj).get(name=name, namespace=ns or None)
            return True
        except NotFoundError:
            return False

    def apply(self, obj: plan.Obj, manager: str) -> int | None:
        """Server-side apply; the edge object's generation after it."""
        _, _, ns, name = plan.identity(obj)
        out = self.resource(obj).server_side_apply(body=obj, name=name, namespace=ns or None, field_manager=manager,
                                                   force_conflicts=True)
        generation = out.metadata.generation if out is not None and out.metadata is not None else None
        return generation if isinstance(generation, int) else None

    def list_sourced(self, api_version: str, kind: str) -> list[plan.Obj]:
        """The edge objects of a kind that came from vapi (carry the source label)."""
        found = self.resource({"apiVersion": api_version, "kind": kind}).get(label_selector=plan.SOURCE_LABEL)
        return [item.to_dict() for item in found.items]

    def delete(self, ident: plan.Identity) -> None:
        from kubernetes.dynamic.exceptions import NotFoundError

        api_version, kind, ns, name = ident
        try:
            self.resource({"apiVersion": api_version, "kind": kind}).delete(name=name, namespace=ns or None)
        except NotFoundError:
            pass

    def wait_established(self, crd: plan.Obj, timeout: float = 30.0) -> None:
        res = self.resource(crd)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            live = res.get(name=crd["metadata"]["name"]).to_dict()
            for c in (live.get("status") or {}).get("conditions") or []:
                if c.get("type") == "Established" and c.get("status") == "True":
                    self.dynamic.resources.invalidate_cache()
                    return
            time.sleep(0.2)
        raise TimeoutError(f"CRD {crd['metadata']['name']} not Established after {timeout}s")


@dataclass
class Syncer:
    center: Center
    edge: Edge
    cluster: str
    state_path: str
    inventory_path: str = "/apis/edge.vapi.dev/v1alpha1/edgeclusters"
    heartbeat: float = 10.0
    resync: float = 60.0
    desired: dict[plan.Identity, plan.Obj] = field(default_factory=dict)
    managed: set[plan.Identity] = field(default_factory=set)
    failures: dict[plan.Identity, str] = field(default_factory=dict)
    rv: str = ""
    status_every: float = 5.0
    # per object: (center generation, edge generation) of the last apply
    generations: dict[plan.Identity, tuple[int | None, int | None]] = field(default_factory=dict)
    reported: dict[plan.Identity, bytes] = field(default_factory=dict)  # what the center was last told
    epoch: str = ""  # of the center's memory of reports, from the view's bookmarks
    adopted: set[plan.Identity] = field(default_factory=set)  # applied, but there before: never deleted
    undeleted: set[plan.Identity] = field(default_factory=set)  # left the view, delete failed
    # namespaces that left the view while objects of the view still live in them: deleting
    # one would delete those too; it goes when the last of them does
    emptying: set[plan.Identity] = field(default_factory=set)

    def __post_init__(self) -> None:
        try:
            with open(self.state_path) as f:
                self.managed = {(str(a), str(b), str(c), str(d)) for a, b, c, d in json.load(f)["managed"]}
        except (OSError, ValueError, KeyError, TypeError):
            self.managed = set()

    def _save(self) -> None:
        os.makedirs(os.path.dirname(self.state_path) or ".", exist_ok=True)
        tmp = self.state_path + ".tmp"
        with open(tmp, "w") as f:
            json.dump({"managed": sorted(self.managed)}, f)
        os.replace(tmp, self.state_path)

    # -- applying -----------------------------------------------------------------------

    def apply(self, obj: plan.Obj, *, missing: bool = False) -> None:
        """Apply one object of the view; `missing`: it was applied before and is gone from
        the edge (made again as new: its local fields are set again)."""
        ident = plan.identity(obj)
        if not plan.syncable(obj):
            return
        self.desired[ident] = obj
        self.emptying.discard(ident)
        body, local, create_only = plan.split(obj)
        try:
            new = missing or (ident not in self.managed and ident not in self.adopted and not self.edge.exists(body))
            if create_only and not new:
                self.adopted.add(ident)
                self.failures.pop(ident, None)
                return
            edge_generation = self.edge.apply(body, plan.FIELD_MANAGER)
            if new and local is not None:
                edge_generation = self.edge.apply(local, plan.LOCAL_FIELD_MANAGER) or edge_generation
            self.generations[ident] = (plan.generation_of(obj), edge_generation)
            if new:  # made by this syncer: it may delete it when it leaves the view
                self.managed.add(ident)
                self.adopted.discard(ident)
                self._save()
            elif ident not in self.managed:
                self.adopted.add(ident)  # there before: kept in step, never deleted
            if obj.get("kind") == "CustomResourceDefinition":
                self.edge.wait_established(body)
            self.failures.pop(ident, None)
        except Exception as e:  # the edge refused or is away: reported, retried at the next resync
            message = getattr(e, "summary", None) or str(e)
            body_text = getattr(e, "body", None)
            if isinstance(body_text, (bytes, str)):
                try:
                    message = json.loads(body_text).get("message", message)
                except ValueError:
                    pass
            self.failures[ident] = str(message)[:500]
            log.warning("apply %s: %s", plan.describe(ident), message)

    def remove(self, ident: plan.Identity) -> None:
        """An object left the view: delete it from the edge if this syncer made it."""
        self._remove(ident)
        namespace = ("v1", "Namespace", "", ident[2])
        if ident[2] and namespace in self.emptying and not self._holds(ident[2]):
            self._remove(namespace)

    def _holds(self, namespace: str) -> bool:
        """Whether objects of the view live in the namespace."""
        return any(i[2] == namespace for i in self.desired)

    def _remove(self, ident: plan.Identity) -> None:
        self.desired.pop(ident, None)
        self.generations.pop(ident, None)
        self.reported.pop(ident, None)
        self.failures.pop(ident, None)
        self.adopted.discard(ident)
        self.emptying.discard(ident)
        if ident not in self.managed:
            return  # not created by this syncer: not its to delete
        if ident[:3] == ("v1", "Namespace", "") and self._holds(ident[3]):
            self.emptying.add(ident)  # kept while the view still has objects in it
            return
        try:
            self.edge.delete(ident)
        except Exception as e:
            self.failures[ident] = f"delete: {e}"[:500]
            self.undeleted.add(ident)  # tried again at the next resync
            log.warning("delete %s: %s", plan.describe(ident), e)
            return
        self.undeleted.discard(ident)
        self.managed.discard(ident)
        self._save()

    # -- the view -----------------------------------------------------------------------

    def relist(self) -> None:
        resp = self.center.call("GET", f"{self.inventory_path}/{self.cluster}/syncview")
        view = json.loads(resp.data)
        items = plan.ordered([o for o in view.get("items") or [] if isinstance(o, dict)])
        wanted = {plan.identity(o) for o in items}
        for obj in items:
            self.apply(obj)
        # what left the view while this syncer was not watching (its failures too)
        stale = (self.managed | set(self.desired) | set(self.failures) | self.adopted | self.emptying) - wanted
        self.desired = {i: o for i, o in self.desired.items() if i in wanted}
        for ident in sorted(stale, key=lambda i: i[1] == "Namespace"):  # namespaces last
            self.remove(ident)
        self.reported.clear()  # the center may have restarted: tell it everything again
        self.rv = str(view["metadata"]["resourceVersion"])
        log.info("view of %s listed at %s: %d objects, %d failing", self.cluster, self.rv, len(items), len(self.failures))

    def follow(self, seconds: float) -> bool:
        """Apply the view's changes for about `seconds`; False when the view must be listed
        again (410)."""
        query = [("watch", "true"), ("resourceVersion", self.rv), ("allowWatchBookmarks", "true"),
                 ("timeoutSeconds", str(max(1, int(seconds))))]
        resp = self.center.call("GET", f"{self.inventory_path}/{self.cluster}/syncview", query,
                                timeout=(10.0, seconds + 30.0))
        try:
            buffer = b""
            for chunk in resp.stream(65536, decode_content=True):
                buffer += chunk
                while b"\n" in buffer:
                    line, buffer = buffer.split(b"\n", 1)
                    if not line.strip():
                        continue
                    event = json.loads(line)
                    kind, obj = event.get("type"), event.get("object") or {}
                    if kind == "ERROR":
                        if obj.get("code") == 410:
                            return False
                        raise CenterError(int(obj.get("code") or 0), str(obj.get("message", "")))
                    if kind == "BOOKMARK":
                        meta = obj.get("metadata") or {}
                        self.rv = str(meta.get("resourceVersion", self.rv))
                        epoch = str((meta.get("annotations") or {}).get(plan.REPORTS_EPOCH, ""))
                        if epoch and epoch != self.epoch:
                            if self.epoch:
                                log.info("the center's reports are new (it restarted): reporting everything again")
                            self.reported.clear()
                            self.epoch = epoch
                    elif kind in ("ADDED", "MODIFIED"):
                        self.apply(obj)
                    elif kind == "DELETED":
                        self.remove(plan.identity(obj))
        finally:
            resp.release_conn()
        return True

    def send_statuses(self) -> int:
        """Read what the edge holds of every applied kind: re-apply what drifted from what was
        applied (the edge changed a field the syncer owns), and tell the center the status of
        what changed since it was last told, in one batch (the latest state of each object).
        The number of objects reported."""
        kinds = {(i[0], i[1]) for i in self.desired if i in self.managed or i in self.adopted}
        batch = []
        cache: dict[tuple[str, str], list[plan.Obj]] = {}  # edge objects of associated kinds, read once per round
        for api_version, kind in sorted(kinds, key=lambda k: (plan.rank({"kind": k[1]}), k)):  # namespaces, CRDs first
            try:
                live_objects = self.edge.list_sourced(api_version, kind)
            except Exception as e:  # the kind is gone or the edge is away: next round
                log.warning("status of %s.%s not read: %s", kind, api_version, e)
                continue
            seen = set()
            for live in live_objects:
                ident = plan.identity({**live, "apiVersion": api_version, "kind": kind})
                if ident not in self.desired:
                    continue
                seen.add(ident)
                body, _, create_only = plan.split(self.desired[ident])
                if not create_only and not plan.holds(live, body):
                    log.info("%s drifted at the edge: applying it again", plan.describe(ident))
                    self.apply(self.desired[ident])
                if kind in plan.NO_STATUS_KINDS:
                    continue
                source = str(((live.get("metadata") or {}).get("labels") or {}).get(plan.SOURCE_LABEL, ""))
                center_gen, edge_gen = self.generations.get(ident, (plan.generation_of(self.desired[ident]), None))
                entry = plan.report(ident, source, center_gen, edge_gen, live)
                spec = plan.associated_spec(self.desired[ident])
                if spec:
                    entry["associated"] = plan.associated(live, spec, self._candidates(spec, cache))
                digest = json.dumps(entry, sort_keys=True).encode()
                if self.reported.get(ident) != digest:
                    batch.append((ident, entry, digest))
            self._make_again(api_version, kind, seen)
        if batch:
            self.center.call("POST", f"{self.inventory_path}/{self.cluster}/report",
                             body={"apiVersion": "edge.vapi.dev/v1alpha1", "kind": "StatusReport",
                                   "items": [entry for _, entry, _ in batch]})
            for ident, _, digest in batch:
                self.reported[ident] = digest
        return len(batch)

    def _make_again(self, api_version: str, kind: str, seen: set[plan.Identity]) -> None:
        """Objects of the kind that were applied and are gone from the edge (deleted there,
        or their source label removed): the most thorough drift, repaired the same way.
        Create-only objects are the edge's once made; what failed waits for the resync."""
        for ident, obj in list(self.desired.items()):
            if (ident[0], ident[1]) != (api_version, kind) or ident in seen or ident in self.failures:
                continue
            if (ident in self.managed or ident in self.adopted) and not plan.split(obj)[2]:
                log.info("%s is gone from the edge: making it again", plan.describe(ident))
                self.apply(obj, missing=True)

    def _candidates(self, spec: list[plan.Obj], cache: dict[tuple[str, str], list[plan.Obj]]) -> dict[tuple[str, str], list[plan.Obj]]:
        for entry in spec:
            kind = (str(entry.get("apiVersion")), str(entry.get("kind")))
            if kind not in cache:
                try:
                    found = self.edge.resource({"apiVersion": kind[0], "kind": kind[1]}).get()
                    cache[kind] = [item.to_dict() for item in found.items]
                except Exception as e:  # a kind this edge does not serve
                    log.warning("associated %s.%s not read: %s", kind[1], kind[0], e)
                    cache[kind] = []
        return cache

    def report(self) -> None:
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        failing = sorted(self.failures.items())
        status = {
            "lastHeartbeatTime": now,
            "syncerVersion": VERSION,
            "viewResourceVersion": self.rv,
            "objectsApplied": len([i for i in self.desired if (i in self.managed or i in self.adopted) and i not in self.failures]),
            "objectsFailing": len(failing),
            "failures": [{"object": plan.describe(i), "message": m} for i, m in failing[:FAILURES_SHOWN]],
            "conditions": [
                {"type": "Ready", "status": "True", "reason": "Heartbeat", "message": "the syncer is connected",
                 "lastTransitionTime": now},
                {"type": "Synced", "status": "False" if failing else "True",
                 "reason": "ApplyFailed" if failing else "Applied",
                 "message": f"{len(failing)} objects failing" if failing else "every object of the view is applied",
                 "lastTransitionTime": now},
            ],
        }
        self.center.call("PATCH", f"{self.inventory_path}/{self.cluster}/status", body={"status": status},
                         content_type="application/merge-patch+json")

    def run(self, stop: Any = None) -> None:
        """Until `stop` (a threading.Event) is set."""
        backoff = 0.5
        listed = False
        now = time.monotonic()
        next_resync, next_heartbeat, next_status = now + self.resync, now, now
        while stop is None or not stop.is_set():
            try:
                if not listed:
                    self.relist()
                    listed = True
                listed = self.follow(min(self.heartbeat, self.status_every))
                now = time.monotonic()
                if now >= next_resync:
                    for obj in plan.ordered(list(self.desired.values())):
                        self.apply(obj)
                    for ident in list(self.undeleted):
                        self.remove(ident)
                    next_resync = now + self.resync
                if now >= next_status:
                    self.send_statuses()
                    next_status = now + self.status_every
                if now >= next_heartbeat:
                    self.report()
                    next_heartbeat = now + self.heartbeat
                backoff = 0.5
            except Exception as e:  # the center or the edge went away mid-stream (urllib3 errors too)
                log.warning("center: %s; retrying in %.1fs", e, backoff)
                time.sleep(backoff)
                backoff = min(backoff * 2, 30.0)
