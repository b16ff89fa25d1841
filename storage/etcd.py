"""etcd backend, for several vapi replicas sharing one etcd cluster.

Talks to etcd's v3 JSON gateway (`/v3/kv/...`) through etcd3-py's AioClient, which encodes
requests and decodes responses; etcd3-py's own async watch stream does not work with current
aiohttp (it type-checks against a parameterized generic), so watches post to `/v3/watch` on
the client's session and decode the newline-delimited responses here.

Guarded writes are single etcd transactions, as in kube-apiserver's etcd3 store
(k8s.io/apiserver/pkg/storage/etcd3/store.go): compare the key's mod_revision (and that it
exists), put or delete on success, read the key on failure to say why.

Failover: the URL lists members (`etcd://h1:p1,h2:p2`); requests go to one member and move to
the next when it cannot be reached. Reads are retried on another member; writes only when the
connection was never made, since a write whose answer was lost may have been applied (the
caller gets Unavailable and decides). Watches resume on another member from the last revision
delivered, so a member failing costs neither a gap nor a duplicate.
"""

from __future__ import annotations

import asyncio
import base64
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

import aiohttp
import orjson
import semantic_version
from etcd3 import AioClient
from etcd3 import errors as etcd_errors

from storage import errors
from storage.backend import Event, EventType, KeyValue, Page, prefix_end

log = logging.getLogger(__name__)

T = TypeVar("T")
REQUEST_TIMEOUT = 10.0
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
    members = []
    for part in spec.split(","):
        host, sep, port = part.strip().rpartition(":")
        if not sep or not host or not port.isdigit():
            raise errors.InvalidURL(
                f"bad etcd member {part!r}: expected etcd://host:port[,host:port...]"
            )
        members.append((host.strip("[]"), int(port)))
    return members


class EtcdBackend:
    def __init__(self, members: list[tuple[str, int]], *, timeout: float = REQUEST_TIMEOUT) -> None:
        if not members:
            raise errors.InvalidURL("no etcd members given")
        self.members = members
        self.timeout = timeout
        self._clients: dict[int, _Client] = {}
        self._current = 0
        self._compact_rev = 0
        self._closed = False
        self._version = "3.4.0"

    async def open(self) -> EtcdBackend:
        await self._call(lambda c: c.range(key=b"\0", count_only=True))
        return self

    async def close(self) -> None:
        self._closed = True
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
                info = await r.json(content_type=None)
            client = _Client(
                host=host,
                port=port,
                server_version=info["etcdserver"],
                cluster_version=info["etcdcluster"],
                pool_size=100,
            )
            self._clients[index] = client
        return client

    async def _drop(self, index: int) -> None:
        client = self._clients.pop(index, None)
        if client is not None:
            await client.close()

    async def _call(self, fn: Callable[[Any], Awaitable[T]], *, write: bool = False) -> T:
        """Run `fn(client)` on the current member, moving on to the next ones on failure
        until `timeout` has passed. A write is retried only when it cannot have been applied
        (no connection made, or refused for want of a leader)."""
        if self._closed:
            raise errors.Unavailable("store is closed")
        last: BaseException | None = None
        deadline = asyncio.get_running_loop().time() + self.timeout
        attempt = 0
        while True:
            index = (self._current + attempt) % len(self.members)
            try:
                client = await self._client(index)
                async with asyncio.timeout(self.timeout):
                    result = await fn(client)
                self._current = index
                return result
            except etcd_errors.ErrCompacted as e:
                raise errors.Compacted(revision=0, compact_revision=self._compact_rev) from e
            except etcd_errors.ErrFutureRev as e:
                raise errors.FutureRevision(revision=0, current=0) from e
            except NOT_APPLIED as e:
                last = e
            except AMBIGUOUS as e:
                last = e
                if write:
                    raise errors.Unavailable(f"etcd: {e} (the write may have been applied)") from e
            except TRANSPORT_ERRORS as e:
                last = e
                await self._drop(index)
                if write and not isinstance(e, CONNECT_ERRORS):
                    raise errors.Unavailable(
                        f"etcd {self._name(index)}: {e!r} (the write may have been applied)"
                    ) from e
            except etcd_errors.Etcd3Exception as e:
                raise errors.StorageError(f"etcd: {e}") from e
            attempt += 1
            now = asyncio.get_running_loop().time()
            if now >= deadline:
                raise errors.Unavailable(f"no etcd member answered: {last!r}") from last
            log.warning("etcd member %s failed (%r), trying the next", self._name(index), last)
            if attempt % len(self.members) == 0:
                await asyncio.sleep(min(0.05 * attempt, 0.5, deadline - now))

    def _name(self, index: int) -> str:
        host, port = self.members[index]
        return f"{host}:{port}"

    # -- reads -----------------------------------------------------------------------

    async def get(self, key: str, *, revision: int = 0) -> KeyValue:
        k = key.encode()
        try:
            r = await self._call(lambda c: c.range(key=k, revision=revision or None))
        except errors.Compacted as e:
            raise errors.Compacted(revision=revision, compact_revision=self._compact_rev, key=key) from e.__cause__
        except errors.FutureRevision as e:
            raise errors.FutureRevision(revision=revision, current=await self.current_revision()) from e.__cause__
        if not r.kvs:
            raise errors.KeyNotFound(key, revision=revision or int(r.header.revision))
        return _kv(r.kvs[0])

    async def list(
        self, prefix: str, *, revision: int = 0, limit: int = 0, start_after: str = ""
    ) -> Page:
        start = prefix
        if start_after and start_after >= prefix:
            start = start_after + "\0"
        end = prefix_end(prefix).encode() or b"\0"
        begin = start.encode() or b"\0"
        try:
            r = await self._call(
                lambda c: c.range(
                    key=begin, range_end=end, limit=limit, revision=revision or None
                )
            )
        except errors.Compacted as e:
            raise errors.Compacted(revision=revision, compact_revision=self._compact_rev) from e.__cause__
        except errors.FutureRevision as e:
            raise errors.FutureRevision(revision=revision, current=await self.current_revision()) from e.__cause__
        items = [_kv(kv) for kv in (r.kvs or [])]
        return Page(items, revision or int(r.header.revision), bool(r.more))

    async def count(self, prefix: str) -> int:
        begin = prefix.encode() or b"\0"
        end = prefix_end(prefix).encode() or b"\0"
        r = await self._call(lambda c: c.range(key=begin, range_end=end, count_only=True))
        return int(r.count or 0)

    async def current_revision(self) -> int:
        r = await self._call(lambda c: c.range(key=b"\0", count_only=True))
        return int(r.header.revision)

    async def compact_revision(self) -> int:
        return self._compact_rev

    # -- writes ----------------------------------------------------------------------

    async def create(self, key: str, value: bytes) -> KeyValue:
        k = key.encode()
        r = await self._call(
            lambda c: c.txn(
                compare=[{"key": k, "result": "EQUAL", "target": "CREATE", "create_revision": 0}],
                success=[c.put(k, value, txn_obj=True)],
                failure=[],
            ),
            write=True,
        )
        rev = int(r.header.revision)
        if not r.succeeded:
            raise errors.KeyExists(key, revision=rev)
        return KeyValue(key, value, rev, rev)

    def _guard(self, k: bytes, revision: int) -> list[dict[str, Any]]:
        exists = {"key": k, "result": "GREATER", "target": "VERSION", "version": 0}
        if not revision:
            return [exists]
        return [exists, {"key": k, "result": "EQUAL", "target": "MOD", "mod_revision": revision}]

    def _failed(self, key: str, revision: int, r: Any) -> errors.StorageError:
        kvs = r.responses[0].response_range.kvs if r.responses else None
        if not kvs:
            return errors.KeyNotFound(key)
        return errors.Conflict(key, expected=revision, current=_kv(kvs[0]))

    async def update(self, key: str, value: bytes, *, revision: int) -> KeyValue:
        k = key.encode()
        r = await self._call(
            lambda c: c.txn(
                compare=self._guard(k, revision or -1),
                success=[c.put(k, value, prev_kv=True, txn_obj=True)],
                failure=[c.range(k, txn_obj=True)],
            ),
            write=True,
        )
        if not r.succeeded:
            raise self._failed(key, revision, r)
        prev = r.responses[0].response_put.prev_kv
        return KeyValue(key, value, int(prev.create_revision), int(r.header.revision))

    async def delete(self, key: str, *, revision: int = 0) -> KeyValue:
        k = key.encode()
        r = await self._call(
            lambda c: c.txn(
                compare=self._guard(k, revision),
                success=[c.delete_range(k, prev_kv=True, txn_obj=True)],
                failure=[c.range(k, txn_obj=True)],
            ),
            write=True,
        )
        if not r.succeeded:
            raise self._failed(key, revision, r)
        prev = r.responses[0].response_delete_range.prev_kvs[0]
        return KeyValue(key, bytes(prev.value or b""), int(prev.create_revision), int(r.header.revision))

    async def compact(self, revision: int) -> None:
        if revision <= self._compact_rev:
            return
        try:
            await self._call(lambda c: c.compact(revision, physical=False), write=True)
        except errors.Compacted:
            pass  # another replica compacted at or beyond it already
        except errors.FutureRevision as e:
            raise errors.FutureRevision(revision=revision, current=await self.current_revision()) from e.__cause__
        self._compact_rev = max(self._compact_rev, revision)

    # -- watch -----------------------------------------------------------------------

    async def watch(
        self, prefix: str, *, since: int, prev_kv: bool = False
    ) -> AsyncIterator[Event]:
        begin = base64.b64encode(prefix.encode() or b"\0").decode()
        end = base64.b64encode(prefix_end(prefix).encode() or b"\0").decode()
        last = since
        failures = 0
        while True:
            if self._closed:
                raise errors.Unavailable("store is closed")
            index = self._current
            body = {
                "create_request": {
                    "key": begin,
                    "range_end": end,
                    "start_revision": str(last + 1),
                    # DELETE events carry the value the key held: etcd only sends it as prev_kv.
                    "prev_kv": True,
                }
            }
            try:
                client = await self._client(index)
                async with client.session.post(
                    client._url("/watch"),
                    data=orjson.dumps(body),
                    timeout=aiohttp.ClientTimeout(total=None, sock_connect=self.timeout),
                ) as resp:
                    if resp.status != 200:
                        raise aiohttp.ClientResponseError(
                            resp.request_info, (), status=resp.status, message=await resp.text()
                        )
                    async for line in resp.content:
                        if not line.strip():
                            continue
                        msg = orjson.loads(line)
                        if "error" in msg:
                            raise errors.Unavailable(f"etcd watch: {msg['error']}")
                        result = msg.get("result", {})
                        compact = int(result.get("compact_revision", 0))
                        if compact:
                            self._compact_rev = max(self._compact_rev, compact)
                            raise errors.Compacted(revision=last, compact_revision=compact)
                        if result.get("canceled"):
                            raise errors.Unavailable(
                                f"etcd watch canceled: {result.get('cancel_reason', '')}"
                            )
                        failures = 0
                        for ev in result.get("events", ()):
                            event = _event(ev, prev_kv)
                            if event.revision <= last:
                                continue
                            last = event.revision
                            yield event
                raise aiohttp.ServerDisconnectedError()
            except TRANSPORT_ERRORS as e:
                failures += 1
                await self._drop(index)
                self._current = (index + 1) % len(self.members)
                if failures > 3 * len(self.members):
                    raise errors.Unavailable(f"etcd watch: no member reachable: {e!r}") from e
                log.warning("etcd watch on %s broke (%r); resuming after %d", self._name(index), e, last)
                await asyncio.sleep(min(0.1 * failures, 2.0))


def _kv(kv: Any) -> KeyValue:
    key = kv.key.decode() if isinstance(kv.key, bytes) else str(kv.key)
    value = kv.value if isinstance(kv.value, bytes) else (kv.value or b"")
    return KeyValue(key, bytes(value), int(kv.create_revision), int(kv.mod_revision))


def _raw_kv(kv: dict[str, Any]) -> KeyValue:
    return KeyValue(
        base64.b64decode(kv["key"]).decode(),
        base64.b64decode(kv.get("value", "")),
        int(kv.get("create_revision", 0)),
        int(kv.get("mod_revision", 0)),
    )


def _event(ev: dict[str, Any], want_prev: bool) -> Event:
    kv = _raw_kv(ev["kv"])
    prev = _raw_kv(ev["prev_kv"]) if "prev_kv" in ev else None
    if ev.get("type") == "DELETE":
        if prev is not None:
            kv = KeyValue(kv.key, prev.value, prev.create_revision, kv.mod_revision)
        return Event(EventType.DELETE, kv, prev if want_prev else None)
    return Event(EventType.PUT, kv, prev if want_prev else None)


async def open_etcd(spec: str) -> EtcdBackend:
    return await EtcdBackend(parse_members(spec)).open()
