"""Sync views: what each edge cluster should hold, computed from workspace objects,
placements and the inventory, never stored per (object, cluster).

One task follows every change in the store (a single backend watch from the revision it
started at). It keeps, in memory, only what grows with placements and clusters: each
placement's compiled rules and the set of clusters it selects, each cluster's labels and
properties. A change is folded into a bounded log of *view changes*: (revision, the source
objects concerned, the clusters whose view they concern). A syncer's watch is a cursor into
that log; on each entry for its cluster it reads the current state of the objects concerned
and sends ADDED/MODIFIED (the customized copy) or DELETED. A cursor older than the log gets
the 410 of a too-old resourceVersion, and the syncer lists again.

The view of cluster C at revision R: for every placement selecting C, every object in the
placement's workspace it selects, customized for C. An (object, cluster) pair that two
placements customize differently, or whose customization fails, is left out and reported in
the placements' status.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import sys
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import orjson

import storage
from storage import errors as storage_errors
from storage.backend import EventType, KeyValue
from vapi import coalesce, defaults, errors, objects, placement, schemas
from vapi.crds import WorkspaceRegistries
from vapi.resources import Registry, Resource

log = logging.getLogger("vapi.syncview")

EDGE = "edge.vapi.dev"
PLACEMENTS = "placements"
CLUSTERS = "edgeclusters"
STATUS_ERRORS_SHOWN = 20
DEFAULTED_CACHE = 4096  # objects whose defaulted paths are kept (vapi/defaults.py defaulted)

Obj = dict[str, Any]


@dataclass(frozen=True)
class Ref:
    """A source object: where it lives and what it is."""

    workspace: str
    group: str
    resource: str
    namespace: str
    name: str
    api_version: str
    kind: str

    def deleted(self) -> Obj:
        """What a DELETED event carries: enough for the edge to find its copy."""
        meta = {"name": self.name, **({"namespace": self.namespace} if self.namespace else {})}
        return {"apiVersion": self.api_version, "kind": self.kind, "metadata": meta}


def parse_key(key: str) -> tuple[str, str, str, str, str] | None:
    """`/<ws>/<group|core>/<resource>/[<ns>/]<name>` as (ws, group, resource, ns, name)."""
    parts = key.split("/")
    if len(parts) == 5:
        _, ws, group, resource, name = parts
        ns = ""
    elif len(parts) == 6:
        _, ws, group, resource, ns, name = parts
    else:
        return None
    return ws, "" if group == "core" else group, resource, ns, name


def ref_of(key: str, obj: Obj) -> Ref | None:
    parsed = parse_key(key)
    if parsed is None:
        return None
    ws, group, resource, ns, name = parsed
    return Ref(ws, group, resource, ns, name, str(obj.get("apiVersion", "")), str(obj.get("kind", "")))


@dataclass
class Entry:
    revision: int
    refs: frozenset[Ref]
    clusters: frozenset[str]


class SyncViews:
    def __init__(self, store: objects.Objects, registries: WorkspaceRegistries, inventory: str, *, log_size: int = 10_000) -> None:
        self.store = store
        self.backend = store.backend
        self.registries = registries
        self.inventory = inventory
        self.clusters: dict[str, placement.Cluster] = {}
        self.rules: dict[tuple[str, str], placement.Rules] = {}
        self.specs: dict[tuple[str, str], bytes] = {}  # the spec each rule was compiled from
        self.invalid: dict[tuple[str, str], str] = {}
        self.members: dict[tuple[str, str], set[str]] = {}
        self.member_errors: dict[tuple[str, str], dict[str, str]] = {}  # cluster -> why its predicate failed
        self.placed: collections.Counter[str] = collections.Counter()  # workspace -> placements in force there
        self.placed_keys: set[tuple[str, str]] = set()
        self.membership_version = 0  # changes whenever any placement's set of clusters does
        # told (objects, clusters) whose reported state must be looked at again: a cluster
        # came, went or changed its labels
        self.listeners: list[Callable[[set[Ref], set[str]], None]] = []
        self.revision = 0
        self.floor = 0  # watches from below this revision get 410
        self.log: collections.deque[Entry] = collections.deque(maxlen=log_size)
        self.waiters: dict[str, set[asyncio.Event]] = {}
        self._task: asyncio.Task[None] | None = None
        # what each placement selects now, kept up to date from the changes followed
        self.selected: dict[tuple[str, str], set[Ref]] = {}
        self.digests: dict[Ref, int] = {}  # of what the edges get of each object changed since start
        self._defaulted_paths: collections.OrderedDict[tuple[Ref, str], list[tuple[Any, ...]]] = collections.OrderedDict()
        # (object, cluster) pairs that cannot be sent, per placement, with why
        self.pair_errors: dict[tuple[str, str], dict[tuple[Ref, str], str]] = {}
        # placement -> what its status must look at again: None for everything
        self._status_due: dict[tuple[str, str], tuple[set[Ref], set[str]] | None] = {}
        # a burst of changes becomes one status write per placement
        self._statuses = coalesce.Coalescer(self._status_due, self._refresh_status,
                                            lambda k: f"status of placement {k[1]} in {k[0]} not written",
                                            log=log, name="placement status")
        self.ready = asyncio.Event()

    # -- following the store ---------------------------------------------------------

    async def start(self) -> None:
        rev = await self._load_all()
        self._task = asyncio.create_task(self._follow(rev), name="sync views")
        self._kick_status()
        self.ready.set()

    async def _load_all(self) -> int:
        """Everything read afresh from one pass over the store (the placements and the
        inventory) at its current revision; watches from before it get 410."""
        rev = await self.backend.current_revision()
        for table in (self.clusters, self.rules, self.specs, self.invalid, self.members, self.member_errors,
                      self.selected, self.pair_errors, self.digests, self.placed):
            table.clear()
        self.placed_keys.clear()
        self.log.clear()
        self.membership_version += 1
        start_after = ""
        while True:
            page = await self.backend.list("/", revision=rev, limit=1000, start_after=start_after)
            for kv in page.items:
                self._load(kv)
            if not page.more:
                break
            start_after = page.items[-1].key
        for key in list(self.rules):
            self._select_clusters(key)
            self.selected[key] = await self._scan_selected(key)
            self._due(key)
        self.revision = self.floor = rev
        return rev

    def _load(self, kv: KeyValue) -> None:
        parsed = parse_key(kv.key)
        if parsed is None or parsed[1] != EDGE:
            return
        ws, _, resource, _, name = parsed
        obj = objects.decode(kv)
        if resource == CLUSTERS and ws == self.inventory:
            self.clusters[sys.intern(name)] = placement.Cluster.of(obj)  # one string per cluster name, shared with reports
        elif resource == PLACEMENTS:
            self._compile((ws, name), obj)

    def _compile(self, key: tuple[str, str], obj: Obj) -> bool:
        """Take a placement's spec; False if it is the spec already in force."""
        spec = orjson.dumps(obj.get("spec"), option=orjson.OPT_SORT_KEYS)
        if self.specs.get(key) == spec:
            return False
        self.specs[key] = spec
        try:
            self.rules[key] = placement.compile_rules(key[0], key[1], obj.get("spec"))
            self.placed[key[0]] += key not in self.placed_keys
            self.placed_keys.add(key)
            self.invalid.pop(key, None)
        except placement.Invalid as e:
            self._unplace(key)
            self.invalid[key] = str(e)
        return True

    def _unplace(self, key: tuple[str, str]) -> None:
        self.rules.pop(key, None)
        if key in self.placed_keys:
            self.placed_keys.discard(key)
            self.placed[key[0]] -= 1
            if not self.placed[key[0]]:
                del self.placed[key[0]]

    def _select_clusters(self, key: tuple[str, str]) -> None:
        self.membership_version += 1
        self.members[key], self.member_errors[key] = set(), {}
        for name in self.clusters:
            self._reselect(key, name)

    async def _follow(self, rev: int) -> None:
        while True:
            try:
                async for ev in self.backend.watch("/", since=rev):  # changes after rev
                    try:
                        await self._apply(ev)
                    except (errors.APIError, storage_errors.StorageError, ValueError) as e:
                        log.warning("sync views: change at revision %d of %s not folded in: %s", ev.revision, ev.kv.key, e)
                    except Exception:  # a bug folding one change must not stop every edge's view
                        log.exception("sync views: change at revision %d of %s not folded in", ev.revision, ev.kv.key)
                    rev = ev.revision
                    self.revision = rev
            except asyncio.CancelledError:
                raise
            except storage_errors.Compacted:
                log.warning("sync views: missed changes after revision %d; reading everything again, watchers will list again", rev)
                while True:
                    try:
                        rev = await self._load_all()
                        for waiters in self.waiters.values():
                            for waiter in waiters:
                                waiter.set()  # to find their cursor below the floor: 410
                        self._kick_status()
                        break
                    except (errors.APIError, storage_errors.StorageError) as e:
                        log.warning("sync views: store not read (%s); trying again", e)
                        await asyncio.sleep(0.5)
            except storage_errors.StorageError as e:
                log.warning("sync views: watch ended (%s); resuming after revision %d", e, rev)
                await asyncio.sleep(0.5)

    async def _apply(self, ev: storage.Event) -> None:
        parsed = parse_key(ev.kv.key)
        if parsed is None:
            return
        ws, group, resource, ns, name = parsed
        deleted = ev.type == EventType.DELETE
        if group == EDGE and resource == CLUSTERS and ws == self.inventory:
            await self._cluster_changed(name, None if deleted else placement.Cluster.of(objects.decode(ev.kv)), ev.revision)
        elif group == EDGE and resource == PLACEMENTS:
            await self._placement_changed((ws, name), None if deleted else objects.decode(ev.kv), ev.revision)
        elif ws in self.placed and placement.syncable(group, resource):
            await self._object_changed(ws, group, resource, ev, objects.decode(ev.kv))

    async def _cluster_changed(self, name: str, cluster: placement.Cluster | None, rev: int) -> None:
        if cluster is not None and self.clusters.get(name) == cluster:
            return  # a status write: labels and properties unchanged
        if cluster is None:
            self.clusters.pop(name, None)
        else:
            self.clusters[sys.intern(name)] = cluster
        refs: set[Ref] = set()
        for key in list(self.rules):
            was = name in self.members.get(key, set())
            now = self._reselect(key, name)
            if was or now:
                refs |= self.selected.get(key, set())
                self._due(key, clusters={name})
        self._record(rev, refs, frozenset([name]))
        self._tell(refs, {name})
        self._kick_status()

    def _reselect(self, key: tuple[str, str], name: str) -> bool:
        """Whether the placement selects cluster `name` now (only that cluster is evaluated
        again: a cluster's change costs O(placements), not O(placements x clusters))."""
        members = self.members.setdefault(key, set())
        problems = self.member_errors.setdefault(key, {})
        was = name in members
        members.discard(name)
        problems.pop(name, None)
        cluster = self.clusters.get(name)
        rules = self.rules.get(key)
        if cluster is not None and rules is not None:
            try:
                if rules.selects_cluster(cluster):
                    members.add(name)
            except placement.CustomizationError as e:
                problems[name] = str(e)
        if was != (name in members):
            self.membership_version += 1
        return name in members

    async def _placement_changed(self, key: tuple[str, str], obj: Obj | None, rev: int) -> None:
        before_clusters = set(self.members.get(key, ()))
        before_refs = self.selected.get(key, set())
        if obj is None:
            for table in (self.rules, self.specs, self.invalid, self.members, self.member_errors, self.selected,
                          self.pair_errors, self._status_due):
                table.pop(key, None)
            self.membership_version += 1
            self._unplace(key)
        elif not self._compile(key, obj):
            return  # a status write
        else:
            self._select_clusters(key)
        try:
            after_refs = self.selected[key] = await self._scan_selected(key) if key in self.rules else set()
        except BaseException:
            self.specs.pop(key, None)  # not in force yet: the next change of it is taken again
            raise
        self._record(rev, before_refs | after_refs, frozenset(before_clusters | self.members.get(key, set())))
        self._tell(before_refs | after_refs, before_clusters | self.members.get(key, set()))
        # placements of the workspace may now agree or conflict with this one
        for k in list(self.specs):
            if k[0] == key[0]:
                self._due(k)
        self._kick_status()

    async def _object_changed(self, ws: str, group: str, resource: str, ev: storage.Event, obj: Obj) -> None:
        """An object changed (for a DELETE, `obj` is what it was): each placement of its
        workspace selects it or not; the clusters of those that select it now or did before
        see the change. A namespace's labels may move what it holds in or out of namespace
        selectors: those objects are looked at again too."""
        keys = [k for k in self.rules if k[0] == ws]
        changed: list[tuple[Ref, str, str, Obj | None]] = []  # (ref, group, resource, object now or None)
        ref = ref_of(ev.kv.key, obj)
        if ref is not None:
            changed.append((ref, group, resource, None if ev.type == EventType.DELETE else obj))
        if (group, resource) == ("", "namespaces"):
            for key in keys:
                if self.rules[key].uses_namespace_labels:
                    async for res, kv in self._candidates(key):
                        parsed = parse_key(kv.key)
                        if parsed is not None and parsed[3] == str(obj.get("metadata", {}).get("name", "")):
                            inner = objects.decode(kv)
                            inner_ref = ref_of(kv.key, inner)
                            if inner_ref is not None:
                                changed.append((inner_ref, res.group, res.resource, inner))
        clusters: set[str] = set()
        refs: set[Ref] = set()
        ns_cache: dict[str, dict[str, str]] = {}
        same: set[Ref] = set()  # only its status (or bookkeeping) changed: the edges need nothing
        left: set[Ref] = set()  # deleted, or no longer selected by a placement: what was reported of it goes
        for r, _, _, now in changed:
            digest = _digest(now) if now is not None else None
            if digest is not None and self.digests.get(r) == digest:
                same.add(r)
            elif digest is None:
                self.digests.pop(r, None)
            else:
                self.digests[r] = digest
        for key in keys:
            rules = self.rules[key]
            selected = self.selected.setdefault(key, set())
            for r, g, res_name, now in changed:
                labels = await self._namespace_labels(ws, r.namespace, ns_cache) \
                    if rules.uses_namespace_labels and r.namespace else None
                is_in = now is not None and rules.selects_object(g, res_name, now, labels)
                was_in = r in selected
                if is_in:
                    selected.add(r)
                else:
                    selected.discard(r)
                    if was_in:
                        left.add(r)
                if is_in and was_in and r in same:
                    continue
                if is_in or was_in:
                    clusters |= self.members.get(key, set())
                    refs.add(r)
                    self._due(key, refs={r})
        if clusters and refs:
            self._record(ev.revision, refs, frozenset(clusters))
            self._kick_status()
        self._tell(left, clusters)

    def _tell(self, refs: set[Ref], clusters: set[str]) -> None:
        if refs:
            for listener in self.listeners:
                listener(refs, clusters)

    def _record(self, rev: int, refs: set[Ref], clusters: frozenset[str]) -> None:
        if not refs or not clusters:
            return
        if len(self.log) == self.log.maxlen:
            self.floor = self.log[0].revision
        self.log.append(Entry(rev, frozenset(refs), clusters))
        for c in clusters:
            for waiter in self.waiters.get(c, ()):
                waiter.set()

    # -- reading views ---------------------------------------------------------------

    async def _registry(self, ws: str) -> Registry:
        return await self.registries.get(ws)

    async def _candidates(self, key: tuple[str, str]) -> AsyncIterator[tuple[Resource, KeyValue]]:
        """Every stored object of the placement's workspace whose kind it might select."""
        rules = self.rules[key]
        registry = await self._registry(key[0])
        for res in registry.preferred():
            if not res.storable() or not placement.syncable(res.group, res.resource):
                continue
            if not any(placement.glob_any(s.groups, res.group) and placement.glob_any(s.resources, res.resource) for s in rules.objects):
                continue
            page = await self.backend.list(objects.prefix(key[0], res))
            for kv in page.items:
                yield res, kv

    async def _namespace_labels(self, ws: str, ns: str, cache: dict[str, dict[str, str]]) -> dict[str, str]:
        if ns not in cache:
            try:
                kv = await self.backend.get(f"/{ws}/core/namespaces/{ns}")
                cache[ns] = dict(objects.decode(kv).get("metadata", {}).get("labels") or {})
            except storage_errors.KeyNotFound:
                cache[ns] = {}
        return cache[ns]

    async def _scan_selected(self, key: tuple[str, str]) -> set[Ref]:
        """The objects a placement selects, read from storage."""
        out: set[Ref] = set()
        rules = self.rules.get(key)
        if rules is None:
            return out
        ns_cache: dict[str, dict[str, str]] = {}
        async for res, kv in self._candidates(key):
            obj = objects.decode(kv)
            ns = str(obj.get("metadata", {}).get("namespace") or "")
            labels = await self._namespace_labels(key[0], ns, ns_cache) if rules.uses_namespace_labels and ns else None
            if rules.selects_object(res.group, res.resource, obj, labels):
                ref = ref_of(kv.key, obj)
                if ref is not None:
                    out.add(ref)
        return out

    async def _desired(self, cluster: placement.Cluster, ref: Ref, registry: Registry | None = None,
                       obj: Obj | None = None, ns_cache: dict[str, dict[str, str]] | None = None) -> Obj | None:
        """The copy of one object that `cluster` should hold, or None. Raises
        CustomizationError when it cannot be made."""
        keys = [k for k in self.rules if k[0] == ref.workspace and cluster.name in self.members.get(k, ())]
        if not keys:
            return None
        registry = registry or await self._registry(ref.workspace)
        res = registry.stored(ref.group, ref.resource)
        if res is None:
            return None
        if obj is None:
            obj = await self._read(ref, registry)
            if obj is None:
                return None
        ns_cache = {} if ns_cache is None else ns_cache
        results: list[tuple[str, Obj]] = []
        for key in keys:
            rules = self.rules.get(key)  # a placement may go while this awaits
            if rules is None:
                continue
            labels = await self._namespace_labels(ref.workspace, ref.namespace, ns_cache) \
                if rules.uses_namespace_labels and ref.namespace else None
            if not rules.selects_object(ref.group, ref.resource, obj, labels):
                continue
            copy = placement.customize(rules, ref.group, ref.resource, obj, cluster, schemas.of_resource(res))
            copy = placement.strip(defaults.without_defaults(copy, obj, self._defaulted(ref, res, obj)), ref.workspace)
            results.append((key[1], copy))
        if len(results) <= 1:
            return results[0][1] if results else None
        merged = placement.merge([r[1] for r in results])
        if merged is None:
            names = ", ".join(sorted(r[0] for r in results))
            raise placement.CustomizationError(
                f"placements {names} customize {ref.resource}/{ref.name} differently for cluster {cluster.name}")
        return merged

    def _defaulted(self, ref: Ref, res: Resource, obj: Obj) -> list[tuple[Any, ...]]:
        """Where the center's apiserver defaulted the object (each edge defaults for itself),
        kept for the latest revisions: every cluster's copy is trimmed by it."""
        if res.schema is not None:
            return []
        key = (ref, str(obj.get("metadata", {}).get("resourceVersion", "")))
        found = self._defaulted_paths.get(key)
        if found is None:
            found = self._defaulted_paths[key] = defaults.defaulted(res.group, res.kind, obj)
            while len(self._defaulted_paths) > DEFAULTED_CACHE:
                self._defaulted_paths.popitem(last=False)
        else:
            self._defaulted_paths.move_to_end(key)
        return found

    async def _read(self, ref: Ref, registry: Registry) -> Obj | None:
        res = registry.stored(ref.group, ref.resource)
        if res is None:
            return None
        try:
            return objects.decode(await self.backend.get(objects.key(ref.workspace, res, ref.namespace, ref.name)))
        except storage_errors.KeyNotFound:
            return None

    async def view(self, cluster_name: str) -> tuple[int, list[Obj]]:
        """The whole view of a cluster and the revision it is complete up to."""
        rev = self.revision
        cluster = self.clusters.get(cluster_name)
        if cluster is None:
            return rev, []
        refs: set[Ref] = set()
        for key in self.rules:
            if cluster_name in self.members.get(key, ()):
                refs |= self.selected.get(key, set())
        items = []
        ns_cache: dict[str, dict[str, str]] = {}
        for ref in sorted(refs, key=_order):
            try:
                copy = await self._desired(cluster, ref, ns_cache=ns_cache)
            except placement.CustomizationError:
                continue
            if copy is not None:
                items.append(copy)
        return rev, items

    async def changes(self, cluster_name: str, since: int, *, tick: float = 15.0) -> AsyncGenerator[tuple[str, Obj | int], None]:
        """("MODIFIED"|"DELETED", object) for each change to the cluster's view after
        revision `since`, then ("BOOKMARK", revision) once caught up, and at least every
        `tick` seconds; forever. Raises storage Compacted when `since` is older than the log."""
        if since < self.floor:
            raise storage_errors.Compacted(revision=since, compact_revision=self.floor)
        wake = asyncio.Event()
        self.waiters.setdefault(cluster_name, set()).add(wake)
        cursor = since
        try:
            while True:
                wake.clear()
                if cursor < self.floor:
                    raise storage_errors.Compacted(revision=cursor, compact_revision=self.floor)
                upto = self.revision
                refs: set[Ref] = set()
                for entry in reversed(self.log):
                    if entry.revision <= cursor:
                        break
                    if entry.revision <= upto and cluster_name in entry.clusters:
                        refs |= entry.refs
                cluster = self.clusters.get(cluster_name)
                gone = []
                for ref in sorted(refs, key=_order):  # namespaces and CRDs first
                    try:
                        copy = await self._desired(cluster, ref) if cluster is not None else None
                    except placement.CustomizationError:
                        continue  # the edge keeps what it has; the placement's status says why
                    if copy is None:
                        gone.append(ref)
                    else:
                        yield "MODIFIED", copy
                for ref in reversed(gone):  # and deleted last
                    yield "DELETED", ref.deleted()
                cursor = max(cursor, upto)
                yield "BOOKMARK", cursor
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(wake.wait(), tick)
        finally:
            waiters = self.waiters.get(cluster_name)
            if waiters is not None:
                waiters.discard(wake)
                if not waiters:
                    del self.waiters[cluster_name]

    # -- placement status ------------------------------------------------------------

    def _due(self, key: tuple[str, str], *, refs: set[Ref] | None = None, clusters: set[str] | None = None) -> None:
        """Mark what the placement's status must look at again: some objects, some clusters,
        or (neither given) everything."""
        if refs is None and clusters is None:
            self._status_due[key] = None
            return
        if key in self._status_due and self._status_due[key] is None:
            return
        due = self._status_due.setdefault(key, (set(), set()))
        assert due is not None
        due[0].update(refs or ())
        due[1].update(clusters or ())

    def _kick_status(self) -> None:
        self._statuses.kick()

    async def _refresh_status(self, key: tuple[str, str], due: tuple[set[Ref], set[str]] | None) -> None:
        await self._check_pairs(key, due)
        await self._write_status(key)

    async def _check_pairs(self, key: tuple[str, str], due: tuple[set[Ref], set[str]] | None) -> None:
        """Customize again the (object, cluster) pairs a change concerns (all of them only
        when the placement itself changed), keeping the errors."""
        if key not in self.rules:
            return
        selected = self.selected.get(key, set())
        members = self.members.get(key, set())
        found = self.pair_errors.setdefault(key, {})
        if due is None:
            found.clear()
            work: list[tuple[Ref, set[str]]] = [(r, members) for r in selected]
        else:
            refs, clusters = due
            for pair in [p for p in found if p[0] in refs or p[1] in clusters]:
                del found[pair]
            some = clusters & members
            work = [(r, members if r in refs else some) for r in selected if r in refs or some]
        for pair in [p for p in found if p[0] not in selected or p[1] not in members]:
            del found[pair]
        registry = await self._registry(key[0])
        for ref, names in work:  # (object, its clusters): no list of every pair is ever made
            obj = await self._read(ref, registry)  # once for all its clusters
            if obj is None:
                continue
            for name in list(names):  # a snapshot: the set may change while this awaits
                cluster = self.clusters.get(name)
                if cluster is None:
                    continue
                try:
                    await self._desired(cluster, ref, registry, obj=obj)
                except placement.CustomizationError as e:
                    found[(ref, name)] = str(e)

    async def placement_status(self, key: tuple[str, str]) -> Obj:
        if key in self.invalid:
            return {"clusters": 0, "objects": 0, "errors": [self.invalid[key]],
                    "conditions": [_condition("Valid", "False", "InvalidSpec", self.invalid[key])]}
        problems = [m for _, m in sorted(self.member_errors.get(key, {}).items())]
        problems += [m for _, m in sorted(self.pair_errors.get(key, {}).items(), key=lambda kv: (kv[0][1], _order(kv[0][0])))]
        return {"clusters": len(self.members.get(key, ())), "objects": len(self.selected.get(key, ())),
                "errorCount": len(problems), "errors": problems[:STATUS_ERRORS_SHOWN],
                "conditions": [_condition("Valid", "True", "Compiled", "")]}

    async def _write_status(self, key: tuple[str, str]) -> None:
        status = await self.placement_status(key)
        k = f"/{key[0]}/{EDGE}/{PLACEMENTS}/{key[1]}"

        async def put(current: KeyValue | None) -> bytes | None:
            if current is None:
                return None
            obj = objects.decode(current)
            old = obj.get("status") or {}
            for c in status["conditions"]:
                for o in old.get("conditions") or []:
                    if o.get("type") == c["type"] and o.get("status") == c["status"]:
                        c["lastTransitionTime"] = o.get("lastTransitionTime", c["lastTransitionTime"])
            status["observedGeneration"] = obj.get("metadata", {}).get("generation", 1)
            if old == status:
                return None
            obj["status"] = status
            obj["metadata"].pop("resourceVersion", None)
            return objects.encode(obj)

        await storage.guaranteed_update(self.backend, k, put)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        await self._statuses.close()


def _digest(obj: Obj) -> int:
    """What of an object the edges see: not its status, not the center's bookkeeping."""
    meta = {k: v for k, v in (obj.get("metadata") or {}).items() if k not in ("resourceVersion", "managedFields")}
    if placement.FLEET_ANNOTATION in (meta.get("annotations") or {}):
        meta["annotations"] = {k: v for k, v in meta["annotations"].items() if k != placement.FLEET_ANNOTATION}
    return hash(orjson.dumps({**{k: v for k, v in obj.items() if k != "status"}, "metadata": meta}, option=orjson.OPT_SORT_KEYS))


def _condition(kind: str, status: str, reason: str, message: str) -> Obj:
    from vapi import clock

    return {"type": kind, "status": status, "reason": reason, "message": message, "lastTransitionTime": clock.now()}


# namespaces and CRDs first, so that what lives in them can be applied after
_FIRST = {("", "namespaces"): 0, ("apiextensions.k8s.io", "customresourcedefinitions"): 1}


def _order(ref: Ref) -> tuple[int, str, str, str, str]:
    return (_FIRST.get((ref.group, ref.resource), 2), ref.group, ref.resource, ref.namespace, ref.name)
