"""Reported state coming back: syncers POST batches of their copies' status to
`edgeclusters/<name>/report`; each (object, cluster) keeps one small contribution in memory;
changed objects are then, in one debounced pass,
- written back into the workspace object's `.status` (see `vapi.fleetstatus`), with the
  `vapi.dev/clusters` annotation, unless every placement selecting it opts out
  (`statusCollection.writeBack: false`);
- folded into the summaries of the placements selecting them (`vapi.summaries`), kept in a
  `StatusSummary` per (object, placement);
- stored per cluster as a `ReportedStatus` only for placements asking for it
  (`statusCollection.full: true`).
Contributions live in memory (they grow with clusters x reported objects, a few hundred
bytes each, identical statuses shared); after a restart the syncers report everything again:
they see a new `epoch` on their view's bookmarks (`placement.REPORTS_EPOCH`).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import cel
import orjson

import storage
from storage import errors as storage_errors
from storage.backend import KeyValue
from vapi import clock, coalesce, errors, fleetstatus, ids, objects, placement, summaries
from vapi.resources import builtin
from vapi.syncview import EDGE, Ref, SyncViews

log = logging.getLogger("vapi.reports")

Obj = dict[str, Any]
ObjKey = tuple[str, str, str, str, str]  # workspace, group, resource, namespace, name
MAX_ITEMS = 10_000
ASSOCIATED_KEPT = 100  # associated objects kept per (object, cluster)
VOLATILE = ("lastUpdateTime", "lastTransitionTime", "lastProbeTime", "lastHeartbeatTime")


def summary_name(placement_name: str, ref: Ref) -> str:
    parts = [placement_name, ref.kind.lower(), *([ref.namespace] if ref.namespace else []), ref.name]
    return ".".join(parts)[:253]


def full_name(cluster: str, placement_name: str, ref: Ref) -> str:
    return f"{cluster}.{summary_name(placement_name, ref)}"[:253]


@dataclass
class Fleet:
    """Where one object stands across the clusters selected for it."""

    shape: tuple[int, tuple[tuple[str, str], ...], int]  # membership version, placements, generation
    members: set[str]
    tally: fleetstatus.Tally


class Reports:
    def __init__(self, store: objects.Objects, views: SyncViews) -> None:
        self.store = store
        self.backend = store.backend
        self.views = views
        self.copies: dict[Ref, dict[str, fleetstatus.Copy]] = {}
        self.summaries: dict[tuple[Ref, tuple[str, str], str], summaries.Summary] = {}
        self.fleets: dict[Ref, Fleet] = {}
        self._shared: dict[bytes, Obj] = {}  # identical statuses (without timestamps) kept once
        self._stamps: dict[tuple[tuple[int, str, str], ...], tuple[tuple[int, str, str], ...]] = {}
        self._dirty: dict[Ref, set[str]] = {}
        # what vapi wrote for each object, to take back what it no longer holds
        self.summary_objects: dict[Ref, set[tuple[str, str]]] = {}  # placements with a StatusSummary of it
        self.full_objects: dict[tuple[Ref, tuple[str, str]], set[str]] = {}  # clusters with a ReportedStatus
        self.written_back: set[Ref] = set()
        # a burst of reports becomes one fold (and write) per object
        self._folds = coalesce.Coalescer(self._dirty, self._fold, _describe, log=log, name="status reports")
        self.reports = 0
        # names this memory of reports: on the sync view's bookmarks, so that syncers whose
        # reports a restarted center no longer holds send them again
        self.epoch = ids.new_uid()
        views.listeners.append(self.touch)

    def touch(self, refs: set[Ref], clusters: set[str]) -> None:
        """Fold these objects again for these clusters: a cluster came, went or changed."""
        for ref in refs:
            if ref in self.copies or ref in self.fleets:
                self._dirty.setdefault(ref, set()).update(clusters)
        self._kick()

    def _kick(self) -> None:
        self._folds.kick()

    # -- receiving ---------------------------------------------------------------------

    async def ingest(self, cluster: str, items: Any) -> int:
        """Take a syncer's batch; the number of items taken. Raises a 400/422 for a bad batch."""
        if not isinstance(items, list):
            raise errors.bad_request("a StatusReport needs items: a list of reports")
        if len(items) > MAX_ITEMS:
            raise errors.APIError(413, "RequestEntityTooLarge", f"at most {MAX_ITEMS} items per report")
        taken = 0
        cluster = sys.intern(cluster)  # one string per cluster, however many reports and tables name it
        try:
            taken = await self._take(cluster, items)
        finally:
            self._kick()  # what was taken before an error is folded all the same
        self.reports += taken
        return taken

    async def _take(self, cluster: str, items: list[Any]) -> int:
        for i, item in enumerate(items):  # the whole batch is checked before any of it is taken
            _check(item, i)
        taken = 0
        for item in items:
            ref = await self._ref(item)
            if ref is None:
                continue
            raw = item.get("associated")
            associated = [a for a in raw[:ASSOCIATED_KEPT] if isinstance(a, dict)] if isinstance(raw, list) else None
            status, stamps = self._share(item.get("status") or {})
            copy = fleetstatus.Copy(item.get("generation"), item.get("observedGeneration"), status, item.get("desiredReplicas"),
                                    associated, stamps)
            self.copies.setdefault(ref, {})[cluster] = copy
            self._dirty.setdefault(ref, set()).add(cluster)
            taken += 1
        return taken

    async def _ref(self, item: Obj) -> Ref | None:
        ns = item.get("namespace") or ""
        group, _, version = item["apiVersion"].rpartition("/")
        try:
            registry = await self.views.registries.get(item["workspace"])
        except (errors.APIError, storage_errors.StorageError):
            return None
        res = registry.by_kind(group, version, item["kind"])
        if res is None:
            return None  # a kind the workspace no longer serves: nothing to say
        return Ref(item["workspace"], res.group, res.resource, ns, item["name"], item["apiVersion"], item["kind"])

    def _share(self, status: Obj) -> tuple[Obj, tuple[tuple[int, str, str], ...]]:
        """The status without its conditions' timestamps, and those timestamps apart; an
        identical status (or set of timestamps) already held is reused."""
        stamps: tuple[tuple[int, str, str], ...] = ()
        if isinstance(status.get("conditions"), list):
            stamps = tuple((i, k, v) for i, c in enumerate(status["conditions"]) if isinstance(c, dict)
                           for k, v in c.items() if k in VOLATILE and isinstance(v, str))
            status = {**status, "conditions": [{k: v for k, v in c.items() if k not in VOLATILE} if isinstance(c, dict) else c
                                               for c in status["conditions"]]}
        key = orjson.dumps(status, option=orjson.OPT_SORT_KEYS)
        if (key not in self._shared or (stamps and stamps not in self._stamps)) and self._crowded():
            self._shared.clear()  # drop what no one holds any more; the live ones come back
            self._stamps.clear()
        return self._shared.setdefault(key, status), self._stamps.setdefault(stamps, stamps) if stamps else ()

    def _crowded(self) -> bool:
        """Whether the shared statuses and timestamps outnumber the copies holding them
        fourfold (counting the copies walks them all: asked only before adding one)."""
        held = len(self._shared) + len(self._stamps)
        return held > 4000 and held > 4 * (sum(len(c) for c in self.copies.values()) + 1000)

    # -- folding in ------------------------------------------------------------------------

    def _placements(self, ref: Ref) -> list[tuple[tuple[str, str], placement.Rules]]:
        return [(k, r) for k, r in self.views.rules.items() if k[0] == ref.workspace and ref in self.views.selected.get(k, ())]

    async def _fold(self, ref: Ref, changed: set[str]) -> None:
        chosen = self._placements(ref)
        for skey in [k for k in self.summaries if k[0] == ref and k[1] not in {p for p, _ in chosen}]:
            del self.summaries[skey]  # of a placement that no longer selects it
        try:
            res = (await self.views.registries.get(ref.workspace)).stored(ref.group, ref.resource)
        except (errors.APIError, storage_errors.StorageError):
            res = None  # the workspace is gone
        key = objects.key(ref.workspace, res, ref.namespace, ref.name) if res is not None else None
        obj: Obj | None = None
        if chosen and key is not None:
            try:
                obj = objects.decode(await self.backend.get(key))
            except storage_errors.KeyNotFound:
                key = None
        if obj is None or key is None:  # placed nowhere, or gone: nothing more is kept for it
            self.copies.pop(ref, None)
            self.fleets.pop(ref, None)
            await self._retract(ref, key, [])
            return
        generation = int((obj.get("metadata") or {}).get("generation") or 1)
        copies = self.copies.setdefault(ref, {})
        shape = (self.views.membership_version, tuple(k for k, _ in chosen), generation)
        fleet = self.fleets.get(ref)
        rebuild = fleet is None or fleet.shape != shape
        if fleet is None or rebuild:  # who is selected, or the generation, changed: count again
            members: set[str] = set().union(*(self.views.members.get(k, set()) for k, _ in chosen))
            for gone in [c for c in copies if c not in members]:
                del copies[gone]
            tally = fleetstatus.Tally(ref.kind, generation, copies)
            for cluster in members:
                tally.set(cluster)
            fleet = self.fleets[ref] = Fleet(shape, members, tally)
        else:  # one report, one cluster's contribution adjusted
            for cluster in changed:
                if cluster in fleet.members:
                    fleet.tally.set(cluster)
                else:
                    copies.pop(cluster, None)
        await self._retract(ref, key, chosen, rebuild)
        if any(r.write_back for _, r in chosen):
            self.written_back.add(ref)
            await self._write_back(key, fleet.tally)
        for pkey, rules in chosen:
            if rules.summaries:
                self.summary_objects.setdefault(ref, set()).add(pkey)
                await self._summarize(ref, pkey, rules, obj, fleet, set(copies) if rebuild else changed, copies, rebuild)
            if rules.full:
                await self._store_full(ref, pkey, changed, copies)

    async def _retract(self, ref: Ref, key: str | None, chosen: list[tuple[tuple[str, str], placement.Rules]],
                       rebuild: bool = True) -> None:
        """Take back what vapi wrote for this object and no longer holds: the StatusSummary of
        a placement that no longer selects it (or asks for no summary), the ReportedStatus of
        a cluster no longer selected (or of a placement no longer asking for full copies), and
        the written-back `.status` and annotation once no placement writes back (an object
        placed nowhere keeps an empty status)."""
        summarized = {p for p, r in chosen if r.summaries}
        for pkey in self.summary_objects.get(ref, set()) - summarized:
            await self._delete(ref.workspace, "statussummaries", summary_name(pkey[1], ref))
            self.summary_objects[ref].discard(pkey)
        if not self.summary_objects.get(ref, True):
            del self.summary_objects[ref]
        full = {p for p, r in chosen if r.full}
        for fkey in [k for k in self.full_objects if k[0] == ref and (rebuild or k[1] not in full)]:
            keep = self.views.members.get(fkey[1], set()) if fkey[1] in full else set()
            for cluster in self.full_objects[fkey] - keep:
                await self._delete(ref.workspace, "reportedstatuses", full_name(cluster, fkey[1][1], ref))
                self.full_objects[fkey].discard(cluster)
            if not self.full_objects[fkey]:
                del self.full_objects[fkey]
        if ref in self.written_back and not any(r.write_back for _, r in chosen):
            self.written_back.discard(ref)
            if key is not None:
                await self._unwrite(key)

    async def _write_back(self, key: str, tally: fleetstatus.Tally) -> None:
        async def put(current: KeyValue | None) -> bytes | None:
            if current is None:
                return None
            obj = objects.decode(current)
            status, text = fleetstatus.compose(obj, tally)
            meta = obj["metadata"]
            annotations = dict(meta.get("annotations") or {})
            if (status is None or obj.get("status") == status) and annotations.get(placement.FLEET_ANNOTATION) == text:
                return None
            if status is not None:
                obj["status"] = status
            annotations[placement.FLEET_ANNOTATION] = text
            meta["annotations"] = annotations
            meta.pop("resourceVersion", None)
            return objects.encode(obj)

        await storage.guaranteed_update(self.backend, key, put)

    async def _unwrite(self, key: str) -> None:
        async def put(current: KeyValue | None) -> bytes | None:
            if current is None:
                return None
            obj = objects.decode(current)
            meta = obj["metadata"]
            annotations = dict(meta.get("annotations") or {})
            if placement.FLEET_ANNOTATION not in annotations:
                return None  # not vapi's status to take back
            del annotations[placement.FLEET_ANNOTATION]
            if annotations:
                meta["annotations"] = annotations
            else:
                meta.pop("annotations", None)
            obj.pop("status", None)
            meta.pop("resourceVersion", None)
            return objects.encode(obj)

        await storage.guaranteed_update(self.backend, key, put)

    async def _summarize(self, ref: Ref, pkey: tuple[str, str], rules: placement.Rules, obj: Obj, fleet: Fleet,
                         changed: Iterable[str], copies: dict[str, fleetstatus.Copy], rebuild: bool) -> None:
        members = self.views.members.get(pkey, set())
        todo: set[str] = set(changed)
        current = []
        for spec in rules.summaries:
            skey = (ref, pkey, spec.name)
            summary = self.summaries.get(skey)
            if summary is None or summary.spec != spec:
                summary = self.summaries[skey] = summaries.Summary(spec)
                todo |= set(copies)
            elif rebuild:
                todo |= set(summary.rows)  # rows of clusters no longer selected go
            current.append(summary)
        # CEL converts what it is given on every call: the object once per pass, then each
        # cluster and status once for all the summary's expressions
        context = cel.Context()
        context.update({"obj": obj})
        for cluster in todo:
            copy, c = copies.get(cluster), self.views.clusters.get(cluster)
            if cluster not in members or copy is None or c is None:
                for summary in current:
                    summary.update(cluster, None)
                continue
            context.update({"cluster": c.activation()["cluster"], "status": copy.full_status(), "associated": copy.associated or []})
            for summary in current:
                summary.update(cluster, context)
        rendered = [summary.render() for summary in current]
        status = {"clusters": len(fleet.members), "reporting": fleet.tally.reporting, "observed": fleet.tally.observed,
                  "ready": fleet.tally.done, "summaries": rendered,
                  "attention": sum(s.get("attention", {}).get("count", 0) for s in rendered)}
        body = {"apiVersion": f"{EDGE}/v1alpha1", "kind": "StatusSummary",
                "metadata": {"name": summary_name(pkey[1], ref), "labels": {"edge.vapi.dev/placement": pkey[1]}},
                "spec": {"placement": pkey[1], "object": {"apiVersion": ref.api_version, "kind": ref.kind,
                                                          "namespace": ref.namespace, "name": ref.name}},
                "status": status}
        await self._put(ref.workspace, "statussummaries", body)

    async def _store_full(self, ref: Ref, pkey: tuple[str, str], changed: Iterable[str], copies: dict[str, fleetstatus.Copy]) -> None:
        for cluster in changed:
            copy = copies.get(cluster)
            if copy is None or cluster not in self.views.members.get(pkey, set()):
                continue
            body = {"apiVersion": f"{EDGE}/v1alpha1", "kind": "ReportedStatus",
                    "metadata": {"name": full_name(cluster, pkey[1], ref),
                                 "labels": {"edge.vapi.dev/cluster": cluster, "edge.vapi.dev/placement": pkey[1]}},
                    "spec": {"cluster": cluster, "object": {"apiVersion": ref.api_version, "kind": ref.kind,
                                                            "namespace": ref.namespace, "name": ref.name}},
                    "status": {"generation": copy.generation, "observedGeneration": copy.observed, **copy.full_status(),
                               **({"associated": copy.associated} if copy.associated is not None else {})}}
            await self._put(ref.workspace, "reportedstatuses", body)
            self.full_objects.setdefault((ref, pkey), set()).add(cluster)

    async def _put(self, ws: str, resource: str, body: Obj) -> None:
        """Create or replace one of vapi's own result objects (no managedFields: vapi wrote it)."""
        res = builtin().lookup(EDGE, "v1alpha1", resource)
        assert res is not None
        key = objects.key(ws, res, "", body["metadata"]["name"])

        async def put(current: KeyValue | None) -> bytes | None:
            if current is None:
                body["metadata"].update(uid=ids.new_uid(), creationTimestamp=clock.now())
                return objects.encode(body)
            old = objects.decode(current)
            if old.get("status") == body["status"] and old.get("spec") == body["spec"]:
                return None
            old["status"], old["spec"] = body["status"], body["spec"]
            old["metadata"].pop("resourceVersion", None)
            return objects.encode(old)

        await storage.guaranteed_update(self.backend, key, put, create=True)

    async def _delete(self, ws: str, resource: str, name: str) -> None:
        res = builtin().lookup(EDGE, "v1alpha1", resource)
        assert res is not None
        key = objects.key(ws, res, "", name)
        try:
            current = await self.backend.get(key)
            await self.backend.delete(key, revision=current.mod_revision)
        except (storage_errors.KeyNotFound, storage_errors.Conflict):
            pass  # gone already, or rewritten since: the next fold looks again

    async def close(self) -> None:
        await self._folds.close()


def _describe(ref: Ref) -> str:
    return f"reports for {ref.resource}/{ref.name} in {ref.workspace} not folded in"


def _check(item: Any, i: int) -> None:
    """A report item's shape; a 400 naming the field otherwise."""
    if not isinstance(item, dict):
        raise errors.bad_request(f"items[{i}]: must be an object")
    for k in ("workspace", "apiVersion", "kind", "name"):
        if not isinstance(item.get(k), str) or not item[k]:
            raise errors.bad_request(f"items[{i}].{k}: Required value")
    if item.get("namespace") is not None and not isinstance(item["namespace"], str):
        raise errors.bad_request(f"items[{i}].namespace: must be a string")
    if item.get("status") is not None and not isinstance(item["status"], dict):
        raise errors.bad_request(f"items[{i}].status: must be an object")
    for k in ("generation", "observedGeneration", "desiredReplicas"):
        value = item.get(k)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
            raise errors.bad_request(f"items[{i}].{k}: must be an integer")
    if item.get("associated") is not None and not isinstance(item["associated"], list):
        raise errors.bad_request(f"items[{i}].associated: must be a list")
