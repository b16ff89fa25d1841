"""WATCH: newline-delimited JSON events over a chunked response, flushed per event.

Semantics after k8s.io/apiserver/pkg/storage/cacher: no resourceVersion (or "0") starts
with ADDED events for what exists; a resourceVersion resumes after it; watch-list
(`sendInitialEvents=true`, and since kube 1.34 any watch from "" or "0" without it) ends its
initial events with a BOOKMARK annotated `k8s.io/initial-events-end: "true"` when bookmarks
are allowed; `sendInitialEvents=false` starts from now; a resourceVersion older than the
watch cache keeps gets an in-stream ERROR event carrying a 410 Expired Status (not an HTTP
410); objects entering or leaving a selector are ADDED or DELETED for that watcher (leaving, with
the object as it still matched, at the revision of the change). A watch of custom resources
ends when they are no longer served (their CRD deleted), as kube-apiserver tears down their
storage.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from typing import Any

import orjson
from aiohttp import web

from storage import errors as storage_errors
from vapi import errors, tables
from vapi.handlers import Call
from vapi.handlers.read import list_options, table_include
from vapi.http import query_bool, query_int
from vapi.objects import ListOptions, Obj, matches, parse_rv

BOOKMARK_SECONDS = 15.0
PRE_TIMEOUT_BOOKMARK_SECONDS = 2.0
QUEUE = 1000
# apiextensions-apiserver's crdHandler.tearDown: a second after a custom resource stops being
# served, its storage (and every watch of it) ends; the events before it still come
TEARDOWN_SECONDS = 1.0


class _Unserved(Exception):
    """Queued when the watched custom resource is no longer served: the stream ends, without
    an ERROR event, as kube's cacher ends its watchers when stopped."""


async def watch(call: Call) -> web.StreamResponse:
    request = call.request
    q = request.query
    i = call.info
    objects = call.state.objects
    opts = list_options(call, watch=True)
    bookmarks = query_bool(request, "allowWatchBookmarks")
    send_initial = opts.send_initial_events  # defaulted to a watch-list as kube 1.34+ does
    timeout = query_int(request, "timeoutSeconds", 0) or random.uniform(1800, 3600)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout  # from the request's start, initial events included
    rv = q.get("resourceVersion", "")

    since = 0
    initial_items: list[Obj] = []
    if send_initial:
        listed = await objects.list(
            call.res, i.workspace, i.namespace,
            ListOptions(label=opts.label, fields=opts.fields, resource_version=rv if rv != "0" else ""),
        )
        initial_items = listed["items"]
        since = int(listed["metadata"]["resourceVersion"])
    elif rv in ("", "0"):  # sendInitialEvents=false: from now on
        try:
            since = await objects.backend.current_revision()
        except storage_errors.StorageError as e:
            raise errors.from_storage(e, call.res.group, call.res.resource, "") from e
    else:
        since = parse_rv(rv)

    resp = web.StreamResponse(headers={"Content-Type": "application/json", "Cache-Control": "no-cache"})
    resp.enable_chunked_encoding()
    await resp.prepare(request)

    include = table_include(call)
    first_table = True

    async def send(kind: str, obj: Obj) -> None:
        nonlocal first_table
        if include is not None and kind != "ERROR":
            # every event but an error becomes a Table, bookmarks too, with the column
            # definitions in the first (handlers/response.go watchEmbeddedEncoder); the
            # initial-events-end bookmark's row keeps its metadata, whatever includeObject
            end = kind == "BOOKMARK" and "k8s.io/initial-events-end" in obj["metadata"].get("annotations", {})
            obj = tables.table([obj], call.res.group, call.res.resource, "Metadata" if end else include,
                               {"resourceVersion": obj["metadata"].get("resourceVersion", "")},
                               definitions=first_table, custom=call.res.columns)
            first_table = False
        await resp.write(orjson.dumps({"type": kind, "object": obj}) + b"\n")

    def bookmark(revision: int, end: bool = False) -> Obj:
        meta: dict[str, Any] = {"resourceVersion": str(revision)}
        if end:
            meta["annotations"] = {"k8s.io/initial-events-end": "true"}
        return {"kind": call.res.kind, "apiVersion": call.res.group_version, "metadata": meta}

    queue: asyncio.Queue[tuple[str, Obj, Obj | None, int] | BaseException] = asyncio.Queue(QUEUE)

    async def produce() -> None:
        try:
            async for kind, obj, prev, revision in objects.watch(call.res, i.workspace, i.namespace, since):
                await queue.put((kind, obj, prev, revision))
        except asyncio.CancelledError:
            raise
        except BaseException as e:  # handed to the writer, which ends the stream with it
            await queue.put(e)

    async def end_when_unserved() -> None:
        try:
            await call.state.registries.until_unserved(i.workspace, call.res)
        except storage_errors.StorageError:
            return  # what is served cannot be read now: the watch goes on
        await asyncio.sleep(TEARDOWN_SECONDS)
        await queue.put(_Unserved())

    producer = asyncio.create_task(produce(), name="watch producer")
    helpers = [producer]
    if call.res.schema is not None:
        helpers.append(asyncio.create_task(end_when_unserved(), name="watch end when unserved"))
    last = since
    try:
        for obj in initial_items:
            await send("ADDED", obj)
        if send_initial and bookmarks:
            await send("BOOKMARK", bookmark(since, end=True))
        next_bookmark = _next_bookmark(loop.time(), deadline) if bookmarks else None
        while True:
            now = loop.time()
            if now >= deadline:
                break
            if next_bookmark is not None and now >= next_bookmark:
                await send("BOOKMARK", bookmark(last))
                next_bookmark = _next_bookmark(now, deadline)
                continue
            wait = deadline - now if next_bookmark is None else min(deadline, next_bookmark) - now
            try:
                item = await asyncio.wait_for(queue.get(), wait)
            except TimeoutError:
                continue
            if isinstance(item, _Unserved):
                break
            if isinstance(item, BaseException):
                await send("ERROR", _error_status(item))
                break
            kind, obj, prev, revision = item
            last = revision
            now_in = matches(obj, opts)
            was_in = prev is not None and matches(prev, opts)
            if kind == "DELETED":
                if now_in:
                    await send("DELETED", obj)
            elif kind == "ADDED":
                if now_in:
                    await send("ADDED", obj)
            elif now_in and was_in:
                await send("MODIFIED", obj)
            elif now_in:
                await send("ADDED", obj)
            elif was_in and prev is not None:
                # cacher's convertToWatchEvent: the object as the watcher last saw it (it
                # matched then), at the revision of the change that took it out
                prev["metadata"]["resourceVersion"] = str(revision)
                await send("DELETED", prev)
    except (ConnectionResetError, ConnectionError):
        pass
    finally:
        for task in helpers:
            task.cancel()
        for task in helpers:
            with contextlib.suppress(asyncio.CancelledError):
                await task
    with contextlib.suppress(ConnectionError):
        await resp.write_eof()
    return resp


def _next_bookmark(now: float, deadline: float) -> float | None:
    """When the next periodic bookmark is due (None: no more), as the cacher schedules them
    (cache_watcher.go nextBookmarkTime): every BOOKMARK_SECONDS, and right before the watch
    times out (2 s before its deadline), so that a client resumes from as recent a
    resourceVersion as it can. A time not after `now` is none: the loop's clock (uvloop's
    is libuv's, in milliseconds, cached per loop turn) may not have moved since the last one."""
    due = min(now + BOOKMARK_SECONDS, deadline - PRE_TIMEOUT_BOOKMARK_SECONDS)
    return None if due <= now else due


def _error_status(e: BaseException) -> Obj:
    if isinstance(e, storage_errors.Compacted):
        return errors.APIError(410, "Expired", f"too old resource version: {e.revision} ({e.compact_revision})").status()
    if isinstance(e, storage_errors.StorageError):
        return errors.from_storage(e, "", "", "").status()
    return errors.internal(str(e)).status()
