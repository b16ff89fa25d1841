"""Per-workspace object quota: a limit on how many objects a workspace stores.

The limit is the workspace's `spec.quota.objects` (set on its Workspace object in the parent,
so only the parent's admins can change it), else the server's `--workspace-object-quota`
(0: none). The root workspace has no limit. Creates over the limit get 403 Forbidden; updates and deletes are always allowed.

Counting all of a workspace's objects on every create would cost a range scan per write, so
the count is read from storage at most every few seconds and each admitted create adds one.
Deletes are not followed: before refusing, the count is read afresh, so a refusal always
rests on a current count.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from storage import errors as storage_errors
from vapi import access, errors, objects
from vapi.resources import builtin

REFRESH_SECONDS = 5.0


@dataclass
class _Usage:
    limit: int
    used: int
    read_at: float


class Quota:
    def __init__(self, store: objects.Objects, default_limit: int) -> None:
        self.store = store
        self.default_limit = default_limit
        self._usage: dict[str, _Usage] = {}

    def invalidate(self, parent: str) -> None:
        """A Workspace object in `parent` changed: its children's limits are read again."""
        for ws in [w for w in self._usage if w.rpartition(":")[0] == parent]:
            del self._usage[ws]

    async def _limit(self, ws: str) -> int:
        parent, _, name = ws.rpartition(":")
        if not parent:
            return 0  # root is the operator's: it holds the workspaces and the inventory
        res = builtin().lookup(access.TENANCY, "v1alpha1", "workspaces")
        assert res is not None
        try:
            kv = await self.store.backend.get(objects.key(parent, res, "", name))
        except storage_errors.KeyNotFound:
            return self.default_limit
        spec = objects.decode(kv).get("spec")
        quota = spec.get("quota") if isinstance(spec, dict) else None
        limit = quota.get("objects") if isinstance(quota, dict) else None
        return limit if isinstance(limit, int) and not isinstance(limit, bool) and limit >= 0 else self.default_limit

    async def _read(self, ws: str) -> _Usage:
        limit = await self._limit(ws)
        used = await self.store.backend.count(objects.workspace_prefix(ws)) if limit else 0
        usage = self._usage[ws] = _Usage(limit, used, time.monotonic())
        return usage

    async def admit(self, ws: str, resource: str, name: str, group: str = "") -> None:
        """Room for one more object in `ws`, or the 403 Forbidden kube's ResourceQuota
        admission sends (`exceeded quota: <quota>, requested: ..., used: ..., limited: ...`)."""
        usage = self._usage.get(ws)
        if usage is None or time.monotonic() - usage.read_at > REFRESH_SECONDS:
            usage = await self._read(ws)
        if usage.limit and usage.used >= usage.limit:
            usage = await self._read(ws)
            if usage.used >= usage.limit:
                details = {"name": name, **({"group": group} if group else {}), "kind": resource}
                raise errors.forbidden(
                    f'{errors.qualified(group, resource)} "{name}" is forbidden: exceeded quota: workspace {ws}, '
                    f"requested: objects=1, used: objects={usage.used}, limited: objects={usage.limit}", details=details)
        usage.used += 1
