"""Garbage collection inside a workspace: dependents follow their owners
(metadata.ownerReferences), after kube-controller-manager's garbage collector.

- Background (the default): the owner goes at once; then each dependent whose owners are all
  gone is deleted (in the background too), and a dependent that still has a live owner only
  loses the reference.
- Foreground: the owner stays, marked for deletion with the `foregroundDeletion` finalizer,
  until its dependents are deleted (in the foreground, recursively); then the finalizer goes.
- Orphan: the owner stays with the `orphan` finalizer until its dependents no longer point at
  it; then the finalizer goes.

It is a client of the store like any controller: it reads and writes objects through
vapi.objects, never storage rows directly. Dependents are found by scanning the owner's
namespace (and the cluster-scoped kinds): fine for a workspace, to be indexed later.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from storage import errors as storage_errors
from vapi import errors, objects
from vapi.resources import Registry, Resource

log = logging.getLogger(__name__)
Obj = dict[str, Any]
WAIT_SECONDS = 60.0


class Collector:
    def __init__(self, store: objects.Objects, registries: Callable[[str], Awaitable[Registry]]) -> None:
        self.store = store
        self.registries = registries  # a workspace's kinds, custom ones included
        self.tasks: set[asyncio.Task[None]] = set()

    def deleted(self, ws: str, res: Resource, obj: Obj, propagation: str) -> None:
        """Called after a delete request: take care of the object's dependents."""
        meta = obj.get("metadata", {})
        if propagation == "Foreground" and "foregroundDeletion" in (meta.get("finalizers") or []):
            work = self._foreground(ws, res, obj)
        elif propagation == "Orphan" and "orphan" in (meta.get("finalizers") or []):
            work = self._orphan(ws, res, obj)
        elif not meta.get("deletionTimestamp") or not (meta.get("finalizers") or meta.get("deletionGracePeriodSeconds")):
            work = self._background(ws, obj)
        else:
            return
        task = asyncio.create_task(self._guard(work), name=f"gc {res.resource}/{meta.get('name')}")
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _guard(self, work: Any) -> None:
        try:
            await work
        except (errors.APIError, storage_errors.StorageError) as e:
            log.warning("garbage collection: %s", e)

    async def close(self) -> None:
        for t in list(self.tasks):
            t.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)

    async def dependents(self, ws: str, owner: Obj) -> list[tuple[Resource, Obj]]:
        uid = owner["metadata"].get("uid")
        ns = owner["metadata"].get("namespace", "")
        found = []
        for res in (await self.registries(ws)).preferred():
            if not res.storable() or "delete" not in res.verbs or objects.aliased(res):
                continue
            # a namespaced owner's dependents share its namespace; a cluster-scoped owner's
            # may be anywhere (its ns is "", which lists every namespace)
            page = await self.store.backend.list(objects.prefix(ws, res, ns if res.namespaced else ""))
            for kv in page.items:
                obj = objects.decode(kv)
                refs = obj["metadata"].get("ownerReferences") or []
                if any(isinstance(r, dict) and r.get("uid") == uid for r in refs):
                    found.append((res, obj))
        return found

    async def _owner_alive(self, ws: str, ns: str, ref: Obj) -> bool:
        group, _, version = str(ref.get("apiVersion", "")).rpartition("/")
        res = (await self.registries(ws)).by_kind(group, version, str(ref.get("kind", "")))
        if res is None:
            return False
        try:
            owner = await self.store.get(res, ws, ns if res.namespaced else "", str(ref.get("name", "")))
        except errors.APIError:
            return False
        return bool(owner["metadata"].get("uid") == ref.get("uid") and not owner["metadata"].get("deletionTimestamp"))

    async def _modify(self, ws: str, res: Resource, ns: str, name: str, change: Callable[[Obj], bool]) -> None:
        """Read-modify-write of one object through the store, again on a conflict; an object
        that is gone needs nothing more. `change` edits the object, or returns False to leave it."""
        for _ in range(10):
            try:
                current = await self.store.get(res, ws, ns, name)
                if not change(current):
                    return
                await self.store.update(res, ws, ns, name, current)
                return
            except errors.APIError as e:
                if e.code == 404:
                    return
                if e.code != 409:
                    raise

    async def _drop_ref(self, ws: str, res: Resource, obj: Obj, uid: str) -> None:
        def change(current: Obj) -> bool:
            meta = current["metadata"]
            meta["ownerReferences"] = [r for r in meta.get("ownerReferences") or [] if r.get("uid") != uid]
            if not meta["ownerReferences"]:
                del meta["ownerReferences"]
            return True

        meta = obj["metadata"]
        await self._modify(ws, res, meta.get("namespace", ""), meta["name"], change)

    async def _delete(self, ws: str, res: Resource, obj: Obj, propagation: str) -> None:
        meta = obj["metadata"]
        try:
            out = await self.store.delete(res, ws, meta.get("namespace", ""), meta["name"], propagation=propagation)
        except errors.APIError as e:
            if e.code == 404:
                return
            raise
        self.deleted(ws, res, out, propagation)

    async def _background(self, ws: str, owner: Obj) -> None:
        uid = owner["metadata"].get("uid")
        for res, dep in await self.dependents(ws, owner):
            refs = [r for r in dep["metadata"].get("ownerReferences") or [] if r.get("uid") != uid]
            ns = dep["metadata"].get("namespace", "")
            alive = [r for r in refs if await self._owner_alive(ws, ns, r)]
            if alive:
                await self._drop_ref(ws, res, dep, str(uid))
            else:
                await self._delete(ws, res, dep, "Background")

    async def _foreground(self, ws: str, res: Resource, owner: Obj) -> None:
        deps = await self.dependents(ws, owner)
        for dep_res, dep in deps:
            await self._delete(ws, dep_res, dep, "Foreground")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + WAIT_SECONDS
        while deps and loop.time() < deadline:
            await asyncio.sleep(0.05)
            deps = await self.dependents(ws, owner)
        await self._remove_finalizer(ws, res, owner, "foregroundDeletion")

    async def _orphan(self, ws: str, res: Resource, owner: Obj) -> None:
        uid = str(owner["metadata"].get("uid"))
        for dep_res, dep in await self.dependents(ws, owner):
            await self._drop_ref(ws, dep_res, dep, uid)
        await self._remove_finalizer(ws, res, owner, "orphan")

    async def _remove_finalizer(self, ws: str, res: Resource, owner: Obj, finalizer: str) -> None:
        meta = owner["metadata"]

        def change(current: Obj) -> bool:
            if current["metadata"].get("uid") != meta.get("uid"):
                return False  # a new object of the same name: not ours to touch
            current["metadata"]["finalizers"] = [f for f in current["metadata"].get("finalizers") or [] if f != finalizer]
            return True

        await self._modify(ws, res, meta.get("namespace", ""), meta["name"], change)
