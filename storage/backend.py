"""The one interface every store implements: a revisioned key-value store with watch.

Keys are `str` (UTF-8 paths; ordering is byte order of their UTF-8 encoding), values are
`bytes`. Nothing here knows about Kubernetes. The shape follows etcd's MVCC model, which
kine and kube-apiserver's storage.Interface are both built on:

- One global revision per store, strictly increasing; every successful write (create,
  update, delete) gets a revision of its own and the store's revision becomes it.
- A key's `create_revision` is the revision of the write that created it (this lifetime);
  its `mod_revision` is the revision of its last write. Guarded writes compare the
  caller's expected `mod_revision` with the stored one.
- Reads at a past revision see the store exactly as it was then, until that revision is
  compacted away (`errors.Compacted`).
- `watch(prefix, since=R)` yields every change under `prefix` with revision > R, in
  revision order, with no gap and no duplicate. Resuming from the revision of the last
  event seen continues exactly after it.

A caller's mistake is refused the same way by every backend before anything is sent or
queued: a key that is not `str` is a TypeError; one that is not valid UTF-8 (a lone
surrogate), an empty write key or a negative revision is a ValueError; a key over
MAX_KEY_BYTES or a value over MAX_VALUE_BYTES is errors.ValueTooLarge.
Error behaviour per method is documented on the protocol below; every backend runs the same
conformance suite (tests/test_storage_conformance.py).
"""

from __future__ import annotations

import enum
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import NamedTuple, Protocol

from storage import errors

# etcd refuses requests over 1.5 MiB (--max-request-bytes); every backend keeps values under
# it, with room for the key and the transaction around it, so data can move between them.
MAX_VALUE_BYTES = 1_500_000
# A guarded write's transaction carries its key up to four times (compares, operation, the
# read on failure); with this bound they fit in what etcd accepts beside a full-size value.
MAX_KEY_BYTES = 16_384


class KeyValue(NamedTuple):
    key: str
    value: bytes
    create_revision: int
    mod_revision: int


class EventType(enum.Enum):
    PUT = "PUT"
    DELETE = "DELETE"


class Event(NamedTuple):
    """One change. For DELETE, `kv.value` is the value the key held and `kv.mod_revision`
    is the revision of the deletion (what a Kubernetes DELETED event carries). `prev` is the
    key's previous state when the watcher asked for it and it was still available."""

    type: EventType
    kv: KeyValue
    prev: KeyValue | None = None

    @property
    def revision(self) -> int:
        return self.kv.mod_revision


@dataclass(frozen=True, slots=True)
class Page:
    """A page of a list. `revision` is the revision the whole list is read at: pass it and
    `start_after=items[-1].key` to read the next page of the same consistent snapshot."""

    items: list[KeyValue]
    revision: int
    more: bool


class Backend(Protocol):
    async def get(self, key: str, *, revision: int = 0) -> KeyValue:
        """The key's value at `revision` (0: latest).
        Raises KeyNotFound, Compacted, FutureRevision, Unavailable."""
        ...

    async def list(
        self, prefix: str, *, revision: int = 0, limit: int = 0, start_after: str = ""
    ) -> Page:
        """Keys under `prefix` in key order, as of `revision` (0: latest), at most `limit`
        (0: all), only keys > `start_after`. Raises Compacted, FutureRevision, Unavailable."""
        ...

    async def count(self, prefix: str, *, revision: int = 0, start_after: str = "") -> int:
        """Number of keys under `prefix` as of `revision` (0: now), only keys > `start_after`
        (what a page's `remainingItemCount` reports). Raises Compacted, Unavailable."""
        ...

    async def create(self, key: str, value: bytes) -> KeyValue:
        """Store a new key. Raises KeyExists, Unavailable."""
        ...

    async def update(self, key: str, value: bytes, *, revision: int) -> KeyValue:
        """Replace the value if the key's mod_revision is `revision`.
        Raises KeyNotFound, Conflict (carrying the current KeyValue), Unavailable."""
        ...

    async def delete(self, key: str, *, revision: int = 0) -> KeyValue:
        """Delete the key, if `revision` is given only when its mod_revision equals it.
        Returns the value it held stamped with the revision of the deletion.
        Raises KeyNotFound, Conflict, Unavailable."""
        ...

    def watch(self, prefix: str, *, since: int, prev_kv: bool = False) -> AsyncIterator[Event]:
        """Changes under `prefix` with revision > `since`. Raises Compacted (on first
        iteration) when `since` is older than the oldest kept revision, Unavailable when the
        store goes away. Closing the iterator (`aclose`) releases it."""
        ...

    async def current_revision(self) -> int:
        """The store's revision: the revision of the latest acknowledged write."""
        ...

    async def compact(self, revision: int) -> None:
        """Forget history older than `revision`: superseded values and deletions at or
        below it. Reads and watches at revisions >= `revision` still work.
        Compacting at or below the current compaction revision does nothing."""
        ...

    async def compact_revision(self) -> int:
        """The revision of the last compaction (0: never compacted)."""
        ...

    async def close(self) -> None:
        ...


def checked_key(key: str, *, write: bool = True) -> None:
    """Validate a key (or, with `write=False`, a read's key or prefix, which may be empty)
    before it reaches a driver, so a caller's mistake is a TypeError/ValueError in the caller
    and never a failed batch of other callers' writes: keys are `str` that encode as UTF-8
    (no lone surrogates), at most MAX_KEY_BYTES long (errors.ValueTooLarge)."""
    if not isinstance(key, str):
        raise TypeError(f"storage keys are str, not {type(key).__name__}")
    if write and not key:
        raise ValueError("empty storage key")
    try:
        size = len(key.encode())
    except UnicodeEncodeError as e:
        raise ValueError(f"storage key {key[:100]!r} is not valid UTF-8: {e.reason}") from e
    if size > MAX_KEY_BYTES:
        raise errors.ValueTooLarge(key, size=size, limit=MAX_KEY_BYTES, what="key")


def checked_revision(revision: int) -> int:
    """Validate a read's revision (0: latest); a negative one is the caller's mistake."""
    if not isinstance(revision, int):
        raise TypeError(f"storage revisions are int, not {type(revision).__name__}")
    if revision < 0:
        raise ValueError(f"negative storage revision {revision}")
    return revision


def checked_range(prefix: str, revision: int, start_after: str) -> None:
    """Validate a list's or count's arguments (see checked_key, checked_revision)."""
    checked_key(prefix, write=False)
    checked_key(start_after, write=False)
    checked_revision(revision)


def checked(key: str, value: bytes | bytearray | memoryview) -> bytes:
    """Validate a write's key and value; returns the value as bytes, so that what is read
    back is always bytes."""
    checked_key(key)
    if not isinstance(value, (bytes, bytearray, memoryview)):
        raise TypeError(f"storage values are bytes, not {type(value).__name__}")
    if len(value) > MAX_VALUE_BYTES:
        raise errors.ValueTooLarge(key, size=len(value), limit=MAX_VALUE_BYTES)
    return bytes(value)


def prefix_end(prefix: str) -> str:
    """The smallest string greater than every string starting with `prefix` ("" if none:
    the range is unbounded). UTF-8 byte order equals code point order, so incrementing the
    last code point below the maximum gives the same range in both."""
    chars = list(prefix)
    while chars:
        last = ord(chars[-1])
        if last < 0x10FFFF:
            nxt = last + 1
            if 0xD800 <= nxt <= 0xDFFF:  # surrogates are not encodable; skip over them
                nxt = 0xE000
            chars[-1] = chr(nxt)
            return "".join(chars)
        chars.pop()
    return ""
