"""The `vapi` command."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Coroutine
from typing import Any

from vapi import __version__


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="vapi",
        description="A virtual Kubernetes API server for edge multi-cluster computing.",
    )
    p.add_argument("--version", action="version", version=f"vapi {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    serve = sub.add_parser("serve", help="run the API server")
    serve.add_argument("--data-dir", default=".vapi", help="state directory (default ./.vapi)")
    serve.add_argument("--port", type=int, default=6443, help="HTTPS port; 0 picks a free one")
    serve.add_argument("--bind-address", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--storage", default="", help="storage URL (default sqlite:///<data-dir>/store.db)")
    serve.add_argument("--tls-san", action="append", default=[], help="extra serving certificate name or IP")
    serve.add_argument("--compaction-interval", type=float, default=300.0,
                       help="seconds between compactions of old revisions (default 300)")
    serve.add_argument("--compaction-keep", type=int, default=10_000,
                       help="revisions always kept by compaction (default 10000)")
    serve.add_argument("--watch-cache-size", type=int, default=10_000,
                       help="events kept per resource for watchers to resume from (default 10000)")
    kc = sub.add_parser("kubeconfig", help="print a kubeconfig for a user and workspace (a new client certificate)")
    kc.add_argument("--data-dir", default=".vapi", help="the server's state directory (default ./.vapi)")
    kc.add_argument("--user", required=True, help="user name (the certificate's CN)")
    kc.add_argument("--group", action="append", default=[], help="group (the certificate's O); repeatable")
    kc.add_argument("--workspace", default="root", help="workspace path, e.g. root:retail (default root)")
    kc.add_argument("--token", action="store_true",
                    help="a bearer token issued by the running server instead of a client certificate")
    kc.add_argument("--duration", default="8760h",
                    help="with --token: how long the token is valid, e.g. 24h, 30m; 0 for no expiry (default 8760h)")
    ws = sub.add_parser("workspace", help="create, list or delete workspaces (talks to the running server)")
    ws_sub = ws.add_subparsers(dest="action", metavar="ACTION", required=True)
    create = ws_sub.add_parser("create", help="create a workspace, e.g. root:retail:store-1")
    create.add_argument("path")
    create.add_argument("--object-quota", type=int, default=None, help="most objects it may hold (spec.quota.objects)")
    listing = ws_sub.add_parser("list", help="list the workspaces below one (default root)")
    listing.add_argument("path", nargs="?", default="root")
    listing.add_argument("-r", "--recursive", action="store_true", help="the whole subtree, not only children")
    delete = ws_sub.add_parser("delete", help="delete a workspace, its subtree and everything in them")
    delete.add_argument("path")
    for action in (create, listing, delete):
        action.add_argument("--data-dir", default=".vapi", help="the server's state directory (default ./.vapi)")
    cluster = sub.add_parser("cluster", help="edge cluster inventory (talks to the running server)")
    cl_sub = cluster.add_subparsers(dest="action", metavar="ACTION", required=True)
    register = cl_sub.add_parser("register", help="add an EdgeCluster and print its syncer's kubeconfig")
    register.add_argument("name")
    register.add_argument("--data-dir", default=".vapi", help="the server's state directory (default ./.vapi)")
    register.add_argument("--label", action="append", default=[], metavar="K=V", help="label for selection; repeatable")
    register.add_argument("--property", action="append", default=[], metavar="K=V", help="property for customization; repeatable")
    register.add_argument("--inventory", default="root", help="the inventory workspace (default root)")
    register.add_argument("--duration", default="0", help="how long the syncer's token is valid (default 0: no expiry)")
    sy = sub.add_parser("syncer", help="run the edge agent: apply one edge cluster's sync view to it")
    sy.add_argument("--kubeconfig", required=True, help="the center kubeconfig from `vapi cluster register`")
    sy.add_argument("--edge-kubeconfig", default="", help="the edge cluster's kubeconfig (default: in-cluster config)")
    sy.add_argument("--cluster", default="", help="the EdgeCluster name (default: from the credential)")
    sy.add_argument("--state-dir", default=".vapi-syncer", help="where the syncer remembers what it applied")
    sy.add_argument("--heartbeat-seconds", type=float, default=10.0, help="status heartbeat interval (default 10)")
    sy.add_argument("--status-seconds", type=float, default=5.0,
                    help="how often the edge copies' status is read and changes reported (default 5)")
    sy.add_argument("--resync-seconds", type=float, default=60.0,
                    help="interval of full re-applies, which repair drift (default 60)")
    serve.add_argument("--inventory-workspace", default="root", help="workspace holding the EdgeClusters (default root)")
    serve.add_argument("--edge-heartbeat-grace", type=float, default=60.0,
                       help="seconds without a syncer heartbeat before its EdgeCluster's Ready is Unknown (default 60; 0: never)")
    serve.add_argument("--token-auth-file", default="",
                       help='static bearer tokens, CSV lines token,user,uid,"group1,group2" (as kube-apiserver)')
    serve.add_argument("--audit-log-path", default=None,
                       help='JSON lines audit log of writes and refusals (default <data-dir>/audit.log; "-" stdout; "" off)')
    serve.add_argument("--workspace-object-quota", type=int, default=0,
                       help="most objects a workspace below root may hold unless its Workspace sets spec.quota.objects (0: no limit)")
    return p


def kubeconfig(args: argparse.Namespace) -> int:
    """A kubeconfig for --user in --workspace: a client certificate from the data dir's CA,
    the server URL from its admin kubeconfig. Access is what grants give that user."""
    import os

    import yaml

    import certs
    from vapi.requestinfo import WORKSPACE_PATH

    if not WORKSPACE_PATH.match(args.workspace):
        print(f"vapi: invalid workspace path {args.workspace!r}", file=sys.stderr)
        return 2
    admin = os.path.join(args.data_dir, "admin.kubeconfig")
    try:
        with open(admin) as f:
            server = yaml.safe_load(f)["clusters"][0]["cluster"]["server"]
        ca = certs.CA.load_or_create(args.data_dir) if os.path.exists(os.path.join(args.data_dir, "ca.key")) else None
    except (OSError, KeyError, TypeError, yaml.YAMLError) as e:
        print(f"vapi: cannot read {admin}: {e} (start `vapi serve --data-dir {args.data_dir}` once first)", file=sys.stderr)
        return 1
    if ca is None:
        print(f"vapi: no CA in {args.data_dir}", file=sys.stderr)
        return 1
    base = server.split("/clusters/")[0]
    if args.token:
        token = issue_token(args)
        if token is None:
            return 1
        sys.stdout.write(certs.kubeconfig(server=f"{base}/clusters/{args.workspace}", ca_pem=ca.cert_pem,
                                          user=args.user, token=token))
        return 0
    cert_pem, key_pem = ca.issue_client(args.user, args.group)
    sys.stdout.write(certs.kubeconfig(server=f"{base}/clusters/{args.workspace}", ca_pem=ca.cert_pem,
                                      user=args.user, cert_pem=cert_pem, key_pem=key_pem))
    return 0


def issue_token(args: argparse.Namespace) -> str | None:
    """A new token for --user and --group, valid for --duration: its AccessToken (holding
    only the secret's digest) is created in the root workspace of the running server."""
    import datetime

    from vapi import admin, tokens

    try:
        seconds = admin.parse_duration(args.duration)
        client = admin.Admin(args.data_dir)
        expires = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=seconds) if seconds else None
        token, obj = tokens.new(args.user, args.group, expires)
        client.request("POST", tokens.ROOT, f"{admin.TENANCY}/accesstokens", obj)
    except (ValueError, admin.AdminError) as e:
        print(f"vapi: {e}", file=sys.stderr)
        return None
    name = obj["metadata"]["name"]
    until = obj["spec"].get("expirationTimestamp", "never")
    print(f"vapi: token {name} for user {args.user!r} expires {until}; revoke it with "
          f"`kubectl delete accesstoken {name}` in the root workspace", file=sys.stderr)
    return token


def workspace(args: argparse.Namespace) -> int:
    """`vapi workspace create|list|delete`: Workspace objects written through the running
    server as its admin."""
    from vapi import admin
    from vapi.requestinfo import WORKSPACE_PATH

    if not WORKSPACE_PATH.match(args.path) or args.path.split(":")[0] != "root":
        print(f"vapi: invalid workspace path {args.path!r} (want root or root:<name>[:<name>...])", file=sys.stderr)
        return 2
    parent, _, name = args.path.rpartition(":")
    if args.action in ("create", "delete") and not parent:
        print("vapi: the root workspace always exists", file=sys.stderr)
        return 2
    try:
        client = admin.Admin(args.data_dir)
        if args.action == "create":
            obj: dict[str, object] = {"apiVersion": "tenancy.vapi.dev/v1alpha1", "kind": "Workspace", "metadata": {"name": name}}
            if args.object_quota is not None:
                obj["spec"] = {"quota": {"objects": args.object_quota}}
            out = client.request("POST", parent, f"{admin.TENANCY}/workspaces", obj)
            print(f"workspace {args.path} created: {(out.get('status') or {}).get('URL', '')}")
        elif args.action == "delete":
            client.request("DELETE", parent, f"{admin.TENANCY}/workspaces/{name}")
            print(f"workspace {args.path} deleted")
        else:
            rows = [("PATH", "PHASE", "URL")]
            pending = [args.path]
            while pending:
                ws = pending.pop(0)
                listed = client.request("GET", ws, f"{admin.TENANCY}/workspaces")
                children = [f"{ws}:{item['metadata']['name']}" for item in listed.get("items", [])]
                for item, path in zip(listed.get("items", []), children):
                    status = item.get("status") or {}
                    rows.append((path, str(status.get("phase", "")), str(status.get("URL", ""))))
                if args.recursive:
                    pending.extend(children)
            widths = [max(len(r[i]) for r in rows) for i in range(3)]
            for r in rows:
                print("   ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
    except admin.AdminError as e:
        why = str(e)
        if e.code == 404:  # the workspace addressed: the parent of one created, else the one named
            why = f'workspace "{parent if args.action == "create" else args.path}" not found ({why})'
        print(f"vapi: {why}", file=sys.stderr)
        return 1
    return 0


def register_cluster(args: argparse.Namespace) -> int:
    """`vapi cluster register`: the EdgeCluster, and a token that lets its syncer read that
    cluster's sync view and write its status, nothing more."""
    import datetime

    import certs
    from vapi import access, admin, tokens

    def pairs(items: list[str], what: str) -> dict[str, str]:
        out = {}
        for item in items:
            k, eq, v = item.partition("=")
            if not eq or not k:
                raise ValueError(f"invalid {what} {item!r}: want key=value")
            out[k] = v
        return out

    try:
        labels, properties = pairs(args.label, "--label"), pairs(args.property, "--property")
        seconds = admin.parse_duration(args.duration)
        client = admin.Admin(args.data_dir)
        obj = {"apiVersion": "edge.vapi.dev/v1alpha1", "kind": "EdgeCluster",
               "metadata": {"name": args.name, "labels": labels}, "spec": {"properties": properties}}
        client.request("POST", args.inventory, "/apis/edge.vapi.dev/v1alpha1/edgeclusters", obj)
        expires = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=seconds) if seconds else None
        token, token_obj = tokens.new(access.SYNCER_PREFIX + args.name, [access.SYNCER_GROUP], expires)
        client.request("POST", tokens.ROOT, f"{admin.TENANCY}/accesstokens", token_obj)
        with open(f"{args.data_dir}/ca.crt", "rb") as f:
            ca_pem = f.read()
    except (ValueError, OSError, admin.AdminError) as e:
        print(f"vapi: {e}", file=sys.stderr)
        return 1
    print(f"vapi: edge cluster {args.name} registered in {args.inventory}; its syncer token is "
          f"{token_obj['metadata']['name']}", file=sys.stderr)
    sys.stdout.write(certs.kubeconfig(server=f"{client.base}/clusters/{args.inventory}", ca_pem=ca_pem,
                                      user=access.SYNCER_PREFIX + args.name, token=token, name=f"vapi-syncer-{args.name}"))
    return 0


def run_syncer(args: argparse.Namespace) -> int:
    import os
    import signal
    import threading

    from syncer import agent

    try:
        center = agent.Center(args.kubeconfig)
        edge = agent.Edge(args.edge_kubeconfig or None)
        name = args.cluster
        if not name:
            user = center.whoami()
            if not user.startswith("vapi:syncer:"):
                print(f"vapi: {user!r} is not a syncer credential; pass --cluster", file=sys.stderr)
                return 2
            name = user[len("vapi:syncer:"):]
    except Exception as e:  # unreadable kubeconfig, center away at start
        print(f"vapi: syncer: {e}", file=sys.stderr)
        return 1
    stop = threading.Event()

    def finish(*_: object) -> None:
        stop.set()
        raise SystemExit(0)  # out of a blocking read of the watch, too

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, finish)
    s = agent.Syncer(center, edge, name, os.path.join(args.state_dir, f"{name}.json"),
                     heartbeat=args.heartbeat_seconds, resync=args.resync_seconds, status_every=args.status_seconds)
    logging.getLogger("vapi.syncer").info("syncer for edge cluster %s starting", name)
    s.run(stop)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.command is None:
        parser().print_help(sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if args.command == "kubeconfig":
        return kubeconfig(args)
    if args.command == "workspace":
        return workspace(args)
    if args.command == "cluster":
        return register_cluster(args)
    if args.command == "syncer":
        return run_syncer(args)
    if args.command == "serve":
        from storage import errors as storage_errors
        from vapi.server import Config, run

        cfg = Config(data_dir=args.data_dir, port=args.port, host=args.bind_address,
                     storage_url=args.storage, hosts=args.tls_san, watch_cache_size=args.watch_cache_size,
                     compaction_interval=args.compaction_interval, compaction_keep=args.compaction_keep,
                     token_auth_file=args.token_auth_file, audit_log_path=args.audit_log_path,
                     workspace_object_quota=args.workspace_object_quota,
                     inventory_workspace=args.inventory_workspace, edge_heartbeat_grace=args.edge_heartbeat_grace)
        try:
            serve_forever(run(cfg))
        except storage_errors.StorageError as e:
            print(f"vapi: storage: {e}", file=sys.stderr)
            return 1
        except (OSError, ValueError) as e:
            print(f"vapi: {e}", file=sys.stderr)
            return 1
        return 0
    return 2


def serve_forever(main: Coroutine[Any, Any, None]) -> None:
    """Run the server on uvloop where it is installed: the same asyncio API, with a
    faster loop and TLS (measured in hack/bench_api.py), else on asyncio's own loop."""
    try:
        import uvloop
    except ImportError:
        asyncio.run(main)
        return
    uvloop.run(main)


if __name__ == "__main__":
    sys.exit(main())
