"""The `vapi` command."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

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
    cert_pem, key_pem = ca.issue_client(args.user, args.group)
    base = server.split("/clusters/")[0]
    sys.stdout.write(certs.kubeconfig(server=f"{base}/clusters/{args.workspace}", ca_pem=ca.cert_pem,
                                      user=args.user, cert_pem=cert_pem, key_pem=key_pem))
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.command is None:
        parser().print_help(sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if args.command == "kubeconfig":
        return kubeconfig(args)
    if args.command == "serve":
        from storage import errors as storage_errors
        from vapi.server import Config, run

        cfg = Config(data_dir=args.data_dir, port=args.port, host=args.bind_address,
                     storage_url=args.storage, hosts=args.tls_san, watch_cache_size=args.watch_cache_size,
                     compaction_interval=args.compaction_interval, compaction_keep=args.compaction_keep)
        try:
            asyncio.run(run(cfg))
        except storage_errors.StorageError as e:
            print(f"vapi: storage: {e}", file=sys.stderr)
            return 1
        except OSError as e:
            print(f"vapi: {e}", file=sys.stderr)
            return 1
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
