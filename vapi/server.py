"""The vapi server: HTTPS, authentication, one Status renderer, routing by workspace.

`vapi serve` creates on first start, in the data directory: the CA (`ca.crt`, `ca.key`), a
serving certificate, an admin token (`admin.token`) and `admin.kubeconfig` (client
certificate, server URL `https://127.0.0.1:<port>/clusters/root`).
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import os
import secrets
import signal
import platform
import socket
import ssl
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

import certs
import storage
from storage import errors as storage_errors
from storage.cache import WatchCache, family_by_depth
from storage.compactor import Compactor
from vapi import __version__, access, audit, clock, crds, discovery, errors, gc, liveness, objects, openapi, quota, reports, requestinfo, syncview, tokens
from vapi.handlers import dispatch
from vapi.http import respond
from vapi.resources import Registry, builtin

log = logging.getLogger("vapi")

DEFAULT_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")
ROOT = "root"
PUBLIC = {"/healthz", "/livez", "/readyz", "/version"}
# kube-apiserver's version route answers with or without the slash the Python client adds
VERSION_PATHS = ("/version", "/version/")
MAX_HEADER_BYTES = 1 << 20


@dataclass
class State:
    backend: storage.Backend
    cache: WatchCache
    registry: Registry
    objects: objects.Objects
    tokens: tokens.Tokens
    gc: gc.Collector
    registries: crds.WorkspaceRegistries
    authorizer: access.Authorizer
    quota: quota.Quota
    audit: audit.AuditLog
    views: syncview.SyncViews
    reports: reports.Reports
    # workspace -> when it was last seen to exist (monotonic seconds); read again after
    # CACHE_SECONDS, so a workspace deleted through another replica is gone here soon too
    workspaces: dict[str, float] = field(default_factory=dict)
    ensured: set[str] = field(default_factory=set)  # default namespaces made by this process
    tasks: set[asyncio.Task[None]] = field(default_factory=set)

    async def workspace_exists(self, ws: str) -> bool:
        """root, or a Workspace object in an existing parent. A new workspace is one row
        (its Workspace object) until first used: its default namespaces are made then, and
        from then on it is known to this process."""
        seen = self.workspaces.get(ws)
        if seen is not None and time.monotonic() - seen < access.CACHE_SECONDS:
            return True
        parent, _, name = ws.rpartition(":")
        if parent:
            if not await self.workspace_exists(parent):
                return False
            res = self.registry.lookup("tenancy.vapi.dev", "v1alpha1", "workspaces")
            assert res is not None
            try:
                await self.backend.get(objects.key(parent, res, "", name))
            except storage_errors.KeyNotFound:
                return False
        elif ws != ROOT:
            return False
        if ws not in self.ensured:
            await ensure_workspace(self, ws)
            self.ensured.add(ws)
        self.workspaces[ws] = time.monotonic()
        return True

    async def workspaces_deleted(self, parent: str) -> None:
        """Workspaces of `parent` were deleted: everything in them and below them goes."""
        res = self.registry.lookup("tenancy.vapi.dev", "v1alpha1", "workspaces")
        assert res is not None
        alive = {objects.decode(kv)["metadata"]["name"] for kv in (await self.backend.list(objects.prefix(parent, res))).items}
        for ws in sorted(set(self.workspaces) | await self._stored_children(parent)):
            child = ws[len(parent) + 1:].split(":", 1)[0] if ws.startswith(parent + ":") else None
            if child is None or child in alive:
                continue
            for prefix in (f"/{parent}:{child}/", f"/{parent}:{child}:"):
                page = await self.backend.list(prefix)
                for kv in page.items:
                    try:
                        await self.backend.delete(kv.key)
                    except storage_errors.KeyNotFound:
                        pass
            gone = f"{parent}:{child}"
            for w in [w for w in self.workspaces if w == gone or w.startswith(gone + ":")]:
                del self.workspaces[w]
                self.ensured.discard(w)
            self.registries.invalidate(f"{parent}:{child}")
        self.authorizer.invalidate()
        self.quota.invalidate(parent)

    async def _stored_children(self, parent: str) -> set[str]:
        """Workspaces below `parent` that hold data (known or not to this process)."""
        page = await self.backend.list(f"/{parent}:")
        return {kv.key[1:].split("/", 1)[0] for kv in page.items}

    async def crds_changed(self, ws: str, *, deleted: bool) -> None:
        """A CRD was written: the workspace's kinds change; custom resources whose CRD is
        gone are deleted before the request returns (kube-apiserver holds the CRD with a
        cleanup finalizer until they are)."""
        self.registries.invalidate(ws)
        if deleted:
            await self._drop_orphaned_custom_resources(ws)
            await self._reconsider_names(ws)
        self.registries.settled(ws)

    async def _reconsider_names(self, ws: str) -> None:
        """A deleted CRD frees its names: CRDs that wanted them are accepted now (the naming
        controller requeues the group's other CRDs)."""
        crd_res = self.registry.lookup(crds.GROUP, "v1", "customresourcedefinitions")
        assert crd_res is not None
        page = await self.backend.list(objects.prefix(ws, crd_res))
        for kv in page.items:
            if crds.accepted(objects.decode(kv)):
                continue

            async def rename(current: storage.KeyValue | None) -> bytes | None:
                if current is None:
                    return None
                old = objects.decode(current)
                others = [objects.decode(o) for o in (await self.backend.list(objects.prefix(ws, crd_res))).items]
                new = objects.decode(current)
                crds.set_status(new, old, others)
                return objects.encode(new) if new != old else None

            try:
                await storage.guaranteed_update(self.backend, kv.key, rename)
            except storage_errors.KeyNotFound:
                continue
        self.registries.invalidate(ws)

    async def _drop_orphaned_custom_resources(self, ws: str) -> None:
        live = {(r.group, r.resource) for r in (await self.registries.get(ws)).preferred()}
        prefix = objects.workspace_prefix(ws)
        builtin_groups = {g.group or "core" for g in self.registry.groups}
        page = await self.backend.list(prefix)
        for kv in page.items:
            parts = kv.key[len(prefix):].split("/")
            if len(parts) < 3 or parts[0] in builtin_groups or (parts[0], parts[1]) in live:
                continue
            try:
                await self.backend.delete(kv.key)
            except storage_errors.KeyNotFound:
                pass

    def terminate_namespace(self, ws: str, name: str) -> None:
        """Act as the namespace controller: delete what the namespace holds, then it."""
        task = asyncio.create_task(self._terminate(ws, name), name=f"terminate namespace {name}")
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _terminate(self, ws: str, name: str) -> None:
        try:
            registry = await self.registries.get(ws)
            for g in registry.groups:
                for v in g.versions[:1]:
                    for res in registry.resources(g.group, v) or []:
                        if not res.namespaced or not res.storable() or "delete" not in res.verbs:
                            continue
                        page = await self.backend.list(objects.prefix(ws, res, name))
                        for found in page.items:
                            item = objects.decode(found)
                            try:
                                await self.objects.delete(res, ws, name, item["metadata"]["name"])
                            except errors.APIError as e:
                                if e.code != 404:
                                    raise
            nsres = self.registry.lookup("", "v1", "namespaces")
            assert nsres is not None

            async def drop_finalizer(current: storage.KeyValue | None) -> bytes | None:
                assert current is not None
                ns = objects.decode(current)
                ns.setdefault("spec", {})["finalizers"] = []
                return objects.encode(ns)

            k = objects.key(ws, nsres, "", name)
            kv = await storage.guaranteed_update(self.backend, k, drop_finalizer)
            assert kv is not None
            ns = objects.decode(kv)
            if not ns["metadata"].get("finalizers"):
                await self.backend.delete(k, revision=kv.mod_revision)
        except (errors.APIError, storage_errors.StorageError) as e:
            log.warning("terminating namespace %s in %s: %s", name, ws, e)


def error_response(e: errors.APIError) -> web.Response:
    return respond(e.status(), status=e.code, headers=e.headers)


@web.middleware
async def status_errors(request: web.Request, handler: Any) -> web.StreamResponse:
    """Every failure leaves as a Status; anything unexpected is a logged 500. Writes and
    refusals go to the audit log."""
    received = clock.now()
    try:
        response: web.StreamResponse = await handler(request)
    except errors.APIError as e:
        response = error_response(e)
    except storage_errors.StorageError as e:
        response = error_response(errors.from_storage(e, "", "", ""))
    except web.HTTPException:
        raise
    except asyncio.CancelledError:
        raise
    except Exception as e:
        log.exception("internal error serving %s %s", request.method, request.path)
        response = error_response(errors.internal(f"{type(e).__name__}: {e}"))
    info: requestinfo.RequestInfo | None = request.get("info")
    state: State = request.app["state"]
    state.audit.record(user=request.get("user"), impersonated=request.get("impersonated"), info=info,
                       name=request.get("object_name", ""),
                       workspace=info.workspace if info else "",
                       code=response.status, method=request.method, uri=request.path_qs,
                       source=request.remote or "", received=received)
    return response


async def authenticate(request: web.Request, state: State, workspace: str = "") -> access.User:
    """A client certificate from vapi's CA (verified by TLS: CN is the user, each O a
    group), or a bearer token: the admin's, one from the static token file, or one vapi
    issued. Anything else, or nothing, is 401."""
    transport = request.transport
    peer = transport.get_extra_info("peercert") if transport is not None else None
    if peer:
        name, groups = "", []
        for rdn in peer.get("subject", ()):
            for attr, value in rdn:
                if attr == "commonName":
                    name = str(value)
                elif attr == "organizationName":
                    groups.append(str(value))
        if name:
            return access.User(name, tuple(groups))
    # the scheme is case-insensitive, as kube's bearertoken authenticator reads it
    scheme, _, token = request.headers.get("Authorization", "").strip().partition(" ")
    token = token.strip()
    if scheme.lower() == "bearer" and token:
        user = await state.tokens.user(token, workspace)
        if user is not None:
            return user
    raise errors.unauthorized()


async def impersonate(request: web.Request, state: State, user: access.User, ws: str) -> access.User:
    """`kubectl --as/--as-group/--as-uid`: the request acts as another user, if the requester
    may impersonate in this workspace (see access.Authorizer.check_impersonate)."""
    headers = request.headers
    name = headers.get("Impersonate-User")
    groups = headers.getall("Impersonate-Group", [])
    uid = headers.get("Impersonate-Uid", "")
    extra = [h for h in headers if h.lower().startswith("impersonate-extra-")]  # header names are case-insensitive
    if name is None:
        raise errors.bad_request("requested impersonation of groups, uid or extra without impersonating a user")
    await state.authorizer.check_impersonate(user, ws, "users", name)
    for group in groups:
        await state.authorizer.check_impersonate(user, ws, "groups", group)
    if uid:
        await state.authorizer.check_impersonate(user, ws, "uids", uid)
    for header in extra:
        await state.authorizer.check_impersonate(user, ws, "userextras", header[len("impersonate-extra-"):].lower())
    return access.User.impersonated(name, groups, uid)


async def health(request: web.Request, state: State, path: str) -> web.Response:
    """/healthz, /livez, /readyz as kube-apiserver answers them: `ok`, `?verbose` lists each
    check, `/readyz/<check>` runs one; a failing check makes it a 500 naming it."""
    endpoint, _, only = path.strip("/").partition("/")
    if endpoint not in ("healthz", "livez", "readyz"):
        raise errors.path_not_found(path)

    async def storage_ok() -> bool:
        try:
            await asyncio.wait_for(state.backend.current_revision(), timeout=5)
        except (storage_errors.StorageError, asyncio.TimeoutError):
            return False
        return True

    checks: dict[str, Callable[[], Awaitable[bool]]] = {"ping": _always, "storage": storage_ok}
    if only:
        if only not in checks:
            raise errors.path_not_found(path)
        checks = {only: checks[only]}
    results = {name: await check() for name, check in checks.items()}
    passed = all(results.values())
    if not only and not passed:
        log.warning("%s failed: %s", endpoint, ", ".join(n for n, ok in results.items() if not ok))
    if "verbose" not in request.query:
        return web.Response(text="ok" if passed else f"{endpoint} check failed", status=200 if passed else 500)
    lines = [f"[+]{n} ok" if ok else f"[-]{n} failed: reason withheld" for n, ok in results.items()]
    lines.append(f"{endpoint} check {'passed' if passed else 'failed'}")
    return web.Response(text="\n".join(lines) + "\n", status=200 if passed else 500)


async def _always() -> bool:
    return True


async def handle(request: web.Request) -> web.StreamResponse:
    state: State = request.app["state"]
    path = request.path
    if path.startswith(("/healthz", "/livez", "/readyz")):
        return await health(request, state, path)
    if path in VERSION_PATHS:
        return respond(version_info())
    try:
        ws, rest = requestinfo.split_workspace(path)
        info = requestinfo.parse(ws, rest, request.method, watch=request.query.get("watch") in ("true", "1"))
        request["info"] = info  # for the audit log, even if authentication fails
    except errors.APIError:
        await authenticate(request, state)  # an unknown path is 404 only to those who may ask
        raise
    user = await authenticate(request, state, ws)
    request["user"] = user
    if any(h.lower().startswith("impersonate-") for h in request.headers):
        user = request["impersonated"] = await impersonate(request, state, user, ws)
    # as in kube's request info, a namespace's own requests are in that namespace
    namespace = info.name if info.resource == "namespaces" and not info.group and not info.namespace else info.namespace
    await state.authorizer.check(user, ws, info.verb, info.group if info.is_resource else "", info.resource, rest,
                                 name=info.name, subresource=info.subresource, namespace=namespace)
    if not await state.workspace_exists(ws):
        raise errors.path_not_found(path)
    if rest.startswith(("/healthz", "/livez", "/readyz")):
        return await health(request, state, rest)
    if rest in VERSION_PATHS:
        return respond(version_info())
    registry = await state.registries.get(ws)
    if not info.is_resource:
        if request.method != "GET":
            raise errors.APIError(405, "MethodNotAllowed", f"{request.method} is not allowed on {rest}")
        if info.api_prefix:
            return discovery.handle(request, registry, info.api_prefix, info.group, info.version)
        if rest == "/openapi/v2" or rest.startswith("/openapi/v3"):
            return serve_openapi(request, registry, rest)
        raise errors.path_not_found(path)
    return await dispatch(request, info, state, user, registry)


def serve_openapi(request: web.Request, registry: Registry, rest: str) -> web.StreamResponse:
    accept = request.headers.get("Accept", "")
    if rest == "/openapi/v2":
        if any(t in accept for t in openapi.PROTOBUF_V2_ACCEPT):
            body, ctype = openapi.v2_protobuf(registry), openapi.PROTOBUF_V2
        else:
            body, ctype = openapi.v2_json(registry), "application/json"
        tag = openapi.etag(body)
        headers = {"ETag": tag, "Content-Type": ctype, "Vary": "Accept"}
        if request.headers.get("If-None-Match") == tag:
            return web.Response(status=304, headers=headers)
        return web.Response(body=body, headers=headers)
    if rest in ("/openapi/v3", "/openapi/v3/"):
        return respond(openapi.v3_root(registry))
    path = rest[len("/openapi/v3/"):]
    doc = openapi.v3_documents(registry).get(path)
    if doc is None:
        raise errors.path_not_found(rest)
    digest = openapi.v3_hash(doc)
    wanted = request.query.get("hash")
    prefix = request.path[: -len(rest)]
    if wanted is not None and wanted != digest:
        raise web.HTTPMovedPermanently(f"{prefix}/openapi/v3/{path}?hash={digest}")
    headers = {"Content-Type": "application/json", "ETag": f'"{digest}"'}
    if wanted is not None:
        headers["Cache-Control"] = "public, immutable"
    return web.Response(body=doc, headers=headers)


ARCH = {"x86_64": "amd64", "aarch64": "arm64", "armv7l": "arm", "ppc64le": "ppc64le", "s390x": "s390x"}


def version_info() -> dict[str, str]:
    """kube-apiserver's /version. vapi's own version is semver build metadata, as k3s does
    (`v1.35.0+vapi.0.1.0`): a pre-release suffix would fail every helm chart's
    `kubeVersion: ">=1.x"` constraint."""
    machine = platform.machine()
    return {
        "major": "1",
        "minor": "35",
        "emulationMajor": "1",
        "emulationMinor": "35",
        "minCompatibilityMajor": "1",
        "minCompatibilityMinor": "34",
        "gitVersion": f"v1.35.0+vapi.{__version__}",
        "gitCommit": "",
        "gitTreeState": "clean",
        "buildDate": "",
        "goVersion": f"python{platform.python_version()}",
        "compiler": platform.python_implementation().lower(),
        "platform": f"{sys.platform}/{ARCH.get(machine, machine)}",
    }


def warm_up() -> None:
    """Load the schemas now rather than on the first request that needs them, then move
    everything loaded so far out of the garbage collector's reach: hundreds of thousands of
    long-lived schema objects would otherwise make every full collection a pause of tens of
    milliseconds in the middle of requests (p99 latency)."""
    import gc as pygc

    from vapi import kubeproto, schemas

    schemas.definitions()
    kubeproto.table()
    pygc.collect()
    pygc.freeze()


async def ensure_workspace(state: State, ws: str) -> None:
    ns = state.registry.lookup("", "v1", "namespaces")
    assert ns is not None
    present = {kv.key.rsplit("/", 1)[1] for kv in (await state.backend.list(objects.prefix(ws, ns))).items}
    for name in DEFAULT_NAMESPACES:
        if name in present:
            continue
        try:
            await state.objects.create(ns, ws, "", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
        except errors.APIError as e:
            if e.code != 409:
                raise


def make_app(state: State) -> web.Application:
    app = web.Application(middlewares=[status_errors], client_max_size=4 * 1024 * 1024)
    app["state"] = state
    app.router.add_route("*", "/{tail:.*}", handle)
    return app


@dataclass
class Config:
    data_dir: str = ".vapi"
    port: int = 6443
    host: str = "127.0.0.1"
    storage_url: str = ""
    hosts: list[str] = field(default_factory=list)
    watch_cache_size: int = 10_000
    compaction_interval: float = 300.0
    compaction_keep: int = 10_000
    token_auth_file: str = ""
    audit_log_path: str | None = None  # None: <data_dir>/audit.log; "": off; "-": stdout
    workspace_object_quota: int = 0  # 0: no limit unless a Workspace sets one
    inventory_workspace: str = ROOT  # where EdgeClusters are
    edge_heartbeat_grace: float = 60.0  # seconds without a syncer heartbeat before Ready is Unknown


def server_ssl(data_dir: str, hosts: list[str]) -> tuple[ssl.SSLContext, certs.CA]:
    ca = certs.CA.load_or_create(data_dir)
    crt, key = os.path.join(data_dir, "serving.crt"), os.path.join(data_dir, "serving.key")
    wanted = ["127.0.0.1", "localhost", "::1", *hosts]
    if not (os.path.exists(crt) and os.path.exists(key)) or not certs.ca.covers(crt, wanted):
        cert_pem, key_pem = ca.issue_server(wanted)
        certs.ca.write_private(key, key_pem)
        with open(crt, "wb") as f:
            f.write(cert_pem)
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(crt, key)
    ctx.load_verify_locations(os.path.join(data_dir, "ca.crt"))
    ctx.verify_mode = ssl.CERT_OPTIONAL
    return ctx, ca


def admin_token(data_dir: str) -> str:
    path = os.path.join(data_dir, "admin.token")
    if os.path.exists(path):
        with open(path) as f:
            return f.read().strip()
    token = secrets.token_urlsafe(32)
    certs.ca.write_private(path, token.encode())
    return token


async def run(cfg: Config, ready: asyncio.Event | None = None, stop: asyncio.Event | None = None) -> None:
    os.makedirs(cfg.data_dir, exist_ok=True)
    url = cfg.storage_url or f"sqlite://{os.path.abspath(os.path.join(cfg.data_dir, 'store.db'))}"
    backend = await storage.open_backend(url)
    cache = WatchCache(backend, capacity=cfg.watch_cache_size, family=family_by_depth(3))
    compactor = Compactor(backend, keep=cfg.compaction_keep, interval=cfg.compaction_interval)
    store = objects.Objects(backend, cache)
    registry = builtin()
    registries = crds.WorkspaceRegistries(store)
    views = syncview.SyncViews(store, registries, cfg.inventory_workspace)
    static = tokens.load_static(cfg.token_auth_file) if cfg.token_auth_file else {}
    audit_path = os.path.join(cfg.data_dir, "audit.log") if cfg.audit_log_path is None else cfg.audit_log_path
    state = State(backend, cache, registry, store, tokens.Tokens(store, static, admin_token(cfg.data_dir)),
                  gc.Collector(store, registries.get), registries, access.Authorizer(store, cfg.inventory_workspace),
                  quota.Quota(store, cfg.workspace_object_quota), audit.AuditLog(audit_path),
                  views, reports.Reports(store, views))
    await state.workspace_exists(ROOT)
    await state.views.start()
    edge_liveness = liveness.Liveness(store, cfg.inventory_workspace, cfg.edge_heartbeat_grace)
    edge_liveness.start()
    state.tokens.start()
    warm_up()
    ctx, ca = server_ssl(cfg.data_dir, cfg.hosts)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((cfg.host, cfg.port))
    port = sock.getsockname()[1]
    cert_pem, key_pem = ca.issue_client("admin", ["system:masters"])
    kubeconfig = certs.kubeconfig(
        server=f"https://127.0.0.1:{port}/clusters/{ROOT}", ca_pem=ca.cert_pem, user="admin",
        cert_pem=cert_pem, key_pem=key_pem,
    )
    certs.ca.write_private(os.path.join(cfg.data_dir, "admin.kubeconfig"), kubeconfig.encode())
    # Watches are long requests: on stop they get a moment to end, then are cut.
    # Go's net/http reads up to 1 MiB of request line and headers (DefaultMaxHeaderBytes): a
    # long bearer token or URL gets an answer from vapi, not aiohttp's 8 KiB plain-text 400
    runner = web.AppRunner(make_app(state), access_log=None, handle_signals=False, shutdown_timeout=2.0,
                           max_line_size=MAX_HEADER_BYTES, max_field_size=MAX_HEADER_BYTES)
    await runner.setup()
    site = web.SockSite(runner, sock, ssl_context=ctx)
    await site.start()
    compactor.start()
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    crt, key = os.path.join(cfg.data_dir, "serving.crt"), os.path.join(cfg.data_dir, "serving.key")

    def reload_certificate() -> None:
        """SIGHUP: new connections get the serving certificate now on disk (rotation without
        downtime); open connections keep theirs."""
        try:
            ctx.load_cert_chain(crt, key)
            log.info("serving certificate reloaded from %s", crt)
        except (OSError, ssl.SSLError) as e:
            log.error("serving certificate not reloaded, keeping the old one: %s", e)

    for sig, action in ((signal.SIGTERM, stop.set), (signal.SIGINT, stop.set), (signal.SIGHUP, reload_certificate)):
        try:
            loop.add_signal_handler(sig, action)
        except (RuntimeError, ValueError):  # not the main thread (tests)
            pass
    log.info("vapi %s ready on https://127.0.0.1:%d/clusters/%s (kubeconfig: %s)",
             __version__, port, ROOT, os.path.join(cfg.data_dir, "admin.kubeconfig"))
    if ready is not None:
        ready.set()
    try:
        await stop.wait()
    finally:
        log.info("vapi stopping")
        await runner.cleanup()
        await compactor.stop()
        for t in list(state.tasks):
            t.cancel()
        await asyncio.gather(*state.tasks, return_exceptions=True)
        await state.gc.close()
        await edge_liveness.close()
        await state.tokens.close()
        await state.reports.close()
        await state.views.close()
        state.audit.close()
        await cache.close()
        await backend.close()
