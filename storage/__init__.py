"""A revisioned key-value store with watch, knowing nothing of Kubernetes.

    backend = await storage.open_backend("sqlite:///var/lib/vapi/store.db")
    kv = await backend.create("/a", b"1")

`open_backend` picks the backend from the URL scheme (see `SCHEMES`); `cache.WatchCache`
fans one backend watch out to many watchers; `compactor.Compactor` trims history on a
schedule; `guaranteed_update` is the read-modify-write loop every caller should use.
"""

from storage.backend import Backend, Event, EventType, KeyValue, Page
from storage.open import SCHEMES, open_backend
from storage.update import guaranteed_update

__all__ = [
    "Backend",
    "Event",
    "EventType",
    "KeyValue",
    "Page",
    "SCHEMES",
    "guaranteed_update",
    "open_backend",
]
