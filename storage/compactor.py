"""Automatic compaction of old revisions.

kube-apiserver compacts every five minutes to the revision it saw at the previous tick
(k8s.io/apiserver/pkg/storage/etcd3/compact.go), so at least one interval of history stays.
Here the kept window is the larger of that and `keep` revisions: at each tick the store is
compacted to min(revision at the previous tick, current revision - keep). Several replicas
sharing one etcd may all run a compactor; compacting an already compacted revision is a no-op.
"""

from __future__ import annotations

import asyncio
import logging

from storage import errors
from storage.backend import Backend

log = logging.getLogger(__name__)


class Compactor:
    def __init__(self, backend: Backend, *, keep: int = 10_000, interval: float = 300.0) -> None:
        if keep < 0 or interval <= 0:
            raise ValueError("keep must be >= 0 and interval > 0")
        self.backend = backend
        self.keep = keep
        self.interval = interval
        self._previous = 0
        self._task: asyncio.Task[None] | None = None

    async def tick(self) -> int:
        """One compaction step; returns the revision compacted to (0: nothing to do)."""
        current = await self.backend.current_revision()
        target = min(self._previous, current - self.keep)
        self._previous = current
        if target <= await self.backend.compact_revision():
            return 0
        await self.backend.compact(target)
        log.info("compacted storage to revision %d (current %d)", target, current)
        return target

    async def _run(self) -> None:
        while True:
            try:
                await self.tick()
            except errors.StorageError as e:
                log.warning("compaction failed: %s", e)
            await asyncio.sleep(self.interval)

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="storage compactor")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                pass
