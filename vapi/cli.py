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
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.command is None:
        parser().print_help(sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
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
