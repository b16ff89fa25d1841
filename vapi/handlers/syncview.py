"""GET `edgeclusters/<name>/syncview` in the inventory workspace: the objects that edge
cluster should hold, as a `List` at a resourceVersion, or with `watch=true` as a stream of
events from a resourceVersion (ADDED for the whole view when none is given; BOOKMARKs
after each batch when `allowWatchBookmarks=true`; a too-old resourceVersion ends the stream
with an ERROR event carrying a 410 Expired Status, like any watch)."""

from __future__ import annotations

import asyncio
import contextlib
import random

import orjson
from aiohttp import web

from storage import errors as storage_errors
from vapi import errors, placement
from vapi.handlers import Call
from vapi.handlers.watch import BOOKMARK_SECONDS, _error_status
from vapi.http import decode_object, media_type, query_bool, query_int, read_body, respond
from vapi.objects import Obj, parse_rv


# list options a view does not honour: refused rather than ignored
UNSUPPORTED = ("labelSelector", "fieldSelector", "limit", "continue", "resourceVersionMatch", "sendInitialEvents")


async def serve(call: Call) -> web.StreamResponse:
    i = call.info
    views = call.state.views
    if i.workspace != views.inventory:
        raise errors.APIError(404, "NotFound", f"sync views are served in the inventory workspace {views.inventory!r}")
    await call.state.objects.get(call.res, i.workspace, "", i.name)  # 404 for an unknown cluster
    q = call.request.query
    for option in UNSUPPORTED:
        if q.get(option) not in (None, "", "0"):
            raise errors.bad_request(f"{option} is not supported by sync views: a view is read whole")
    if not query_bool(call.request, "watch"):
        rev, items = await views.view(i.name)
        return respond({"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": str(rev)}, "items": items})
    rv = q.get("resourceVersion", "")
    bookmarks = query_bool(call.request, "allowWatchBookmarks")
    timeout = query_int(call.request, "timeoutSeconds", 0) or random.uniform(1800, 3600)
    initial: list[Obj] = []
    if rv in ("", "0"):
        since, initial = await views.view(i.name)
    else:
        since = parse_rv(rv)

    resp = web.StreamResponse(headers={"Content-Type": "application/json", "Cache-Control": "no-cache"})
    resp.enable_chunked_encoding()
    await resp.prepare(call.request)

    async def send(kind: str, obj: Obj) -> None:
        await resp.write(orjson.dumps({"type": kind, "object": obj}) + b"\n")

    epoch = call.state.reports.epoch

    def bookmark(revision: int) -> Obj:
        return {"apiVersion": "v1", "kind": "List",
                "metadata": {"resourceVersion": str(revision), "annotations": {placement.REPORTS_EPOCH: epoch}}}

    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    changes = views.changes(i.name, since, tick=min(BOOKMARK_SECONDS, timeout))
    try:
        for obj in initial:
            await send("ADDED", obj)
        async for kind, item in changes:
            if kind == "BOOKMARK":
                assert isinstance(item, int)
                if bookmarks:
                    await send("BOOKMARK", bookmark(item))
            else:
                assert isinstance(item, dict)
                await send(kind, item)
            if loop.time() >= deadline:
                break
    except storage_errors.StorageError as e:
        await send("ERROR", _error_status(e))
    except (ConnectionResetError, ConnectionError):
        pass
    finally:
        await changes.aclose()
    with contextlib.suppress(ConnectionError):
        await resp.write_eof()
    return resp


async def report(call: Call) -> web.StreamResponse:
    """POST `edgeclusters/<name>/report`: a syncer's batch of its copies' status."""
    i = call.info
    if i.workspace != call.state.views.inventory:
        raise errors.APIError(404, "NotFound", f"reports are taken in the inventory workspace {call.state.views.inventory!r}")
    await call.state.objects.get(call.res, i.workspace, "", i.name)  # 404 for an unknown cluster
    body = decode_object(await read_body(call.request), media_type(call.request))
    taken = await call.state.reports.ingest(i.name, body.get("items"))
    return respond({"apiVersion": "edge.vapi.dev/v1alpha1", "kind": "StatusReport", "metadata": {}, "accepted": taken},
                   status=201)
