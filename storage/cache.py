"""Watch cache: one backend watch per prefix family, fanned out to any number of watchers.

kube-apiserver's cacher (k8s.io/apiserver/pkg/storage/cacher) keeps a ring of recent events
per resource and gives each watcher a buffered channel; a watcher whose channel fills is
terminated after a timeout. Here there are no per-watcher buffers at all: a family keeps one
bounded, revision-ordered window of recent events, and a watcher is only a cursor into it.

- Fan-out costs one wake-up per watcher per batch of events, not a copy per watcher.
- A fast watcher never waits for a slow one: nobody pushes, everybody reads at its own pace.
- Memory is bounded by the window, whatever the number or speed of watchers.
- A watcher whose cursor falls out of the window (too slow), or that asks for a revision older
  than the window, gets `errors.Compacted`; the API layer turns it into a 410 "too old
  resource version" and the client re-lists, exactly as with kube-apiserver.

A family starts as far back as the backend still keeps history, at most `capacity` revisions
before the current one, whatever its first watcher asks for: kube-apiserver's cache is filled
at startup and keeps every later event, so a client may watch from any recent list's revision,
even one taken before somebody else's watch started the family (starting at the first
watcher's revision, a watch from an older list was a 410 although the store had every event).
Events that arrive together (one backend batch) wake each watcher once.
A family whose last watcher left stops after `idle` seconds: an unused prefix costs nothing.
"""

from __future__ import annotations

import asyncio
import bisect
import logging
from collections.abc import AsyncIterator, Callable

from storage import errors
from storage.backend import Backend, Event

log = logging.getLogger(__name__)

DEFAULT_CAPACITY = 10_000


def family_by_depth(depth: int) -> Callable[[str], str]:
    """Families made of the first `depth` path segments: with depth 2, watches on
    `/registry/pods/` and `/registry/pods/ns1/` share the `/registry/pods/` family."""

    def family(prefix: str) -> str:
        parts = prefix.split("/")
        if len(parts) <= depth + 1:
            return prefix
        return "/".join(parts[: depth + 1]) + "/"

    return family


class _Family:
    def __init__(self, cache: WatchCache, prefix: str) -> None:
        self.cache = cache
        self.prefix = prefix
        self.events: list[Event] = []
        self.base = 0  # absolute sequence number of events[0]
        self.start_rev = 0  # the window holds every event of the family with revision > start_rev
        self.ready = asyncio.Event()
        self.changed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.wake_pending = False
        self.error: BaseException | None = None
        self.watchers = 0
        self.idle_handle: asyncio.TimerHandle | None = None
        self.task = asyncio.create_task(self._pump(), name=f"watch-cache {prefix}")

    @property
    def head(self) -> int:
        return self.events[-1].revision if self.events else self.start_rev

    async def _pump(self) -> None:
        backend = self.cache.backend
        try:
            current = await backend.current_revision()
            since = max(await backend.compact_revision(), current - self.cache.capacity, 0)
            self.start_rev = since
            self.ready.set()
            stream = backend.watch(self.prefix, since=since, prev_kv=True)
            try:
                async for event in stream:
                    if len(self.events) >= 2 * self.cache.capacity:
                        await self._before_trim()
                    self._append(event)
            finally:
                await stream.aclose()  # type: ignore[attr-defined]
            raise errors.Unavailable("backend watch ended")
        except asyncio.CancelledError:
            self._fail(errors.Unavailable("watch cache closed"))
            raise
        except Exception as e:  # every watcher of the family learns of it; the next starts afresh
            log.warning("watch cache for %r stopped: %r", self.prefix, e)
            self._fail(e)
        finally:
            self.ready.set()
            self.cache._forget(self)

    async def _before_trim(self) -> None:
        """Let the watchers already woken read before the window moves: a backend delivers
        events in bursts (etcd's watch responses carry many), and a burst appended in one go
        would cut off watchers that are not behind, only not yet scheduled. Those still
        behind after that are cut off, as before."""
        for _ in range(10):  # the wake-up, the shielded waits, the watchers' tasks, what they hand on
            await asyncio.sleep(0)

    def _append(self, event: Event) -> None:
        self.events.append(event)
        capacity = self.cache.capacity
        if len(self.events) > 2 * capacity:  # trim in halves: amortized O(1) per event
            drop = len(self.events) - capacity
            self.start_rev = self.events[drop - 1].revision
            del self.events[:drop]
            self.base += drop
        if not self.wake_pending:  # one wake-up for everything appended in this loop turn
            self.wake_pending = True
            asyncio.get_running_loop().call_soon(self._wake)

    def _wake(self) -> None:
        self.wake_pending = False
        changed, self.changed = self.changed, asyncio.get_running_loop().create_future()
        if not changed.done():
            changed.set_result(None)

    def _fail(self, error: BaseException) -> None:
        if self.error is None:
            self.error = error
            self._wake()

    def _window_start(self) -> tuple[int, int]:
        """(absolute sequence, revision) of the oldest event a new watcher may start from;
        events beyond `capacity` are kept only until the next trim, so they do not count
        (a watcher under way reads them while they are held)."""
        excess = max(0, len(self.events) - self.cache.capacity)
        if excess:
            return self.base + excess, self.events[excess - 1].revision
        return self.base, self.start_rev

    async def watch(self, prefix: str, since: int, prev_kv: bool) -> AsyncIterator[Event]:
        await self.ready.wait()
        if self.error is not None:
            raise self.error
        _, oldest = self._window_start()
        if since < oldest:
            raise errors.Compacted(revision=since, compact_revision=oldest)
        pos = self.base + bisect.bisect_right(self.events, since, key=lambda e: e.revision)
        exact = prefix == self.prefix
        while True:
            end = self.base + len(self.events)
            if pos < end:
                # a watcher under way reads whatever is still held (at most 2 x capacity):
                # a burst from the backend (etcd sends a watch that started in the past in
                # batches, every 100 ms until it catches up) must not cut off a watcher that
                # was only not yet scheduled; one whose events were trimmed is behind
                if pos < self.base:
                    raise errors.Compacted(revision=since, compact_revision=self._window_start()[1])
                event = self.events[pos - self.base]
                pos += 1
                # `since` filters what a family still replaying from before it appends.
                if event.revision > since and (exact or event.kv.key.startswith(prefix)):
                    since = event.revision
                    yield event if prev_kv or event.prev is None else event._replace(prev=None)
                continue
            if self.error is not None:
                raise self.error
            # shielded: a watcher cancelled while waiting must not cancel everybody's future
            await asyncio.shield(self.changed)

    def attach(self) -> None:
        self.watchers += 1
        if self.idle_handle is not None:
            self.idle_handle.cancel()
            self.idle_handle = None

    def detach(self) -> None:
        self.watchers -= 1
        if self.watchers == 0 and not self.task.done():
            self.idle_handle = asyncio.get_running_loop().call_later(
                self.cache.idle, self.task.cancel
            )


class WatchCache:
    def __init__(
        self,
        backend: Backend,
        *,
        capacity: int = DEFAULT_CAPACITY,
        family: Callable[[str], str] = family_by_depth(2),
        idle: float = 60.0,
    ) -> None:
        self.backend = backend
        self.capacity = capacity
        self.family = family
        self.idle = idle
        self._families: dict[str, _Family] = {}

    async def watch(
        self, prefix: str, *, since: int, prev_kv: bool = False
    ) -> AsyncIterator[Event]:
        """Like Backend.watch, served from the shared window of `prefix`'s family.
        Raises errors.Compacted when `since` is older than the window or the watcher falls
        out of it; errors.Unavailable when the backend watch fails."""
        name = self.family(prefix)
        fam = self._families.get(name)
        if fam is None:
            fam = self._families[name] = _Family(self, name)
        fam.attach()
        try:
            async for event in fam.watch(prefix, since, prev_kv):
                yield event
        finally:
            fam.detach()

    def head(self, prefix: str) -> int | None:
        """Revision up to which the family of `prefix` has delivered (None: not running)."""
        fam = self._families.get(self.family(prefix))
        return fam.head if fam is not None and fam.ready.is_set() else None

    def _forget(self, fam: _Family) -> None:
        if self._families.get(fam.prefix) is fam:
            del self._families[fam.prefix]

    async def close(self) -> None:
        families = list(self._families.values())
        for fam in families:
            fam.task.cancel()
        await asyncio.gather(*(f.task for f in families), return_exceptions=True)
