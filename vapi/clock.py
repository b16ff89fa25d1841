"""Kubernetes timestamps: RFC 3339 in UTC with whole seconds, as metav1.Time serializes."""

from __future__ import annotations

import datetime
import time
from typing import Any

_cached: tuple[int, str] = (0, "")


def now() -> str:
    """The current time as `2006-01-02T15:04:05Z`, formatted once per second: every write
    stamps one (creationTimestamp, managedFields time), so this sits on the hot path."""
    global _cached
    second = int(time.time())
    if _cached[0] != second:
        _cached = (second, time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(second)))
    return _cached[1]


def parse(value: Any) -> datetime.datetime | None:
    """An RFC 3339 time with its zone, or None."""
    if not isinstance(value, str):
        return None
    try:
        t = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return t if t.tzinfo is not None else None
