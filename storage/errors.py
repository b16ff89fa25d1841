"""Typed storage errors, raised by every backend the same way.

    StorageError                  any failure of the store; carries key and revision
     ├── KeyExists                create of a key that is present
     ├── KeyNotFound              get/update/delete of a key that is absent
     ├── Conflict                 guarded update/delete saw another modification revision;
     │                            carries the current KeyValue so callers can retry without a read
     ├── Compacted                the revision asked for is older than what is kept
     │                            (compacted history, or a watch cache window left behind)
     ├── FutureRevision           the revision asked for has not happened yet
     ├── ValueTooLarge            a value over MAX_VALUE_BYTES or a key over MAX_KEY_BYTES
     │                            (etcd's request limit, kept by every backend so a store
     │                            can move between them)
     ├── Unavailable              the store cannot be reached or is closed; the operation
     │                            may or may not have been applied if it was a write
     └── InvalidURL (ValueError)  a backend URL that names no known backend

Backends raise these `from` the driver's exception so the cause stays visible in logs.
The API layer maps them to Kubernetes Status codes in one place (404, 409, 410, 503...),
mirroring k8s.io/apiserver/pkg/storage/errors.go.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from storage.backend import KeyValue


class StorageError(Exception):
    """Base of every error a Backend raises."""

    def __init__(self, message: str, *, key: str = "", revision: int = 0) -> None:
        super().__init__(message)
        self.key = key
        self.revision = revision


class KeyExists(StorageError):
    def __init__(self, key: str, *, revision: int = 0) -> None:
        super().__init__(f"key exists: {key!r}", key=key, revision=revision)


class KeyNotFound(StorageError):
    def __init__(self, key: str, *, revision: int = 0) -> None:
        super().__init__(f"key not found: {key!r}", key=key, revision=revision)


class Conflict(StorageError):
    """The key's modification revision differs from the expected one."""

    def __init__(self, key: str, *, expected: int, current: KeyValue) -> None:
        super().__init__(
            f"conflict on {key!r}: expected revision {expected}, "
            f"found {current.mod_revision}",
            key=key,
            revision=current.mod_revision,
        )
        self.expected = expected
        self.current = current


class Compacted(StorageError):
    """The revision asked for is no longer available; `compact_revision` is the oldest kept."""

    def __init__(self, *, revision: int, compact_revision: int, key: str = "") -> None:
        super().__init__(
            f"revision {revision} has been compacted (oldest available: {compact_revision})",
            key=key,
            revision=revision,
        )
        self.compact_revision = compact_revision


class FutureRevision(StorageError):
    def __init__(self, *, revision: int, current: int) -> None:
        super().__init__(
            f"revision {revision} is in the future (current: {current})", revision=revision
        )
        self.current = current


class ValueTooLarge(StorageError):
    """A value over MAX_VALUE_BYTES, or (`what="key"`) a key over MAX_KEY_BYTES."""

    def __init__(self, key: str, *, size: int, limit: int, what: str = "value") -> None:
        name = key if len(key) <= 200 else key[:200] + "..."
        subject = f"key {name!r}" if what == "key" else f"{what} of {name!r}"
        super().__init__(f"{subject} is {size} bytes, over the limit of {limit}", key=key)
        self.size = size
        self.limit = limit
        self.what = what


class Unavailable(StorageError):
    """The store could not be reached, timed out, or is closed."""


class InvalidURL(StorageError, ValueError):
    """A storage URL with an unknown scheme or a malformed address."""
