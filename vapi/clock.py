"""Kubernetes timestamps: RFC 3339 in UTC with whole seconds, as metav1.Time serializes."""

from __future__ import annotations

import time

_cached: tuple[int, str] = (0, "")


def now() -> str:
    """The current time as `2006-01-02T15:04:05Z`, formatted once per second: every write
    stamps one (creationTimestamp, managedFields time), so this sits on the hot path."""
    global _cached
    second = int(time.time())
    if _cached[0] != second:
        _cached = (second, time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(second)))
    return _cached[1]
