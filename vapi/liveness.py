"""Edge clusters whose syncer went quiet: after `grace` seconds without a heartbeat, the
EdgeCluster's `Ready` condition becomes Unknown (reason HeartbeatMissed), as a node's does
when its kubelet stops posting status. The syncer's next heartbeat sets it back."""

from __future__ import annotations

import asyncio
import datetime
import logging

import storage
from storage import errors as storage_errors
from storage.backend import KeyValue
from vapi import clock, objects
from vapi.resources import builtin

log = logging.getLogger("vapi.liveness")


class Liveness:
    def __init__(self, store: objects.Objects, inventory: str, grace: float) -> None:
        self.store = store
        self.inventory = inventory
        self.grace = grace
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self.grace > 0:
            self._task = asyncio.create_task(self._loop(), name="edge liveness")

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(min(self.grace / 2, 10.0))
            try:
                await self.check()
            except storage_errors.StorageError as e:
                log.warning("edge liveness not checked: %s", e)
            except Exception:
                log.exception("edge liveness not checked")

    async def check(self) -> int:
        """Mark every cluster whose last heartbeat is older than the grace; how many."""
        res = builtin().lookup("edge.vapi.dev", "v1alpha1", "edgeclusters")
        assert res is not None
        now = datetime.datetime.now(datetime.timezone.utc)
        marked = 0
        for kv in (await self.store.backend.list(objects.prefix(self.inventory, res))).items:
            if self._stale(objects.decode(kv), now):
                await storage.guaranteed_update(self.store.backend, kv.key, self._mark)
                marked += 1
        return marked

    def _stale(self, obj: objects.Obj, now: datetime.datetime) -> bool:
        status = obj.get("status") or {}
        beat = clock.parse(status.get("lastHeartbeatTime"))
        ready = next((c for c in status.get("conditions") or [] if isinstance(c, dict) and c.get("type") == "Ready"), None)
        return beat is not None and (now - beat).total_seconds() > self.grace and ready is not None and ready.get("status") != "Unknown"

    async def _mark(self, current: KeyValue | None) -> bytes | None:
        if current is None:
            return None
        obj = objects.decode(current)
        if not self._stale(obj, datetime.datetime.now(datetime.timezone.utc)):
            return None  # a heartbeat came in meanwhile
        for c in obj["status"]["conditions"]:
            if isinstance(c, dict) and c.get("type") == "Ready":
                c.update(status="Unknown", reason="HeartbeatMissed", lastTransitionTime=clock.now(),
                         message=f"no heartbeat from the syncer for more than {self.grace:g}s")
        obj["metadata"].pop("resourceVersion", None)
        return objects.encode(obj)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
