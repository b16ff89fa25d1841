"""Background work coalesced by key: changes mark a key (merging what it needs done), one task
drains the marks after a short settle, so a burst of changes becomes one pass per key. A
failure on one key is logged and the others go on."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

from storage import errors as storage_errors
from vapi import errors

K = TypeVar("K")
V = TypeVar("V")


class Coalescer(Generic[K, V]):
    def __init__(self, pending: dict[K, V], work: Callable[[K, V], Awaitable[None]], describe: Callable[[K], str], *,
                 log: logging.Logger, name: str, settle: float = 0.05) -> None:
        self.pending = pending  # the caller marks keys in it
        self.work = work
        self.describe = describe
        self.log = log
        self.name = name
        self.settle = settle
        self._task: asyncio.Task[None] | None = None

    def kick(self) -> None:
        if self.pending and (self._task is None or self._task.done()):
            self._task = asyncio.create_task(self._drain(), name=self.name)

    async def _drain(self) -> None:
        await asyncio.sleep(self.settle)
        while self.pending:
            key = next(iter(self.pending))
            value = self.pending.pop(key)
            try:
                await self.work(key, value)
            except (errors.APIError, storage_errors.StorageError) as e:
                self.log.warning("%s: %s", self.describe(key), e)
            except Exception:  # a bug on one key must not stop the others
                self.log.exception("%s", self.describe(key))

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
