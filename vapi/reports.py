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
bytes each, identical statuses shared); after a restart the syncers, which list their views
again, report everything again.
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
        self._dirty: dict[Ref, set[str]] = {}
        # a burst of reports becomes one fold (and write) per object
        self._folds = coalesce.Coalescer(self._dirty, self._fold, _describe, log=log, name="status reports")
        self.reports = 0
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
            self._kick()  # what was taken before a bad item is folded all the same
        self.reports += taken
        return taken

    async def _take(self, cluster: str, items: list[Any]) -> int:
        taken = 0
        for i, item in enumerate(items):
            ref = await self._ref(item, i)
            if ref is None:
                continue
            status = item.get("status") if isinstance(item.get("status"), dict) else {}
            raw = item.get("associated")
            associated = [a for a in raw[:ASSOCIATED_KEPT] if isinstance(a, dict)] if isinstance(raw, list) else None
            copy = fleetstatus.Copy(_opt_int(item.get("generation")), _opt_int(item.get("observedGeneration")),
                                    self._share(status), _opt_int(item.get("desiredReplicas")), associated)
            self.copies.setdefault(ref, {})[cluster] = copy
            self._dirty.setdefault(ref, set()).add(cluster)
            taken += 1
        return taken

    async def _ref(self, item: Any, i: int) -> Ref | None:
        if not isinstance(item, dict):
            raise errors.bad_request(f"items[{i}]: must be an object")
        for k in ("workspace", "apiVersion", "kind", "name"):
            if not isinstance(item.get(k), str) or not item[k]:
                raise errors.bad_request(f"items[{i}].{k}: Required value")
        ns = item.get("namespace") or ""
        if not isinstance(ns, str):
            raise errors.bad_request(f"items[{i}].namespace: must be a string")
        group, _, version = item["apiVersion"].rpartition("/")
        try:
            registry = await self.views.registries.get(item["workspace"])
        except (errors.APIError, storage_errors.StorageError):
            return None
        res = registry.by_kind(group, version, item["kind"])
        if res is None:
            return None  # a kind the workspace no longer serves: nothing to say
        return Ref(item["workspace"], res.group, res.resource, ns, item["name"], item["apiVersion"], item["kind"])

    def _share(self, status: Obj) -> Obj:
        """Timestamps of conditions dropped; an identical status already held is reused."""
        if isinstance(status.get("conditions"), list):
            status = {**status, "conditions": [{k: v for k, v in c.items() if k not in VOLATILE} if isinstance(c, dict) else c
                                               for c in status["conditions"]]}
        key = orjson.dumps(status, option=orjson.OPT_SORT_KEYS)
        shared = self._shared.get(key)
        if shared is None:
            if len(self._shared) > 4 * (sum(len(c) for c in self.copies.values()) + 1000):
                self._shared.clear()  # drop what no one holds any more; the live ones come back
            shared = self._shared[key] = status
        return shared

    # -- folding in ------------------------------------------------------------------------

    def _placements(self, ref: Ref) -> list[tuple[tuple[str, str], placement.Rules]]:
        return [(k, r) for k, r in self.views.rules.items() if k[0] == ref.workspace and ref in self.views.selected.get(k, ())]

    async def _fold(self, ref: Ref, changed: set[str]) -> None:
        chosen = self._placements(ref)
        for skey in [k for k in self.summaries if k[0] == ref and k[1] not in {p for p, _ in chosen}]:
            del self.summaries[skey]  # of a placement that no longer selects it
        if not chosen:  # placed nowhere: keeps its status; nothing more is kept for it
            self.copies.pop(ref, None)
            self.fleets.pop(ref, None)
            return
        registry = await self.views.registries.get(ref.workspace)
        res = registry.stored(ref.group, ref.resource)
        if res is None:
            return
        key = objects.key(ref.workspace, res, ref.namespace, ref.name)
        try:
            obj = objects.decode(await self.backend.get(key))
        except storage_errors.KeyNotFound:
            self.copies.pop(ref, None)
            self.fleets.pop(ref, None)
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
        if any(r.write_back for _, r in chosen):
            await self._write_back(key, fleet.tally)
        for pkey, rules in chosen:
            if rules.summaries:
                await self._summarize(ref, pkey, rules, obj, fleet, set(copies) if rebuild else changed, copies, rebuild)
            if rules.full:
                await self._store_full(ref, pkey, changed, copies)

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
            context.update({"cluster": c.activation()["cluster"], "status": copy.status, "associated": copy.associated or []})
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
                    "metadata": {"name": f"{cluster}.{summary_name(pkey[1], ref)}"[:253],
                                 "labels": {"edge.vapi.dev/cluster": cluster, "edge.vapi.dev/placement": pkey[1]}},
                    "spec": {"cluster": cluster, "object": {"apiVersion": ref.api_version, "kind": ref.kind,
                                                            "namespace": ref.namespace, "name": ref.name}},
                    "status": {"generation": copy.generation, "observedGeneration": copy.observed, **copy.status,
                               **({"associated": copy.associated} if copy.associated is not None else {})}}
            await self._put(ref.workspace, "reportedstatuses", body)

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

    async def close(self) -> None:
        await self._folds.close()


def _describe(ref: Ref) -> str:
    return f"reports for {ref.resource}/{ref.name} in {ref.workspace} not folded in"


def _opt_int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
