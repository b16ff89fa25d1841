"""Backends by URL scheme: an explicit table, and one error naming the accepted forms."""

from __future__ import annotations

import urllib.parse
from collections.abc import Awaitable, Callable

from storage import errors
from storage.backend import Backend

FORMS = "sqlite:///path/to/file[?synchronous=FULL|NORMAL] or etcd://host:port[,host:port...]"


async def _sqlite(url: urllib.parse.SplitResult) -> Backend:
    from storage.sqlite import open_sqlite

    if url.netloc:
        raise errors.InvalidURL(f"sqlite URL takes no host (use three slashes): expected {FORMS}")
    if not url.path or url.path.endswith("/"):
        raise errors.InvalidURL(f"sqlite URL needs a file path: expected {FORMS}")
    query = urllib.parse.parse_qs(url.query, strict_parsing=False)
    unknown = set(query) - {"synchronous"}
    if unknown:
        raise errors.InvalidURL(f"unknown sqlite option(s) {sorted(unknown)}: expected {FORMS}")
    sync = query.get("synchronous", ["FULL"])[-1].upper()
    if sync not in ("FULL", "NORMAL", "EXTRA", "OFF"):
        raise errors.InvalidURL(f"bad sqlite synchronous={sync!r}: expected {FORMS}")
    return await open_sqlite(urllib.parse.unquote(url.path), synchronous=sync)


async def _etcd(url: urllib.parse.SplitResult) -> Backend:
    from storage.etcd import open_etcd

    if not url.netloc or url.path not in ("", "/") or url.query:
        raise errors.InvalidURL(f"bad etcd URL: expected {FORMS}")
    return await open_etcd(url.netloc)


SCHEMES: dict[str, Callable[[urllib.parse.SplitResult], Awaitable[Backend]]] = {
    "sqlite": _sqlite,
    "etcd": _etcd,
}


async def open_backend(url: str) -> Backend:
    """Open the backend `url` names. Raises errors.InvalidURL, errors.Unavailable."""
    parts = urllib.parse.urlsplit(url)
    opener = SCHEMES.get(parts.scheme)
    if opener is None:
        raise errors.InvalidURL(f"unknown storage URL {url!r}: expected {FORMS}")
    return await opener(parts)
