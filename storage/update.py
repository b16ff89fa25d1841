"""Read-modify-write with retry on conflict, after kube-apiserver's GuaranteedUpdate
(k8s.io/apiserver/pkg/storage/etcd3/store.go)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from storage import errors
from storage.backend import Backend, KeyValue

Update = Callable[[KeyValue | None], Awaitable[bytes | None]]


async def guaranteed_update(
    backend: Backend, key: str, fn: Update, *, create: bool = False, attempts: int = 100
) -> KeyValue | None:
    """Apply `fn(current)` until it sticks. `fn` gets the current KeyValue (None when absent,
    only if `create`) and returns the new value, or None to leave the key as it is. On a
    conflict `fn` runs again with the value that won. Returns the stored KeyValue, or the
    unchanged one when `fn` returned None. Raises KeyNotFound (absent and not `create`) and
    whatever `fn` raises."""
    try:
        current: KeyValue | None = await backend.get(key)
    except errors.KeyNotFound:
        if not create:
            raise
        current = None
    for _ in range(attempts):
        value = await fn(current)
        if value is None:
            return current
        try:
            if current is None:
                return await backend.create(key, value)
            if value == current.value:
                return current
            return await backend.update(key, value, revision=current.mod_revision)
        except errors.Conflict as e:
            current = e.current
        except errors.KeyExists:
            current = await backend.get(key)
        except errors.KeyNotFound:
            if not create:
                raise
            current = None
    raise errors.StorageError(f"guaranteed_update of {key!r} gave up after {attempts} conflicts", key=key)
