"""etcd backend, for several vapi replicas sharing one etcd cluster.

Talks to etcd's v3 JSON gateway (`/v3/kv/...`) through etcd3-py's AioClient: its connection
pool, its API prefix for the server's version, its auth header and its error classes (the
gateway's error strings mapped to `ErrCompacted`, `ErrNoLeader`, ...). Request bodies and
responses are encoded here with orjson and base64 rather than by etcd3-py's swagger models:
those call `inspect.getfullargspec` per field and cost ~10 ms per response, ten times the
round trip (measured; see hack/bench_storage.py). etcd3-py's own async watch stream does not
work with current aiohttp (it type-checks against a parameterized generic), so watches post to
`/v3/watch` on the same session and split the newline-delimited responses here.

Guarded writes are single etcd transactions, as in kube-apiserver's etcd3 store
(k8s.io/apiserver/pkg/storage/etcd3/store.go): compare the key's mod_revision (and that it
exists), put or delete on success, read the key on failure to say why.

Failover: the URL lists members (`etcd://h1:p1,h2:p2`); requests go to one member and move to
the next when it cannot be reached. Reads are retried on another member; writes only when the
connection was never made, since a write whose answer was lost may have been applied (the
caller gets Unavailable and decides). Watches resume on another member from the last revision
delivered, so a member failing costs neither a gap nor a duplicate. A member that hangs
(stopped, or cut off from its cluster) is found out too: every request attempt gets a share
of the timeout, and a watch stream silent for `watch_idle` seconds has its member probed.
"""

from __future__ import annotations

import asyncio
import builtins
import base64
import logging
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import orjson
import semantic_version
from etcd3 import AioClient
from etcd3 import errors as etcd_errors

from storage import errors
from storage.backend import (
    MAX_VALUE_BYTES,
    Event,
    EventType,
    KeyValue,
    Page,
    checked,
    checked_key,
    checked_range,
    checked_revision,
    prefix_end,
)

log = logging.getLogger(__name__)

REQUEST_TIMEOUT = 10.0
# A watch stream silent this long gets its member probed (see EtcdBackend._probe).
WATCH_IDLE = 5.0
# No attempt on a member gets less than this, however little of the deadline is left.
MIN_ATTEMPT_TIMEOUT = 1.0
CONNECT_ERRORS = (aiohttp.ClientConnectorError, ConnectionRefusedError)
TRANSPORT_ERRORS = (aiohttp.ClientError, asyncio.TimeoutError, ConnectionError, OSError)
# Refused before being proposed: safe to retry, writes included.
NOT_APPLIED = (etcd_errors.ErrNoLeader, etcd_errors.ErrNotLeader, etcd_errors.ErrUnhealthy)
# Proposed, outcome unknown: reads retry, writes report Unavailable.
AMBIGUOUS = (
    etcd_errors.ErrStopped,
    etcd_errors.ErrTimeout,
    etcd_errors.ErrTimeoutDueToLeaderFail,
    etcd_errors.ErrTimeoutDueToConnectionLost,
)


class _Client(AioClient):  # type: ignore[misc]
    """AioClient without its blocking version probe (a synchronous HTTP call in __init__);
    the version is read asynchronously before the client is made."""

    def _retrieve_version(self) -> None:
        self.server_version_sem = semantic_version.Version(self.server_version)
        self.cluster_version_sem = semantic_version.Version(self.cluster_version)


def parse_members(spec: str) -> list[tuple[str, int]]:
    """`h1:p1,h2:p2` as (host, port) pairs. An IPv6 address keeps its brackets
    (`[::1]:2379`), as it must have them in the member's URLs."""
    members = []
    for part in spec.split(","):
        host, sep, port = part.strip().rpartition(":")
        bare = host[1:-1] if host.startswith("[") and host.endswith("]") else host
        if (
            not sep
            or not bare
            or not port.isdigit()
            or not 0 < int(port) < 65536
            or any(c in bare for c in "[]/@ ")
            or (":" in bare and bare == host)  # IPv6 without brackets
        ):
            raise errors.InvalidURL(
                f"bad etcd member {part!r}: expected etcd://host:port[,host:port...]"
                " (IPv6 as [addr]:port)"
            )
        members.append((host, int(port)))
    return members


class EtcdBackend:
    def __init__(self, members: list[tuple[str, int]], *, timeout: float = REQUEST_TIMEOUT) -> None:
        if not members:
            raise errors.InvalidURL("no etcd members given")
        self.members = members
        self.timeout = timeout
        self.watch_idle = WATCH_IDLE
        self._clients: dict[int, _Client] = {}
        self._current = 0
        self._compact_rev = 0
        self._closed = False
        self._streams: set[aiohttp.ClientResponse] = set()

    async def open(self) -> EtcdBackend:
        await self.current_revision()
        await self._learn_compact_revision()
        return self

    async def _learn_compact_revision(self) -> None:
        """Read etcd's compaction revision (another replica, or this store before a restart,
        may have compacted). etcd has no call that returns it: a read at revision 1 tells
        whether anything was compacted, and a watch from revision 1 is then cancelled with
        the compaction revision (etcd's watchableStore.syncWatchers). Best effort: on
        failure the revision stays what this backend last knew."""
        try:
            await self._call("/kv/range", {"key": _b64(""), "count_only": True, "revision": 1})
            return  # nothing compacted
        except errors.Compacted:
            pass
        except errors.StorageError as e:
            log.debug("etcd compaction revision unknown: %s", e)
            return
        body = {"create_request": {"key": _b64(""), "start_revision": 1}}
        try:
            client = await self._client(self._current)
            async with asyncio.timeout(self._attempt_timeout()), client.session.post(
                client._url("/watch"), data=orjson.dumps(body)
            ) as resp:
                async for line in resp.content:  # small messages: no event for key "\0"
                    if not line.strip():
                        continue
                    result = orjson.loads(line).get("result", {})
                    compact = int(result.get("compact_revision", 0))
                    if compact or result.get("canceled"):
                        self._compact_rev = max(self._compact_rev, compact)
                        return
        except (errors.StorageError, *TRANSPORT_ERRORS, orjson.JSONDecodeError, RuntimeError) as e:
            log.debug("etcd compaction revision unknown: %r", e)

    async def close(self) -> None:
        self._closed = True
        for resp in list(self._streams):  # a session's close does not end a streaming read
            resp.close()
        clients, self._clients = self._clients, {}
        for c in clients.values():
            await c.close()

    # -- members and calls -----------------------------------------------------------

    async def _client(self, index: int) -> _Client:
        client = self._clients.get(index)
        if client is None:
            host, port = self.members[index]
            async with aiohttp.ClientSession() as s, s.get(
                f"http://{host}:{port}/version", timeout=aiohttp.ClientTimeout(total=self.timeout)
            ) as r:
                try:
                    info = await r.json(content_type=None)
                except ValueError as e:
                    raise ConnectionError(f"{host}:{port} does not answer as etcd") from e
            try:
                client = _Client(
                    host=host,
                    port=port,
                    server_version=info["etcdserver"],
                    cluster_version=info["etcdcluster"],
                    pool_size=100,
                )
            except (KeyError, TypeError, ValueError) as e:
                # A member still joining says {"etcdcluster": "not_decided"}: not ready yet.
                raise ConnectionError(f"etcd member {host}:{port} is not ready: {info!r}") from e
            if self._closed:  # closed while this member was being reached
                await client.close()
                raise errors.Unavailable("store is closed")
            self._clients[index] = client
        return client

    @staticmethod
    async def _rpc(client: _Client, method: str, body: dict[str, Any]) -> dict[str, Any]:
        headers = {"authorization": client.token} if client.token else None
        async with client.session.post(
            client._url(method), data=orjson.dumps(body), headers=headers
        ) as resp:
            raw = await resp.read()
            data: dict[str, Any] = orjson.loads(raw) if raw else {}
            if resp.status >= 400:
                raise etcd_errors.get_client_error(
                    data.get("error") or data.get("message") or resp.reason or "",
                    data.get("code"),
                    resp.status,
                )
            return data

    async def _drop(self, index: int) -> None:
        client = self._clients.pop(index, None)
        if client is not None:
            await client.close()

    async def _call(self, method: str, body: dict[str, Any], *, write: bool = False) -> dict[str, Any]:
        """POST `body` to `method` on the current member, moving on to the next ones on
        failure until `timeout` has passed. A write is retried only when it cannot have been
        applied (no connection made, or refused for want of a leader).

        A member that accepts connections but never answers (stopped, or cut off) must not
        hold the whole call: each attempt gets a share of what is left of the deadline, so
        the other members are tried in time, and a member that failed is moved past, so the
        next call does not start with it again."""
        if self._closed:
            raise errors.Unavailable("store is closed")
        last: BaseException | None = None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout
        attempt = 0
        n = len(self.members)
        first = self._current
        while True:
            index = (first + attempt) % n
            share = (deadline - loop.time()) / (n - attempt % n)
            sent = False
            try:
                async with asyncio.timeout(max(share, MIN_ATTEMPT_TIMEOUT)):
                    client = await self._client(index)
                    sent = True
                    result = await self._rpc(client, method, body)
                self._current = index
                return result
            except etcd_errors.ErrCompacted as e:
                raise errors.Compacted(revision=0, compact_revision=self._compact_rev) from e
            except etcd_errors.ErrFutureRev as e:
                raise errors.FutureRevision(revision=0, current=0) from e
            except etcd_errors.ErrRequestTooLarge as e:
                size = len(orjson.dumps(body))
                raise errors.ValueTooLarge("", size=size, limit=MAX_VALUE_BYTES) from e
            except NOT_APPLIED as e:
                last = e
            except AMBIGUOUS as e:
                last = e
                if write:
                    self._move_past(index)
                    raise errors.Unavailable(f"etcd: {e} (the write may have been applied)") from e
            except TRANSPORT_ERRORS as e:
                last = e
                await self._drop(index)
                if write and sent and not isinstance(e, CONNECT_ERRORS):
                    self._move_past(index)
                    raise errors.Unavailable(
                        f"etcd {self._name(index)}: {e!r} (the write may have been applied)"
                    ) from e
            except etcd_errors.Etcd3Exception as e:
                raise errors.StorageError(f"etcd: {e}") from e
            except asyncio.CancelledError as e:
                if not _foreign_cancel(e):
                    raise
                last = e  # before anything was sent: the member's client was being closed
            except RuntimeError as e:  # aiohttp: "Session is closed"
                if not self._closed:
                    raise
                last = e
            if self._closed:
                raise errors.Unavailable("store is closed") from last
            self._move_past(index)
            attempt += 1
            now = loop.time()
            if now >= deadline:
                raise errors.Unavailable(f"no etcd member answered: {last!r}") from last
            log.warning("etcd member %s failed (%r), trying the next", self._name(index), last)
            if attempt % n == 0:
                await asyncio.sleep(min(0.05 * attempt, 0.5, deadline - now))

    def _move_past(self, index: int) -> None:
        """Start the next calls with the member after `index`, if `index` is where they start."""
        if self._current == index:
            self._current = (index + 1) % len(self.members)

    def _name(self, index: int) -> str:
        host, port = self.members[index]
        return f"{host}:{port}"

    async def _range(self, body: dict[str, Any], revision: int, key: str = "") -> dict[str, Any]:
        if revision:
            body["revision"] = revision
        try:
            return await self._call("/kv/range", body)
        except errors.Compacted as e:
            if self._compact_rev <= revision:  # compacted by someone else since we last knew
                await self._learn_compact_revision()
            raise errors.Compacted(
                revision=revision, compact_revision=self._compact_rev, key=key
            ) from e.__cause__
        except errors.FutureRevision as e:
            current = await self.current_revision()
            raise errors.FutureRevision(revision=revision, current=current) from e.__cause__

    # -- reads -----------------------------------------------------------------------

    async def get(self, key: str, *, revision: int = 0) -> KeyValue:
        checked_key(key, write=False)
        checked_revision(revision)
        r = await self._range({"key": _b64(key)}, revision, key)
        kvs = r.get("kvs")
        if not kvs:
            raise errors.KeyNotFound(key, revision=revision or _header_rev(r))
        return _kv(kvs[0])

    async def list(
        self, prefix: str, *, revision: int = 0, limit: int = 0, start_after: str = ""
    ) -> Page:
        checked_range(prefix, revision, start_after)
        start = start_after + "\0" if start_after and start_after >= prefix else prefix
        body: dict[str, Any] = {"key": _b64(start), "range_end": _b64(prefix_end(prefix))}
        if limit > 0:
            body["limit"] = limit
        r = await self._range(body, revision)
        items = [_kv(kv) for kv in r.get("kvs", ())]
        return Page(items, revision or _header_rev(r), bool(r.get("more")))

    async def count(self, prefix: str, *, revision: int = 0, start_after: str = "") -> int:
        checked_range(prefix, revision, start_after)
        start = start_after + "\0" if start_after and start_after >= prefix else prefix
        body = {"key": _b64(start), "range_end": _b64(prefix_end(prefix)), "count_only": True}
        r = await self._range(body, revision)
        return int(r.get("count", 0))

    async def current_revision(self) -> int:
        r = await self._call("/kv/range", {"key": _b64(""), "count_only": True})
        return _header_rev(r)

    async def compact_revision(self) -> int:
        return self._compact_rev

    # -- writes ----------------------------------------------------------------------

    async def create(self, key: str, value: bytes) -> KeyValue:
        value = checked(key, value)
        k = _b64(key)
        r = await self._call(
            "/kv/txn",
            {
                "compare": [{"key": k, "result": "EQUAL", "target": "CREATE", "create_revision": 0}],
                "success": [{"request_put": {"key": k, "value": _b64v(value)}}],
            },
            write=True,
        )
        rev = _header_rev(r)
        if not r.get("succeeded"):
            raise errors.KeyExists(key, revision=rev)
        return KeyValue(key, value, rev, rev)

    async def _guarded(self, key: str, revision: int, op: dict[str, Any]) -> dict[str, Any]:
        """A txn doing `op` if the key exists (with mod_revision `revision`, if given),
        else reading the key to tell KeyNotFound from Conflict."""
        k = _b64(key)
        compare = [{"key": k, "result": "GREATER", "target": "VERSION", "version": 0}]
        if revision:
            compare.append({"key": k, "result": "EQUAL", "target": "MOD", "mod_revision": revision})
        r = await self._call(
            "/kv/txn",
            {"compare": compare, "success": [op], "failure": [{"request_range": {"key": k}}]},
            write=True,
        )
        if not r.get("succeeded"):
            responses = r.get("responses") or [{}]
            kvs = responses[0].get("response_range", {}).get("kvs")
            if not kvs:
                raise errors.KeyNotFound(key)
            raise errors.Conflict(key, expected=revision, current=_kv(kvs[0]))
        return r

    async def update(self, key: str, value: bytes, *, revision: int) -> KeyValue:
        value = checked(key, value)
        op = {"request_put": {"key": _b64(key), "value": _b64v(value), "prev_kv": True}}
        r = await self._guarded(key, revision or -1, op)
        prev = r["responses"][0]["response_put"]["prev_kv"]
        return KeyValue(key, value, int(prev["create_revision"]), _header_rev(r))

    async def delete(self, key: str, *, revision: int = 0) -> KeyValue:
        checked_key(key)
        op = {"request_delete_range": {"key": _b64(key), "prev_kv": True}}
        r = await self._guarded(key, revision, op)
        prev = _kv(r["responses"][0]["response_delete_range"]["prev_kvs"][0])
        return KeyValue(key, prev.value, prev.create_revision, _header_rev(r))

    async def compact(self, revision: int) -> None:
        if revision <= self._compact_rev:
            return
        try:
            await self._call("/kv/compaction", {"revision": revision}, write=True)
        except errors.Compacted:
            pass  # another replica compacted at or beyond it already
        except errors.FutureRevision as e:
            current = await self.current_revision()
            raise errors.FutureRevision(revision=revision, current=current) from e.__cause__
        self._compact_rev = max(self._compact_rev, revision)

    # -- watch -----------------------------------------------------------------------

    async def watch(
        self, prefix: str, *, since: int, prev_kv: bool = False
    ) -> AsyncIterator[Event]:
        checked_key(prefix, write=False)
        checked_revision(since)
        begin, end = _b64(prefix), _b64(prefix_end(prefix))
        last = since
        failures = 0
        while True:
            if self._closed:
                raise errors.Unavailable("store is closed")
            index = self._current
            resp: aiohttp.ClientResponse | None = None
            body = {
                "create_request": {
                    "key": begin,
                    "range_end": end,
                    "start_revision": last + 1,
                    # DELETE events carry the value the key held: etcd only sends it as prev_kv.
                    "prev_kv": True,
                }
            }
            try:
                async with asyncio.timeout(self._attempt_timeout()):  # until the stream starts
                    client = await self._client(index)
                    resp = await client.session.post(
                        client._url("/watch"),
                        data=orjson.dumps(body),
                        timeout=aiohttp.ClientTimeout(total=None, sock_connect=self.timeout),
                    )
                self._streams.add(resp)
                async with resp:
                    if resp.status != 200:
                        raise aiohttp.ClientResponseError(
                            resp.request_info, (), status=resp.status, message=await resp.text()
                        )
                    # Responses are newline-delimited JSON, one may hold many events (far
                    # beyond aiohttp's line limit), so split the stream here.
                    buf = bytearray()
                    while True:
                        try:
                            chunk = await asyncio.wait_for(resp.content.readany(), self.watch_idle)
                        except TimeoutError:
                            # A quiet stream, or a member that stopped answering (stopped,
                            # cut off from its cluster): only a request can tell them apart.
                            await self._probe(client)
                            continue
                        if not chunk:
                            break
                        buf += chunk
                        while (nl := buf.find(b"\n")) >= 0:
                            line = bytes(buf[:nl])
                            del buf[: nl + 1]
                            if not line.strip():
                                continue
                            for event in self._watch_response(orjson.loads(line), last, prev_kv):
                                failures = 0
                                last = event.revision
                                yield event
                raise aiohttp.ServerDisconnectedError()
            except (*TRANSPORT_ERRORS, RuntimeError, asyncio.CancelledError) as e:
                if isinstance(e, asyncio.CancelledError) and not _foreign_cancel(e):
                    raise
                if self._closed:
                    raise errors.Unavailable("store is closed") from e
                failures += 1
                await self._drop(index)
                self._move_past(index)
                if failures > 3 * len(self.members):
                    raise errors.Unavailable(f"etcd watch: no member reachable: {e!r}") from e
                log.warning("etcd watch on %s broke (%r); resuming after %d", self._name(index), e, last)
                await asyncio.sleep(min(0.1 * failures, 2.0))
            finally:
                if resp is not None:
                    self._streams.discard(resp)
                    resp = None

    def _attempt_timeout(self) -> float:
        return max(self.timeout / len(self.members), MIN_ATTEMPT_TIMEOUT)

    async def _probe(self, client: _Client) -> None:
        """A linearizable read on the member of a quiet watch stream: raises ConnectionError
        when it does not answer in time, or answers without a leader."""
        try:
            async with asyncio.timeout(self._attempt_timeout()):
                await self._rpc(client, "/kv/range", {"key": _b64(""), "count_only": True})
        except (etcd_errors.Etcd3Exception, *TRANSPORT_ERRORS, asyncio.CancelledError) as e:
            if isinstance(e, asyncio.CancelledError) and not _foreign_cancel(e):
                raise
            raise ConnectionError(f"member does not answer: {e!r}") from e

    def _watch_response(self, msg: dict[str, Any], last: int, prev_kv: bool) -> builtins.list[Event]:
        if "error" in msg:
            raise errors.Unavailable(f"etcd watch: {msg['error']}")
        result = msg.get("result", {})
        compact = int(result.get("compact_revision", 0))
        if compact:
            self._compact_rev = max(self._compact_rev, compact)
            raise errors.Compacted(revision=last, compact_revision=compact)
        if result.get("canceled"):
            raise errors.Unavailable(f"etcd watch canceled: {result.get('cancel_reason', '')}")
        events = [_event(ev, prev_kv) for ev in result.get("events", ())]
        return [e for e in events if e.revision > last]


def _foreign_cancel(e: asyncio.CancelledError) -> bool:
    """A CancelledError the running task did not ask for. aiohttp cancels the requests
    waiting for a connection of a client being closed (close(), or another call dropping a
    failed member), before anything of them was sent; that is a transport failure here,
    not a cancellation to pass on."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() == 0


def _b64(key: str) -> str:
    """A key for the gateway; "" stands for etcd's "\\0" (no lower/upper bound)."""
    return base64.b64encode(key.encode() or b"\0").decode()


def _b64v(value: bytes) -> str:
    return base64.b64encode(value).decode()


def _header_rev(r: dict[str, Any]) -> int:
    return int(r["header"]["revision"])


def _kv(kv: dict[str, Any]) -> KeyValue:
    return KeyValue(
        base64.b64decode(kv["key"]).decode(),
        base64.b64decode(kv.get("value", "")),
        int(kv.get("create_revision", 0)),
        int(kv.get("mod_revision", 0)),
    )


def _event(ev: dict[str, Any], want_prev: bool) -> Event:
    kv = _kv(ev["kv"])
    prev = _kv(ev["prev_kv"]) if "prev_kv" in ev else None
    if ev.get("type") == "DELETE":
        if prev is not None:
            kv = KeyValue(kv.key, prev.value, prev.create_revision, kv.mod_revision)
        return Event(EventType.DELETE, kv, prev if want_prev else None)
    return Event(EventType.PUT, kv, prev if want_prev else None)


async def open_etcd(spec: str) -> EtcdBackend:
    return await EtcdBackend(parse_members(spec)).open()
